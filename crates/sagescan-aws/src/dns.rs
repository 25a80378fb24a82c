//! Route 53 Resolver DNS Firewall of one region: which rule groups filter which VPC's
//! queries (associations, with their priorities), the rule groups with their rules, and the
//! domain lists with their domains, mapped into the model.
//!
//! Every list is paginated to the end. Resources are addressed by ARN and aliased by their
//! id, which is how associations and rules name them (`rslvr-frg-…`, `rslvr-fdl-…`).
//! AWS-managed domain lists (`ManagedOwnerName` set) do not expose their domains: they stay
//! out of the model, so a rule naming one has unknown contents, exactly as in the IaC
//! sources. An association being deleted filters nothing and is left out.

use crate::api::{Scope, join_all};
use crate::doc::{Doc, list};
use aws_sdk_route53resolver::types as r53;
use sagescan_model::dns::*;
use sagescan_model::{Meta, Model, Ref, Value};
use std::collections::BTreeMap;

const SERVICE: &str = "route53resolver";

/// Collects everything, appending to `out`. Failed calls are gaps of `scope`.
pub(crate) async fn collect(scope: &Scope, out: &mut Model) {
    let (associations, groups, lists) = tokio::join!(
        scope.list(
            SERVICE,
            "ListFirewallRuleGroupAssociations",
            scope
                .resolver()
                .list_firewall_rule_group_associations()
                .into_paginator()
                .send(),
            |p| p.next_token(),
            |p| p.firewall_rule_group_associations()
        ),
        scope.list(
            SERVICE,
            "ListFirewallRuleGroups",
            scope
                .resolver()
                .list_firewall_rule_groups()
                .into_paginator()
                .send(),
            |p| p.next_token(),
            |p| p.firewall_rule_groups()
        ),
        scope.list(
            SERVICE,
            "ListFirewallDomainLists",
            scope
                .resolver()
                .list_firewall_domain_lists()
                .into_paginator()
                .send(),
            |p| p.next_token(),
            |p| p.firewall_domain_lists()
        ),
    );
    for a in associations.unwrap_or_default() {
        if matches!(
            a.status(),
            Some(r53::FirewallRuleGroupAssociationStatus::Deleting)
        ) {
            continue;
        }
        let association = association(scope, &a, out);
        out.dns_firewall_rule_group_associations.push(association);
    }

    let groups = groups.unwrap_or_default();
    let rules = join_all(groups.iter().map(|g| {
        scope.list(
            SERVICE,
            "ListFirewallRules",
            scope
                .resolver()
                .list_firewall_rules()
                .firewall_rule_group_id(g.id().unwrap_or_default())
                .into_paginator()
                .send(),
            |p| p.next_token(),
            |p| p.firewall_rules(),
        )
    }))
    .await;
    for (g, rules) in groups.iter().zip(rules) {
        let group = rule_group(scope, g, rules, out);
        out.dns_firewall_rule_groups.push(group);
    }

    let lists: Vec<r53::FirewallDomainListMetadata> = lists
        .unwrap_or_default()
        .into_iter()
        .filter(|l| l.managed_owner_name().is_none())
        .collect();
    let domains = join_all(lists.iter().map(|l| {
        scope.list(
            SERVICE,
            "ListFirewallDomains",
            scope
                .resolver()
                .list_firewall_domains()
                .firewall_domain_list_id(l.id().unwrap_or_default())
                .into_paginator()
                .send(),
            |p| p.next_token(),
            |p| p.domains(),
        )
    }))
    .await;
    for (l, domains) in lists.iter().zip(domains) {
        let list = domain_list(scope, l, domains, out);
        out.dns_firewall_domain_lists.push(list);
    }
}

fn doc(scope: &Scope, arn: &str, operation: &str) -> Doc {
    Doc::new(arn, SERVICE, operation, &scope.account, &scope.region)
}

/// Identity of a resolver resource. Its tags are a call per resource
/// (`ListTagsForResource`) that no check needs: default empty, as for IaC without tags.
fn meta(
    scope: &Scope,
    d: &mut Doc,
    arn: &str,
    id: &str,
    name: Option<&str>,
    source_type: &str,
) -> Meta {
    let mut meta = Meta::new(arn, source_type, scope.config, d.header());
    meta.tags = Value::default_value(BTreeMap::new(), d.header());
    meta.aliases.push(id.to_string());
    d.field(0, "Id", id);
    if let Some(name) = name {
        d.field(0, "Name", name);
        meta.aliases.push(name.to_string());
    }
    meta
}

/// A value the API always returns; Unknown (never a guess) if it did not.
fn required<T: std::fmt::Display + Clone>(
    d: &mut Doc,
    indent: usize,
    key: &str,
    v: Option<T>,
) -> Value<T> {
    match v {
        Some(v) => {
            let at = d.field(indent, key, &v);
            Value::set(v, at)
        }
        None => Value::unknown(format!("the API response has no {key}"), d.header()),
    }
}

fn association(
    scope: &Scope,
    a: &r53::FirewallRuleGroupAssociation,
    out: &mut Model,
) -> DnsFirewallRuleGroupAssociation {
    let id = a.id().unwrap_or_default();
    let arn = a
        .arn()
        .map(str::to_string)
        .unwrap_or_else(|| scope.arn(SERVICE, &format!("firewall-rule-group-association/{id}")));
    let mut d = doc(scope, &arn, "ListFirewallRuleGroupAssociations");
    let meta = meta(
        scope,
        &mut d,
        &arn,
        id,
        a.name(),
        "AWS::Route53Resolver::FirewallRuleGroupAssociation",
    );
    let association = DnsFirewallRuleGroupAssociation {
        meta,
        vpc: required(&mut d, 0, "VpcId", a.vpc_id().map(str::to_string)).map(Ref::new),
        rule_group: required(
            &mut d,
            0,
            "FirewallRuleGroupId",
            a.firewall_rule_group_id().map(str::to_string),
        )
        .map(Ref::new),
        priority: required(&mut d, 0, "Priority", a.priority().map(i64::from)),
    };
    out.sources.push(d.finish());
    association
}

/// A rule group and its rules; when the rules could not be listed (a gap already), the
/// group says its rules are incomplete, so no check can prove a rule absent.
fn rule_group(
    scope: &Scope,
    g: &r53::FirewallRuleGroupMetadata,
    rules: Option<Vec<r53::FirewallRule>>,
    out: &mut Model,
) -> DnsFirewallRuleGroup {
    let id = g.id().unwrap_or_default();
    let arn = g
        .arn()
        .map(str::to_string)
        .unwrap_or_else(|| scope.arn(SERVICE, &format!("firewall-rule-group/{id}")));
    let mut d = doc(scope, &arn, "ListFirewallRules");
    let meta = meta(
        scope,
        &mut d,
        &arn,
        id,
        g.name(),
        "AWS::Route53Resolver::FirewallRuleGroup",
    );
    let rules_complete = rules.is_some();
    let rules = rules.unwrap_or_default();
    if !rules.is_empty() {
        d.block(0, "FirewallRules");
    }
    let rules = rules
        .iter()
        .map(|r| {
            let origin = d.item(1, r.name().unwrap_or("(unnamed)"));
            let domain_list = match (
                r.firewall_domain_list_id(),
                r.firewall_threat_protection_id(),
            ) {
                (Some(l), _) => Value::set(Ref::new(l), d.field(2, "FirewallDomainListId", l)),
                (None, Some(t)) => Value::unknown(
                    "the rule uses DNS Firewall Advanced threat protection, not a domain list",
                    d.field(2, "FirewallThreatProtectionId", t),
                ),
                (None, None) => Value::unknown(
                    "the API response has no FirewallDomainListId",
                    origin.clone(),
                ),
            };
            DnsFirewallRule {
                priority: required(&mut d, 2, "Priority", r.priority().map(i64::from)),
                action: required(
                    &mut d,
                    2,
                    "Action",
                    r.action().map(|a| a.as_str().to_string()),
                ),
                domain_list,
                qtype: match r.qtype() {
                    Some(q) => Value::set(Some(q.to_string()), d.field(2, "Qtype", q)),
                    None => Value::default_value(None, origin.clone()),
                },
                declared_by: None,
                origin,
            }
        })
        .collect();
    out.sources.push(d.finish());
    DnsFirewallRuleGroup {
        meta,
        rules,
        rules_complete,
    }
}

fn domain_list(
    scope: &Scope,
    l: &r53::FirewallDomainListMetadata,
    domains: Option<Vec<String>>,
    out: &mut Model,
) -> DnsFirewallDomainList {
    let id = l.id().unwrap_or_default();
    let arn = l
        .arn()
        .map(str::to_string)
        .unwrap_or_else(|| scope.arn(SERVICE, &format!("firewall-domain-list/{id}")));
    let mut d = doc(scope, &arn, "ListFirewallDomains");
    let meta = meta(
        scope,
        &mut d,
        &arn,
        id,
        l.name(),
        "AWS::Route53Resolver::FirewallDomainList",
    );
    let domains = match domains {
        Some(domains) => {
            let at = d.field(0, "Domains", list(&domains));
            Value::set(domains, at)
        }
        None => Value::unknown(
            "route53resolver:ListFirewallDomains could not be read",
            d.header(),
        ),
    };
    out.sources.push(d.finish());
    DnsFirewallDomainList { meta, domains }
}
