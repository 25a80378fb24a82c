//! VPC networking resources: what decides where a SageMaker workload's packets may go.
//!
//! Rules declared apart from their parent (Terraform's `aws_security_group_rule`,
//! `aws_vpc_security_group_ingress_rule`, `aws_route`, CloudFormation's
//! `AWS::EC2::SecurityGroupIngress`, …) are folded by the loader into the parent's rule
//! list, each rule keeping its own origin, so checks see the *union* AWS enforces.

use crate::resource::{Meta, Ref};
use crate::value::{Origin, Value};
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Vpc {
    pub meta: Meta,
    pub cidr_block: Value<String>,
    /// Secondary and IPv6 CIDRs, where declared.
    #[serde(default)]
    pub extra_cidr_blocks: Vec<Value<String>>,
    /// `enableDnsSupport`; AWS default true.
    pub enable_dns_support: Value<bool>,
    /// `enableDnsHostnames`; AWS default false for non-default VPCs.
    pub enable_dns_hostnames: Value<bool>,
    /// Whether this is the region's default VPC.
    pub is_default: Value<bool>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Subnet {
    pub meta: Meta,
    pub vpc: Value<Ref<Vpc>>,
    pub cidr_block: Value<String>,
    pub availability_zone: Value<String>,
    /// `MapPublicIpOnLaunch`; AWS default false for non-default subnets.
    pub map_public_ip_on_launch: Value<bool>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RouteTable {
    pub meta: Meta,
    pub vpc: Value<Ref<Vpc>>,
    /// True for a VPC's main table (`aws_default_route_table`, live `Main` association).
    pub is_main: Value<bool>,
    pub routes: Vec<Route>,
    /// False when routes may exist that the source cannot show (e.g. routes a loader could
    /// not read): then "no such route" is not provable.
    pub routes_complete: bool,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Route {
    /// IPv4/IPv6 CIDR, or a managed prefix list id.
    pub destination: Value<RouteDestination>,
    pub target: Value<RouteTarget>,
    pub origin: Origin,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RouteDestination {
    Cidr(String),
    PrefixList(Ref<ManagedPrefixList>),
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "ref", rename_all = "snake_case")]
pub enum RouteTarget {
    Local,
    InternetGateway(Ref<InternetGateway>),
    EgressOnlyInternetGateway(String),
    NatGateway(Ref<NatGateway>),
    /// A gateway load balancer or Network Firewall endpoint (`vpce-…`). A Network
    /// Firewall's endpoint is usually only known after apply, so the key is kept raw.
    VpcEndpoint(String),
    NetworkInterface(String),
    VpcPeering(String),
    TransitGateway(String),
    VirtualPrivateGateway(String),
    /// Anything else (carrier gateway, local gateway, core network).
    Other(String),
}

/// `aws_route_table_association` / `AWS::EC2::SubnetRouteTableAssociation` /
/// `aws_main_route_table_association`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RouteTableAssociation {
    pub meta: Meta,
    pub route_table: Value<Ref<RouteTable>>,
    pub target: AssociationTarget,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AssociationTarget {
    Subnet(Value<Ref<Subnet>>),
    /// Edge association with an internet or virtual private gateway (ingress routing).
    Gateway(Value<String>),
    /// Makes the table the VPC's main table.
    MainOf(Value<Ref<Vpc>>),
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct InternetGateway {
    pub meta: Meta,
    /// `None` while detached.
    pub vpc: Value<Option<Ref<Vpc>>>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct NatGateway {
    pub meta: Meta,
    pub subnet: Value<Ref<Subnet>>,
    /// `public` (default) or `private`.
    pub connectivity_type: Value<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SecurityGroup {
    pub meta: Meta,
    pub vpc: Value<Option<Ref<Vpc>>>,
    pub name: Value<Option<String>>,
    /// The VPC's default group (`aws_default_security_group`, live `GroupName = default`).
    pub is_default: bool,
    /// Union of inline and standalone rules.
    pub rules: Vec<SgRule>,
    /// False when standalone rules might exist that were not read.
    pub rules_complete: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    Ingress,
    Egress,
}

/// One rule with exactly one peer (sources that list several peers in one rule are split
/// by the loader, each part keeping the rule's origin).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SgRule {
    pub direction: Direction,
    /// `tcp`, `udp`, `icmp`, `icmpv6`, `-1` (all) or a protocol number, lower-cased.
    pub protocol: Value<String>,
    pub from_port: Value<i64>,
    pub to_port: Value<i64>,
    pub peer: Value<SgPeer>,
    pub description: Value<Option<String>>,
    /// The standalone rule resource's address, when the rule is not inline.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub declared_by: Option<String>,
    pub origin: Origin,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "value", rename_all = "snake_case")]
pub enum SgPeer {
    Ipv4(String),
    Ipv6(String),
    PrefixList(Ref<ManagedPrefixList>),
    SecurityGroup(Ref<SecurityGroup>),
    /// The group itself (`self = true`).
    SelfGroup,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct NetworkAcl {
    pub meta: Meta,
    pub vpc: Value<Ref<Vpc>>,
    pub is_default: bool,
    pub subnets: Value<Vec<Ref<Subnet>>>,
    pub entries: Vec<NaclEntry>,
    pub entries_complete: bool,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct NaclEntry {
    pub egress: bool,
    pub rule_number: Value<i64>,
    pub protocol: Value<String>,
    pub allow: Value<bool>,
    /// IPv4 or IPv6 CIDR.
    pub cidr_block: Value<String>,
    pub from_port: Value<i64>,
    pub to_port: Value<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub declared_by: Option<String>,
    pub origin: Origin,
}

/// `aws_network_acl_association` and friends: which subnets use which NACL.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct NaclAssociation {
    pub meta: Meta,
    pub network_acl: Value<Ref<NetworkAcl>>,
    pub subnet: Value<Ref<Subnet>>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum EndpointType {
    Interface,
    Gateway,
    GatewayLoadBalancer,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct VpcEndpoint {
    pub meta: Meta,
    pub vpc: Value<Ref<Vpc>>,
    /// e.g. `com.amazonaws.us-east-1.sagemaker.api`.
    pub service_name: Value<String>,
    /// AWS default `Gateway`.
    pub endpoint_type: Value<EndpointType>,
    /// Interface endpoints only; AWS API default false (the console defaults to true).
    pub private_dns_enabled: Value<bool>,
    pub subnets: Value<Vec<Ref<Subnet>>>,
    pub security_groups: Value<Vec<Ref<SecurityGroup>>>,
    pub route_tables: Value<Vec<Ref<RouteTable>>>,
    /// The endpoint policy document; absent = full access.
    pub policy: Value<Option<String>>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ManagedPrefixList {
    pub meta: Meta,
    pub entries: Value<Vec<String>>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FlowLog {
    pub meta: Meta,
    pub target: Value<FlowLogTarget>,
    /// `ALL`, `ACCEPT` or `REJECT`.
    pub traffic_type: Value<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "ref", rename_all = "snake_case")]
pub enum FlowLogTarget {
    Vpc(Ref<Vpc>),
    Subnet(Ref<Subnet>),
    NetworkInterface(String),
    TransitGateway(String),
}

/// `aws_networkfirewall_firewall` / `AWS::NetworkFirewall::Firewall`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Firewall {
    pub meta: Meta,
    pub vpc: Value<Ref<Vpc>>,
    pub policy: Value<Ref<FirewallPolicy>>,
    pub subnets: Value<Vec<Ref<Subnet>>>,
    /// AWS default false.
    pub delete_protection: Value<bool>,
    /// AWS default false.
    pub subnet_change_protection: Value<bool>,
    /// AWS default false.
    pub policy_change_protection: Value<bool>,
    /// Customer KMS key; `None` = AWS-owned key.
    pub kms_key_id: Value<Option<String>>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FirewallPolicy {
    pub meta: Meta,
    pub stateless_default_actions: Value<Vec<String>>,
    pub stateless_fragment_default_actions: Value<Vec<String>>,
    /// Strict order only; absent = no default action (traffic unmatched passes).
    pub stateful_default_actions: Value<Vec<String>>,
    /// `DEFAULT_ACTION_ORDER` (AWS default) or `STRICT_ORDER`.
    pub stateful_rule_order: Value<String>,
    pub stateless_rule_groups: Value<Vec<RuleGroupRef>>,
    pub stateful_rule_groups: Value<Vec<RuleGroupRef>>,
    pub kms_key_id: Value<Option<String>>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RuleGroupRef {
    pub group: Ref<RuleGroup>,
    pub priority: Value<Option<i64>>,
    pub origin: Origin,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RuleGroup {
    pub meta: Meta,
    /// `STATEFUL` or `STATELESS`.
    pub kind: Value<String>,
    /// `DEFAULT_ACTION_ORDER` (AWS default) or `STRICT_ORDER`; stateful only.
    pub rule_order: Value<String>,
    pub source: Value<RulesSource>,
    pub kms_key_id: Value<Option<String>>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
// One per rule group: boxing the domain list would buy nothing but indirection.
#[allow(clippy::large_enum_variant)]
pub enum RulesSource {
    /// A domain list (`rules_source_list`).
    DomainList {
        /// `ALLOWLIST` or `DENYLIST`.
        generated_rules_type: Value<String>,
        /// `TLS_SNI`, `HTTP_HOST`.
        target_types: Value<Vec<String>>,
        targets: Value<Vec<String>>,
    },
    /// Suricata rules text, parsed by the checks that need it.
    RulesString(Value<String>),
    /// 5-tuple stateful rules.
    StatefulRules(Vec<StatefulRule>),
    /// Stateless rules and custom actions.
    StatelessRules(Vec<StatelessRule>),
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StatefulRule {
    /// `PASS`, `DROP`, `ALERT`, `REJECT`.
    pub action: Value<String>,
    pub protocol: Value<String>,
    pub source: Value<String>,
    pub source_port: Value<String>,
    pub destination: Value<String>,
    pub destination_port: Value<String>,
    /// `FORWARD` or `ANY`.
    pub direction: Value<String>,
    pub origin: Origin,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StatelessRule {
    pub priority: Value<i64>,
    /// `aws:pass`, `aws:drop`, `aws:forward_to_sfe` or a custom action.
    pub actions: Value<Vec<String>>,
    pub protocols: Value<Vec<i64>>,
    pub sources: Value<Vec<String>>,
    pub destinations: Value<Vec<String>>,
    /// Inclusive port ranges; empty = any.
    pub destination_ports: Value<Vec<(i64, i64)>>,
    pub origin: Origin,
}

/// `aws_networkfirewall_logging_configuration` / the firewall's `LoggingConfiguration`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FirewallLogging {
    pub meta: Meta,
    pub firewall: Value<Ref<Firewall>>,
    /// (log type `FLOW`/`ALERT`/`TLS`, destination type `S3`/`CloudWatchLogs`/`KinesisDataFirehose`).
    pub destinations: Value<Vec<(String, String)>>,
}
