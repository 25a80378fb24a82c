//! JUnit XML, for CI systems that show test results (GitLab, Jenkins, Azure Pipelines).
//!
//! One test suite per check, one test case per (check, resource) that has a finding: a
//! failure for a failed finding (message, severity as the type, location and remediation
//! as the body), skipped for an inconclusive one (it did not pass, and says why) and for a
//! waived one (with the waiver's reason). Coverage gaps are errors in a `coverage` suite:
//! the scan could not read something, which no check result may hide.
//! Passing (check, resource) pairs are not listed one by one: the engine counts passes
//! without recording them, so their count is the `passed` property of the `coverage` suite.
//!
//! The document is written directly: it is a handful of elements, and quick-junit, which
//! was used first, strips ANSI escapes from every string with a terminal parser that cost
//! more than all the other reports together on a large scan. Text is escaped and the
//! characters XML 1.0 cannot carry are spelled out (see [`escape`]). No timestamps: output
//! is deterministic.

use crate::{Emitter, Report, origin_label};
use sagescan_checks::{Finding, Status};
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io;

#[derive(Clone, Copy, Debug, Default)]
pub struct Junit;

/// What a test case reports: `failure`, `skipped` or `error`, with its attributes and body.
struct Outcome {
    element: &'static str,
    message: String,
    kind: Option<String>,
    /// Lines of the element's text; each is escaped on its own (a line break inside one is
    /// user text, shown as `\n`), then they are joined with real line breaks.
    body: Vec<String>,
}

struct Case {
    name: String,
    classname: String,
    outcome: Outcome,
}

fn case(report: &Report<'_>, f: &Finding) -> Case {
    let at = origin_label(&f.location).unwrap_or_else(|| "no file location".into());
    let outcome = match f.status {
        Status::Fail => Outcome {
            element: "failure",
            message: f.message.clone(),
            kind: Some(f.severity.as_str().to_string()),
            body: vec![
                at,
                f.message.clone(),
                format!("remediation: {}", f.remediation),
            ],
        },
        Status::Inconclusive => Outcome {
            element: "skipped",
            message: format!("inconclusive: {}", f.message),
            kind: None,
            body: vec![at],
        },
        Status::Suppressed => {
            let reason = f.suppression.as_ref().map_or("", |w| w.reason.as_str());
            Outcome {
                element: "skipped",
                message: format!("waived: {reason}"),
                kind: None,
                body: vec![at, f.message.clone()],
            }
        }
    };
    let config = report
        .model
        .configs
        .get(f.resource.config as usize)
        .map_or("", |c| c.name.as_str());
    Case {
        name: f.resource.address.clone(),
        classname: format!("{config}.{}", f.code),
        outcome,
    }
}

struct Suite {
    name: String,
    properties: Vec<(&'static str, String)>,
    cases: Vec<Case>,
}

impl Suite {
    fn count(&self, element: &str) -> usize {
        self.cases
            .iter()
            .filter(|c| c.outcome.element == element)
            .count()
    }
}

impl Emitter for Junit {
    fn emit(&self, report: &Report<'_>, out: &mut dyn io::Write) -> io::Result<()> {
        let mut by_check: BTreeMap<(&str, &str), Vec<&Finding>> = BTreeMap::new();
        for f in report.findings {
            by_check.entry((f.code, f.name)).or_default().push(f);
        }
        let mut suites: Vec<Suite> = by_check
            .into_iter()
            .map(|((code, name), findings)| Suite {
                name: format!("{code} {name}"),
                properties: Vec::new(),
                cases: findings.into_iter().map(|f| case(report, f)).collect(),
            })
            .collect();
        suites.push(Suite {
            name: "coverage".into(),
            properties: vec![
                ("passed", report.summary.passed.to_string()),
                ("checks_run", report.summary.checks_run.to_string()),
            ],
            cases: report
                .gaps
                .iter()
                .map(|g| Case {
                    name: origin_label(&g.origin).unwrap_or_else(|| g.kind.clone()),
                    classname: report.gap_configuration(g).unwrap_or("input").to_string(),
                    outcome: Outcome {
                        element: "error",
                        message: g.message.clone(),
                        kind: Some(g.kind.clone()),
                        body: Vec::new(),
                    },
                })
                .collect(),
        });
        out.write_all(document(report.tool.name, &suites).as_bytes())
    }
}

fn document(name: &str, suites: &[Suite]) -> String {
    let total = |element: &str| suites.iter().map(|s| s.count(element)).sum::<usize>();
    let tests: usize = suites.iter().map(|s| s.cases.len()).sum();
    let mut x = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(
        x,
        "<testsuites name=\"{}\" tests=\"{tests}\" skipped=\"{}\" failures=\"{}\" errors=\"{}\">",
        escape(name),
        total("skipped"),
        total("failure"),
        total("error"),
    );
    for s in suites {
        let _ = writeln!(
            x,
            "    <testsuite name=\"{}\" tests=\"{}\" skipped=\"{}\" errors=\"{}\" failures=\"{}\">",
            escape(&s.name),
            s.cases.len(),
            s.count("skipped"),
            s.count("error"),
            s.count("failure"),
        );
        if !s.properties.is_empty() {
            x.push_str("        <properties>\n");
            for (k, v) in &s.properties {
                let _ = writeln!(
                    x,
                    "            <property name=\"{}\" value=\"{}\"/>",
                    escape(k),
                    escape(v)
                );
            }
            x.push_str("        </properties>\n");
        }
        for c in &s.cases {
            let o = &c.outcome;
            let _ = writeln!(
                x,
                "        <testcase name=\"{}\" classname=\"{}\">",
                escape(&c.name),
                escape(&c.classname)
            );
            let _ = write!(
                x,
                "            <{} message=\"{}\"",
                o.element,
                escape(&o.message)
            );
            if let Some(kind) = &o.kind {
                let _ = write!(x, " type=\"{}\"", escape(kind));
            }
            if o.body.is_empty() {
                x.push_str("/>\n");
            } else {
                let body: Vec<String> = o.body.iter().map(|l| escape(l)).collect();
                let _ = writeln!(x, ">{}</{}>", body.join("\n"), o.element);
            }
            x.push_str("        </testcase>\n");
        }
        x.push_str("    </testsuite>\n");
    }
    x.push_str("</testsuites>\n");
    x
}

/// The one escaping for JUnit, for attributes and element text alike: markup characters
/// as entities, and every character that XML 1.0 cannot carry (C0 controls, U+FFFE,
/// U+FFFF), that a parser would rewrite (a line break or tab in an attribute becomes a
/// space, a CR in text a line feed) or that would forge or disguise a CI log line (ESC, bidi
/// overrides) written out visibly as `\n`, `\u{fffe}`…, the way the terminal report shows
/// them ([`crate::escape`]). The output is always well-formed XML.
fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c if crate::escape::is_hazard(c) => crate::escape::push_visible(&mut out, c),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixtures::{TOOL, emit, hostile, sample, waived};

    fn render(report: &Report<'_>) -> String {
        emit(&Junit, report)
    }

    #[test]
    fn report_matches_snapshot() {
        let (model, run, waivers) = waived();
        insta::assert_snapshot!(render(
            &Report::new(TOOL, &model, &run).with_waivers(waivers)
        ));
    }

    #[test]
    fn one_case_per_check_and_resource_with_failures_counted() {
        let (model, run) = sample();
        let xml = render(&Report::new(TOOL, &model, &run));
        // Five findings (three failed, two inconclusive) and one coverage gap.
        assert!(
            xml.contains(
                r#"<testsuites name="sagescan" tests="6" skipped="2" failures="3" errors="1">"#
            ),
            "{xml}"
        );
        assert!(
            xml.contains(
                r#"<testsuite name="SM111 notebook-direct-internet-access" tests="1" skipped="0" errors="0" failures="1">"#
            ),
            "{xml}"
        );
        assert!(xml.contains(r#"<failure message="notebook instance has direct internet access Enabled" type="high">"#), "{xml}");
        // Control characters from the message reach the XML spelled out, never raw.
        assert!(!xml.contains('\u{1b}') && !xml.contains('\u{7}'));
    }

    #[test]
    fn hostile_names_are_escaped() {
        let (model, run) = hostile();
        let xml = render(&Report::new(TOOL, &model, &run));
        assert!(!xml.contains("<script>"), "{xml}");
        assert!(
            xml.contains("&lt;script&gt;alert(1)&lt;/script&gt;"),
            "{xml}"
        );
        assert!(
            xml.contains("in&quot;f&amp;r&lt;a&gt;/main.tf:2:3"),
            "{xml}"
        );
    }
}
