//! Operations checks (OPS1xx) that apply to every source: required tags, NAT gateway sprawl, mixed environments.

pub mod environment_mixed;
pub mod nat_gateway_per_subnet;
pub mod required_tags_missing;

/// Runs a check on a fixture with non-default options (the shared helpers use defaults,
/// under which OPS102 is off).
#[cfg(test)]
pub(crate) fn outcomes_with(
    check: &crate::Check,
    fixture: &str,
    options: &crate::Options,
) -> Vec<(String, &'static str, String)> {
    use crate::outcome::Verdict;
    let model = crate::testing::load_fixture(check, fixture);
    let mut out = crate::Outcomes::default();
    (check.run)(&crate::Context::new(&model, options), &mut out);
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
