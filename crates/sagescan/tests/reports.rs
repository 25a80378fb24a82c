//! `scan -o FORMAT[:FILE]` end to end: several reports from one run, the SARIF checked
//! against the official schema and GitHub's constraints, and the HTML opened in a real
//! headless Chromium (rendered, filtered through the URL fragment, screenshotted) with
//! hostile names in the input.
//!
//! Chromium is Debian's `chromium` package, which `.ci/run` installs. Without it these
//! browser tests say they are skipped, unless `SAGESCAN_REQUIRE_CHROMIUM=1` (set by
//! `.ci/run`), where a missing browser fails them.

#[path = "../../sagescan-report/tests/support/sarif.rs"]
mod sarif_check;

use std::path::{Path, PathBuf};
use std::process::Command;

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// A fresh directory for one test's files, removed when dropped.
fn scratch() -> tempfile::TempDir {
    tempfile::tempdir().expect("create a scratch directory")
}

struct Run {
    code: i32,
    stdout: Vec<u8>,
    stderr: String,
}

fn sagescan(dir: &Path, args: &[&str]) -> Run {
    let out = Command::new(env!("CARGO_BIN_EXE_sagescan"))
        .current_dir(dir)
        .args(args)
        .output()
        .expect("the sagescan binary runs");
    Run {
        code: out.status.code().expect("exited, not killed by a signal"),
        stdout: out.stdout,
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

fn read(path: &Path) -> Vec<u8> {
    std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

#[test]
fn one_run_writes_every_report_and_only_the_chosen_one_goes_to_stdout() {
    let tmp = scratch();
    let dir = tmp.path();
    let file = |name: &str| dir.join(name).display().to_string();
    let outputs = [
        format!("sarif:{}", file("out.sarif")),
        format!("html:{}", file("out.html")),
        format!("junit:{}", file("out.xml")),
        format!("csv:{}", file("out.csv")),
        format!("markdown:{}", file("out.md")),
        "json".to_string(),
    ];
    let mut args = vec!["scan", "examples/studio"];
    for o in &outputs {
        args.extend(["-o", o.as_str()]);
    }
    let run = sagescan(&workspace_root(), &args);
    assert_eq!(
        run.code, 1,
        "the example has findings; stderr: {}",
        run.stderr
    );
    let json: serde_json::Value =
        serde_json::from_slice(&run.stdout).expect("stdout is the JSON report");
    let findings = json["findings"].as_array().expect("findings").len();
    assert!(findings > 0);

    let sarif: serde_json::Value =
        serde_json::from_slice(&read(&dir.join("out.sarif"))).expect("SARIF is JSON");
    assert_eq!(sarif_check::problems(&sarif), Vec::<String>::new());
    let results = sarif["runs"][0]["results"].as_array().expect("results");
    assert_eq!(results.len(), findings);
    let uri = &results[0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"];
    assert!(
        uri.as_str()
            .is_some_and(|u| u.starts_with("examples/studio/")),
        "paths stay relative as given: {uri}"
    );

    let junit = String::from_utf8(read(&dir.join("out.xml"))).expect("UTF-8");
    assert!(junit.starts_with("<?xml"));
    assert_eq!(
        junit.matches("<testcase ").count(),
        findings,
        "one case per finding, no gaps"
    );
    let csv = String::from_utf8(read(&dir.join("out.csv"))).expect("UTF-8");
    assert_eq!(
        csv.matches("\r\n").count(),
        findings + 1,
        "header and one row per finding"
    );
    let md = String::from_utf8(read(&dir.join("out.md"))).expect("UTF-8");
    assert!(md.starts_with("## sagescan"));
    let html = String::from_utf8(read(&dir.join("out.html"))).expect("UTF-8");
    assert!(html.starts_with("<!DOCTYPE html>") && html.contains("<svg"));
}

#[test]
fn reports_are_the_same_bytes_every_run() {
    let tmp = scratch();
    let dir = tmp.path();
    let mut previous: Option<Vec<Vec<u8>>> = None;
    for round in 0..2 {
        let names = ["a.sarif", "a.html", "a.xml", "a.csv", "a.md"];
        let formats = ["sarif", "html", "junit", "csv", "markdown"];
        let outputs: Vec<String> = formats
            .iter()
            .zip(names)
            .map(|(f, n)| format!("{f}:{}", dir.join(format!("{round}{n}")).display()))
            .collect();
        let mut args = vec!["scan", "examples/studio"];
        for o in &outputs {
            args.extend(["-o", o.as_str()]);
        }
        let run = sagescan(&workspace_root(), &args);
        assert_eq!(run.code, 1, "{}", run.stderr);
        let bytes: Vec<Vec<u8>> = names
            .iter()
            .map(|n| read(&dir.join(format!("{round}{n}"))))
            .collect();
        if let Some(prev) = &previous {
            for ((a, b), n) in prev.iter().zip(&bytes).zip(names) {
                assert!(a == b, "{n} differs between two runs");
            }
        }
        previous = Some(bytes);
    }
}

#[test]
fn sarif_proposes_safe_fixes_as_replacements() {
    let tmp = scratch();
    let dir = tmp.path();
    std::fs::write(
        dir.join("main.tf"),
        "resource \"aws_sagemaker_model\" \"m\" {\n  name               = \"m\"\n  execution_role_arn = \"arn:aws:iam::123456789012:role/r\"\n}\n",
    )
    .expect("write the fixture");
    let run = sagescan(dir, &["scan", ".", "--no-store", "-o", "sarif:out.sarif"]);
    assert_eq!(run.code, 1, "stderr: {}", run.stderr);
    let sarif: serde_json::Value =
        serde_json::from_slice(&read(&dir.join("out.sarif"))).expect("SARIF is JSON");
    assert_eq!(sarif_check::problems(&sarif), Vec::<String>::new());
    let results = sarif["runs"][0]["results"].as_array().expect("results");
    let isolation = results
        .iter()
        .find(|r| r["ruleId"] == "SM121")
        .expect("SM121 fails on a model without isolation");
    let fix = &isolation["fixes"][0];
    assert_eq!(fix["description"]["text"], "Enable network isolation");
    let change = &fix["artifactChanges"][0];
    assert_eq!(change["artifactLocation"]["uri"], "main.tf");
    let replacement = &change["replacements"][0];
    assert!(
        replacement["insertedContent"]["text"]
            .as_str()
            .is_some_and(|t| t.contains("enable_network_isolation = true")),
        "{replacement}"
    );
    // A fix that needs a decision (a KMS key) is not proposed.
    assert!(
        results
            .iter()
            .filter(|r| r["ruleId"] == "SM122")
            .all(|r| r.get("fixes").is_none())
    );
}

#[test]
fn two_reports_for_stdout_or_an_unknown_format_are_errors() {
    let run = sagescan(
        &workspace_root(),
        &["scan", "examples/studio", "-o", "json", "-o", "csv"],
    );
    assert_eq!(run.code, 2);
    assert!(run.stdout.is_empty());
    assert!(
        run.stderr
            .contains("more than one -o report goes to stdout"),
        "{}",
        run.stderr
    );

    let run = sagescan(
        &workspace_root(),
        &["scan", "examples/studio", "-o", "pdf:x.pdf"],
    );
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("unknown report format `pdf`; expected one of text, json, sarif, junit, html, csv, markdown"),
        "{}",
        run.stderr
    );
}

/// The browser, or `None` (and a visible note) when it is absent and not required.
fn chromium() -> Option<PathBuf> {
    let found = std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .flat_map(|p| ["chromium", "chromium-browser"].map(|n| p.join(n)))
            .find(|p| p.is_file())
    });
    if found.is_none() {
        assert!(
            std::env::var("SAGESCAN_REQUIRE_CHROMIUM").as_deref() != Ok("1"),
            "SAGESCAN_REQUIRE_CHROMIUM=1 but no chromium on PATH"
        );
        eprintln!(
            "SKIPPED: chromium is not installed (apt-get install chromium); the HTML report was not opened in a browser"
        );
    }
    found
}

/// Runs headless Chromium on `page` with `extra` arguments; returns its stdout.
fn browse(browser: &Path, profile: &Path, extra: &[&str], page: &str) -> String {
    let out = Command::new(browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--no-first-run",
            "--timeout=30000",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .args(extra)
        .arg(page)
        .output()
        .expect("chromium runs");
    assert!(
        out.status.success(),
        "chromium failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// The seed network with its NAT subnet routed straight to the internet gateway, so the
/// workloads' internet path skips the firewall one way (NET104 with a path to draw), and a
/// CloudFormation template in a directory named `"&<>` with a notebook whose logical id is
/// a script.
fn hostile_inputs(dir: &Path) -> (PathBuf, PathBuf) {
    let seed = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/seed");
    let bypass = dir.join("bypass");
    std::fs::create_dir_all(&bypass).expect("mkdir");
    for entry in std::fs::read_dir(&seed).expect("seed fixture") {
        let entry = entry.expect("dir entry");
        let text = std::fs::read_to_string(entry.path()).expect("read seed file");
        let firewall = "vpc_endpoint_id = tolist(aws_networkfirewall_firewall.main.firewall_status[0].sync_states)[0].attachment[0].endpoint_id";
        let text = if entry.file_name() == "network.tf" {
            // Only the first such route: the public subnet's default route.
            text.replacen(firewall, "gateway_id = aws_internet_gateway.igw.id", 1)
        } else {
            text
        };
        std::fs::write(bypass.join(entry.file_name()), text).expect("write");
    }
    let evil = dir.join("evil\"&<>");
    std::fs::create_dir_all(&evil).expect("mkdir");
    let template = r#"{
  "AWSTemplateFormatVersion": "2010-09-09",
  "Resources": {
    "<script>document.body.setAttribute('data-pwned','1')</script>": {
      "Type": "AWS::SageMaker::NotebookInstance",
      "Properties": {
        "InstanceType": "ml.t3.medium",
        "RoleArn": "arn:aws:iam::123456789012:role/x",
        "DirectInternetAccess": "Enabled"
      }
    }
  }
}
"#;
    std::fs::write(evil.join("template.json"), template).expect("write");
    (bypass, evil)
}

#[test]
fn html_report_renders_filters_and_stays_inert_in_chromium() {
    let Some(browser) = chromium() else { return };
    let tmp = scratch();
    let dir = tmp.path();
    let (bypass, evil) = hostile_inputs(dir);
    let html = dir.join("report.html");
    let out = format!("html:{}", html.display());
    let run = sagescan(
        dir,
        &[
            "scan",
            &bypass.display().to_string(),
            &evil.display().to_string(),
            "-o",
            &out,
        ],
    );
    assert_eq!(run.code, 1, "{}", run.stderr);
    let source = String::from_utf8(read(&html)).expect("UTF-8");
    let net104 = source.matches(r#"data-search="net104"#).count();
    let rows = source.matches("<tr data-severity=").count();
    assert!(
        net104 >= 1 && rows > net104,
        "NET104 findings to filter for: {net104} of {rows}"
    );
    let url = format!("file://{}", html.display());

    // Rendered: the script ran (the count is filled in), the diagram is there with the
    // offending path drawn, and the injected script did nothing.
    let dom = browse(&browser, &dir.join("profile"), &["--dump-dom"], &url);
    assert!(dom.contains(&format!("{rows} of {rows} shown")), "{dom}");
    assert!(dom.contains("<svg") && dom.contains("class=\"edge on-path\""));
    assert!(dom.contains("Network Firewall endpoint"));
    assert!(
        !dom.contains("data-pwned=\"1\""),
        "the resource name ran as a script"
    );
    assert!(dom.contains("&lt;script&gt;document.body.setAttribute"));
    // The directory name, as a text node: `"` needs no escaping there, `&<>` do.
    assert!(dom.contains("evil\"&amp;&lt;&gt;/template.json"));

    // Filtered through the URL fragment: only the NET104 rows stay visible.
    let dom = browse(
        &browser,
        &dir.join("profile"),
        &["--dump-dom"],
        &format!("{url}#filter=NET104"),
    );
    assert!(dom.contains(&format!("{net104} of {rows} shown")), "{dom}");
    let visible: Vec<&str> = dom
        .split("<tr data-severity=")
        .skip(1)
        .filter(|row| !row.split('>').next().unwrap_or_default().contains("hidden"))
        .collect();
    assert_eq!(visible.len(), net104);
    assert!(visible.iter().all(|row| row.contains("NET104")));

    // A screenshot, for people (and proof that it paints).
    let shot = dir.join("report.png");
    browse(
        &browser,
        &dir.join("profile"),
        &[
            "--window-size=1400,2000",
            &format!("--screenshot={}", shot.display()),
        ],
        &url,
    );
    let png = read(&shot);
    assert!(
        png.starts_with(b"\x89PNG\r\n\x1a\n") && png.len() > 20_000,
        "{} bytes",
        png.len()
    );
}
