//! Every fix, end to end: a fixture is copied to a temporary directory, loaded by the real
//! loader, checked, fixed and written; the snapshot holds what became of each fix and the
//! fixed files, and the re-scan must show no fail for a fix that was applied. A second
//! plan over the fixed files must change nothing (fixes are idempotent).
//!
//! The checks' own `fail.tf` fixtures are the "before" of the plain cases; scenarios the
//! check fixtures do not cover (variables, modules, CloudFormation) are under `fixtures/`.

use sagescan_checks::{Check, Finding, Options as CheckOptions, Status};
use sagescan_fix::{Options, Status as FixStatus};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The fixture `name` next to the check's file (`…/notebook_root_access/fail.tf`).
fn check_fixture(check: &Check, name: &str) -> PathBuf {
    workspace()
        .join(check.file.strip_suffix(".rs").expect(".rs file"))
        .join(name)
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

fn failed(dir: &Path, checks: &[&'static Check]) -> (sagescan_model::Model, Vec<Finding>) {
    let model = sagescan_load::load(&[dir.to_path_buf()], &Default::default()).unwrap();
    assert!(model.gaps.is_empty(), "{:?}", model.gaps);
    let run = sagescan_checks::run(&model, checks, &CheckOptions::default());
    let fails = run
        .findings
        .into_iter()
        .filter(|f| f.status == Status::Fail)
        .collect();
    (model, fails)
}

/// Fixes `dir` (a copy) for `codes` and returns the snapshot text.
fn fix(dir: &Path, codes: &[&str], options: &Options) -> String {
    let checks: Vec<&'static Check> = codes
        .iter()
        .map(|c| sagescan_checks::find(c).expect("known code"))
        .collect();
    let (model, findings) = failed(dir, &checks);
    assert!(!findings.is_empty(), "the fixture fails nothing");
    let options = &Options {
        roots: vec![dir.to_path_buf()],
        ..options.clone()
    };
    let plan = sagescan_fix::plan(&model, &findings, options);
    let root = format!("{}/", dir.display());
    let mut out = String::new();
    for r in &plan.results {
        let status = match &r.status {
            FixStatus::Applied(_) => "applied".to_string(),
            FixStatus::Unchanged => "unchanged".to_string(),
            FixStatus::Suggested => "suggested".to_string(),
            FixStatus::Scripted => "scripted".to_string(),
            FixStatus::Refused(why) => format!("refused: {}", why.replace(&root, "")),
        };
        let _ = writeln!(
            out,
            "{} {} [{}] {}: {status}",
            r.finding.code,
            r.finding.resource.address,
            r.fix.safety.as_str(),
            r.fix.title
        );
    }
    plan.write(options).unwrap();
    for change in &plan.files {
        let _ = write!(
            out,
            "\n--- {}\n{}",
            change.path.replace(&root, ""),
            change.after
        );
    }

    // Re-scan: an applied fix's finding is gone.
    let (model_after, after) = failed(dir, &checks);
    let remaining: Vec<String> = after.iter().map(|f| f.fingerprint(&model_after)).collect();
    for r in &plan.results {
        if matches!(r.status, FixStatus::Applied(_)) {
            assert!(
                !remaining.contains(&r.finding.fingerprint(&model)),
                "{} {} still fails after the fix",
                r.finding.code,
                r.finding.resource.address
            );
        }
    }
    // Idempotent: nothing left to change.
    let again = sagescan_fix::plan(&model_after, &after, options);
    assert!(
        again.files.is_empty(),
        "a second fix changes {:?}",
        again.files
    );
    out
}

/// Fixes a check's own fixture (copied as `main.tf`).
fn fix_check_fixture(code: &str, fixture: &str) -> String {
    let check = sagescan_checks::find(code).unwrap();
    let tmp = tempfile::tempdir().unwrap();
    std::fs::copy(check_fixture(check, fixture), tmp.path().join("main.tf")).unwrap();
    fix(tmp.path(), &[code], &Options::default())
}

fn fix_scenario(name: &str, codes: &[&str]) -> String {
    let tmp = tempfile::tempdir().unwrap();
    copy_dir(
        &Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures")
            .join(name),
        tmp.path(),
    );
    fix(tmp.path(), codes, &Options::default())
}

macro_rules! check_fixture_cases {
    ($($test:ident: $code:literal, $fixture:literal;)*) => {$(
        #[test]
        fn $test() {
            insta::assert_snapshot!(fix_check_fixture($code, $fixture));
        }
    )*};
}

check_fixture_cases! {
    sm121_model_network_isolation: "SM121", "fail.tf";
    sm111_notebook_outside_vpc_is_only_suggested: "SM111", "fail.tf";
    sm113_notebook_root_access: "SM113", "fail.tf";
    sm115_notebook_imdsv1: "SM115", "fail.tf";
    nfw102_firewall_delete_protection: "NFW102", "fail.tf";
    nfw103_firewall_subnet_change_protection: "NFW103", "fail.tf";
    vpc103_subnet_auto_public_ip: "VPC103", "fail.tf";
    sm101_studio_vpc_only_is_only_suggested: "SM101", "fail.tf";
    sm114_notebook_kms_is_only_suggested: "SM114", "fail.tf";
}

#[test]
fn sm111_notebook_in_a_subnet_is_fixed_keeping_comments() {
    insta::assert_snapshot!(fix_scenario("notebook_in_vpc", &["SM111"]));
}

#[test]
fn a_value_from_a_variable_changes_the_variables_default() {
    insta::assert_snapshot!(fix_scenario("variable", &["SM121"]));
}

#[test]
fn a_variable_used_twice_is_refused() {
    let out = fix_scenario("variable_shared", &["SM121", "NFW102"]);
    assert!(
        out.contains("refused: the value is var.flag, used 2 times in the module"),
        "{out}"
    );
    assert!(!out.contains("applied"), "{out}");
}

#[test]
fn a_variable_set_in_tfvars_is_refused() {
    let out = fix_scenario("variable_tfvars", &["SM121"]);
    assert!(
        out.contains("refused: the value is var.isolate, set in terraform.tfvars"),
        "{out}"
    );
}

#[test]
fn a_variable_set_by_a_module_call_is_refused() {
    let out = fix_scenario("module_call", &["SM121"]);
    assert!(
        out.contains("refused: the value is var.isolate, set by the module call"),
        "{out}"
    );
}

#[test]
fn cloudformation_yaml_keeps_short_form_tags_and_comments() {
    let out = fix_scenario("cfn_yaml", &["SM111", "SM113", "SM115", "SM121"]);
    assert!(out.contains("!Sub \"arn:aws:iam::${AWS::AccountId}:role/sm\""));
    assert!(out.contains("# needed for conda, revisit"));
    insta::assert_snapshot!(out);
}

#[test]
fn cloudformation_json_gets_members_in_its_own_layout() {
    insta::assert_snapshot!(fix_scenario("cfn_json", &["SM121", "NFW102", "NFW103"]));
}

/// The unsafe fix of `code` on its `fail.tf`, applied as `--unsafe-fixes` does.
fn fix_unsafe(code: &str) -> String {
    let check = sagescan_checks::find(code).unwrap();
    let tmp = tempfile::tempdir().unwrap();
    std::fs::copy(check_fixture(check, "fail.tf"), tmp.path().join("main.tf")).unwrap();
    let options = Options {
        unsafe_fixes: true,
        ..Options::default()
    };
    fix(tmp.path(), &[code], &options)
}

#[test]
fn unsafe_fixes_apply_only_when_asked() {
    let out = fix_unsafe("SM111");
    assert_eq!(out.matches(": applied").count(), 2, "{out}");
}

macro_rules! unsafe_cases {
    ($($test:ident: $code:literal;)*) => {$(
        #[test]
        fn $test() {
            insta::assert_snapshot!(fix_unsafe($code));
        }
    )*};
}

unsafe_cases! {
    unsafe_sm101_studio_vpc_only: "SM101";
    unsafe_sm102_domain_kms_placeholder: "SM102";
    unsafe_sm114_notebook_kms_placeholder: "SM114";
    unsafe_sm132_endpoint_config_kms_placeholder: "SM132";
}

#[test]
fn cloudformation_resource_without_properties_is_refused() {
    let out = fix_scenario("cfn_no_properties", &["SM121"]);
    assert!(
        out.contains("refused: the resource has no Properties"),
        "{out}"
    );
}

/// A finding on a live resource, as a `--aws` scan or a snapshot makes it.
fn live(code: &str, address: &str, kind: &'static str) -> Finding {
    let check = sagescan_checks::find(code).unwrap();
    let mut model = sagescan_model::Model::default();
    let config = model.add_config("123456789012", "aws");
    let origin = sagescan_model::Origin::Api {
        service: "sagemaker".into(),
        operation: "Describe".into(),
        region: "us-east-1".into(),
        account: "123456789012".into(),
    };
    let fix = match code {
        "SM121" => sagescan_checks::Fix::set(
            "Enable network isolation",
            sagescan_checks::Safety::Safe,
            &["EnableNetworkIsolation"],
            sagescan_checks::FixValue::Bool(true),
            &sagescan_model::Value::default_value(false, origin.clone()),
        ),
        "SM113" => sagescan_checks::Fix::set(
            "Disable root access",
            sagescan_checks::Safety::Safe,
            &["RootAccess"],
            sagescan_checks::FixValue::String("Disabled"),
            &sagescan_model::Value::set("Enabled", origin.clone()),
        ),
        _ => sagescan_checks::Fix::set(
            "Encrypt with a customer managed KMS key",
            sagescan_checks::Safety::Unsafe,
            &["KmsKeyId"],
            sagescan_checks::FixValue::Placeholder("KMS key ARN"),
            &sagescan_model::Value::default_value(None::<String>, origin.clone()),
        ),
    };
    Finding {
        code: check.code,
        name: check.name,
        severity: check.severity,
        status: Status::Fail,
        resource: sagescan_checks::ResourceRef {
            kind,
            address: address.into(),
            source_type: kind.into(),
            config,
        },
        resource_origin: origin.clone(),
        location: origin,
        message: String::new(),
        remediation: check.remediation,
        suppression: None,
        incomplete: false,
        path: Vec::new(),
        fix: Some(fix),
    }
}

#[test]
fn live_resources_get_a_reviewed_aws_cli_script_and_no_file_edit() {
    let mut model = sagescan_model::Model::default();
    model.add_config("123456789012", "aws");
    let findings = [
        live(
            "SM121",
            "arn:aws:sagemaker:us-east-1:123456789012:model/churn",
            "sagemaker_model",
        ),
        live(
            "SM113",
            "arn:aws:sagemaker:us-east-1:123456789012:notebook-instance/lab",
            "sagemaker_notebook_instance",
        ),
        live(
            "SM114",
            "arn:aws:sagemaker:us-east-1:123456789012:notebook-instance/lab",
            "sagemaker_notebook_instance",
        ),
    ];
    let plan = sagescan_fix::plan(&model, &findings, &Options::default());
    assert!(plan.files.is_empty());
    assert!(plan.results.iter().all(|r| r.status == FixStatus::Scripted));
    let script = plan.script.expect("a script");
    assert!(script.contains("# aws sagemaker delete-model"), "{script}");
    insta::assert_snapshot!(script);
}

/// Guards the applier's name table: every fix any check offers on its own `fail.tf` can be
/// applied to Terraform (a check gaining a fix without a table entry fails here).
#[test]
fn every_fix_on_a_check_fixture_applies_to_terraform() {
    let options = Options {
        unsafe_fixes: true,
        ..Options::default()
    };
    let mut fixable = Vec::new();
    for check in sagescan_checks::CHECKS {
        let fixture = check_fixture(check, "fail.tf");
        if !fixture.exists() {
            continue;
        }
        let tmp = tempfile::tempdir().unwrap();
        std::fs::copy(&fixture, tmp.path().join("main.tf")).unwrap();
        let model = sagescan_load::load(&[tmp.path().to_path_buf()], &Default::default()).unwrap();
        let run = sagescan_checks::run(&model, &[check], &CheckOptions::default());
        let options = Options {
            roots: vec![tmp.path().to_path_buf()],
            ..options.clone()
        };
        let plan = sagescan_fix::plan(&model, &run.findings, &options);
        for r in &plan.results {
            assert!(
                matches!(r.status, FixStatus::Applied(_) | FixStatus::Unchanged),
                "{} {}: {:?}",
                r.finding.code,
                r.finding.resource.address,
                r.status
            );
        }
        if !plan.results.is_empty() {
            fixable.push(check.code);
        }
    }
    assert_eq!(
        fixable,
        [
            "NFW102", "NFW103", "SM101", "SM102", "SM111", "SM113", "SM114", "SM115", "SM121",
            "SM132", "VPC103"
        ]
    );
}
