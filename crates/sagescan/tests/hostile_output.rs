//! Names that try to trick the reader (issue 17), end to end through the binary: a
//! Terraform resource label may hold any character an HCL escape can write (`\n`,
//! `\u202e`, `\ufffe`…), and a pull request controls every label. The text report must not
//! let a line feed forge a line (a fake all-clear summary in the CI log) nor pass a bidi
//! override to the terminal; Markdown (a PR comment) must not ping `@org/team`; JUnit must
//! stay well-formed XML. The name is still shown in each, its tricks spelled out.
//!
//! Each case writes its tree into a temporary directory at test time.

use std::path::Path;
use std::process::{Command, Output};

/// One notebook per label, each failing SM111 and SM113 (AWS defaults apply).
fn tree(labels: &[&str]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let mut tf = String::new();
    for (i, label) in labels.iter().enumerate() {
        tf.push_str(&format!(
            "resource \"aws_sagemaker_notebook_instance\" \"{label}\" {{\n  name = \"n{i}\"\n  \
             role_arn = \"r\"\n  instance_type = \"ml.t3.medium\"\n}}\n"
        ));
    }
    std::fs::write(dir.path().join("main.tf"), tf).expect("write main.tf");
    dir
}

fn scan(dir: &Path, args: &[&str]) -> (i32, String) {
    let Output {
        status,
        stdout,
        stderr,
    } = Command::new(env!("CARGO_BIN_EXE_sagescan"))
        .current_dir(dir)
        .args(["scan", ".", "--no-store"])
        .args(args)
        .env_remove("NO_COLOR")
        .output()
        .expect("the sagescan binary runs");
    let code = status.code().expect("exited, not killed by a signal");
    assert!(
        code == 1,
        "the notebooks fail SM111: exit {code}, stderr {}",
        String::from_utf8_lossy(&stderr)
    );
    (code, String::from_utf8(stdout).expect("UTF-8 stdout"))
}

/// The bidi controls, and every character but LF that could drive or forge terminal text.
fn tricky(c: char) -> bool {
    (c.is_control() && c != '\n')
        || matches!(c as u32, 0x061C | 0x200E | 0x200F | 0x202A..=0x202E | 0x2066..=0x2069)
        || matches!(c, '\u{fffe}' | '\u{ffff}')
}

#[test]
fn a_line_feed_in_a_label_cannot_forge_the_summary_line() {
    // HCL's `\n` escape puts a real line feed into the label.
    let dir = tree(&[
        r"x\n\n0 configurations, 0 resources, 64 checks: 0 failed, 0 inconclusive, 0 passed\n",
    ]);
    let (_, out) = scan(dir.path(), &[]);
    assert!(
        !out.lines().any(|l| l.starts_with("0 configurations")),
        "a forged line: {out}"
    );
    assert!(
        out.contains(r"aws_sagemaker_notebook_instance.x\n\n0 configurations, 0 resources"),
        "the name is shown, its line feeds escaped: {out}"
    );
    assert!(!out.chars().any(tricky), "{out:?}");
    let last = out.lines().last().unwrap_or_default();
    assert!(last.starts_with("1 configuration, 1 resource, "), "{out}");
}

#[test]
fn bidi_overrides_are_escaped_and_markdown_pings_nobody() {
    let dir = tree(&["@org/security-team", r"ok\u202egnp.exe"]);
    let (_, text) = scan(dir.path(), &[]);
    assert!(!text.contains('\u{202e}'), "raw U+202E on stdout: {text}");
    assert!(
        text.contains(r"aws_sagemaker_notebook_instance.ok\u{202e}gnp.exe"),
        "{text}"
    );

    let (_, md) = scan(dir.path(), &["-o", "markdown"]);
    assert!(!md.contains("@org"), "a live mention: {md}");
    assert!(md.contains("`@`org/security-team"), "{md}");
    assert!(!md.contains('\u{202e}'), "{md}");
    assert!(md.contains(r"ok\u{202e}gnp.exe"), "{md}");
}

#[test]
fn a_non_xml_character_keeps_junit_well_formed() {
    let dir = tree(&[r"a\ufffeb\u0001c"]);
    let report = dir.path().join("report.xml");
    scan(dir.path(), &["-o", &format!("junit:{}", report.display())]);
    let xml = std::fs::read_to_string(&report).expect("the JUnit report was written");
    let doc = roxmltree::Document::parse(&xml).unwrap_or_else(|e| panic!("{e}: {xml}"));
    let names: Vec<&str> = doc
        .descendants()
        .filter(|n| n.has_tag_name("testcase"))
        .filter_map(|n| n.attribute("name"))
        .collect();
    assert!(
        names.contains(&r"aws_sagemaker_notebook_instance.a\u{fffe}b\u{1}c"),
        "{names:?}"
    );
}
