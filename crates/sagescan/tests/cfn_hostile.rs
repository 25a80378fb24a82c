//! CloudFormation a pull request can shape to make a template vanish or pass unjudged, run
//! through the binary as CI runs it: the verdicts of SM111 (direct internet access) and
//! SM113 (root access) on the notebook, and the exit code under `--strict`. The loader's
//! own tests (`sagescan-load/tests/cfn_hostile.rs`) hold the model-level details.

use std::path::Path;
use std::process::Command;

const NOTEBOOK_PROPS: &str = "      InstanceType: ml.t3.medium
      RoleArn: arn:aws:iam::123456789012:role/x
      SubnetId: subnet-1
      SecurityGroupIds: [sg-1]
";

struct Run {
    code: i32,
    report: serde_json::Value,
    stderr: String,
}

fn scan(files: &[(&str, &str)], extra: &[&str]) -> Run {
    let dir = tempfile::tempdir().unwrap();
    for (name, text) in files {
        std::fs::write(dir.path().join(name), text).unwrap();
    }
    let out = Command::new(env!("CARGO_BIN_EXE_sagescan"))
        .current_dir(dir.path())
        .args([
            "scan",
            ".",
            "--no-store",
            "--format",
            "json",
            "--checks",
            "SM111,SM113",
        ])
        .args(extra)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    let report = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("JSON report ({e}); stderr: {stderr}"));
    Run {
        code: out.status.code().unwrap(),
        report,
        stderr,
    }
}

/// `(code, status, file)` of every finding.
fn findings(run: &Run) -> Vec<(String, String, String)> {
    let mut out: Vec<_> = run.report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            let file = f["location"]["file"].as_str().unwrap_or_default();
            (
                f["code"].as_str().unwrap().to_string(),
                f["status"].as_str().unwrap().to_string(),
                Path::new(file)
                    .file_name()
                    .map_or(String::new(), |n| n.to_string_lossy().into_owned()),
            )
        })
        .collect();
    out.sort();
    out
}

fn gap_messages(run: &Run) -> Vec<String> {
    run.report["coverage_gaps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g.to_string())
        .collect()
}

fn owned(v: &[(&str, &str, &str)]) -> Vec<(String, String, String)> {
    v.iter()
        .map(|(a, b, c)| (a.to_string(), b.to_string(), c.to_string()))
        .collect()
}

#[test]
fn a_template_that_nests_itself_under_a_false_condition_is_still_judged() {
    let prod = "AWSTemplateFormatVersion: \"2010-09-09\"
Conditions:
  Never: !Equals [a, b]
Resources:
  Hide:
    Type: AWS::CloudFormation::Stack
    Condition: Never
    Properties:
      TemplateURL: ./prod.yaml
  Nb:
    Type: AWS::SageMaker::NotebookInstance
    Properties:
      InstanceType: ml.t3.medium
      RoleArn: arn:aws:iam::123456789012:role/x
      DirectInternetAccess: Enabled
      RootAccess: Enabled
";
    let vpc = "resource \"aws_vpc\" \"unrelated\" {\n  cidr_block = \"10.0.0.0/16\"\n}\n";
    let run = scan(&[("prod.yaml", prod), ("main.tf", vpc)], &["--strict"]);
    assert_eq!(
        findings(&run),
        owned(&[
            ("SM111", "fail", "prod.yaml"),
            ("SM113", "fail", "prod.yaml")
        ]),
        "{}",
        run.stderr
    );
    assert_eq!(run.code, 1, "{}", run.stderr);
}

#[test]
fn two_templates_that_nest_each_other_are_both_judged() {
    let a = format!(
        "Resources:\n  B:\n    Type: AWS::CloudFormation::Stack\n    Properties:\n      TemplateURL: ./b.yaml\n  Nb:\n    Type: AWS::SageMaker::NotebookInstance\n    Properties:\n{NOTEBOOK_PROPS}      RootAccess: Enabled\n"
    );
    let b = a.replace("./b.yaml", "./a.yaml");
    let run = scan(&[("a.yaml", &a), ("b.yaml", &b)], &[]);
    let found = findings(&run);
    assert!(
        found.contains(&("SM113".into(), "fail".into(), "a.yaml".into()))
            && found.contains(&("SM113".into(), "fail".into(), "b.yaml".into())),
        "{found:?}; {}",
        run.stderr
    );
    let gaps = gap_messages(&run);
    assert!(gaps.iter().any(|g| g.contains("circular")), "{gaps:?}");
}

#[test]
fn an_export_two_templates_declare_is_unknown_and_names_both() {
    let export = |value: &str| {
        format!(
            "Resources:\n  W: {{Type: AWS::CloudFormation::WaitConditionHandle}}\nOutputs:\n  D:\n    Value: {value}\n    Export: {{Name: Shared-Dia}}\n"
        )
    };
    let t = format!(
        "Resources:\n  Nb:\n    Type: AWS::SageMaker::NotebookInstance\n    Properties:\n{NOTEBOOK_PROPS}      DirectInternetAccess: !ImportValue Shared-Dia\n      RootAccess: Disabled\n"
    );
    // Whichever file sorts last, the answer is the same.
    for (first, second) in [("Enabled", "Disabled"), ("Disabled", "Enabled")] {
        let run = scan(
            &[
                ("a_export.yaml", &export(first)),
                ("z_export.yaml", &export(second)),
                ("t.yaml", &t),
            ],
            &["--checks", "SM111"],
        );
        let sm111: Vec<_> = run.report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["code"] == "SM111")
            .collect();
        assert_eq!(sm111.len(), 1, "{}", run.stderr);
        assert_eq!(sm111[0]["status"], "inconclusive");
        let message = sm111[0].to_string();
        assert!(
            message.contains("a_export.yaml") && message.contains("z_export.yaml"),
            "{message}"
        );
        assert_eq!(run.code, 0, "{}", run.stderr);
    }
}

#[test]
fn transforms_are_gaps_and_never_a_plain_pass() {
    let macro_template = format!(
        "AWSTemplateFormatVersion: \"2010-09-09\"\nTransform: [MyCompany::RewriteEverything]\nResources:\n  Nb:\n    Type: AWS::SageMaker::NotebookInstance\n    Properties:\n{NOTEBOOK_PROPS}      DirectInternetAccess: Disabled\n      RootAccess: Disabled\n"
    );
    let include = format!(
        "AWSTemplateFormatVersion: \"2010-09-09\"\nResources:\n  Nb:\n    Type: AWS::SageMaker::NotebookInstance\n    Properties:\n{NOTEBOOK_PROPS}      DirectInternetAccess: Disabled\n      RootAccess: Disabled\n      Fn::Transform:\n        Name: AWS::Include\n        Parameters: {{Location: \"s3://bucket/snippet.yaml\"}}\n"
    );
    let run = scan(
        &[("macro.yaml", &macro_template), ("include.yaml", &include)],
        &["--strict"],
    );
    assert_eq!(
        findings(&run),
        owned(&[
            ("SM111", "inconclusive", "include.yaml"),
            ("SM111", "inconclusive", "macro.yaml"),
            ("SM113", "inconclusive", "include.yaml"),
            ("SM113", "inconclusive", "macro.yaml"),
        ]),
        "{}",
        run.stderr
    );
    let gaps = gap_messages(&run);
    assert_eq!(gaps.len(), 2, "{gaps:?}");
    assert!(
        gaps.iter()
            .any(|g| g.contains("MyCompany::RewriteEverything")),
        "{gaps:?}"
    );
    assert!(gaps.iter().any(|g| g.contains("AWS::Include")), "{gaps:?}");
    assert_eq!(run.code, 2, "--strict: {}", run.stderr);
}

#[test]
fn an_alias_bomb_of_bytes_is_a_gap_not_an_allocation() {
    // One 1 MiB scalar aliased 1,000 times: 1 MB of input, a gigabyte if expanded.
    let mut bomb = String::from(
        "Resources:\n  Nb:\n    Type: AWS::SageMaker::NotebookInstance\n    Properties:\n      InstanceType: ml.t3.medium\n      RoleArn: &big \"",
    );
    bomb.push_str(&"x".repeat(1 << 20));
    bomb.push_str("\"\n      Tags:\n");
    for i in 0..1000 {
        bomb.push_str(&format!("        - {{Key: k{i}, Value: *big}}\n"));
    }
    let run = scan(&[("bomb.yaml", &bomb)], &["--strict"]);
    let gaps = gap_messages(&run);
    assert_eq!(gaps.len(), 1, "{gaps:?}");
    assert!(
        gaps[0].contains("too-large") && gaps[0].contains("bomb.yaml"),
        "{gaps:?}"
    );
    assert_eq!(run.code, 2, "{}", run.stderr);
}
