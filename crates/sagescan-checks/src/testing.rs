//! Test support: run one check on a fixture that sits next to the check's file and list
//! every outcome, passes included, as `(address, verdict, message)`.

use crate::check::{Check, Context};
use crate::outcome::{Outcomes, Verdict};
use std::path::PathBuf;

/// The fixture `name` (e.g. `fail.tf`) in the directory named after the check's file:
/// `src/sagemaker/notebook_direct_internet_access/fail.tf` for
/// `src/sagemaker/notebook_direct_internet_access.rs`.
pub fn fixture_path(check: &Check, name: &str) -> PathBuf {
    let rel = &check.file[check.file.find("src/").expect("check file under src/")..];
    let stem = rel.strip_suffix(".rs").expect(".rs file");
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(stem).join(name)
}

/// Loads the fixture as a Terraform configuration and runs `check` on it.
/// Returns one `(address, verdict, message)` per outcome, sorted by address.
pub fn outcomes(check: &Check, fixture: &str) -> Vec<(String, &'static str, String)> {
    let path = fixture_path(check, fixture);
    let model = sagescan_load::load(&[path.clone()], &sagescan_load::LoadOptions::default())
        .unwrap_or_else(|e| panic!("loading {}: {e}", path.display()));
    assert!(model.gaps.is_empty(), "fixture {} has coverage gaps: {:?}", path.display(), model.gaps);
    run_on(check, &model)
}

/// Runs `check` on an already built model (for resources Terraform cannot express).
pub fn run_on(check: &Check, model: &sagescan_model::Model) -> Vec<(String, &'static str, String)> {
    let mut out = Outcomes::default();
    (check.run)(&Context { model }, &mut out);
    let mut v: Vec<_> = out
        .items
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
    outcomes(check, fixture).into_iter().map(|(a, v, _)| (a, v)).collect()
}
