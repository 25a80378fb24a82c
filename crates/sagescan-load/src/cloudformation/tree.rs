//! The parsed template: one document tree shared by the JSON and YAML readers, with a span
//! (byte range, 1-based line and column) on every node so that every model value can point
//! at where it was written.
//!
//! Both readers guard against hostile input the same way: nesting deeper than
//! [`MAX_DEPTH`] and trees larger than [`MAX_NODES`] (YAML aliases can multiply a small file)
//! are parse errors, never a stack overflow or an exhausted memory.

/// Deepest nesting accepted. Real templates stay far below it (CloudFormation itself limits
/// a template to 1 MB), so reaching it means hostile or broken input.
pub(crate) const MAX_DEPTH: usize = 128;

/// Most nodes one template may expand to (after YAML alias expansion).
pub(crate) const MAX_NODES: usize = 2_000_000;

/// Where a node was written.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Span {
    pub start: u32,
    pub end: u32,
    pub line: u32,
    pub column: u32,
}

/// A node of the document and its span.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Node {
    pub kind: Kind,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Kind {
    Null,
    Bool(bool),
    /// A number as written, so that `1.10` stays `1.10` when used as a string.
    Num(String),
    Str(String),
    Seq(Vec<Node>),
    Map(Vec<Entry>),
}

/// A mapping entry; keys are always strings in CloudFormation.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Entry {
    pub key: String,
    pub key_span: Span,
    pub value: Node,
}

impl Node {
    /// The entry `key` of a mapping.
    pub(crate) fn get(&self, key: &str) -> Option<&Node> {
        self.entry(key).map(|e| &e.value)
    }

    pub(crate) fn entry(&self, key: &str) -> Option<&Entry> {
        match &self.kind {
            Kind::Map(entries) => entries.iter().find(|e| e.key == key),
            _ => None,
        }
    }

    pub(crate) fn entries(&self) -> &[Entry] {
        match &self.kind {
            Kind::Map(entries) => entries,
            _ => &[],
        }
    }

    pub(crate) fn as_str(&self) -> Option<&str> {
        match &self.kind {
            Kind::Str(s) | Kind::Num(s) => Some(s),
            _ => None,
        }
    }
}

/// A problem found while reading: fatal (the reader returns it) or not (duplicate keys,
/// unsupported tags, which the reader reports and reads past).
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Issue {
    pub kind: &'static str,
    pub message: String,
    pub span: Span,
}

/// A document read without a fatal error, with the problems it has all the same.
#[derive(Debug)]
pub(crate) struct Parsed {
    pub root: Node,
    pub issues: Vec<Issue>,
}

/// Byte offset → 1-based line and column, for readers that only know offsets.
pub(crate) struct Lines {
    starts: Vec<u32>,
}

impl Lines {
    pub(crate) fn new(text: &str) -> Lines {
        let mut starts = vec![0];
        starts.extend(
            text.bytes()
                .enumerate()
                .filter(|(_, b)| *b == b'\n')
                .map(|(i, _)| i as u32 + 1),
        );
        Lines { starts }
    }

    pub(crate) fn span(&self, start: usize, end: usize) -> Span {
        let start = start as u32;
        let line = self.starts.partition_point(|&s| s <= start);
        let line_start = self.starts[line.saturating_sub(1)];
        Span {
            start,
            end: end as u32,
            line: line as u32,
            column: start - line_start + 1,
        }
    }
}

/// Key → position in a mapping's entries, built alongside them: finding a duplicate by
/// scanning the entries made a mapping of n keys cost n² (minutes for a 10 MB template
/// of 100,000 resources).
pub(crate) type KeyIndex = std::collections::HashMap<String, usize>;

/// Keeps the last of duplicate keys (as most JSON and YAML readers do) and reports every
/// duplicate: CloudFormation rejects them, and the two copies may disagree.
pub(crate) fn insert(
    entries: &mut Vec<Entry>,
    index: &mut KeyIndex,
    entry: Entry,
    issues: &mut Vec<Issue>,
) {
    if let Some(&i) = index.get(&entry.key) {
        let old = &mut entries[i];
        issues.push(Issue {
            kind: "duplicate-key",
            message: format!(
                "duplicate key {:?} (first at line {}); the last one is used",
                entry.key, old.key_span.line
            ),
            span: entry.key_span,
        });
        *old = entry;
    } else {
        index.insert(entry.key.clone(), entries.len());
        entries.push(entry);
    }
}
