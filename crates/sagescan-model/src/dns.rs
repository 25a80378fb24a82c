//! DNS resources: what decides whether a workload's DNS queries can reach arbitrary names.
//!
//! Queries to the Route 53 Resolver (the VPC+2 address, also 169.254.169.253) pass every
//! security group, network ACL and Network Firewall; only Route 53 Resolver DNS Firewall
//! filters them. A VPC's DHCP options decide which DNS servers its instances are told to
//! use. Terraform declares DNS Firewall rules as separate resources
//! (`aws_route53_resolver_firewall_rule`); the loader folds them into their rule group, each
//! rule keeping its own origin, as it folds standalone security group rules.
//!
//! Refs: <https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/resolver-dns-firewall-overview.html>,
//! <https://docs.aws.amazon.com/vpc/latest/userguide/DHCPOptionSet.html>

use crate::network::Vpc;
use crate::resource::{Meta, Ref};
use crate::value::{Origin, Value};
use serde::{Deserialize, Serialize};

/// The DHCP options value that means "the Route 53 Resolver" (the default option set's).
pub const AMAZON_PROVIDED_DNS: &str = "AmazonProvidedDNS";

/// `aws_route53_resolver_firewall_rule_group_association` /
/// `AWS::Route53Resolver::FirewallRuleGroupAssociation`: a rule group applied to a VPC.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DnsFirewallRuleGroupAssociation {
    pub meta: Meta,
    pub vpc: Value<Ref<Vpc>>,
    pub rule_group: Value<Ref<DnsFirewallRuleGroup>>,
    /// Required; groups of one VPC are evaluated in ascending priority.
    pub priority: Value<i64>,
}

/// `aws_route53_resolver_firewall_rule_group` / `AWS::Route53Resolver::FirewallRuleGroup`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DnsFirewallRuleGroup {
    pub meta: Meta,
    /// Inline rules (CloudFormation) and folded standalone rules (Terraform), unsorted.
    pub rules: Vec<DnsFirewallRule>,
    /// False when rules may exist that were not read (a standalone rule whose group is
    /// unknown): then "no such rule" is not provable.
    pub rules_complete: bool,
}

/// One rule: a domain list and what to do with queries for its names.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DnsFirewallRule {
    /// Required; rules of a group are evaluated in ascending priority.
    pub priority: Value<i64>,
    /// `ALLOW`, `ALERT` or `BLOCK`.
    pub action: Value<String>,
    /// The list the rule matches. A DNS Firewall Advanced rule (threat protection instead
    /// of a list) has none: Unknown, saying so.
    pub domain_list: Value<Ref<DnsFirewallDomainList>>,
    /// The query type the rule is restricted to (`A`, `TXT`, …); `None` = every type.
    pub qtype: Value<Option<String>>,
    /// The standalone rule resource's address, when the rule is not inline.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub declared_by: Option<String>,
    pub origin: Origin,
}

/// `aws_route53_resolver_firewall_domain_list` / `AWS::Route53Resolver::FirewallDomainList`.
/// AWS-managed lists are referenced by id and are not in the model: their references do
/// not resolve, which means unknown contents.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DnsFirewallDomainList {
    pub meta: Meta,
    /// Domain specs: letters, digits, hyphens, an optional leading `*` (`*` alone matches
    /// every name).
    pub domains: Value<Vec<String>>,
}

/// `aws_vpc_dhcp_options` / `aws_default_vpc_dhcp_options` / `AWS::EC2::DHCPOptions`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct VpcDhcpOptions {
    pub meta: Meta,
    /// `domain-name-servers`; default `["AmazonProvidedDNS"]` (the Route 53 Resolver).
    pub domain_name_servers: Value<Vec<String>>,
}

/// `aws_vpc_dhcp_options_association` / `AWS::EC2::VPCDHCPOptionsAssociation`. The option
/// set key `default` is AWS's spelling for the default option set.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DhcpOptionsAssociation {
    pub meta: Meta,
    pub vpc: Value<Ref<Vpc>>,
    pub dhcp_options: Value<Ref<VpcDhcpOptions>>,
}
