//! A small JSON reader that keeps spans: `serde_json` forgets where values were written and
//! silently keeps the last of duplicate keys, and both matter here (every model value points
//! at its line; a duplicate key is reported). Strict RFC 8259 JSON, recursive descent with a
//! depth limit.

use super::tree::{
    Entry, Issue, KeyIndex, Kind, Lines, MAX_DEPTH, MAX_NODES, Node, Parsed, insert,
};

/// Reads `text` as one JSON document.
pub(crate) fn parse(text: &str) -> Result<Parsed, Issue> {
    let mut p = Reader {
        bytes: text.as_bytes(),
        text,
        pos: 0,
        lines: Lines::new(text),
        issues: Vec::new(),
        nodes: 0,
    };
    p.skip_ws();
    let root = p.value(0)?;
    p.skip_ws();
    if p.pos < p.bytes.len() {
        return Err(p.error("unexpected text after the JSON document"));
    }
    Ok(Parsed {
        root,
        issues: p.issues,
    })
}

struct Reader<'t> {
    bytes: &'t [u8],
    text: &'t str,
    pos: usize,
    lines: Lines,
    issues: Vec<Issue>,
    nodes: usize,
}

impl Reader<'_> {
    fn error(&self, message: &str) -> Issue {
        Issue {
            kind: "parse-error",
            message: format!("invalid JSON: {message}"),
            span: self.lines.span(self.pos, self.pos),
        }
    }

    fn skip_ws(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.bytes.get(self.pos) {
            self.pos += 1;
        }
    }

    fn node(&mut self, kind: Kind, start: usize) -> Result<Node, Issue> {
        self.nodes += 1;
        if self.nodes > MAX_NODES {
            return Err(self.error("the document has too many values"));
        }
        Ok(Node {
            kind,
            span: self.lines.span(start, self.pos),
        })
    }

    fn value(&mut self, depth: usize) -> Result<Node, Issue> {
        if depth > MAX_DEPTH {
            return Err(self.error(&format!("nesting deeper than {MAX_DEPTH} levels")));
        }
        let start = self.pos;
        match self.bytes.get(self.pos) {
            None => Err(self.error("unexpected end of input")),
            Some(b'{') => self.object(depth),
            Some(b'[') => self.array(depth),
            Some(b'"') => {
                let s = self.string()?;
                self.node(Kind::Str(s), start)
            }
            Some(b't') => self.word("true", Kind::Bool(true)),
            Some(b'f') => self.word("false", Kind::Bool(false)),
            Some(b'n') => self.word("null", Kind::Null),
            Some(b'-' | b'0'..=b'9') => self.number(),
            Some(_) => Err(self.error("expected a value")),
        }
    }

    fn word(&mut self, word: &str, kind: Kind) -> Result<Node, Issue> {
        let start = self.pos;
        if self.bytes[self.pos..].starts_with(word.as_bytes()) {
            self.pos += word.len();
            self.node(kind, start)
        } else {
            Err(self.error("expected a value"))
        }
    }

    fn number(&mut self) -> Result<Node, Issue> {
        let start = self.pos;
        while let Some(b'-' | b'+' | b'.' | b'e' | b'E' | b'0'..=b'9') = self.bytes.get(self.pos) {
            self.pos += 1;
        }
        let text = &self.text[start..self.pos];
        if text.parse::<f64>().is_err() {
            self.pos = start;
            return Err(self.error(&format!("{text:?} is not a number")));
        }
        self.node(Kind::Num(text.to_owned()), start)
    }

    fn string(&mut self) -> Result<String, Issue> {
        self.pos += 1; // opening quote
        let mut out = String::new();
        loop {
            let run = self.pos;
            while let Some(&b) = self.bytes.get(self.pos) {
                if b == b'"' || b == b'\\' || b < 0x20 {
                    break;
                }
                self.pos += 1;
            }
            // The run ends at an ASCII byte or at the end, so it is a char boundary.
            out.push_str(&self.text[run..self.pos]);
            match self.bytes.get(self.pos) {
                None => return Err(self.error("unterminated string")),
                Some(b'"') => {
                    self.pos += 1;
                    return Ok(out);
                }
                Some(b'\\') => {
                    self.pos += 1;
                    let c = self.escape()?;
                    out.push(c);
                }
                Some(_) => return Err(self.error("control character in a string")),
            }
        }
    }

    fn escape(&mut self) -> Result<char, Issue> {
        let Some(&b) = self.bytes.get(self.pos) else {
            return Err(self.error("unterminated string"));
        };
        self.pos += 1;
        Ok(match b {
            b'"' => '"',
            b'\\' => '\\',
            b'/' => '/',
            b'b' => '\u{8}',
            b'f' => '\u{c}',
            b'n' => '\n',
            b'r' => '\r',
            b't' => '\t',
            b'u' => {
                let hi = self.hex4()?;
                if (0xD800..0xDC00).contains(&hi) && self.bytes[self.pos..].starts_with(b"\\u") {
                    self.pos += 2;
                    let lo = self.hex4()?;
                    let c = 0x10000 + ((hi - 0xD800) << 10) + (lo.wrapping_sub(0xDC00) & 0x3FF);
                    char::from_u32(c).unwrap_or('\u{FFFD}')
                } else {
                    char::from_u32(hi).unwrap_or('\u{FFFD}')
                }
            }
            _ => return Err(self.error("invalid escape in a string")),
        })
    }

    fn hex4(&mut self) -> Result<u32, Issue> {
        let digits = self
            .text
            .get(self.pos..self.pos + 4)
            .and_then(|h| u32::from_str_radix(h, 16).ok());
        match digits {
            Some(v) => {
                self.pos += 4;
                Ok(v)
            }
            None => Err(self.error("invalid \\u escape")),
        }
    }

    fn array(&mut self, depth: usize) -> Result<Node, Issue> {
        let start = self.pos;
        self.pos += 1;
        let mut items = Vec::new();
        self.skip_ws();
        if self.bytes.get(self.pos) == Some(&b']') {
            self.pos += 1;
            return self.node(Kind::Seq(items), start);
        }
        loop {
            self.skip_ws();
            items.push(self.value(depth + 1)?);
            self.skip_ws();
            match self.bytes.get(self.pos) {
                Some(b',') => self.pos += 1,
                Some(b']') => {
                    self.pos += 1;
                    return self.node(Kind::Seq(items), start);
                }
                _ => return Err(self.error("expected ',' or ']'")),
            }
        }
    }

    fn object(&mut self, depth: usize) -> Result<Node, Issue> {
        let start = self.pos;
        self.pos += 1;
        let mut entries = Vec::new();
        let mut index = KeyIndex::new();
        self.skip_ws();
        if self.bytes.get(self.pos) == Some(&b'}') {
            self.pos += 1;
            return self.node(Kind::Map(entries), start);
        }
        loop {
            self.skip_ws();
            if self.bytes.get(self.pos) != Some(&b'"') {
                return Err(self.error("expected a string key"));
            }
            let key_start = self.pos;
            let key = self.string()?;
            let key_span = self.lines.span(key_start, self.pos);
            self.skip_ws();
            if self.bytes.get(self.pos) != Some(&b':') {
                return Err(self.error("expected ':'"));
            }
            self.pos += 1;
            self.skip_ws();
            let value = self.value(depth + 1)?;
            let entry = Entry {
                key,
                key_span,
                value,
            };
            insert(&mut entries, &mut index, entry, &mut self.issues);
            self.skip_ws();
            match self.bytes.get(self.pos) {
                Some(b',') => self.pos += 1,
                Some(b'}') => {
                    self.pos += 1;
                    return self.node(Kind::Map(entries), start);
                }
                _ => return Err(self.error("expected ',' or '}'")),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_keep_their_lines_and_duplicates_are_reported() {
        let p = parse("{\n  \"a\": [1, \"x\\u00e9\"],\n  \"a\": true\n}").unwrap();
        assert_eq!(p.issues.len(), 1);
        assert_eq!(p.issues[0].span.line, 3);
        let a = p.root.get("a").unwrap();
        assert_eq!(a.kind, Kind::Bool(true));
        assert_eq!((a.span.line, a.span.column), (3, 8));
    }

    #[test]
    fn errors_have_a_line() {
        let e = parse("{\n  \"a\": [1,\n}").unwrap_err();
        assert_eq!(e.span.line, 3);
        assert!(e.message.contains("expected a value"), "{}", e.message);
        let deep = "[".repeat(10_000);
        let e = parse(&deep).unwrap_err();
        assert!(e.message.contains("nesting deeper"), "{}", e.message);
    }

    #[test]
    fn strings_decode_escapes_and_numbers_stay_as_written() {
        let p = parse(r#"["\ud83d\ude00\n", 1.10, -3]"#).unwrap();
        let Kind::Seq(items) = &p.root.kind else {
            panic!("not a list")
        };
        assert_eq!(items[0].kind, Kind::Str("\u{1F600}\n".into()));
        assert_eq!(items[1].kind, Kind::Num("1.10".into()));
        assert_eq!(items[2].kind, Kind::Num("-3".into()));
    }
}
