//! The live collection's bounds, through the binary's flags: a listing that pages forever
//! ends at `--max-pages` as a coverage gap naming the API and region.
#![cfg(feature = "aws")]

use std::process::Command;

#[path = "support/aws_standin.rs"]
mod aws_standin;

#[test]
fn a_listing_that_pages_forever_ends_at_max_pages_as_a_named_gap() {
    let dir = tempfile::tempdir().unwrap();
    let url = aws_standin::refusing_aws();
    let out = Command::new(env!("CARGO_BIN_EXE_sagescan"))
        .current_dir(dir.path())
        .args([
            "scan",
            "--aws",
            "--regions=us-east-1",
            "--endpoint-url",
            &url,
        ])
        .args(["--max-pages", "3", "--no-store", "--format", "json"])
        .env("AWS_ACCESS_KEY_ID", "test")
        .env("AWS_SECRET_ACCESS_KEY", "test")
        .env_remove("AWS_PROFILE")
        .output()
        .unwrap();
    let report: serde_json::Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stderr)));
    let gaps: Vec<String> = report["coverage_gaps"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|g| g["kind"] == "pagination-limit")
        .map(|g| g["message"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(
        gaps.len(),
        1,
        "{gaps:?}; {}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(gaps[0].contains("ListNotebookInstances"), "{}", gaps[0]);
    assert!(gaps[0].contains("us-east-1"), "{}", gaps[0]);
    assert!(gaps[0].contains("3 pages"), "{}", gaps[0]);
}
