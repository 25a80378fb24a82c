//! The YAML reader: saphyr-parser's event stream → [`Node`] tree with spans.
//!
//! CloudFormation's short-form intrinsics are YAML tags (`!Ref Vpc`, `!GetAtt Vpc.CidrBlock`,
//! `!Sub "…"`); they are rewritten here into the long form (`{Ref: Vpc}`,
//! `{"Fn::GetAtt": "Vpc.CidrBlock"}`), so that the evaluator sees one syntax for JSON and
//! YAML. Plain scalars are typed as in YAML 1.2's core schema (null, booleans, numbers);
//! quoted ones are strings. Aliases are expanded, within two budgets: [`MAX_NODES`] values
//! and [`MAX_EXPANDED_BYTES`] of text. The second matters because a count of nodes says
//! nothing of their size: one 1 MiB scalar aliased a thousand times is 1,001 nodes and a
//! gigabyte of strings, so the text is counted each time an alias expands, and checked
//! before the copy is made.
//! (Short-form tags: "Intrinsic function reference", AWS CloudFormation User Guide.)

use super::tree::{Entry, Issue, KeyIndex, Kind, MAX_DEPTH, MAX_NODES, Node, Parsed, Span, insert};
use saphyr_parser::{Event, Marker, Parser, ScalarStyle, Tag};
use std::collections::HashMap;

/// Most bytes of text (scalars and keys) a document may expand to once its aliases are
/// copied. Without aliases a document's text is at most its own size, which the loader
/// caps at 16 MiB, so only alias expansion can reach this; it bounds the tree (and what the
/// evaluator copies of it) to a few hundred MiB however the aliases are arranged.
pub(crate) const MAX_EXPANDED_BYTES: usize = 64 << 20;

/// The intrinsic functions whose short form is `!Name` for `Fn::Name`.
const FN_TAGS: &[&str] = &[
    "Base64",
    "Cidr",
    "FindInMap",
    "GetAtt",
    "GetAZs",
    "ImportValue",
    "Join",
    "Select",
    "Split",
    "Sub",
    "Transform",
    "And",
    "Equals",
    "If",
    "Not",
    "Or",
    "ToJsonString",
    "Length",
];

/// Reads the first document of `text`.
pub(crate) fn parse(text: &str) -> Result<Parsed, Issue> {
    let mut b = Builder {
        offsets: (!text.is_ascii()).then(|| {
            let mut o: Vec<u32> = text.char_indices().map(|(i, _)| i as u32).collect();
            o.push(text.len() as u32);
            o
        }),
        stack: Vec::new(),
        anchors: HashMap::new(),
        issues: Vec::new(),
        nodes: 0,
        bytes: 0,
        root: None,
    };
    let mut parser = Parser::new_from_str(text);
    while let Some(event) = parser.next_event() {
        let (event, span) = event.map_err(|e| Issue {
            kind: "parse-error",
            message: format!("invalid YAML: {}", e.info()),
            span: b.span(*e.marker(), *e.marker()),
        })?;
        let span = b.span(span.start, span.end);
        if b.event(event, span)? {
            break;
        }
    }
    let root = b.root.unwrap_or(Node {
        kind: Kind::Null,
        span: Span::default(),
    });
    Ok(Parsed {
        root,
        issues: b.issues,
    })
}

enum Frame {
    Seq {
        items: Vec<Node>,
        span: Span,
        tag: Option<Tag>,
        anchor: usize,
    },
    Map {
        entries: Vec<Entry>,
        index: KeyIndex,
        key: Option<(String, Span)>,
        span: Span,
        tag: Option<Tag>,
        anchor: usize,
    },
}

struct Builder {
    /// Char index → byte offset, for non-ASCII text (saphyr counts characters).
    offsets: Option<Vec<u32>>,
    stack: Vec<Frame>,
    anchors: HashMap<usize, Node>,
    issues: Vec<Issue>,
    nodes: usize,
    /// Bytes of text read so far, each alias's counted again where it expands.
    bytes: usize,
    root: Option<Node>,
}

impl Builder {
    fn span(&self, start: Marker, end: Marker) -> Span {
        let byte = |m: Marker| match &self.offsets {
            Some(o) => o.get(m.index()).copied().unwrap_or(u32::MAX),
            None => m.index() as u32,
        };
        Span {
            start: byte(start),
            end: byte(end),
            line: start.line() as u32,
            column: start.col() as u32 + 1,
        }
    }

    fn fail(&self, message: String, span: Span) -> Issue {
        Issue {
            kind: "parse-error",
            message,
            span,
        }
    }

    /// Handles one event; `true` once the first document is complete.
    fn event(&mut self, event: Event, span: Span) -> Result<bool, Issue> {
        match event {
            Event::Scalar(text, style, anchor, tag) => {
                self.bytes += text.len();
                let kind = scalar(&text, style, tag.as_deref());
                let node = self.tagged(Node { kind, span }, tag.as_deref());
                self.remember(anchor, &node);
                self.push(node)?;
            }
            Event::SequenceStart(anchor, tag) => {
                self.open(span)?;
                self.stack.push(Frame::Seq {
                    items: Vec::new(),
                    span,
                    tag: tag.map(|t| t.into_owned()),
                    anchor,
                });
            }
            Event::MappingStart(anchor, tag) => {
                self.open(span)?;
                self.stack.push(Frame::Map {
                    entries: Vec::new(),
                    index: KeyIndex::new(),
                    key: None,
                    span,
                    tag: tag.map(|t| t.into_owned()),
                    anchor,
                });
            }
            Event::SequenceEnd | Event::MappingEnd => {
                let (kind, mut start, tag, anchor) = match self.stack.pop() {
                    Some(Frame::Seq {
                        items,
                        span,
                        tag,
                        anchor,
                    }) => (Kind::Seq(items), span, tag, anchor),
                    Some(Frame::Map {
                        entries,
                        span,
                        tag,
                        anchor,
                        ..
                    }) => (Kind::Map(entries), span, tag, anchor),
                    None => return Err(self.fail("unbalanced YAML collection".into(), span)),
                };
                start.end = span.end.max(start.start);
                let node = self.tagged(Node { kind, span: start }, tag.as_ref());
                self.remember(anchor, &node);
                self.push(node)?;
            }
            Event::Alias(id) => {
                let Some(anchored) = self.anchors.get(&id) else {
                    return Err(self.fail("alias to an unknown anchor".into(), span));
                };
                // Weighed before it is copied: the copy is the allocation to avoid.
                let (nodes, bytes) = weight(anchored);
                self.nodes = self.nodes.saturating_add(nodes);
                self.bytes = self.bytes.saturating_add(bytes);
                self.budget(span)?;
                let node = anchored.clone();
                self.push(node)?;
            }
            Event::DocumentEnd => return Ok(self.root.is_some()),
            _ => {}
        }
        self.budget(span)?;
        Ok(false)
    }

    /// Whether the document is still within [`MAX_NODES`] and [`MAX_EXPANDED_BYTES`].
    fn budget(&self, span: Span) -> Result<(), Issue> {
        if self.nodes > MAX_NODES {
            return Err(self.fail(
                "the document expands to too many values (aliases?)".into(),
                span,
            ));
        }
        if self.bytes > MAX_EXPANDED_BYTES {
            return Err(Issue {
                kind: "too-large",
                message: format!(
                    "the document's aliases expand it past {} MiB of text, the expansion budget; not read",
                    MAX_EXPANDED_BYTES >> 20
                ),
                span,
            });
        }
        Ok(())
    }

    fn open(&self, span: Span) -> Result<(), Issue> {
        if self.stack.len() >= MAX_DEPTH {
            return Err(self.fail(format!("nesting deeper than {MAX_DEPTH} levels"), span));
        }
        Ok(())
    }

    fn remember(&mut self, anchor: usize, node: &Node) {
        if anchor > 0 {
            self.anchors.insert(anchor, node.clone());
        }
    }

    fn push(&mut self, node: Node) -> Result<(), Issue> {
        self.nodes += 1;
        match self.stack.last_mut() {
            None => {
                if self.root.is_none() {
                    self.root = Some(node);
                }
            }
            Some(Frame::Seq { items, .. }) => items.push(node),
            Some(Frame::Map {
                entries,
                index,
                key,
                ..
            }) => match key.take() {
                Some((key, key_span)) => insert(
                    entries,
                    index,
                    Entry {
                        key,
                        key_span,
                        value: node,
                    },
                    &mut self.issues,
                ),
                None => match node.kind {
                    Kind::Str(s) | Kind::Num(s) => *key = Some((s, node.span)),
                    Kind::Bool(b) => *key = Some((b.to_string(), node.span)),
                    Kind::Null => *key = Some((String::new(), node.span)),
                    _ => {
                        return Err(self.fail("a mapping key must be a scalar".into(), node.span));
                    }
                },
            },
        }
        Ok(())
    }

    /// Applies a tag: short-form intrinsics become their long form.
    fn tagged(&mut self, node: Node, tag: Option<&Tag>) -> Node {
        let Some(tag) = tag else { return node };
        if tag.handle != "!" {
            // `!!str` and the other core-schema tags were applied when typing the scalar.
            return node;
        }
        let name = tag.suffix.as_str();
        let key = match name {
            "Ref" | "Condition" => name.to_owned(),
            _ if FN_TAGS.contains(&name) => format!("Fn::{name}"),
            _ => {
                self.issues.push(Issue {
                    kind: "unsupported",
                    message: format!("unknown YAML tag !{name}; the value is read untagged"),
                    span: node.span,
                });
                return node;
            }
        };
        let span = node.span;
        Node {
            kind: Kind::Map(vec![Entry {
                key,
                key_span: span,
                value: node,
            }]),
            span,
        }
    }
}

/// Nodes and bytes of text (scalars and keys) in a tree, to bound alias expansion. The
/// walk costs what the tree holds, which the budgets already bound.
fn weight(node: &Node) -> (usize, usize) {
    match &node.kind {
        Kind::Str(s) | Kind::Num(s) => (1, s.len()),
        Kind::Seq(items) => items.iter().map(weight).fold((1, 0), |(n, b), (m, c)| {
            (n.saturating_add(m), b.saturating_add(c))
        }),
        Kind::Map(entries) => entries.iter().fold((1, 0), |(n, b), e| {
            let (m, c) = weight(&e.value);
            (
                n.saturating_add(m),
                b.saturating_add(c).saturating_add(e.key.len()),
            )
        }),
        Kind::Null | Kind::Bool(_) => (1, 0),
    }
}

/// Types a scalar: quoted and `!!str` scalars are strings; plain ones follow the core schema.
fn scalar(text: &str, style: ScalarStyle, tag: Option<&Tag>) -> Kind {
    let forced_str = tag.is_some_and(|t| t.handle == "tag:yaml.org,2002:" && t.suffix == "str");
    if style != ScalarStyle::Plain || forced_str || tag.is_some_and(|t| t.handle == "!") {
        return Kind::Str(text.to_owned());
    }
    match text {
        "" | "~" | "null" | "Null" | "NULL" => Kind::Null,
        "true" | "True" | "TRUE" => Kind::Bool(true),
        "false" | "False" | "FALSE" => Kind::Bool(false),
        _ if is_number(text) => Kind::Num(text.to_owned()),
        _ => Kind::Str(text.to_owned()),
    }
}

/// Decimal numbers only (`inf`, `nan`, `0x1F` stay strings, as in CloudFormation's reading).
fn is_number(text: &str) -> bool {
    let digits = text.strip_prefix(['-', '+']).unwrap_or(text);
    digits.starts_with(|c: char| c.is_ascii_digit())
        && digits
            .chars()
            .all(|c| c.is_ascii_digit() || matches!(c, '.' | 'e' | 'E' | '-' | '+'))
        && text.parse::<f64>().is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_form_tags_become_long_form_with_spans() {
        let p = parse("A:\n  B: !Ref Vpc\n  C: !GetAtt [X, Y]\n  D: 'true'\n  E: 443\n").unwrap();
        let b = p.root.get("A").unwrap().get("B").unwrap();
        let r = b.get("Ref").unwrap();
        assert_eq!(r.kind, Kind::Str("Vpc".into()));
        assert_eq!((b.span.line, b.span.column), (2, 6));
        let c = p.root.get("A").unwrap().get("C").unwrap();
        assert!(c.get("Fn::GetAtt").is_some());
        let a = p.root.get("A").unwrap();
        assert_eq!(a.get("D").unwrap().kind, Kind::Str("true".into()));
        assert_eq!(a.get("E").unwrap().kind, Kind::Num("443".into()));
    }

    #[test]
    fn duplicate_keys_and_unknown_tags_are_reported() {
        let p = parse("a: 1\nb: !Foo x\na: 2\n").unwrap();
        let kinds: Vec<_> = p.issues.iter().map(|i| (i.kind, i.span.line)).collect();
        assert_eq!(kinds, [("unsupported", 2), ("duplicate-key", 3)]);
        assert_eq!(p.root.get("a").unwrap().kind, Kind::Num("2".into()));
    }

    #[test]
    fn malformed_deep_and_exploding_input_is_an_error_with_a_line() {
        let e = parse("a: 1\nb: [1, 2\nc: 3\n").unwrap_err();
        assert!(e.span.line >= 2, "{e:?}");
        // saphyr-parser has a recursion limit of its own, below ours.
        let e = parse(&"[".repeat(5000)).unwrap_err();
        assert!(
            e.message.contains("nesting") || e.message.contains("recursion limit"),
            "{}",
            e.message
        );
        let deep: String = (0..200).map(|i| format!("{}a:\n", " ".repeat(i))).collect();
        assert!(parse(&deep).is_err());
        let mut bomb = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
        for i in 1..10 {
            let p = i - 1;
            bomb.push_str(&format!(
                "a{i}: &a{i} [*a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}]\n"
            ));
        }
        let e = parse(&bomb).unwrap_err();
        assert!(e.message.contains("too many"), "{}", e.message);
    }

    #[test]
    fn aliases_of_a_large_scalar_hit_the_byte_budget_before_they_are_copied() {
        // 1,001 nodes, far under MAX_NODES, but 100 copies of 1 MiB.
        let big = "A".repeat(1 << 20);
        let aliases = vec!["*s"; 100].join(", ");
        let text = format!("s: &s '{big}'\nl: [{aliases}]\n");
        let e = parse(&text).unwrap_err();
        assert_eq!(e.kind, "too-large");
        assert!(e.message.contains("64 MiB"), "{}", e.message);
        assert_eq!(e.span.line, 2, "{e:?}");
        // The same text without the expansion is read: the budget counts copies, not the
        // file (a 1 MiB scalar aliased a few times stays well within it).
        let few = format!("s: &s '{big}'\nl: [*s, *s, *s]\n");
        let p = parse(&few).unwrap();
        assert!(matches!(&p.root.get("l").unwrap().kind, Kind::Seq(items) if items.len() == 3));
    }

    #[test]
    fn non_ascii_text_gets_byte_offsets() {
        let p = parse("d: \"é\"\nx: y\n").unwrap();
        let x = p.root.get("x").unwrap();
        assert_eq!(x.span.start, 11);
        assert_eq!(x.span.line, 2);
    }
}
