//! One scenario, four sources: Terraform HCL, its `terraform show -json` plan, and its
//! CloudFormation twin in YAML and JSON must give the same findings. Checks are written
//! once against the model; this is what proves the loaders agree on it. The scenarios: the
//! bundled `examples/studio`, and a notebook, model endpoint and Studio domain behind NAT
//! and AWS Network Firewall, once compliant and once with violations injected.

use std::path::Path;
use std::process::Command;

/// What a scan reports, reduced to what must not depend on the source format.
#[derive(Debug, PartialEq)]
struct Report {
    /// `(code, resource kind, status)` of every reported (non-passing) finding, sorted.
    /// Addresses differ by format (`aws_sagemaker_domain.studio` vs `Domain`), what they
    /// are about must not.
    findings: Vec<(String, String, String)>,
    /// How many outcomes passed; the report does not list them one by one.
    passed: u64,
    inconclusive: u64,
}

fn scan(path: &str) -> Report {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let out = Command::new(env!("CARGO_BIN_EXE_sagescan"))
        // Scans are recorded: into the build's scratch directory, never the user's.
        .env(
            "SAGESCAN_STORE",
            Path::new(env!("CARGO_TARGET_TMPDIR")).join("history-parity.sqlite3"),
        )
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
    let mut findings: Vec<_> = report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| {
            let s = |v: &serde_json::Value| v.as_str().unwrap_or_default().to_string();
            (s(&f["code"]), s(&f["resource"]["kind"]), s(&f["status"]))
        })
        .collect();
    findings.sort();
    let count = |k: &str| report["summary"][k].as_u64().expect("summary count");
    Report {
        findings,
        passed: count("passed"),
        inconclusive: count("inconclusive"),
    }
}

/// The parity scenarios: one directory or file per source, in the order HCL, plan JSON,
/// CloudFormation YAML, CloudFormation JSON.
const FIREWALL: &str = "crates/sagescan-load/tests/fixtures/parity/firewall";
const PARITY: &str = "crates/sagescan-load/tests/fixtures/parity";

struct Scenario {
    name: &'static str,
    sources: [String; 4],
    /// The Terraform side manages the VPC's default security group, which CloudFormation
    /// cannot: its passing outcomes are missing from the templates, so only the reported
    /// findings are compared with them.
    default_sg_in_terraform_only: bool,
}

fn scenarios() -> Vec<Scenario> {
    let firewall = |variant: &str| {
        let d = format!("{FIREWALL}/{variant}");
        [
            format!("{d}/terraform"),
            format!("{d}/plan.json"),
            format!("{d}/template.yaml"),
            format!("{d}/template.json"),
        ]
    };
    vec![
        Scenario {
            name: "studio",
            sources: [
                "examples/studio".into(),
                format!("{PARITY}/plan/studio.plan.json"),
                format!("{PARITY}/cloudformation/studio.yaml"),
                format!("{PARITY}/cloudformation/studio.json"),
            ],
            default_sg_in_terraform_only: true,
        },
        Scenario {
            name: "firewall/compliant",
            sources: firewall("compliant"),
            default_sg_in_terraform_only: false,
        },
        Scenario {
            name: "firewall/violations",
            sources: firewall("violations"),
            default_sg_in_terraform_only: false,
        },
    ]
}

/// The sorted `(code, kind)` of the failing findings of the SageMaker checks and of
/// [`COVERED`].
fn covered_fails(report: &Report) -> Vec<(String, String)> {
    report
        .findings
        .iter()
        .filter(|(code, _, status)| {
            status == "fail" && (code.starts_with("SM") || COVERED.contains(&code.as_str()))
        })
        .map(|(code, kind, _)| (code.clone(), kind.clone()))
        .collect()
}

/// Every check the firewall scenarios are built to exercise.
const COVERED: &[&str] = &[
    "SG103", "SG104", "SG105", "SG106", "NFW101", "NFW102", "NFW106", "NFW107", "NFW108", "NFW109",
    "NFW110", "VPC101", "VPCE101", "VPCE102", "VPCE103",
];

#[test]
fn every_source_of_a_scenario_gives_the_same_findings() {
    for scenario in scenarios() {
        let name = scenario.name;
        let [hcl, plan, templates @ ..] = &scenario.sources;
        let expected = scan(hcl);
        assert!(!expected.findings.is_empty(), "{name}: no findings");
        assert!(expected.passed > 0, "{name}: nothing passed");
        assert_eq!(scan(plan), expected, "{name}: {plan} disagrees with {hcl}");
        for template in templates {
            let got = scan(template);
            if scenario.default_sg_in_terraform_only {
                assert_eq!(
                    got.findings, expected.findings,
                    "{name}: {template} disagrees with {hcl}"
                );
            } else {
                assert_eq!(got, expected, "{name}: {template} disagrees with {hcl}");
            }
        }
    }
}

#[test]
fn the_compliant_firewall_scenario_fails_no_covered_check() {
    let report = scan(&format!("{FIREWALL}/compliant/terraform"));
    assert_eq!(covered_fails(&report), []);
    // Nothing was left Unknown either, so every covered check passed. What does fail is
    // outside the scenario's scope: the private subnets keep the default NACL (NACL102,
    // NACL103), the firewall has one subnet (NFW104), the internet gateway has no edge
    // route table, so replies skip the firewall (NET104, notebook and domain; the model
    // is isolated), and no DNS Firewall guards the Resolver (NET105).
    assert_eq!(report.inconclusive, 0);
    let rest: Vec<&str> = report.findings.iter().map(|(c, _, _)| c.as_str()).collect();
    assert_eq!(
        rest,
        [
            "NACL102", "NACL102", "NACL103", "NACL103", "NET104", "NET104", "NET105", "NET105",
            "NET105", "NFW104"
        ],
        "{:?}",
        report.findings
    );
}

#[test]
fn the_violations_scenario_fails_exactly_the_injected_checks() {
    let report = scan(&format!("{FIREWALL}/violations/terraform"));
    let expected = [
        // `.amazonaws.com` on the allow-list, no logging configuration, stateless `aws:pass`
        // (which also bypasses the allow-list: NFW107, NFW109).
        ("NFW101", "network_firewall"),
        ("NFW106", "network_firewall_policy"),
        ("NFW107", "network_firewall_policy"),
        ("NFW108", "network_firewall_rule_group"),
        ("NFW109", "network_firewall_policy"),
        // SSH from 0.0.0.0/0 on the notebook's group.
        ("SG103", "security_group"),
        ("SG104", "security_group"),
        ("SM101", "sagemaker_domain"),
        ("SM111", "sagemaker_notebook_instance"),
        ("SM121", "sagemaker_model"),
        // Private DNS off on the STS endpoint.
        ("VPCE103", "vpc_endpoint"),
    ]
    .map(|(c, k)| (c.to_string(), k.to_string()));
    assert_eq!(covered_fails(&report), expected);
}
