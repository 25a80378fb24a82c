//! Where standalone children (security group rules, routes, NACL entries, gateway
//! attachments, CIDR associations, DNS Firewall rules) find the parents they extend. Every
//! loader maps a configuration's parents first, then indexes them here once, so that
//! folding is linear in the number of children; loaders differ only in how a child names
//! its parent.

use sagescan_model::{Model, Resource};
use std::collections::HashMap;

/// Where the configuration being mapped begins in each collection (it runs to the end):
/// earlier configurations' resources are never parents, and an unknown parent reference
/// marks every candidate from here on incomplete.
pub(crate) struct Starts {
    pub vpcs: usize,
    pub route_tables: usize,
    pub internet_gateways: usize,
    pub security_groups: usize,
    pub network_acls: usize,
    pub vpc_endpoints: usize,
    pub prefix_lists: usize,
    pub dns_firewall_rule_groups: usize,
}

impl Starts {
    pub(crate) fn of(m: &Model) -> Starts {
        Starts {
            vpcs: m.vpcs.len(),
            route_tables: m.route_tables.len(),
            internet_gateways: m.internet_gateways.len(),
            security_groups: m.security_groups.len(),
            network_acls: m.network_acls.len(),
            vpc_endpoints: m.vpc_endpoints.len(),
            prefix_lists: m.prefix_lists.len(),
            dns_firewall_rule_groups: m.dns_firewall_rule_groups.len(),
        }
    }
}

/// Address (or alias) → index into the model's collection, for one configuration's parents.
pub(crate) struct ParentIndex {
    pub vpcs: HashMap<String, usize>,
    pub route_tables: HashMap<String, usize>,
    pub internet_gateways: HashMap<String, usize>,
    pub security_groups: HashMap<String, usize>,
    pub network_acls: HashMap<String, usize>,
    pub vpc_endpoints: HashMap<String, usize>,
    pub prefix_lists: HashMap<String, usize>,
    pub dns_firewall_rule_groups: HashMap<String, usize>,
    pub starts: Starts,
}

impl ParentIndex {
    pub(crate) fn index(m: &Model, s: Starts) -> ParentIndex {
        ParentIndex {
            vpcs: index_of(&m.vpcs, s.vpcs),
            route_tables: index_of(&m.route_tables, s.route_tables),
            internet_gateways: index_of(&m.internet_gateways, s.internet_gateways),
            security_groups: index_of(&m.security_groups, s.security_groups),
            network_acls: index_of(&m.network_acls, s.network_acls),
            vpc_endpoints: index_of(&m.vpc_endpoints, s.vpc_endpoints),
            prefix_lists: index_of(&m.prefix_lists, s.prefix_lists),
            dns_firewall_rule_groups: index_of(
                &m.dns_firewall_rule_groups,
                s.dns_firewall_rule_groups,
            ),
            starts: s,
        }
    }
}

fn index_of<T: Resource>(items: &[T], start: usize) -> HashMap<String, usize> {
    items
        .iter()
        .enumerate()
        .skip(start)
        .flat_map(|(i, r)| {
            let meta = r.meta();
            std::iter::once((meta.address.clone(), i))
                .chain(meta.aliases.iter().map(move |a| (a.clone(), i)))
        })
        .collect()
}
