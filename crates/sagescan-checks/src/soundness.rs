//! Soundness guard (issue #10): Unknown never passes.
//!
//! A check that reads an attribute it cannot know must say *inconclusive*; treating Unknown
//! as "not the bad value" would pass a workload on input it never saw. This test cannot
//! know which attributes a check reads, so it tries every one: for every check, every
//! fixture next to it, every resource in the fixture's model and every attribute of that
//! resource that is known (set or defaulted), it makes that one attribute Unknown (through
//! the model's serialized form, so that no resource type needs code here) and runs the
//! check again.
//!
//! The property: **an outcome that was not `pass` never becomes `pass`** because something
//! became unknown. An outcome that was `pass` may stay `pass` (the attribute may be
//! irrelevant to the check, or the resource passes for a reason that does not depend on it),
//! and a `fail` may become `inconclusive` or stay `fail` (another attribute still proves the
//! failure); knowing less may never prove more. The stronger "everything unknown is never
//! pass" is not a property of the catalogue: a VPC passes the flow-log check because of
//! the flow log resource that names it, whatever the VPC's own attributes are.

use crate::check::{Check, Context};
use crate::outcome::Verdict;
use crate::registry::CHECKS;
use crate::testing::{fixture_path, load_fixture};
use sagescan_model::Model;
use serde_json::{Value as Json, json};
use std::collections::BTreeMap;

/// `address → verdicts` of a run of `check` on `model` (a resource may be judged more than
/// once, e.g. a workload on each of its paths).
fn verdicts(check: &Check, model: &Model) -> BTreeMap<String, Vec<&'static str>> {
    let mut out = crate::Outcomes::default();
    (check.run)(&Context::new(model, &crate::Options::default()), &mut out);
    let mut by_address: BTreeMap<String, Vec<&'static str>> = BTreeMap::new();
    for o in out.items {
        let verdict = match o.verdict {
            Verdict::Pass => "pass",
            Verdict::Fail { .. } => "fail",
            Verdict::Inconclusive { .. } => "inconclusive",
        };
        by_address
            .entry(o.resource.address)
            .or_default()
            .push(verdict);
    }
    for v in by_address.values_mut() {
        v.sort();
    }
    by_address
}

/// A serialized `Value` that is known: `{"set": {"value": …}}` or `{"default": {…}}`.
fn is_known_value(v: &Json) -> bool {
    v.as_object().is_some_and(|o| {
        o.len() == 1
            && o.iter()
                .any(|(k, inner)| (k == "set" || k == "default") && inner.get("value").is_some())
    })
}

/// The same value made Unknown, keeping its origin so findings still point somewhere.
fn unknown_of(v: &Json) -> Json {
    let origin = v
        .as_object()
        .and_then(|o| o.values().next())
        .and_then(|inner| inner.get("origin"))
        .cloned()
        .unwrap_or(json!({"type": "none"}));
    json!({"unknown": {"reason": "made unknown by the soundness guard", "origin": origin}})
}

/// Every `(collection, index, attribute)` of a resource attribute holding a known value.
fn known_attributes(model: &Json) -> Vec<(String, usize, String)> {
    let mut out = Vec::new();
    for (collection, items) in model.as_object().into_iter().flatten() {
        for (i, resource) in items.as_array().into_iter().flatten().enumerate() {
            let Some(fields) = resource.as_object() else {
                continue;
            };
            if !fields.contains_key("meta") {
                continue;
            }
            for (attr, value) in fields {
                if attr != "meta" && is_known_value(value) {
                    out.push((collection.clone(), i, attr.clone()));
                }
            }
        }
    }
    out
}

fn fixtures(check: &Check) -> Vec<String> {
    let dir = fixture_path(check, "");
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .filter(|n| n.ends_with(".tf") || n.ends_with(".json"))
        .collect();
    names.sort();
    names
}

#[test]
fn unknown_never_turns_an_outcome_into_pass() {
    let mut tried = 0;
    let mut violations = Vec::new();
    for check in CHECKS {
        for fixture in fixtures(check) {
            let model = load_fixture(check, &fixture);
            let before = verdicts(check, &model);
            let json = serde_json::to_value(&model).expect("the model serializes");
            for (collection, i, attr) in known_attributes(&json) {
                let mut changed = json.clone();
                let slot = &mut changed[&collection][i][&attr];
                *slot = unknown_of(slot);
                let mut mutated: Model =
                    serde_json::from_value(changed).expect("the mutated model deserializes");
                mutated.finish();
                tried += 1;
                for (address, after) in verdicts(check, &mutated) {
                    let was = before.get(&address).cloned().unwrap_or_default();
                    let passes = |v: &[&str]| v.iter().filter(|&&v| v == "pass").count();
                    if passes(&after) > passes(&was) {
                        violations.push(format!(
                            "{} {fixture}: {address} {was:?} -> {after:?} with {collection}[{i}].{attr} unknown",
                            check.code
                        ));
                    }
                }
            }
        }
    }
    assert!(tried > 1000, "the guard tried only {tried} mutations");
    violations.sort();
    violations.dedup();
    assert!(
        violations.is_empty(),
        "Unknown made outcomes pass that were not before:\n{violations:#?}"
    );
}
