//! The characters no report may pass through raw, and how they are shown instead.
//!
//! Resource names, addresses, file paths, tags and messages all come from the scanned
//! repository, which in CI is a pull request anyone can open. A line feed in a resource
//! label forges whole lines in a CI log (a fake all-clear summary); ESC recolours or moves
//! the cursor; a bidi override (U+202E) makes `ok<U+202E>gnp.exe` read as `okexe.png`; U+FFFE makes a
//! JUnit file unparseable, so CI drops every test case. Every emitter therefore shows such a
//! character *visibly*, as Rust writes it in a literal (`\n`, `\r`, `\t`, `\u{202e}`), so
//! the name is still there to read and the trick is plain to see. Each format then applies
//! its own syntax escaping (HTML entities, Markdown backslashes, DOT quotes…) to the result.

use std::borrow::Cow;

/// A character that must not reach a reader raw: every control character (C0, DEL, C1,
/// which includes CR, LF and tab), the bidi controls that reorder what a reader sees
/// (U+061C, U+200E/U+200F, U+202A–U+202E, U+2066–U+2069), the line and paragraph
/// separators (U+2028/U+2029, line breaks to some renderers), invisible characters that
/// hide or join text (U+00AD, U+200B–U+200D, U+2060–U+2064, U+FEFF) and the Unicode
/// noncharacters (U+FDD0–U+FDEF and the last two code points of every plane: U+FFFE and
/// U+FFFF are not XML characters at all).
pub(crate) fn is_hazard(c: char) -> bool {
    let n = c as u32;
    c.is_control()
        || matches!(
            n,
            0x00AD
                | 0x061C
                | 0x200B..=0x200F
                | 0x2028..=0x202E
                | 0x2060..=0x2064
                | 0x2066..=0x2069
                | 0xFEFF
                | 0xFDD0..=0xFDEF
        )
        || n & 0xFFFE == 0xFFFE
}

/// Pushes `c` as it is written in a Rust literal: `\n`, `\r`, `\t`, else `\u{…}` in hex.
pub(crate) fn push_visible(out: &mut String, c: char) {
    match c {
        '\n' => out.push_str("\\n"),
        '\r' => out.push_str("\\r"),
        '\t' => out.push_str("\\t"),
        c => out.extend(c.escape_unicode()),
    }
}

/// `s` with every [`is_hazard`] character written visibly (see [`push_visible`]); borrowed
/// when there is none, which is nearly always. Public for the binary's own terminal lines
/// (`fix`, `history diff`), which print addresses and paths outside any report.
pub fn visible(s: &str) -> Cow<'_, str> {
    if !s.contains(is_hazard) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if is_hazard(c) {
            push_visible(&mut out, c);
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// One hostile string with every trick the escaping must defeat, for the emitters' tests.
#[cfg(test)]
pub(crate) const HOSTILE: &str = "x\n0 configurations, 0 resources: 0 failed\r\u{1b}[2K\u{202e}gnp.exe\u{fffe} @org/team </script> =cmd|' /C calc'!A0 \"<&";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hazards_are_written_as_rust_escapes() {
        assert_eq!(
            visible("a\nb\r\tc\u{1b}[0m\u{202e}d\u{fffe}\u{10ffff}\u{2066}\u{200d}"),
            "a\\nb\\r\\tc\\u{1b}[0m\\u{202e}d\\u{fffe}\\u{10ffff}\\u{2066}\\u{200d}"
        );
    }

    #[test]
    fn ordinary_text_is_borrowed_unchanged() {
        for s in [
            "aws_vpc.main",
            "données → ünïcode ✓",
            "日本語",
            "emoji 🦀",
            "tab-free",
        ] {
            assert!(matches!(visible(s), Cow::Borrowed(t) if t == s), "{s}");
        }
    }

    #[test]
    fn every_bidi_control_is_a_hazard() {
        let bidi = [0x061C, 0x200E, 0x200F]
            .into_iter()
            .chain(0x202A..=0x202E)
            .chain(0x2066..=0x2069);
        for n in bidi {
            let c = char::from_u32(n).unwrap();
            assert!(is_hazard(c), "U+{n:04X}");
        }
        for c in [
            '\u{85}',
            '\u{7f}',
            '\u{0}',
            '\u{ffff}',
            '\u{1fffe}',
            '\u{fdd0}',
        ] {
            assert!(is_hazard(c), "{:?}", c);
        }
        for c in ['a', ' ', '\u{a0}', '\u{fffd}', '\u{e000}', 'é'] {
            assert!(!is_hazard(c), "{:?}", c);
        }
    }
}
