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
