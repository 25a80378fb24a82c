//! The JSON report: a stable, schema-versioned document for machines.
//!
//! The document is built from serde structs rather than by hand so that escaping is correct
//! by construction. Its shape is a contract: adding a field is compatible, while renaming,
//! removing or changing the meaning of one requires bumping [`SCHEMA_VERSION`].
//! Paths are exactly as the origins carry them, i.e. as the user named them on the command
//! line (relative stays relative), so that a report is comparable across machines.

use crate::{Emitter, Report, Summary, Tool};
use sagescan_checks::{Finding, Severity, Status, Suppression, WaiverNotice};
use sagescan_model::{CoverageGap, Origin};
use serde::Serialize;
use std::io;

/// Version of the JSON document's shape. A bump is a breaking change for consumers.
pub const SCHEMA_VERSION: u32 = 1;

/// Emits the JSON report, pretty-printed, followed by a newline.
#[derive(Clone, Copy, Debug, Default)]
pub struct Json;

#[derive(Serialize)]
struct Document<'a> {
    schema_version: u32,
    tool: Tool<'a>,
    findings: Vec<JsonFinding<'a>>,
    coverage_gaps: Vec<JsonGap<'a>>,
    /// Waivers that did not apply: past their expiry date, or matching no finding.
    waivers: JsonWaivers<'a>,
    summary: &'a Summary,
}

#[derive(Serialize)]
struct JsonWaivers<'a> {
    expired: Vec<JsonWaiver<'a>>,
    unused: Vec<JsonWaiver<'a>>,
}

#[derive(Serialize)]
struct JsonWaiver<'a> {
    code: &'a str,
    /// The config file's glob, or the address of the resource an inline comment is in.
    resource: &'a str,
    reason: &'a str,
    source: Option<Source<'a>>,
    expires: Option<String>,
}

/// Where a waiver is written: its `[[waivers]]` entry or its inline comment.
#[derive(Serialize)]
struct Source<'a> {
    file: &'a str,
    line: u32,
}

#[derive(Serialize)]
struct JsonSuppression<'a> {
    reason: &'a str,
    source: Option<Source<'a>>,
    expires: Option<&'a str>,
}

#[derive(Serialize)]
struct JsonFinding<'a> {
    code: &'a str,
    name: &'a str,
    severity: Severity,
    status: Status,
    /// The finding's identity across scans (check, configuration, resource): what
    /// `scan --baseline` and SARIF's `partialFingerprints` match on.
    fingerprint: String,
    resource: JsonResource<'a>,
    /// The attribute that decided; `null` when the origin is not a file (live resources).
    location: Option<Location<'a>>,
    message: &'a str,
    remediation: &'a str,
    /// Present when `status` is `suppressed`: the waiver that covers the finding.
    #[serde(skip_serializing_if = "Option::is_none")]
    suppression: Option<JsonSuppression<'a>>,
    /// Reachability findings: one labelled hop per control on the path.
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    path: &'a [sagescan_reach::Hop],
    /// What `sagescan fix` changes for this finding: an imperative title, `safe` or
    /// `unsafe` (needs a decision, applied only with `--unsafe-fixes`), and the edits.
    #[serde(skip_serializing_if = "Option::is_none")]
    fix: Option<&'a sagescan_checks::Fix>,
}

#[derive(Serialize)]
struct JsonResource<'a> {
    kind: &'a str,
    address: &'a str,
    /// The file that declares the resource; `null` when it is not from a file.
    file: Option<&'a str>,
}

#[derive(Serialize)]
struct JsonGap<'a> {
    /// The configuration left incomplete; `null` when the gap affects the whole input.
    configuration: Option<&'a str>,
    kind: &'a str,
    message: &'a str,
    location: Option<Location<'a>>,
}

#[derive(Serialize)]
struct Location<'a> {
    file: &'a str,
    line: u32,
    column: u32,
}

fn location(origin: &Origin) -> Option<Location<'_>> {
    origin.file().map(|f| Location {
        file: &f.file,
        line: f.line,
        column: f.column,
    })
}

fn source(origin: &Origin) -> Option<Source<'_>> {
    origin.file().map(|f| Source {
        file: &f.file,
        line: f.line,
    })
}

fn suppression(s: &Suppression) -> JsonSuppression<'_> {
    JsonSuppression {
        reason: &s.reason,
        source: source(&s.source),
        expires: s.expires.as_deref(),
    }
}

fn waiver(w: &WaiverNotice) -> JsonWaiver<'_> {
    JsonWaiver {
        code: &w.code,
        resource: &w.resource,
        reason: &w.reason,
        source: source(&w.source),
        expires: w.expires.map(|d| d.to_string()),
    }
}

fn finding<'a>(report: &Report<'a>, f: &'a Finding) -> JsonFinding<'a> {
    JsonFinding {
        code: f.code,
        name: f.name,
        severity: f.severity,
        status: f.status,
        fingerprint: f.fingerprint(report.model),
        resource: JsonResource {
            kind: f.resource.kind,
            address: &f.resource.address,
            file: f.resource_origin.file().map(|s| &*s.file),
        },
        location: location(&f.location),
        message: &f.message,
        remediation: f.remediation,
        suppression: f.suppression.as_ref().map(suppression),
        path: &f.path,
        fix: f.fix.as_ref(),
    }
}

fn gap<'a>(report: &Report<'a>, g: &'a CoverageGap) -> JsonGap<'a> {
    JsonGap {
        configuration: report.gap_configuration(g),
        kind: &g.kind,
        message: &g.message,
        location: location(&g.origin),
    }
}

impl Emitter for Json {
    fn emit(&self, report: &Report<'_>, out: &mut dyn io::Write) -> io::Result<()> {
        let doc = Document {
            schema_version: SCHEMA_VERSION,
            tool: report.tool,
            findings: report.findings.iter().map(|f| finding(report, f)).collect(),
            coverage_gaps: report.gaps.iter().map(|g| gap(report, g)).collect(),
            waivers: JsonWaivers {
                expired: report.waivers.expired.iter().map(waiver).collect(),
                unused: report.waivers.unused.iter().map(waiver).collect(),
            },
            summary: &report.summary,
        };
        serde_json::to_writer_pretty(&mut *out, &doc)?;
        out.write_all(b"\n")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixtures::{TOOL, emit, sample};

    fn render() -> String {
        let (model, run) = sample();
        emit(&Json, &Report::new(TOOL, &model, &run))
    }

    #[test]
    fn document_matches_snapshot() {
        insta::assert_snapshot!(render());
    }

    #[test]
    fn output_parses_back_and_messages_round_trip() {
        let (model, run) = sample();
        let doc: serde_json::Value = serde_json::from_str(&render()).expect("valid JSON");
        assert_eq!(doc["schema_version"], SCHEMA_VERSION);
        let findings = doc["findings"].as_array().expect("findings array");
        assert_eq!(findings.len(), run.findings.len());
        for (json, f) in findings.iter().zip(&run.findings) {
            assert_eq!(
                json["message"].as_str(),
                Some(f.message.as_str()),
                "{}",
                f.code
            );
            // The identity baselines match on, exactly as the finding computes it.
            assert_eq!(json["fingerprint"], f.fingerprint(&model), "{}", f.code);
        }
        // The fixture's awkward message really has quotes, a newline and control chars.
        let awkward = &run.findings[1].message;
        assert!(awkward.contains('"') && awkward.contains('\n') && awkward.contains('\u{1b}'));
    }

    #[test]
    fn suppressed_findings_keep_their_waiver_and_notices_are_listed() {
        let (model, run, waivers) = crate::fixtures::waived();
        let mut out = Vec::new();
        let report = Report::new(TOOL, &model, &run).with_waivers(waivers);
        Json.emit(&report, &mut out).expect("writing to a Vec");
        let doc: serde_json::Value = serde_json::from_slice(&out).expect("valid JSON");
        let sm111 = doc["findings"]
            .as_array()
            .and_then(|a| a.iter().find(|f| f["code"] == "SM111"))
            .expect("a suppressed finding stays in the document");
        assert_eq!(sm111["status"], "suppressed");
        assert_eq!(
            sm111["suppression"],
            serde_json::json!({
                "reason": "lab notebook, \"no data\"",
                "source": {"file": "sagescan.toml", "line": 12},
                "expires": "2030-01-31"
            })
        );
        let sm113 = doc["findings"]
            .as_array()
            .and_then(|a| a.iter().find(|f| f["code"] == "SM113"))
            .expect("SM113");
        assert!(
            sm113.get("suppression").is_none(),
            "only suppressed findings carry one"
        );
        assert_eq!(doc["waivers"]["expired"][0]["code"], "SM113");
        assert_eq!(doc["waivers"]["expired"][0]["expires"], "2024-12-31");
        assert_eq!(doc["waivers"]["expired"][0]["source"]["line"], 20);
        assert_eq!(doc["waivers"]["unused"][0]["code"], "SM115");
        assert_eq!(
            doc["waivers"]["unused"][0]["expires"],
            serde_json::Value::Null
        );
        assert_eq!(doc["summary"]["suppressed"], 1);
        assert_eq!(doc["summary"]["failed"], 2);
        assert_eq!(doc["summary"]["by_severity"]["high"], 1);
    }

    #[test]
    fn locations_keep_relative_paths_and_lines() {
        let doc: serde_json::Value = serde_json::from_str(&render()).expect("valid JSON");
        let sm111 = doc["findings"]
            .as_array()
            .and_then(|a| a.iter().find(|f| f["code"] == "SM111"))
            .expect("SM111 finding");
        assert_eq!(sm111["location"]["file"], "infra/main.tf");
        assert_eq!(sm111["location"]["line"], 4);
        assert_eq!(sm111["location"]["column"], 3);
        assert_eq!(sm111["resource"]["file"], "infra/main.tf");
        let gap = &doc["coverage_gaps"][0];
        assert_eq!(gap["configuration"], "broken");
        assert_eq!(gap["location"]["line"], 3);
        assert_eq!(doc["summary"]["by_severity"]["high"], 2);
        assert_eq!(doc["summary"]["files"], 2);
    }
}
