//! The filters a packet meets on the way: security groups (stateful, the interface's own
//! groups and the endpoint's), network ACLs (stateless, first matching rule by number, reply
//! ports judged over the client's ephemeral range) and prefix lists.

use super::*;

impl Engine<'_> {
    pub(super) fn sg_egress(&self, eni: &Eni, flow: &Flow) -> Hop {
        let subnet = &self.model.subnets[eni.subnet];
        if eni.security_groups.is_empty() {
            return hop(
                &subnet.meta.address,
                "security_group",
                Decision::Unknown,
                "the workload's security groups are unknown",
                &eni.origin,
            );
        }
        let dst = flow.dst.addr(self);
        let mut unknown: Option<Hop> = None;
        let mut complete = true;
        for &g in &eni.security_groups {
            let sg = &self.model.security_groups[g];
            complete &= sg.rules_complete;
            for r in sg
                .rules
                .iter()
                .filter(|r| r.direction == sagescan_model::network::Direction::Egress)
            {
                match self.sg_rule_admits(g, r, flow, dst, None) {
                    M::Yes => {
                        return hop(
                            &sg.meta.address,
                            "security_group",
                            Decision::Allow,
                            crate::rules::describe(r),
                            &r.origin,
                        );
                    }
                    M::Unknown => {
                        unknown.get_or_insert_with(|| {
                            hop(
                                &sg.meta.address,
                                "security_group",
                                Decision::Unknown,
                                format!(
                                    "whether egress {} admits the flow cannot be told",
                                    crate::rules::describe(r)
                                ),
                                &r.origin,
                            )
                        });
                    }
                    M::No => {}
                }
            }
        }
        if let Some(u) = unknown {
            return u;
        }
        let sg = &self.model.security_groups[eni.security_groups[0]];
        let names: Vec<&str> = eni
            .security_groups
            .iter()
            .map(|&g| self.model.security_groups[g].meta.address.as_str())
            .collect();
        if !complete {
            return hop(
                &sg.meta.address,
                "security_group",
                Decision::Unknown,
                "rules may exist that were not read",
                &sg.meta.origin,
            );
        }
        hop(
            names.join(", "),
            "security_group",
            Decision::Block,
            format!("no egress rule admits {}", flow_text(flow)),
            &sg.meta.origin,
        )
    }

    /// Whether an SG rule admits the flow to (egress) or from (ingress, `from_sgs` = the
    /// source's groups) the address class `peer`.
    pub(super) fn sg_rule_admits(
        &self,
        g_self: usize,
        r: &SgRule,
        flow: &Flow,
        peer: Addr,
        from_sgs: Option<&[usize]>,
    ) -> M {
        let traffic = match Traffic::of_rule(r) {
            Ok(t) => t,
            Err(_) => return M::Unknown,
        };
        let proto = match flow.l4 {
            L4::Tcp => Proto::Tcp,
            L4::Udp => Proto::Udp,
            L4::Icmp => Proto::Icmp,
        };
        let admits = match flow.port {
            Some(p) => traffic.admits(proto, p),
            None => {
                traffic.admits(proto, 0) || traffic.proto == Proto::All || traffic.proto == proto
            }
        };
        if !admits {
            return M::No;
        }
        let sg = &self.model.security_groups[g_self];
        let Some(p) = r.peer.get() else {
            return M::Unknown;
        };
        match p {
            SgPeer::Ipv4(c) => parse_cidr(c).map_or(M::Unknown, |n| cidr_covers(&n, peer)),
            SgPeer::Ipv6(_) => M::No,
            SgPeer::PrefixList(pl) => {
                self.prefix_list_covers(sg.meta.config, &pl.key, &flow.dst, peer)
            }
            SgPeer::SecurityGroup(g) => match (
                self.model.position::<SecurityGroup>(sg.meta.config, g),
                from_sgs,
                &flow.dst,
            ) {
                (Some(g), Some(sgs), _) => M::of(sgs.contains(&g)),
                (Some(g), None, Dst::Endpoint { endpoint, .. }) => {
                    M::of(self.endpoint_sgs(*endpoint).contains(&g))
                }
                (None, _, _) => M::Unknown,
                _ => M::No,
            },
            SgPeer::SelfGroup => match (Some(g_self), from_sgs, &flow.dst) {
                (Some(g), Some(sgs), _) => M::of(sgs.contains(&g)),
                (Some(g), None, Dst::Endpoint { endpoint, .. }) => {
                    M::of(self.endpoint_sgs(*endpoint).contains(&g))
                }
                _ => M::No,
            },
        }
    }

    pub(super) fn endpoint_sgs(&self, e: usize) -> Vec<usize> {
        let ep = &self.model.vpc_endpoints[e];
        ep.security_groups
            .get()
            .into_iter()
            .flatten()
            .filter_map(|g| self.model.position(ep.meta.config, g))
            .collect()
    }

    /// Whether a prefix list (by key: a managed list, or a gateway endpoint whose
    /// `prefix_list_id` is referenced) covers the destination.
    pub(super) fn prefix_list_covers(
        &self,
        config: ConfigId,
        key: &str,
        dst: &Dst,
        addr: Addr,
    ) -> M {
        if let Some(e) = VpcEndpoint::position(self.model, config, key) {
            let ep = &self.model.vpc_endpoints[e];
            return match dst {
                Dst::Service(name) => service_matches(ep, name),
                Dst::Public(Addr::AnyPublic)
                | Dst::Sample(_)
                | Dst::Private(_)
                | Dst::Endpoint { .. } => M::No,
                Dst::Public(_) => M::Unknown,
            };
        }
        if let Some(list) = self.model.get(
            config,
            &sagescan_model::Ref::<sagescan_model::network::ManagedPrefixList>::new(key),
        ) && let Some(entries) = list.entries.get()
        {
            return entries.iter().fold(M::No, |m, e| {
                m.or(parse_cidr(e).map_or(M::Unknown, |n| cidr_covers(&n, addr)))
            });
        }
        // An AWS-managed list not in the model: public service ranges.
        match dst {
            Dst::Private(_)
            | Dst::Endpoint { .. }
            | Dst::Public(Addr::AnyPublic)
            | Dst::Sample(_) => M::No,
            _ => M::Unknown,
        }
    }

    /// Network ACL of `subnet` for one packet direction; `peer` is the remote address.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn nacl(
        &self,
        state: &mut State,
        subnet: usize,
        egress: bool,
        l4: L4,
        port: Option<u16>,
        peer: Addr,
        what: &str,
    ) {
        let h = self.nacl_hop(
            subnet,
            egress,
            l4,
            port.map(|p| (u32::from(p), u32::from(p))),
            peer,
            what,
        );
        state.hop(h);
    }

    /// Evaluates a subnet's ACL, first match by rule number (§2.2). `ports`: the packet's
    /// destination ports (one port for requests, the client's ephemeral range for replies,
    /// where one allowed port is enough and only a denial of all of 1024–65535 blocks).
    #[allow(clippy::too_many_arguments)]
    pub(super) fn nacl_hop(
        &self,
        subnet: usize,
        egress: bool,
        l4: L4,
        ports: Option<(u32, u32)>,
        peer: Addr,
        what: &str,
    ) -> Hop {
        let s = &self.model.subnets[subnet];
        let acl: &NetworkAcl = match self.topology.network_acl_of(subnet) {
            Link::Explicit { index, .. } | Link::Main { index } => &self.model.network_acls[*index],
            Link::Implicit => {
                return hop(
                    format!("default network ACL of {}", s.meta.address),
                    "network_acl",
                    Decision::Allow,
                    format!("{what}: AWS default network ACL allows all traffic"),
                    &s.meta.origin,
                );
            }
            Link::Unknown { reason, origin } => {
                return hop(
                    &s.meta.address,
                    "network_acl",
                    Decision::Unknown,
                    format!("{what}: the subnet's network ACL is unknown ({reason})"),
                    origin,
                );
            }
        };
        let mut entries: Vec<_> = acl.entries.iter().filter(|e| e.egress == egress).collect();
        entries.sort_by_key(|e| e.rule_number.get().copied().unwrap_or(i64::MAX));
        let proto = match l4 {
            L4::Tcp => Proto::Tcp,
            L4::Udp => Proto::Udp,
            L4::Icmp => Proto::Icmp,
        };
        let is_range = ports.is_some_and(|(lo, hi)| lo != hi);
        // Ports still undecided, and whether an allow covers some wanted port.
        let (want_lo, want_hi) = ports.unwrap_or((0, 0));
        let mut open: Vec<(u32, u32)> = if is_range {
            vec![(1024, 65535)]
        } else {
            vec![(want_lo, want_hi)]
        };
        let mut unknown: Option<Hop> = None;
        let mut allowed_outside_range = None;
        // The first deny entry that takes a wanted reply port: what blocks, when nothing
        // allowed one.
        let mut denied_by: Option<(String, Origin)> = None;
        for e in entries {
            if open.is_empty() {
                break;
            }
            let num = e.rule_number.get().copied().unwrap_or_default();
            let t = match Traffic::read(&e.protocol, &e.from_port, &e.to_port) {
                Ok(t) => t,
                Err(w) => {
                    unknown.get_or_insert_with(|| {
                        hop(
                            &acl.meta.address,
                            "network_acl",
                            Decision::Unknown,
                            format!("{what}: entry #{num} cannot be read ({})", w.reason),
                            &e.origin,
                        )
                    });
                    continue;
                }
            };
            let proto_ok = match t.proto {
                Proto::All => true,
                Proto::Number(_) => false,
                p => p == proto,
            };
            if !proto_ok {
                continue;
            }
            let peer_m = e
                .cidr_block
                .get()
                .and_then(|c| parse_cidr(c))
                .map_or(M::Unknown, |n| cidr_covers(&n, peer));
            if peer_m == M::No {
                continue;
            }
            let (lo, hi) = if matches!(t.proto, Proto::Tcp | Proto::Udp) {
                (t.lo.max(0) as u32, t.hi.max(0) as u32)
            } else {
                (0, 65535)
            };
            let hit: Vec<(u32, u32)> = open
                .iter()
                .filter_map(|&(a, b)| {
                    let (x, y) = (a.max(lo), b.min(hi));
                    (x <= y).then_some((x, y))
                })
                .collect();
            if hit.is_empty() {
                continue;
            }
            let allow = e.allow.get().copied();
            if peer_m == M::Unknown || allow.is_none() {
                unknown.get_or_insert_with(|| {
                    hop(
                        &acl.meta.address,
                        "network_acl",
                        Decision::Unknown,
                        format!("{what}: whether entry #{num} matches cannot be told"),
                        &e.origin,
                    )
                });
                open = subtract(&open, lo, hi);
                continue;
            }
            let label = format!(
                "{what} #{num} {} {} {}",
                if allow == Some(true) { "allow" } else { "deny" },
                t,
                e.cidr_block.get().map(String::as_str).unwrap_or("?")
            );
            if allow == Some(true) {
                let in_want = hit.iter().any(|&(x, y)| x.max(want_lo) <= y.min(want_hi));
                if in_want && unknown.is_none() {
                    return hop(
                        &acl.meta.address,
                        "network_acl",
                        Decision::Allow,
                        label,
                        &e.origin,
                    );
                }
                if !in_want {
                    allowed_outside_range.get_or_insert((label, e.origin.clone()));
                }
            } else if !is_range && unknown.is_none() {
                return hop(
                    &acl.meta.address,
                    "network_acl",
                    Decision::Block,
                    label,
                    &e.origin,
                );
            } else {
                denied_by.get_or_insert((label, e.origin.clone()));
            }
            open = subtract(&open, lo, hi);
        }
        if let Some(u) = unknown {
            return u;
        }
        if !acl.entries_complete {
            return hop(
                &acl.meta.address,
                "network_acl",
                Decision::Unknown,
                format!("{what}: entries may exist that were not read"),
                &acl.meta.origin,
            );
        }
        if let Some((label, origin)) = allowed_outside_range {
            return hop(
                &acl.meta.address,
                "network_acl",
                Decision::Unknown,
                format!(
                    "{what}: {label} allows reply ports outside the client's ephemeral range {want_lo}-{want_hi} (partial coverage)"
                ),
                &origin,
            );
        }
        if let Some((label, origin)) = denied_by {
            return hop(
                &acl.meta.address,
                "network_acl",
                Decision::Block,
                label,
                &origin,
            );
        }
        let wanted = if is_range {
            format!("{} reply ports {want_lo}-{want_hi}", l4.as_str())
        } else {
            format!("{} {}", l4.as_str(), want_lo)
        };
        hop(
            &acl.meta.address,
            "network_acl",
            Decision::Block,
            format!("{what}: no entry allows {wanted} (the final * rule denies it)"),
            &acl.meta.origin,
        )
    }
}

pub(super) fn subtract(open: &[(u32, u32)], lo: u32, hi: u32) -> Vec<(u32, u32)> {
    let mut out = Vec::new();
    for &(a, b) in open {
        if hi < a || lo > b {
            out.push((a, b));
            continue;
        }
        if a < lo {
            out.push((a, lo - 1));
        }
        if hi < b {
            out.push((hi + 1, b));
        }
    }
    out
}
