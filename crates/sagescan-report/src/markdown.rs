//! Markdown for pull-request comments: a verdict line, counts, a table of the findings
//! (most severe first) and the coverage gaps.
//!
//! User text (addresses, messages, paths) goes into table cells, so it must neither end a
//! cell (`|`), nor a row (line breaks), nor become markup or HTML: CommonMark lets any ASCII
//! punctuation be backslash-escaped, so the characters that could start markup are. It
//! must not notify anyone either: `@` (mentions) and `#` (issue references) go in code
//! spans, which GitHub never links. See [`cell`].
//! The table stops after [`MAX_ROWS`] rows: GitHub rejects comments over 65,536 characters.

use crate::{Emitter, Report, origin_label};
use sagescan_checks::{Finding, Status};
use std::fmt::Write as _;
use std::io;

/// Findings listed before the table is cut, leaving room under GitHub's comment limit.
pub const MAX_ROWS: usize = 150;

/// Emits the Markdown report.
#[derive(Clone, Copy, Debug, Default)]
pub struct Markdown;

/// The one escaping for Markdown: text safe inside a table cell or a list item. Markup
/// characters are backslash-escaped; `@` and `#` are each put in a code span of their own
/// (`` `@`org ``), because GitHub links mentions (`@org/team` would ping that team from the
/// bot's comment) and issue references in the rendered text, where a backslash escape is
/// already gone, but never inside code. Line breaks, control characters and bidi
/// overrides are written visibly as `\n`, `\u{202e}`… ([`crate::escape`]): a backslash before
/// a letter is literal in CommonMark, so they show as written and cannot end a row.
fn cell(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    // Whether `out` ends with the code span this function opened last: `@@` must be one
    // span, as two (`` `@``@` ``) would read as one span holding two backticks.
    let mut in_span = false;
    for c in s.chars() {
        let span = matches!(c, '@' | '#');
        match c {
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '&' | '|' | '~' | '!' => {
                out.push('\\');
                out.push(c);
            }
            '@' | '#' => {
                if in_span {
                    out.pop();
                } else {
                    out.push('`');
                }
                out.push(c);
                out.push('`');
            }
            c if crate::escape::is_hazard(c) => crate::escape::push_visible(&mut out, c),
            c => out.push(c),
        }
        in_span = span;
    }
    out
}

fn status(f: &Finding) -> &'static str {
    match f.status {
        Status::Fail => "fail",
        Status::Inconclusive => "inconclusive",
        Status::Suppressed => "waived",
    }
}

impl Emitter for Markdown {
    fn emit(&self, report: &Report<'_>, out: &mut dyn io::Write) -> io::Result<()> {
        let s = &report.summary;
        let mut md = String::new();
        let verdict = if s.failed > 0 {
            "❌ findings"
        } else if s.inconclusive > 0 || !report.gaps.is_empty() {
            "⚠️ nothing failed, but not everything could be decided"
        } else {
            "✅ no findings"
        };
        let _ = writeln!(
            md,
            "## {} {}: {verdict}\n",
            report.tool.name, report.tool.version
        );
        let severities: Vec<String> = s
            .by_severity
            .nonzero()
            .iter()
            .map(|(sev, n)| format!("{n} {sev}"))
            .collect();
        let by = if severities.is_empty() {
            String::new()
        } else {
            format!(" ({})", severities.join(", "))
        };
        let plural = |n: usize, what: &str| format!("{n} {what}{}", if n == 1 { "" } else { "s" });
        let _ = writeln!(
            md,
            "**{}** failed{by} · **{}** inconclusive · **{}** waived · **{}** passed · {} in {}\n",
            s.failed,
            s.inconclusive,
            s.suppressed,
            s.passed,
            plural(s.resources, "resource"),
            plural(s.configurations, "configuration")
        );
        let mut findings: Vec<&Finding> = report.findings.iter().collect();
        // Most severe first; the stable sort keeps the report's order within a severity.
        findings.sort_by_key(|f| (f.status, std::cmp::Reverse(f.severity)));
        if !findings.is_empty() {
            md.push_str("| Severity | Status | Check | Resource | Location | Message |\n");
            md.push_str("| --- | --- | --- | --- | --- | --- |\n");
            for f in findings.iter().take(MAX_ROWS) {
                let at = origin_label(&f.location).unwrap_or_default();
                let _ = writeln!(
                    md,
                    "| {} | {} | {} {} | {} | {} | {} |",
                    f.severity,
                    status(f),
                    f.code,
                    cell(f.name),
                    cell(&f.resource.address),
                    cell(&at),
                    cell(&f.message)
                );
            }
            if findings.len() > MAX_ROWS {
                let _ = writeln!(
                    md,
                    "\n… and {} more; see the full report.",
                    findings.len() - MAX_ROWS
                );
            }
            md.push('\n');
        }
        if !report.gaps.is_empty() {
            md.push_str("### Coverage gaps (not scanned)\n\n");
            for g in &report.gaps {
                let at = origin_label(&g.origin)
                    .map(|l| format!("{}: ", cell(&l)))
                    .unwrap_or_default();
                let _ = writeln!(md, "- {at}{} ({})", cell(&g.message), cell(&g.kind));
            }
            md.push('\n');
        }
        out.write_all(md.as_bytes())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixtures::{TOOL, emit, hostile, waived};

    fn render(report: &Report<'_>) -> String {
        emit(&Markdown, report)
    }

    #[test]
    fn report_matches_snapshot() {
        let (model, run, waivers) = waived();
        insta::assert_snapshot!(render(
            &Report::new(TOOL, &model, &run).with_waivers(waivers)
        ));
    }

    #[test]
    fn pipes_and_html_cannot_break_the_table() {
        let (model, run) = hostile();
        let md = render(&Report::new(TOOL, &model, &run));
        let rows: Vec<&str> = md.lines().filter(|l| l.starts_with("| ")).collect();
        assert_eq!(rows.len(), 4, "header, rule, two findings: {md}");
        for row in &rows {
            // Seven unescaped pipes: six cells.
            let bare = row.replace("\\|", "");
            assert_eq!(bare.matches('|').count(), 7, "{row}");
        }
        assert!(!md.contains("<script>"), "{md}");
        assert!(md.contains(r"aws\_sagemaker\_notebook\_instance.\<script\>alert(1)\</script\>"));
        assert!(md.contains(r#"in"f\&r\<a\>/main.tf:2:3"#), "{md}");
    }
}
