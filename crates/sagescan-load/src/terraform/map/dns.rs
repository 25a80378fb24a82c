//! Route 53 Resolver DNS Firewall and DHCP options: rule group associations, rule groups
//! (with the standalone `aws_route53_resolver_firewall_rule` resources folded into the
//! group they name), domain lists, DHCP option sets and their VPC associations.
//!
//! Defaults are AWS's: a rule group association's and a rule's `priority` are required
//! (Route 53 Resolver API, `AssociateFirewallRuleGroup` / `CreateFirewallRule`), a domain
//! list without `domains` is empty, and the region's default DHCP option set names
//! `AmazonProvidedDNS` (VPC user guide, "DHCP option sets").

use super::super::ir::Instance;
use super::attr::{self, Absent, int, opt_string, reference, string, strings};
use super::{Parents, Target, meta, target};
use sagescan_model::dns::*;
use sagescan_model::{Model, Value};

/// `aws_route53_resolver_firewall_rule_group_association`.
pub(super) fn association(inst: &Instance) -> DnsFirewallRuleGroupAssociation {
    let b = &inst.body;
    DnsFirewallRuleGroupAssociation {
        meta: meta(inst, false),
        vpc: reference(b, "vpc_id", Absent::Required),
        rule_group: reference(b, "firewall_rule_group_id", Absent::Required),
        priority: int(b, "priority", Absent::Required),
    }
}

/// `aws_route53_resolver_firewall_rule_group`: its rules are separate resources, folded in
/// by [`fold_rule`].
pub(super) fn rule_group(inst: &Instance) -> DnsFirewallRuleGroup {
    DnsFirewallRuleGroup {
        meta: meta(inst, false),
        rules: Vec::new(),
        rules_complete: true,
    }
}

/// `aws_route53_resolver_firewall_domain_list`.
pub(super) fn domain_list(inst: &Instance) -> DnsFirewallDomainList {
    DnsFirewallDomainList {
        meta: meta(inst, false),
        domains: strings(&inst.body, "domains", Absent::Default(Vec::new())),
    }
}

/// `aws_vpc_dhcp_options` / `aws_default_vpc_dhcp_options`.
pub(super) fn dhcp_options(inst: &Instance) -> VpcDhcpOptions {
    let b = &inst.body;
    let domain_name_servers = if inst.rtype == "aws_default_vpc_dhcp_options" {
        // The default option set cannot be edited and names the Route 53 Resolver; the
        // resource only adopts it.
        Value::default_value(vec![AMAZON_PROVIDED_DNS.to_owned()], b.origin.clone())
    } else {
        // A set without `domain_name_servers` tells instances of no DNS server at all:
        // none other than the Resolver can answer them.
        strings(b, "domain_name_servers", Absent::Default(Vec::new()))
    };
    VpcDhcpOptions {
        meta: meta(inst, false),
        domain_name_servers,
    }
}

/// `aws_vpc_dhcp_options_association`.
pub(super) fn dhcp_association(inst: &Instance) -> DhcpOptionsAssociation {
    let b = &inst.body;
    DhcpOptionsAssociation {
        meta: meta(inst, false),
        vpc: reference(b, "vpc_id", Absent::Required),
        dhcp_options: reference(b, "dhcp_options_id", Absent::Required),
    }
}

/// `aws_route53_resolver_firewall_rule`, folded into the rule group it names. A rule whose
/// group cannot be told may belong to any group of the configuration: none of them can
/// then prove a rule absent.
pub(super) fn fold_rule(m: &mut Model, parents: &Parents, inst: &Instance) {
    let groups = &mut m.dns_firewall_rule_groups;
    match target(
        &parents.dns_firewall_rule_groups,
        inst,
        "firewall_rule_group_id",
    ) {
        Target::Found(i) => groups[i].rules.push(rule(inst)),
        Target::Elsewhere => {}
        Target::Unknown(_) => {
            for g in &mut groups[parents.starts.dns_firewall_rule_groups..] {
                g.rules_complete = false;
            }
        }
    }
}

fn rule(inst: &Instance) -> DnsFirewallRule {
    let b = &inst.body;
    let advanced = ["dns_threat_protection", "firewall_threat_protection_id"]
        .into_iter()
        .find_map(|name| attr::present(b, name).filter(|a| !is_empty_string(&a.value)));
    let domain_list = match (attr::present(b, "firewall_domain_list_id"), advanced) {
        (None, Some(a)) => Value::unknown(
            "the rule uses DNS Firewall Advanced threat protection, not a domain list",
            a.origin.clone(),
        ),
        _ => reference(b, "firewall_domain_list_id", Absent::Required),
    };
    DnsFirewallRule {
        priority: int(b, "priority", Absent::Required),
        action: string(b, "action", Absent::Required),
        domain_list,
        qtype: opt_string(b, "q_type"),
        declared_by: Some(inst.address.clone()),
        origin: inst.origin.clone(),
    }
}

/// Plans print unset optional strings as `""`.
fn is_empty_string(v: &super::super::ir::Val) -> bool {
    matches!(v, super::super::ir::Val::String(s) if s.is_empty())
}

#[cfg(test)]
mod tests {
    use super::super::test_support::*;
    use super::*;

    #[test]
    fn association_rules_fold_into_their_group() {
        let m = run(vec![
            blk(1)
                .a("name", s("walled"))
                .inst("aws_route53_resolver_firewall_rule_group.g"),
            blk(4)
                .a("domains", list(vec![s("*")]))
                .inst("aws_route53_resolver_firewall_domain_list.all"),
            blk(7)
                .a(
                    "firewall_rule_group_id",
                    r("aws_route53_resolver_firewall_rule_group.g", "id"),
                )
                .a(
                    "firewall_domain_list_id",
                    r("aws_route53_resolver_firewall_domain_list.all", "id"),
                )
                .a("priority", n(200.0))
                .a("action", s("BLOCK"))
                .inst("aws_route53_resolver_firewall_rule.block_all"),
            blk(13)
                .a(
                    "firewall_rule_group_id",
                    r("aws_route53_resolver_firewall_rule_group.g", "id"),
                )
                .a("vpc_id", r("aws_vpc.main", "id"))
                .a("priority", n(101.0))
                .inst("aws_route53_resolver_firewall_rule_group_association.a"),
        ]);
        let g = &m.dns_firewall_rule_groups[0];
        assert!(g.rules_complete);
        assert_eq!(g.rules.len(), 1);
        let rule = &g.rules[0];
        assert_eq!(rule.priority, Value::set(200, at(10)));
        assert_eq!(rule.action.get().map(String::as_str), Some("BLOCK"));
        assert_eq!(
            rule.domain_list.get().map(|r| r.key.as_str()),
            Some("aws_route53_resolver_firewall_domain_list.all")
        );
        assert_eq!(rule.qtype, Value::default_value(None, at(7)));
        assert_eq!(
            rule.declared_by.as_deref(),
            Some("aws_route53_resolver_firewall_rule.block_all")
        );
        assert_eq!(
            m.dns_firewall_domain_lists[0].domains.get().unwrap(),
            &["*"]
        );
        let a = &m.dns_firewall_rule_group_associations[0];
        assert_eq!(a.priority, Value::set(101, at(16)));
        assert_eq!(a.vpc.get().map(|r| r.key.as_str()), Some("aws_vpc.main"));
        assert!(m.get(0, a.rule_group.get().unwrap()).is_some());
    }

    #[test]
    fn rule_of_an_unknown_group_makes_every_group_incomplete() {
        let m = run(vec![
            blk(1).inst("aws_route53_resolver_firewall_rule_group.g"),
            blk(3)
                .a("firewall_rule_group_id", unk("var.group has no value"))
                .a("firewall_domain_list_id", s("rslvr-fdl-1"))
                .a("priority", n(100.0))
                .a("action", s("ALLOW"))
                .inst("aws_route53_resolver_firewall_rule.r"),
            // A literal id of a group elsewhere: nothing of ours to extend.
            blk(9)
                .a("firewall_rule_group_id", s("rslvr-frg-0123"))
                .a("priority", n(100.0))
                .a("action", s("ALLOW"))
                .inst("aws_route53_resolver_firewall_rule.other"),
        ]);
        let g = &m.dns_firewall_rule_groups[0];
        assert!(!g.rules_complete);
        assert!(g.rules.is_empty());
    }

    #[test]
    fn missing_priority_list_and_advanced_rules_are_unknown() {
        let m = run(vec![
            blk(1).inst("aws_route53_resolver_firewall_rule_group.g"),
            blk(3)
                .a(
                    "firewall_rule_group_id",
                    r("aws_route53_resolver_firewall_rule_group.g", "id"),
                )
                .a("action", s("BLOCK"))
                .a("dns_threat_protection", s("DNS_TUNNELING"))
                .inst("aws_route53_resolver_firewall_rule.advanced"),
            blk(9)
                .a("vpc_id", r("aws_vpc.main", "id"))
                .a(
                    "firewall_rule_group_id",
                    r("aws_route53_resolver_firewall_rule_group.g", "id"),
                )
                .a("priority", unk("var.priority has no value"))
                .inst("aws_route53_resolver_firewall_rule_group_association.a"),
            blk(14).inst("aws_route53_resolver_firewall_domain_list.empty"),
        ]);
        let rule = &m.dns_firewall_rule_groups[0].rules[0];
        assert_eq!(rule.priority.unknown_reason(), Some("priority is not set"));
        assert_eq!(
            rule.domain_list,
            Value::unknown(
                "the rule uses DNS Firewall Advanced threat protection, not a domain list",
                at(6)
            )
        );
        assert_eq!(
            m.dns_firewall_rule_group_associations[0].priority,
            Value::unknown("var.priority has no value", at(12))
        );
        assert_eq!(
            m.dns_firewall_domain_lists[0].domains,
            Value::default_value(Vec::new(), at(14))
        );
    }

    #[test]
    fn dhcp_options_and_association() {
        let m = run(vec![
            blk(1)
                .a("domain_name_servers", list(vec![s("10.0.0.53")]))
                .inst("aws_vpc_dhcp_options.corp"),
            blk(4).inst("aws_default_vpc_dhcp_options.default"),
            blk(6)
                .a("domain_name", s("corp.example"))
                .inst("aws_vpc_dhcp_options.bare"),
            blk(9)
                .a("vpc_id", r("aws_vpc.main", "id"))
                .a("dhcp_options_id", r("aws_vpc_dhcp_options.corp", "id"))
                .inst("aws_vpc_dhcp_options_association.a"),
        ]);
        let sets = &m.vpc_dhcp_options;
        assert_eq!(
            sets[0].domain_name_servers,
            Value::set(vec!["10.0.0.53".into()], at(2))
        );
        assert_eq!(
            sets[1].domain_name_servers,
            Value::default_value(vec![AMAZON_PROVIDED_DNS.to_string()], at(4))
        );
        assert_eq!(
            sets[2].domain_name_servers,
            Value::default_value(Vec::new(), at(6))
        );
        let a = &m.dhcp_options_associations[0];
        assert_eq!(a.vpc.get().map(|r| r.key.as_str()), Some("aws_vpc.main"));
        assert!(m.get(0, a.dhcp_options.get().unwrap()).is_some());
    }

    /// A plan reuses this mapper; ids known only after apply come back as references through
    /// the plan's `configuration` section, so the rule still lands in its group.
    #[test]
    fn a_plan_folds_rules_and_resolves_ids_known_after_apply() {
        use serde_json::{Value as Json, json};
        // (address, values, attributes known after apply with the resource they reference)
        /// Attribute known only after apply → the resource its expression references.
        type AfterApply = &'static [(&'static str, &'static str)];
        let resources: [(&str, Json, AfterApply); 4] = [
            (
                "aws_route53_resolver_firewall_rule_group.g",
                json!({"name": "g"}),
                &[],
            ),
            (
                "aws_route53_resolver_firewall_domain_list.all",
                json!({"name": "all", "domains": ["*"]}),
                &[],
            ),
            (
                "aws_route53_resolver_firewall_rule.block",
                json!({"action": "BLOCK", "priority": 200, "q_type": null, "dns_threat_protection": ""}),
                &[
                    (
                        "firewall_rule_group_id",
                        "aws_route53_resolver_firewall_rule_group.g",
                    ),
                    (
                        "firewall_domain_list_id",
                        "aws_route53_resolver_firewall_domain_list.all",
                    ),
                ],
            ),
            (
                "aws_route53_resolver_firewall_rule_group_association.a",
                json!({"priority": 101, "vpc_id": "vpc-0123"}),
                &[(
                    "firewall_rule_group_id",
                    "aws_route53_resolver_firewall_rule_group.g",
                )],
            ),
        ];
        let mut planned = Vec::new();
        let mut changes = Vec::new();
        let mut config = Vec::new();
        for (address, values, after_apply) in &resources {
            let (rtype, name) = address.split_once('.').unwrap();
            let head = json!({"address": address, "mode": "managed", "type": rtype, "name": name});
            let mut p = head.clone();
            p["values"] = values.clone();
            planned.push(p);
            let mut c = head.clone();
            let unknown: serde_json::Map<String, Json> = after_apply
                .iter()
                .map(|(k, _)| (k.to_string(), json!(true)))
                .collect();
            c["change"] = json!({"actions": ["create"], "after": values, "after_unknown": unknown});
            changes.push(c);
            let mut e = head;
            let expressions: serde_json::Map<String, Json> = after_apply
                .iter()
                .map(|(k, to)| {
                    (
                        k.to_string(),
                        json!({"references": [format!("{to}.id"), to]}),
                    )
                })
                .collect();
            e["expressions"] = Json::Object(expressions);
            config.push(e);
        }
        let plan = json!({
            "format_version": "1.2",
            "planned_values": {"root_module": {"resources": planned}},
            "resource_changes": changes,
            "configuration": {"root_module": {"resources": config}},
        });
        let mut m = Model::default();
        crate::plan::load_plan(&mut m, "dns.plan.json", &plan.to_string());
        m.finish();
        assert!(m.gaps.is_empty(), "{:?}", m.gaps);
        let g = &m.dns_firewall_rule_groups[0];
        assert!(g.rules_complete);
        assert_eq!(g.rules.len(), 1, "{g:?}");
        let rule = &g.rules[0];
        assert_eq!(rule.priority.get(), Some(&200));
        assert_eq!(rule.qtype.get(), Some(&None));
        let list = m.get(0, rule.domain_list.get().unwrap()).unwrap();
        assert_eq!(list.domains.get().unwrap(), &["*"]);
        let a = &m.dns_firewall_rule_group_associations[0];
        assert_eq!(a.priority.get(), Some(&101));
        assert!(m.get(0, a.rule_group.get().unwrap()).is_some());
    }
}
