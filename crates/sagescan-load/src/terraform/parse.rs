//! Reading and parsing one Terraform file: size and encoding limits, the hcl-edit parse with
//! spans, and turning byte spans into model [`Origin`]s with 1-based line and column.
//!
//! A file that cannot be read or parsed is not an error of the load: it becomes a
//! [`FileGap`] that the caller attaches to every configuration the file belongs to.

use hcl_edit::Span;
use hcl_edit::structure::{Block, Body};
use sagescan_fs::Named;
use sagescan_model::{FileSpan, Origin};
use std::cell::RefCell;
use std::ops::Range;
use std::path::Path;
use std::sync::{Arc, mpsc};
use std::time::Duration;

/// Larger files are not read by default (`--max-file-size` overrides it): no hand-written
/// Terraform file comes near this, and a hostile multi-gigabyte input must not exhaust memory.
pub const MAX_FILE_SIZE: u64 = 8 << 20;

/// A problem with one file, to become a coverage gap.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct FileGap {
    /// `parse-error`, `io-error`, `too-large` or `timeout`.
    pub kind: &'static str,
    pub message: String,
    pub origin: Origin,
}

/// A source file's text with a line index, to turn byte offsets into line and column.
#[derive(Debug)]
pub(crate) struct SourceText {
    /// The path as the user gave it joined with the relative part (never canonicalized).
    pub path: Arc<str>,
    pub text: String,
    /// Byte offset of the start of every line.
    line_starts: Vec<usize>,
}

impl SourceText {
    pub fn new(path: Arc<str>, text: String) -> Self {
        let line_starts = std::iter::once(0)
            .chain(text.match_indices('\n').map(|(i, _)| i + 1))
            .collect();
        SourceText {
            path,
            text,
            line_starts,
        }
    }

    /// The origin of a byte range; line and column (in characters) are 1-based.
    pub fn origin(&self, span: Range<usize>) -> Origin {
        let start = span.start.min(self.text.len());
        let line = self.line_starts.partition_point(|&s| s <= start).max(1);
        let line_start = self.line_starts[line - 1];
        // Offsets from hcl-edit are on char boundaries; `get` keeps a bad one from panicking.
        let column = self
            .text
            .get(line_start..start)
            .map_or(1, |s| s.chars().count() + 1);
        Origin::File(FileSpan {
            file: self.path.clone(),
            start: to_u32(start),
            end: to_u32(span.end.max(start)),
            line: to_u32(line),
            column: to_u32(column),
        })
    }

    /// The origin of a parsed node; a node without a span (never the case for parsed input)
    /// falls back to the start of the file rather than to no origin at all.
    pub fn origin_of(&self, node: &impl Span) -> Origin {
        self.origin(node.span().unwrap_or(0..0))
    }

    /// The origin of a block's header, `resource "aws_subnet" "a" {`: the line a finding
    /// about the whole block points at, without highlighting the whole body.
    pub fn header_origin(&self, block: &Block) -> Origin {
        let Some(span) = block.span() else {
            return self.origin(0..0);
        };
        let after_labels = block
            .labels
            .last()
            .and_then(|l| l.span())
            .or_else(|| block.ident.span())
            .map_or(span.start, |s| s.end);
        let end = self
            .text
            .get(after_labels..span.end)
            .and_then(|rest| rest.find('{'))
            .map_or(span.end, |i| after_labels + i + 1);
        self.origin(span.start..end)
    }
}

fn to_u32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// One `.tf` (or `.tfvars`) file: its text and, unless it failed, its parsed body.
#[derive(Debug)]
pub(crate) struct ParsedFile {
    pub source: SourceText,
    pub body: Option<Body>,
    pub gap: Option<FileGap>,
}

/// Reads a file of at most `max_size` bytes, enforcing UTF-8. `display` is the path to report.
pub(crate) fn read(
    path: &Path,
    display: &Arc<str>,
    max_size: u64,
    named: Named,
) -> Result<String, Box<FileGap>> {
    let io_gap = |e: std::io::Error| {
        Box::new(FileGap {
            kind: "io-error",
            message: format!("{display}: {e}"),
            origin: file_origin(display),
        })
    };
    let mut bytes = sagescan_fs::read_limited(path, max_size, named).map_err(|e| {
        if e.kind() == std::io::ErrorKind::FileTooLarge {
            Box::new(FileGap {
                kind: "too-large",
                message: format!("{display}: {e}"),
                origin: file_origin(display),
            })
        } else {
            io_gap(e)
        }
    })?;
    // A UTF-8 byte order mark (editors on Windows write one) is not part of the text, and
    // hcl-edit would reject it as an unexpected token. Offsets count from after it.
    if bytes.starts_with(b"\xef\xbb\xbf") {
        bytes.drain(..3);
    }
    String::from_utf8(bytes).map_err(|e| {
        Box::new(FileGap {
            kind: "io-error",
            message: format!(
                "{display}: not UTF-8 (invalid byte at offset {})",
                e.utf8_error().valid_up_to()
            ),
            origin: file_origin(display),
        })
    })
}

/// An origin naming a whole file, for problems that have no position.
pub(crate) fn file_origin(display: &Arc<str>) -> Origin {
    Origin::File(FileSpan {
        file: display.clone(),
        start: 0,
        end: 0,
        line: 1,
        column: 1,
    })
}

/// Reads one HCL file without parsing it yet (see [`ParsedFile::pending`]). Never fails:
/// problems become the file's gap.
pub(crate) fn read_file(path: &Path, display: Arc<str>, max_size: u64) -> ParsedFile {
    match read(path, &display, max_size, Named::ByInput) {
        Ok(text) => ParsedFile {
            source: SourceText::new(display, text),
            body: None,
            gap: None,
        },
        Err(gap) => ParsedFile {
            source: SourceText::new(display, String::new()),
            body: None,
            gap: Some(*gap),
        },
    }
}

impl ParsedFile {
    /// Read but not parsed yet: no body and no gap.
    pub fn pending(&self) -> bool {
        self.body.is_none() && self.gap.is_none()
    }

    /// Parses a pending file (a no-op otherwise).
    pub fn parse(&mut self) {
        if self.pending() {
            let text = std::mem::take(&mut self.source.text);
            *self = parse_text(self.source.path.clone(), text);
        }
    }

    /// A pending file's parse, this file left as it is (its text is copied).
    pub fn parsed_copy(&self) -> ParsedFile {
        match (&self.body, &self.gap) {
            (None, None) => parse_text(self.source.path.clone(), self.source.text.clone()),
            (body, gap) => ParsedFile {
                source: SourceText::new(self.source.path.clone(), self.source.text.clone()),
                body: body.clone(),
                gap: gap.clone(),
            },
        }
    }
}

/// How long parsing one file may take. hcl-edit's parser backtracks, and malformed input
/// made that explode (223 bytes took 12 s): the vendored hcl-edit fixes the cases the
/// fuzzers found, and this budget stays as the guard against any other. Real files parse in
/// milliseconds.
const PARSE_BUDGET: Duration = Duration::from_secs(10);

/// Parses HCL text. hcl-edit rejects nesting deeper than 64 levels and operator chains
/// longer than 128 with a parse error, which bounds the recursion of everything that walks
/// the tree afterwards (the evaluator adds its own limit for chains of references).
pub(crate) fn parse_text(display: Arc<str>, text: String) -> ParsedFile {
    parse_text_within(display, text, PARSE_BUDGET, hcl_edit::parser::parse_body)
}

/// [`parse_text`] with the budget and the parse function given (tests stand in a parse
/// that never ends, to test the budget without depending on how fast a machine is).
fn parse_text_within(
    display: Arc<str>,
    text: String,
    budget: Duration,
    parse: ParseFn,
) -> ParsedFile {
    let source = SourceText::new(display, text);
    let Some(parsed) = parse_body_within(&source.text, budget, parse) else {
        let gap = FileGap {
            kind: "timeout",
            message: format!(
                "{}: parsing took longer than {} s (pathological syntax); not read",
                source.path,
                budget.as_secs_f32()
            ),
            origin: file_origin(&source.path),
        };
        return ParsedFile {
            source,
            body: None,
            gap: Some(gap),
        };
    };
    match parsed {
        Ok(body) => ParsedFile {
            source,
            body: Some(body),
            gap: None,
        },
        Err(e) => {
            let offset = e.location().offset();
            let message = e.message().split_whitespace().collect::<Vec<_>>().join(" ");
            let gap = FileGap {
                kind: "parse-error",
                message,
                origin: source.origin(offset..offset),
            };
            ParsedFile {
                source,
                body: None,
                gap: Some(gap),
            }
        }
    }
}

/// The outcome of one parse by hcl-edit.
type Parsed = Result<Body, hcl_edit::parser::Error>;

/// What parses a text: `hcl_edit::parser::parse_body`.
type ParseFn = fn(&str) -> Parsed;

/// Parses on another thread and gives up after `budget`: `None` then. A parse cannot be
/// interrupted, so an abandoned one runs on, detached, until it ends or the process does;
/// the scan goes on without the file meanwhile. `parse` is what a parser this thread
/// starts will run.
fn parse_body_within(text: &str, budget: Duration, parse: ParseFn) -> Option<Parsed> {
    thread_local! {
        /// This thread's parser, kept for its next file.
        static PARSER: RefCell<Option<Parser>> = const { RefCell::new(None) };
    }
    PARSER.with(|slot| {
        let mut slot = slot.borrow_mut();
        if slot.is_none() {
            *slot = Parser::spawn(parse);
        }
        let Some(parser) = slot.as_ref() else {
            // Without threads (a restricted environment), parse here, without a deadline.
            return Some(parse(text));
        };
        let parsed = parser.parse(text, budget);
        if parsed.is_none() {
            // Still busy with the pathological file (or gone): the next file gets a new one.
            *slot = None;
        }
        parsed
    })
}

/// A thread that parses one text after another, kept from file to file: spawning a thread
/// (with a [`super::STACK_SIZE`] stack) per file cost more than parsing a typical file, and
/// was most of what the `hcl` and `tfvars` fuzz targets spent their time on. Loading is
/// parallel, so each loading thread has a parser of its own.
struct Parser {
    texts: mpsc::Sender<String>,
    results: mpsc::Receiver<Parsed>,
}

impl Parser {
    /// `None` when no thread can be started.
    fn spawn(parse: ParseFn) -> Option<Parser> {
        let (texts, inbox) = mpsc::channel::<String>();
        let (outbox, results) = mpsc::channel();
        std::thread::Builder::new()
            .name("hcl-parse".into())
            .stack_size(super::STACK_SIZE)
            .spawn(move || {
                // Ends when its `Parser` is dropped: no more texts, or nobody to tell.
                while let Ok(text) = inbox.recv() {
                    if outbox.send(parse(&text)).is_err() {
                        break;
                    }
                }
            })
            .ok()?;
        Some(Parser { texts, results })
    }

    /// `None` when the parse takes longer than `budget` (or the thread is gone); this
    /// parser must not be used again then, its thread being still at work on `text`.
    fn parse(&self, text: &str, budget: Duration) -> Option<Parsed> {
        self.texts.send(text.to_owned()).ok()?;
        self.results.recv_timeout(budget).ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn span_of(origin: &Origin) -> (u32, u32, u32, u32) {
        let f = origin.file().expect("a file origin");
        (f.line, f.column, f.start, f.end)
    }

    #[test]
    fn line_and_column_count_characters_from_one() {
        let src = SourceText::new("a.tf".into(), "ab\n\u{e9}x = 1\n".into());
        // `x` is the second character but the fourth byte of line 2 (é is two bytes).
        assert_eq!(span_of(&src.origin(5..6)), (2, 2, 5, 6));
        assert_eq!(span_of(&src.origin(0..1)), (1, 1, 0, 1));
        assert_eq!(span_of(&src.origin(3..3)), (2, 1, 3, 3));
    }

    #[test]
    fn block_header_ends_at_the_opening_brace() {
        let text = "\nresource \"x\" \"{y\" {\n  a = 1\n}\n".to_string();
        let parsed = parse_text("m.tf".into(), text);
        let body = parsed.body.as_ref().expect("parses");
        let block = body.blocks().next().expect("a block");
        let (line, column, start, end) = span_of(&parsed.source.header_origin(block));
        assert_eq!((line, column), (2, 1));
        assert_eq!(
            &parsed.source.text[start as usize..end as usize],
            "resource \"x\" \"{y\" {"
        );
    }

    #[test]
    fn parse_error_is_a_gap_at_the_error_position() {
        let parsed = parse_text("bad.tf".into(), "a = 1\nb = \n".into());
        let gap = parsed.gap.expect("a gap");
        assert_eq!(gap.kind, "parse-error");
        assert!(!gap.message.contains('\n'));
        assert_eq!(span_of(&gap.origin).0, 2);
    }

    /// Found by the `tfvars` and `hcl` fuzz targets: malformed operator chains and unary
    /// operations inside brackets made hcl-edit redo its work at every level of nesting
    /// (12 s for the first input, over 10 minutes for the third; the last doubles with
    /// every `-a[3][`, 0.7 s at 20 levels). The vendored hcl-edit fixes both
    /// (vendor/hcl-edit/PATCHES.md): each is a parse error at its position, well within the
    /// budget. Closing the brackets did not help before, so that is tested too.
    #[test]
    fn malformed_operator_chains_are_a_parse_error_not_a_timeout() {
        let unclosed = concat!(
            "chd=i%thci%thc/raaa[i%thc/r[r[i%t/raaa[i%t%t/raaahc/raaa[i%thc/r[r[i%t/raaa[i%t%t/",
            "raaa[i%t/raaa[i%thc/r[i%thc/r[i%t/raaa[i%t/raaa[i%thc/r[i%t/raaa[i% a[i%t/raaa[i%",
            "thc/r[i%thc/r[i%t/raaa[i%t/raaa[i%thc/r[i%t/raaa[i% aa[r!a[d"
        );
        let closed = format!("{unclosed}{}", "]".repeat(unclosed.matches('[').count()));
        let block = format!(
            "module \"net\" {{\n  source = \"./m\"\n{}",
            "  version = ------------00356388592-------2222222--{\n".repeat(12)
        );
        // A unary operation before failing traversals: `-a[3][-a[3][…` (the `tfvars`
        // target's second find, reduced from 963 bytes that took over 10 s).
        // (No final newline: the operand missing at the very end is what fails softly.)
        let unary = format!("c = {}4*-", "-a[3][".repeat(30));
        for (text, line) in [
            (unclosed.to_string(), 1),
            (closed, 1),
            (block, 3),
            (unary, 1),
        ] {
            let parsed = parse_text_within(
                "slow.tf".into(),
                text.clone(),
                Duration::from_secs(8),
                hcl_edit::parser::parse_body,
            );
            let gap = parsed.gap.expect("a gap");
            assert_eq!(gap.kind, "parse-error", "{}: {text}", gap.message);
            assert_eq!(span_of(&gap.origin).0, line, "{text}");
        }
    }

    /// The budget still guards against whatever else might make the parser slow: a parse
    /// that has not answered in time is a `timeout` gap, and the next file gets a new parser
    /// (the old one's thread is still busy). The slow parse is one that never ends, so the
    /// test does not depend on how fast the machine is (a large file with a zero budget did:
    /// a fast parse could answer first).
    #[test]
    fn a_parse_past_its_budget_is_a_timeout_gap_and_the_next_file_parses() {
        fn never_ends(_: &str) -> Parsed {
            loop {
                std::thread::park();
            }
        }
        let parsed = parse_text_within(
            "slow.tf".into(),
            "a = 1\n".into(),
            Duration::from_millis(50),
            never_ends,
        );
        let gap = parsed.gap.expect("a gap");
        assert_eq!(gap.kind, "timeout");
        assert_eq!(
            gap.message,
            "slow.tf: parsing took longer than 0.05 s (pathological syntax); not read"
        );
        assert_eq!(span_of(&gap.origin), (1, 1, 0, 0));
        // The same thread's next file: its parser is stuck, so a new one parses it.
        let next = parse_text("next.tf".into(), "a = 1\n".into());
        assert!(next.body.is_some() && next.gap.is_none(), "{:?}", next.gap);
    }

    /// hcl-edit bounds nesting and operator chains, which bounds the recursion of
    /// everything that walks the tree afterwards; the vendored fix must keep both limits.
    #[test]
    fn operator_chains_and_nesting_past_the_parser_limits_are_parse_errors() {
        let chain = |n: usize| format!("a = 1{}\n", " + 1".repeat(n));
        assert!(parse_text("ok.tf".into(), chain(100)).body.is_some());
        let long = parse_text("long.tf".into(), chain(1_000));
        assert_eq!(long.gap.map(|g| g.kind), Some("parse-error"));
        let nested = |n: usize| format!("a = {}1{}\n", "[1 + ".repeat(n), "]".repeat(n));
        assert!(parse_text("ok.tf".into(), nested(30)).body.is_some());
        let deep = parse_text("deep.tf".into(), nested(200));
        assert_eq!(deep.gap.map(|g| g.kind), Some("parse-error"));
    }

    #[test]
    fn a_reused_parser_thread_gives_each_file_its_own_result() {
        for i in 0..50 {
            let text = if i % 2 == 0 {
                format!("a = {i}\n")
            } else {
                format!("a = {i}\nb = [\n")
            };
            let parsed = parse_text(format!("{i}.tf").into(), text);
            if i % 2 == 0 {
                let body = parsed.body.expect("a good file parses");
                let attr = body.attributes().next().expect("one attribute");
                assert_eq!(attr.value.to_string().trim(), i.to_string());
            } else {
                assert_eq!(parsed.gap.map(|g| g.kind), Some("parse-error"), "{i}");
            }
        }
    }

    #[test]
    fn deep_nesting_is_rejected_not_overflowed() {
        let deep = format!("a = {}1{}", "[".repeat(100_000), "]".repeat(100_000));
        let parsed = parse_text("deep.tf".into(), deep);
        assert_eq!(parsed.gap.map(|g| g.kind), Some("parse-error"));
    }
}
