//! SARIF 2.1.0, for GitHub code scanning and every other SARIF viewer.
//!
//! One run. Its rules are the whole check registry (so `ruleIndex` does not depend on what
//! failed), each with the knowledge-base page as `help` and the severity both as the default
//! `level` and as GitHub's numeric `security-severity`. A finding becomes a result at the
//! attribute that decided, with the resource as a logical location, one related location per
//! hop of a reachability path, `partialFingerprints` from [`Finding::fingerprint`] (stable
//! across runs: check, configuration, resource), and a suppression when a waiver covers it.
//! An inconclusive finding is a result of kind `review`: SARIF's word for "a person must
//! look", which also keeps it out of the failing results.
//! Coverage gaps are tool execution notifications and waivers that did not apply are
//! configuration notifications, so a SARIF consumer sees that the scan was incomplete.
//!
//! Relative paths stay relative to `%SRCROOT%` (GitHub resolves them against the repository
//! root); every path is percent-encoded into a valid URI reference.

use crate::{Emitter, Report};
use sagescan_checks::{CHECKS, Finding, Severity, Status, WaiverNotice};
use sagescan_model::{FileSpan, Origin};
use sagescan_reach::Decision;
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::io;

/// The published location of the schema the document follows.
pub const SCHEMA_URI: &str =
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json";

/// The `partialFingerprints` key. Versioned so a future change of the fingerprint's inputs
/// can use a new key instead of silently re-identifying every alert.
pub const FINGERPRINT_KEY: &str = "sagescan/v1";

const SRCROOT: &str = "%SRCROOT%";

/// Emits a SARIF 2.1.0 log, pretty-printed, followed by a newline.
#[derive(Clone, Copy, Debug, Default)]
pub struct Sarif;

/// SARIF's `level` for a failed finding of this severity.
fn level(s: Severity) -> &'static str {
    match s {
        Severity::Critical | Severity::High => "error",
        Severity::Medium => "warning",
        Severity::Low => "note",
    }
}

/// GitHub's `security-severity`: a number in 0.0–10.0, as a string, that GitHub buckets as
/// critical above 9.0, high from 7.0, medium from 4.0 and low below. Each value sits inside
/// its bucket so that GitHub shows the severity sagescan assigned.
fn security_severity(s: Severity) -> &'static str {
    match s {
        Severity::Critical => "9.5",
        Severity::High => "8.0",
        Severity::Medium => "5.5",
        Severity::Low => "3.0",
    }
}

/// One rule per check: (id, name, severity, summary, remediation, page).
struct Rule<'a> {
    id: &'a str,
    name: &'a str,
    severity: Severity,
    summary: &'a str,
    remediation: &'a str,
    page: String,
}

fn rules<'a>(findings: &'a [Finding]) -> Vec<Rule<'a>> {
    let mut rules: BTreeMap<&str, Rule<'a>> = CHECKS
        .iter()
        .map(|c| {
            let rule = Rule {
                id: c.code,
                name: c.name,
                severity: c.severity,
                summary: c.summary,
                remediation: c.remediation,
                page: c.page(),
            };
            (c.code, rule)
        })
        .collect();
    // A finding of a check the registry does not hold (a renamed code in a replayed run)
    // still needs a rule to point at.
    for f in findings {
        rules.entry(f.code).or_insert_with(|| Rule {
            id: f.code,
            name: f.name,
            severity: f.severity,
            summary: f.name,
            remediation: f.remediation,
            page: format!("{}\n", f.name),
        });
    }
    rules.into_values().collect()
}

fn rule_json(r: &Rule<'_>) -> Value {
    json!({
        "id": r.id,
        "name": r.name,
        "shortDescription": {"text": r.summary},
        "fullDescription": {"text": format!("{}. {}", r.summary, r.remediation)},
        "help": {"text": r.page, "markdown": r.page},
        "defaultConfiguration": {"level": level(r.severity)},
        "properties": {
            "security-severity": security_severity(r.severity),
            "problem.severity": r.severity.as_str(),
            "precision": "high",
            "tags": ["security", "sagemaker", "network"],
        },
    })
}

/// Percent-encodes a path into a URI reference: unreserved characters and `/` stay, `\`
/// becomes `/`, everything else (spaces, quotes, `&`, `<`, non-ASCII bytes) is escaped.
fn uri_path(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for &b in path.as_bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' | b'/' => {
                out.push(b as char)
            }
            b'\\' => out.push('/'),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

fn artifact_location(file: &str) -> Value {
    let uri = uri_path(file);
    if file.starts_with('/') {
        json!({"uri": format!("file://{uri}")})
    } else {
        json!({"uri": uri, "uriBaseId": SRCROOT})
    }
}

fn physical(f: &FileSpan) -> Value {
    let mut region = json!({
        "startLine": f.line.max(1),
        "startColumn": f.column.max(1),
    });
    if f.end > f.start {
        region["byteOffset"] = json!(f.start);
        region["byteLength"] = json!(f.end - f.start);
    }
    json!({"artifactLocation": artifact_location(&f.file), "region": region})
}

/// The result's location: the deciding attribute, else where the resource is declared.
fn locations(f: &Finding) -> Value {
    let logical = json!([{
        "fullyQualifiedName": f.resource.address,
        "kind": "resource",
    }]);
    let file = f.location.file().or_else(|| f.resource_origin.file());
    match file {
        Some(span) => json!([{"physicalLocation": physical(span), "logicalLocations": logical}]),
        None => json!([{"logicalLocations": logical}]),
    }
}

fn related(f: &Finding) -> Vec<Value> {
    f.path
        .iter()
        .enumerate()
        .filter_map(|(i, h)| {
            let span = h.origin.file()?;
            let mark = match h.decision {
                Decision::Allow => "allows",
                Decision::Block => "blocks",
                Decision::Unknown => "unknown",
            };
            Some(json!({
                "id": i + 1,
                "physicalLocation": physical(span),
                "message": {"text": format!("hop {}: {} {} {mark}: {}", i + 1, h.kind, h.resource, h.rule)},
            }))
        })
        .collect()
}

fn result(report: &Report<'_>, f: &Finding, index: &BTreeMap<&str, usize>) -> Value {
    let inconclusive = f.status == Status::Inconclusive;
    let mut r = json!({
        "ruleId": f.code,
        "ruleIndex": index[f.code],
        "kind": if inconclusive { "review" } else { "fail" },
        "level": if inconclusive { "none" } else { level(f.severity) },
        "message": {"text": f.message},
        "locations": locations(f),
        "partialFingerprints": {FINGERPRINT_KEY: f.fingerprint(report.model)},
        "properties": {
            "status": f.status,
            "resourceKind": f.resource.kind,
            "configuration": report
                .model
                .configs
                .get(f.resource.config as usize)
                .map(|c| c.name.as_str()),
        },
    });
    let hops = related(f);
    if !hops.is_empty() {
        r["relatedLocations"] = Value::Array(hops);
    }
    if let Some(s) = &f.suppression {
        // An inline `sagescan:ignore` comment lives in the IaC file itself; a config waiver
        // lives in `sagescan.toml`, outside the analysed source.
        let in_source = s.source.file().is_some_and(|w| !w.file.ends_with(".toml"));
        let mut sup = json!({
            "kind": if in_source { "inSource" } else { "external" },
            "status": "accepted",
            "justification": s.reason,
        });
        if let Some(span) = s.source.file() {
            sup["location"] = json!({"physicalLocation": physical(span)});
        }
        if let Some(expires) = &s.expires {
            sup["properties"] = json!({"expires": expires});
        }
        r["suppressions"] = json!([sup]);
    }
    r
}

fn notification(id: &str, level: &str, message: String, origin: &Origin) -> Value {
    let mut n = json!({
        "descriptor": {"id": id},
        "level": level,
        "message": {"text": message},
    });
    if let Some(span) = origin.file() {
        n["locations"] = json!([{"physicalLocation": physical(span)}]);
    }
    n
}

fn waiver_notification(id: &str, w: &WaiverNotice) -> Value {
    let expires = w
        .expires
        .map(|d| format!(", expired {d}"))
        .unwrap_or_default();
    let text = format!(
        "{} waiver for {} ({}{expires})",
        w.code, w.resource, w.reason
    );
    notification(id, "warning", text, &w.source)
}

impl Emitter for Sarif {
    fn emit(&self, report: &Report<'_>, out: &mut dyn io::Write) -> io::Result<()> {
        let rules = rules(report.findings);
        let index: BTreeMap<&str, usize> =
            rules.iter().enumerate().map(|(i, r)| (r.id, i)).collect();
        let results: Vec<Value> = report
            .findings
            .iter()
            .map(|f| result(report, f, &index))
            .collect();
        let gaps: Vec<Value> = report
            .gaps
            .iter()
            .map(|g| notification(&g.kind, "warning", g.message.clone(), &g.origin))
            .collect();
        let waivers: Vec<Value> = (report.waivers.expired.iter())
            .map(|w| waiver_notification("expired-waiver", w))
            .chain((report.waivers.unused.iter()).map(|w| waiver_notification("unused-waiver", w)))
            .collect();
        let doc = json!({
            "$schema": SCHEMA_URI,
            "version": "2.1.0",
            "runs": [{
                "tool": {"driver": {
                    "name": report.tool.name,
                    "version": report.tool.version,
                    "semanticVersion": report.tool.version,
                    "informationUri": "https://github.com/sagescan/sagescan",
                    "rules": rules.iter().map(rule_json).collect::<Vec<_>>(),
                }},
                "invocations": [{
                    "executionSuccessful": true,
                    "toolExecutionNotifications": gaps,
                    "toolConfigurationNotifications": waivers,
                }],
                "originalUriBaseIds": {SRCROOT: {"description": {
                    "text": "The directory sagescan was run from; relative paths are as given on its command line"
                }}},
                "columnKind": "unicodeCodePoints",
                "results": results,
            }],
        });
        serde_json::to_writer_pretty(&mut *out, &doc)?;
        out.write_all(b"\n")
    }
}

/// The schema and GitHub checks, shared with the integration test.
#[cfg(test)]
#[path = "../tests/support/sarif.rs"]
mod validate;

#[cfg(test)]
mod tests {
    use super::validate;
    use super::*;
    use crate::Tool;
    use crate::fixtures::{hostile, sample, waived};

    const TOOL: Tool<'static> = Tool {
        name: "sagescan",
        version: "0.0.0-test",
    };

    fn render(model: &sagescan_model::Model, run: &sagescan_checks::CheckRun) -> Value {
        let mut out = Vec::new();
        Sarif
            .emit(&Report::new(TOOL, model, run), &mut out)
            .expect("writing to a Vec");
        serde_json::from_slice(&out).expect("SARIF is JSON")
    }

    #[test]
    fn results_point_at_the_deciding_attribute_with_stable_fingerprints() {
        let (model, run) = sample();
        let doc = render(&model, &run);
        let results = doc["runs"][0]["results"].as_array().expect("results");
        assert_eq!(results.len(), run.findings.len());
        let sm111 = results
            .iter()
            .find(|r| r["ruleId"] == "SM111")
            .expect("SM111");
        let loc = &sm111["locations"][0]["physicalLocation"];
        assert_eq!(loc["artifactLocation"]["uri"], "infra/main.tf");
        assert_eq!(loc["artifactLocation"]["uriBaseId"], "%SRCROOT%");
        assert_eq!(loc["region"]["startLine"], 4);
        assert_eq!(sm111["level"], "error");
        assert_eq!(sm111["kind"], "fail");
        let f = run
            .findings
            .iter()
            .find(|f| f.code == "SM111")
            .expect("SM111");
        assert_eq!(
            sm111["partialFingerprints"][FINGERPRINT_KEY],
            f.fingerprint(&model)
        );
        let sm131 = results
            .iter()
            .find(|r| r["ruleId"] == "SM131")
            .expect("SM131");
        assert_eq!(
            (&sm131["kind"], &sm131["level"]),
            (&json!("review"), &json!("none"))
        );
        // The rule a result names is the rule at its index.
        let rules = doc["runs"][0]["tool"]["driver"]["rules"]
            .as_array()
            .expect("rules");
        for r in results {
            let i = r["ruleIndex"].as_u64().expect("index") as usize;
            assert_eq!(rules[i]["id"], r["ruleId"]);
        }
        let gap = &doc["runs"][0]["invocations"][0]["toolExecutionNotifications"][0];
        assert_eq!(gap["descriptor"]["id"], "parse-error");
    }

    #[test]
    fn rules_carry_the_knowledge_base_page_and_severity() {
        let (model, run) = sample();
        let doc = render(&model, &run);
        let rules = doc["runs"][0]["tool"]["driver"]["rules"]
            .as_array()
            .expect("rules");
        assert_eq!(rules.len(), CHECKS.len());
        let check = sagescan_checks::find("SM111").expect("SM111 in the registry");
        let rule = rules.iter().find(|r| r["id"] == "SM111").expect("rule");
        assert_eq!(rule["help"]["markdown"], check.page());
        assert_eq!(rule["properties"]["security-severity"], "8.0");
        assert_eq!(rule["defaultConfiguration"]["level"], "error");
    }

    #[test]
    fn waived_findings_are_suppressed_not_dropped() {
        let (model, run, waivers) = waived();
        let mut out = Vec::new();
        Sarif
            .emit(
                &Report::new(TOOL, &model, &run).with_waivers(waivers),
                &mut out,
            )
            .expect("writing to a Vec");
        let doc: Value = serde_json::from_slice(&out).expect("JSON");
        let sm111 = doc["runs"][0]["results"]
            .as_array()
            .and_then(|r| r.iter().find(|r| r["ruleId"] == "SM111"))
            .expect("suppressed SM111 stays a result");
        let s = &sm111["suppressions"][0];
        assert_eq!(s["kind"], "external");
        assert_eq!(s["status"], "accepted");
        assert_eq!(s["justification"], "lab notebook, \"no data\"");
        assert_eq!(s["location"]["physicalLocation"]["region"]["startLine"], 12);
        let notes = &doc["runs"][0]["invocations"][0]["toolConfigurationNotifications"];
        assert_eq!(notes[0]["descriptor"]["id"], "expired-waiver");
        assert_eq!(notes[1]["descriptor"]["id"], "unused-waiver");
    }

    #[test]
    fn hops_become_related_locations_and_paths_are_uri_encoded() {
        let (model, run) = hostile();
        let doc = render(&model, &run);
        let net = &doc["runs"][0]["results"][0];
        assert_eq!(net["ruleId"], "NET101");
        let uri = &net["locations"][0]["physicalLocation"]["artifactLocation"]["uri"];
        assert_eq!(uri, "in%22f%26r%3Ca%3E/main.tf");
        assert_eq!(
            net["locations"][0]["logicalLocations"][0]["fullyQualifiedName"],
            "aws_sagemaker_notebook_instance.<script>alert(1)</script>"
        );
        // The internet hop has no file; only the security group's hop is a location.
        let related = net["relatedLocations"].as_array().expect("related");
        assert_eq!(related.len(), 1);
        assert_eq!(related[0]["id"], 1);
        assert!(
            related[0]["message"]["text"]
                .as_str()
                .is_some_and(|t| t.starts_with("hop 1: security_group aws_security_group.<img"))
        );
    }

    #[test]
    fn every_fixture_validates_against_the_schema_and_github_constraints() {
        let (model, run, waivers) = waived();
        let mut out = Vec::new();
        Sarif
            .emit(
                &Report::new(TOOL, &model, &run).with_waivers(waivers),
                &mut out,
            )
            .expect("writing to a Vec");
        let waived: Value = serde_json::from_slice(&out).expect("JSON");
        let (model, run) = sample();
        let sample = render(&model, &run);
        let (model, run) = hostile();
        let hostile = render(&model, &run);
        for (name, doc) in [("sample", sample), ("waived", waived), ("hostile", hostile)] {
            assert_eq!(validate::problems(&doc), Vec::<String>::new(), "{name}");
        }
    }

    #[test]
    fn a_result_without_location_is_caught() {
        // The validator itself must be able to fail: strip a location and a fingerprint.
        let (model, run) = sample();
        let mut doc = render(&model, &run);
        let r = &mut doc["runs"][0]["results"][0];
        r["locations"] = json!([]);
        r["partialFingerprints"] = json!({});
        doc["runs"][0]["tool"]["driver"]["rules"][0]["properties"]["security-severity"] =
            json!(8.0);
        let problems = validate::problems(&doc);
        assert!(
            problems.iter().any(|p| p.contains("no physical location")),
            "{problems:?}"
        );
        assert!(
            problems
                .iter()
                .any(|p| p.contains("no partialFingerprints"))
        );
        assert!(problems.iter().any(|p| p.contains("security-severity")));
        doc["version"] = json!("2.0.0");
        assert!(
            validate::problems(&doc)
                .iter()
                .any(|p| p.starts_with("schema:"))
        );
    }

    #[test]
    fn absolute_and_windows_paths_become_valid_uris() {
        assert_eq!(
            artifact_location("/srv/my infra/main.tf"),
            json!({"uri": "file:///srv/my%20infra/main.tf"})
        );
        assert_eq!(artifact_location("infra\\é.tf")["uri"], "infra/%C3%A9.tf");
    }
}
