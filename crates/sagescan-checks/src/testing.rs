//! Test support: run one check on a fixture that sits next to the check's file and list
//! every outcome, passes included, as `(address, verdict, message)`.
//!
//! A fixture is Terraform (`*.tf`, loaded by the real loader) or, for resources Terraform
//! cannot express (training, processing and monitoring jobs), a serialized model
//! (`*.json`, the snapshot form of [`Model`]).

use crate::check::{Check, Context};
use crate::outcome::{Outcome, Outcomes, Verdict};
use sagescan_model::{Model, Origin};
use std::path::{Path, PathBuf};

/// The fixture `name` (e.g. `fail.tf`) in the directory named after the check's file:
/// `src/sagemaker/notebook_direct_internet_access/fail.tf` for
/// `src/sagemaker/notebook_direct_internet_access.rs`.
pub fn fixture_path(check: &Check, name: &str) -> PathBuf {
    let rel = &check.file[check.file.find("src/").expect("check file under src/")..];
    let stem = rel.strip_suffix(".rs").expect(".rs file");
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join(stem)
        .join(name)
}

/// Loads a fixture: `.json` as a serialized model, anything else as Terraform.
pub fn load_fixture(check: &Check, fixture: &str) -> Model {
    let path = fixture_path(check, fixture);
    let model = if fixture.ends_with(".json") {
        load_json(&path)
    } else {
        sagescan_load::load(
            std::slice::from_ref(&path),
            &sagescan_load::LoadOptions::default(),
        )
        .unwrap_or_else(|e| panic!("loading {}: {e}", path.display()))
    };
    assert!(
        model.gaps.is_empty(),
        "fixture {} has coverage gaps: {:?}",
        path.display(),
        model.gaps
    );
    model
}

/// Reads a serialized model and builds its index, as a snapshot loader would.
pub fn load_json(path: &Path) -> Model {
    let text =
        std::fs::read_to_string(path).unwrap_or_else(|e| panic!("reading {}: {e}", path.display()));
    let mut model: Model =
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("parsing {}: {e}", path.display()));
    model.finish();
    model
}

/// Loads the fixture and runs `check` on it.
/// Returns one `(address, verdict, message)` per outcome, sorted by address.
pub fn outcomes(check: &Check, fixture: &str) -> Vec<(String, &'static str, String)> {
    run_on(check, &load_fixture(check, fixture))
}

/// Runs `check` on an already built model.
pub fn run_on(check: &Check, model: &Model) -> Vec<(String, &'static str, String)> {
    let mut v: Vec<_> = raw(check, model)
        .into_iter()
        .map(|o| match o.verdict {
            Verdict::Pass => (o.resource.address, "pass", String::new()),
            Verdict::Fail { message, .. } => (o.resource.address, "fail", message),
            Verdict::Inconclusive { message, .. } => (o.resource.address, "inconclusive", message),
        })
        .collect();
    v.sort();
    v
}

/// Just the verdicts, for compact assertions.
pub fn verdicts(check: &Check, fixture: &str) -> Vec<(String, &'static str)> {
    outcomes(check, fixture)
        .into_iter()
        .map(|(a, v, _)| (a, v))
        .collect()
}

/// The 1-based line each fail or inconclusive points at (`None` for passes and for
/// locations that are not in a file), sorted by address: to assert *where* a finding lands.
pub fn lines(check: &Check, fixture: &str) -> Vec<(String, &'static str, Option<u32>)> {
    let line = |o: &Origin| o.file().map(|f| f.line);
    let mut v: Vec<_> = raw(check, &load_fixture(check, fixture))
        .into_iter()
        .map(|o| match &o.verdict {
            Verdict::Pass => (o.resource.address, "pass", None),
            Verdict::Fail { location, .. } => (o.resource.address, "fail", line(location)),
            Verdict::Inconclusive { location, .. } => {
                (o.resource.address, "inconclusive", line(location))
            }
        })
        .collect();
    v.sort();
    v
}

fn raw(check: &Check, model: &Model) -> Vec<Outcome> {
    let mut out = Outcomes::default();
    (check.run)(&Context::new(model, &crate::Options::default()), &mut out);
    out.items
}
