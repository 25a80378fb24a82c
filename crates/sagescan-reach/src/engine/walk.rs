//! The forward walk: route lookup (longest prefix, explicit, main or implicit table), then
//! the target — local delivery, NAT gateway, Network Firewall endpoint (by the subnet's AZ),
//! internet gateway with its public-address precondition, gateway or interface endpoint.

use super::*;

impl Engine<'_> {
    /// Follows the flow from `state` until it is delivered, blocked for good, or unknown;
    /// returns the application variants grouped by how they ended.
    pub(super) fn walk(
        &self,
        mut state: State,
        flow: &Flow,
        apps: Vec<App>,
    ) -> Vec<(Vec<App>, Walked)> {
        loop {
            state.lookups += 1;
            if state.lookups > MAX_LOOKUPS {
                let o = self.model.subnets[state.subnet].meta.origin.clone();
                state.hop(hop(
                    &self.model.subnets[state.subnet].meta.address,
                    "route_table",
                    Decision::Unknown,
                    "routing loop: the walk keeps coming back",
                    &o,
                ));
                return vec![(apps, state.end(false, Vec::new()))];
            }
            let subnet = state.subnet;
            // Same subnet: layer 2, no route table, no ACL (§3.8).
            if let Dst::Endpoint {
                endpoint,
                subnet: t,
            } = flow.dst
                && t == subnet
            {
                self.deliver_endpoint(&mut state, flow, endpoint);
                return vec![(apps, state.end(true, Vec::new()))];
            }
            let target = match self.lookup(&mut state, flow) {
                Some(x) => x,
                None => return vec![(apps, state.end(false, Vec::new()))],
            };
            match target {
                Next::Local => match flow.dst {
                    Dst::Endpoint {
                        endpoint,
                        subnet: t,
                    } => {
                        self.cross(&mut state, flow, t);
                        self.deliver_endpoint(&mut state, flow, endpoint);
                        return vec![(apps, state.end(true, Vec::new()))];
                    }
                    Dst::Private(a) => {
                        let owner = (0..self.model.subnets.len()).find(|&s| {
                            self.topology.vpc_of(s) == self.topology.vpc_of(subnet)
                                && self.subnet_cidr[s].is_some_and(|c| cidr_covers(&c, a) == M::Yes)
                        });
                        match owner {
                            Some(t) => {
                                if t != subnet {
                                    self.cross(&mut state, flow, t);
                                }
                                let s = &self.model.subnets[t];
                                state.hop(hop(&s.meta.address, "subnet", Decision::Allow, "delivered into the subnet (the receiving interface's security groups are not known)", &s.meta.origin));
                                return vec![(apps, state.end(true, Vec::new()))];
                            }
                            None => {
                                let o = self.model.subnets[subnet].meta.origin.clone();
                                state.hop(hop(
                                    "local",
                                    "route_table",
                                    Decision::Unknown,
                                    "no subnet of the VPC is known to hold the address",
                                    &o,
                                ));
                                return vec![(apps, state.end(false, Vec::new()))];
                            }
                        }
                    }
                    _ => {
                        let o = self.model.subnets[subnet].meta.origin.clone();
                        state.hop(hop(
                            "local",
                            "route_table",
                            Decision::Block,
                            "the local route delivers inside the VPC only",
                            &o,
                        ));
                        return vec![(apps, state.end(false, Vec::new()))];
                    }
                },
                Next::Internet(igw) => {
                    return self.internet(state, flow, igw, apps);
                }
                Next::Nat(nat) => {
                    let n = &self.model.nat_gateways[nat];
                    let Some(ns) = n
                        .subnet
                        .get()
                        .and_then(|s| self.model.position::<Subnet>(n.meta.config, s))
                    else {
                        state.hop(hop(
                            &n.meta.address,
                            "nat_gateway",
                            Decision::Unknown,
                            "the NAT gateway's subnet is unknown",
                            n.subnet.origin(),
                        ));
                        return vec![(apps, state.end(false, Vec::new()))];
                    };
                    if ns != subnet {
                        self.cross(&mut state, flow, ns);
                    }
                    let private = match n.connectivity_type.get().map(String::as_str) {
                        Some("private") => true,
                        Some(_) => false,
                        None => {
                            state.hop(hop(
                                &n.meta.address,
                                "nat_gateway",
                                Decision::Unknown,
                                "connectivity type unknown",
                                n.connectivity_type.origin(),
                            ));
                            return vec![(apps, state.end(false, Vec::new()))];
                        }
                    };
                    state.hop(hop(
                        &n.meta.address,
                        "nat_gateway",
                        Decision::Allow,
                        format!(
                            "{} NAT: source becomes the NAT gateway's address",
                            if private { "private" } else { "public" }
                        ),
                        &n.meta.origin,
                    ));
                    state.nat_marks.push(NatMark {
                        firewalls_before: state.firewalls.len(),
                        nat_subnet: ns,
                        inner: state.src.clone(),
                    });
                    state.src = Src::Nat {
                        nat,
                        subnet: ns,
                        private,
                    };
                    state.subnet = ns;
                }
                Next::Firewall {
                    firewall,
                    endpoint_subnet,
                } => {
                    if endpoint_subnet != subnet {
                        self.cross(&mut state, flow, endpoint_subnet);
                    }
                    state.subnet = endpoint_subnet;
                    state.firewalls.push((firewall, endpoint_subnet));
                    return self.firewall(state, flow, firewall, apps);
                }
                Next::GatewayEndpoint(e) => {
                    let ep = &self.model.vpc_endpoints[e];
                    self.nacl(
                        &mut state,
                        subnet,
                        true,
                        flow.l4,
                        flow.port,
                        flow.dst.addr(self),
                        "out",
                    );
                    state.hop(hop(&ep.meta.address, "vpc_endpoint", Decision::Allow, "gateway endpoint: delivered to the service (its endpoint policy still applies)", &ep.meta.origin));
                    state.crossings.push(Crossing {
                        from: subnet,
                        to: None,
                        src: state.src.clone(),
                    });
                    self.reply_inside(&mut state, flow);
                    return vec![(apps, state.end(true, Vec::new()))];
                }
                Next::Stop => return vec![(apps, state.end(false, Vec::new()))],
            }
        }
    }

    /// Traffic crosses from the current subnet into subnet `to`: ACL out, then ACL in.
    pub(super) fn cross(&self, state: &mut State, flow: &Flow, to: usize) {
        let from = state.subnet;
        let dst = flow.dst.addr(self);
        self.nacl(state, from, true, flow.l4, flow.port, dst, "out");
        let src = self.src_addr(&state.src);
        self.nacl(state, to, false, flow.l4, flow.port, src, "in");
        state.crossings.push(Crossing {
            from,
            to: Some(to),
            src: state.src.clone(),
        });
    }

    pub(super) fn src_addr(&self, s: &Src) -> Addr {
        self.subnet_addr(s.subnet())
    }

    /// Some address of `subnet`. When its CIDR is unknown it is still inside its VPC:
    /// inside the VPC's one block if the VPC has exactly one, known.
    pub(super) fn subnet_addr(&self, subnet: usize) -> Addr {
        if let Some(c) = self.subnet_cidr[subnet] {
            return Addr::Inside(c);
        }
        match self.topology.vpc_of(subnet).map(|v| &self.vpc_cidrs[v]) {
            Some(VpcCidrs {
                nets,
                complete: true,
            }) if nets.len() == 1 => Addr::Inside(nets[0]),
            _ => Addr::Unknown,
        }
    }

    pub(super) fn deliver_endpoint(&self, state: &mut State, flow: &Flow, endpoint: usize) {
        let ep = &self.model.vpc_endpoints[endpoint];
        let sgs = self.endpoint_sgs(endpoint);
        let src = self.src_addr(&state.src);
        let from_sgs: Vec<usize> = match &state.src {
            Src::Eni { sgs, .. } => sgs.clone(),
            Src::Nat { .. } => Vec::new(),
        };
        if sgs.is_empty() {
            state.hop(hop(&ep.meta.address, "vpc_endpoint", Decision::Unknown, "the endpoint's security groups are not known (none given means the VPC's default group)", ep.security_groups.origin()));
            return;
        }
        let mut unknown = None;
        for &g in &sgs {
            let sg = &self.model.security_groups[g];
            for r in sg
                .rules
                .iter()
                .filter(|r| r.direction == sagescan_model::network::Direction::Ingress)
            {
                match self.sg_rule_admits(g, r, flow, src, Some(&from_sgs)) {
                    M::Yes => {
                        state.hop(hop(
                            &sg.meta.address,
                            "security_group",
                            Decision::Allow,
                            crate::rules::describe(r),
                            &r.origin,
                        ));
                        state.hop(hop(
                            &ep.meta.address,
                            "vpc_endpoint",
                            Decision::Allow,
                            "delivered to the interface endpoint",
                            &ep.meta.origin,
                        ));
                        return;
                    }
                    M::Unknown => {
                        unknown.get_or_insert_with(|| {
                            hop(
                                &sg.meta.address,
                                "security_group",
                                Decision::Unknown,
                                format!(
                                    "whether ingress {} admits the flow cannot be told",
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
        match unknown {
            Some(h) => state.hop(h),
            None => {
                let sg = &self.model.security_groups[sgs[0]];
                state.hop(hop(
                    &sg.meta.address,
                    "security_group",
                    Decision::Block,
                    format!(
                        "no ingress rule of the endpoint's groups admits {}",
                        flow_text(flow)
                    ),
                    &sg.meta.origin,
                ));
            }
        }
    }

    /// Route lookup in the current subnet's table (longest prefix match, §3.2).
    pub(super) fn lookup(&self, state: &mut State, flow: &Flow) -> Option<Next> {
        let subnet = state.subnet;
        let s = &self.model.subnets[subnet];
        let (rt, address, origin): (Option<(usize, &RouteTable)>, String, Origin) =
            match self.topology.route_table_of(subnet) {
                Link::Explicit { index, origin } => (
                    Some((*index, &self.model.route_tables[*index])),
                    self.model.route_tables[*index].meta.address.clone(),
                    origin.clone(),
                ),
                Link::Main { index } => (
                    Some((*index, &self.model.route_tables[*index])),
                    self.model.route_tables[*index].meta.address.clone(),
                    self.model.route_tables[*index].meta.origin.clone(),
                ),
                Link::Implicit => (
                    None,
                    format!("main route table of {}", s.meta.address),
                    s.meta.origin.clone(),
                ),
                Link::Unknown { reason, origin } => {
                    state.hop(hop(
                        &s.meta.address,
                        "route_table",
                        Decision::Unknown,
                        format!("the subnet's route table is unknown ({reason})"),
                        origin,
                    ));
                    return None;
                }
            };
        let vpc = self.topology.vpc_of(subnet);
        let dst_addr = flow.dst.addr(self);
        // Candidates: (prefix length, match, target, label, origin).
        let mut best: Option<(u8, Next, String, Origin)> = None;
        let mut ambiguous: Option<(String, Origin)> = None;
        let mut consider = |len: u8, m: M, next: Next, label: String, o: &Origin| match m {
            M::No => {}
            M::Yes => {
                if best.as_ref().is_none_or(|(l, ..)| len > *l) {
                    best = Some((len, next, label, o.clone()));
                } else if best
                    .as_ref()
                    .is_some_and(|(l, n, ..)| len == *l && *n != next)
                {
                    ambiguous = Some((
                        format!("{label} ties with another route of the same prefix length"),
                        o.clone(),
                    ));
                }
            }
            M::Unknown => {
                if ambiguous.is_none() {
                    ambiguous =
                        Some((format!("whether {label} matches cannot be told"), o.clone()));
                }
            }
        };
        let cidrs = vpc.map(|v| &self.vpc_cidrs[v]);
        if cidrs.is_none_or(|c| !c.complete) {
            // A block of the VPC (or the VPC) is unknown: its local route may cover any
            // address inside; it never covers the internet or a service's public range.
            let m = match dst_addr {
                Addr::AnyPublic | Addr::Service => M::No,
                _ => M::Unknown,
            };
            consider(
                0,
                m,
                Next::Local,
                "a local route of an unknown CIDR".into(),
                &origin,
            );
        }
        for c in cidrs.map(|c| c.nets.as_slice()).unwrap_or_default() {
            consider(
                c.prefix_len(),
                cidr_covers(c, dst_addr),
                Next::Local,
                format!("{c} → local"),
                &origin,
            );
        }
        if let Some((rt_index, rt)) = rt {
            let config = rt.meta.config;
            for r in &rt.routes {
                let (len, m, dest) = match r.destination.get() {
                    Some(RouteDestination::Cidr(c)) => match parse_cidr(c) {
                        Some(n @ IpNet::V4(_)) => {
                            (n.prefix_len(), cidr_covers(&n, dst_addr), c.clone())
                        }
                        Some(_) => continue,
                        None => (0, M::Unknown, c.clone()),
                    },
                    // Prefix-list routes: more specific than a default route, less than any
                    // other CIDR the model can compare them with.
                    Some(RouteDestination::PrefixList(pl)) => (
                        24,
                        self.prefix_list_covers(config, &pl.key, &flow.dst, dst_addr),
                        pl.key.clone(),
                    ),
                    None => (
                        0,
                        M::Unknown,
                        r.destination
                            .unknown_reason()
                            .map_or_else(|| "an unknown destination".into(), str::to_string),
                    ),
                };
                if m == M::No {
                    continue;
                }
                let (next, tlabel) = self.target(config, r.target.get(), subnet);
                consider(len, m, next, format!("{dest} → {tlabel}"), &r.origin);
            }
            for &e in self.gateway_endpoints.get(&rt_index).into_iter().flatten() {
                let ep = &self.model.vpc_endpoints[e];
                let m = match &flow.dst {
                    Dst::Service(name) => service_matches(ep, name),
                    _ => M::No,
                };
                consider(
                    24,
                    m,
                    Next::GatewayEndpoint(e),
                    format!("prefix list of {} → {}", service_text(ep), ep.meta.address),
                    &ep.meta.origin,
                );
            }
            if let Dst::Service(name) = &flow.dst
                && let Some(&e) = self.unknown_gateway_endpoints.iter().find(|&&e| {
                    let ep = &self.model.vpc_endpoints[e];
                    ep.meta.config == config && service_matches(ep, name) != M::No
                })
            {
                let ep = &self.model.vpc_endpoints[e];
                ambiguous.get_or_insert((
                    format!(
                        "whether gateway endpoint {} serves this route table is unknown",
                        ep.meta.address
                    ),
                    ep.route_tables.origin().clone(),
                ));
            }
            if !rt.routes_complete && best.as_ref().is_none_or(|(l, ..)| *l < 32) {
                ambiguous.get_or_insert((
                    format!("{address} may hold routes that were not read"),
                    rt.meta.origin.clone(),
                ));
            }
        }
        if let Some((why, o)) = ambiguous
            && best.as_ref().is_none_or(|(_, n, ..)| *n != Next::Local)
        {
            state.hop(hop(&address, "route_table", Decision::Unknown, why, &o));
            return None;
        }
        match best {
            None => {
                state.hop(hop(
                    &address,
                    "route_table",
                    Decision::Block,
                    format!("no route matches {}", dst_text(&flow.dst)),
                    &origin,
                ));
                None
            }
            Some((_, Next::Stop, label, o)) => {
                state.hop(hop(
                    &address,
                    "route_table",
                    Decision::Unknown,
                    format!("{label}: sagescan does not model this target"),
                    &o,
                ));
                None
            }
            Some((_, next, label, o)) => {
                state.hop(hop(&address, "route_table", Decision::Allow, label, &o));
                Some(next)
            }
        }
    }

    /// What a route target is, for the walk.
    pub(super) fn target(
        &self,
        config: ConfigId,
        t: Option<&RouteTarget>,
        subnet: usize,
    ) -> (Next, String) {
        match t {
            None => (Next::Stop, "an unknown target".into()),
            Some(RouteTarget::Local) => (Next::Local, "local".into()),
            Some(RouteTarget::InternetGateway(r)) => {
                match self.model.position::<InternetGateway>(config, r) {
                    Some(i) => (
                        Next::Internet(i),
                        self.model.internet_gateways[i].meta.address.clone(),
                    ),
                    None => (
                        Next::Stop,
                        format!(
                            "internet gateway {} (not in the scanned configuration)",
                            r.key
                        ),
                    ),
                }
            }
            Some(RouteTarget::NatGateway(r)) => {
                match self.model.position::<NatGateway>(config, r) {
                    Some(i) => (
                        Next::Nat(i),
                        self.model.nat_gateways[i].meta.address.clone(),
                    ),
                    None => (
                        Next::Stop,
                        format!("NAT gateway {} (not in the scanned configuration)", r.key),
                    ),
                }
            }
            Some(RouteTarget::VpcEndpoint(key)) => {
                if let Some(f) = Firewall::position(self.model, config, key) {
                    return match self.firewall_endpoint(f, subnet) {
                        Some(es) => (
                            Next::Firewall {
                                firewall: f,
                                endpoint_subnet: es,
                            },
                            format!("{} endpoint", self.model.firewalls[f].meta.address),
                        ),
                        None => (
                            Next::Stop,
                            format!(
                                "an endpoint of {} whose availability zone cannot be told",
                                self.model.firewalls[f].meta.address
                            ),
                        ),
                    };
                }
                match VpcEndpoint::position(self.model, config, key) {
                    Some(e) => match self.model.vpc_endpoints[e].endpoint_type.get() {
                        Some(EndpointType::Gateway) => (
                            Next::GatewayEndpoint(e),
                            self.model.vpc_endpoints[e].meta.address.clone(),
                        ),
                        _ => (
                            Next::Stop,
                            format!(
                                "Gateway Load Balancer endpoint {} (an appliance sagescan cannot see into)",
                                self.model.vpc_endpoints[e].meta.address
                            ),
                        ),
                    },
                    None => (Next::Stop, format!("VPC endpoint {key}")),
                }
            }
            Some(RouteTarget::EgressOnlyInternetGateway(k)) => (
                Next::Stop,
                format!("egress-only internet gateway {k} (IPv6)"),
            ),
            Some(RouteTarget::NetworkInterface(k)) => (
                Next::Stop,
                format!("network interface {k} (an appliance or NAT instance)"),
            ),
            Some(RouteTarget::VpcPeering(k)) => (Next::Stop, format!("peering connection {k}")),
            Some(RouteTarget::TransitGateway(k)) => (Next::Stop, format!("transit gateway {k}")),
            Some(RouteTarget::VirtualPrivateGateway(k)) => (
                Next::Stop,
                format!("virtual private gateway {k} (on-premises)"),
            ),
            Some(RouteTarget::Other(k)) => (Next::Stop, k.clone()),
        }
    }

    /// The firewall endpoint traffic from `subnet` reaches: the one in the subnet's
    /// availability zone, or the firewall's only one (§6.8).
    pub(super) fn firewall_endpoint(&self, f: usize, subnet: usize) -> Option<usize> {
        let fw = &self.model.firewalls[f];
        let subnets: Vec<usize> = fw
            .subnets
            .get()?
            .iter()
            .filter_map(|s| self.model.position(fw.meta.config, s))
            .collect();
        let az = self.model.subnets[subnet].availability_zone.get();
        if let Some(az) = az
            && let Some(&s) = subnets
                .iter()
                .find(|&&s| self.model.subnets[s].availability_zone.get() == Some(az))
        {
            return Some(s);
        }
        (subnets.len() == 1).then(|| subnets[0])
    }

    pub(super) fn firewall(
        &self,
        mut state: State,
        flow: &Flow,
        f: usize,
        apps: Vec<App>,
    ) -> Vec<(Vec<App>, Walked)> {
        let fw = &self.model.firewalls[f];
        let Some(p) = fw
            .policy
            .get()
            .and_then(|p| self.model.position::<FirewallPolicy>(fw.meta.config, p))
        else {
            state.hop(hop(
                &fw.meta.address,
                "network_firewall",
                Decision::Unknown,
                "the firewall's policy is not in the scanned configuration",
                fw.policy.origin(),
            ));
            return vec![(apps, state.end(false, Vec::new()))];
        };
        let rules = &self.policies[p];
        let vars = self.vars(state.subnet);
        let src = self.src_addr(&state.src);
        let dst = flow.dst.addr(self);
        // Group the variants by fate, keeping the first variant's order.
        let mut groups: Vec<(Fate, Vec<App>)> = Vec::new();
        for app in apps {
            let fate = rules.forward(
                &Packet {
                    l4: flow.l4,
                    src,
                    dst,
                    dst_port: flow.port,
                    app: &app,
                },
                &vars,
            );
            match groups.iter_mut().find(|(f, _)| *f == fate) {
                Some((_, v)) => v.push(app),
                None => groups.push((fate, vec![app])),
            }
        }
        // Past the firewall nothing looks at the application again (the reply is judged on
        // addresses, a later firewall splits again itself): walk the rest once, from an
        // empty record, and splice it behind each fate.
        let mut rest = state.clone();
        rest.hops = Vec::new();
        rest.blocked = Vec::new();
        rest.unknown = Vec::new();
        rest.inspected = false;
        let all: Vec<App> = groups.iter().flat_map(|(_, a)| a.iter().cloned()).collect();
        let rest = self.walk(rest, flow, all);
        let mut out = Vec::new();
        let policy = &self.model.firewall_policies[p];
        for (fate, apps) in groups {
            let mut st = State {
                hops: state.hops.clone(),
                blocked: state.blocked.clone(),
                unknown: state.unknown.clone(),
                crossings: Vec::new(),
                firewalls: Vec::new(),
                nat_marks: Vec::new(),
                src: state.src.clone(),
                ..state
            };
            let what = |rule: &str| format!("policy {}: {rule}", policy.meta.address);
            match fate {
                Fate::Pass {
                    rule,
                    origin,
                    inspected,
                } => {
                    st.inspected |= inspected;
                    st.hop(hop(
                        &fw.meta.address,
                        "network_firewall",
                        Decision::Allow,
                        what(&rule),
                        &origin,
                    ));
                }
                Fate::Drop { rule, origin } => st.hop(hop(
                    &fw.meta.address,
                    "network_firewall",
                    Decision::Block,
                    what(&rule),
                    &origin,
                )),
                Fate::Unknown { why, origin } => st.hop(hop(
                    &fw.meta.address,
                    "network_firewall",
                    Decision::Unknown,
                    what(&why),
                    &origin,
                )),
            }
            for (rest_apps, w) in &rest {
                let shared: Vec<App> = apps
                    .iter()
                    .filter(|a| rest_apps.contains(a))
                    .cloned()
                    .collect();
                if !shared.is_empty() {
                    out.push((shared, st.then(w)));
                }
            }
        }
        out
    }

    pub(super) fn internet(
        &self,
        mut state: State,
        flow: &Flow,
        igw: usize,
        apps: Vec<App>,
    ) -> Vec<(Vec<App>, Walked)> {
        let g = &self.model.internet_gateways[igw];
        let subnet = state.subnet;
        let vpc = self.topology.vpc_of(subnet);
        // Attached to this subnet's VPC? Unknown when either side's VPC is.
        let attached = match g.vpc.get() {
            None => None,
            Some(None) => Some(false),
            Some(Some(v)) => match (self.model.position(g.meta.config, v), vpc) {
                (Some(a), Some(b)) => Some(a == b),
                _ => None,
            },
        };
        match attached {
            Some(true) => {}
            Some(false) => {
                state.hop(hop(
                    &g.meta.address,
                    "internet_gateway",
                    Decision::Block,
                    "the internet gateway is not attached to this VPC (blackhole)",
                    g.vpc.origin(),
                ));
                return vec![(apps, state.end(false, Vec::new()))];
            }
            None => {
                let why = if g.vpc.get().is_none() {
                    "the internet gateway's attachment is unknown"
                } else {
                    "whether the internet gateway is attached to the subnet's VPC cannot be told (a VPC is unknown)"
                };
                state.hop(hop(
                    &g.meta.address,
                    "internet_gateway",
                    Decision::Unknown,
                    why,
                    g.vpc.origin(),
                ));
                return vec![(apps, state.end(false, Vec::new()))];
            }
        }
        if !flow.dst.is_public() {
            state.hop(hop(
                &g.meta.address,
                "internet_gateway",
                Decision::Block,
                "the destination is not a public address",
                &g.meta.origin,
            ));
            return vec![(apps, state.end(false, Vec::new()))];
        }
        self.nacl(
            &mut state,
            subnet,
            true,
            flow.l4,
            flow.port,
            flow.dst.addr(self),
            "out",
        );
        // §4.1: the source needs a public address of its own.
        match &state.src {
            Src::Nat {
                private: true, nat, ..
            } => {
                let n = &self.model.nat_gateways[*nat];
                state.hop(hop(
                    &n.meta.address,
                    "nat_gateway",
                    Decision::Block,
                    "a private NAT gateway's traffic sent to an internet gateway is dropped",
                    n.connectivity_type.origin(),
                ));
            }
            Src::Nat { .. } => state.hop(hop(
                &g.meta.address,
                "internet_gateway",
                Decision::Allow,
                "the NAT gateway's Elastic IP goes out",
                &g.meta.origin,
            )),
            Src::Eni { subnet: s, .. } => {
                let sn = &self.model.subnets[*s];
                match sn.map_public_ip_on_launch.get() {
                    Some(false) => state.hop(hop(&g.meta.address, "internet_gateway", Decision::Block, format!("the workload's network interface has no public IP ({} does not map public IPs on launch)", sn.meta.address), sn.map_public_ip_on_launch.origin())),
                    Some(true) => state.hop(hop(&g.meta.address, "internet_gateway", Decision::Unknown, format!("{} maps public IPs on launch; whether SageMaker's network interfaces get one is not documented", sn.meta.address), sn.map_public_ip_on_launch.origin())),
                    None => state.hop(hop(&g.meta.address, "internet_gateway", Decision::Unknown, "whether the interface has a public IP is unknown", sn.map_public_ip_on_launch.origin())),
                }
            }
        }
        state.hop(hop(
            "internet",
            "internet",
            Decision::Allow,
            dst_text(&flow.dst),
            &Origin::None,
        ));
        state.crossings.push(Crossing {
            from: subnet,
            to: None,
            src: state.src.clone(),
        });
        let asym = self.reply_from_internet(&mut state, flow, igw);
        vec![(apps, state.end(true, asym))]
    }
}
