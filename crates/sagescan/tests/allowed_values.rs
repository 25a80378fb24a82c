//! A CloudFormation parameter without a value but with `AllowedValues` decides a check when
//! every allowed value agrees (issue 5), end to end through the binary: the fixtures are in
//! sagescan-load's tests/fixtures/cloudformation/allowed.

use std::path::Path;
use std::process::Command;

/// `(code, file, status, message)` of every SM101 and SM111 finding of the fixture directory.
fn findings() -> Vec<(String, String, String, String)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../sagescan-load/tests/fixtures/cloudformation/allowed");
    let out = Command::new(env!("CARGO_BIN_EXE_sagescan"))
        // Scans are recorded: into the build's scratch directory, never the user's.
        .env(
            "SAGESCAN_STORE",
            Path::new(env!("CARGO_TARGET_TMPDIR")).join("history-allowed_values.sqlite3"),
        )
        .current_dir(dir)
        .args(["scan", ".", "--format", "json", "--no-config"])
        .output()
        .expect("the sagescan binary runs");
    let report: serde_json::Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stderr)));
    assert_eq!(report["coverage_gaps"], serde_json::json!([]));
    assert_eq!(report["summary"]["configurations"], 3);
    let text = |v: &serde_json::Value| v.as_str().unwrap_or_default().to_string();
    report["findings"]
        .as_array()
        .expect("findings is a list")
        .iter()
        .filter(|f| ["SM101", "SM111"].contains(&f["code"].as_str().unwrap_or_default()))
        .map(|f| {
            (
                text(&f["code"]),
                text(&f["resource"]["file"]),
                text(&f["status"]),
                text(&f["message"]),
            )
        })
        .collect()
}

#[test]
fn allowed_values_decide_when_they_all_agree() {
    let found = findings();
    let of = |file: &str| -> Vec<_> { found.iter().filter(|f| f.1 == file).collect() };
    // Only VpcOnly is allowed: SM101 passes, so there is no finding.
    assert_eq!(of("./domain-vpc-only.yaml"), Vec::<&(_, _, _, _)>::new());
    // PublicInternetOnly is allowed too: it cannot be told, and the message says which fails.
    let [(code, _, status, message)] = of("./domain-either.yaml")[..] else {
        panic!("one finding expected: {found:?}")
    };
    assert_eq!((code.as_str(), status.as_str()), ("SM101", "inconclusive"));
    assert!(
        message.ends_with("it fails if AppNetworkAccessType is PublicInternetOnly"),
        "{message}"
    );
    // Only Enabled is allowed and there is no default: SM111 fails outright.
    let [(code, _, status, message)] = of("./notebook-enabled.yaml")[..] else {
        panic!("one finding expected: {found:?}")
    };
    assert_eq!((code.as_str(), status.as_str()), ("SM111", "fail"));
    assert_eq!(
        message,
        "notebook instance has direct internet access Enabled (for every allowed value: Enabled)"
    );
}
