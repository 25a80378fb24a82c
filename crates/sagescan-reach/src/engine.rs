//! The walk (reachability-semantics §8.4–§8.7): from a network interface, hop by hop —
//! security group egress, route table (longest prefix), network ACL out and in, NAT
//! gateway, Network Firewall endpoint, internet gateway or VPC endpoint — and back, for
//! the reply: the IGW's edge route table, the firewall endpoint it returns through (which
//! must be the one the request crossed), and every network ACL again with the client's
//! ephemeral ports.
//!
//! A flow is a protocol, one destination port and an address class; the internet on "any
//! port" is sampled at every port a rule on the way names, so a verdict never depends on
//! a port nobody wrote down. The application layer (TLS SNI, HTTP Host, other TCP) matters
//! only to Network Firewall, so one walk carries every application variant and splits them
//! where a firewall treats them differently.
//!
//! A hop that blocks does not end the walk: the rest of the path is still followed so that
//! a blocked path lists every control that blocks it (the "blocked path" idea of VPC
//! Reachability Analyzer). Only a hop that leaves no next hop (no route, an unknown
//! target) ends it.
//!
//! Everything the walk asks of the model is indexed once in [`Engine::new`]; a walk costs
//! a few dozen lookups, never a scan of every rule of the model.

use crate::answer::{Admitted, Answer, Decision, Hop, Verdict};
use crate::nfw::flow::{Addr, App, Fate, L4, M, Packet, PolicyRules, Vars, cidr_covers};
use crate::nfw::policy::DomainPattern;
use crate::query::{Destination, Direction};
use crate::rules::{Proto, Traffic, parse_cidr};
use crate::source::{Eni, Plane, Start, Workload, start};
use ipnet::IpNet;
use sagescan_model::network::{
    AssociationTarget, EndpointType, Firewall, FirewallPolicy, InternetGateway, NatGateway,
    NetworkAcl, RouteDestination, RouteTable, RouteTarget, SecurityGroup, SgPeer, SgRule, Subnet,
    VpcEndpoint,
};
use sagescan_model::{ConfigId, Link, Model, Origin, Resource, Topology, Value};
use std::collections::{BTreeSet, HashMap};
use std::net::IpAddr;
use std::sync::{Arc, Mutex};

/// Linux's default ephemeral range (`net.ipv4.ip_local_port_range`); the AWS page says
/// 32768–61000 (§2.4). Either way a reply needs one allowed port in it.
const WORKLOAD_EPHEMERAL: (u32, u32) = (32768, 60999);
/// A NAT gateway's source ports (§4.3).
const NAT_EPHEMERAL: (u32, u32) = (1024, 65535);
/// How many route lookups a walk may take before it is a loop.
const MAX_LOOKUPS: usize = 8;

/// The model indexed for walks, plus a memo of answers (checks ask the same questions of
/// workloads that share subnets and groups).
pub struct Engine<'m> {
    model: &'m Model,
    topology: Topology,
    subnet_cidr: Vec<Option<IpNet>>,
    vpc_cidrs: Vec<Vec<IpNet>>,
    edge_table: HashMap<usize, usize>,
    gateway_endpoints: HashMap<usize, Vec<usize>>,
    interface_endpoints: HashMap<usize, Vec<usize>>,
    policies: Vec<PolicyRules<'m>>,
    /// Domain patterns the firewalls of each VPC match on, by the example name probing each.
    patterns: HashMap<usize, HashMap<String, DomainPattern>>,
    igw_of_vpc: HashMap<usize, usize>,
    /// Configurations with an edge association whose gateway or table is unknown.
    unknown_edges: HashMap<ConfigId, Origin>,
    /// Gateway endpoints whose route tables are unknown: any table may route to them.
    unknown_gateway_endpoints: Vec<usize>,
    memo: Mutex<HashMap<MemoKey, Answer>>,
}

#[derive(Clone, PartialEq, Eq, Hash)]
struct MemoKey {
    subnet: usize,
    sgs: Vec<usize>,
    to: Destination,
    direction: Direction,
}

/// A destination as the walk sees it.
#[derive(Clone, Debug, PartialEq)]
enum Dst {
    /// The internet: a public address class.
    Public(Addr),
    /// An AWS service's public addresses (`s3`, `sagemaker.api`).
    Service(String),
    /// An interface endpoint's network interface in a subnet.
    Endpoint { endpoint: usize, subnet: usize },
    /// A private address class inside the VPC (`cidr:` queries).
    Private(Addr),
}

impl Dst {
    fn addr(&self, e: &Engine<'_>) -> Addr {
        match self {
            Dst::Public(a) | Dst::Private(a) => *a,
            Dst::Service(_) => Addr::Service,
            Dst::Endpoint { subnet, .. } => e.subnet_cidr[*subnet]
                .map(Addr::Inside)
                .unwrap_or(Addr::Service),
        }
    }

    fn is_public(&self) -> bool {
        matches!(self, Dst::Public(_) | Dst::Service(_))
    }
}

/// Where traffic comes from at a point of the walk.
#[derive(Clone, Debug, PartialEq)]
enum Src {
    Eni {
        subnet: usize,
        sgs: Vec<usize>,
    },
    Nat {
        nat: usize,
        subnet: usize,
        private: bool,
    },
}

impl Src {
    fn subnet(&self) -> usize {
        match self {
            Src::Eni { subnet, .. } | Src::Nat { subnet, .. } => *subnet,
        }
    }
    fn ephemeral(&self) -> (u32, u32) {
        match self {
            Src::Eni { .. } => WORKLOAD_EPHEMERAL,
            Src::Nat { .. } => NAT_EPHEMERAL,
        }
    }
}

/// A subnet boundary the request crossed, replayed backwards for the reply.
#[derive(Clone, Debug)]
struct Crossing {
    from: usize,
    /// `None`: left the VPC (internet gateway, gateway endpoint).
    to: Option<usize>,
    src: Src,
}

/// One application variant's outcome.
#[derive(Clone, Debug)]
struct Walked {
    hops: Vec<Hop>,
    blocked: Vec<Hop>,
    unknown: Vec<Hop>,
    asymmetric: Vec<Hop>,
    delivered: bool,
    inspected: bool,
}

/// A walk in progress, shared by the application variants it carries.
#[derive(Clone, Debug)]
struct State {
    subnet: usize,
    src: Src,
    hops: Vec<Hop>,
    blocked: Vec<Hop>,
    unknown: Vec<Hop>,
    crossings: Vec<Crossing>,
    /// Firewall endpoints crossed on the way out: (firewall, endpoint subnet).
    firewalls: Vec<(usize, usize)>,
    inspected: bool,
    lookups: usize,
}

impl State {
    fn hop(&mut self, h: Hop) {
        match h.decision {
            Decision::Block => self.blocked.push(h.clone()),
            Decision::Unknown => self.unknown.push(h.clone()),
            Decision::Allow => {}
        }
        self.hops.push(h);
    }

    /// This walk's record followed by `rest`, a walk continued from where this one stands.
    fn then(&self, rest: &Walked) -> Walked {
        let join = |a: &[Hop], b: &[Hop]| [a, b].concat();
        Walked {
            hops: join(&self.hops, &rest.hops),
            blocked: join(&self.blocked, &rest.blocked),
            unknown: join(&self.unknown, &rest.unknown),
            asymmetric: rest.asymmetric.clone(),
            delivered: rest.delivered && self.blocked.is_empty() && self.unknown.is_empty(),
            inspected: self.inspected || rest.inspected,
        }
    }

    fn end(self, delivered: bool, asymmetric: Vec<Hop>) -> Walked {
        Walked {
            delivered: delivered && self.blocked.is_empty() && self.unknown.is_empty(),
            hops: self.hops,
            blocked: self.blocked,
            unknown: self.unknown,
            asymmetric,
            inspected: self.inspected,
        }
    }
}

fn hop(
    resource: impl AsRef<str>,
    kind: &'static str,
    decision: Decision,
    rule: impl AsRef<str>,
    origin: &Origin,
) -> Hop {
    Hop {
        resource: Arc::from(resource.as_ref()),
        kind,
        decision,
        rule: Arc::from(rule.as_ref()),
        origin: origin.clone(),
    }
}

/// A flow under way: protocol, port, destination, and the application variants it carries.
#[derive(Clone, Debug)]
struct Flow {
    l4: L4,
    port: Option<u16>,
    dst: Dst,
}

impl<'m> Engine<'m> {
    pub fn new(model: &'m Model, topology: &Topology) -> Engine<'m> {
        let subnet_cidr = model
            .subnets
            .iter()
            .map(|s| s.cidr_block.get().and_then(|c| parse_cidr(c)))
            .collect();
        let vpc_cidrs = model
            .vpcs
            .iter()
            .map(|v| {
                std::iter::once(&v.cidr_block)
                    .chain(&v.extra_cidr_blocks)
                    .filter_map(|c| c.get().and_then(|c| parse_cidr(c)))
                    .filter(|n| matches!(n, IpNet::V4(_)))
                    .collect()
            })
            .collect();
        let mut edge_table = HashMap::new();
        let mut unknown_edges: HashMap<ConfigId, Origin> = HashMap::new();
        for a in &model.route_table_associations {
            let AssociationTarget::Gateway(g) = &a.target else {
                continue;
            };
            let config = a.meta.config;
            match (g.get(), a.route_table.get()) {
                (Some(g), Some(rt)) => {
                    if let (Some(igw), Some(rt)) = (
                        InternetGateway::position(model, config, g),
                        model.position(config, rt),
                    ) {
                        edge_table.insert(igw, rt);
                    }
                }
                // Which gateway, or which table, is unknown: any reply may be steered.
                _ => {
                    unknown_edges.insert(config, a.meta.origin.clone());
                }
            }
        }
        let mut gateway_endpoints: HashMap<usize, Vec<usize>> = HashMap::new();
        let mut interface_endpoints: HashMap<usize, Vec<usize>> = HashMap::new();
        let mut unknown_gateway_endpoints = Vec::new();
        for (i, e) in model.vpc_endpoints.iter().enumerate() {
            let config = e.meta.config;
            match e.endpoint_type.get() {
                Some(EndpointType::Gateway) => {
                    if e.route_tables.get().is_none() {
                        unknown_gateway_endpoints.push(i);
                    }
                    for rt in e.route_tables.get().into_iter().flatten() {
                        if let Some(rt) = model.position(config, rt) {
                            gateway_endpoints.entry(rt).or_default().push(i);
                        }
                    }
                }
                Some(EndpointType::Interface) => {
                    if let Some(v) = e.vpc.get().and_then(|v| model.position(config, v)) {
                        interface_endpoints.entry(v).or_default().push(i);
                    }
                }
                _ => {}
            }
        }
        let policies: Vec<PolicyRules<'m>> = model
            .firewall_policies
            .iter()
            .map(|p| PolicyRules::new(model, p))
            .collect();
        let mut patterns: HashMap<usize, HashMap<String, DomainPattern>> = HashMap::new();
        for f in &model.firewalls {
            let config = f.meta.config;
            if let Some(v) = f.vpc.get().and_then(|v| model.position(config, v))
                && let Some(p) = f
                    .policy
                    .get()
                    .and_then(|p| model.position::<FirewallPolicy>(config, p))
            {
                let names = patterns.entry(v).or_default();
                for n in policies[p].names() {
                    if let Some(x) = n.example() {
                        names.entry(x).or_insert_with(|| n.clone());
                    }
                }
            }
        }
        let mut igw_of_vpc = HashMap::new();
        for (i, g) in model.internet_gateways.iter().enumerate() {
            if let Some(Some(v)) = g.vpc.get()
                && let Some(v) = model.position(g.meta.config, v)
            {
                igw_of_vpc.insert(v, i);
            }
        }
        Engine {
            model,
            topology: topology.clone(),
            subnet_cidr,
            vpc_cidrs,
            edge_table,
            gateway_endpoints,
            interface_endpoints,
            policies,
            patterns,
            igw_of_vpc,
            unknown_edges,
            unknown_gateway_endpoints,
            memo: Mutex::new(HashMap::new()),
        }
    }

    pub fn model(&self) -> &'m Model {
        self.model
    }

    /// Can workload `w` reach `to` (or, for [`Direction::Ingress`], can `to` reach it)?
    /// `platform`: SageMaker's own I/O on the workload's behalf (see [`start`]).
    pub fn workload(
        &self,
        w: Workload,
        to: &Destination,
        direction: Direction,
        platform: bool,
    ) -> Answer {
        let from = w.meta(self.model).address.clone();
        let s = start(self.model, w, platform);
        self.answer_from(from, &s, to, direction)
    }

    /// Can a network interface in `subnet` with groups `sgs` reach `to`?
    pub fn interface(
        &self,
        subnet: usize,
        sgs: &[usize],
        to: &Destination,
        direction: Direction,
    ) -> Answer {
        let key = MemoKey {
            subnet,
            sgs: sgs.to_vec(),
            to: to.clone(),
            direction,
        };
        if let Some(a) = self.memo.lock().ok().and_then(|m| m.get(&key).cloned()) {
            return a;
        }
        let eni = Eni {
            subnet,
            security_groups: sgs.to_vec(),
            origin: self.model.subnets[subnet].meta.origin.clone(),
        };
        let a = match direction {
            Direction::Egress => self.egress(&eni, to),
            Direction::Ingress => self.ingress(&eni, to),
        };
        if let Ok(mut m) = self.memo.lock() {
            m.insert(key, a.clone());
        }
        a
    }

    fn answer_from(
        &self,
        from: String,
        s: &Start,
        to: &Destination,
        direction: Direction,
    ) -> Answer {
        let mut answer = Answer {
            verdict: Verdict::NotReachable,
            from,
            to: to.clone(),
            direction,
            path: Vec::new(),
            blocked_by: Vec::new(),
            unknown_because: s
                .unknown
                .iter()
                .map(|(why, o)| hop("sagemaker", "sagemaker", Decision::Unknown, why, o))
                .collect(),
            admitted: Vec::new(),
            asymmetric: Vec::new(),
            notes: Vec::new(),
        };
        let outside_vpc = |to: &Destination| !matches!(to, Destination::Cidr { .. });
        match (&s.plane, direction) {
            (Some(Plane::Isolated { origin }), _) => {
                answer.blocked_by.push(hop(
                    &answer.from,
                    "sagemaker",
                    Decision::Block,
                    "EnableNetworkIsolation = true: the container makes no network calls",
                    origin,
                ));
                answer.path = answer.blocked_by.clone();
                return finish(answer);
            }
            (Some(Plane::Managed { why, origin }), Direction::Egress) => {
                return managed(answer, why, origin);
            }
            (Some(Plane::DirectInternet { origin }), Direction::Egress) if outside_vpc(to) => {
                return managed(
                    answer,
                    "DirectInternetAccess = Enabled: traffic outside the VPC leaves through SageMaker's network interface, whatever the VPC's routes, ACLs and firewall say",
                    origin,
                );
            }
            (Some(Plane::Managed { why, origin }), Direction::Ingress) => {
                answer.notes.push(format!("{why}; SageMaker's network accepts no inbound connections from the internet (the notebook or app is reached through SageMaker's authenticated proxy)"));
                answer.blocked_by.push(hop(
                    "SageMaker-managed network",
                    "sagemaker",
                    Decision::Block,
                    "no inbound path into SageMaker's network",
                    origin,
                ));
                answer.path = answer.blocked_by.clone();
                return finish(answer);
            }
            _ => {}
        }
        let mut parts = Vec::new();
        for eni in &s.enis {
            parts.push(self.interface(eni.subnet, &eni.security_groups, to, direction));
        }
        combine(answer, parts)
    }

    fn egress(&self, eni: &Eni, to: &Destination) -> Answer {
        let mut answer = empty_answer(
            &self.model.subnets[eni.subnet].meta.address,
            to,
            Direction::Egress,
        );
        let (dsts, mut notes) = self.destinations(eni.subnet, to);
        answer.notes.append(&mut notes);
        // Each walk is shared by the application variants that met the same fate.
        let mut walked: Vec<(L4, Option<u16>, Vec<App>, Walked)> = Vec::new();
        for d in dsts {
            let d = match d {
                Ok(d) => d,
                Err(h) => {
                    answer.unknown_because.push(h);
                    continue;
                }
            };
            for (l4, port) in self.flows(eni, to) {
                let apps = self.apps(eni.subnet, l4, to);
                let flow = Flow {
                    l4,
                    port,
                    dst: d.clone(),
                };
                let state = State {
                    subnet: eni.subnet,
                    src: Src::Eni {
                        subnet: eni.subnet,
                        sgs: eni.security_groups.clone(),
                    },
                    hops: Vec::new(),
                    blocked: Vec::new(),
                    unknown: Vec::new(),
                    crossings: Vec::new(),
                    firewalls: Vec::new(),
                    inspected: false,
                    lookups: 0,
                };
                let mut state = state;
                state.hop(self.sg_egress(eni, &flow));
                for (group, w) in self.walk(state, &flow, apps) {
                    walked.push((l4, port, group, w));
                }
            }
        }
        let total = walked.len();
        let patterns = self.patterns(eni.subnet);
        for (l4, port, apps, w) in walked {
            if w.delivered {
                // The witness: the first admitted flow, or better an uninspected one (what
                // a reviewer most needs to see).
                if answer.admitted.is_empty()
                    || (answer.admitted.iter().all(|a| a.inspected) && !w.inspected)
                {
                    answer.path = w.hops.clone();
                }
                for app in &apps {
                    answer
                        .admitted
                        .push(admitted(l4, port, app, w.inspected, patterns));
                }
            } else {
                let path_blocked = answer.path.iter().any(|h| h.decision == Decision::Block);
                if answer.admitted.is_empty()
                    && (answer.path.is_empty() || (!path_blocked && !w.blocked.is_empty()))
                {
                    answer.path = w.hops.clone();
                }
                let sure = !w.blocked.is_empty();
                for h in w.blocked {
                    if !answer.blocked_by.contains(&h) {
                        answer.blocked_by.push(h);
                    }
                }
                // A walk blocked for sure is not reachable whatever its unknowns say
                // (§0): they are not why the answer could be unknown.
                for h in w.unknown.into_iter().filter(|_| !sure) {
                    if !answer.unknown_because.contains(&h) {
                        answer.unknown_because.push(h);
                    }
                }
            }
            for h in w.asymmetric {
                if !answer.asymmetric.contains(&h) {
                    answer.asymmetric.push(h);
                }
            }
        }
        if total == 0 && answer.unknown_because.is_empty() {
            answer.unknown_because.push(hop(
                &answer.from,
                "subnet",
                Decision::Unknown,
                "no flow could be built for this destination",
                &eni.origin,
            ));
        }
        answer.admitted.sort_by(|a, b| {
            (a.protocol, a.port, &a.application).cmp(&(b.protocol, b.port, &b.application))
        });
        answer.admitted.dedup();
        finish(answer)
    }

    /// The destination address classes of a query from `subnet`.
    fn destinations(
        &self,
        subnet: usize,
        to: &Destination,
    ) -> (Vec<Result<Dst, Hop>>, Vec<String>) {
        let mut notes = Vec::new();
        let vpc = self.topology.vpc_of(subnet);
        let out = match to {
            Destination::Internet { .. } | Destination::Domain { .. } => {
                vec![Ok(Dst::Public(Addr::AnyPublic))]
            }
            Destination::Cidr { net, .. } => {
                let n = IpNet::V4(*net);
                let inside = vpc.is_some_and(|v| self.vpc_cidrs[v].iter().any(|c| c.contains(&n)));
                let addr = if net.prefix_len() == 32 {
                    Addr::Exactly(IpAddr::V4(net.addr()))
                } else {
                    Addr::Inside(n)
                };
                if inside {
                    vec![Ok(Dst::Private(addr))]
                } else {
                    vec![Ok(Dst::Public(addr))]
                }
            }
            Destination::Service { name } => {
                let mut out = Vec::new();
                let endpoints: Vec<usize> = vpc
                    .and_then(|v| self.interface_endpoints.get(&v))
                    .into_iter()
                    .flatten()
                    .copied()
                    .filter(|&e| service_matches(&self.model.vpc_endpoints[e], name) != M::No)
                    .collect();
                let mut private_dns = M::No;
                for &e in &endpoints {
                    let ep = &self.model.vpc_endpoints[e];
                    let vpc_dns = vpc.map_or(M::Unknown, |v| {
                        let v = &self.model.vpcs[v];
                        bool_m(&v.enable_dns_support).and(bool_m(&v.enable_dns_hostnames))
                    });
                    let on = service_matches(ep, name)
                        .and(bool_m(&ep.private_dns_enabled))
                        .and(vpc_dns);
                    private_dns = private_dns.or(on);
                    match on {
                        M::Yes => {
                            for s in ep.subnets.get().into_iter().flatten() {
                                if let Some(s) = self.model.position(ep.meta.config, s) {
                                    out.push(Ok(Dst::Endpoint { endpoint: e, subnet: s }));
                                }
                            }
                            notes.push(format!(
                                "{} resolves to interface endpoint {} (private DNS)",
                                name, ep.meta.address
                            ));
                        }
                        M::Unknown => out.push(Err(hop(
                            &ep.meta.address,
                            "vpc_endpoint",
                            Decision::Unknown,
                            "whether the service name resolves to this interface endpoint (private DNS, VPC DNS support and hostnames) cannot be told",
                            ep.private_dns_enabled.origin(),
                        ))),
                        M::No => {}
                    }
                }
                if private_dns != M::Yes {
                    // Without private DNS the name resolves to the service's public
                    // addresses: a gateway endpoint route, NAT or nothing (§5.2).
                    out.push(Ok(Dst::Service(name.clone())));
                }
                out
            }
        };
        (out, notes)
    }

    /// The (protocol, port) pairs that sample a query's destination class.
    fn flows(&self, eni: &Eni, to: &Destination) -> Vec<(L4, Option<u16>)> {
        if let Some(p) = to.port() {
            return vec![(L4::Tcp, Some(p))];
        }
        let mut ports: BTreeSet<u16> = [22u16, 53, 80, 443, 1024, 8080].into_iter().collect();
        for &g in &eni.security_groups {
            for r in &self.model.security_groups[g].rules {
                if let Ok(t) = Traffic::of_rule(r) {
                    for p in [t.lo, t.hi, t.hi + 1] {
                        if let Ok(p) = u16::try_from(p)
                            && p > 0
                        {
                            ports.insert(p);
                        }
                    }
                }
            }
        }
        let mut out: Vec<(L4, Option<u16>)> = Vec::new();
        for l4 in [L4::Tcp, L4::Udp] {
            out.extend(ports.iter().map(|p| (l4, Some(*p))));
        }
        out.push((L4::Icmp, None));
        out
    }

    /// The application variants of a flow: names the firewalls of the subnet's VPC
    /// mention (each allow-listed pattern, once per protocol), a name none of them lists,
    /// TLS without SNI, and other TCP.
    fn apps(&self, subnet: usize, l4: L4, to: &Destination) -> Vec<App> {
        if l4 != L4::Tcp {
            return vec![App::None];
        }
        if let Destination::Domain { name, .. } = to {
            return vec![App::Tls(Some(name.clone())), App::Http(name.clone())];
        }
        if let Destination::Service { name } = to {
            return vec![App::Tls(Some(format!("{name}.amazonaws.com")))];
        }
        let names: BTreeSet<&String> = self
            .patterns(subnet)
            .into_iter()
            .flat_map(|p| p.keys())
            .collect();
        let mut unlisted = "unlisted-host.sagescan.invalid".to_string();
        while names.contains(&unlisted) {
            unlisted.insert(0, 'x');
        }
        let mut apps = vec![
            App::OtherTcp,
            App::Tls(None),
            App::Tls(Some(unlisted.clone())),
            App::Http(unlisted),
        ];
        for n in names {
            apps.push(App::Tls(Some(n.clone())));
            apps.push(App::Http(n.clone()));
        }
        apps
    }

    /// The domain patterns the firewalls of the subnet's VPC match on, by the example name
    /// that probes each.
    fn patterns(&self, subnet: usize) -> Option<&HashMap<String, DomainPattern>> {
        self.topology
            .vpc_of(subnet)
            .and_then(|v| self.patterns.get(&v))
    }

    fn sg_egress(&self, eni: &Eni, flow: &Flow) -> Hop {
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
    fn sg_rule_admits(
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

    fn endpoint_sgs(&self, e: usize) -> Vec<usize> {
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
    fn prefix_list_covers(&self, config: ConfigId, key: &str, dst: &Dst, addr: Addr) -> M {
        if let Some(e) = VpcEndpoint::position(self.model, config, key) {
            let ep = &self.model.vpc_endpoints[e];
            return match dst {
                Dst::Service(name) => service_matches(ep, name),
                Dst::Public(Addr::AnyPublic) | Dst::Private(_) | Dst::Endpoint { .. } => M::No,
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
            Dst::Private(_) | Dst::Endpoint { .. } | Dst::Public(Addr::AnyPublic) => M::No,
            _ => M::Unknown,
        }
    }

    /// Follows the flow from `state` until it is delivered, blocked for good, or unknown;
    /// returns the application variants grouped by how they ended.
    fn walk(&self, mut state: State, flow: &Flow, apps: Vec<App>) -> Vec<(Vec<App>, Walked)> {
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
    fn cross(&self, state: &mut State, flow: &Flow, to: usize) {
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

    fn src_addr(&self, s: &Src) -> Addr {
        self.subnet_cidr[s.subnet()]
            .map(Addr::Inside)
            .unwrap_or(Addr::Service)
    }

    fn deliver_endpoint(&self, state: &mut State, flow: &Flow, endpoint: usize) {
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

    /// Network ACL of `subnet` for one packet direction; `peer` is the remote address.
    #[allow(clippy::too_many_arguments)]
    fn nacl(
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
    fn nacl_hop(
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

    /// Route lookup in the current subnet's table (longest prefix match, §3.2).
    fn lookup(&self, state: &mut State, flow: &Flow) -> Option<Next> {
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
        for c in vpc
            .map(|v| self.vpc_cidrs[v].as_slice())
            .unwrap_or_default()
        {
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
                    None => (0, M::Unknown, "an unknown destination".into()),
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
    fn target(&self, config: ConfigId, t: Option<&RouteTarget>, subnet: usize) -> (Next, String) {
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
    fn firewall_endpoint(&self, f: usize, subnet: usize) -> Option<usize> {
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

    fn firewall(
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
        let home = self
            .topology
            .vpc_of(state.subnet)
            .map(|v| self.vpc_cidrs[v].clone())
            .unwrap_or_default();
        let vars = Vars { home_net: &home };
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

    fn internet(
        &self,
        mut state: State,
        flow: &Flow,
        igw: usize,
        apps: Vec<App>,
    ) -> Vec<(Vec<App>, Walked)> {
        let g = &self.model.internet_gateways[igw];
        let subnet = state.subnet;
        let vpc = self.topology.vpc_of(subnet);
        match g.vpc.get() {
            Some(Some(v)) if self.model.position(g.meta.config, v) == vpc => {}
            Some(_) => {
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
                state.hop(hop(
                    &g.meta.address,
                    "internet_gateway",
                    Decision::Unknown,
                    "the internet gateway's attachment is unknown",
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

    /// The reply from the internet: the IGW's edge route table, then back along the
    /// crossings. Returns the asymmetric firewall hops, if any (§6.8).
    fn reply_from_internet(&self, state: &mut State, flow: &Flow, igw: usize) -> Vec<Hop> {
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
            for r in &t.routes {
                if let Some(RouteDestination::Cidr(c)) = r.destination.get()
                    && let Some(n) = parse_cidr(c)
                    && cidr_covers(&n, exit_addr) == M::Yes
                    && best.is_none_or(|(l, _)| n.prefix_len() > l)
                {
                    best = Some((n.prefix_len(), r));
                }
            }
            if let Some((_, r)) = best {
                match r.target.get() {
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
                    Some(RouteTarget::Local) | None => {}
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
                let home = self
                    .topology
                    .vpc_of(exit)
                    .map(|v| self.vpc_cidrs[v].clone())
                    .unwrap_or_default();
                let fate = self.policies[p].reply(
                    &Packet {
                        l4: flow.l4,
                        src: remote,
                        dst: exit_addr,
                        dst_port: None,
                        app: &App::None,
                    },
                    &Vars { home_net: &home },
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
        asym
    }

    /// Replays the internal crossings backwards for the reply (§8.5): ACL out of the
    /// subnet the request entered, ACL in of the one it left, with the client's ports.
    fn reply_inside(&self, state: &mut State, flow: &Flow) {
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

    fn ingress(&self, eni: &Eni, to: &Destination) -> Answer {
        let mut answer = empty_answer(
            &self.model.subnets[eni.subnet].meta.address,
            to,
            Direction::Ingress,
        );
        let subnet = &self.model.subnets[eni.subnet];
        let remote = match to {
            Destination::Cidr { net, .. } => Addr::Inside(IpNet::V4(*net)),
            _ => Addr::AnyPublic,
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
        for port in ports {
            for l4 in [L4::Tcp, L4::Udp] {
                let flow = Flow {
                    l4,
                    port: Some(port),
                    dst: Dst::Public(remote),
                };
                let mut st = State {
                    subnet: eni.subnet,
                    src: Src::Eni {
                        subnet: eni.subnet,
                        sgs: eni.security_groups.clone(),
                    },
                    hops: Vec::new(),
                    blocked: Vec::new(),
                    unknown: Vec::new(),
                    crossings: Vec::new(),
                    firewalls: Vec::new(),
                    inspected: false,
                    lookups: 0,
                };
                // Internet gateway and a public address first: without them nothing
                // arrives, whatever the groups say.
                let vpc = self.topology.vpc_of(eni.subnet);
                let igw = vpc.and_then(|v| self.igw_of_vpc.get(&v).copied());
                match igw {
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
                let sure = !w.blocked.is_empty();
                for h in w.blocked {
                    if !answer.blocked_by.contains(&h) {
                        answer.blocked_by.push(h);
                    }
                }
                // A walk blocked for sure is not reachable whatever its unknowns say
                // (§0): they are not why the answer could be unknown.
                for h in w.unknown.into_iter().filter(|_| !sure) {
                    if !answer.unknown_because.contains(&h) {
                        answer.unknown_because.push(h);
                    }
                }
            }
        }
        finish(answer)
    }
}

/// The next hop a route leads to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Next {
    Local,
    Internet(usize),
    Nat(usize),
    Firewall {
        firewall: usize,
        endpoint_subnet: usize,
    },
    GatewayEndpoint(usize),
    /// A target the engine does not model (or cannot identify): unknown.
    Stop,
}

fn bool_m(v: &Value<bool>) -> M {
    match v.get() {
        Some(true) => M::Yes,
        Some(false) => M::No,
        None => M::Unknown,
    }
}

/// Whether an endpoint serves `service` (`s3`, `sagemaker.api`): its service name ends
/// with `.{service}`.
fn service_matches(ep: &VpcEndpoint, service: &str) -> M {
    match ep.service_name.get() {
        Some(n) => M::of(n.ends_with(&format!(".{service}"))),
        None => M::Unknown,
    }
}

fn service_text(ep: &VpcEndpoint) -> String {
    ep.service_name
        .get()
        .cloned()
        .unwrap_or_else(|| "an unknown service".into())
}

fn describe_dest(r: &sagescan_model::network::Route) -> String {
    match r.destination.get() {
        Some(RouteDestination::Cidr(c)) => c.clone(),
        Some(RouteDestination::PrefixList(p)) => p.key.clone(),
        None => "?".into(),
    }
}

fn subtract(open: &[(u32, u32)], lo: u32, hi: u32) -> Vec<(u32, u32)> {
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

fn addr_text(a: Addr) -> String {
    match a {
        Addr::AnyPublic => "the internet".into(),
        Addr::Exactly(ip) => ip.to_string(),
        Addr::Inside(n) => n.to_string(),
        Addr::Service => "the service's public addresses".into(),
    }
}

fn dst_text(d: &Dst) -> String {
    match d {
        Dst::Public(a) | Dst::Private(a) => addr_text(*a),
        Dst::Service(s) => format!("{s} (public service addresses)"),
        Dst::Endpoint { .. } => "the interface endpoint".into(),
    }
}

fn flow_text(f: &Flow) -> String {
    match f.port {
        Some(p) => format!("{} {p} to {}", f.l4.as_str(), dst_text(&f.dst)),
        None => format!("{} to {}", f.l4.as_str(), dst_text(&f.dst)),
    }
}

fn admitted(
    l4: L4,
    port: Option<u16>,
    app: &App,
    inspected: bool,
    patterns: Option<&HashMap<String, DomainPattern>>,
) -> Admitted {
    let named = |n: &String| {
        patterns
            .and_then(|p| p.get(n))
            .cloned()
            .unwrap_or_else(|| DomainPattern::Exact(n.clone()))
    };
    let (application, name_pattern) = match app {
        App::None => ("any".to_string(), None),
        App::OtherTcp => ("other".to_string(), None),
        App::Tls(None) => ("tls without sni".to_string(), None),
        App::Tls(Some(n)) if n.ends_with(".sagescan.invalid") => {
            ("tls sni (any name)".to_string(), None)
        }
        App::Http(n) if n.ends_with(".sagescan.invalid") => {
            ("http host (any name)".to_string(), None)
        }
        App::Tls(Some(n)) => (format!("tls sni {}", named(n).describe()), Some(named(n))),
        App::Http(n) => (format!("http host {}", named(n).describe()), Some(named(n))),
    };
    Admitted {
        protocol: l4.as_str(),
        port,
        application,
        name_pattern,
        inspected,
    }
}

fn empty_answer(from: &str, to: &Destination, direction: Direction) -> Answer {
    Answer {
        verdict: Verdict::NotReachable,
        from: from.to_string(),
        to: to.clone(),
        direction,
        path: Vec::new(),
        blocked_by: Vec::new(),
        unknown_because: Vec::new(),
        admitted: Vec::new(),
        asymmetric: Vec::new(),
        notes: Vec::new(),
    }
}

fn managed(mut answer: Answer, why: &str, origin: &Origin) -> Answer {
    answer.path = vec![
        hop(&answer.from, "sagemaker", Decision::Allow, why, origin),
        hop(
            "SageMaker-managed network",
            "sagemaker",
            Decision::Allow,
            "internet access outside the customer VPC",
            &Origin::None,
        ),
        hop(
            "internet",
            "internet",
            Decision::Allow,
            answer.to.to_string(),
            &Origin::None,
        ),
    ];
    answer.admitted.push(Admitted {
        protocol: "any",
        port: None,
        application: "any".into(),
        name_pattern: None,
        inspected: false,
    });
    answer.verdict = Verdict::Reachable;
    answer
}

/// Sets the verdict from what was found (§8.7).
fn finish(mut a: Answer) -> Answer {
    a.verdict = if !a.admitted.is_empty() {
        Verdict::Reachable
    } else if !a.unknown_because.is_empty() {
        Verdict::Unknown
    } else {
        Verdict::NotReachable
    };
    a
}

/// Combines the answers of a workload's interfaces: reachable if any is.
fn combine(mut base: Answer, parts: Vec<Answer>) -> Answer {
    for p in parts {
        let uninspected = |a: &[Admitted]| a.iter().any(|x| !x.inspected);
        if base.path.is_empty()
            || (base.admitted.is_empty() && !p.admitted.is_empty())
            || (!uninspected(&base.admitted) && uninspected(&p.admitted))
        {
            base.path = p.path.clone();
        }
        for x in p.admitted {
            if !base.admitted.contains(&x) {
                base.admitted.push(x);
            }
        }
        for h in p.blocked_by {
            if !base.blocked_by.contains(&h) {
                base.blocked_by.push(h);
            }
        }
        for h in p.unknown_because {
            if !base.unknown_because.contains(&h) {
                base.unknown_because.push(h);
            }
        }
        for h in p.asymmetric {
            if !base.asymmetric.contains(&h) {
                base.asymmetric.push(h);
            }
        }
        for n in p.notes {
            if !base.notes.contains(&n) {
                base.notes.push(n);
            }
        }
    }
    finish(base)
}
