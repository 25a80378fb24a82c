//! Source locations for plan JSON.
//!
//! A plan has no line numbers of the HCL it came from (its `configuration` section holds
//! expressions, not positions). So that findings still point somewhere a user can open,
//! every resource instance and every value of it gets the span of the instance's
//! `"address": "…"` member in the plan file itself: `terraform show -json` prints
//! `planned_values` first, so the first occurrence of an address is its planned values.
//! `terraform show -json` writes one line; the column then tells the place apart.

use sagescan_model::{FileSpan, Origin};
use std::collections::HashMap;
use std::sync::Arc;

/// Address → origin of its first `"address"` member, found in one pass over `text`.
pub(super) fn address_origins(file: &Arc<str>, text: &str) -> HashMap<String, Origin> {
    const KEY: &str = "\"address\"";
    let mut found = HashMap::new();
    let mut cursor = Cursor::default();
    for (at, _) in text.match_indices(KEY) {
        // A key preceded by a backslash is the inside of some other string.
        if at > 0 && text.as_bytes()[at - 1] == b'\\' {
            continue;
        }
        let Some((start, end)) = string_after_colon(text, at + KEY.len()) else {
            continue;
        };
        let Ok(address) = serde_json::from_str::<String>(&text[start..end]) else {
            continue;
        };
        let (line, column) = cursor.advance(text, at);
        found.entry(address).or_insert_with(|| {
            Origin::File(FileSpan {
                file: file.clone(),
                start: clamp(at),
                end: clamp(end),
                line,
                column,
            })
        });
    }
    found
}

/// The origin of the whole file (line 1), for values of a resource whose address line is
/// not found.
pub(super) fn file_start(file: &Arc<str>) -> Origin {
    Origin::File(FileSpan {
        file: file.clone(),
        start: 0,
        end: 0,
        line: 1,
        column: 1,
    })
}

/// The byte range of the JSON string literal (quotes included) after `: ` at `from`.
fn string_after_colon(text: &str, from: usize) -> Option<(usize, usize)> {
    let bytes = text.as_bytes();
    let mut i = skip_ws(bytes, from);
    if bytes.get(i) != Some(&b':') {
        return None;
    }
    i = skip_ws(bytes, i + 1);
    if bytes.get(i) != Some(&b'"') {
        return None;
    }
    let start = i;
    i += 1;
    while let Some(&b) = bytes.get(i) {
        match b {
            b'\\' => i += 2,
            b'"' => return Some((start, i + 1)),
            _ => i += 1,
        }
    }
    None
}

fn skip_ws(bytes: &[u8], mut i: usize) -> usize {
    while bytes.get(i).is_some_and(u8::is_ascii_whitespace) {
        i += 1;
    }
    i
}

fn clamp(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// 1-based line and column (in characters) of increasing byte offsets, in linear time
/// overall even when the whole plan is one line.
struct Cursor {
    pos: usize,
    line: u32,
    column: u32,
}

impl Default for Cursor {
    fn default() -> Self {
        Cursor {
            pos: 0,
            line: 1,
            column: 1,
        }
    }
}

impl Cursor {
    fn advance(&mut self, text: &str, to: usize) -> (u32, u32) {
        // `to` is the start of a match of an ASCII key, hence a char boundary.
        for c in text[self.pos..to].chars() {
            if c == '\n' {
                self.line = self.line.saturating_add(1);
                self.column = 1;
            } else {
                self.column = self.column.saturating_add(1);
            }
        }
        self.pos = to;
        (self.line, self.column)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line_col(o: &Origin) -> (u32, u32) {
        let f = o.file().expect("file origin");
        (f.line, f.column)
    }

    #[test]
    fn first_occurrence_with_line_and_column() {
        let text = "{\n  \"a\": {\"address\": \"aws_vpc.x\"},\n  \"b\": {\"address\" : \"aws_subnet.s[\\\"k\\\"]\"},\n  \"c\": {\"address\": \"aws_vpc.x\"}\n}";
        let file: Arc<str> = "plan.json".into();
        let found = address_origins(&file, text);
        assert_eq!(line_col(&found["aws_vpc.x"]), (2, 9));
        assert_eq!(line_col(&found["aws_subnet.s[\"k\"]"]), (3, 9));
        assert_eq!(found.len(), 2);
    }

    #[test]
    fn a_key_inside_a_string_or_without_a_string_value_is_skipped() {
        let text = r#"{"d": "x\"address\": \"no\"", "address": 3, "e": {"address": "ok"}}"#;
        let found = address_origins(&"p".into(), text);
        assert_eq!(found.keys().collect::<Vec<_>>(), ["ok"]);
    }
}
