//! Which VPCs host SageMaker workloads, computed once per run.
//!
//! A workload is in the VPC of its subnets (AWS requires every subnet of a `VpcConfig`,
//! and of a Studio domain, to be in one VPC, so one resolved subnet tells the VPC); a Studio
//! domain also names its VPC itself. A workload whose subnets or VPC cannot be resolved is
//! kept apart with the reason: per-VPC checks still judge the VPCs that are known and say
//! separately that this workload's VPC is unknown.

use crate::Context;
use crate::sg::rules::Why;
use crate::workload::Workload;
use sagescan_model::network::Subnet;
use sagescan_model::sagemaker::Domain;
use sagescan_model::{ConfigId, Meta, Ref, Value};
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// Where a workload runs.
#[derive(Clone, Debug)]
pub(crate) enum Placement {
    /// Not in a customer VPC (no subnets).
    NoVpc,
    /// In the VPC at this position of `model.vpcs`.
    Vpc(usize),
    /// In a VPC that cannot be told.
    Unknown(Why),
}

/// The VPC that subnets `subnets` (declared by a resource of configuration `config`) are in.
pub(crate) fn placement(
    ctx: &Context<'_>,
    config: ConfigId,
    subnets: &Value<Vec<Ref<Subnet>>>,
) -> Placement {
    let Some(list) = subnets.get() else {
        return Placement::Unknown(Why::of("the workload's subnets", subnets));
    };
    if list.is_empty() {
        return Placement::NoVpc;
    }
    let mut why = None;
    for r in list {
        match ctx.model.position(config, r) {
            Some(s) => match ctx.topology.vpc_of(s) {
                Some(v) => return Placement::Vpc(v),
                None => {
                    let vpc = &ctx.model.subnets[s].vpc;
                    why.get_or_insert_with(|| match vpc.unknown_reason() {
                        Some(_) => Why::of(&format!("the VPC of subnet {}", r.key), vpc),
                        None => Why::new(
                            format!(
                                "the VPC of subnet {} is not in the scanned configuration",
                                r.key
                            ),
                            vpc.origin(),
                        ),
                    });
                }
            },
            None => {
                why.get_or_insert_with(|| {
                    Why::new(
                        format!("subnet {} is not in the scanned configuration", r.key),
                        subnets.origin(),
                    )
                });
            }
        }
    }
    Placement::Unknown(why.unwrap_or_else(|| Why::of("the workload's subnets", subnets)))
}

/// A Studio domain's VPC: its own `VpcId` when that resolves, else its subnets'.
pub(crate) fn domain_placement(ctx: &Context<'_>, d: &Domain) -> Placement {
    if let Some(Some(r)) = d.vpc.get()
        && let Some(v) = ctx.model.position(d.meta.config, r)
    {
        return Placement::Vpc(v);
    }
    placement(ctx, d.meta.config, &d.subnets)
}

/// Places workloads; built once per run so that finding a Studio workload's domain is a
/// hash lookup, not a scan of every domain.
pub(crate) struct Placer<'m> {
    domains: HashMap<*const Meta, &'m Domain>,
}

impl<'m> Placer<'m> {
    pub(crate) fn new(ctx: &Context<'m>) -> Self {
        Placer {
            domains: ctx
                .model
                .domains
                .iter()
                .map(|d| (&d.meta as *const Meta, d))
                .collect(),
        }
    }

    /// Where workload `w` runs.
    pub(crate) fn of(&self, ctx: &Context<'_>, w: &Workload<'_>) -> Placement {
        match self.domains.get(&(w.meta as *const Meta)) {
            Some(d) => domain_placement(ctx, d),
            None => placement(ctx, w.meta.config, &w.subnets),
        }
    }
}

/// One VPC hosting SageMaker workloads.
#[derive(Default)]
pub(crate) struct Hosted<'w, 'm> {
    pub workloads: Vec<&'w Workload<'m>>,
    /// Positions in `model.subnets` of the workloads' subnets that resolve.
    pub subnets: BTreeSet<usize>,
}

/// Every VPC hosting SageMaker workloads, and the workloads whose VPC cannot be told.
pub(crate) struct Hosting<'w, 'm> {
    /// VPC position → what it hosts; ordered so that outcomes are deterministic.
    pub vpcs: BTreeMap<usize, Hosted<'w, 'm>>,
    pub unknown: Vec<(&'w Workload<'m>, Why)>,
}

impl<'w, 'm> Hosting<'w, 'm> {
    /// One pass over the workloads (and the Studio domains, for their own `VpcId`).
    pub(crate) fn new(ctx: &'w Context<'m>) -> Self {
        let placer = Placer::new(ctx);
        let mut vpcs: BTreeMap<usize, Hosted<'w, 'm>> = BTreeMap::new();
        let mut unknown = Vec::new();
        for w in &ctx.workloads {
            let config = w.meta.config;
            match placer.of(ctx, w) {
                Placement::NoVpc => {}
                Placement::Unknown(why) => unknown.push((w, why)),
                Placement::Vpc(v) => {
                    let hosted = vpcs.entry(v).or_default();
                    hosted.workloads.push(w);
                    let resolved = w.subnets.get().into_iter().flatten();
                    hosted
                        .subnets
                        .extend(resolved.filter_map(|r| ctx.model.position(config, r)));
                }
            }
        }
        Hosting { vpcs, unknown }
    }

    /// Reports every workload whose VPC cannot be told as inconclusive: whether the check
    /// holds for its VPC cannot be said.
    pub(crate) fn report_unknown(&self, out: &mut crate::Outcomes, what: &str) {
        for (w, why) in &self.unknown {
            out.inconclusive(
                *w,
                &why.origin,
                format!("cannot tell {what}: {}", why.reason),
            );
        }
    }
}
