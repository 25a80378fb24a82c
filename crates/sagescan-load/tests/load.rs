//! `load` end to end: evaluation, mapping into the model and the finished index.

use sagescan_load::{LoadOptions, load};
use std::path::PathBuf;

#[test]
fn malformed_file_leaves_the_rest_of_the_configuration_in_the_model() {
    let model = load(
        &[PathBuf::from("tests/fixtures/malformed")],
        &LoadOptions::default(),
    )
    .expect("loads");
    assert_eq!(model.configs.len(), 1);
    assert_eq!(model.configs[0].source, "terraform");
    let vpcs: Vec<&str> = model.vpcs.iter().map(|v| v.meta.address.as_str()).collect();
    assert_eq!(vpcs, ["aws_vpc.ok"]);
    let gaps: Vec<_> = model
        .gaps_of(0)
        .map(|g| {
            (
                g.kind.as_str(),
                g.origin.file().map(|f| (f.file.to_string(), f.line)),
            )
        })
        .collect();
    assert_eq!(
        gaps,
        [(
            "parse-error",
            Some(("tests/fixtures/malformed/bad.tf".to_string(), 5))
        )]
    );
    // Both files are kept for snippets, the broken one included.
    let sources: Vec<&str> = model.sources.iter().map(|s| s.path.as_str()).collect();
    assert_eq!(
        sources,
        [
            "tests/fixtures/malformed/bad.tf",
            "tests/fixtures/malformed/good.tf"
        ]
    );
}

#[test]
fn a_single_file_is_a_configuration_named_as_given() {
    let path = PathBuf::from("tests/fixtures/malformed/good.tf");
    let model = load(&[path], &LoadOptions::default()).expect("loads");
    assert_eq!(model.configs[0].name, "tests/fixtures/malformed/good.tf");
    assert!(model.gaps.is_empty(), "{:?}", model.gaps);
    assert_eq!(model.vpcs.len(), 1);
}

#[test]
fn an_oversized_json_file_is_a_gap_and_is_not_read() {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("oversized-json");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("main.tf"),
        "resource \"aws_vpc\" \"v\" {\n  cidr_block = \"10.0.0.0/16\"\n}\n",
    )
    .unwrap();
    // Sparse: takes no disk, but is larger than any loader accepts.
    let big = std::fs::File::create(dir.join("data.json")).unwrap();
    big.set_len(300 << 20).unwrap();

    let m = load(std::slice::from_ref(&dir), &LoadOptions::default()).unwrap();
    assert_eq!(m.vpcs.len(), 1, "the Terraform beside it still loads");
    let gap = m
        .gaps
        .iter()
        .find(|g| g.kind == "too-large")
        .expect("a too-large gap");
    assert!(gap.message.contains("data.json"), "{}", gap.message);
}
