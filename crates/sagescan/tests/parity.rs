//! One scenario, four sources: the bundled Terraform example, its `terraform show -json`
//! plan, and its CloudFormation twin in YAML and JSON must give the same findings. Checks
//! are written once against the model; this is what proves the loaders agree on it.

use std::path::Path;
use std::process::Command;

/// `(code, resource kind, status)` of every finding, sorted. Addresses differ by format
/// (`aws_sagemaker_domain.studio` vs `Domain`), what they are about must not.
fn findings(path: &str) -> Vec<(String, String, String)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let out = Command::new(env!("CARGO_BIN_EXE_sagescan"))
        .current_dir(&root)
        .args(["scan", path, "--format", "json", "--no-config"])
        .output()
        .expect("run sagescan");
    assert_eq!(
        out.status.code(),
        Some(1),
        "{path}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON report");
    assert_eq!(
        report["coverage_gaps"].as_array().map(Vec::len),
        Some(0),
        "{path}: {}",
        report["coverage_gaps"]
    );
    let mut v: Vec<_> = report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| {
            let s = |v: &serde_json::Value| v.as_str().unwrap_or_default().to_string();
            (s(&f["code"]), s(&f["resource"]["kind"]), s(&f["status"]))
        })
        .collect();
    v.sort();
    v
}

#[test]
fn terraform_plan_and_cloudformation_give_the_same_findings() {
    let hcl = findings("examples/studio");
    assert!(!hcl.is_empty());
    for other in [
        "crates/sagescan-load/tests/fixtures/parity/plan/studio.plan.json",
        "crates/sagescan-load/tests/fixtures/parity/cloudformation/studio.yaml",
        "crates/sagescan-load/tests/fixtures/parity/cloudformation/studio.json",
    ] {
        assert_eq!(
            findings(other),
            hcl,
            "{other} disagrees with examples/studio"
        );
    }
}
