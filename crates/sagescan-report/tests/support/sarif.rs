//! Validation of an emitted SARIF log, shared by the unit tests (hand-built fixtures) and the
//! integration test (a real scan): the official SARIF 2.1.0 schema, vendored next to this
//! file, and the constraints GitHub code scanning documents on top of it.

use serde_json::Value;

const SCHEMA: &str = include_str!("../schema/sarif-schema-2.1.0.json");

/// Every problem with `doc`, empty when it is valid SARIF that GitHub would accept.
pub fn problems(doc: &Value) -> Vec<String> {
    let schema: Value = serde_json::from_str(SCHEMA).expect("the vendored schema is JSON");
    let validator = jsonschema::options()
        .with_draft(jsonschema::Draft::Draft4)
        .should_validate_formats(true)
        .build(&schema)
        .expect("the vendored schema compiles");
    let mut out: Vec<String> = validator
        .iter_errors(doc)
        .map(|e| format!("schema: {} at {}", e, e.instance_path()))
        .collect();
    out.extend(github(doc));
    out
}

/// GitHub code scanning's documented constraints ("SARIF support for code scanning" and
/// "SARIF results exceed limits" in GitHub's docs):
/// - at most 20 runs per file, 25,000 results and 25,000 rules per run, 20 tags per rule,
///   1,000 locations per result;
/// - `tool.driver.name` is required; every result's `ruleId` names a rule in the driver;
/// - a result needs `message.text` and a location: `physicalLocation.artifactLocation.uri`
///   with `region.startLine` (GitHub rejects an upload whose result has no location);
/// - `properties.security-severity` is a *string* holding a number from 0.0 to 10.0;
/// - `help.text` is required when `help` is given (`help.markdown` is what GitHub shows);
/// - `partialFingerprints` lets GitHub match alerts across runs: sagescan always sets one.
fn github(doc: &Value) -> Vec<String> {
    let mut out = Vec::new();
    let runs = doc["runs"].as_array().cloned().unwrap_or_default();
    if runs.is_empty() || runs.len() > 20 {
        out.push(format!("{} runs (1 to 20 allowed)", runs.len()));
    }
    for run in &runs {
        let driver = &run["tool"]["driver"];
        if driver["name"].as_str().is_none_or(str::is_empty) {
            out.push("tool.driver.name is missing".into());
        }
        let rules = driver["rules"].as_array().cloned().unwrap_or_default();
        if rules.len() > 25_000 {
            out.push(format!("{} rules (25,000 allowed)", rules.len()));
        }
        for rule in &rules {
            let id = rule["id"].as_str().unwrap_or("?");
            let severity = rule["properties"]["security-severity"].as_str();
            match severity.map(str::parse::<f64>) {
                Some(Ok(v)) if (0.0..=10.0).contains(&v) => {}
                _ => out.push(format!("rule {id}: security-severity {severity:?}")),
            }
            if rule["help"]["text"].as_str().is_none_or(str::is_empty)
                || rule["help"]["markdown"].as_str().is_none_or(str::is_empty)
            {
                out.push(format!(
                    "rule {id}: help.text and help.markdown are required"
                ));
            }
            let tags = rule["properties"]["tags"].as_array().map_or(0, Vec::len);
            if tags > 20 {
                out.push(format!("rule {id}: {tags} tags (20 allowed)"));
            }
        }
        let results = run["results"].as_array().cloned().unwrap_or_default();
        if results.len() > 25_000 {
            out.push(format!("{} results (25,000 allowed)", results.len()));
        }
        for (i, r) in results.iter().enumerate() {
            let id = r["ruleId"].as_str().unwrap_or_default();
            if !rules.iter().any(|rule| rule["id"] == id) {
                out.push(format!("result {i}: ruleId {id:?} names no rule"));
            }
            if r["message"]["text"].as_str().is_none_or(str::is_empty) {
                out.push(format!("result {i}: no message.text"));
            }
            let loc = &r["locations"][0]["physicalLocation"];
            if loc["artifactLocation"]["uri"].as_str().is_none()
                || loc["region"]["startLine"].as_u64().is_none_or(|l| l < 1)
            {
                out.push(format!(
                    "result {i}: no physical location with a start line"
                ));
            }
            let n = r["locations"].as_array().map_or(0, Vec::len)
                + r["relatedLocations"].as_array().map_or(0, Vec::len);
            if n > 1_000 {
                out.push(format!("result {i}: {n} locations (1,000 allowed)"));
            }
            if r["partialFingerprints"]
                .as_object()
                .is_none_or(|m| m.is_empty())
            {
                out.push(format!("result {i}: no partialFingerprints"));
            }
        }
    }
    out
}
