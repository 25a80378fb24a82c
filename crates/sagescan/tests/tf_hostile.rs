//! Terraform evaluation against hostile pull requests (issue 17), end to end through the
//! binary: the findings, their lines and the exit code are what a CI job acts on.
//!
//! - r07: a file of doubling locals spends the evaluation budget; the notebook's literal
//!   values must still fail SM111 and SM113 (exit 1), not turn inconclusive (exit 0).
//! - r22: `override.tf` enables direct internet and root access; Terraform merges it into
//!   the notebook, so SM111 and SM113 fail, pointing at the override's lines.
//!
//! Each tree is written to a temporary directory by the test.

use std::fs;
use std::path::Path;
use std::process::Command;

const NOTEBOOK: &str = r#"resource "aws_sagemaker_notebook_instance" "masked" {
  name                   = "masked"
  subnet_id              = aws_subnet.s.id
  security_groups        = [aws_security_group.g.id]
  kms_key_id             = "arn:aws:kms:us-east-1:1:key/x"
  role_arn               = "arn:aws:iam::123456789012:role/x"
  instance_type          = "ml.t3.medium"
  direct_internet_access = "Enabled"
  root_access            = "Enabled"
  instance_metadata_service_configuration {
    minimum_instance_metadata_service_version = "2"
  }
}
resource "aws_vpc" "v" {
  cidr_block = "10.0.0.0/16"
}
resource "aws_subnet" "s" {
  vpc_id     = aws_vpc.v.id
  cidr_block = "10.0.1.0/24"
}
resource "aws_security_group" "g" {
  vpc_id = aws_vpc.v.id
}
"#;

/// 40 locals that each double the last (2 KB; 2^39 strings if evaluated).
fn doubling() -> String {
    let mut tf = format!("locals {{\n  l0 = [\"{}\"]\n", "x".repeat(64));
    for i in 1..40 {
        tf += &format!("  l{i} = concat(local.l{p}, local.l{p})\n", p = i - 1);
    }
    tf + "}\nresource \"aws_vpc\" \"aa\" {\n  cidr_block = \"10.9.0.0/16\"\n  \
          tags = { n = length(local.l39) }\n}\n"
}

struct Scan {
    code: i32,
    doc: serde_json::Value,
}

fn scan(dir: &Path) -> Scan {
    let out = Command::new(env!("CARGO_BIN_EXE_sagescan"))
        .current_dir(dir)
        .args([
            "scan",
            ".",
            "--no-store",
            "--format",
            "json",
            "--checks",
            "SM111,SM113",
        ])
        .output()
        .expect("the sagescan binary runs");
    let stdout = String::from_utf8(out.stdout).expect("UTF-8 stdout");
    Scan {
        code: out.status.code().expect("exited, not killed by a signal"),
        doc: serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("{e}: {stdout}")),
    }
}

/// `(code, status, file:line)` of every finding.
fn findings(doc: &serde_json::Value) -> Vec<(String, String, String)> {
    let mut out: Vec<_> = doc["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| {
            (
                f["code"].as_str().unwrap_or_default().to_string(),
                f["status"].as_str().unwrap_or_default().to_string(),
                format!(
                    "{}:{}",
                    f["location"]["file"]
                        .as_str()
                        .unwrap_or_default()
                        .trim_start_matches("./"),
                    f["location"]["line"]
                ),
            )
        })
        .collect();
    out.sort();
    out
}

fn gap_messages(doc: &serde_json::Value) -> Vec<String> {
    doc["coverage_gaps"]
        .as_array()
        .expect("coverage_gaps")
        .iter()
        .map(|g| g["message"].as_str().unwrap_or_default().to_string())
        .collect()
}

fn finding(code: &str, file_line: &str) -> (String, String, String) {
    (code.to_string(), "fail".to_string(), file_line.to_string())
}

#[test]
fn r07_a_spent_budget_leaves_literal_fails_failing() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("main.tf"), NOTEBOOK).unwrap();
    fs::write(dir.path().join("aa.tf"), doubling()).unwrap();
    let s = scan(dir.path());
    assert_eq!(
        findings(&s.doc),
        [finding("SM111", "main.tf:8"), finding("SM113", "main.tf:9")],
        "{}",
        s.doc
    );
    assert_eq!(s.code, 1);
    // The local that spent its budget is named, at its line.
    let gaps = gap_messages(&s.doc);
    assert_eq!(gaps.len(), 1, "{gaps:?}");
    assert!(
        gaps[0].starts_with("local.l") && gaps[0].contains("builds more than 16 MiB"),
        "{gaps:?}"
    );
}

#[test]
fn r22_override_files_are_merged_and_their_values_fail() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(
        dir.path().join("main.tf"),
        r#"resource "aws_sagemaker_notebook_instance" "ov" {
  name                   = "ov"
  subnet_id              = "subnet-1"
  security_groups        = ["sg-1"]
  role_arn               = "arn:aws:iam::123456789012:role/x"
  instance_type          = "ml.t3.medium"
  direct_internet_access = "Disabled"
  root_access            = "Disabled"
}
"#,
    )
    .unwrap();
    fs::write(
        dir.path().join("override.tf"),
        r#"resource "aws_sagemaker_notebook_instance" "ov" {
  direct_internet_access = "Enabled"
  root_access = "Enabled"
}
"#,
    )
    .unwrap();
    let s = scan(dir.path());
    assert_eq!(
        findings(&s.doc),
        [
            finding("SM111", "override.tf:2"),
            finding("SM113", "override.tf:3")
        ],
        "{}",
        s.doc
    );
    assert!(gap_messages(&s.doc).is_empty(), "{}", s.doc);
    assert_eq!(s.code, 1);
}

/// r6: omitted `optional()` attributes of an object variable are null or their default
/// (Terraform 1.3). The notebook module's `optional(string, "Enabled")` fails SM111; the
/// model's omitted image and image_config are null, so it uses a model package and has no
/// image_config (SM121 and SM123 pass), with no gap.
#[test]
fn r6_optional_object_attributes_take_their_defaults() {
    let dir = tempfile::tempdir().unwrap();
    let write = |rel: &str, text: &str| {
        let path = dir.path().join(rel);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, text).unwrap();
    };
    write(
        "main.tf",
        r#"module "m" {
  source     = "./mod"
  containers = [{ model_package_name = "arn:aws:sagemaker:eu-west-1:111122223333:model-package/p/1" }]
}
module "nb" {
  source   = "./nbmod"
  notebook = { name = "lab" }
}
"#,
    );
    write(
        "mod/main.tf",
        r#"variable "containers" {
  type = list(object({
    image_uri          = optional(string)
    model_package_name = optional(string)
    image_config = optional(object({
      repository_access_mode = string
    }))
  }))
}
resource "aws_sagemaker_model" "m" {
  name                     = "m"
  execution_role_arn       = "arn:aws:iam::111122223333:role/r"
  enable_network_isolation = true
  primary_container {
    image              = var.containers[0].image_uri
    model_package_name = var.containers[0].model_package_name
    dynamic "image_config" {
      for_each = var.containers[0].image_config != null ? [var.containers[0].image_config] : []
      content {
        repository_access_mode = image_config.value.repository_access_mode
      }
    }
  }
  vpc_config {
    subnets            = ["subnet-0123456789abcdef0", "subnet-0123456789abcdef1"]
    security_group_ids = ["sg-0123456789abcdef0"]
  }
}
"#,
    );
    write(
        "nbmod/main.tf",
        r#"variable "notebook" {
  type = object({
    name                   = string
    direct_internet_access = optional(string, "Enabled")
  })
}
resource "aws_sagemaker_notebook_instance" "nb" {
  name                   = var.notebook.name
  role_arn               = "arn:aws:iam::111122223333:role/r"
  instance_type          = "ml.t3.medium"
  direct_internet_access = var.notebook.direct_internet_access
}
"#,
    );
    let out = Command::new(env!("CARGO_BIN_EXE_sagescan"))
        .current_dir(dir.path())
        .args([
            "scan",
            ".",
            "--no-store",
            "--format",
            "json",
            "--checks",
            "SM111,SM121,SM123",
        ])
        .output()
        .expect("the sagescan binary runs");
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).expect("a JSON report");
    let got: Vec<(String, String, String)> = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["code"].as_str().unwrap_or_default().to_string(),
                f["status"].as_str().unwrap_or_default().to_string(),
                f["resource"]["address"]
                    .as_str()
                    .unwrap_or_default()
                    .to_string(),
            )
        })
        .collect();
    let want = |code: &str, status: &str, address: &str| {
        (code.to_string(), status.to_string(), address.to_string())
    };
    // SM121 and SM123 pass, so the report holds no finding of theirs (an unknown image or
    // image_config would make them inconclusive).
    assert_eq!(
        got,
        [want(
            "SM111",
            "fail",
            "module.nb.aws_sagemaker_notebook_instance.nb"
        )],
        "{doc}"
    );
    assert!(gap_messages(&doc).is_empty(), "{doc}");
    assert_eq!(out.status.code(), Some(1));
}
