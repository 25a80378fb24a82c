//! AWS Network Firewall checks (NFW1xx): resilience, logging, encryption, and whether a domain allow-list is enforced, tight and not bypassable.
//!
//! The allow-list checks (NFW107–NFW109) share [`policy`]: a policy's rule groups
//! resolved in evaluation order, the allow-lists in effect, and what the policy does with
//! the traffic an allow-list is meant to stop. Suricata `rules_string` groups are read by
//! [`suricata`]; a keyword it does not interpret makes the verdict that depends on it
//! inconclusive.

pub mod allowlist_bypassable;
pub mod allowlist_missing;
pub mod allowlist_not_enforced;
pub mod allowlist_too_broad;
pub mod cmk_missing;
pub mod deletion_protection_disabled;
pub mod logging_disabled;
pub(crate) use sagescan_reach::nfw::policy;
pub mod policy_without_rule_groups;
pub mod single_az;
pub mod stateless_default_pass;
pub mod subnet_change_protection_disabled;

use crate::{Context, Outcomes};
use policy::{Evaluator, Gap, PolicyAllowLists};
use sagescan_model::network::FirewallPolicy;

/// Calls `judge` for every policy holding a domain allow-list. A policy whose groups may
/// hold one that cannot be read, and that has none that can, is inconclusive; a policy
/// with none gets no outcome.
pub(crate) fn for_allow_list_policies<'m>(
    ctx: &Context<'m>,
    out: &mut Outcomes,
    mut judge: impl FnMut(&mut Outcomes, &'m FirewallPolicy, &Evaluator<'m>, &PolicyAllowLists<'m>),
) {
    for p in &ctx.model.firewall_policies {
        let eval = Evaluator::new(ctx.model, p);
        let lists = policy::policy_allow_lists(eval.groups());
        if !lists.lists.is_empty() {
            judge(out, p, &eval, &lists);
        } else if let Some(g) = lists.maybe.first() {
            inconclusive(out, p, "whether the policy has a domain allow-list", g);
        }
    }
}

/// `cannot tell {what}: {gap}` at the gap's origin.
pub(crate) fn inconclusive<S: crate::Subject + ?Sized>(
    out: &mut Outcomes,
    subject: &S,
    what: &str,
    gap: &Gap,
) {
    out.inconclusive(
        subject,
        &gap.origin,
        format!("cannot tell {what}: {}", gap.reason),
    );
}
