//! The return path: the internet gateway's edge route table, the firewall endpoint the reply
//! crosses (it must be the one the request crossed, §6.8), and every network ACL again in
//! reverse with the client's ephemeral ports.

use super::*;

impl Engine<'_> {
    /// The reply from the internet: the IGW's edge route table, then back along the
    /// crossings. Returns the asymmetric firewall hops, if any (§6.8).
    pub(super) fn reply_from_internet(
        &self,
        state: &mut State,
        flow: &Flow,
        igw: usize,
    ) -> Vec<Hop> {
        let exit = state.subnet;
        let exit_addr = self.src_addr(&state.src);
        let remote = flow.dst.addr(self);
        let eph = state.src.ephemeral();
        let mut ret_fw: Option<(usize, usize)> = None;
        let mut asym = Vec::new();
        let config = self.model.internet_gateways[igw].meta.config;
        if !self.edge_table.contains_key(&igw)
            && let Some(o) = self.unknown_edges.get(&config)
        {
            // The reply's way in cannot be told, so neither can its symmetry.
            state.hop(hop(
                &self.model.internet_gateways[igw].meta.address,
                "route_table",
                Decision::Unknown,
                "reply: an edge route table association's gateway or table is unknown",
                o,
            ));
            return asym;
        }
        if let Some(&rt) = self.edge_table.get(&igw) {
            let t = &self.model.route_tables[rt];
            let mut best: Option<(u8, &sagescan_model::network::Route)> = None;
            let mut unsure = None;
            for r in &t.routes {
                // Edge routes name subnet or VPC CIDRs (a prefix list is not accepted there).
                let m = match r.destination.get() {
                    Some(RouteDestination::Cidr(c)) => match parse_cidr(c) {
                        Some(n) => match cidr_covers(&n, exit_addr) {
                            M::Yes => Ok(Some(n.prefix_len())),
                            M::No => Ok(None),
                            M::Unknown => Err(()),
                        },
                        None => Err(()),
                    },
                    Some(RouteDestination::PrefixList(_)) => Ok(None),
                    None => Err(()),
                };
                match m {
                    Ok(Some(len)) if best.is_none_or(|(l, _)| len > l) => best = Some((len, r)),
                    Ok(_) => {}
                    Err(()) => {
                        unsure.get_or_insert(r);
                    }
                }
            }
            if let Some(r) = unsure {
                // Whether the reply is steered (and where) cannot be told.
                state.hop(hop(
                    &t.meta.address,
                    "route_table",
                    Decision::Unknown,
                    format!(
                        "reply: whether edge route {} covers {} cannot be told",
                        describe_dest(r),
                        addr_text(exit_addr)
                    ),
                    &r.origin,
                ));
                return asym;
            }
            if let Some((_, r)) = best {
                match r.target.get() {
                    None => {
                        state.hop(hop(
                            &t.meta.address,
                            "route_table",
                            Decision::Unknown,
                            format!(
                                "reply: the target of edge route {} is unknown",
                                describe_dest(r)
                            ),
                            r.target.origin(),
                        ));
                        return asym;
                    }
                    Some(RouteTarget::VpcEndpoint(k)) => {
                        match Firewall::position(self.model, t.meta.config, k) {
                            Some(f) => match self.firewall_endpoint(f, exit) {
                                Some(es) => {
                                    ret_fw = Some((f, es));
                                    state.hop(hop(
                                        &t.meta.address,
                                        "route_table",
                                        Decision::Allow,
                                        format!(
                                            "reply: edge route {} → {} endpoint",
                                            describe_dest(r),
                                            self.model.firewalls[f].meta.address
                                        ),
                                        &r.origin,
                                    ));
                                }
                                None => state.hop(hop(
                                    &t.meta.address,
                                    "route_table",
                                    Decision::Unknown,
                                    "reply: the firewall endpoint of the edge route cannot be told",
                                    &r.origin,
                                )),
                            },
                            None => state.hop(hop(
                                &t.meta.address,
                                "route_table",
                                Decision::Unknown,
                                format!("reply: edge route to {k}, which sagescan does not model"),
                                &r.origin,
                            )),
                        }
                    }
                    Some(RouteTarget::Local) => {}
                    Some(_) => state.hop(hop(
                        &t.meta.address,
                        "route_table",
                        Decision::Unknown,
                        "reply: edge route to a target sagescan does not model",
                        &r.origin,
                    )),
                }
            }
        }
        let fwd_fw = state.firewalls.last().copied();
        if ret_fw != fwd_fw {
            let why = match (fwd_fw, ret_fw) {
                (Some((f, _)), None) => format!(
                    "the request crossed {} but the reply from the internet is not routed back through it (no IGW edge route to its endpoint)",
                    self.model.firewalls[f].meta.address
                ),
                (None, Some((f, _))) => format!(
                    "the reply is routed through {} which the request never crossed",
                    self.model.firewalls[f].meta.address
                ),
                (Some((f, a)), Some((_, b))) => format!(
                    "the request crossed the {} endpoint in {} but the reply returns through the one in {}",
                    self.model.firewalls[f].meta.address,
                    self.model.subnets[a].meta.address,
                    self.model.subnets[b].meta.address
                ),
                (None, None) => String::new(),
            };
            let f = fwd_fw.or(ret_fw).map(|x| x.0).unwrap_or_default();
            let fw = &self.model.firewalls[f];
            let h = hop(
                &fw.meta.address,
                "network_firewall",
                Decision::Unknown,
                format!("asymmetric path: {why}"),
                &fw.meta.origin,
            );
            asym.push(h.clone());
            // Strict order with a drop default drops the half-seen flow; otherwise the
            // outcome is not documented (§6.8).
            let strict_drop = fw
                .policy
                .get()
                .and_then(|p| self.model.position::<FirewallPolicy>(fw.meta.config, p))
                .is_some_and(|p| {
                    let pol = &self.model.firewall_policies[p];
                    pol.stateful_rule_order
                        .get()
                        .is_some_and(|o| o == "STRICT_ORDER")
                        && pol
                            .stateful_default_actions
                            .get()
                            .is_some_and(|a| a.iter().any(|x| x.starts_with("aws:drop")))
                });
            state.hop(Hop {
                decision: if strict_drop {
                    Decision::Block
                } else {
                    Decision::Unknown
                },
                ..h
            });
        } else if let Some((f, _)) = ret_fw {
            let fw = &self.model.firewalls[f];
            if let Some(p) = fw
                .policy
                .get()
                .and_then(|p| self.model.position::<FirewallPolicy>(fw.meta.config, p))
            {
                let fate = self.policies[p].reply(
                    &Packet {
                        l4: flow.l4,
                        src: remote,
                        dst: exit_addr,
                        dst_port: None,
                        app: &App::None,
                    },
                    &self.vars(exit),
                );
                let (d, rule, o) = match fate {
                    Fate::Pass { rule, origin, .. } => (Decision::Allow, rule, origin),
                    Fate::Drop { rule, origin } => (Decision::Block, rule, origin),
                    Fate::Unknown { why, origin } => (Decision::Unknown, why, origin),
                };
                state.hop(hop(
                    &fw.meta.address,
                    "network_firewall",
                    d,
                    format!("reply (same endpoint): {rule}"),
                    &o,
                ));
            }
        }
        // The reply enters the exit subnet from the internet with the client's ports.
        let h = self.nacl_hop(exit, false, flow.l4, Some(eph), remote, "reply in");
        state.hop(h);
        self.reply_inside(state, flow);
        state.reply_known = true;
        asym
    }

    /// Replays the internal crossings backwards for the reply (§8.5): ACL out of the
    /// subnet the request entered, ACL in of the one it left, with the client's ports.
    pub(super) fn reply_inside(&self, state: &mut State, flow: &Flow) {
        let remote = flow.dst.addr(self);
        let crossings: Vec<Crossing> = state.crossings.iter().rev().cloned().collect();
        for c in crossings {
            let Some(to) = c.to else { continue };
            let eph = c.src.ephemeral();
            let client = self.src_addr(&c.src);
            let h = self.nacl_hop(to, true, flow.l4, Some(eph), client, "reply out");
            state.hop(h);
            let h = self.nacl_hop(c.from, false, flow.l4, Some(eph), remote, "reply in");
            state.hop(h);
        }
    }
}
