//! The terminal report: findings grouped by resource, each rendered as a miette diagnostic
//! with a snippet of the source pointing at the attribute that decided, then one line per
//! suppressed finding (with the waiver's reason and where it is written), the waivers that
//! did not apply (expired, unused), the coverage gaps, and one summary line.
//!
//! Snippets come from the file texts the loader kept in the model, so rendering never reads
//! the disk. When there is no text (live resources, files not kept) or the span does not fit
//! the text, the finding falls back to a plain `file:line:column` line instead of failing.
//! Colour is the caller's decision (a TTY, `NO_COLOR`); the output is otherwise identical.

use crate::{Emitter, Report};
use miette::{
    Diagnostic, GraphicalReportHandler, GraphicalTheme, LabeledSpan, MietteError,
    MietteSpanContents, SourceCode, SourceSpan, SpanContents,
};
use sagescan_checks::{Finding, Status, WaiverNotice};
use sagescan_model::{FileSpan, Model, Origin};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::{self, Write as _};
use std::io;

/// Emits the human-readable report.
#[derive(Clone, Copy, Debug)]
pub struct Text {
    /// ANSI colours (only when writing to a terminal that accepts them).
    pub color: bool,
    /// Column at which miette wraps messages; fixed so output does not depend on the terminal.
    pub width: usize,
    /// Print reachability findings' paths hop by hop (`scan --explain-paths`).
    pub explain_paths: bool,
}

impl Default for Text {
    fn default() -> Self {
        Text {
            color: false,
            width: 100,
            explain_paths: false,
        }
    }
}

impl Emitter for Text {
    fn emit(&self, report: &Report<'_>, out: &mut dyn io::Write) -> io::Result<()> {
        out.write_all(self.render(report).as_bytes())
    }
}

/// Groups findings by resource, ordered by where the resource is declared.
type GroupKey<'f> = (Option<(&'f str, u32, u32)>, u32, &'f str, &'f str);

impl Text {
    /// The whole report as a string (rendering into memory keeps the writer simple and lets
    /// miette's `fmt::Write` interface be used directly).
    pub fn render(&self, report: &Report<'_>) -> String {
        let theme = if self.color {
            GraphicalTheme::unicode()
        } else {
            GraphicalTheme::unicode_nocolor()
        };
        let handler = GraphicalReportHandler::new_themed(theme)
            .with_width(self.width)
            .with_links(false)
            .with_context_lines(1);

        let mut groups: BTreeMap<GroupKey<'_>, Vec<&Finding>> = BTreeMap::new();
        let (suppressed, shown): (Vec<&Finding>, Vec<&Finding>) = report
            .findings
            .iter()
            .partition(|f| f.status == Status::Suppressed);
        let (incomplete, shown): (Vec<&Finding>, Vec<&Finding>) =
            shown.into_iter().partition(|f| f.incomplete);
        for f in shown {
            let at = f
                .resource_origin
                .file()
                .map(|s| (&*s.file, s.line, s.column));
            let key = (
                at,
                f.resource.config,
                f.resource.kind,
                f.resource.address.as_str(),
            );
            groups.entry(key).or_default().push(f);
        }

        let mut s = String::new();
        for ((_, _, kind, address), findings) in &groups {
            let origin = &findings[0].resource_origin;
            let at = label(origin).map(|l| format!(" ({l})")).unwrap_or_default();
            let header = format!("{kind} {}{at}", clean(address));
            let _ = writeln!(s, "{}", self.bold(&header));
            for f in findings {
                self.finding(&handler, report.model, f, &mut s);
            }
        }

        if !incomplete.is_empty() {
            let _ = writeln!(s, "{}", self.bold("inconclusive because of coverage gaps"));
            incomplete_findings(report, &incomplete, &mut s);
            s.push('\n');
        }

        if !suppressed.is_empty() {
            let _ = writeln!(s, "{}", self.bold("suppressed (waived)"));
            for f in suppressed {
                let at = label(&f.location)
                    .map(|l| format!(" ({l})"))
                    .unwrap_or_default();
                let (reason, by) = f
                    .suppression
                    .as_ref()
                    .map_or(("", None), |w| (w.reason.as_str(), short_label(&w.source)));
                let by = by.map(|l| format!(" [waiver {l}]")).unwrap_or_default();
                let _ = writeln!(
                    s,
                    "  {} {}{at}: {}{by}",
                    f.code,
                    clean(&f.resource.address),
                    clean(reason)
                );
            }
            s.push('\n');
        }

        for (title, notices) in [
            ("expired waivers (not applied)", &report.waivers.expired),
            (
                "unused waivers (matched no finding)",
                &report.waivers.unused,
            ),
        ] {
            if notices.is_empty() {
                continue;
            }
            let _ = writeln!(s, "{}", self.bold(title));
            for w in notices {
                notice(w, &mut s);
            }
            s.push('\n');
        }

        if !report.gaps.is_empty() {
            let _ = writeln!(s, "{}", self.bold("coverage gaps (not scanned)"));
            for g in &report.gaps {
                let at = label(&g.origin)
                    .map(|l| format!("{l}: "))
                    .unwrap_or_default();
                let config = report
                    .gap_configuration(g)
                    .map(|c| format!(" [configuration {}]", clean(c)))
                    .unwrap_or_default();
                let _ = writeln!(s, "  {at}{}: {}{config}", clean(&g.kind), clean(&g.message));
            }
            s.push('\n');
        }

        s.push_str(&summary_line(report));
        s.push('\n');
        s
    }

    fn finding(
        &self,
        handler: &GraphicalReportHandler,
        model: &Model,
        f: &Finding,
        s: &mut String,
    ) {
        let snippet = f.location.file().and_then(|span| Snippet::new(model, span));
        let plain_location = match (&snippet, &f.location) {
            (Some(_), _) => None,
            (None, Origin::None) => Some("location unknown".to_string()),
            (None, origin) => label(origin).map(|l| format!("at {l}")),
        };
        let mut header = format!(
            "{} {} ({}, {})",
            f.code,
            f.name,
            f.severity,
            status_word(f.status)
        );
        if let Some(at) = plain_location {
            let _ = write!(header, " {at}");
        }
        let diagnostic = FindingDiagnostic {
            header,
            message: clean(&f.message),
            severity: match f.status {
                Status::Fail => miette::Severity::Error,
                Status::Inconclusive => miette::Severity::Warning,
                Status::Suppressed => miette::Severity::Advice,
            },
            help: help(f),
            label: snippet.as_ref().map(|sn| {
                LabeledSpan::new_primary_with_span(Some(status_word(f.status).to_string()), sn.span)
            }),
            snippet,
        };
        let mut rendered = String::new();
        if handler.render_report(&mut rendered, &diagnostic).is_err() {
            // miette fails only on a span it cannot read, which `Snippet::new` rules out;
            // should it happen anyway, the finding must still be shown.
            rendered = format!("  × {}\n", diagnostic.message);
        }
        s.push_str(&rendered);
        if self.explain_paths && !f.path.is_empty() {
            s.push_str(&crate::reach::hops(model, "  path:", &f.path, self.color));
        }
        s.push('\n');
    }

    fn bold(&self, text: &str) -> String {
        if self.color {
            format!("\u{1b}[1m{text}\u{1b}[0m")
        } else {
            text.to_string()
        }
    }
}

/// The remediation, and the fix `sagescan fix` would apply (or only suggest) for it.
fn help(f: &Finding) -> String {
    let remediation = clean(f.remediation);
    match &f.fix {
        Some(fix) if f.status == Status::Fail => match fix.safety {
            sagescan_checks::Safety::Safe => {
                format!("{remediation}\nfix: {} (`sagescan fix`)", fix.title)
            }
            sagescan_checks::Safety::Unsafe => format!(
                "{remediation}\nsuggested fix: {} (`sagescan fix --unsafe-fixes`)",
                fix.title
            ),
        },
        _ => remediation,
    }
}

fn status_word(status: Status) -> &'static str {
    match status {
        Status::Fail => "fail",
        Status::Inconclusive => "inconclusive",
        Status::Suppressed => "suppressed",
    }
}

/// `file:line`: a waiver is a whole line (entry or comment), the column adds nothing.
fn short_label(origin: &Origin) -> Option<String> {
    match origin.file() {
        Some(f) => Some(format!("{}:{}", clean(&f.file), f.line)),
        None => label(origin),
    }
}

/// `  sagescan.toml:12: SM111 aws_x.y (expired 2025-01-31): reason`
fn notice(w: &WaiverNotice, s: &mut String) {
    let at = short_label(&w.source)
        .map(|l| format!("{l}: "))
        .unwrap_or_default();
    let expires = w
        .expires
        .map(|d| format!(" (expires {d})"))
        .unwrap_or_default();
    let _ = writeln!(
        s,
        "  {at}{} {}{expires}: {}",
        clean(&w.code),
        clean(&w.resource),
        clean(&w.reason)
    );
}

/// Outcomes that are inconclusive only because a configuration could not be read whole
/// (they passed, or had nothing to judge, in what was read). Each would repeat the same
/// gap, which is listed with its location under the coverage gaps, so they are summarised
/// as one line per configuration naming the checks, instead of a snippet each.
fn incomplete_findings(report: &Report<'_>, findings: &[&Finding], s: &mut String) {
    let mut by_config: BTreeMap<u32, (usize, BTreeSet<&str>)> = BTreeMap::new();
    for f in findings {
        let entry = by_config.entry(f.resource.config).or_default();
        entry.0 += 1;
        entry.1.insert(f.code);
    }
    for (config, (count, codes)) in by_config {
        let name = report
            .model
            .configs
            .get(config as usize)
            .map_or("?", |c| c.name.as_str());
        let codes: Vec<&str> = codes.into_iter().collect();
        let _ = writeln!(
            s,
            "  configuration {}: {count} {} of {} {} passed or had nothing to judge in what was read ({})",
            clean(name),
            if count == 1 { "outcome" } else { "outcomes" },
            codes.len(),
            if codes.len() == 1 { "check" } else { "checks" },
            codes.join(", ")
        );
    }
}

/// `3 configurations, 41 resources, 20 checks: 5 failed (2 high, 3 medium), 1 inconclusive, 180 passed`
pub fn summary_line(report: &Report<'_>) -> String {
    let s = &report.summary;
    let mut line = format!(
        "{}, {}, {}: {} failed",
        plural(s.configurations, "configuration"),
        plural(s.resources, "resource"),
        plural(s.checks_run, "check"),
        s.failed
    );
    let by: Vec<String> = s
        .by_severity
        .nonzero()
        .iter()
        .map(|(sev, n)| format!("{n} {sev}"))
        .collect();
    if !by.is_empty() {
        let _ = write!(line, " ({})", by.join(", "));
    }
    let _ = write!(
        line,
        ", {} inconclusive, {} passed",
        s.inconclusive, s.passed
    );
    if s.suppressed > 0 {
        let _ = write!(line, ", {} suppressed", s.suppressed);
    }
    if !report.gaps.is_empty() {
        let _ = write!(line, ", {}", plural(report.gaps.len(), "coverage gap"));
    }
    line
}

fn plural(n: usize, word: &str) -> String {
    if n == 1 {
        format!("{n} {word}")
    } else {
        format!("{n} {word}s")
    }
}

/// [`crate::origin_label`] made safe for a terminal: file names come from the scanned
/// repository too.
fn label(origin: &Origin) -> Option<String> {
    crate::origin_label(origin).map(|l| clean(&l))
}

/// Shows every character that could forge or disguise terminal output (line breaks,
/// escape sequences, bidi overrides; see [`crate::escape::is_hazard`]) as its Rust escape,
/// so that text from a scanned file or a message can neither start a line of its own (a
/// fake summary in a CI log) nor move the cursor, recolour the terminal or reorder what the
/// reader sees, and is still shown. Every piece of untrusted text in a terminal report goes
/// through it; the report's own line breaks are added around it.
pub(crate) fn clean(text: &str) -> String {
    crate::escape::visible(text).into_owned()
}

/// A file's text and the span to label in it.
#[derive(Debug)]
struct Snippet<'m> {
    name: String,
    text: std::borrow::Cow<'m, str>,
    span: SourceSpan,
}

impl<'m> Snippet<'m> {
    /// `None` when the text was not kept or the span does not fit it (the file changed, or
    /// the origin is from another source), so that the caller falls back to `file:line`.
    fn new(model: &'m Model, span: &'m FileSpan) -> Option<Self> {
        let text = model.source_text(&span.file)?;
        let start = span.start as usize;
        let end = (span.end as usize).max(start);
        let covered = text.get(start..end)?;
        // A multi-line span (a whole resource, where a default applies) is labelled on its
        // first line only: the declaration line says where, the rest would bury the message.
        let len = covered.find('\n').unwrap_or(covered.len());
        Some(Snippet {
            name: clean(&span.file),
            text: neutralize(text),
            span: (start, len).into(),
        })
    }
}

/// The source text with every hazardous character (see [`crate::escape::is_hazard`]) but
/// tab, LF and the CR of a CRLF replaced by as many `?` as it has bytes: the lines quoted
/// under a finding must not carry a hostile file's escape sequences, bidi overrides or lone
/// carriage returns (which return the cursor and overwrite the quoted line) to the
/// terminal, and spans must still fit the text.
fn neutralize(text: &str) -> std::borrow::Cow<'_, str> {
    let bytes = text.as_bytes();
    let bad = |i: usize, c: char| {
        crate::escape::is_hazard(c)
            && !matches!(c, '\t' | '\n')
            && !(c == '\r' && bytes.get(i + 1) == Some(&b'\n'))
    };
    if !text.char_indices().any(|(i, c)| bad(i, c)) {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    for (i, c) in text.char_indices() {
        if bad(i, c) {
            out.extend(std::iter::repeat_n('?', c.len_utf8()));
        } else {
            out.push(c);
        }
    }
    std::borrow::Cow::Owned(out)
}

impl SourceCode for Snippet<'_> {
    fn read_span<'a>(
        &'a self,
        span: &SourceSpan,
        before: usize,
        after: usize,
    ) -> Result<Box<dyn SpanContents<'a> + 'a>, MietteError> {
        let inner = self.text.as_ref().read_span(span, before, after)?;
        Ok(Box::new(MietteSpanContents::new_named(
            self.name.clone(),
            inner.data(),
            *inner.span(),
            inner.line(),
            inner.column(),
            inner.line_count(),
        )))
    }
}

#[derive(Debug)]
struct FindingDiagnostic<'m> {
    header: String,
    message: String,
    severity: miette::Severity,
    help: String,
    label: Option<LabeledSpan>,
    snippet: Option<Snippet<'m>>,
}

impl fmt::Display for FindingDiagnostic<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for FindingDiagnostic<'_> {}

impl Diagnostic for FindingDiagnostic<'_> {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        Some(Box::new(&self.header))
    }

    fn severity(&self) -> Option<miette::Severity> {
        Some(self.severity)
    }

    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        Some(Box::new(&self.help))
    }

    fn source_code(&self) -> Option<&dyn SourceCode> {
        self.snippet.as_ref().map(|s| s as &dyn SourceCode)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        self.label
            .clone()
            .map(|l| Box::new(std::iter::once(l)) as Box<dyn Iterator<Item = _>>)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Tool;
    use crate::fixtures::sample;

    fn render(color: bool) -> String {
        let (model, run) = sample();
        let report = Report::new(
            Tool {
                name: "sagescan",
                version: "0.0.0-test",
            },
            &model,
            &run,
        );
        Text {
            color,
            ..Text::default()
        }
        .render(&report)
    }

    #[test]
    fn report_matches_snapshot() {
        insta::assert_snapshot!(render(false));
    }

    #[test]
    fn no_colour_unless_asked() {
        assert!(
            !render(false).contains('\u{1b}'),
            "plain output must not contain escapes"
        );
        assert!(
            render(true).contains("\u{1b}["),
            "coloured output must contain escapes"
        );
    }

    #[test]
    fn control_characters_in_messages_are_escaped() {
        let out = render(false);
        assert!(out.contains("\\u{1b}[31m"), "{out}");
        assert!(!out.contains('\u{7}'));
    }

    #[test]
    fn summary_counts_failures_by_severity() {
        let out = render(false);
        assert!(
            out.ends_with(
                "2 configurations, 2 resources, 5 checks: 3 failed (2 high, 1 medium), \
                 2 inconclusive, 7 passed, 1 coverage gap\n"
            ),
            "{out}"
        );
    }

    #[test]
    fn suppressed_findings_and_waiver_notices_come_after_the_others() {
        let (model, run, waivers) = crate::fixtures::waived();
        let report = Report::new(
            Tool {
                name: "sagescan",
                version: "t",
            },
            &model,
            &run,
        )
        .with_waivers(waivers);
        let out = Text::default().render(&report);
        assert!(
            !out.contains("SM111 notebook-direct-internet-access (high"),
            "a suppressed finding is not shown in full: {out}"
        );
        let tail = out
            .split_once("suppressed (waived)\n")
            .map(|(_, t)| t)
            .expect("a suppressed section");
        assert!(
            tail.starts_with(
                "  SM111 aws_sagemaker_notebook_instance.nb (infra/main.tf:4:3): \
                 lab notebook, \"no data\" [waiver sagescan.toml:12]\n"
            ),
            "{tail}"
        );
        assert!(out.contains(
            "expired waivers (not applied)\n  sagescan.toml:20: SM113 \
             aws_sagemaker_notebook_instance.* (expires 2024-12-31): migration pending\n"
        ));
        assert!(out.contains(
            "unused waivers (matched no finding)\n  sagescan.toml:26: SM115 \
             aws_sagemaker_notebook_instance.*: migration pending\n"
        ));
        assert!(
            out.ends_with("2 failed (1 high, 1 medium), 2 inconclusive, 7 passed, 1 suppressed, 1 coverage gap\n"),
            "{out}"
        );
    }

    #[test]
    fn span_that_does_not_fit_the_text_falls_back_to_file_line() {
        let (mut model, run) = sample();
        model.sources[0].text.truncate(10);
        let report = Report::new(
            Tool {
                name: "sagescan",
                version: "t",
            },
            &model,
            &run,
        );
        let out = Text::default().render(&report);
        assert!(out.contains("at infra/main.tf:4:3"), "{out}");
    }
}
