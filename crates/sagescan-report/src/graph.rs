//! `sagescan graph`: the network of each configuration drawn as Graphviz DOT or Mermaid,
//! optionally with one reachability path drawn over it.
//!
//! The model is first turned into one format-neutral graph (nodes, nested clusters, edges),
//! then written out by a small writer per format, so both formats always show the same
//! network. Layout choices, made for a graph that people read rather than parse:
//!
//! - **Clusters** nest configuration → VPC (address, CIDRs) → availability zone, the way the
//!   AWS console and architecture diagrams group a network. AZs are sorted by name, an
//!   unknown AZ last; everything else keeps model order, so output is deterministic.
//! - **Traffic flows left to right** (egress): workload → its subnet → the subnet's route
//!   table → each route's target, with the route's destination as the edge label (the
//!   `local` route is implied and not drawn). A subnet without an explicit association
//!   points at its VPC's main table, or at an "implicit" main table when the source does
//!   not declare one (AWS's own: local routes only).
//! - Things that **live in a subnet** (NAT gateways, Network Firewall endpoints, workloads)
//!   are drawn in that subnet's AZ; a dashed edge from a NAT gateway or firewall endpoint to
//!   its subnet says its own traffic leaves through that subnet's route table.
//! - A **Network Firewall** is one endpoint node per firewall subnet (AWS creates one
//!   endpoint per AZ). A route whose target is a `vpc_endpoint_id` naming the firewall goes
//!   to the endpoint in the AZ of the subnets the table serves (all endpoints when that
//!   does not single one out, e.g. for an IGW edge table).
//! - **Interface endpoints** are listed in one node per subnet rather than one node each:
//!   seven endpoints in three subnets would otherwise be 21 nodes. Gateway endpoints are
//!   one node each, fed by the route tables they are attached to.
//! - Network ACLs are a line of their subnet's label (they filter at the subnet boundary
//!   and are not a hop a route leads to). Unknown links and targets are lines too, with
//!   their reason, so that nothing unknown is drawn as if it were absent.
//! - Workloads outside a customer VPC, notebooks with direct internet access and Studio
//!   domains in `PublicInternetOnly` mode link to a "SageMaker-managed network" node that
//!   links to the internet, as AWS documents for those modes.
//! - Peering, transit gateway, virtual private gateway and other targets (and references
//!   that do not resolve) are opaque external nodes.
//!
//! Node ids derive from model positions (`s12` is `model.subnets[12]`), never from user
//! text, so they are stable and always valid identifiers; user text appears only in
//! labels, escaped for the format.
//!
//! A [`Highlight`] maps each hop address to the nodes drawn for it (a firewall to its
//! endpoints, a Studio domain to its node in each subnet), skips hops that are not nodes
//! (security groups, network ACLs), and colours the edges between consecutive drawn hops,
//! adding an edge where the network drawing has none between them. Blocking resources are
//! marked red with a note; a blocking security group or network ACL marks the workloads or
//! subnets it applies to.

mod svg;

use sagescan_checks::workload::workloads;
use sagescan_model::network::{
    AssociationTarget, EndpointType, Firewall, InternetGateway, NatGateway, RouteDestination,
    RouteTable, RouteTarget, Vpc, VpcEndpoint,
};
use sagescan_model::sagemaker::AppNetworkAccessType;
use sagescan_model::{ConfigId, Link, Model, Ref, Toggle, Topology, Value, studio};
use sagescan_reach::{Decision, Hop};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fmt::Write as _;

/// The output syntax.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum GraphFormat {
    /// Graphviz DOT (`dot -Tsvg`).
    Dot,
    /// A Mermaid flowchart (renders in GitHub and GitLab Markdown).
    Mermaid,
}

/// A path to draw over the network: resource addresses in hop order (as `Meta::address`), and
/// whether it is a witness (reachable, drawn green/bold) or blocked (drawn red, the blocking
/// resources marked).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Highlight {
    pub hops: Vec<String>,
    pub blocked_at: Vec<String>,
    pub reachable: bool,
    pub title: String,
}

impl Highlight {
    /// The path from workload `from` through `path`'s hops.
    pub fn of_path(from: &str, path: &[Hop], reachable: bool, title: String) -> Highlight {
        Highlight {
            hops: std::iter::once(from.to_string())
                .chain(path.iter().map(|h| h.resource.to_string()))
                .collect(),
            blocked_at: path
                .iter()
                .filter(|h| h.decision == Decision::Block)
                .map(|h| h.resource.to_string())
                .collect(),
            reachable,
            title,
        }
    }
}

/// Draws the network of configuration `config` (all of them when `None`), with
/// `highlight` over it when given.
pub fn render(
    model: &Model,
    topology: &Topology,
    config: Option<ConfigId>,
    highlight: Option<&Highlight>,
    format: GraphFormat,
) -> String {
    let mut graph = Builder::new(model, topology, config).build();
    if let Some(h) = highlight {
        graph.highlight(h);
    }
    match format {
        GraphFormat::Dot => dot(&graph),
        GraphFormat::Mermaid => mermaid(&graph),
    }
}

/// Draws the network of each configuration in `configs` as one self-contained `<svg>`
/// element (for the HTML report), with that configuration's `highlights` over it.
///
/// The graph is built once for the whole model and cut per configuration: building it per
/// configuration would walk the whole model once per configuration (quadratic on a large
/// monorepo).
pub fn svgs(
    model: &Model,
    topology: &Topology,
    configs: &[ConfigId],
    highlights: &BTreeMap<ConfigId, Vec<Highlight>>,
) -> BTreeMap<ConfigId, String> {
    let mut graph = Builder::new(model, topology, None).build();
    for (&c, list) in highlights {
        // Highlight within its own configuration only (hop addresses repeat across them).
        graph.configs = vec![c];
        for h in list {
            graph.highlight(h);
        }
    }
    svg::write_all(&graph, configs, highlights)
}

const GREEN: &str = "#1a7f37";
const RED: &str = "#cf222e";
const RED_FILL: &str = "#ffebe9";

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Shape {
    Subnet,
    RouteTable,
    /// A NAT gateway.
    Gateway,
    /// An internet gateway: the last hop before the internet.
    InternetGateway,
    Firewall,
    Endpoint,
    Workload,
    External,
    Internet,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
enum Mark {
    #[default]
    None,
    /// On the highlighted path.
    Path,
    /// A control that blocks the highlighted path.
    Blocked,
}

#[derive(Debug)]
struct Node {
    id: String,
    lines: Vec<String>,
    shape: Shape,
    mark: Mark,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum EdgeKind {
    /// Traffic is forwarded along it (association, route).
    Flow,
    /// Ties something to where it sits (a NAT gateway to its subnet, an edge association).
    Placement,
    /// Drawn only for the highlighted path, where the network drawing has no edge.
    PathOnly,
}

#[derive(Debug)]
struct Edge {
    from: usize,
    to: usize,
    labels: Vec<String>,
    kind: EdgeKind,
    on_path: bool,
}

#[derive(Debug)]
struct Cluster {
    id: String,
    lines: Vec<String>,
    nodes: Vec<usize>,
    children: Vec<Cluster>,
}

#[derive(Debug)]
struct Graph {
    title: Vec<String>,
    nodes: Vec<Node>,
    /// Nodes outside every cluster (the internet).
    top: Vec<usize>,
    clusters: Vec<Cluster>,
    edges: Vec<Edge>,
    /// Colour of the highlighted path: green for a witness, red for a blocked path.
    reachable: bool,
    /// Hop address (per configuration) → the nodes drawn for it.
    path_nodes: HashMap<(ConfigId, String), Vec<usize>>,
    /// Blocking control address → the nodes to mark when it blocks (its own nodes, or the
    /// subnets a network ACL and the workloads a security group applies to).
    block_nodes: HashMap<(ConfigId, String), Vec<usize>>,
    configs: Vec<ConfigId>,
    /// (from, to) → the edge between them, so marking a path does not scan every edge.
    edge_index: HashMap<(usize, usize), usize>,
}

/// Where a node goes in the cluster tree.
#[derive(Clone, Debug)]
enum Place {
    Config(ConfigId),
    Vpc(ConfigId, usize),
    Az(ConfigId, usize, Option<String>),
}

#[derive(Debug, Default)]
struct ConfigBlock {
    nodes: Vec<usize>,
    vpcs: BTreeMap<usize, VpcBlock>,
}

#[derive(Debug, Default)]
struct VpcBlock {
    nodes: Vec<usize>,
    /// Keyed by (AZ unknown, AZ name): named AZs sorted, the unknown one last.
    azs: BTreeMap<(bool, String), Vec<usize>>,
}

struct Builder<'m> {
    model: &'m Model,
    topology: &'m Topology,
    config: Option<ConfigId>,
    nodes: Vec<Node>,
    edges: Vec<Edge>,
    edge_index: HashMap<(usize, usize), usize>,
    blocks: BTreeMap<ConfigId, ConfigBlock>,
    path_nodes: HashMap<(ConfigId, String), Vec<usize>>,
    block_nodes: HashMap<(ConfigId, String), Vec<usize>>,
    internet: usize,
    subnet_node: HashMap<usize, usize>,
    route_table_node: HashMap<usize, usize>,
    implicit_main: HashMap<usize, usize>,
    igw_node: HashMap<usize, usize>,
    nat_node: HashMap<usize, usize>,
    /// Firewall position → its endpoint nodes with their AZ.
    firewall_nodes: HashMap<usize, Vec<(usize, Option<String>)>>,
    /// VPC endpoint position → the nodes it is drawn in.
    endpoint_nodes: HashMap<usize, Vec<usize>>,
    /// Subnet position → the node listing its interface endpoints.
    interface_group: HashMap<usize, usize>,
    externals: HashMap<(ConfigId, String), usize>,
    managed: HashMap<ConfigId, usize>,
}

impl<'m> Builder<'m> {
    fn new(model: &'m Model, topology: &'m Topology, config: Option<ConfigId>) -> Self {
        Builder {
            model,
            topology,
            config,
            nodes: Vec::new(),
            edges: Vec::new(),
            edge_index: HashMap::new(),
            blocks: BTreeMap::new(),
            path_nodes: HashMap::new(),
            block_nodes: HashMap::new(),
            internet: 0,
            subnet_node: HashMap::new(),
            route_table_node: HashMap::new(),
            implicit_main: HashMap::new(),
            igw_node: HashMap::new(),
            nat_node: HashMap::new(),
            firewall_nodes: HashMap::new(),
            endpoint_nodes: HashMap::new(),
            interface_group: HashMap::new(),
            externals: HashMap::new(),
            managed: HashMap::new(),
        }
    }

    fn wanted(&self, c: ConfigId) -> bool {
        self.config.is_none_or(|x| x == c)
    }

    fn build(mut self) -> Graph {
        self.internet = self.node("internet".into(), vec!["internet".into()], Shape::Internet);
        for c in 0..self.model.configs.len() as ConfigId {
            if self.wanted(c) {
                self.blocks.insert(c, ConfigBlock::default());
                // A path's last hop may be the internet itself.
                self.hop(c, "internet", self.internet);
            }
        }
        self.vpcs();
        self.route_tables();
        self.subnets();
        self.internet_gateways();
        self.nat_gateways();
        self.firewalls();
        self.vpc_endpoints();
        self.routes();
        self.edge_associations();
        self.workloads();
        self.finish()
    }

    // ---- nodes, edges and placement

    fn node(&mut self, id: String, lines: Vec<String>, shape: Shape) -> usize {
        self.nodes.push(Node {
            id,
            lines,
            shape,
            mark: Mark::None,
        });
        self.nodes.len() - 1
    }

    fn placed(&mut self, place: Place, id: String, lines: Vec<String>, shape: Shape) -> usize {
        let n = self.node(id, lines, shape);
        let (c, rest) = match &place {
            Place::Config(c) => (*c, None),
            Place::Vpc(c, v) => (*c, Some((*v, None))),
            Place::Az(c, v, az) => (*c, Some((*v, Some(az.clone())))),
        };
        let block = self.blocks.entry(c).or_default();
        match rest {
            None => block.nodes.push(n),
            Some((v, None)) => block.vpcs.entry(v).or_default().nodes.push(n),
            Some((v, Some(az))) => {
                let key = (az.is_none(), az.unwrap_or_default());
                let vpc = block.vpcs.entry(v).or_default();
                vpc.azs.entry(key).or_default().push(n);
            }
        }
        n
    }

    /// Adds an edge, or merges `label` into the one already drawn between the same nodes.
    fn edge(&mut self, from: usize, to: usize, label: Option<String>, kind: EdgeKind) -> usize {
        let e = *self.edge_index.entry((from, to)).or_insert_with(|| {
            self.edges.push(Edge {
                from,
                to,
                labels: Vec::new(),
                kind,
                on_path: false,
            });
            self.edges.len() - 1
        });
        if let Some(label) = label
            && !self.edges[e].labels.contains(&label)
        {
            self.edges[e].labels.push(label);
        }
        e
    }

    fn hop(&mut self, c: ConfigId, address: &str, node: usize) {
        self.path_nodes
            .entry((c, address.to_owned()))
            .or_default()
            .push(node);
    }

    fn blocker(&mut self, c: ConfigId, address: &str, node: usize) {
        self.block_nodes
            .entry((c, address.to_owned()))
            .or_default()
            .push(node);
    }

    fn subnet_place(&self, c: ConfigId, subnet: usize) -> Place {
        match self.topology.vpc_of(subnet) {
            Some(v) => Place::Az(
                c,
                v,
                self.model.subnets[subnet].availability_zone.get().cloned(),
            ),
            None => Place::Config(c),
        }
    }

    fn vpc_place(&self, c: ConfigId, vpc: Option<&Ref<Vpc>>) -> Place {
        match vpc.and_then(|r| self.model.position::<Vpc>(c, r)) {
            Some(v) => Place::Vpc(c, v),
            None => Place::Config(c),
        }
    }

    /// An opaque node for a target outside the drawing, one per (configuration, key).
    fn external(&mut self, c: ConfigId, what: &str, key: &str) -> usize {
        if let Some(&n) = self.externals.get(&(c, format!("{what}\n{key}"))) {
            return n;
        }
        let id = format!("x{}", self.externals.len());
        let n = self.placed(
            Place::Config(c),
            id,
            vec![what.into(), key.into()],
            Shape::External,
        );
        self.externals.insert((c, format!("{what}\n{key}")), n);
        self.hop(c, key, n);
        n
    }

    /// The "SageMaker-managed network" of configuration `c`, linked to the internet.
    fn managed_network(&mut self, c: ConfigId) -> usize {
        if let Some(&n) = self.managed.get(&c) {
            return n;
        }
        let n = self.placed(
            Place::Config(c),
            format!("m{c}"),
            vec!["SageMaker-managed network".into()],
            Shape::External,
        );
        self.edge(n, self.internet, None, EdgeKind::Flow);
        self.managed.insert(c, n);
        n
    }

    // ---- the network, resource type by resource type

    fn vpcs(&mut self) {
        for (v, vpc) in self.model.vpcs.iter().enumerate() {
            let c = vpc.meta.config;
            if self.wanted(c) {
                self.blocks
                    .entry(c)
                    .or_default()
                    .vpcs
                    .insert(v, VpcBlock::default());
            }
        }
    }

    fn route_tables(&mut self) {
        for (i, rt) in self.model.route_tables.iter().enumerate() {
            let c = rt.meta.config;
            if !self.wanted(c) {
                continue;
            }
            let mut lines = vec!["route table".to_owned(), rt.meta.address.clone()];
            if rt.is_main.get() == Some(&true) {
                lines.push("main".into());
            }
            if !rt.routes_complete {
                lines.push("more routes may exist (not readable)".into());
            }
            let place = self.vpc_place(c, rt.vpc.get());
            let n = self.placed(place, format!("r{i}"), lines, Shape::RouteTable);
            self.route_table_node.insert(i, n);
            self.hop(c, &rt.meta.address, n);
        }
    }

    fn subnets(&mut self) {
        for (j, s) in self.model.subnets.iter().enumerate() {
            let c = s.meta.config;
            if !self.wanted(c) {
                continue;
            }
            let mut lines = vec![s.meta.address.clone(), value_text(&s.cidr_block)];
            if s.map_public_ip_on_launch.get() == Some(&true) {
                lines.push("public IP on launch".into());
            }
            let acl = match self.topology.network_acl_of(j) {
                Link::Explicit { index, .. } => Some(format!(
                    "NACL {}",
                    self.model.network_acls[*index].meta.address
                )),
                Link::Main { index } => Some(format!(
                    "NACL {} (VPC default)",
                    self.model.network_acls[*index].meta.address
                )),
                // AWS's default network ACL allows all traffic both ways.
                Link::Implicit => Some("NACL: VPC default, not declared (allows all)".into()),
                Link::Unknown { reason, .. } => Some(format!("NACL unknown: {reason}")),
            };
            lines.extend(acl);
            if let Link::Unknown { reason, .. } = self.topology.route_table_of(j) {
                lines.push(format!("route table unknown: {reason}"));
            }
            let place = self.subnet_place(c, j);
            let n = self.placed(place, format!("s{j}"), lines, Shape::Subnet);
            self.subnet_node.insert(j, n);
            self.hop(c, &s.meta.address, n);
            if let Link::Explicit { index, .. } | Link::Main { index } =
                self.topology.network_acl_of(j)
            {
                let acl = self.model.network_acls[*index].meta.address.clone();
                self.blocker(c, &acl, n);
            }

            match self.topology.route_table_of(j) {
                Link::Explicit { index, .. } => {
                    if let Some(&rt) = self.route_table_node.get(index) {
                        self.edge(n, rt, None, EdgeKind::Flow);
                    }
                }
                Link::Main { index } => {
                    if let Some(&rt) = self.route_table_node.get(index) {
                        self.edge(n, rt, Some("main".into()), EdgeKind::Flow);
                    }
                }
                Link::Implicit => {
                    if let Some(v) = self.topology.vpc_of(j) {
                        let rt = self.implicit_main_table(c, v);
                        self.edge(n, rt, Some("main".into()), EdgeKind::Flow);
                    }
                }
                Link::Unknown { .. } => {}
            }
        }
    }

    /// AWS's main route table of VPC `v` when the source does not declare it: local only.
    fn implicit_main_table(&mut self, c: ConfigId, v: usize) -> usize {
        if let Some(&n) = self.implicit_main.get(&v) {
            return n;
        }
        let lines = vec![
            "main (implicit)".into(),
            "not declared: local routes only".into(),
        ];
        let n = self.placed(Place::Vpc(c, v), format!("rm{v}"), lines, Shape::RouteTable);
        self.implicit_main.insert(v, n);
        n
    }

    fn internet_gateways(&mut self) {
        for (i, igw) in self.model.internet_gateways.iter().enumerate() {
            let c = igw.meta.config;
            if !self.wanted(c) {
                continue;
            }
            let mut lines = vec!["internet gateway".to_owned(), igw.meta.address.clone()];
            let place = match &igw.vpc {
                Value::Unknown { reason, .. } => {
                    lines.push(format!("attachment unknown: {reason}"));
                    Place::Config(c)
                }
                v => match v.get() {
                    Some(Some(r)) => self.vpc_place(c, Some(r)),
                    _ => {
                        lines.push("detached".into());
                        Place::Config(c)
                    }
                },
            };
            let n = self.placed(place, format!("i{i}"), lines, Shape::InternetGateway);
            self.igw_node.insert(i, n);
            self.hop(c, &igw.meta.address, n);
            // A detached gateway forwards nothing.
            if igw.vpc.get() != Some(&None) {
                self.edge(n, self.internet, None, EdgeKind::Flow);
            }
        }
    }

    fn nat_gateways(&mut self) {
        for (i, nat) in self.model.nat_gateways.iter().enumerate() {
            let c = nat.meta.config;
            if !self.wanted(c) {
                continue;
            }
            let mut lines = vec!["NAT gateway".to_owned(), nat.meta.address.clone()];
            match nat.connectivity_type.get().map(String::as_str) {
                Some("public") => {}
                Some(other) => lines.push(format!("connectivity: {other}")),
                None => lines.push(format!(
                    "connectivity unknown: {}",
                    nat.connectivity_type.unknown_reason().unwrap_or_default()
                )),
            }
            let subnet = nat.subnet.get().and_then(|r| self.model.position(c, r));
            if subnet.is_none() {
                lines.push(format!("subnet unknown: {}", ref_problem(&nat.subnet)));
            }
            let place = match subnet {
                Some(j) => self.subnet_place(c, j),
                None => Place::Config(c),
            };
            let n = self.placed(place, format!("n{i}"), lines, Shape::Gateway);
            self.nat_node.insert(i, n);
            self.hop(c, &nat.meta.address, n);
            // The NAT gateway's own traffic leaves through its subnet's route table.
            if let Some(s) = subnet.and_then(|j| self.subnet_node.get(&j).copied()) {
                self.edge(n, s, None, EdgeKind::Placement);
            }
        }
    }

    fn firewalls(&mut self) {
        for (i, fw) in self.model.firewalls.iter().enumerate() {
            let c = fw.meta.config;
            if !self.wanted(c) {
                continue;
            }
            let lines = vec![
                "Network Firewall endpoint".to_owned(),
                fw.meta.address.clone(),
            ];
            let subnets: Vec<usize> = fw
                .subnets
                .get()
                .into_iter()
                .flatten()
                .filter_map(|r| self.model.position(c, r))
                .collect();
            let mut endpoints = Vec::new();
            if subnets.is_empty() {
                // Subnets unknown or outside the scan: one node stands for all endpoints.
                let mut lines = lines.clone();
                lines.push(format!("subnets unknown: {}", vec_problem(&fw.subnets)));
                let place = self.vpc_place(c, fw.vpc.get());
                let n = self.placed(place, format!("f{i}"), lines, Shape::Firewall);
                endpoints.push((n, None));
            }
            for j in subnets {
                let place = self.subnet_place(c, j);
                let n = self.placed(place, format!("f{i}s{j}"), lines.clone(), Shape::Firewall);
                // Traffic the endpoint passes leaves through its subnet's route table.
                if let Some(&s) = self.subnet_node.get(&j) {
                    self.edge(n, s, None, EdgeKind::Placement);
                }
                let az = self.model.subnets[j].availability_zone.get().cloned();
                endpoints.push((n, az));
            }
            for &(n, _) in &endpoints {
                self.hop(c, &fw.meta.address, n);
            }
            self.firewall_nodes.insert(i, endpoints);
        }
    }

    fn vpc_endpoints(&mut self) {
        for (i, e) in self.model.vpc_endpoints.iter().enumerate() {
            let c = e.meta.config;
            if !self.wanted(c) {
                continue;
            }
            let service = e
                .service_name
                .get()
                .map_or_else(|| "service unknown".to_owned(), |s| short_service(s));
            let in_subnets = !matches!(e.endpoint_type.get(), Some(EndpointType::Gateway));
            let subnets: Vec<usize> = e
                .subnets
                .get()
                .into_iter()
                .flatten()
                .filter_map(|r| self.model.position(c, r))
                .collect();
            let mut nodes = Vec::new();
            if in_subnets && !subnets.is_empty() {
                let mut entry = format!("{}: {service}", e.meta.address);
                if e.private_dns_enabled.get() == Some(&false) {
                    entry.push_str(" (private DNS off)");
                }
                for j in subnets {
                    nodes.push(self.interface_entry(c, j, entry.clone()));
                }
            } else {
                let kind = match e.endpoint_type.get() {
                    Some(EndpointType::Gateway) => "gateway endpoint",
                    Some(EndpointType::Interface) => "interface endpoint",
                    Some(EndpointType::GatewayLoadBalancer) => "gateway load balancer endpoint",
                    None => "VPC endpoint (type unknown)",
                };
                let mut lines = vec![kind.to_owned(), e.meta.address.clone(), service];
                if in_subnets {
                    lines.push(format!("subnets unknown: {}", vec_problem(&e.subnets)));
                }
                let place = self.vpc_place(c, e.vpc.get());
                nodes.push(self.placed(place, format!("e{i}"), lines, Shape::Endpoint));
            }
            for &n in &nodes {
                self.hop(c, &e.meta.address, n);
            }
            if matches!(e.endpoint_type.get(), Some(EndpointType::Gateway)) {
                self.gateway_endpoint_routes(c, e, nodes[0]);
            }
            self.endpoint_nodes.insert(i, nodes);
        }
    }

    /// A gateway endpoint adds a route to the service's prefix list in each of its tables
    /// (VPC user guide, "Gateway endpoints": "the route table … uses the prefix list").
    fn gateway_endpoint_routes(&mut self, c: ConfigId, e: &VpcEndpoint, n: usize) {
        match &e.route_tables {
            Value::Unknown { reason, .. } => {
                let reason = format!("route tables unknown: {reason}");
                self.nodes[n].lines.push(reason);
            }
            v => {
                for r in v.get().into_iter().flatten() {
                    let rt = self
                        .model
                        .position::<RouteTable>(c, r)
                        .and_then(|t| self.route_table_node.get(&t).copied());
                    match rt {
                        Some(rt) => {
                            self.edge(rt, n, Some("prefix list".into()), EdgeKind::Flow);
                        }
                        None => {
                            let line = format!("route table {} not in the scan", r.key);
                            self.nodes[n].lines.push(line);
                        }
                    }
                }
            }
        }
    }

    /// Adds `entry` to the interface-endpoint node of subnet `j`, creating it on first use.
    fn interface_entry(&mut self, c: ConfigId, j: usize, entry: String) -> usize {
        if let Some(&n) = self.interface_group.get(&j) {
            self.nodes[n].lines.push(entry);
            return n;
        }
        let place = self.subnet_place(c, j);
        let lines = vec!["interface endpoints".into(), entry];
        let n = self.placed(place, format!("s{j}e"), lines, Shape::Endpoint);
        if let Some(&s) = self.subnet_node.get(&j) {
            self.edge(s, n, None, EdgeKind::Flow);
        }
        self.interface_group.insert(j, n);
        n
    }

    fn routes(&mut self) {
        // The AZs each route table serves, to pick a firewall's endpoint per AZ.
        let mut azs: HashMap<usize, BTreeSet<String>> = HashMap::new();
        for j in 0..self.model.subnets.len() {
            if let Link::Explicit { index, .. } | Link::Main { index } =
                self.topology.route_table_of(j)
                && let Some(az) = self.model.subnets[j].availability_zone.get()
            {
                azs.entry(*index).or_default().insert(az.clone());
            }
        }
        for (i, rt) in self.model.route_tables.iter().enumerate() {
            let Some(&from) = self.route_table_node.get(&i) else {
                continue;
            };
            let c = rt.meta.config;
            for route in &rt.routes {
                let dest = match &route.destination {
                    Value::Unknown { reason, .. } => format!("destination unknown: {reason}"),
                    v => match v.get() {
                        Some(RouteDestination::Cidr(cidr)) => cidr.clone(),
                        Some(RouteDestination::PrefixList(p)) => p.key.clone(),
                        None => String::new(),
                    },
                };
                match &route.target {
                    Value::Unknown { reason, .. } => {
                        let line = format!("{dest}: target unknown ({reason})");
                        self.nodes[from].lines.push(line);
                    }
                    v => {
                        let Some(target) = v.get() else { continue };
                        let served = azs.get(&i);
                        for to in self.targets(c, target, served) {
                            self.edge(from, to, Some(dest.clone()), EdgeKind::Flow);
                        }
                    }
                }
            }
        }
    }

    /// The nodes a route target leads to.
    fn targets(
        &mut self,
        c: ConfigId,
        target: &RouteTarget,
        served: Option<&BTreeSet<String>>,
    ) -> Vec<usize> {
        let m = self.model;
        match target {
            RouteTarget::Local => Vec::new(),
            RouteTarget::InternetGateway(r) => {
                match m
                    .position::<InternetGateway>(c, r)
                    .and_then(|i| self.igw_node.get(&i))
                {
                    Some(&n) => vec![n],
                    None => vec![self.external(c, "internet gateway (not in the scan)", &r.key)],
                }
            }
            RouteTarget::NatGateway(r) => {
                match m
                    .position::<NatGateway>(c, r)
                    .and_then(|i| self.nat_node.get(&i))
                {
                    Some(&n) => vec![n],
                    None => vec![self.external(c, "NAT gateway (not in the scan)", &r.key)],
                }
            }
            RouteTarget::VpcEndpoint(key) => {
                if let Some(f) = m.position::<Firewall>(c, &Ref::new(key.as_str())) {
                    let all = self.firewall_nodes.get(&f).cloned().unwrap_or_default();
                    let in_az: Vec<usize> = all
                        .iter()
                        .filter(|(_, az)| {
                            az.as_ref()
                                .is_some_and(|az| served.is_some_and(|s| s.contains(az)))
                        })
                        .map(|&(n, _)| n)
                        .collect();
                    if in_az.is_empty() {
                        all.into_iter().map(|(n, _)| n).collect()
                    } else {
                        in_az
                    }
                } else if let Some(e) = m.position::<VpcEndpoint>(c, &Ref::new(key.as_str())) {
                    self.endpoint_nodes.get(&e).cloned().unwrap_or_default()
                } else {
                    vec![self.external(c, "VPC endpoint (not in the scan)", key)]
                }
            }
            RouteTarget::EgressOnlyInternetGateway(key) => {
                let n = self.external(c, "egress-only internet gateway", key);
                self.edge(n, self.internet, None, EdgeKind::Flow);
                vec![n]
            }
            RouteTarget::NetworkInterface(key) => vec![self.external(c, "network interface", key)],
            RouteTarget::VpcPeering(key) => vec![self.external(c, "VPC peering", key)],
            RouteTarget::TransitGateway(key) => vec![self.external(c, "transit gateway", key)],
            RouteTarget::VirtualPrivateGateway(key) => {
                vec![self.external(c, "virtual private gateway", key)]
            }
            RouteTarget::Other(key) => vec![self.external(c, "other target", key)],
        }
    }

    /// Edge route tables: a table associated with a gateway routes the traffic entering
    /// the VPC through it (VPC user guide, "Gateway route tables").
    fn edge_associations(&mut self) {
        for a in &self.model.route_table_associations {
            let c = a.meta.config;
            let AssociationTarget::Gateway(gateway) = &a.target else {
                continue;
            };
            if !self.wanted(c) {
                continue;
            }
            let table = a
                .route_table
                .get()
                .and_then(|r| self.model.position::<RouteTable>(c, r))
                .and_then(|t| self.route_table_node.get(&t).copied());
            let Some(table) = table else { continue };
            self.nodes[table].lines.push("edge route table".into());
            let Some(key) = gateway.get() else {
                let reason = gateway.unknown_reason().unwrap_or_default();
                let line = format!("edge association with an unknown gateway ({reason})");
                self.nodes[table].lines.push(line);
                continue;
            };
            let igw = self
                .model
                .position::<InternetGateway>(c, &Ref::new(key.as_str()))
                .and_then(|i| self.igw_node.get(&i).copied());
            let from = match igw {
                Some(n) => n,
                None => self.external(c, "gateway", key),
            };
            self.edge(
                from,
                table,
                Some("edge association".into()),
                EdgeKind::Placement,
            );
        }
    }

    fn workloads(&mut self) {
        let model = self.model;
        // Planes through which a workload reaches the internet whatever its VPC says:
        // notebook direct internet access, Studio `PublicInternetOnly` (SageMaker developer
        // guide, "Connect a notebook instance in a VPC" and "Connect Studio notebooks in a
        // VPC to external resources").
        let mut direct: HashMap<(ConfigId, &str), Result<&str, String>> = HashMap::new();
        for nb in &model.notebook_instances {
            let key = (nb.meta.config, nb.meta.address.as_str());
            match &nb.direct_internet_access {
                Value::Unknown { reason, .. } => {
                    direct.insert(
                        key,
                        Err(format!("direct internet access unknown: {reason}")),
                    );
                }
                v if v.get() == Some(&Toggle::Enabled) => {
                    direct.insert(key, Ok("direct internet access"));
                }
                _ => {}
            }
        }
        // Studio profiles and spaces run under their domain's access type.
        let studio = model
            .domains
            .iter()
            .map(|d| (&d.meta, d.app_network_access_type.clone()))
            .chain(
                model
                    .user_profiles
                    .iter()
                    .map(|p| (&p.meta, studio::profile_apps(model, p).access)),
            )
            .chain(
                model
                    .spaces
                    .iter()
                    .map(|s| (&s.meta, studio::space_apps(model, s).access)),
            );
        for (meta, access) in studio {
            let key = (meta.config, meta.address.as_str());
            match &access {
                Value::Unknown { reason, .. } => {
                    direct.insert(key, Err(format!("network access type unknown: {reason}")));
                }
                v if v.get() == Some(&AppNetworkAccessType::PublicInternetOnly) => {
                    direct.insert(key, Ok("PublicInternetOnly"));
                }
                _ => {}
            }
        }

        for (k, w) in workloads(model).iter().enumerate() {
            let c = w.meta.config;
            if !self.wanted(c) {
                continue;
            }
            let mut lines = vec![w.kind.as_str().to_owned(), w.meta.address.clone()];
            let plane = direct.get(&(c, w.meta.address.as_str()));
            if let Some(Err(line)) = plane {
                lines.push(line.clone());
            }
            let mut nodes = Vec::new();
            match &w.subnets {
                Value::Unknown { reason, .. } => {
                    lines.push(format!("subnets unknown: {reason}"));
                    nodes.push(self.placed(
                        Place::Config(c),
                        format!("w{k}"),
                        lines,
                        Shape::Workload,
                    ));
                }
                v => {
                    let refs = v.get().map(Vec::as_slice).unwrap_or_default();
                    let mut outside = Vec::new();
                    for r in refs {
                        match model.position(c, r) {
                            Some(j) => {
                                let place = self.subnet_place(c, j);
                                let id = format!("w{k}s{j}");
                                let n = self.placed(place, id, lines.clone(), Shape::Workload);
                                if let Some(&s) = self.subnet_node.get(&j) {
                                    self.edge(n, s, None, EdgeKind::Flow);
                                }
                                nodes.push(n);
                            }
                            None => outside.push(r.key.as_str()),
                        }
                    }
                    if refs.is_empty() || !outside.is_empty() {
                        let mut lines = lines.clone();
                        if !outside.is_empty() {
                            lines.push(format!("subnets not in the scan: {}", outside.join(", ")));
                        }
                        let n =
                            self.placed(Place::Config(c), format!("w{k}"), lines, Shape::Workload);
                        if refs.is_empty() {
                            // Not in a customer VPC: SageMaker runs it in its own network.
                            let m = self.managed_network(c);
                            self.edge(n, m, None, EdgeKind::Flow);
                        }
                        nodes.push(n);
                    }
                }
            }
            if let Some(Ok(label)) = plane {
                let m = self.managed_network(c);
                for &n in &nodes {
                    self.edge(n, m, Some((*label).to_owned()), EdgeKind::Flow);
                }
            }
            for &n in &nodes {
                self.hop(c, &w.meta.address, n);
            }
            for sg in w.security_groups.get().into_iter().flatten() {
                let address = model
                    .get(c, sg)
                    .map_or(sg.key.as_str(), |g| g.meta.address.as_str());
                for &n in &nodes {
                    self.blocker(c, address, n);
                }
            }
        }
    }

    fn finish(self) -> Graph {
        let model = self.model;
        let mut clusters = Vec::new();
        for (c, block) in self.blocks {
            let config = &model.configs[c as usize];
            let mut children = Vec::new();
            for (v, vpc) in block.vpcs {
                let vpc_meta = &model.vpcs[v];
                let mut lines = vec![vpc_meta.meta.address.clone()];
                let mut cidrs = vec![value_text(&vpc_meta.cidr_block)];
                cidrs.extend(vpc_meta.extra_cidr_blocks.iter().map(value_text));
                lines.push(cidrs.join(", "));
                let azs = vpc
                    .azs
                    .into_iter()
                    .enumerate()
                    .map(|(z, ((unknown, az), nodes))| Cluster {
                        id: format!("kv{v}z{z}"),
                        lines: vec![if unknown { "AZ unknown".into() } else { az }],
                        nodes,
                        children: Vec::new(),
                    })
                    .collect();
                children.push(Cluster {
                    id: format!("kv{v}"),
                    lines,
                    nodes: vpc.nodes,
                    children: azs,
                });
            }
            clusters.push(Cluster {
                id: format!("kc{c}"),
                lines: vec![format!("{} ({})", config.name, config.source)],
                nodes: block.nodes,
                children,
            });
        }
        let configs = clusters_configs(model, self.config);
        Graph {
            title: Vec::new(),
            nodes: self.nodes,
            top: vec![self.internet],
            clusters,
            edges: self.edges,
            reachable: true,
            path_nodes: self.path_nodes,
            block_nodes: self.block_nodes,
            configs,
            edge_index: self.edge_index,
        }
    }
}

fn clusters_configs(model: &Model, config: Option<ConfigId>) -> Vec<ConfigId> {
    (0..model.configs.len() as ConfigId)
        .filter(|&c| config.is_none_or(|x| x == c))
        .collect()
}

impl Graph {
    fn highlight(&mut self, h: &Highlight) {
        self.reachable = h.reachable;
        if !h.title.is_empty() {
            self.title.push(h.title.clone());
        }
        let mut drawn_blockers = BTreeSet::new();
        for c in self.configs.clone() {
            let seq: Vec<Vec<usize>> = h
                .hops
                .iter()
                .filter_map(|a| self.path_nodes.get(&(c, a.clone())).cloned())
                .collect();
            for pair in seq.windows(2) {
                self.connect(&pair[0], &pair[1]);
            }
            let on_hops: BTreeSet<usize> = seq.iter().flatten().copied().collect();
            for b in &h.blocked_at {
                let key = (c, b.clone());
                let Some(nodes) = self
                    .block_nodes
                    .get(&key)
                    .or_else(|| self.path_nodes.get(&key))
                else {
                    continue;
                };
                drawn_blockers.insert(b.as_str());
                // A security group or network ACL applies to many workloads or subnets:
                // mark those on the path, unless the path names none of them.
                let on_path: Vec<usize> = nodes
                    .iter()
                    .copied()
                    .filter(|n| on_hops.contains(n))
                    .collect();
                let nodes = if on_path.is_empty() {
                    nodes.clone()
                } else {
                    on_path
                };
                for n in nodes {
                    let node = &mut self.nodes[n];
                    node.mark = Mark::Blocked;
                    let note = format!("blocks the path: {b}");
                    if !node.lines.contains(&note) {
                        node.lines.push(note);
                    }
                }
            }
        }
        for b in &h.blocked_at {
            if !drawn_blockers.contains(b.as_str()) {
                self.title.push(format!("blocked at {b} (not drawn)"));
            }
        }
        for e in self.edges.iter().filter(|e| e.on_path) {
            for n in [e.from, e.to] {
                if self.nodes[n].mark == Mark::None {
                    self.nodes[n].mark = Mark::Path;
                }
            }
        }
    }

    /// Marks the edges drawn between two consecutive hops, either way round; when there is
    /// none, adds one so the path stays continuous.
    fn connect(&mut self, from: &[usize], to: &[usize]) {
        if from.iter().any(|n| to.contains(n)) {
            return;
        }
        let mut found = false;
        for &a in from {
            for &b in to {
                for key in [(a, b), (b, a)] {
                    if let Some(&e) = self.edge_index.get(&key) {
                        self.edges[e].on_path = true;
                        found = true;
                    }
                }
            }
        }
        if !found && let (Some(&a), Some(&b)) = (from.first(), to.first()) {
            self.edges.push(Edge {
                from: a,
                to: b,
                labels: Vec::new(),
                kind: EdgeKind::PathOnly,
                on_path: true,
            });
            self.edge_index.insert((a, b), self.edges.len() - 1);
        }
    }

    fn path_colour(&self) -> &'static str {
        if self.reachable { GREEN } else { RED }
    }
}

/// A value's text, or why it is unknown.
fn value_text(v: &Value<String>) -> String {
    match v {
        Value::Unknown { reason, .. } => format!("unknown: {reason}"),
        v => v.get().cloned().unwrap_or_default(),
    }
}

/// Why a reference does not lead to a drawn resource.
fn ref_problem<T>(v: &Value<Ref<T>>) -> String {
    match v {
        Value::Unknown { reason, .. } => reason.clone(),
        v => v
            .get()
            .map_or_else(String::new, |r| format!("{} not in the scan", r.key)),
    }
}

fn vec_problem<T>(v: &Value<Vec<Ref<T>>>) -> String {
    match v {
        Value::Unknown { reason, .. } => reason.clone(),
        v => match v.get().map(Vec::as_slice).unwrap_or_default() {
            [] => "none given".into(),
            refs => {
                let keys: Vec<&str> = refs.iter().map(|r| r.key.as_str()).collect();
                format!("{} not in the scan", keys.join(", "))
            }
        },
    }
}

/// `com.amazonaws.us-east-1.sagemaker.api` → `sagemaker.api`: the region is the VPC's and
/// only lengthens every line. Other names (`aws.sagemaker.…`) are kept whole.
fn short_service(name: &str) -> String {
    name.strip_prefix("com.amazonaws.")
        .and_then(|rest| rest.split_once('.'))
        .map_or_else(|| name.to_owned(), |(_, service)| service.to_owned())
}

// ---- Graphviz DOT

/// The one escaping for DOT: a quoted string's content, with `"` and `\` escaped (a lone
/// `\` would start an escape such as `\N` or `\l`). Line breaks, control characters and
/// bidi overrides in user text are first written visibly as `\n`, `\u{202e}`…
/// ([`crate::escape`]), so they show in the drawing instead of breaking or reordering a
/// label; the label's own lines are joined by [`dot_label`].
fn dot_escape(s: &str) -> String {
    let s = crate::escape::visible(s);
    let mut out = String::with_capacity(s.len());
    for ch in s.chars() {
        match ch {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c => out.push(c),
        }
    }
    out
}

fn dot_label(lines: &[String]) -> String {
    let lines: Vec<String> = lines.iter().map(|l| dot_escape(l)).collect();
    lines.join("\\n")
}

fn dot(g: &Graph) -> String {
    let mut out = String::from("digraph sagescan {\n");
    out.push_str("  graph [rankdir=LR, fontname=\"Helvetica\", fontsize=11");
    if !g.title.is_empty() {
        let _ = write!(out, ", label=\"{}\", labelloc=t", dot_label(&g.title));
    }
    out.push_str("];\n");
    out.push_str("  node [shape=box, fontname=\"Helvetica\", fontsize=10];\n");
    out.push_str("  edge [fontname=\"Helvetica\", fontsize=9];\n");
    for &n in &g.top {
        dot_node(&mut out, g, n, 1);
    }
    for c in &g.clusters {
        dot_cluster(&mut out, g, c, 1);
    }
    for e in &g.edges {
        let mut attrs = Vec::new();
        if !e.labels.is_empty() {
            attrs.push(format!("label=\"{}\"", dot_label(&e.labels)));
        }
        match e.kind {
            EdgeKind::Flow => {}
            EdgeKind::Placement => attrs.push("style=dashed".into()),
            EdgeKind::PathOnly => attrs.push("style=bold".into()),
        }
        if e.on_path {
            attrs.push(format!("color=\"{}\", penwidth=3", g.path_colour()));
        }
        let _ = write!(out, "  {} -> {}", g.nodes[e.from].id, g.nodes[e.to].id);
        if !attrs.is_empty() {
            let _ = write!(out, " [{}]", attrs.join(", "));
        }
        out.push_str(";\n");
    }
    out.push_str("}\n");
    out
}

fn dot_cluster(out: &mut String, g: &Graph, c: &Cluster, depth: usize) {
    let pad = "  ".repeat(depth);
    let _ = writeln!(out, "{pad}subgraph cluster_{} {{", c.id);
    let _ = writeln!(
        out,
        "{pad}  label=\"{}\"; style=rounded; color=\"#8c959f\";",
        dot_label(&c.lines)
    );
    for child in &c.children {
        dot_cluster(out, g, child, depth + 1);
    }
    for &n in &c.nodes {
        dot_node(out, g, n, depth + 1);
    }
    let _ = writeln!(out, "{pad}}}");
}

fn dot_node(out: &mut String, g: &Graph, n: usize, depth: usize) {
    let node = &g.nodes[n];
    let (shape, mut style, fill): (&str, Vec<&str>, Option<&str>) = match node.shape {
        Shape::Subnet => ("box", vec![], None),
        Shape::RouteTable => ("note", vec![], None),
        Shape::Gateway | Shape::InternetGateway => ("hexagon", vec![], None),
        Shape::Firewall => ("octagon", vec!["filled"], Some("#fff8c5")),
        Shape::Endpoint => ("component", vec![], None),
        Shape::Workload => ("box", vec!["rounded", "filled"], Some("#ddf4ff")),
        Shape::External => ("ellipse", vec!["dashed"], None),
        Shape::Internet => ("ellipse", vec!["filled"], Some("#eaeef2")),
    };
    let mut attrs = vec![
        format!("label=\"{}\"", dot_label(&node.lines)),
        format!("shape={shape}"),
    ];
    let fill = match node.mark {
        Mark::Blocked => {
            if !style.contains(&"filled") {
                style.push("filled");
            }
            attrs.push(format!("color=\"{RED}\", fontcolor=\"{RED}\", penwidth=3"));
            Some(RED_FILL)
        }
        Mark::Path => {
            attrs.push(format!("color=\"{}\", penwidth=2", g.path_colour()));
            fill
        }
        Mark::None => fill,
    };
    if !style.is_empty() {
        attrs.push(format!("style=\"{}\"", style.join(",")));
    }
    if let Some(fill) = fill {
        attrs.push(format!("fillcolor=\"{fill}\""));
    }
    let pad = "  ".repeat(depth);
    let _ = writeln!(out, "{pad}{} [{}];", node.id, attrs.join(", "));
}

// ---- Mermaid

/// The one escaping for Mermaid: label text for a quoted label, where characters Mermaid
/// would read as syntax or HTML become its entity codes (`#quot;`, `#35;`, …; Mermaid
/// flowchart syntax, "Entity codes to escape characters"). Line breaks, control characters
/// and bidi overrides in user text are first written visibly as `\n`, `\u{202e}`…
/// ([`crate::escape`]); the label's own lines are joined with `<br/>` by [`mermaid_label`].
fn mermaid_escape(s: &str) -> String {
    let s = crate::escape::visible(s);
    let mut out = String::with_capacity(s.len());
    for ch in s.chars() {
        match ch {
            '"' => out.push_str("#quot;"),
            '#' => out.push_str("#35;"),
            '&' => out.push_str("#amp;"),
            '<' => out.push_str("#lt;"),
            '>' => out.push_str("#gt;"),
            '[' => out.push_str("#91;"),
            ']' => out.push_str("#93;"),
            '(' => out.push_str("#40;"),
            ')' => out.push_str("#41;"),
            '{' => out.push_str("#123;"),
            '}' => out.push_str("#125;"),
            '|' => out.push_str("#124;"),
            '`' => out.push_str("#96;"),
            c => out.push(c),
        }
    }
    out
}

fn mermaid_label(lines: &[String]) -> String {
    let lines: Vec<String> = lines.iter().map(|l| mermaid_escape(l)).collect();
    lines.join("<br/>")
}

/// A YAML double-quoted scalar for the front matter title (one line): user line breaks
/// and other hazards written visibly first ([`crate::escape`]), then `"` and `\` escaped.
fn yaml_string(s: &str) -> String {
    let mut out = String::from("\"");
    for ch in crate::escape::visible(s).chars() {
        match ch {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn mermaid(g: &Graph) -> String {
    let mut out = String::new();
    if !g.title.is_empty() {
        let _ = write!(
            out,
            "---\ntitle: {}\n---\n",
            yaml_string(&g.title.join("; "))
        );
    }
    out.push_str("flowchart LR\n");
    for &n in &g.top {
        mermaid_node(&mut out, g, n, 1);
    }
    for c in &g.clusters {
        mermaid_cluster(&mut out, g, c, 1);
    }
    let mut on_path = Vec::new();
    for (i, e) in g.edges.iter().enumerate() {
        let arrow = match e.kind {
            EdgeKind::Flow => "-->",
            EdgeKind::Placement => "-.->",
            EdgeKind::PathOnly => "==>",
        };
        let label = if e.labels.is_empty() {
            String::new()
        } else {
            format!("|\"{}\"|", mermaid_label(&e.labels))
        };
        let _ = writeln!(
            out,
            "  {} {arrow}{label} {}",
            g.nodes[e.from].id, g.nodes[e.to].id
        );
        if e.on_path {
            on_path.push(i.to_string());
        }
    }
    if !on_path.is_empty() {
        let _ = writeln!(
            out,
            "  linkStyle {} stroke:{},stroke-width:3px",
            on_path.join(","),
            g.path_colour()
        );
    }
    for (mark, class, style) in [
        (
            Mark::Path,
            "path",
            format!("stroke:{},stroke-width:2px", g.path_colour()),
        ),
        (
            Mark::Blocked,
            "blocked",
            format!("fill:{RED_FILL},stroke:{RED},stroke-width:3px,color:{RED}"),
        ),
    ] {
        let ids: Vec<&str> = g
            .nodes
            .iter()
            .filter(|n| n.mark == mark)
            .map(|n| n.id.as_str())
            .collect();
        if !ids.is_empty() {
            let _ = writeln!(out, "  classDef {class} {style}");
            let _ = writeln!(out, "  class {} {class}", ids.join(","));
        }
    }
    out
}

fn mermaid_cluster(out: &mut String, g: &Graph, c: &Cluster, depth: usize) {
    let pad = "  ".repeat(depth);
    let _ = writeln!(
        out,
        "{pad}subgraph {}[\"{}\"]",
        c.id,
        mermaid_label(&c.lines)
    );
    for child in &c.children {
        mermaid_cluster(out, g, child, depth + 1);
    }
    for &n in &c.nodes {
        mermaid_node(out, g, n, depth + 1);
    }
    let _ = writeln!(out, "{pad}end");
}

fn mermaid_node(out: &mut String, g: &Graph, n: usize, depth: usize) {
    let node = &g.nodes[n];
    let (open, close) = match node.shape {
        Shape::Subnet => ("[", "]"),
        Shape::RouteTable => ("[/", "/]"),
        Shape::Gateway | Shape::InternetGateway => ("{{", "}}"),
        Shape::Firewall => ("[[", "]]"),
        Shape::Endpoint => (">", "]"),
        Shape::Workload => ("(", ")"),
        Shape::External => ("([", "])"),
        Shape::Internet => ("((", "))"),
    };
    let pad = "  ".repeat(depth);
    let _ = writeln!(
        out,
        "{pad}{}{open}\"{}\"{close}",
        node.id,
        mermaid_label(&node.lines)
    );
}

#[cfg(test)]
mod tests {
    use super::*;
    use sagescan_model::network::Subnet;
    use sagescan_model::{Meta, Origin};
    use std::sync::atomic::{AtomicUsize, Ordering};

    /// A seed-style module (as `gen_tf_corpus.py` writes them): public, firewall and three
    /// private subnets, NAT → firewall endpoint → IGW egress with an IGW edge table sending
    /// return traffic through the firewall, seven interface endpoints, an S3 gateway
    /// endpoint, and a notebook, a model and a Studio domain in the private subnets.
    const SEED: &str = r#"
variable "region" {
  default = "us-east-1"
}

resource "aws_vpc" "main" {
  cidr_block           = "10.1.0.0/16"
  enable_dns_support   = true
  enable_dns_hostnames = true
}

resource "aws_internet_gateway" "igw" {
  vpc_id = aws_vpc.main.id
}

resource "aws_subnet" "public" {
  vpc_id            = aws_vpc.main.id
  cidr_block        = "10.1.0.0/24"
  availability_zone = "us-east-1a"
}

resource "aws_subnet" "firewall" {
  vpc_id            = aws_vpc.main.id
  cidr_block        = "10.1.1.0/28"
  availability_zone = "us-east-1a"
}

resource "aws_subnet" "private_a" {
  vpc_id            = aws_vpc.main.id
  cidr_block        = "10.1.10.0/24"
  availability_zone = "us-east-1a"
}

resource "aws_subnet" "private_b" {
  vpc_id            = aws_vpc.main.id
  cidr_block        = "10.1.11.0/24"
  availability_zone = "us-east-1b"
}

resource "aws_subnet" "private_c" {
  vpc_id            = aws_vpc.main.id
  cidr_block        = "10.1.12.0/24"
  availability_zone = "us-east-1c"
}

resource "aws_eip" "nat" {
  domain = "vpc"
}

resource "aws_nat_gateway" "nat" {
  allocation_id = aws_eip.nat.id
  subnet_id     = aws_subnet.public.id
}

resource "aws_route_table" "public" {
  vpc_id = aws_vpc.main.id
  route {
    cidr_block      = "0.0.0.0/0"
    vpc_endpoint_id = tolist(aws_networkfirewall_firewall.main.firewall_status[0].sync_states)[0].attachment[0].endpoint_id
  }
}

resource "aws_route_table" "firewall" {
  vpc_id = aws_vpc.main.id
  route {
    cidr_block = "0.0.0.0/0"
    gateway_id = aws_internet_gateway.igw.id
  }
}

resource "aws_route_table" "igw_ingress" {
  vpc_id = aws_vpc.main.id
  route {
    cidr_block      = "10.1.0.0/24"
    vpc_endpoint_id = tolist(aws_networkfirewall_firewall.main.firewall_status[0].sync_states)[0].attachment[0].endpoint_id
  }
}

resource "aws_route_table_association" "igw_ingress" {
  gateway_id     = aws_internet_gateway.igw.id
  route_table_id = aws_route_table.igw_ingress.id
}

resource "aws_route_table_association" "public" {
  subnet_id      = aws_subnet.public.id
  route_table_id = aws_route_table.public.id
}

resource "aws_route_table_association" "firewall" {
  subnet_id      = aws_subnet.firewall.id
  route_table_id = aws_route_table.firewall.id
}

resource "aws_route_table" "private" {
  vpc_id = aws_vpc.main.id
  route {
    cidr_block     = "0.0.0.0/0"
    nat_gateway_id = aws_nat_gateway.nat.id
  }
}

resource "aws_route_table_association" "private_a" {
  subnet_id      = aws_subnet.private_a.id
  route_table_id = aws_route_table.private.id
}

resource "aws_route_table_association" "private_b" {
  subnet_id      = aws_subnet.private_b.id
  route_table_id = aws_route_table.private.id
}

resource "aws_route_table_association" "private_c" {
  subnet_id      = aws_subnet.private_c.id
  route_table_id = aws_route_table.private.id
}

resource "aws_network_acl" "private" {
  vpc_id     = aws_vpc.main.id
  subnet_ids = [aws_subnet.private_a.id, aws_subnet.private_b.id, aws_subnet.private_c.id]
  egress {
    protocol   = "-1"
    rule_no    = 100
    action     = "allow"
    cidr_block = "0.0.0.0/0"
    from_port  = 0
    to_port    = 0
  }
}

locals {
  private = [aws_subnet.private_a.id, aws_subnet.private_b.id, aws_subnet.private_c.id]
}

resource "aws_vpc_endpoint" "sagemaker_api" {
  vpc_id              = aws_vpc.main.id
  service_name        = "com.amazonaws.${var.region}.sagemaker.api"
  vpc_endpoint_type   = "Interface"
  private_dns_enabled = true
  subnet_ids          = local.private
}

resource "aws_vpc_endpoint" "sagemaker_runtime" {
  vpc_id              = aws_vpc.main.id
  service_name        = "com.amazonaws.${var.region}.sagemaker.runtime"
  vpc_endpoint_type   = "Interface"
  private_dns_enabled = true
  subnet_ids          = local.private
}

resource "aws_vpc_endpoint" "sagemaker_notebook" {
  vpc_id              = aws_vpc.main.id
  service_name        = "aws.sagemaker.${var.region}.notebook"
  vpc_endpoint_type   = "Interface"
  private_dns_enabled = true
  subnet_ids          = local.private
}

resource "aws_vpc_endpoint" "sts" {
  vpc_id              = aws_vpc.main.id
  service_name        = "com.amazonaws.${var.region}.sts"
  vpc_endpoint_type   = "Interface"
  private_dns_enabled = true
  subnet_ids          = local.private
}

resource "aws_vpc_endpoint" "logs" {
  vpc_id              = aws_vpc.main.id
  service_name        = "com.amazonaws.${var.region}.logs"
  vpc_endpoint_type   = "Interface"
  private_dns_enabled = true
  subnet_ids          = local.private
}

resource "aws_vpc_endpoint" "ecr_api" {
  vpc_id              = aws_vpc.main.id
  service_name        = "com.amazonaws.${var.region}.ecr.api"
  vpc_endpoint_type   = "Interface"
  private_dns_enabled = true
  subnet_ids          = local.private
}

resource "aws_vpc_endpoint" "ecr_dkr" {
  vpc_id              = aws_vpc.main.id
  service_name        = "com.amazonaws.${var.region}.ecr.dkr"
  vpc_endpoint_type   = "Interface"
  private_dns_enabled = false
  subnet_ids          = local.private
}

resource "aws_vpc_endpoint" "s3" {
  vpc_id            = aws_vpc.main.id
  service_name      = "com.amazonaws.${var.region}.s3"
  vpc_endpoint_type = "Gateway"
  route_table_ids   = [aws_route_table.private.id]
}

resource "aws_security_group" "sagemaker" {
  name   = "sagemaker"
  vpc_id = aws_vpc.main.id
  egress {
    from_port   = 443
    to_port     = 443
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]
  }
}

resource "aws_networkfirewall_firewall_policy" "main" {
  name = "policy"
  firewall_policy {
    stateless_default_actions          = ["aws:forward_to_sfe"]
    stateless_fragment_default_actions = ["aws:forward_to_sfe"]
  }
}

resource "aws_networkfirewall_firewall" "main" {
  name                = "firewall"
  firewall_policy_arn = aws_networkfirewall_firewall_policy.main.arn
  vpc_id              = aws_vpc.main.id
  subnet_mapping {
    subnet_id = aws_subnet.firewall.id
  }
}

resource "aws_sagemaker_model" "main" {
  name                     = "model"
  execution_role_arn       = "arn:aws:iam::123456789012:role/sm"
  enable_network_isolation = true
  primary_container {
    image = "123456789012.dkr.ecr.us-east-1.amazonaws.com/inference:1.0"
  }
  vpc_config {
    subnets            = local.private
    security_group_ids = [aws_security_group.sagemaker.id]
  }
}

resource "aws_sagemaker_notebook_instance" "main" {
  name                   = "notebook"
  role_arn               = "arn:aws:iam::123456789012:role/sm"
  instance_type          = "ml.t3.large"
  subnet_id              = aws_subnet.private_a.id
  security_groups        = [aws_security_group.sagemaker.id]
  direct_internet_access = "Disabled"
}

resource "aws_sagemaker_domain" "main" {
  domain_name             = "studio"
  auth_mode               = "IAM"
  vpc_id                  = aws_vpc.main.id
  subnet_ids              = local.private
  app_network_access_type = "VpcOnly"
  default_user_settings {
    execution_role  = "arn:aws:iam::123456789012:role/sm"
    security_groups = [aws_security_group.sagemaker.id]
  }
}
"#;

    /// Loads `tf` as a one-file Terraform root named `name` (the configuration's name is
    /// the directory as given, which would put a temporary path into the output).
    fn load_tf(name: &str, tf: &str) -> Model {
        // Tests run in parallel and several load the same module: one directory each.
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let dir = std::env::temp_dir().join(format!(
            "sagescan-report-graph-{name}-{}-{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        ));
        std::fs::create_dir_all(&dir).expect("create temp dir");
        std::fs::write(dir.join("main.tf"), tf).expect("write main.tf");
        let loaded = sagescan_load::load(
            std::slice::from_ref(&dir),
            &sagescan_load::LoadOptions::default(),
        );
        let _ = std::fs::remove_dir_all(&dir);
        let mut model = loaded.expect("load Terraform");
        assert!(model.gaps.is_empty(), "{:?}", model.gaps);
        for c in &mut model.configs {
            c.name = name.into();
        }
        model
    }

    fn seed() -> Model {
        let mut model = load_tf("seed", SEED);
        // The route to the firewall names it through `firewall_status`, known only after
        // apply; issue 6 asks that such a route resolve structurally to the firewall. Until
        // the loader does, stand in for it here, so that the drawing shows what it will.
        for rt in &mut model.route_tables {
            for route in &mut rt.routes {
                if let Value::Set {
                    value: RouteTarget::VpcEndpoint(key),
                    ..
                } = &mut route.target
                    && key.contains("aws_networkfirewall_firewall.main.firewall_status")
                {
                    *key = "aws_networkfirewall_firewall.main".into();
                }
            }
        }
        model.finish();
        model
    }

    fn draw(model: &Model, highlight: Option<&Highlight>, format: GraphFormat) -> String {
        render(model, &Topology::new(model), None, highlight, format)
    }

    /// The lines of `out` that mention `needle`.
    fn lines_with<'a>(out: &'a str, needle: &str) -> Vec<&'a str> {
        out.lines().filter(|l| l.contains(needle)).collect()
    }

    #[test]
    fn seed_vpc_as_dot() {
        insta::assert_snapshot!(draw(&seed(), None, GraphFormat::Dot));
    }

    #[test]
    fn seed_vpc_as_mermaid() {
        insta::assert_snapshot!(draw(&seed(), None, GraphFormat::Mermaid));
    }

    fn witness() -> Highlight {
        Highlight {
            hops: [
                "aws_sagemaker_notebook_instance.main",
                "aws_security_group.sagemaker",
                "aws_subnet.private_a",
                "aws_route_table.private",
                "aws_nat_gateway.nat",
                "aws_networkfirewall_firewall.main",
                "aws_internet_gateway.igw",
                "internet",
            ]
            .map(String::from)
            .to_vec(),
            blocked_at: Vec::new(),
            reachable: true,
            title: "notebook to pypi.org:443: reachable".into(),
        }
    }

    #[test]
    fn svg_draws_the_same_path_per_configuration_in_tier_columns() {
        let model = seed();
        let topology = Topology::new(&model);
        let highlights = BTreeMap::from([(0, vec![witness()])]);
        let svgs = svgs(&model, &topology, &[0], &highlights);
        let svg = &svgs[&0];
        assert!(svg.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\""));
        // The witness: the same six edges as in DOT, green and thick.
        assert_eq!(
            svg.matches(r##"stroke="#1a7f37" stroke-width="3" class="edge on-path""##)
                .count(),
            6,
            "{svg}"
        );
        // Columns by tier: a workload left of its subnet, left of its route table, left
        // of the NAT gateway, left of the internet gateway, left of the internet.
        let x = |node: &str| -> u32 {
            let at = svg
                .find(&format!("data-node=\"{node}\""))
                .unwrap_or_else(|| panic!("{node} drawn"));
            let rect = &svg[at..];
            let x = &rect[rect.find("<rect x=\"").expect("a box") + 9..];
            x[..x.find('"').expect("closing quote")]
                .parse()
                .expect("a number")
        };
        let columns = ["w0s2", "s2", "r3", "n0", "i0", "internet"].map(x);
        assert!(columns.windows(2).all(|w| w[0] < w[1]), "{columns:?}");
        // Marker ids are prefixed, so several diagrams can share a page.
        assert!(svg.contains(r#"<marker id="c0-arrow""#));
        // Same input, same bytes.
        assert_eq!(&svgs, &super::svgs(&model, &topology, &[0], &highlights));
    }

    #[test]
    fn a_witness_path_is_drawn_green_over_the_network() {
        let model = seed();
        let out = draw(&model, Some(&witness()), GraphFormat::Dot);
        assert!(out.contains("label=\"notebook to pypi.org:443: reachable\", labelloc=t"));
        let green = lines_with(&out, "color=\"#1a7f37\", penwidth=3");
        // notebook → private_a → private table → NAT, drawn edges; NAT → firewall endpoint
        // → IGW have no direct edge (they go through their subnets' tables) and are added;
        // IGW → internet is drawn. The security group is no node and is skipped.
        let mut edges: Vec<&str> = green
            .iter()
            .filter_map(|l| l.trim().split(" [").next())
            .filter(|l| l.contains("->"))
            .collect();
        edges.sort();
        assert_eq!(
            edges,
            [
                "f0s1 -> i0",
                "i0 -> internet",
                "n0 -> f0s1",
                "r3 -> n0",
                "s2 -> r3",
                "w0s2 -> s2"
            ],
            "{out}"
        );
        assert!(out.contains("n0 -> f0s1 [style=bold, color=\"#1a7f37\", penwidth=3];"));
        // Only the notebook, not the model or the domain in the same subnet, is on the path.
        let on_path = lines_with(&out, "color=\"#1a7f37\", penwidth=2");
        assert!(
            on_path.iter().any(|l| l.trim().starts_with("w0s2 [")),
            "{out}"
        );
        assert!(
            !on_path.iter().any(|l| l.trim().starts_with("w1s2 [")),
            "{out}"
        );

        let out = draw(&model, Some(&witness()), GraphFormat::Mermaid);
        assert!(out.starts_with("---\ntitle: \"notebook to pypi.org:443: reachable\"\n---\n"));
        assert!(out.contains("  n0 ==> f0s1\n"), "{out}");
        let link_style = lines_with(&out, "linkStyle");
        assert_eq!(link_style.len(), 1, "{out}");
        assert!(link_style[0].ends_with("stroke:#1a7f37,stroke-width:3px"));
        // One index per highlighted edge.
        let indexes = link_style[0].split_whitespace().nth(1).unwrap_or_default();
        assert_eq!(indexes.split(',').count(), 6, "{out}");
    }

    #[test]
    fn a_blocked_path_is_red_and_marks_what_blocks_it() {
        let model = seed();
        let mut h = witness();
        h.reachable = false;
        h.hops.truncate(6);
        h.title = "notebook to evil.example:443: not reachable".into();
        h.blocked_at = vec![
            "aws_networkfirewall_firewall.main".into(),
            "aws_security_group.sagemaker".into(),
            "aws_networkfirewall_rule_group.domains".into(),
        ];
        let out = draw(&model, Some(&h), GraphFormat::Dot);
        let firewall = lines_with(&out, "  f0s1 [");
        assert_eq!(firewall.len(), 1, "{out}");
        assert!(firewall[0].contains("blocks the path: aws_networkfirewall_firewall.main"));
        assert!(
            firewall[0].contains("fillcolor=\"#ffebe9\""),
            "{}",
            firewall[0]
        );
        // A security group is no node: the workloads it applies to carry the mark.
        let notebook = lines_with(&out, "  w0s2 [");
        assert!(notebook[0].contains("blocks the path: aws_security_group.sagemaker"));
        // A blocking resource that is not drawn is named in the title.
        assert!(
            out.contains("blocked at aws_networkfirewall_rule_group.domains (not drawn)"),
            "{out}"
        );
        assert!(out.contains("n0 -> f0s1 [style=bold, color=\"#cf222e\", penwidth=3];"));
        assert!(!out.contains("#1a7f37"), "no green on a blocked path");

        let out = draw(&model, Some(&h), GraphFormat::Mermaid);
        // Of the workloads the security group applies to, only the one on the path.
        assert!(out.contains("\n  class f0s1,w0s2 blocked\n"), "{out}");
        assert!(!out.contains("w1s2(\"hosting<br/>aws_sagemaker_model.main<br/>blocks"));
        assert!(out.contains("blocked at aws_networkfirewall_rule_group.domains (not drawn)"));
    }

    #[test]
    fn workloads_outside_a_vpc_and_direct_internet_go_through_the_managed_network() {
        let model = load_tf(
            "managed",
            r#"
resource "aws_sagemaker_notebook_instance" "open" {
  name          = "open"
  role_arn      = "arn:aws:iam::123456789012:role/sm"
  instance_type = "ml.t3.large"
}

resource "aws_sagemaker_model" "public" {
  name               = "public"
  execution_role_arn = "arn:aws:iam::123456789012:role/sm"
  primary_container {
    image = "123456789012.dkr.ecr.us-east-1.amazonaws.com/inference:1.0"
  }
}
"#,
        );
        let out = draw(&model, None, GraphFormat::Dot);
        // The notebook's direct internet access is AWS's default (Enabled).
        assert!(
            out.contains("w0 -> m0 [label=\"direct internet access\"];"),
            "{out}"
        );
        assert!(out.contains("w1 -> m0;"), "{out}");
        assert!(out.contains("m0 -> internet;"), "{out}");
        assert!(out.contains("label=\"SageMaker-managed network\""), "{out}");
        let out = draw(&model, None, GraphFormat::Mermaid);
        assert!(
            out.contains("  w0 -->|\"direct internet access\"| m0\n"),
            "{out}"
        );
        assert!(out.contains("  m0 --> internet\n"), "{out}");
    }

    #[test]
    fn a_route_to_a_firewall_goes_to_its_endpoint_in_the_tables_az() {
        // `vpc_endpoint_id` naming the firewall stands for what the loader gives once the
        // route through `firewall_status` is resolved structurally (issue 6).
        let model = load_tf(
            "two-az",
            r#"
resource "aws_vpc" "v" {
  cidr_block = "10.0.0.0/16"
}

resource "aws_subnet" "fw_a" {
  vpc_id            = aws_vpc.v.id
  cidr_block        = "10.0.0.0/28"
  availability_zone = "us-east-1a"
}

resource "aws_subnet" "fw_b" {
  vpc_id            = aws_vpc.v.id
  cidr_block        = "10.0.0.16/28"
  availability_zone = "us-east-1b"
}

resource "aws_subnet" "app_b" {
  vpc_id            = aws_vpc.v.id
  cidr_block        = "10.0.1.0/24"
  availability_zone = "us-east-1b"
}

resource "aws_route_table" "app_b" {
  vpc_id = aws_vpc.v.id
  route {
    cidr_block      = "0.0.0.0/0"
    vpc_endpoint_id = aws_networkfirewall_firewall.f.id
  }
  route {
    cidr_block                = "192.168.0.0/16"
    vpc_peering_connection_id = "pcx-0123"
  }
}

resource "aws_route_table_association" "app_b" {
  subnet_id      = aws_subnet.app_b.id
  route_table_id = aws_route_table.app_b.id
}

resource "aws_networkfirewall_firewall" "f" {
  name                = "f"
  firewall_policy_arn = "arn:aws:network-firewall:us-east-1:123456789012:firewall-policy/p"
  vpc_id              = aws_vpc.v.id
  subnet_mapping {
    subnet_id = aws_subnet.fw_a.id
  }
  subnet_mapping {
    subnet_id = aws_subnet.fw_b.id
  }
}
"#,
        );
        let out = draw(&model, None, GraphFormat::Dot);
        assert!(out.contains("r0 -> f0s1 [label=\"0.0.0.0/0\"];"), "{out}");
        assert!(!out.contains("r0 -> f0s0"), "{out}");
        // Subnets without an association use AWS's implicit main table.
        assert!(out.contains("s0 -> rm0 [label=\"main\"];"), "{out}");
        assert!(out.contains("label=\"main (implicit)\\nnot declared: local routes only\""));
        // A peering connection is an opaque external node.
        assert!(out.contains("label=\"VPC peering\\npcx-0123\""), "{out}");
        assert!(
            out.contains("r0 -> x0 [label=\"192.168.0.0/16\"];"),
            "{out}"
        );
    }

    fn meta(c: ConfigId, address: &str) -> Meta {
        Meta::new(address, "test", c, Origin::None)
    }

    fn vpc(c: ConfigId, address: &str) -> Vpc {
        Vpc {
            meta: meta(c, address),
            cidr_block: Value::set("10.0.0.0/16".into(), Origin::None),
            extra_cidr_blocks: Vec::new(),
            enable_dns_support: Value::default_value(true, Origin::None),
            enable_dns_hostnames: Value::default_value(false, Origin::None),
            is_default: Value::default_value(false, Origin::None),
        }
    }

    fn subnet(c: ConfigId, address: &str, vpc: &str) -> Subnet {
        Subnet {
            meta: meta(c, address),
            vpc: Value::set(Ref::new(vpc), Origin::None),
            cidr_block: Value::unknown("var.cidr has no value", Origin::None),
            availability_zone: Value::set("us-east-1a".into(), Origin::None),
            map_public_ip_on_launch: Value::default_value(false, Origin::None),
        }
    }

    const HOSTILE: &str = "aws_subnet.x[\"a\"] <script>alert(1)</script> ]\nb\\c #1";

    fn hostile_model() -> Model {
        let mut model = Model::default();
        let c = model.add_config("infra \"prod\"", "terraform");
        model.vpcs.push(vpc(c, "aws_vpc.v"));
        model.subnets.push(subnet(c, HOSTILE, "aws_vpc.v"));
        model.finish();
        model
    }

    #[test]
    fn labels_are_escaped_for_dot() {
        let model = hostile_model();
        let h = Highlight {
            title: "to \"x\"\n<y>".into(),
            ..Highlight::default()
        };
        let out = draw(&model, Some(&h), GraphFormat::Dot);
        let subnet = lines_with(&out, "  s0 [");
        assert_eq!(
            subnet,
            [concat!(
                r#"        s0 [label="aws_subnet.x[\"a\"] <script>alert(1)</script> ]\\nb\\c #1"#,
                r#"\nunknown: var.cidr has no value\nNACL: VPC default, not declared (allows all)", shape=box];"#
            )],
            "{out}"
        );
        assert!(
            out.contains(r#"label="infra \"prod\" (terraform)";"#),
            "{out}"
        );
        assert!(
            out.contains(r#"label="to \"x\"\\n<y>", labelloc=t"#),
            "{out}"
        );
        // Every quote in the output is either a delimiter or escaped: an even number of
        // unescaped quotes per line.
        for line in out.lines() {
            let unescaped = line.replace("\\\\", "").replace("\\\"", "");
            assert_eq!(unescaped.matches('"').count() % 2, 0, "{line}");
        }
    }

    #[test]
    fn labels_are_escaped_for_mermaid() {
        let model = hostile_model();
        let h = Highlight {
            title: "to \"x\"\n<y>".into(),
            ..Highlight::default()
        };
        let out = draw(&model, Some(&h), GraphFormat::Mermaid);
        let subnet = lines_with(&out, "  s0[");
        assert_eq!(
            subnet,
            [concat!(
                "        s0[\"aws_subnet.x#91;#quot;a#quot;#93; #lt;script#gt;alert#40;1#41;",
                "#lt;/script#gt; #93;\\nb\\c #35;1<br/>unknown: var.cidr has no value",
                "<br/>NACL: VPC default, not declared #40;allows all#41;\"]"
            )],
            "{out}"
        );
        assert!(out.contains("subgraph kc0[\"infra #quot;prod#quot; #40;terraform#41;\"]"));
        assert!(
            out.starts_with("---\ntitle: \"to \\\"x\\\"\\\\n<y>\"\n---\n"),
            "{out}"
        );
        assert!(!out.contains("<script>"), "{out}");
        // Outside the front matter, quotes only delimit labels.
        for line in out.lines().skip(3) {
            assert_eq!(line.matches('"').count() % 2, 0, "{line}");
        }
    }

    /// A VPC, a subnet and a configuration named with every trick of
    /// [`crate::escape::HOSTILE`], drawn in each format.
    fn tricky_model() -> Model {
        let h = crate::escape::HOSTILE;
        let mut model = Model::default();
        let c = model.add_config(h, "terraform");
        model.vpcs.push(vpc(c, &format!("aws_vpc.{h}")));
        model.subnets.push(subnet(
            c,
            &format!("aws_subnet.{h}"),
            &format!("aws_vpc.{h}"),
        ));
        model.finish();
        model
    }

    #[test]
    fn hazards_are_spelled_out_in_every_graph_format() {
        let model = tricky_model();
        let h = Highlight {
            title: format!("NET101 {}", crate::escape::HOSTILE),
            ..Highlight::default()
        };
        for format in [GraphFormat::Dot, GraphFormat::Mermaid] {
            let out = draw(&model, Some(&h), format);
            let raw: Vec<char> = out
                .chars()
                .filter(|&c| crate::escape::is_hazard(c) && c != '\n')
                .collect();
            assert_eq!(raw, Vec::<char>::new(), "{format:?}: {out}");
            assert!(
                !out.lines().any(|l| l.starts_with("0 configurations")),
                "{format:?}: {out}"
            );
            assert!(out.contains("u{202e}gnp.exe"), "{format:?}: {out}");
        }
        let topology = Topology::new(&model);
        let svgs = svgs(&model, &topology, &[0], &BTreeMap::new());
        let svg = &svgs[&0];
        let doc = roxmltree::Document::parse(svg).unwrap_or_else(|e| panic!("{e}: {svg}"));
        let texts: Vec<&str> = doc.descendants().filter_map(|n| n.text()).collect();
        assert!(
            texts
                .iter()
                .any(|t| t.contains(r"aws_subnet.x\n0 configurations")),
            "{texts:?}"
        );
        // The tooltip's own lines are the only line breaks the parser reads back.
        for t in texts {
            assert!(
                !t.contains(|c: char| crate::escape::is_hazard(c) && c != '\n'),
                "{t:?}"
            );
        }
    }

    #[test]
    fn one_configuration_is_drawn_alone_when_asked() {
        let mut model = Model::default();
        let a = model.add_config("a", "terraform");
        let b = model.add_config("b", "terraform");
        model.vpcs.push(vpc(a, "aws_vpc.v"));
        model.vpcs.push(vpc(b, "aws_vpc.v"));
        model
            .subnets
            .push(subnet(a, "aws_subnet.in_a", "aws_vpc.v"));
        model
            .subnets
            .push(subnet(b, "aws_subnet.in_b", "aws_vpc.v"));
        model.finish();
        let topology = Topology::new(&model);
        let out = render(&model, &topology, Some(b), None, GraphFormat::Dot);
        assert!(out.contains("aws_subnet.in_b"), "{out}");
        assert!(!out.contains("aws_subnet.in_a"), "{out}");
        assert!(out.contains("subgraph cluster_kc1 {"), "{out}");
        assert!(!out.contains("cluster_kc0"), "{out}");
        // Each configuration's VPC is its own cluster; ids come from model positions.
        let all = render(&model, &topology, None, None, GraphFormat::Mermaid);
        assert!(
            all.contains("subgraph kv0[") && all.contains("subgraph kv1["),
            "{all}"
        );
        assert!(all.contains("  s1 --> rm1\n") || all.contains("  s1 -->|\"main\"| rm1\n"));
    }
}
