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
//! The document is built with quick-junit (nextest's serializer), which escapes text and
//! drops characters XML 1.0 cannot carry. It has no timestamps, so output is deterministic.

use crate::{Emitter, Report, origin_label};
use quick_junit::{NonSuccessKind, Property, TestCase, TestCaseStatus, TestSuite};
use sagescan_checks::{Finding, Status};
use std::collections::BTreeMap;
use std::io;

/// Emits a JUnit XML report.
#[derive(Clone, Copy, Debug, Default)]
pub struct Junit;

fn case(report: &Report<'_>, f: &Finding) -> TestCase {
    let at = origin_label(&f.location).unwrap_or_else(|| "no file location".into());
    let status = match f.status {
        Status::Fail => {
            let mut s = TestCaseStatus::non_success(NonSuccessKind::Failure);
            s.set_message(f.message.as_str())
                .set_type(f.severity.as_str())
                .set_description(format!(
                    "{at}\n{}\nremediation: {}",
                    f.message, f.remediation
                ));
            s
        }
        Status::Inconclusive => {
            let mut s = TestCaseStatus::skipped();
            s.set_message(format!("inconclusive: {}", f.message))
                .set_description(at);
            s
        }
        Status::Suppressed => {
            let mut s = TestCaseStatus::skipped();
            let reason = f.suppression.as_ref().map_or("", |w| w.reason.as_str());
            s.set_message(format!("waived: {reason}"))
                .set_description(format!("{at}\n{}", f.message));
            s
        }
    };
    let mut case = TestCase::new(f.resource.address.as_str(), status);
    let config = report
        .model
        .configs
        .get(f.resource.config as usize)
        .map_or("", |c| c.name.as_str());
    case.set_classname(format!("{config}.{}", f.code));
    case
}

impl Emitter for Junit {
    fn emit(&self, report: &Report<'_>, out: &mut dyn io::Write) -> io::Result<()> {
        let mut by_check: BTreeMap<(&str, &str), Vec<&Finding>> = BTreeMap::new();
        for f in report.findings {
            by_check.entry((f.code, f.name)).or_default().push(f);
        }
        let mut junit = quick_junit::Report::new(report.tool.name);
        for ((code, name), findings) in by_check {
            let mut suite = TestSuite::new(format!("{code} {name}"));
            suite.add_test_cases(findings.into_iter().map(|f| case(report, f)));
            junit.add_test_suite(suite);
        }
        let mut coverage = TestSuite::new("coverage");
        coverage.add_property(Property::new("passed", report.summary.passed.to_string()));
        coverage.add_property(Property::new(
            "checks_run",
            report.summary.checks_run.to_string(),
        ));
        for g in &report.gaps {
            let mut status = TestCaseStatus::non_success(NonSuccessKind::Error);
            status
                .set_message(g.message.as_str())
                .set_type(g.kind.as_str());
            let name = origin_label(&g.origin).unwrap_or_else(|| g.kind.clone());
            let mut case = TestCase::new(name, status);
            case.set_classname(report.gap_configuration(g).unwrap_or("input"));
            coverage.add_test_case(case);
        }
        junit.add_test_suite(coverage);
        junit.serialize(&mut *out).map_err(io::Error::other)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Tool;
    use crate::fixtures::{hostile, sample, waived};

    const TOOL: Tool<'static> = Tool {
        name: "sagescan",
        version: "0.0.0-test",
    };

    fn render(report: &Report<'_>) -> String {
        let mut out = Vec::new();
        Junit.emit(report, &mut out).expect("writing to a Vec");
        String::from_utf8(out).expect("UTF-8")
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
        // Control characters from the message cannot reach the XML.
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
