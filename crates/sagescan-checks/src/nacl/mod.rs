//! Network ACL checks (NACL1xx): world-open entries, default ACLs on SageMaker subnets, shadowed entries.
//!
//! NACL semantics (<https://docs.aws.amazon.com/vpc/latest/userguide/nacl-rules.html>):
//! inbound and outbound entries are separate lists, evaluated in ascending rule number;
//! the first entry that matches a packet decides, and an entry only matches addresses of
//! its own family (IPv4 or IPv6). Protocol and port semantics are shared with security
//! groups ([`crate::sg::rules`]). Entries are few per ACL, so comparing each with the ones
//! before it is cheap; nothing here scans entries per workload.

pub mod nacl_world_ingress_admin_port;
pub mod nacl_world_ingress_all_ports;
pub mod shadowed_entry;
pub mod workload_subnet_default_nacl;

use crate::Outcomes;
use crate::sg::rules::{Traffic, Tri, Why, cidr};
use crate::workload::Workload;
use ipnet::IpNet;
use sagescan_model::Model;
use sagescan_model::network::{NaclEntry, NetworkAcl};
use std::collections::BTreeMap;

/// An entry whose every field is known.
#[derive(Clone, Debug)]
pub(crate) struct Entry<'a> {
    pub entry: &'a NaclEntry,
    pub number: i64,
    pub net: IpNet,
    pub traffic: Traffic,
    pub allow: bool,
}

impl Entry<'_> {
    /// Whether this entry matches every packet `later` matches (same family implied by
    /// CIDR containment).
    pub(crate) fn covers(&self, later: &Entry<'_>) -> bool {
        self.net.contains(&later.net) && self.traffic.covers(&later.traffic)
    }

    /// `rule 100 allow tcp 22 from 0.0.0.0/0 (line 12)`, for messages.
    pub(crate) fn describe(&self) -> String {
        let action = if self.allow { "allow" } else { "deny" };
        let dir = if self.entry.egress { "to" } else { "from" };
        let at = match (&self.entry.declared_by, self.entry.origin.file()) {
            (Some(a), _) => a.clone(),
            (None, Some(f)) => format!("line {}", f.line),
            (None, None) => "inline".into(),
        };
        format!(
            "rule {} {action} {} {dir} {} ({at})",
            self.number, self.traffic, self.net
        )
    }
}

/// Reads an entry; the first unknown field makes it unreadable.
fn read(e: &NaclEntry) -> Result<Entry<'_>, Why> {
    let number = *e
        .rule_number
        .get()
        .ok_or_else(|| Why::of("an entry's rule number", &e.rule_number))?;
    let allow = *e
        .allow
        .get()
        .ok_or_else(|| Why::of("an entry's action", &e.allow))?;
    Ok(Entry {
        entry: e,
        number,
        net: cidr(&e.cidr_block)?,
        traffic: Traffic::read(&e.protocol, &e.from_port, &e.to_port)?,
        allow,
    })
}

/// One direction of an ACL: readable entries in evaluation order, and the unreadable ones
/// (which may sit anywhere in that order) with the reason.
pub(crate) struct Ordered<'a> {
    pub known: Vec<Entry<'a>>,
    pub unknown: Vec<(&'a NaclEntry, Why)>,
}

impl<'a> Ordered<'a> {
    pub(crate) fn of(acl: &'a NetworkAcl, egress: bool) -> Self {
        let mut known = Vec::new();
        let mut unknown = Vec::new();
        for e in acl.entries.iter().filter(|e| e.egress == egress) {
            match read(e) {
                Ok(entry) => known.push(entry),
                Err(why) => unknown.push((e, why)),
            }
        }
        known.sort_by_key(|e| e.number);
        Ordered { known, unknown }
    }

    /// An unreadable entry that may be evaluated before rule `number`: one whose own rule
    /// number is unknown or lower.
    pub(crate) fn unknown_before(&self, number: i64) -> Option<&Why> {
        self.unknown
            .iter()
            .find(|(e, _)| e.rule_number.get().is_none_or(|&n| n < number))
            .map(|(_, w)| w)
    }

    /// Whether `e` (one of `known`) is effective: no earlier entry matches everything it
    /// matches. Unknown when an unreadable entry may come first.
    pub(crate) fn effective(&self, e: &Entry<'_>) -> Tri {
        let shadowed = self
            .known
            .iter()
            .take_while(|f| f.number < e.number)
            .any(|f| f.covers(e));
        if shadowed {
            return Tri::No;
        }
        match self.unknown_before(e.number) {
            Some(w) => Tri::Unknown(w.clone()),
            None => Tri::Yes,
        }
    }
}

/// The subnets of SageMaker workloads, and the workloads whose subnets cannot be known.
pub(crate) struct WorkloadSubnets<'w, 'm> {
    /// Position in `model.subnets` → the workloads placed in it.
    pub by_subnet: BTreeMap<usize, Vec<&'w Workload<'m>>>,
    pub unknown: Vec<(&'w Workload<'m>, Why)>,
}

/// Builds [`WorkloadSubnets`] in one pass over the workloads.
pub(crate) fn workload_subnets<'w, 'm>(
    model: &Model,
    workloads: &'w [Workload<'m>],
) -> WorkloadSubnets<'w, 'm> {
    let mut by_subnet: BTreeMap<usize, Vec<&'w Workload<'m>>> = BTreeMap::new();
    let mut unknown = Vec::new();
    for w in workloads {
        let Some(subnets) = w.subnets.get() else {
            unknown.push((w, Why::of("the workload's subnets", &w.subnets)));
            continue;
        };
        let mut missing = None;
        for r in subnets {
            match model.position(w.meta.config, r) {
                Some(i) => by_subnet.entry(i).or_default().push(w),
                None => {
                    missing.get_or_insert_with(|| {
                        Why::new(
                            format!("subnet {} is not in the scanned configuration", r.key),
                            w.subnets.origin(),
                        )
                    });
                }
            }
        }
        if let Some(why) = missing {
            unknown.push((w, why));
        }
    }
    WorkloadSubnets { by_subnet, unknown }
}

/// Reports every workload whose subnets cannot be known as inconclusive.
pub(crate) fn report_unknown(out: &mut Outcomes, subnets: &WorkloadSubnets<'_, '_>) {
    for (w, why) in &subnets.unknown {
        out.inconclusive(*w, &why.origin, format!("cannot tell: {}", why.reason));
    }
}
