//! End-to-end tests of `sagescan.toml`, waivers (config and inline), severity overrides and
//! `sagescan init`. Each test that needs a configuration writes it into a fresh directory
//! under the system temp dir, next to a copy of a fixture, so tests cannot see each other's
//! files. Only SageMaker checks are used (`--checks SM111`), which keeps the expectations
//! independent of the rest of the catalogue.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

fn sagescan(dir: &Path, args: &[&str]) -> Run {
    let Output {
        status,
        stdout,
        stderr,
    } = Command::new(env!("CARGO_BIN_EXE_sagescan"))
        // Scans are recorded: into the build's scratch directory, never the user's.
        .env(
            "SAGESCAN_STORE",
            Path::new(env!("CARGO_TARGET_TMPDIR")).join("history-config.sqlite3"),
        )
        .current_dir(dir)
        .args(args)
        .output()
        .expect("the sagescan binary runs");
    Run {
        code: status.code().expect("exited, not killed by a signal"),
        stdout: String::from_utf8(stdout).expect("UTF-8 stdout"),
        stderr: String::from_utf8(stderr).expect("UTF-8 stderr"),
    }
}

fn json(run: &Run) -> serde_json::Value {
    serde_json::from_str(&run.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}\nstderr: {}", run.stdout, run.stderr))
}

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

/// A fresh directory holding `infra/main.tf` (a copy of the `waivable` fixture) and, when
/// given, `sagescan.toml` with `config`; removed when dropped.
fn workspace(config: Option<&str>) -> tempfile::TempDir {
    let tmp = tempfile::tempdir().expect("temp dir");
    let dir = tmp.path();
    std::fs::create_dir_all(dir.join("infra")).expect("temp dir");
    std::fs::copy(fixture("waivable/main.tf"), dir.join("infra/main.tf")).expect("copy");
    if let Some(text) = config {
        std::fs::write(dir.join("sagescan.toml"), text).expect("write config");
    }
    tmp
}

fn statuses(doc: &serde_json::Value) -> Vec<String> {
    doc["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| {
            format!(
                "{} {} {}",
                f["code"].as_str().unwrap(),
                f["resource"]["address"].as_str().unwrap(),
                f["status"].as_str().unwrap()
            )
        })
        .collect()
}

const WAIVE_LAB: &str = r#"
[[waivers]]
code = "SM111"
resource = "aws_sagemaker_notebook_instance.lab"
reason = "sandbox notebooks, no data"
"#;

#[test]
fn a_waiver_suppresses_the_finding_and_the_exit_code_goes_to_zero() {
    let tmp = workspace(None);
    let dir = tmp.path();
    let before = sagescan(
        dir,
        &["scan", "infra", "--checks", "SM111", "--format", "json"],
    );
    assert_eq!(before.code, 1, "{}", before.stderr);

    std::fs::write(dir.join("sagescan.toml"), WAIVE_LAB).unwrap();
    let after = sagescan(
        dir,
        &["scan", "infra", "--checks", "SM111", "--format", "json"],
    );
    assert_eq!(after.code, 0, "{}", after.stderr);
    let doc = json(&after);
    assert_eq!(
        statuses(&doc),
        [
            "SM111 aws_sagemaker_notebook_instance.lab[0] suppressed",
            "SM111 aws_sagemaker_notebook_instance.lab[1] suppressed",
        ],
        "every instance of a waived resource is covered"
    );
    assert_eq!(
        doc["findings"][0]["suppression"],
        serde_json::json!({
            "reason": "sandbox notebooks, no data",
            "source": {"file": "sagescan.toml", "line": 2},
            "expires": null
        })
    );
    assert_eq!(doc["summary"]["suppressed"], 2);
    assert_eq!(doc["summary"]["failed"], 0);

    let text = sagescan(dir, &["scan", "infra", "--checks", "SM111"]);
    assert!(
        text.stdout.contains(
            "suppressed (waived)\n  SM111 aws_sagemaker_notebook_instance.lab[0] (infra/main.tf:8:3): \
             sandbox notebooks, no data [waiver sagescan.toml:2]\n"
        ),
        "{}",
        text.stdout
    );
}

#[test]
fn the_config_is_found_by_walking_up_from_the_scanned_path() {
    let tmp = workspace(Some(WAIVE_LAB));
    let dir = tmp.path();
    // From inside `infra`, scanning `.`: the file is one directory up.
    let run = sagescan(
        &dir.join("infra"),
        &["scan", ".", "--checks", "SM111", "--format", "json"],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    // A file path starts the walk at its directory.
    let run = sagescan(dir, &["scan", "infra/main.tf", "--checks", "SM111"]);
    assert_eq!(run.code, 0, "{}", run.stdout);
    // --no-config ignores it.
    let run = sagescan(dir, &["scan", "infra", "--checks", "SM111", "--no-config"]);
    assert_eq!(run.code, 1);
}

#[test]
fn config_flag_names_a_file_anywhere() {
    let tmp = workspace(None);
    let dir = tmp.path();
    std::fs::write(dir.join("other.toml"), WAIVE_LAB).unwrap();
    let run = sagescan(
        dir,
        &[
            "scan",
            "infra",
            "--checks",
            "SM111",
            "--config",
            "other.toml",
            "--format",
            "json",
        ],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(
        json(&run)["findings"][0]["suppression"]["source"]["file"],
        "other.toml"
    );
    let missing = sagescan(dir, &["scan", "infra", "--config", "nope.toml"]);
    assert_eq!(missing.code, 2);
    assert!(missing.stderr.contains("nope.toml"), "{}", missing.stderr);
}

#[test]
fn three_mistakes_are_all_reported_with_their_lines_and_nothing_is_scanned() {
    let tmp = workspace(Some(
        "[checks]\n\
             disable = [\"SM999\"]\n\
             \n\
             [severity]\n\
             SM111 = \"severe\"\n\
             \n\
             [[waivers]]\n\
             code = \"SM111\"\n\
             resource = \"aws_sagemaker_notebook_instance.lab\"\n",
    ));
    let dir = tmp.path();
    let run = sagescan(dir, &["scan", "infra", "--format", "json"]);
    assert_eq!(run.code, 2);
    assert!(run.stdout.is_empty(), "no report: {}", run.stdout);
    let lines: Vec<&str> = run.stderr.lines().collect();
    assert_eq!(
        lines,
        [
            "sagescan.toml:2:12: unknown check `SM999`; `sagescan checks` lists them",
            "sagescan.toml:5:9: unknown severity `severe`; expected low, medium, high or critical",
            "sagescan.toml:7:1: waiver has no `reason`",
            "error: 3 problems in the configuration; nothing was scanned",
        ]
    );
}

#[test]
fn an_unknown_key_is_an_error_at_its_line() {
    let tmp = workspace(Some(
        "[options]\nenvironment_tag = \"Env\"\nadmin_port = [22]\n",
    ));
    let dir = tmp.path();
    let run = sagescan(dir, &["scan", "infra"]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr
            .starts_with("sagescan.toml:3:1: unknown key `admin_port` in [options]"),
        "{}",
        run.stderr
    );
}

#[test]
fn an_expired_waiver_is_reported_and_not_applied() {
    let tmp = workspace(Some(&format!("{WAIVE_LAB}expires = \"2020-01-31\"\n")));
    let dir = tmp.path();
    let run = sagescan(
        dir,
        &["scan", "infra", "--checks", "SM111", "--format", "json"],
    );
    assert_eq!(run.code, 1);
    let doc = json(&run);
    assert!(statuses(&doc).iter().all(|s| s.ends_with(" fail")));
    let expired = &doc["waivers"]["expired"];
    assert_eq!(expired.as_array().map(Vec::len), Some(1));
    assert_eq!(expired[0]["expires"], "2020-01-31");
    assert_eq!(expired[0]["source"]["line"], 2);
    let text = sagescan(dir, &["scan", "infra", "--checks", "SM111"]);
    assert!(
        text.stdout.contains(
            "expired waivers (not applied)\n  sagescan.toml:2: SM111 \
             aws_sagemaker_notebook_instance.lab (expires 2020-01-31): sandbox notebooks, no data\n"
        ),
        "{}",
        text.stdout
    );
    // A future expiry still applies.
    std::fs::write(
        dir.join("sagescan.toml"),
        format!("{WAIVE_LAB}expires = 2999-12-31\n"),
    )
    .unwrap();
    assert_eq!(
        sagescan(dir, &["scan", "infra", "--checks", "SM111"]).code,
        0
    );
}

#[test]
fn a_waiver_that_matches_nothing_is_reported_as_unused() {
    let tmp = workspace(Some(&WAIVE_LAB.replace("instance.lab", "instance.gone")));
    let dir = tmp.path();
    let run = sagescan(
        dir,
        &["scan", "infra", "--checks", "SM111", "--format", "json"],
    );
    assert_eq!(run.code, 1);
    let doc = json(&run);
    assert_eq!(
        doc["waivers"]["unused"][0]["resource"],
        "aws_sagemaker_notebook_instance.gone"
    );
    assert_eq!(doc["waivers"]["expired"], serde_json::json!([]));
}

#[test]
fn inline_waivers_apply_to_their_resource_only() {
    let run = sagescan(
        &fixture("inline"),
        &["scan", ".", "--checks", "SM111", "--format", "json"],
    );
    assert_eq!(run.code, 1, "prod is not waived: {}", run.stderr);
    let doc = json(&run);
    assert_eq!(
        statuses(&doc),
        [
            "SM111 aws_sagemaker_notebook_instance.lab suppressed",
            "SM111 aws_sagemaker_notebook_instance.prod fail",
        ]
    );
    assert_eq!(
        doc["findings"][0]["suppression"]["source"],
        serde_json::json!({"file": "./main.tf", "line": 2})
    );
    assert_eq!(
        doc["findings"][0]["suppression"]["reason"],
        "lab notebook on a sandbox account, no data"
    );
}

#[test]
fn an_inline_waiver_without_reason_is_an_error() {
    let run = sagescan(&fixture("inline_no_reason"), &["scan", "."]);
    assert_eq!(run.code, 2);
    assert!(run.stdout.is_empty());
    assert!(
        run.stderr
            .starts_with("./main.tf:5:3: waiver for SM111 has no reason"),
        "{}",
        run.stderr
    );
}

#[test]
fn a_severity_override_changes_what_fail_on_counts() {
    let tmp = workspace(None);
    let dir = tmp.path();
    let args = ["scan", "infra", "--checks", "SM111", "--fail-on", "high"];
    assert_eq!(sagescan(dir, &args).code, 1, "SM111 is high by default");
    std::fs::write(dir.join("sagescan.toml"), "[severity]\nSM111 = \"low\"\n").unwrap();
    let run = sagescan(dir, &args);
    assert_eq!(run.code, 0, "{}", run.stdout);
    assert!(
        run.stdout
            .contains("SM111 notebook-direct-internet-access (low, fail)")
    );
}

#[test]
fn checks_in_the_config_combine_with_the_command_line() {
    let tmp = workspace(Some(
        "[checks]\nenable = [\"SM1\"]\ndisable = [\"SM111\"]\n",
    ));
    let dir = tmp.path();
    let codes = |args: &[&str]| {
        let doc = json(&sagescan(dir, args));
        let mut c: Vec<String> = doc["findings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["code"].as_str().unwrap().to_string())
            .collect();
        c.dedup();
        c
    };
    let from_config = codes(&["scan", "infra", "--format", "json"]);
    assert!(
        !from_config.contains(&"SM111".to_string()),
        "{from_config:?}"
    );
    assert!(from_config.iter().all(|c| c.starts_with("SM1")));
    // --checks wins over both lists.
    assert_eq!(
        codes(&["scan", "infra", "--format", "json", "--checks", "SM111"]),
        ["SM111"]
    );
}

#[test]
fn init_writes_a_valid_template_and_refuses_to_overwrite() {
    let tmp = workspace(None);
    let dir = tmp.path();
    let run = sagescan(dir, &["init"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let text = std::fs::read_to_string(dir.join("sagescan.toml")).expect("written");
    assert!(text.contains("[options]") && text.contains("[[waivers]]"));
    // The template is a valid configuration that changes nothing.
    let scan = sagescan(dir, &["scan", "infra", "--checks", "SM111"]);
    assert_eq!(scan.code, 1, "{}", scan.stderr);

    std::fs::write(dir.join("sagescan.toml"), "# mine\n").unwrap();
    let again = sagescan(dir, &["init"]);
    assert_eq!(again.code, 2);
    assert!(again.stderr.contains("already exists"), "{}", again.stderr);
    assert_eq!(
        std::fs::read_to_string(dir.join("sagescan.toml")).unwrap(),
        "# mine\n"
    );
    assert_eq!(sagescan(dir, &["init", "--force"]).code, 0);
    assert_eq!(
        std::fs::read_to_string(dir.join("sagescan.toml")).unwrap(),
        text
    );
}
