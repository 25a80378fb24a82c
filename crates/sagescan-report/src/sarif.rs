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
use sagescan_checks::fix::Safety;
use sagescan_checks::{CHECKS, Finding, Severity, Status, Suppression, WaiverNotice};
use sagescan_model::{FileSpan, Origin};
use sagescan_reach::Decision;
use serde::Serialize;
use serde_json::{Value, json};
use std::borrow::Cow;
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

// Results are the bulk of a large log, so they are typed structs serialized directly;
// building them as `serde_json::Value`s allocated a map key per field and made SARIF the
// slowest report. Rules and notifications are few and stay `json!` for readability.

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifResult<'a> {
    rule_id: &'a str,
    rule_index: usize,
    kind: &'static str,
    level: &'static str,
    message: Message<'a>,
    locations: [Location<'a>; 1],
    #[serde(skip_serializing_if = "Vec::is_empty")]
    related_locations: Vec<Related<'a>>,
    partial_fingerprints: Fingerprints,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    suppressions: Vec<SarifSuppression<'a>>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    fixes: Vec<SarifFix>,
    properties: ResultProperties<'a>,
}

/// A proposed fix: the one text replacement per file that it makes (§3.55).
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifFix {
    description: Message<'static>,
    artifact_changes: Vec<ArtifactChange>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ArtifactChange {
    artifact_location: Artifact,
    replacements: [Replacement; 1],
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Replacement {
    deleted_region: DeletedRegion,
    inserted_content: Content,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct DeletedRegion {
    start_line: usize,
    start_column: usize,
    end_line: usize,
    end_column: usize,
}

#[derive(Serialize)]
struct Content {
    text: String,
}

#[derive(Serialize)]
struct Message<'a> {
    text: Cow<'a, str>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Location<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    physical_location: Option<Physical>,
    logical_locations: [Logical<'a>; 1],
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Physical {
    artifact_location: Artifact,
    region: Region,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Artifact {
    uri: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    uri_base_id: Option<&'static str>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Region {
    start_line: u32,
    start_column: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    byte_offset: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    byte_length: Option<u32>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Logical<'a> {
    fully_qualified_name: &'a str,
    kind: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Related<'a> {
    id: usize,
    physical_location: Physical,
    message: Message<'a>,
}

#[derive(Serialize)]
struct Fingerprints {
    #[serde(rename = "sagescan/v1")]
    v1: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifSuppression<'a> {
    kind: &'static str,
    status: &'static str,
    justification: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    location: Option<PhysicalOnly>,
    #[serde(skip_serializing_if = "Option::is_none")]
    properties: Option<Expires<'a>>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PhysicalOnly {
    physical_location: Physical,
}

#[derive(Serialize)]
struct Expires<'a> {
    expires: &'a str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ResultProperties<'a> {
    status: Status,
    resource_kind: &'a str,
    configuration: Option<&'a str>,
}

fn artifact_location(file: &str) -> Artifact {
    // `scan .` names files `./main.tf`; the URI relative to the source root is `main.tf`.
    let mut file = file;
    while let Some(rest) = file.strip_prefix("./") {
        file = rest;
    }
    let uri = uri_path(file);
    if file.starts_with('/') {
        Artifact {
            uri: format!("file://{uri}"),
            uri_base_id: None,
        }
    } else {
        Artifact {
            uri,
            uri_base_id: Some(SRCROOT),
        }
    }
}

fn physical(f: &FileSpan) -> Physical {
    let has_span = f.end > f.start;
    Physical {
        artifact_location: artifact_location(&f.file),
        region: Region {
            start_line: f.line.max(1),
            start_column: f.column.max(1),
            byte_offset: has_span.then_some(f.start),
            byte_length: has_span.then(|| f.end - f.start),
        },
    }
}

/// The result's location: the deciding attribute, else where the resource is declared.
fn location(f: &Finding) -> Location<'_> {
    let file = f.location.file().or_else(|| f.resource_origin.file());
    Location {
        physical_location: file.map(physical),
        logical_locations: [Logical {
            fully_qualified_name: &f.resource.address,
            kind: "resource",
        }],
    }
}

fn related(f: &Finding) -> Vec<Related<'_>> {
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
            let text = format!(
                "hop {}: {} {} {mark}: {}",
                i + 1,
                h.kind,
                h.resource,
                h.rule
            );
            Some(Related {
                id: i + 1,
                physical_location: physical(span),
                message: Message { text: text.into() },
            })
        })
        .collect()
}

fn suppression(s: &Suppression) -> SarifSuppression<'_> {
    // An inline `sagescan:ignore` comment lives in the IaC file itself; a config waiver
    // lives in `sagescan.toml`, outside the analysed source.
    let in_source = s.source.file().is_some_and(|w| !w.file.ends_with(".toml"));
    SarifSuppression {
        kind: if in_source { "inSource" } else { "external" },
        status: "accepted",
        justification: &s.reason,
        location: s.source.file().map(|span| PhysicalOnly {
            physical_location: physical(span),
        }),
        properties: s.expires.as_deref().map(|expires| Expires { expires }),
    }
}

fn result<'a>(
    report: &Report<'a>,
    f: &'a Finding,
    index: &BTreeMap<&str, usize>,
) -> SarifResult<'a> {
    let inconclusive = f.status == Status::Inconclusive;
    SarifResult {
        rule_id: f.code,
        rule_index: index[f.code],
        kind: if inconclusive { "review" } else { "fail" },
        level: if inconclusive {
            "none"
        } else {
            level(f.severity)
        },
        message: Message {
            text: Cow::Borrowed(&f.message),
        },
        locations: [location(f)],
        related_locations: related(f),
        partial_fingerprints: Fingerprints {
            v1: f.fingerprint(report.model),
        },
        suppressions: f.suppression.iter().map(suppression).collect(),
        fixes: fixes(report, f),
        properties: ResultProperties {
            status: f.status,
            resource_kind: f.resource.kind,
            configuration: report
                .model
                .configs
                .get(f.resource.config as usize)
                .map(|c| c.name.as_str()),
        },
    }
}

/// A failed finding's safe fix, planned alone so that each file change is exactly its edit.
/// Fixes that need a decision (placeholders) are not proposed: a code-scanning UI would
/// offer to apply them as they are.
fn fixes(report: &Report<'_>, f: &Finding) -> Vec<SarifFix> {
    let Some(fix) = f.fix.as_ref().filter(|x| x.safety == Safety::Safe) else {
        return Vec::new();
    };
    if f.status != Status::Fail {
        return Vec::new();
    }
    // Only proposed, never written: the files the scan read beside the finding's own are
    // what the fix may read (a variable's default is in the same directory).
    let Some(file) = f.resource_origin.file() else {
        return Vec::new();
    };
    let dir = std::path::Path::new(&*file.file)
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(std::path::Path::new("."));
    let options = sagescan_fix::Options {
        roots: vec![dir.to_path_buf()],
        ..sagescan_fix::Options::default()
    };
    let plan = sagescan_fix::plan(report.model, std::slice::from_ref(f), &options);
    let artifact_changes: Vec<ArtifactChange> = plan
        .files
        .iter()
        .map(|change| {
            let r = change.replacement();
            ArtifactChange {
                artifact_location: artifact_location(&change.path),
                replacements: [Replacement {
                    deleted_region: DeletedRegion {
                        start_line: r.start_line,
                        start_column: r.start_column,
                        end_line: r.end_line,
                        end_column: r.end_column,
                    },
                    inserted_content: Content { text: r.inserted },
                }],
            }
        })
        .collect();
    if artifact_changes.is_empty() {
        return Vec::new();
    }
    vec![SarifFix {
        description: Message {
            text: Cow::Borrowed(fix.title),
        },
        artifact_changes,
    }]
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

#[derive(Serialize)]
struct Log<'a> {
    #[serde(rename = "$schema")]
    schema: &'static str,
    version: &'static str,
    runs: [Run<'a>; 1],
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Run<'a> {
    tool: Value,
    invocations: Value,
    original_uri_base_ids: Value,
    column_kind: &'static str,
    results: Vec<SarifResult<'a>>,
}

impl Emitter for Sarif {
    fn emit(&self, report: &Report<'_>, out: &mut dyn io::Write) -> io::Result<()> {
        let rules = rules(report.findings);
        let index: BTreeMap<&str, usize> =
            rules.iter().enumerate().map(|(i, r)| (r.id, i)).collect();
        let results: Vec<SarifResult<'_>> = report
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
        let run = Run {
            tool: json!({"driver": {
                "name": report.tool.name,
                "version": report.tool.version,
                "semanticVersion": report.tool.version,
                "informationUri": "https://github.com/sagescan/sagescan",
                "rules": rules.iter().map(rule_json).collect::<Vec<_>>(),
            }}),
            invocations: json!([{
                "executionSuccessful": true,
                "toolExecutionNotifications": gaps,
                "toolConfigurationNotifications": waivers,
            }]),
            original_uri_base_ids: json!({SRCROOT: {"description": {
                "text": "The directory sagescan was run from; relative paths are as given on its command line"
            }}}),
            column_kind: "unicodeCodePoints",
            results,
        };
        let doc = Log {
            schema: SCHEMA_URI,
            version: "2.1.0",
            runs: [run],
        };
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

    use crate::fixtures::{TOOL, emit, hostile, sample, waived};

    fn render(model: &sagescan_model::Model, run: &sagescan_checks::CheckRun) -> Value {
        serde_json::from_str(&emit(&Sarif, &Report::new(TOOL, model, run))).expect("SARIF is JSON")
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
    fn results_match_snapshot() {
        // The rules are the registry's pages (covered below); the results are this file's.
        let (model, run, waivers) = waived();
        let mut out = Vec::new();
        Sarif
            .emit(
                &Report::new(TOOL, &model, &run).with_waivers(waivers),
                &mut out,
            )
            .expect("writing to a Vec");
        let mut doc: Value = serde_json::from_slice(&out).expect("JSON");
        doc["runs"][0]["tool"]["driver"]["rules"] = json!("(the registry)");
        insta::assert_json_snapshot!(doc);
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
        let json = |file| serde_json::to_value(artifact_location(file)).expect("serializes");
        assert_eq!(
            json("/srv/my infra/main.tf"),
            json!({"uri": "file:///srv/my%20infra/main.tf"})
        );
        assert_eq!(
            json("infra\\é.tf"),
            json!({"uri": "infra/%C3%A9.tf", "uriBaseId": "%SRCROOT%"})
        );
    }
}
