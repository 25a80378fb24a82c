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
        // The stretch after the last NAT gateway: the reply comes in from the internet
        // gateway, steered by its edge table.
        let last_start = state.nat_marks.last().map_or(0, |m| m.firewalls_before);
        let fwd_fw = state.firewalls[last_start..].last().copied();
        self.symmetry(
            state, flow, fwd_fw, ret_fw, remote, exit_addr, exit, &mut asym,
        );
        // Each stretch before a NAT gateway: the gateway translates the reply back to that
        // stretch's source, and its subnet's table routes it on — through the firewall
        // the request crossed in AWS's "firewall between the workload and the NAT
        // gateway" model, where the NAT subnet routes the workload's CIDR to the
        // firewall endpoint.
        let marks = state.nat_marks.clone();
        for (i, m) in marks.iter().enumerate().rev() {
            let from = if i == 0 {
                0
            } else {
                marks[i - 1].firewalls_before
            };
            let Some(fwd) = state.firewalls[from..m.firewalls_before].last().copied() else {
                // No firewall on this stretch: nothing whose symmetry is at stake (a reply
                // steered into a firewall the request skipped is left to the firewall's
                // own checks).
                continue;
            };
            let fwd = Some(fwd);
            let client = self.src_addr(&m.inner);
            let Some(ret) = self.reply_route(state, flow, m.nat_subnet, client) else {
                return asym;
            };
            self.symmetry(
                state,
                flow,
                fwd,
                ret,
                remote,
                client,
                m.nat_subnet,
                &mut asym,
            );
        }
        // The reply enters the exit subnet from the internet with the client's ports.
        let h = self.nacl_hop(exit, false, flow.l4, Some(eph), remote, "reply in");
        state.hop(h);
        self.reply_inside(state, flow);
        state.reply_known = true;
        asym
    }

    /// Compares the firewall the request crossed on one stretch of its way (`fwd`) with
    /// the one the reply to that stretch's source address is routed through (`ret`):
    /// different ones are an asymmetric path (§6.8); the same one judges the reply
    /// (`remote` → `client`) with its policy.
    #[allow(clippy::too_many_arguments)]
    fn symmetry(
        &self,
        state: &mut State,
        flow: &Flow,
        fwd: Option<(usize, usize)>,
        ret: Option<(usize, usize)>,
        remote: Addr,
        client: Addr,
        vars_subnet: usize,
        asym: &mut Vec<Hop>,
    ) {
        if ret != fwd {
            let why = match (fwd, ret) {
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
            let f = fwd.or(ret).map(|x| x.0).unwrap_or_default();
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
        } else if let Some((f, _)) = ret {
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
                        dst: client,
                        dst_port: None,
                        app: &App::None,
                    },
                    &self.vars(vars_subnet),
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
    }

    /// The firewall endpoint (if any) that `subnet`'s route table sends a reply to
    /// `client` through; `None` (after recording why) when the route cannot be told or
    /// leads somewhere the engine does not follow.
    fn reply_route(
        &self,
        state: &mut State,
        flow: &Flow,
        subnet: usize,
        client: Addr,
    ) -> Option<Option<(usize, usize)>> {
        let mut probe = state.clone();
        probe.subnet = subnet;
        probe.hops = Vec::new();
        let back = Flow {
            l4: flow.l4,
            port: flow.port,
            dst: Dst::Private(client),
        };
        let next = self.lookup(&mut probe, &back);
        let decided = probe.hops.pop();
        match next {
            Some(Next::Local) => Some(None),
            Some(Next::Firewall {
                firewall,
                endpoint_subnet,
            }) => {
                if let Some(h) = decided {
                    state.hop(Hop {
                        rule: Arc::from(format!("reply: {}", h.rule)),
                        ..h
                    });
                }
                Some(Some((firewall, endpoint_subnet)))
            }
            _ => {
                let h = decided.unwrap_or_else(|| {
                    hop(
                        &self.model.subnets[subnet].meta.address,
                        "route_table",
                        Decision::Unknown,
                        "no route back",
                        &self.model.subnets[subnet].meta.origin,
                    )
                });
                state.hop(Hop {
                    decision: Decision::Unknown,
                    rule: Arc::from(format!(
                        "reply to {}: {} (whether it crosses the firewall the request crossed cannot be told)",
                        addr_text(client),
                        h.rule
                    )),
                    ..h
                });
                None
            }
        }
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
