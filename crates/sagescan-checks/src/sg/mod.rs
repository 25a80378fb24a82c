//! Security group checks (SG1xx): world-open rules, the default group, and what the groups on SageMaker workloads admit and emit.
//!
//! Every SG check gives one outcome per group; the per-rule verdicts are folded by
//! [`Verdicts`]. Rule semantics (protocols, ports, peers, prefix lists) live in [`rules`],
//! shared with the endpoint checks. [`workload_groups`] answers "which groups are on which
//! SageMaker workloads" once per run, so no check scans groups per workload.

pub mod default_sg_has_rules;
pub mod rule_without_description;
pub(crate) use sagescan_reach::rules;
pub mod sg_shared_across_functions;
pub mod workload_sg_egress_unrestricted;
pub mod workload_sg_ingress_too_broad;
pub mod world_ingress_admin_port;
pub mod world_ingress_all_ports;

use crate::Outcomes;
use crate::outcome::Subject;
use crate::workload::Workload;
use rules::{Traffic, Tri, Why, peer, peer_is_world};
use sagescan_model::network::{SecurityGroup, SgRule};
use sagescan_model::{ConfigId, Model, Origin};
use std::collections::BTreeMap;

/// The verdicts of a group's rules, folded into the group's one outcome: any offending
/// rule fails it (the message lists them all, the location is the first one's); else an
/// unknown rule, or a rule list that may be incomplete, makes it inconclusive; else it
/// passes.
#[derive(Default)]
pub(crate) struct Verdicts {
    failed: Vec<(Origin, String)>,
    unknown: Option<Why>,
}

impl Verdicts {
    /// Records a rule's answer to "does it offend?"; `what` describes it for the message.
    pub(crate) fn add(&mut self, rule: &SgRule, answer: Tri, what: impl FnOnce() -> String) {
        match answer {
            Tri::Yes => self.failed.push((rule.origin.clone(), what())),
            Tri::No => {}
            Tri::Unknown(w) => {
                self.unknown.get_or_insert(w);
            }
        }
    }

    /// Writes the outcome: `{prefix}: {rule}, {rule}` on failure.
    pub(crate) fn report<S: Subject + ?Sized>(
        self,
        out: &mut Outcomes,
        subject: &S,
        sg: &SecurityGroup,
        prefix: &str,
    ) {
        if let Some((location, _)) = self.failed.first() {
            let mut parts: Vec<&str> = self.failed.iter().map(|(_, m)| m.as_str()).collect();
            // A rule listing several CIDRs is split per peer; list each description once.
            parts.dedup();
            out.fail(subject, location, format!("{prefix}: {}", parts.join(", ")));
        } else if let Some(w) = self.unknown {
            out.inconclusive(subject, &w.origin, format!("cannot tell: {}", w.reason));
        } else if !sg.rules_complete {
            out.inconclusive(subject, &sg.meta.origin, incomplete(sg));
        } else {
            out.pass(subject);
        }
    }
}

/// The message for a group whose rule list may miss standalone rules.
pub(crate) fn incomplete(sg: &SecurityGroup) -> String {
    format!(
        "cannot tell: security group {} may have standalone rules that could not be read",
        sg.meta.address
    )
}

/// The groups attached to SageMaker workloads, and the workloads whose groups cannot be
/// known (an Unknown list, or a group that is not in the scanned configuration).
pub(crate) struct WorkloadGroups<'w, 'm> {
    /// Position in `model.security_groups` → the workloads it is attached to.
    pub by_group: BTreeMap<usize, Vec<&'w Workload<'m>>>,
    /// One entry per workload with an unknowable group, with the first reason.
    pub unknown: Vec<(&'w Workload<'m>, Why)>,
}

/// Builds [`WorkloadGroups`] in one pass over the workloads.
pub(crate) fn workload_groups<'w, 'm>(
    model: &Model,
    workloads: &'w [Workload<'m>],
) -> WorkloadGroups<'w, 'm> {
    let mut by_group: BTreeMap<usize, Vec<&'w Workload<'m>>> = BTreeMap::new();
    let mut unknown = Vec::new();
    for w in workloads {
        let Some(groups) = w.security_groups.get() else {
            unknown.push((
                w,
                Why::of("the workload's security groups", &w.security_groups),
            ));
            continue;
        };
        let mut missing = None;
        for r in groups {
            match model.position(w.meta.config, r) {
                Some(i) => by_group.entry(i).or_default().push(w),
                None => {
                    missing.get_or_insert_with(|| {
                        Why::new(
                            format!(
                                "security group {} is not in the scanned configuration",
                                r.key
                            ),
                            w.security_groups.origin(),
                        )
                    });
                }
            }
        }
        if let Some(why) = missing {
            unknown.push((w, why));
        }
    }
    WorkloadGroups { by_group, unknown }
}

/// Reports every workload whose groups cannot be known as inconclusive.
pub(crate) fn report_unknown(out: &mut Outcomes, groups: &WorkloadGroups<'_, '_>) {
    for (w, why) in &groups.unknown {
        out.inconclusive(*w, &why.origin, format!("cannot tell: {}", why.reason));
    }
}

/// Whether `rule`'s peer is the whole internet and its traffic satisfies `traffic`. The
/// traffic is asked first, so that a narrow rule with an unknown peer is a plain No.
pub(crate) fn world_rule(
    model: &Model,
    config: ConfigId,
    rule: &SgRule,
    traffic: impl FnOnce(&Traffic) -> Tri,
) -> Tri {
    let t = match Traffic::of_rule(rule) {
        Ok(t) => traffic(&t),
        Err(w) => Tri::Unknown(w),
    };
    t.and(|| peer_is_world(&peer(model, config, &rule.peer)))
}
