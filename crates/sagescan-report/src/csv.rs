//! CSV, one row per finding, for spreadsheets and ad-hoc filtering.
//!
//! RFC 4180: CRLF line ends, a field is quoted when it holds a comma, quote or line break,
//! and quotes are doubled. No user text holds a line break, though: it is written `\n`
//! (see [`text`]), so every record is one line. Every field a user controls can also be a formula: a spreadsheet
//! runs a cell that starts with `=`, `+`, `-`, `@`, a tab or a carriage return (OWASP's "CSV
//! injection"), so such a cell is prefixed with `'`, which spreadsheets show as text.
//! Numbers the tool writes itself (line, column) are never prefixed.

use crate::{Emitter, Report};
use sagescan_checks::Finding;
use std::io;

/// Emits the CSV report.
#[derive(Clone, Copy, Debug, Default)]
pub struct Csv;

const HEADER: [&str; 14] = [
    "code",
    "name",
    "severity",
    "status",
    "configuration",
    "resource_kind",
    "resource",
    "file",
    "line",
    "column",
    "message",
    "remediation",
    "waiver_reason",
    "fingerprint",
];

/// The one escaping for CSV, for every text cell: line breaks, tabs, other control
/// characters, bidi overrides and the other hazards written visibly as `\n`, `\u{1b}`,
/// `\u{202e}`… ([`crate::escape`]), so a cell can neither forge a line where the file is
/// printed (a CI log) nor carry an escape sequence to a terminal, nor reorder what a
/// spreadsheet shows; then neutralised if a spreadsheet would read the cell as a formula;
/// then quoted.
fn text(s: &str) -> String {
    let cell = crate::escape::visible(s);
    let cell = if cell.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{cell}")
    } else {
        cell.into_owned()
    };
    quoted(&cell)
}

fn quoted(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

fn row(report: &Report<'_>, f: &Finding) -> Vec<String> {
    let config = report
        .model
        .configs
        .get(f.resource.config as usize)
        .map_or("", |c| c.name.as_str());
    let at = f.location.file();
    let status = match f.status {
        sagescan_checks::Status::Fail => "fail",
        sagescan_checks::Status::Inconclusive => "inconclusive",
        sagescan_checks::Status::Suppressed => "suppressed",
    };
    vec![
        text(f.code),
        text(f.name),
        text(f.severity.as_str()),
        text(status),
        text(config),
        text(f.resource.kind),
        text(&f.resource.address),
        text(at.map_or("", |s| &*s.file)),
        at.map_or(String::new(), |s| s.line.to_string()),
        at.map_or(String::new(), |s| s.column.to_string()),
        text(&f.message),
        text(f.remediation),
        text(f.suppression.as_ref().map_or("", |w| w.reason.as_str())),
        text(&f.fingerprint(report.model)),
    ]
}

impl Emitter for Csv {
    fn emit(&self, report: &Report<'_>, out: &mut dyn io::Write) -> io::Result<()> {
        let mut s = HEADER.join(",");
        s.push_str("\r\n");
        for f in report.findings {
            s.push_str(&row(report, f).join(","));
            s.push_str("\r\n");
        }
        out.write_all(s.as_bytes())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixtures::{TOOL, emit, hostile, sample};

    fn render(model: &sagescan_model::Model, run: &sagescan_checks::CheckRun) -> String {
        emit(&Csv, &Report::new(TOOL, model, run))
    }

    #[test]
    fn report_matches_snapshot() {
        let (model, run) = sample();
        insta::assert_snapshot!(render(&model, &run));
    }

    #[test]
    fn formulas_are_neutralised_and_quotes_doubled() {
        let (model, run) = hostile();
        let csv = render(&model, &run);
        let rows: Vec<&str> = csv.split("\r\n").collect();
        assert_eq!(rows.len(), 4, "header, two findings, final empty: {csv:?}");
        assert!(
            rows[1].contains(
                r#","'=cmd|' /C calc'!A0 reaches the internet | through <igw> & ""nat""","#
            ),
            "{}",
            rows[1]
        );
        assert!(
            rows[1].contains(r#","in""f&r<a>/main.tf",2,3,"#),
            "{}",
            rows[1]
        );
        assert!(
            rows[2].contains(",\"'+SUM(1,2) @x -y\\tcannot tell RootAccess | unknown\","),
            "{}",
            rows[2]
        );
    }

    #[test]
    fn quoting_follows_rfc_4180() {
        assert_eq!(text("plain"), "plain");
        assert_eq!(text("a,b"), "\"a,b\"");
        assert_eq!(text("say \"hi\"\nbye"), "\"say \"\"hi\"\"\\nbye\"");
        assert_eq!(text("-1"), "'-1");
        assert_eq!(text("=1,2"), "\"'=1,2\"");
    }
}
