//! Ingress: can the internet open connections to a workload's interface? The internet
//! gateway and a public address first, then the subnet's ACL in, the interface's security
//! groups, and the ACL out for the reply.

use super::egress::{add_undelivered, admitted, empty_answer, finish};
use super::*;

impl Engine<'_> {
    pub(super) fn ingress(&self, eni: &Eni, to: &Destination) -> Answer {
        let mut answer = empty_answer(
            &self.model.subnets[eni.subnet].meta.address,
            to,
            Direction::Ingress,
        );
        let subnet = &self.model.subnets[eni.subnet];
        // The internet: a public address no rule names, and one per piece the named
        // prefixes cut out (an ingress rule for one public /24 admits part of it).
        let remotes: Vec<Addr> = match to {
            Destination::Cidr { net, .. } => vec![Addr::Inside(IpNet::V4(*net))],
            _ => std::iter::once(Addr::AnyPublic)
                .chain(
                    self.internet_samples(eni, sagescan_model::network::Direction::Ingress)
                        .into_iter()
                        .map(|s| Addr::Exactly(std::net::IpAddr::V4(s.addr))),
                )
                .collect(),
        };
        // Ports: every port an ingress rule names, or the one asked for.
        let mut ports: BTreeSet<u16> = BTreeSet::new();
        if let Some(p) = to.port() {
            ports.insert(p);
        } else {
            ports.extend([22u16, 443, 3389, 8888]);
            for &g in &eni.security_groups {
                for r in &self.model.security_groups[g].rules {
                    if r.direction == sagescan_model::network::Direction::Ingress
                        && let Ok(t) = Traffic::of_rule(r)
                        && matches!(t.proto, Proto::Tcp | Proto::Udp)
                        && let Ok(p) = u16::try_from(t.lo.max(1))
                    {
                        ports.insert(p);
                    }
                }
            }
        }
        let mut any = Vec::new();
        let mut flows = Vec::new();
        for &port in &ports {
            for l4 in [L4::Tcp, L4::Udp] {
                flows.extend(remotes.iter().map(|&r| (port, l4, r)));
            }
        }
        for (port, l4, remote) in flows {
            {
                let flow = Flow {
                    l4,
                    port: Some(port),
                    dst: Dst::Public(remote),
                };
                let mut st = State::at(eni);
                // Internet gateway and a public address first: without them nothing
                // arrives, whatever the groups say.
                let vpc = self.topology.vpc_of(eni.subnet);
                let igw = vpc.and_then(|v| self.igw_of_vpc.get(&v).copied());
                match igw {
                    // Which gateway serves the subnet cannot be told without its VPC.
                    None if vpc.is_none() => st.hop(hop(
                        &subnet.meta.address,
                        "internet_gateway",
                        Decision::Unknown,
                        "the subnet's VPC is unknown, so is its internet gateway",
                        subnet.vpc.origin(),
                    )),
                    None if self.unknown_igw_configs.contains(&subnet.meta.config) => {
                        st.hop(hop(
                            &subnet.meta.address,
                            "internet_gateway",
                            Decision::Unknown,
                            "an internet gateway of the configuration has an unknown VPC; it may be this one's",
                            &subnet.meta.origin,
                        ))
                    }
                    None => st.hop(hop(
                        &subnet.meta.address,
                        "internet_gateway",
                        Decision::Block,
                        "the VPC has no internet gateway attached",
                        &subnet.meta.origin,
                    )),
                    Some(i) => {
                        let g = &self.model.internet_gateways[i];
                        match subnet.map_public_ip_on_launch.get() {
                            Some(false) => st.hop(hop(&g.meta.address, "internet_gateway", Decision::Block, format!("the workload's network interface has no public IP ({} does not map public IPs on launch)", subnet.meta.address), subnet.map_public_ip_on_launch.origin())),
                            Some(true) => st.hop(hop(&g.meta.address, "internet_gateway", Decision::Unknown, format!("{} maps public IPs on launch; whether SageMaker's network interfaces get one is not documented", subnet.meta.address), subnet.map_public_ip_on_launch.origin())),
                            None => st.hop(hop(&g.meta.address, "internet_gateway", Decision::Unknown, "whether the interface has a public IP is unknown", subnet.map_public_ip_on_launch.origin())),
                        }
                    }
                }
                let h = self.nacl_hop(
                    eni.subnet,
                    false,
                    l4,
                    Some((u32::from(port), u32::from(port))),
                    remote,
                    "in",
                );
                st.hop(h);
                // Security groups of the interface: any ingress rule.
                let mut sg_hop = None;
                for &g in &eni.security_groups {
                    let sg = &self.model.security_groups[g];
                    for r in sg
                        .rules
                        .iter()
                        .filter(|r| r.direction == sagescan_model::network::Direction::Ingress)
                    {
                        match self.sg_rule_admits(g, r, &flow, remote, Some(&[])) {
                            M::Yes => {
                                sg_hop = Some(hop(
                                    &sg.meta.address,
                                    "security_group",
                                    Decision::Allow,
                                    crate::rules::describe(r),
                                    &r.origin,
                                ));
                                break;
                            }
                            M::Unknown => {
                                sg_hop.get_or_insert_with(|| {
                                    hop(
                                        &sg.meta.address,
                                        "security_group",
                                        Decision::Unknown,
                                        format!(
                                            "whether ingress {} admits it cannot be told",
                                            crate::rules::describe(r)
                                        ),
                                        &r.origin,
                                    )
                                });
                            }
                            M::No => {}
                        }
                    }
                    if sg_hop
                        .as_ref()
                        .is_some_and(|h| h.decision == Decision::Allow)
                    {
                        break;
                    }
                }
                st.hop(sg_hop.unwrap_or_else(|| {
                    let names: Vec<&str> = eni
                        .security_groups
                        .iter()
                        .map(|&g| self.model.security_groups[g].meta.address.as_str())
                        .collect();
                    hop(
                        names.join(", "),
                        "security_group",
                        Decision::Block,
                        format!(
                            "no ingress rule admits {} {port} from {}",
                            l4.as_str(),
                            addr_text(remote)
                        ),
                        &subnet.meta.origin,
                    )
                }));
                let h = self.nacl_hop(
                    eni.subnet,
                    true,
                    l4,
                    Some(NAT_EPHEMERAL),
                    remote,
                    "reply out",
                );
                st.hop(h);
                any.push((l4, port, st.end(true, Vec::new())));
            }
        }
        for (l4, port, w) in any {
            if w.delivered {
                if answer.admitted.is_empty() {
                    answer.path = w.hops.clone();
                }
                answer
                    .admitted
                    .push(admitted(l4, Some(port), &App::None, false, None));
            } else {
                if answer.admitted.is_empty() && (answer.path.is_empty() || w.unknown.is_empty()) {
                    answer.path = w.hops.clone();
                }
                add_undelivered(&mut answer, w.blocked, w.unknown, w.return_unknown);
            }
        }
        finish(answer)
    }
}
