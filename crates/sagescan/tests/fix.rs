//! `sagescan fix` as a user runs it: the diff on stdout, what became of each fix on stderr,
//! the exit code, files written only without `--dry-run`, and the re-scan.

use std::path::Path;
use std::process::Command;

const MAIN_TF: &str = r#"resource "aws_sagemaker_model" "m" {
  name               = "m"
  execution_role_arn = "arn:aws:iam::123456789012:role/sm" # shared role

  primary_container {
    image = "123456789012.dkr.ecr.us-east-1.amazonaws.com/churn:1"
  }
}

resource "aws_sagemaker_notebook_instance" "nb" {
  name          = "nb"
  role_arn      = "arn:aws:iam::123456789012:role/sm"
  instance_type = "ml.t3.medium"
  root_access   = "Disabled"
  kms_key_id    = "arn:aws:kms:us-east-1:123456789012:key/1"

  instance_metadata_service_configuration {
    minimum_instance_metadata_service_version = "2"
  }
}
"#;

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

fn sagescan(dir: &Path, args: &[&str]) -> Run {
    let out = Command::new(env!("CARGO_BIN_EXE_sagescan"))
        .current_dir(dir)
        .args(args)
        .output()
        .expect("the sagescan binary runs");
    Run {
        code: out.status.code().expect("exited"),
        stdout: String::from_utf8(out.stdout).unwrap(),
        stderr: String::from_utf8(out.stderr).unwrap(),
    }
}

fn project() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("main.tf"), MAIN_TF).unwrap();
    dir
}

const CHECKS: &str = "--checks=SM121,SM111";

#[test]
fn dry_run_prints_the_diff_and_changes_nothing() {
    let dir = project();
    let run = sagescan(
        dir.path(),
        &["fix", ".", "--no-config", CHECKS, "--dry-run"],
    );
    assert_eq!(run.code, 1, "{}", run.stderr);
    insta::assert_snapshot!(run.stdout);
    assert!(
        run.stderr.contains(
            "fixed      ./main.tf:1: SM121 aws_sagemaker_model.m: Enable network isolation"
        ),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr
            .contains("suggested  ./main.tf:10: SM111 aws_sagemaker_notebook_instance.nb"),
        "{}",
        run.stderr
    );
    assert_eq!(
        std::fs::read_to_string(dir.path().join("main.tf")).unwrap(),
        MAIN_TF
    );
}

#[test]
fn fix_writes_rescans_and_a_second_run_changes_nothing() {
    let dir = project();
    let run = sagescan(dir.path(), &["fix", ".", "--no-config", "--checks=SM121"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stderr
            .contains("re-scan: every applied fix removed its finding")
    );
    let fixed = std::fs::read_to_string(dir.path().join("main.tf")).unwrap();
    assert!(
        fixed.contains("  enable_network_isolation = true\n"),
        "{fixed}"
    );
    assert!(fixed.contains("# shared role"), "{fixed}");
    // No temporary file is left beside it.
    let names: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(names, ["main.tf"]);

    let again = sagescan(dir.path(), &["fix", ".", "--no-config", "--checks=SM121"]);
    assert_eq!(again.code, 0, "{}", again.stderr);
    assert_eq!(again.stdout, "");
    let scan = sagescan(
        dir.path(),
        &["scan", ".", "--no-config", "--checks=SM121", "--no-store"],
    );
    assert_eq!(scan.code, 0, "{}{}", scan.stdout, scan.stderr);
}

#[test]
fn inline_waivers_are_respected_and_a_malformed_one_stops_the_fix() {
    let dir = project();
    let waived = MAIN_TF.replace(
        "resource \"aws_sagemaker_model\" \"m\" {",
        "# sagescan:ignore SM121 the container needs PyPI until the image is rebuilt\nresource \"aws_sagemaker_model\" \"m\" {",
    );
    std::fs::write(dir.path().join("main.tf"), &waived).unwrap();
    let run = sagescan(dir.path(), &["fix", ".", "--no-config", "--checks=SM121"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(run.stdout, "");
    assert_eq!(
        std::fs::read_to_string(dir.path().join("main.tf")).unwrap(),
        waived
    );

    let malformed = waived.replace(" the container needs PyPI until the image is rebuilt", "");
    std::fs::write(dir.path().join("main.tf"), &malformed).unwrap();
    let run = sagescan(dir.path(), &["fix", ".", "--no-config", "--checks=SM121"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("inline waivers"), "{}", run.stderr);
    assert_eq!(
        std::fs::read_to_string(dir.path().join("main.tf")).unwrap(),
        malformed
    );
}
