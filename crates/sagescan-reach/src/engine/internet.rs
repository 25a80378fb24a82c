//! "The internet" is every public address (§8.3), not only the default route. A walk to
//! [`Addr::AnyPublic`] stands for a public address no rule names; an address a route, a
//! network ACL entry or a security group rule does name may be treated differently — a
//! table that sends `0.0.0.0/1` and `128.0.0.0/1` to a NAT gateway, or only `8.8.8.0/24`,
//! opens the internet although no `0.0.0.0/0` route exists.
//!
//! CIDRs are nested or disjoint, so the named prefixes cut the address space into pieces
//! ("atoms": a named prefix minus the named prefixes inside it) that every CIDR rule
//! treats alike. One public address per atom, plus `AnyPublic` for the rest, samples the
//! whole internet for every CIDR-based control: the internet is reachable if any sample
//! is, and the answer says which prefix the reachable sample stands for.

use super::*;
use ipnet::Ipv4Net;
use std::net::Ipv4Addr;

/// IPv4 ranges that are not internet destinations (RFC 6890's non-global blocks, less the
/// documentation blocks, which tests and examples use as stand-ins for public hosts).
const NOT_PUBLIC: &[&str] = &[
    "0.0.0.0/8",
    "10.0.0.0/8",
    "100.64.0.0/10",
    "127.0.0.0/8",
    "169.254.0.0/16",
    "172.16.0.0/12",
    "192.0.0.0/24",
    "192.168.0.0/16",
    "198.18.0.0/15",
    "224.0.0.0/4",
    "240.0.0.0/4",
];

/// One sample of the internet: `addr` stands for the addresses of `within` that no more
/// specific named prefix holds.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(super) struct Sample {
    pub addr: Ipv4Addr,
    pub within: Ipv4Net,
}

/// One public address per atom of `named`, avoiding `inside` (the VPC's own blocks, which
/// the local route keeps). Prefixes holding no public address outside more specific named
/// ones give no sample.
pub(super) fn samples(named: &[Ipv4Net], inside: &[Ipv4Net]) -> Vec<Sample> {
    let mut named: Vec<Ipv4Net> = named
        .iter()
        .map(|n| n.trunc())
        .filter(|n| n.prefix_len() > 0)
        .collect();
    named.sort();
    named.dedup();
    let fixed: Vec<Ipv4Net> = NOT_PUBLIC
        .iter()
        .filter_map(|s| s.parse().ok())
        .chain(inside.iter().copied())
        .collect();
    let mut out = Vec::new();
    for p in &named {
        let avoid: Vec<Ipv4Net> = fixed
            .iter()
            .copied()
            .chain(named.iter().copied().filter(|q| q != p && p.contains(q)))
            .collect();
        if let Some(addr) = free_address(*p, &avoid) {
            out.push(Sample { addr, within: *p });
        }
    }
    out
}

/// An address of `net` outside every prefix of `avoid`. Prefixes are nested or disjoint,
/// so a piece that neither lies inside one nor holds one is free; only pieces holding an
/// avoided prefix are split, so the search visits at most 32 pieces per avoided prefix.
fn free_address(net: Ipv4Net, avoid: &[Ipv4Net]) -> Option<Ipv4Addr> {
    if avoid.iter().any(|a| a.contains(&net)) {
        return None;
    }
    if !avoid.iter().any(|a| net.contains(a)) {
        // The first usable host, so that a sample never reads as a network address.
        let first = u32::from(net.network());
        return Some(Ipv4Addr::from(if net.prefix_len() <= 30 {
            first + 1
        } else {
            first
        }));
    }
    let halves = net.subnets(net.prefix_len() + 1).ok()?;
    halves
        .into_iter()
        .find_map(|half| free_address(half, avoid))
}

impl Engine<'_> {
    /// The IPv4 prefixes a route, network ACL entry or prefix list of `config` names, and
    /// the CIDRs of `sgs`' rules of `direction`: where the internet may be cut into
    /// differently treated pieces.
    pub(super) fn named_prefixes(
        &self,
        config: ConfigId,
        sgs: &[usize],
        direction: sagescan_model::network::Direction,
    ) -> Vec<Ipv4Net> {
        let mut out: Vec<Ipv4Net> = self.named.get(&config).cloned().unwrap_or_default();
        for &g in sgs {
            for r in &self.model.security_groups[g].rules {
                if r.direction == direction
                    && let Some(SgPeer::Ipv4(c)) = r.peer.get()
                    && let Some(IpNet::V4(n)) = parse_cidr(c)
                {
                    out.push(n);
                }
            }
        }
        out
    }
}

impl Engine<'_> {
    /// The engine walks IPv4. An interface with an IPv6 address reaches the IPv6 internet
    /// without NAT wherever its table routes IPv6 to a gateway (an internet gateway, an
    /// egress-only one, a NAT gateway's NAT64) and a group admits IPv6 egress (§8.8 item
    /// 20): then "not reachable" over IPv4 proves nothing, and the answer is unknown,
    /// naming the route. Whether SageMaker gives the interface an IPv6 address is not
    /// in the configuration either.
    pub(super) fn ipv6_egress(&self, eni: &Eni) -> Option<Hop> {
        let rt = match self.topology.route_table_of(eni.subnet) {
            Link::Explicit { index, .. } | Link::Main { index } => &self.model.route_tables[*index],
            // AWS's own main table routes IPv6 locally only; an unknown table already
            // makes the IPv4 walk unknown.
            Link::Implicit | Link::Unknown { .. } => return None,
        };
        let route = rt.routes.iter().find(|r| {
            matches!(r.destination.get(), Some(RouteDestination::Cidr(c))
                if matches!(parse_cidr(c), Some(IpNet::V6(_))))
                && !matches!(r.target.get(), Some(RouteTarget::Local))
        })?;
        let sgs = &eni.security_groups;
        let v6_rule = sgs.iter().find_map(|&g| {
            let sg = &self.model.security_groups[g];
            sg.rules
                .iter()
                .find(|r| {
                    r.direction == sagescan_model::network::Direction::Egress
                        && matches!(
                            r.peer.get(),
                            Some(SgPeer::Ipv6(_) | SgPeer::PrefixList(_)) | None
                        )
                })
                .map(|r| (sg, r))
        });
        let incomplete = sgs
            .iter()
            .any(|&g| !self.model.security_groups[g].rules_complete);
        if v6_rule.is_none() && !incomplete && !sgs.is_empty() {
            // Groups admit nothing over IPv6: closed whatever the route says.
            return None;
        }
        let (_, target) = self.target(rt.meta.config, r_target(route), eni.subnet);
        let by = match v6_rule {
            Some((sg, r)) => format!("{} egress {}", sg.meta.address, crate::rules::describe(r)),
            None => "the groups' rules are not all known".to_string(),
        };
        Some(hop(
            &rt.meta.address,
            "route_table",
            Decision::Unknown,
            format!(
                "IPv6 route {} → {target} and {by}: sagescan walks IPv4 only, so IPv6 egress to the internet is not proven closed",
                describe_dest(route)
            ),
            &route.origin,
        ))
    }
}

impl Engine<'_> {
    /// The internet's samples as seen from `eni`'s subnet, for rules of `direction`.
    pub(super) fn internet_samples(
        &self,
        eni: &Eni,
        direction: sagescan_model::network::Direction,
    ) -> Vec<Sample> {
        let config = self.model.subnets[eni.subnet].meta.config;
        let inside: Vec<Ipv4Net> = self
            .topology
            .vpc_of(eni.subnet)
            .map(|v| self.vpc_cidrs[v].nets.as_slice())
            .unwrap_or_default()
            .iter()
            .filter_map(|n| match n {
                IpNet::V4(n) => Some(*n),
                IpNet::V6(_) => None,
            })
            .collect();
        samples(
            &self.named_prefixes(config, &eni.security_groups, direction),
            &inside,
        )
    }
}

fn r_target(r: &sagescan_model::network::Route) -> Option<&RouteTarget> {
    r.target.get()
}

/// The prefixes of `config`'s routes, network ACL entries and prefix lists, by
/// configuration (see [`Engine::named_prefixes`]).
pub(super) fn index_named(model: &Model) -> HashMap<ConfigId, Vec<Ipv4Net>> {
    let mut out: HashMap<ConfigId, Vec<Ipv4Net>> = HashMap::new();
    let mut add = |config: ConfigId, s: &str| {
        if let Some(IpNet::V4(n)) = parse_cidr(s) {
            out.entry(config).or_default().push(n);
        }
    };
    for rt in &model.route_tables {
        for r in &rt.routes {
            if let Some(RouteDestination::Cidr(c)) = r.destination.get() {
                add(rt.meta.config, c);
            }
        }
    }
    for acl in &model.network_acls {
        for e in &acl.entries {
            if let Some(c) = e.cidr_block.get() {
                add(acl.meta.config, c);
            }
        }
    }
    for pl in &model.prefix_lists {
        for e in pl.entries.get().into_iter().flatten() {
            add(pl.meta.config, e);
        }
    }
    for v in out.values_mut() {
        v.sort();
        v.dedup();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn nets(s: &[&str]) -> Vec<Ipv4Net> {
        s.iter().map(|s| s.parse().unwrap()).collect()
    }

    #[test]
    fn each_named_prefix_gets_a_public_address_of_its_own() {
        let got = samples(
            &nets(&["0.0.0.0/1", "128.0.0.0/1", "8.8.8.0/24", "10.1.0.0/16"]),
            &nets(&["10.0.0.0/16"]),
        );
        let by: Vec<(String, String)> = got
            .iter()
            .map(|s| (s.within.to_string(), s.addr.to_string()))
            .collect();
        assert_eq!(
            by,
            [
                // 0/8 is not public and 8.8.8.0/24 has a sample of its own.
                ("0.0.0.0/1".to_string(), "1.0.0.1".to_string()),
                ("8.8.8.0/24".to_string(), "8.8.8.1".to_string()),
                ("128.0.0.0/1".to_string(), "128.0.0.1".to_string()),
            ]
        );
        for s in &got {
            assert!(s.within.contains(&s.addr));
        }
    }

    #[test]
    fn a_prefix_that_only_holds_private_or_more_specific_space_has_none() {
        assert!(samples(&nets(&["10.0.0.0/8", "192.168.1.0/24"]), &[]).is_empty());
        assert!(
            samples(&nets(&["8.8.8.0/24", "8.8.8.0/25", "8.8.8.128/25"]), &[])
                .iter()
                .all(|s| s.within.prefix_len() == 25)
        );
        // A /32 is its own sample.
        assert_eq!(
            samples(&nets(&["9.9.9.9/32"]), &[])[0].addr,
            "9.9.9.9".parse::<Ipv4Addr>().unwrap()
        );
    }
}
