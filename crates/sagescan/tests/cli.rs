//! End-to-end tests of the `sagescan` binary: the real loader, checks and emitters on small
//! fixture roots (tests/fixtures/) and on the bundled example (examples/studio).
//!
//! Commands run with the fixture directory (or the workspace root) as working directory
//! and relative paths, so that reports are byte-for-byte reproducible and show that paths
//! stay as the user gave them. stdout is a pipe here, so the text report has no colour.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

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
            Path::new(env!("CARGO_TARGET_TMPDIR")).join("history-cli.sqlite3"),
        )
        .current_dir(dir)
        .args(args)
        .env_remove("NO_COLOR")
        .output()
        .expect("the sagescan binary runs");
    Run {
        code: status.code().expect("exited, not killed by a signal"),
        stdout: String::from_utf8(stdout).expect("UTF-8 stdout"),
        stderr: String::from_utf8(stderr).expect("UTF-8 stderr"),
    }
}

fn json(run: &Run) -> serde_json::Value {
    serde_json::from_str(&run.stdout).unwrap_or_else(|e| panic!("{e}: {}", run.stdout))
}

#[test]
fn example_text_report() {
    let run = sagescan(&workspace_root(), &["scan", "examples/studio"]);
    assert_eq!(
        run.code, 1,
        "the example has deliberate findings; stderr: {}",
        run.stderr
    );
    assert!(
        !run.stdout.contains('\u{1b}'),
        "no colour when stdout is not a terminal"
    );
    insta::assert_snapshot!(run.stdout);
}

#[test]
fn example_json_report() {
    let run = sagescan(
        &workspace_root(),
        &["scan", "examples/studio", "--format", "json"],
    );
    assert_eq!(run.code, 1, "stderr: {}", run.stderr);
    let doc = json(&run);
    assert_eq!(doc["schema_version"], 1);
    // The three findings the example's comments announce, each a real failure.
    let failed: Vec<&str> = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["status"] == "fail")
        .filter_map(|f| f["code"].as_str())
        .collect();
    for code in ["SM102", "SM113", "SM131"] {
        assert!(failed.contains(&code), "{code} does not fail: {failed:?}");
    }
    insta::assert_snapshot!(run.stdout);
}

#[test]
fn relative_paths_stay_relative() {
    let run = sagescan(
        &workspace_root(),
        &["scan", "examples/studio", "--format", "json"],
    );
    let doc = json(&run);
    let findings = doc["findings"].as_array().unwrap();
    assert!(!findings.is_empty());
    for f in findings {
        let file = f["location"]["file"].as_str().unwrap_or_default();
        assert!(file.starts_with("examples/studio/"), "{file}");
    }
}

#[test]
fn fail_on_sets_the_threshold() {
    let dir = fixtures();
    let args =
        |fail_on: &'static str| ["scan", "imdsv1", "--checks", "SM115", "--fail-on", fail_on];
    let low = sagescan(&dir, &args("low"));
    assert_eq!(
        low.code, 1,
        "a medium finding fails at --fail-on low: {}",
        low.stdout
    );
    assert!(low.stdout.contains("SM115"), "{}", low.stdout);
    assert_eq!(sagescan(&dir, &args("medium")).code, 1);
    let high = sagescan(&dir, &args("high"));
    assert_eq!(
        high.code, 0,
        "a medium finding passes at --fail-on high: {}",
        high.stdout
    );
    assert!(
        high.stdout.contains("SM115"),
        "the finding is still reported"
    );
}

#[test]
fn malformed_file_is_reported_and_the_rest_still_scanned() {
    let run = sagescan(&fixtures(), &["scan", "partly_broken"]);
    assert_eq!(
        run.code, 1,
        "good.tf's notebook still fails; stderr: {}",
        run.stderr
    );
    assert!(
        run.stdout.contains("partly_broken/bad.tf:4:"),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("SM111"), "{}", run.stdout);
    insta::assert_snapshot!(run.stdout);
}

#[test]
fn nothing_scanned_is_a_tool_error() {
    let run = sagescan(&fixtures(), &["scan", "all_broken"]);
    assert_eq!(run.code, 2, "{}", run.stdout);
    assert!(
        run.stderr.contains("nothing could be scanned"),
        "{}",
        run.stderr
    );
    assert!(
        run.stdout.contains("all_broken/main.tf:2:"),
        "the gap is reported: {}",
        run.stdout
    );
}

#[test]
fn inconclusive_does_not_change_the_exit_code() {
    let run = sagescan(&fixtures(), &["scan", "vars", "--checks", "SM111"]);
    assert_eq!(run.code, 0, "{}", run.stdout);
    assert!(run.stdout.contains("inconclusive"), "{}", run.stdout);
    assert!(run.stdout.contains("var.direct_access"), "{}", run.stdout);
}

#[test]
fn var_and_var_file_resolve_variables() {
    let dir = fixtures();
    let var = sagescan(
        &dir,
        &[
            "scan",
            "vars",
            "--checks",
            "SM111",
            "--var",
            "direct_access=Enabled",
        ],
    );
    assert_eq!(var.code, 1, "{}", var.stdout);
    let ok = sagescan(
        &dir,
        &[
            "scan",
            "vars",
            "--checks",
            "SM111",
            "--var",
            "direct_access=Disabled",
        ],
    );
    assert_eq!(ok.code, 0, "{}", ok.stdout);
    assert!(
        ok.stdout.contains("0 failed, 0 inconclusive, 1 passed"),
        "{}",
        ok.stdout
    );
    let file = sagescan(
        &dir,
        &[
            "scan",
            "vars",
            "--checks",
            "SM111",
            "--var-file",
            "enabled.tfvars",
        ],
    );
    assert_eq!(file.code, 1, "{}", file.stdout);
}

#[test]
fn unknown_check_code_is_an_error_naming_it() {
    let run = sagescan(&fixtures(), &["scan", "imdsv1", "--checks", "SM111,SM999"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("`SM999`"), "{}", run.stderr);
    assert!(
        run.stdout.is_empty(),
        "no report on a usage error: {}",
        run.stdout
    );
}

#[test]
fn missing_path_is_a_tool_error() {
    let run = sagescan(&fixtures(), &["scan", "does-not-exist"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("does-not-exist"), "{}", run.stderr);
}

#[test]
fn explain_prints_the_page_under_a_header() {
    let run = sagescan(&fixtures(), &["explain", "sm111"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let check = sagescan_checks::find("SM111").expect("SM111 is registered");
    let header = format!(
        "SM111 {} (severity: {})\n{}\n",
        check.name, check.severity, check.summary
    );
    assert!(run.stdout.starts_with(&header), "{}", run.stdout);
    assert!(run.stdout.ends_with(&check.page()), "{}", run.stdout);
}

#[test]
fn explain_unknown_code_suggests_a_close_one() {
    let run = sagescan(&fixtures(), &["explain", "notebook-direct-internet-acess"]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr
            .contains("did you mean `notebook-direct-internet-access`?"),
        "{}",
        run.stderr
    );
    let far = sagescan(&fixtures(), &["explain", "XYZ"]);
    assert_eq!(far.code, 2);
    assert!(!far.stderr.contains("did you mean"), "{}", far.stderr);
}

#[test]
fn checks_lists_every_check() {
    let text = sagescan(&fixtures(), &["checks"]);
    assert_eq!(text.code, 0);
    assert!(text.stdout.starts_with("CODE"), "{}", text.stdout);
    for check in sagescan_checks::CHECKS {
        let line = text
            .stdout
            .lines()
            .find(|l| l.starts_with(check.code))
            .expect("a row per check");
        assert!(
            line.contains(check.name) && line.contains(check.severity.as_str()),
            "{line}"
        );
    }
    let doc = json(&sagescan(&fixtures(), &["checks", "--format", "json"]));
    assert_eq!(
        doc.as_array().map(Vec::len),
        Some(sagescan_checks::CHECKS.len())
    );
    assert_eq!(doc[0]["code"], sagescan_checks::CHECKS[0].code);
}

#[test]
fn closed_stdout_is_not_an_error() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_sagescan"))
        // Scans are recorded: into the build's scratch directory, never the user's.
        .env(
            "SAGESCAN_STORE",
            Path::new(env!("CARGO_TARGET_TMPDIR")).join("history-cli.sqlite3"),
        )
        .current_dir(workspace_root())
        .args(["scan", "examples/studio"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the sagescan binary runs");
    // Close the read end before sagescan writes, like `sagescan scan … | head -0`.
    drop(child.stdout.take());
    let out = child.wait_with_output().expect("sagescan finishes");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(
        out.status.code(),
        Some(1),
        "the exit code still reflects the findings: {stderr}"
    );
    assert!(!stderr.contains("error"), "{stderr}");
}
