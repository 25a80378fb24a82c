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
//!
//! This file holds the engine's index and the walk's state; the questions are answered in
//! `egress.rs` and `ingress.rs`, the path is followed in `walk.rs` (forward) and `reply.rs`
//! (back), and the filters on it are read in `controls.rs`.

mod controls;
mod egress;
mod ingress;
mod internet;
mod reply;
mod walk;

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
use std::collections::{BTreeSet, HashMap, HashSet};
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
    vpc_cidrs: Vec<VpcCidrs>,
    edge_table: HashMap<usize, usize>,
    gateway_endpoints: HashMap<usize, Vec<usize>>,
    interface_endpoints: HashMap<usize, Vec<usize>>,
    policies: Vec<PolicyRules<'m>>,
    /// Domain patterns the firewalls of each configuration match on, by the example name
    /// probing each. Per configuration, not per VPC: a name probed where no firewall
    /// matches it costs a sample, never a verdict, and a firewall or subnet whose VPC is
    /// unknown still has its names probed.
    patterns: HashMap<ConfigId, HashMap<String, DomainPattern>>,
    igw_of_vpc: HashMap<usize, usize>,
    /// Configurations with an internet gateway whose VPC cannot be told: any of their VPCs
    /// may have it.
    unknown_igw_configs: HashSet<ConfigId>,
    /// Configurations with an edge association whose gateway or table is unknown.
    unknown_edges: HashMap<ConfigId, Origin>,
    /// Gateway endpoints whose route tables are unknown: any table may route to them.
    unknown_gateway_endpoints: Vec<usize>,
    /// The IPv4 prefixes each configuration's routes, ACL entries and prefix lists name:
    /// where the internet is sampled beyond `AnyPublic` (see `internet.rs`).
    named: HashMap<ConfigId, Vec<ipnet::Ipv4Net>>,
    memo: Mutex<HashMap<MemoKey, Answer>>,
}

/// A VPC's IPv4 CIDR blocks, as far as the model knows them.
#[derive(Clone, Debug, Default)]
struct VpcCidrs {
    nets: Vec<IpNet>,
    /// False when a block is unknown: the VPC may hold addresses none of `nets` covers.
    complete: bool,
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
    /// A public address sampling the part of the internet a named prefix holds (see
    /// `internet.rs`); for AWS-managed prefix lists it is, like `AnyPublic`, an address
    /// outside the service's ranges (those are the `service:` question).
    Sample(internet::Sample),
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
            Dst::Sample(s) => Addr::Exactly(IpAddr::V4(s.addr)),
            Dst::Service(_) => Addr::Service,
            Dst::Endpoint { subnet, .. } => e.subnet_addr(*subnet),
        }
    }

    fn is_public(&self) -> bool {
        matches!(self, Dst::Public(_) | Dst::Sample(_) | Dst::Service(_))
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

/// A NAT gateway the request crossed.
#[derive(Clone, Debug)]
struct NatMark {
    /// How many firewall endpoints the request had crossed before it.
    firewalls_before: usize,
    nat_subnet: usize,
    /// The source it translated.
    inner: Src,
}

/// One application variant's outcome.
#[derive(Clone, Debug)]
struct Walked {
    hops: Vec<Hop>,
    blocked: Vec<Hop>,
    unknown: Vec<Hop>,
    asymmetric: Vec<Hop>,
    /// The unknown hop the walk stopped on before the reply's way back was known.
    return_unknown: Option<Hop>,
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
    /// The NAT gateways crossed on the way out, in order: each ends a stretch whose
    /// reply is routed back from the gateway's subnet, not from the internet gateway.
    nat_marks: Vec<NatMark>,
    inspected: bool,
    lookups: usize,
    /// Whether the reply's way back from the internet gateway was followed to the end.
    reply_known: bool,
}

impl State {
    /// A walk leaving `eni`'s network interface.
    fn at(eni: &Eni) -> State {
        State {
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
            nat_marks: Vec::new(),
            inspected: false,
            lookups: 0,
            reply_known: false,
        }
    }

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
            return_unknown: rest.return_unknown.clone(),
            delivered: rest.delivered && self.blocked.is_empty() && self.unknown.is_empty(),
            inspected: self.inspected || rest.inspected,
        }
    }

    fn end(self, delivered: bool, asymmetric: Vec<Hop>) -> Walked {
        // A walk ends on an unknown hop only where it cannot go on (a route, a gateway, a
        // firewall's policy), or where the reply's way back cannot be told.
        let return_unknown = match self.hops.last() {
            Some(h) if h.decision == Decision::Unknown && !self.reply_known => Some(h.clone()),
            _ => None,
        };
        Walked {
            return_unknown,
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
                let blocks: Vec<Option<IpNet>> = std::iter::once(&v.cidr_block)
                    .chain(&v.extra_cidr_blocks)
                    .map(|c| c.get().and_then(|c| parse_cidr(c)))
                    .collect();
                VpcCidrs {
                    complete: blocks.iter().all(Option::is_some),
                    nets: blocks
                        .into_iter()
                        .flatten()
                        .filter(|n| matches!(n, IpNet::V4(_)))
                        .collect(),
                }
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
        let mut patterns: HashMap<ConfigId, HashMap<String, DomainPattern>> = HashMap::new();
        for f in &model.firewalls {
            let config = f.meta.config;
            if let Some(p) = f
                .policy
                .get()
                .and_then(|p| model.position::<FirewallPolicy>(config, p))
            {
                let names = patterns.entry(config).or_default();
                for n in policies[p].names() {
                    if let Some(x) = n.example() {
                        names.entry(x).or_insert_with(|| n.clone());
                    }
                }
            }
        }
        let mut igw_of_vpc = HashMap::new();
        let mut unknown_igw_configs = HashSet::new();
        for (i, g) in model.internet_gateways.iter().enumerate() {
            match g.vpc.get() {
                Some(Some(v)) => match model.position(g.meta.config, v) {
                    Some(v) => {
                        igw_of_vpc.insert(v, i);
                    }
                    None => {
                        unknown_igw_configs.insert(g.meta.config);
                    }
                },
                Some(None) => {}
                None => {
                    unknown_igw_configs.insert(g.meta.config);
                }
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
            unknown_igw_configs,
            unknown_edges,
            unknown_gateway_endpoints,
            named: internet::index_named(model),
            memo: Mutex::new(HashMap::new()),
        }
    }

    /// The policy variables of a firewall inspecting traffic of `subnet`'s VPC.
    fn vars(&self, subnet: usize) -> Vars<'_> {
        match self.topology.vpc_of(subnet) {
            Some(v) => Vars {
                home_net: &self.vpc_cidrs[v].nets,
                home_complete: self.vpc_cidrs[v].complete,
            },
            None => Vars {
                home_net: &[],
                home_complete: false,
            },
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

    /// The answer as a verdict on its own (`sagescan reach`): a "not reachable" of
    /// configuration `config` stands only if the configuration was read whole. A file that
    /// did not parse, a module that could not be loaded or a listing that was refused may
    /// hold the very route, rule or gateway that opens the path (§0: a proof must cover
    /// every candidate path), so such an answer becomes unknown, naming each gap. A
    /// reachable witness stands: what was read already admits it.
    ///
    /// [`Engine::workload`] and [`Engine::interface`] answer on what was read: the checks
    /// built on them leave gaps to the check engine, which makes every pass of an
    /// incomplete configuration inconclusive, naming the gap, so the two agree.
    pub fn unless_gaps(&self, config: ConfigId, mut a: Answer) -> Answer {
        if a.verdict != Verdict::NotReachable {
            return a;
        }
        for g in self.model.gaps_of(config) {
            let resource = match g.origin.file() {
                Some(f) => format!("{}:{}", f.file, f.line),
                None => self
                    .model
                    .configs
                    .get(config as usize)
                    .map_or_else(|| "the configuration".to_string(), |c| c.name.clone()),
            };
            let h = hop(
                resource,
                "coverage_gap",
                Decision::Unknown,
                format!(
                    "coverage gap ({}): {}; what could not be read may open a path",
                    g.kind, g.message
                ),
                &g.origin,
            );
            if !a.unknown_because.contains(&h) {
                a.unknown_because.push(h);
            }
        }
        egress::finish(a)
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

fn addr_text(a: Addr) -> String {
    match a {
        Addr::AnyPublic => "the internet".into(),
        Addr::Exactly(ip) => ip.to_string(),
        Addr::Inside(n) => n.to_string(),
        Addr::Service => "the service's public addresses".into(),
        Addr::Unknown => "an address the model does not know".into(),
    }
}

fn dst_text(d: &Dst) -> String {
    match d {
        Dst::Public(a) | Dst::Private(a) => addr_text(*a),
        Dst::Sample(s) => format!("the internet at {} (in {})", s.addr, s.within),
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
