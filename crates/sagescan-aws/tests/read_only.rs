//! Read-only by construction: every AWS operation the collector's source can call is a
//! `describe_*`, `list_*` or `get_*`.
//!
//! The service clients are private to `src/api.rs` and reached only through the accessors
//! `.ec2()`, `.sagemaker()`, `.nfw()`, `.resolver()` and the constructors `api::sts(…)` and
//! `api::organizations(…)`; an operation is the method called right after one of them. The
//! test finds every such call in `src/`, and fails if a client is built anywhere else (a
//! way around the accessors) or if the scan stops finding the calls it knows are there.

use sagescan_aws::is_read_only;
use std::path::Path;

/// `(file, operation)` for every SDK operation called in the crate's source.
fn operations() -> Vec<(String, String)> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut found = Vec::new();
    for entry in std::fs::read_dir(&src).expect("src/ is readable") {
        let path = entry.expect("entry").path();
        if path.extension().is_none_or(|e| e != "rs") {
            continue;
        }
        let text = std::fs::read_to_string(&path).expect("source is UTF-8");
        // Whitespace (rustfmt's line breaks inside a call chain) does not count.
        let compact: String = text.chars().filter(|c| !c.is_whitespace()).collect();
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        for accessor in [
            ".ec2().",
            ".sagemaker().",
            ".nfw().",
            ".resolver().",
            "api::sts(config,guard).",
            "api::sts(&config,guard).",
            "api::organizations(config,guard).",
        ] {
            for (i, _) in compact.match_indices(accessor) {
                let rest = &compact[i + accessor.len()..];
                let op: String = rest
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                    .collect();
                found.push((name.clone(), op));
            }
        }
        // A client bound to a variable would hide its calls from this scan.
        for accessor in [".ec2();", ".sagemaker();", ".nfw();", ".resolver();"] {
            assert!(
                !compact.contains(accessor),
                "{name} binds a client (`{accessor}`): call operations on the accessor"
            );
        }
        if name != "api.rs" {
            assert!(
                !compact.contains("Client::from_conf") && !compact.contains("Client::new("),
                "{name} builds an SDK client: clients are built only in api.rs"
            );
        }
    }
    found
}

#[test]
fn every_operation_the_collector_calls_only_reads() {
    let ops = operations();
    let bad: Vec<_> = ops.iter().filter(|(_, op)| !is_read_only(op)).collect();
    assert!(bad.is_empty(), "operations that are not reads: {bad:?}");
    // The scan must keep seeing the calls: a refactor that hid them from it would make
    // this test pass vacuously.
    let names: Vec<&str> = ops.iter().map(|(_, op)| op.as_str()).collect();
    for expected in [
        "describe_vpcs",
        "describe_security_groups",
        "describe_notebook_instance",
        "list_models",
        "describe_firewall",
        "get_caller_identity",
        "list_accounts",
        "describe_regions",
        "list_tags",
        "list_firewall_rules",
        "describe_data_quality_job_definition",
        "describe_monitoring_schedule",
        "list_user_profiles",
        "describe_user_profile",
        "list_spaces",
        "describe_space",
    ] {
        assert!(
            names.contains(&expected),
            "{expected} not found among {names:?}"
        );
    }
}
