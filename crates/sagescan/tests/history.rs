//! Scan history end to end: scans recorded into SQLite and PostgreSQL, `history`, `diff`
//! across a fix, `--baseline`, parallel writers, and what happens when the store fails.
//!
//! Each test scans its own copy of a small Terraform root (tests/fixtures/imdsv1: a notebook
//! allowing IMDSv1, SM115) so that it can "fix" it between scans, and uses its own store.

#[path = "support/postgres.rs"]
#[cfg(feature = "postgres")]
mod postgres_server;

use sagescan_store::{Location, Store};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

/// Runs sagescan in `dir` with the given store, and no store from the environment.
fn sagescan(dir: &Path, store: &str, args: &[&str]) -> Run {
    let Output {
        status,
        stdout,
        stderr,
    } = Command::new(env!("CARGO_BIN_EXE_sagescan"))
        .current_dir(dir)
        .args(args)
        .env("SAGESCAN_STORE", store)
        .output()
        .expect("the sagescan binary runs");
    Run {
        code: status.code().expect("exited, not killed by a signal"),
        stdout: String::from_utf8(stdout).expect("UTF-8 stdout"),
        stderr: String::from_utf8(stderr).expect("UTF-8 stderr"),
    }
}

fn json(run: &Run) -> Value {
    serde_json::from_str(&run.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}\n{}", run.stdout, run.stderr))
}

/// A copy of the IMDSv1 root in a temporary directory.
fn root() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/imdsv1/main.tf");
    std::fs::copy(fixture, dir.path().join("main.tf")).expect("copying the fixture");
    dir
}

/// Requires IMDSv2 on the notebook: the fix for SM115.
fn fix_imdsv1(dir: &Path) {
    let path = dir.join("main.tf");
    let text = std::fs::read_to_string(&path).unwrap();
    let fixed = text.replace("service_version = \"1\"", "service_version = \"2\"");
    assert_ne!(text, fixed, "the fixture still allows IMDSv1");
    std::fs::write(path, fixed).unwrap();
}

/// `(code, resource)` of a list of findings in a diff document.
fn codes(findings: &Value) -> Vec<(String, String)> {
    findings
        .as_array()
        .expect("an array of findings")
        .iter()
        .map(|f| {
            (
                f["code"].as_str().unwrap().to_string(),
                f["resource"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

/// The acceptance scenario: scan, fix, scan, and `diff` (no arguments) shows the fix as
/// resolved; the other way round it is new, and that exits 1.
fn a_fix_between_two_scans_shows_as_resolved(store: &str) {
    let dir = root();
    let first = sagescan(dir.path(), store, &["scan", ".", "--no-config"]);
    assert_eq!(first.code, 1, "{}", first.stderr);
    assert!(
        first.stderr.contains("recorded as scan"),
        "{}",
        first.stderr
    );
    fix_imdsv1(dir.path());
    let second = sagescan(dir.path(), store, &["scan", ".", "--no-config"]);
    assert_eq!(second.code, 1, "other findings remain: {}", second.stderr);

    let diff = sagescan(dir.path(), store, &["diff", "--format", "json"]);
    assert_eq!(diff.code, 0, "nothing new: {}", diff.stderr);
    let doc = json(&diff);
    let notebook = "aws_sagemaker_notebook_instance.nb".to_string();
    assert_eq!(
        codes(&doc["resolved"]),
        [("SM115".to_string(), notebook.clone())]
    );
    assert_eq!(codes(&doc["new"]), []);
    let unchanged = codes(&doc["unchanged"]);
    assert!(
        unchanged.contains(&("SM112".to_string(), notebook.clone())),
        "{unchanged:?}"
    );
    assert!(!unchanged.iter().any(|(code, _)| code == "SM115"));
    assert_eq!(
        doc["notes"],
        serde_json::json!([]),
        "same target, rules and version"
    );
    let (from, to) = (
        doc["from"]["id"].as_i64().unwrap(),
        doc["to"]["id"].as_i64().unwrap(),
    );
    assert!(from < to);

    let text = sagescan(dir.path(), store, &["diff"]);
    assert_eq!(text.code, 0, "{}", text.stderr);
    assert!(
        text.stdout.contains(
            "\nResolved: 1\n  - SM115 [medium, fail] aws_sagemaker_notebook_instance.nb (.)\n"
        ),
        "{}",
        text.stdout
    );
    assert!(text.stdout.contains("\nNew: 0\n"), "{}", text.stdout);

    let backwards = sagescan(
        dir.path(),
        store,
        &[
            "diff",
            &to.to_string(),
            &from.to_string(),
            "--format",
            "json",
        ],
    );
    assert_eq!(
        backwards.code, 1,
        "a new failed finding exits 1: {}",
        backwards.stderr
    );
    assert_eq!(
        codes(&json(&backwards)["new"]),
        [("SM115".to_string(), notebook)]
    );

    let history = json(&sagescan(
        dir.path(),
        store,
        &["history", "--format", "json"],
    ));
    let ids: Vec<i64> = history
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["id"].as_i64().unwrap())
        .collect();
    assert_eq!(ids[..2], [to, from], "newest first");
    assert_eq!(
        history[0]["failed"].as_u64().unwrap() + 1,
        history[1]["failed"].as_u64().unwrap()
    );
}

#[test]
fn sqlite_a_fix_between_two_scans_shows_as_resolved() {
    let store = tempfile::tempdir().unwrap();
    a_fix_between_two_scans_shows_as_resolved(store.path().join("h.sqlite3").to_str().unwrap());
}

#[cfg(feature = "postgres")]
#[test]
fn postgres_a_fix_between_two_scans_shows_as_resolved() {
    if let Some(url) = postgres_server::database("sagescan_fix") {
        a_fix_between_two_scans_shows_as_resolved(&url);
    }
}

/// Parallel scan processes into one store: every scan and every finding row arrives.
fn parallel_scans_lose_nothing(store: &str) {
    const SCANS: usize = 8;
    let dir = root();
    let children: Vec<_> = (0..SCANS)
        .map(|_| {
            Command::new(env!("CARGO_BIN_EXE_sagescan"))
                .current_dir(dir.path())
                .args(["scan", ".", "--no-config", "--format", "json"])
                .env("SAGESCAN_STORE", store)
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .expect("the sagescan binary runs")
        })
        .collect();
    let mut per_scan = None;
    for child in children {
        let out = child.wait_with_output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{stderr}");
        assert!(stderr.contains("recorded as scan"), "{stderr}");
        let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
        let n = doc["findings"].as_array().unwrap().len();
        assert_eq!(
            *per_scan.get_or_insert(n),
            n,
            "every scan sees the same findings"
        );
    }
    let per_scan = per_scan.unwrap();
    assert!(per_scan > 0);

    let mut store = Store::open(&Location::parse(store).unwrap()).unwrap();
    let scans = store.scans(None, None).unwrap();
    assert_eq!(scans.len(), SCANS);
    let rows: usize = scans
        .iter()
        .map(|s| store.findings(s.id).unwrap().len())
        .sum();
    assert_eq!(rows, SCANS * per_scan);
}

#[test]
fn sqlite_parallel_scans_lose_nothing() {
    let store = tempfile::tempdir().unwrap();
    parallel_scans_lose_nothing(store.path().join("h.sqlite3").to_str().unwrap());
}

#[cfg(feature = "postgres")]
#[test]
fn postgres_parallel_scans_lose_nothing() {
    if let Some(url) = postgres_server::database("sagescan_parallel") {
        parallel_scans_lose_nothing(&url);
    }
}

#[test]
fn a_baseline_fails_only_on_new_findings() {
    let store_dir = tempfile::tempdir().unwrap();
    let store = store_dir.path().join("h.sqlite3");
    let store = store.to_str().unwrap();
    let dir = root();
    let report = sagescan(
        dir.path(),
        store,
        &["scan", ".", "--no-config", "--format", "json"],
    );
    assert_eq!(report.code, 1);
    let baseline_file = store_dir.path().join("baseline.json");
    std::fs::write(&baseline_file, &report.stdout).unwrap();
    let baseline_file = baseline_file.to_str().unwrap();

    // Nothing changed: every failure is in the baseline, by file and by scan id.
    let same = sagescan(
        dir.path(),
        store,
        &["scan", ".", "--no-config", "--baseline", baseline_file],
    );
    assert_eq!(same.code, 0, "{}", same.stderr);
    assert!(
        same.stderr.contains("0 of 5 failed findings are new"),
        "{}",
        same.stderr
    );
    let same_by_id = sagescan(
        dir.path(),
        store,
        &["scan", ".", "--no-config", "--baseline", "1"],
    );
    assert_eq!(same_by_id.code, 0, "{}", same_by_id.stderr);

    // A second notebook with root access: its findings are new and fail the scan.
    let extra = std::fs::read_to_string(dir.path().join("main.tf"))
        .unwrap()
        .replace("\"nb\"", "\"other\"");
    std::fs::write(dir.path().join("other.tf"), extra).unwrap();
    let worse = sagescan(
        dir.path(),
        store,
        &["scan", ".", "--no-config", "--baseline", baseline_file],
    );
    assert_eq!(worse.code, 1, "{}", worse.stderr);
    assert!(
        worse.stderr.contains("5 of 10 failed findings are new"),
        "{}",
        worse.stderr
    );
    assert!(
        worse
            .stderr
            .contains("new: SM115 medium aws_sagemaker_notebook_instance.other"),
        "{}",
        worse.stderr
    );
    assert!(!worse.stderr.contains("instance.nb ("), "{}", worse.stderr);
}

#[test]
fn a_baseline_that_cannot_be_read_is_a_tool_error() {
    let store_dir = tempfile::tempdir().unwrap();
    let store = store_dir.path().join("h.sqlite3");
    let dir = root();
    let missing = sagescan(
        dir.path(),
        store.to_str().unwrap(),
        &["scan", ".", "--baseline", "42"],
    );
    assert_eq!(missing.code, 2);
    assert!(
        missing.stderr.contains("there is no scan 42"),
        "{}",
        missing.stderr
    );
    let old = store_dir.path().join("old.json");
    std::fs::write(
        &old,
        r#"{"schema_version": 1, "findings": [{"code": "SM115"}]}"#,
    )
    .unwrap();
    let unfingerprinted = sagescan(
        dir.path(),
        store.to_str().unwrap(),
        &["scan", ".", "--baseline", old.to_str().unwrap()],
    );
    assert_eq!(unfingerprinted.code, 2);
    assert!(
        unfingerprinted.stderr.contains("has no `fingerprint`"),
        "{}",
        unfingerprinted.stderr
    );
}

#[test]
fn diff_needs_two_scans_of_the_target() {
    let store_dir = tempfile::tempdir().unwrap();
    let store = store_dir.path().join("h.sqlite3");
    let store = store.to_str().unwrap();
    let dir = root();
    let empty = sagescan(dir.path(), store, &["diff"]);
    assert_eq!(empty.code, 2);
    assert!(
        empty.stderr.contains("no scan is recorded yet"),
        "{}",
        empty.stderr
    );
    sagescan(dir.path(), store, &["scan", "."]);
    let one = sagescan(dir.path(), store, &["diff", "--target", "."]);
    assert_eq!(one.code, 2);
    assert!(
        one.stderr.contains("fewer than two scans of"),
        "{}",
        one.stderr
    );
}

#[test]
fn diff_notes_scans_judged_by_different_rules_or_names() {
    let store_dir = tempfile::tempdir().unwrap();
    let store = store_dir.path().join("h.sqlite3");
    let store = store.to_str().unwrap();
    let dir = root();
    sagescan(dir.path(), store, &["scan", ".", "--no-config"]);
    let skipped = sagescan(
        dir.path(),
        store,
        &["scan", ".", "--no-config", "--skip-checks", "SM115"],
    );
    assert!(
        skipped.stderr.contains("recorded as scan 2"),
        "{}",
        skipped.stderr
    );
    let doc = json(&sagescan(
        dir.path(),
        store,
        &["diff", "1", "2", "--format", "json"],
    ));
    assert_eq!(codes(&doc["resolved"]).len(), 1);
    let notes = doc["notes"].to_string();
    assert!(
        notes.contains("different configurations or checks"),
        "{notes}"
    );

    // The same directory named by its absolute path: one target, other configuration names.
    let absolute = dir.path().canonicalize().unwrap();
    sagescan(
        dir.path(),
        store,
        &["scan", absolute.to_str().unwrap(), "--no-config"],
    );
    let doc = json(&sagescan(
        dir.path(),
        store,
        &["diff", "1", "3", "--format", "json"],
    ));
    let notes = doc["notes"].to_string();
    assert!(
        notes.contains("configurations are named differently"),
        "{notes}"
    );
}

#[test]
fn an_unwritable_default_store_warns_and_a_named_one_fails() {
    let dir = root();
    // A data directory under a regular file cannot be created.
    let blocker = dir.path().join("not-a-directory");
    std::fs::write(&blocker, "").unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_sagescan"))
        .current_dir(dir.path())
        .args(["scan", ".", "--no-config"])
        .env_remove("SAGESCAN_STORE")
        .env("XDG_DATA_HOME", &blocker)
        .env("HOME", &blocker)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "the findings decide: {stderr}");
    assert!(
        stderr.contains("warning: the scan was not recorded"),
        "{stderr}"
    );

    let named: PathBuf = blocker.join("h.sqlite3");
    let run = sagescan(
        dir.path(),
        named.to_str().unwrap(),
        &["scan", ".", "--no-config"],
    );
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr.contains("opening the history store"),
        "{}",
        run.stderr
    );
    assert!(run.stdout.contains("SM115"), "the report is still written");

    let skipped = sagescan(
        dir.path(),
        named.to_str().unwrap(),
        &["scan", ".", "--no-config", "--no-store"],
    );
    assert_eq!(skipped.code, 1, "{}", skipped.stderr);
    assert!(!skipped.stderr.contains("recorded"), "{}", skipped.stderr);
}

/// A PostgreSQL store that accepts the connection and never answers (r19) fails the scan
/// with exit 2 and a message naming the store and the wait, instead of holding it forever.
/// The URL's `connect_timeout=1` keeps the test short; the default is 10 s.
#[test]
#[cfg(feature = "postgres")]
fn postgres_a_store_that_never_answers_fails_the_scan_naming_it() {
    use std::io::Read as _;
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for mut stream in listener.incoming().flatten() {
            std::thread::spawn(move || {
                let mut buf = [0u8; 4096];
                while matches!(stream.read(&mut buf), Ok(n) if n > 0) {}
            });
        }
    });
    let dir = root();
    let store = format!("postgres://ci@127.0.0.1:{port}/sagescan?connect_timeout=1");
    let run = sagescan(dir.path(), &store, &["scan", ".", "--no-config"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr
            .contains(&format!("opening the history store {store}")),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains(
            "did not answer while connecting (TCP, startup and authentication) within 1s"
        ),
        "{}",
        run.stderr
    );
    assert!(run.stdout.contains("SM115"), "the report is still written");
}
