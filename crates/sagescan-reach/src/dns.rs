//! The DNS channel of a VPC: can a workload in it resolve arbitrary public names, and so
//! tunnel data out through DNS, whatever its security groups, network ACLs and routes say?
//!
//! Queries to the Route 53 Resolver (VPC+2, also 169.254.169.253) are answered by recursion
//! on the internet even in a VPC without an internet or NAT gateway, and no security group,
//! network ACL or Network Firewall sees them (`reachability-semantics` §1.7, §2.6, §6.9).
//! Only Route 53 Resolver DNS Firewall filters them (§7): the rule groups associated with
//! the VPC run in ascending association priority, the rules of a group in ascending rule
//! priority, the first matching rule ends evaluation, and a query no rule matches is
//! resolved. The channel is closed when, before any `ALLOW`/`ALERT` of arbitrary names, a
//! `BLOCK` rule for every query type matches a list holding `*`. With `enableDnsSupport`
//! off there is no Resolver. DHCP options naming other DNS servers send queries to those as
//! ordinary traffic, whose fate this module does not decide (§8.8 item 14).
//!
//! Refs: <https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/resolver-dns-firewall-overview.html>,
//! <https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/resolver-dns-firewall-rule-actions.html>,
//! <https://docs.aws.amazon.com/vpc/latest/userguide/AmazonDNS-concepts.html>,
//! <https://docs.aws.amazon.com/vpc/latest/userguide/DHCPOptionSet.html>

use sagescan_model::dns::{
    AMAZON_PROVIDED_DNS, DhcpOptionsAssociation, DnsFirewallRule, DnsFirewallRuleGroup,
    DnsFirewallRuleGroupAssociation,
};
use sagescan_model::{ConfigId, Model, Origin, Resource, Value};
use std::collections::HashMap;

/// Whether workloads in a VPC can resolve arbitrary names.
#[derive(Clone, Debug, PartialEq)]
pub enum DnsChannel {
    /// Arbitrary names resolve through the Route 53 Resolver; `why` says what lets them.
    Open { why: String, origin: Origin },
    /// DNS Firewall blocks every name not allowed before; `by` names the rule.
    Closed { by: String, origin: Origin },
    /// `enableDnsSupport` is false: no Resolver, and no other DNS server is configured.
    Disabled { origin: Origin },
    /// Cannot be told; `why` says what is missing.
    Unknown { why: String, origin: Origin },
}

/// Rule group and DHCP option associations by VPC, built once per model so that asking
/// for many VPCs costs no scan of every association per question.
#[derive(Clone, Debug, Default)]
pub struct DnsIndex {
    /// VPC position → positions in `model.dns_firewall_rule_group_associations`.
    firewall: HashMap<usize, Vec<usize>>,
    /// Configuration → its firewall associations whose VPC is unknown (any VPC of it).
    firewall_anywhere: HashMap<ConfigId, Vec<usize>>,
    /// VPC position → positions in `model.dhcp_options_associations`.
    dhcp: HashMap<usize, Vec<usize>>,
    /// Configuration → its DHCP associations whose VPC is unknown.
    dhcp_anywhere: HashMap<ConfigId, Vec<usize>>,
}

/// The channel of the VPC at position `vpc` of `model.vpcs`, for a single question; build
/// a [`DnsIndex`] to ask about several VPCs.
pub fn channel(model: &Model, vpc: usize) -> DnsChannel {
    DnsIndex::new(model).channel(model, vpc)
}

impl DnsIndex {
    pub fn new(model: &Model) -> DnsIndex {
        let mut index = DnsIndex::default();
        for (i, a) in model
            .dns_firewall_rule_group_associations
            .iter()
            .enumerate()
        {
            place(
                model,
                a,
                &a.vpc,
                i,
                &mut index.firewall,
                &mut index.firewall_anywhere,
            );
        }
        for (i, a) in model.dhcp_options_associations.iter().enumerate() {
            place(
                model,
                a,
                &a.vpc,
                i,
                &mut index.dhcp,
                &mut index.dhcp_anywhere,
            );
        }
        index
    }

    /// The channel of the VPC at position `vpc` of `model.vpcs`.
    pub fn channel(&self, model: &Model, vpc: usize) -> DnsChannel {
        let v = &model.vpcs[vpc];
        let resolver = match &v.enable_dns_support {
            Value::Unknown { reason, origin, .. } => Resolver::Unknown(Doubt {
                why: format!("cannot tell whether the VPC's Resolver is on: {reason}"),
                origin: origin.clone(),
            }),
            Value::Set {
                value: false,
                origin,
            }
            | Value::Default {
                value: false,
                origin,
            } => Resolver::Off(origin.clone()),
            _ => Resolver::On,
        };
        let firewall = match resolver {
            // With the Resolver off, DNS Firewall has nothing to filter.
            Resolver::Off(ref origin) => {
                let disabled = DnsChannel::Disabled {
                    origin: origin.clone(),
                };
                return self
                    .dhcp_servers(model, vpc)
                    .verdict(disabled, "the VPC's Resolver is off");
            }
            _ => self.firewall(model, vpc),
        };
        match (firewall, resolver) {
            // The Resolver is reachable at 169.254.169.253 whatever DHCP tells instances,
            // so other DNS servers do not close an open Resolver.
            (open @ DnsChannel::Open { .. }, Resolver::On) => open,
            (DnsChannel::Open { .. }, Resolver::Unknown(d)) => d.into(),
            (DnsChannel::Closed { by, origin }, _) => {
                let state = format!("{by} on the Resolver");
                let closed = DnsChannel::Closed { by, origin };
                self.dhcp_servers(model, vpc).verdict(closed, &state)
            }
            (other, _) => other,
        }
    }

    /// The Resolver's verdict under the DNS Firewall rule groups associated with the VPC.
    fn firewall(&self, model: &Model, vpc: usize) -> DnsChannel {
        let v = &model.vpcs[vpc];
        let all = &model.dns_firewall_rule_group_associations;
        let own: Vec<&DnsFirewallRuleGroupAssociation> = self
            .firewall
            .get(&vpc)
            .into_iter()
            .flatten()
            .map(|&i| &all[i])
            .collect();
        let mut walk = Walk::default();
        // An association whose VPC is unknown may be this VPC's, at any priority.
        for &i in self
            .firewall_anywhere
            .get(&v.meta.config)
            .into_iter()
            .flatten()
        {
            let a = &all[i];
            walk.both(Doubt::of(
                &format!("the VPC of rule group association {}", a.meta.address),
                &a.vpc,
            ));
        }
        let ordered = match by_priority(&own) {
            Ok(ordered) => ordered,
            Err(a) => {
                return Doubt::of(
                &format!(
                    "the priority of rule group association {} (the order of the VPC's rule groups)",
                    a.meta.address
                ),
                    &a.priority,
                )
                .into();
            }
        };
        for a in &ordered {
            if let Some(decided) = walk.group(model, a) {
                return decided;
            }
        }
        let why = if own.is_empty() {
            "no DNS Firewall rule group is associated".to_owned()
        } else {
            let names: Vec<&str> = ordered.iter().map(|a| a.meta.address.as_str()).collect();
            format!(
                "no rule of the associated DNS Firewall rule groups ({}) blocks `*` for every query type",
                names.join(", ")
            )
        };
        let origin = ordered.last().map_or(&v.meta.origin, |a| &a.meta.origin);
        walk.open(why, origin.clone())
    }

    /// Which DNS servers the VPC's DHCP options name.
    fn dhcp_servers(&self, model: &Model, vpc: usize) -> Servers {
        let v = &model.vpcs[vpc];
        let all = &model.dhcp_options_associations;
        if let Some(&i) = self
            .dhcp_anywhere
            .get(&v.meta.config)
            .and_then(|l| l.first())
        {
            let a = &all[i];
            return Servers::Unknown(Doubt::of(
                &format!("the VPC of DHCP options association {}", a.meta.address),
                &a.vpc,
            ));
        }
        // Without an association the VPC keeps the region's default option set, which
        // names AmazonProvidedDNS. Several associations: any non-Resolver one decides.
        self.dhcp
            .get(&vpc)
            .into_iter()
            .flatten()
            .map(|&i| servers_of(model, &all[i]))
            .find(|s| !matches!(s, Servers::Resolver))
            .unwrap_or(Servers::Resolver)
    }
}

/// Files association `i` under its VPC, or under "any VPC of its configuration" when the
/// VPC is unknown. A reference that does not resolve names a VPC outside the model.
fn place<R: Resource>(
    model: &Model,
    a: &R,
    vpc: &Value<sagescan_model::Ref<sagescan_model::network::Vpc>>,
    i: usize,
    known: &mut HashMap<usize, Vec<usize>>,
    anywhere: &mut HashMap<ConfigId, Vec<usize>>,
) {
    let config = a.meta().config;
    match vpc.get() {
        Some(r) => {
            if let Some(v) = model.position(config, r) {
                known.entry(v).or_default().push(i);
            }
        }
        None => anywhere.entry(config).or_default().push(i),
    }
}

enum Resolver {
    On,
    Off(Origin),
    Unknown(Doubt),
}

/// A reason a verdict cannot be proven, and where.
#[derive(Clone, Debug)]
struct Doubt {
    why: String,
    origin: Origin,
}

impl Doubt {
    fn new(why: impl Into<String>, origin: &Origin) -> Doubt {
        Doubt {
            why: why.into(),
            origin: origin.clone(),
        }
    }

    /// `what` is unknown, for the reason `value` gives.
    fn of<T>(what: &str, value: &Value<T>) -> Doubt {
        let reason = value.unknown_reason().unwrap_or("no reason given");
        Doubt::new(format!("{what} is unknown ({reason})"), value.origin())
    }
}

impl From<Doubt> for DnsChannel {
    fn from(d: Doubt) -> DnsChannel {
        DnsChannel::Unknown {
            why: d.why,
            origin: d.origin,
        }
    }
}

/// The DNS servers DHCP tells instances to use.
enum Servers {
    /// Only the Route 53 Resolver (`AmazonProvidedDNS`), or none at all.
    Resolver,
    /// Other servers: queries to them are ordinary traffic.
    Custom {
        servers: Vec<String>,
        origin: Origin,
    },
    Unknown(Doubt),
}

impl Servers {
    /// `resolver`, the Resolver's verdict (described as `state`), when DHCP names no other
    /// server; else Unknown, since queries may go elsewhere.
    fn verdict(self, resolver: DnsChannel, state: &str) -> DnsChannel {
        match self {
            Servers::Resolver => resolver,
            Servers::Custom { servers, origin } => DnsChannel::Unknown {
                why: format!(
                    "{state}, but DHCP options send queries to {} as ordinary traffic: \
                     whether that server resolves arbitrary names is not known",
                    servers.join(", ")
                ),
                origin,
            },
            Servers::Unknown(d) => DnsChannel::Unknown {
                why: format!("{state}, but {}", d.why),
                origin: d.origin,
            },
        }
    }
}

fn servers_of(model: &Model, a: &DhcpOptionsAssociation) -> Servers {
    let Some(r) = a.dhcp_options.get() else {
        return Servers::Unknown(Doubt::of(
            &format!(
                "the option set of DHCP options association {}",
                a.meta.address
            ),
            &a.dhcp_options,
        ));
    };
    // `default` is AWS's name for the default option set (EC2 `AssociateDhcpOptions`).
    if r.key == "default" {
        return Servers::Resolver;
    }
    let Some(set) = model.get(a.meta.config, r) else {
        return Servers::Unknown(Doubt::new(
            format!(
                "DHCP option set {} is not in the scanned configuration: its DNS servers are unknown",
                r.key
            ),
            a.dhcp_options.origin(),
        ));
    };
    match set.domain_name_servers.get() {
        None => Servers::Unknown(Doubt::of(
            &format!(
                "the DNS server list of DHCP option set {}",
                set.meta.address
            ),
            &set.domain_name_servers,
        )),
        Some(list) => {
            let other: Vec<String> = list
                .iter()
                .filter(|s| *s != AMAZON_PROVIDED_DNS)
                .cloned()
                .collect();
            if other.is_empty() {
                Servers::Resolver
            } else {
                Servers::Custom {
                    servers: other,
                    origin: set.domain_name_servers.origin().clone(),
                }
            }
        }
    }
}

/// Items in ascending priority (ties in declaration order), or the first item whose unknown
/// priority makes the order unknown. A single item has no order to know.
fn by_priority<'a, T>(items: &[&'a T]) -> Result<Vec<&'a T>, &'a T>
where
    T: Prioritized,
{
    let mut keyed = Vec::with_capacity(items.len());
    for (n, item) in items.iter().enumerate() {
        match item.priority().get() {
            Some(&p) => keyed.push((p, n, *item)),
            None if items.len() == 1 => keyed.push((0, n, *item)),
            None => return Err(item),
        }
    }
    keyed.sort_by_key(|(p, n, _)| (*p, *n));
    Ok(keyed.into_iter().map(|(_, _, item)| item).collect())
}

trait Prioritized {
    fn priority(&self) -> &Value<i64>;
}

impl Prioritized for DnsFirewallRuleGroupAssociation {
    fn priority(&self) -> &Value<i64> {
        &self.priority
    }
}

impl Prioritized for DnsFirewallRule {
    fn priority(&self) -> &Value<i64> {
        &self.priority
    }
}

/// The evaluation walk: rules in DNS Firewall order, with what the rules passed so far
/// leave open. `may_open`: something earlier might resolve arbitrary names (an `ALLOW`
/// whose list is unknown), which spoils a later proof of closure; `may_close`: something
/// earlier might block them all, which spoils a later "open".
#[derive(Default)]
struct Walk {
    may_open: Option<Doubt>,
    may_close: Option<Doubt>,
}

impl Walk {
    fn both(&mut self, d: Doubt) {
        self.may_open.get_or_insert_with(|| d.clone());
        self.may_close.get_or_insert(d);
    }

    fn open(&self, why: String, origin: Origin) -> DnsChannel {
        match &self.may_close {
            Some(d) => d.clone().into(),
            None => DnsChannel::Open { why, origin },
        }
    }

    fn closed(&self, by: String, origin: Origin) -> DnsChannel {
        match &self.may_open {
            Some(d) => d.clone().into(),
            None => DnsChannel::Closed { by, origin },
        }
    }

    /// Walks the rules of association `a`'s group; `Some` when a rule ends evaluation for
    /// arbitrary names.
    fn group(&mut self, model: &Model, a: &DnsFirewallRuleGroupAssociation) -> Option<DnsChannel> {
        let Some(r) = a.rule_group.get() else {
            self.both(Doubt::of(
                &format!("the rule group of association {}", a.meta.address),
                &a.rule_group,
            ));
            return None;
        };
        let Some(g) = model.get::<DnsFirewallRuleGroup>(a.meta.config, r) else {
            self.both(Doubt::new(
                format!(
                    "DNS Firewall rule group {} is not in the scanned configuration: its rules are unknown",
                    r.key
                ),
                a.rule_group.origin(),
            ));
            return None;
        };
        if !g.rules_complete {
            self.both(Doubt::new(
                format!(
                    "rule group {} may have rules that were not read",
                    g.meta.address
                ),
                &g.meta.origin,
            ));
        }
        let rules: Vec<&DnsFirewallRule> = g.rules.iter().collect();
        let ordered = match by_priority(&rules) {
            Ok(ordered) => ordered,
            Err(rule) => {
                self.both(Doubt::of(
                    &format!("the priority of a rule of rule group {}", g.meta.address),
                    &rule.priority,
                ));
                return None;
            }
        };
        ordered
            .into_iter()
            .find_map(|rule| self.rule(model, g, rule))
    }

    fn rule(
        &mut self,
        model: &Model,
        g: &DnsFirewallRuleGroup,
        rule: &DnsFirewallRule,
    ) -> Option<DnsChannel> {
        let name = rule.declared_by.as_deref().map_or_else(
            || {
                let p = rule.priority.get().map_or("?".into(), i64::to_string);
                format!("the rule of priority {p} in rule group {}", g.meta.address)
            },
            |d| format!("rule {d}"),
        );
        let action = match rule.action.get().map(String::as_str) {
            Some(a @ ("ALLOW" | "ALERT" | "BLOCK")) => a,
            Some(other) => {
                self.both(Doubt::new(
                    format!("{name} has action {other:?}, which sagescan does not know"),
                    rule.action.origin(),
                ));
                return None;
            }
            None => {
                self.both(Doubt::of(&format!("the action of {name}"), &rule.action));
                return None;
            }
        };
        let domains = match domains(model, g, rule) {
            Ok(d) => d,
            Err(d) => {
                // An unknown list may hold `*`: after an ALLOW names may resolve, after a
                // BLOCK they may all be blocked.
                if action == "BLOCK" {
                    self.may_close.get_or_insert(d);
                } else {
                    self.may_open.get_or_insert(d);
                }
                return None;
            }
        };
        let origin = rule.origin.clone();
        if action == "BLOCK" {
            if !domains.iter().any(|d| matches_every_name(d)) {
                return None;
            }
            return match rule.qtype.get() {
                Some(None) => Some(self.closed(format!("{name} blocks `*`"), origin)),
                // A query type the rule does not cover (TXT, say) still resolves.
                Some(Some(_)) => None,
                None => {
                    self.may_close.get_or_insert_with(|| {
                        Doubt::of(&format!("the query type of {name}"), &rule.qtype)
                    });
                    None
                }
            };
        }
        // ALLOW and ALERT both end evaluation with the name resolved; any query type is
        // enough to carry data out.
        let wide = domains.iter().find(|d| admits_arbitrary_names(d))?;
        Some(self.open(
            format!("{name} ({action}) matches `{wide}` before any rule blocks `*`"),
            origin,
        ))
    }
}

/// The domain specs of `rule`'s list, or why they cannot be told.
fn domains<'m>(
    model: &'m Model,
    g: &DnsFirewallRuleGroup,
    rule: &DnsFirewallRule,
) -> Result<&'m [String], Doubt> {
    let Some(r) = rule.domain_list.get() else {
        return Err(Doubt::of("a rule's domain list", &rule.domain_list));
    };
    let Some(list) = model.get(g.meta.config, r) else {
        return Err(Doubt::new(
            format!(
                "domain list {} is not in the scanned configuration (an AWS-managed list or one declared elsewhere): its domains are unknown",
                r.key
            ),
            rule.domain_list.origin(),
        ));
    };
    list.domains
        .get()
        .map(Vec::as_slice)
        .ok_or_else(|| Doubt::of(&format!("domain list {}", list.meta.address), &list.domains))
}

/// `*` alone matches every name (DNS Firewall domain specs allow a leading `*` only).
fn matches_every_name(spec: &str) -> bool {
    spec.trim().trim_end_matches('.') == "*"
}

/// Whether allowing `spec` lets anyone resolve names under a domain they can register:
/// `*`, or a whole top-level domain (`*.com`).
fn admits_arbitrary_names(spec: &str) -> bool {
    let s = spec.trim().trim_end_matches('.');
    s == "*"
        || s.strip_prefix("*.")
            .is_some_and(|tld| !tld.is_empty() && !tld.contains('.'))
}

#[cfg(test)]
mod tests {
    use super::*;
    use sagescan_model::dns::*;
    use sagescan_model::network::Vpc;
    use sagescan_model::{FileSpan, Meta, Ref};

    fn at(line: u32) -> Origin {
        Origin::File(FileSpan {
            file: "main.tf".into(),
            start: line,
            end: line + 1,
            line,
            column: 1,
        })
    }

    fn meta(address: &str) -> Meta {
        Meta::new(address, "test", 0, at(1))
    }

    fn set<T>(v: T) -> Value<T> {
        Value::set(v, at(2))
    }

    /// One VPC; `dns_support` as given.
    fn model(dns_support: Value<bool>) -> Model {
        let mut m = Model::default();
        m.add_config("root", "terraform");
        m.vpcs.push(Vpc {
            meta: meta("aws_vpc.main"),
            cidr_block: set("10.0.0.0/16".into()),
            extra_cidr_blocks: Vec::new(),
            enable_dns_support: dns_support,
            enable_dns_hostnames: set(true),
            is_default: set(false),
        });
        m
    }

    fn list(m: &mut Model, address: &str, domains: Value<Vec<String>>) {
        m.dns_firewall_domain_lists.push(DnsFirewallDomainList {
            meta: meta(address),
            domains,
        });
    }

    fn rule(priority: i64, action: &str, list: &str, line: u32) -> DnsFirewallRule {
        DnsFirewallRule {
            priority: set(priority),
            action: set(action.into()),
            domain_list: set(Ref::new(list)),
            qtype: Value::default_value(None, at(line)),
            declared_by: Some(format!("aws_route53_resolver_firewall_rule.r{line}")),
            origin: at(line),
        }
    }

    fn group(m: &mut Model, address: &str, rules: Vec<DnsFirewallRule>) {
        m.dns_firewall_rule_groups.push(DnsFirewallRuleGroup {
            meta: meta(address),
            rules,
            rules_complete: true,
        });
    }

    fn associate(m: &mut Model, address: &str, group: &str, priority: Value<i64>) {
        m.dns_firewall_rule_group_associations
            .push(DnsFirewallRuleGroupAssociation {
                meta: meta(address),
                vpc: set(Ref::new("aws_vpc.main")),
                rule_group: set(Ref::new(group)),
                priority,
            });
    }

    fn strings(items: &[&str]) -> Value<Vec<String>> {
        set(items.iter().map(|s| s.to_string()).collect())
    }

    /// A walled garden: ALLOW a named domain, then BLOCK `*`.
    fn walled_garden() -> Model {
        let mut m = model(Value::default_value(true, at(1)));
        list(&mut m, "allowed", strings(&["api.example.com"]));
        list(&mut m, "all", strings(&["*"]));
        group(
            &mut m,
            "g",
            vec![
                rule(200, "BLOCK", "all", 20),
                rule(100, "ALLOW", "allowed", 10),
            ],
        );
        associate(&mut m, "a", "g", set(101));
        m
    }

    fn verdict(m: &mut Model) -> DnsChannel {
        m.finish();
        channel(m, 0)
    }

    fn why(c: &DnsChannel) -> &str {
        match c {
            DnsChannel::Open { why, .. } | DnsChannel::Unknown { why, .. } => why,
            DnsChannel::Closed { by, .. } => by,
            DnsChannel::Disabled { .. } => "disabled",
        }
    }

    #[test]
    fn no_association_is_open() {
        let c = verdict(&mut model(Value::default_value(true, at(1))));
        assert_eq!(
            c,
            DnsChannel::Open {
                why: "no DNS Firewall rule group is associated".into(),
                origin: at(1)
            }
        );
    }

    #[test]
    fn allow_named_then_block_star_is_closed_whatever_the_declaration_order() {
        let c = verdict(&mut walled_garden());
        assert_eq!(
            c,
            DnsChannel::Closed {
                by: "rule aws_route53_resolver_firewall_rule.r20 blocks `*`".into(),
                origin: at(20)
            }
        );
    }

    #[test]
    fn allow_star_before_block_is_open_and_alert_counts_as_allow() {
        for action in ["ALLOW", "ALERT"] {
            let mut m = walled_garden();
            m.dns_firewall_rule_groups[0]
                .rules
                .push(rule(50, action, "all", 5));
            let c = verdict(&mut m);
            assert!(matches!(c, DnsChannel::Open { .. }), "{c:?}");
            assert_eq!(
                why(&c),
                format!(
                    "rule aws_route53_resolver_firewall_rule.r5 ({action}) matches `*` before any rule blocks `*`"
                )
            );
        }
    }

    #[test]
    fn a_whole_top_level_domain_allowed_is_open() {
        let mut m = walled_garden();
        list(&mut m, "tld", strings(&["*.com"]));
        m.dns_firewall_rule_groups[0]
            .rules
            .push(rule(150, "ALLOW", "tld", 15));
        assert!(matches!(verdict(&mut m), DnsChannel::Open { .. }));
    }

    #[test]
    fn a_lower_priority_group_decides_first() {
        let mut m = walled_garden();
        group(&mut m, "permissive", vec![rule(100, "ALLOW", "all", 30)]);
        associate(&mut m, "b", "permissive", set(100));
        assert!(matches!(verdict(&mut m), DnsChannel::Open { .. }));
        // The same group at a higher priority number never sees a query.
        m.dns_firewall_rule_group_associations[1].priority = set(9000);
        assert!(matches!(verdict(&mut m), DnsChannel::Closed { .. }));
    }

    #[test]
    fn blocks_of_named_domains_or_one_query_type_leave_it_open() {
        let mut m = model(Value::default_value(true, at(1)));
        list(&mut m, "bad", strings(&["evil.example"]));
        list(&mut m, "all", strings(&["*"]));
        let mut txt_only = rule(200, "BLOCK", "all", 20);
        txt_only.qtype = set(Some("TXT".into()));
        group(&mut m, "g", vec![rule(100, "BLOCK", "bad", 10), txt_only]);
        associate(&mut m, "a", "g", set(101));
        let c = verdict(&mut m);
        assert_eq!(
            why(&c),
            "no rule of the associated DNS Firewall rule groups (a) blocks `*` for every query type"
        );
    }

    #[test]
    fn unknowns_that_could_change_the_verdict_are_unknown() {
        // An unknown list before the BLOCK `*` may allow everything.
        let mut m = walled_garden();
        m.dns_firewall_domain_lists[0].domains = Value::unknown("var.allowed has no value", at(7));
        let c = verdict(&mut m);
        assert!(matches!(c, DnsChannel::Unknown { .. }), "{c:?}");
        assert_eq!(
            why(&c),
            "domain list allowed is unknown (var.allowed has no value)"
        );

        // A list that is not in the model (an AWS-managed list) behind a BLOCK: it may hold
        // `*`, so "open" cannot be proven.
        let mut m = model(Value::default_value(true, at(1)));
        group(
            &mut m,
            "g",
            vec![rule(100, "BLOCK", "rslvr-fdl-managed", 10)],
        );
        associate(&mut m, "a", "g", set(101));
        let c = verdict(&mut m);
        assert!(
            why(&c).contains("rslvr-fdl-managed is not in the scanned configuration"),
            "{c:?}"
        );

        // Two associations, one priority unknown: the order cannot be told.
        let mut m = walled_garden();
        associate(
            &mut m,
            "b",
            "g",
            Value::unknown("var.p has no value", at(9)),
        );
        let c = verdict(&mut m);
        assert!(matches!(c, DnsChannel::Unknown { origin, .. } if origin == at(9)));

        // A single association with an unknown priority has no order to tell.
        let mut m = walled_garden();
        m.dns_firewall_rule_group_associations[0].priority =
            Value::unknown("var.p has no value", at(9));
        assert!(matches!(verdict(&mut m), DnsChannel::Closed { .. }));

        // Rules that may not all have been read.
        let mut m = walled_garden();
        m.dns_firewall_rule_groups[0].rules_complete = false;
        assert!(matches!(verdict(&mut m), DnsChannel::Unknown { .. }));

        // An association whose VPC is unknown may close an otherwise open VPC.
        let mut m = model(Value::default_value(true, at(1)));
        associate(&mut m, "a", "g", set(100));
        m.dns_firewall_rule_group_associations[0].vpc =
            Value::unknown("var.vpc has no value", at(4));
        let c = verdict(&mut m);
        assert_eq!(
            why(&c),
            "the VPC of rule group association a is unknown (var.vpc has no value)"
        );
    }

    #[test]
    fn resolver_off_is_disabled_unless_dhcp_names_other_servers() {
        let mut m = model(set(false));
        assert_eq!(verdict(&mut m), DnsChannel::Disabled { origin: at(2) });

        m.vpc_dhcp_options.push(VpcDhcpOptions {
            meta: meta("aws_vpc_dhcp_options.corp"),
            domain_name_servers: strings(&["AmazonProvidedDNS", "10.0.0.53"]),
        });
        m.dhcp_options_associations.push(DhcpOptionsAssociation {
            meta: meta("aws_vpc_dhcp_options_association.a"),
            vpc: set(Ref::new("aws_vpc.main")),
            dhcp_options: set(Ref::new("aws_vpc_dhcp_options.corp")),
        });
        let c = verdict(&mut m);
        assert!(matches!(c, DnsChannel::Unknown { .. }), "{c:?}");
        assert_eq!(
            why(&c),
            "the VPC's Resolver is off, but DHCP options send queries to 10.0.0.53 as ordinary \
             traffic: whether that server resolves arbitrary names is not known"
        );

        // `default` is the default option set: AmazonProvidedDNS.
        m.dhcp_options_associations[0].dhcp_options = set(Ref::new("default"));
        assert!(matches!(verdict(&mut m), DnsChannel::Disabled { .. }));
    }

    #[test]
    fn custom_dhcp_servers_spoil_closed_but_not_open() {
        let mut m = walled_garden();
        m.vpc_dhcp_options.push(VpcDhcpOptions {
            meta: meta("aws_vpc_dhcp_options.corp"),
            domain_name_servers: strings(&["10.0.0.53"]),
        });
        m.dhcp_options_associations.push(DhcpOptionsAssociation {
            meta: meta("aws_vpc_dhcp_options_association.a"),
            vpc: set(Ref::new("aws_vpc.main")),
            dhcp_options: set(Ref::new("aws_vpc_dhcp_options.corp")),
        });
        let c = verdict(&mut m);
        assert!(matches!(c, DnsChannel::Unknown { .. }), "{c:?}");
        assert!(why(&c).starts_with(
            "rule aws_route53_resolver_firewall_rule.r20 blocks `*` on the Resolver, but DHCP"
        ));

        // Open stays open: the Resolver answers at 169.254.169.253 whatever DHCP says.
        m.dns_firewall_rule_group_associations.clear();
        assert!(matches!(verdict(&mut m), DnsChannel::Open { .. }));
    }

    #[test]
    fn unknown_dns_support_is_unknown_unless_the_firewall_closes_the_resolver() {
        let mut m = model(Value::unknown("var.dns has no value", at(3)));
        let c = verdict(&mut m);
        assert!(
            matches!(c, DnsChannel::Unknown { ref origin, .. } if *origin == at(3)),
            "{c:?}"
        );
        let mut m = walled_garden();
        m.vpcs[0].enable_dns_support = Value::unknown("var.dns has no value", at(3));
        assert!(matches!(verdict(&mut m), DnsChannel::Closed { .. }));
    }

    #[test]
    fn domain_specs() {
        assert!(matches_every_name("*"));
        assert!(matches_every_name("*."));
        assert!(!matches_every_name("*.com"));
        assert!(admits_arbitrary_names("*.com"));
        assert!(admits_arbitrary_names("*"));
        assert!(!admits_arbitrary_names("*.example.com"));
        assert!(!admits_arbitrary_names("example.com"));
    }
}
