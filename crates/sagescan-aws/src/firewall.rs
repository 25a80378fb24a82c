//! AWS Network Firewall of one region: firewalls (with their endpoints and logging
//! configuration), firewall policies and rule groups, mapped into the model.
//!
//! Routes send traffic to a firewall through its per-AZ endpoint (`vpce-…`), so each
//! firewall is aliased by the endpoint ids of its sync states: a route's target then
//! resolves to the firewall exactly as the reachability engine expects. Policies reference
//! rule groups by ARN, which is the rule groups' address. Rule groups are those the account
//! owns; AWS-managed groups a policy names stay unresolved (unknown contents), as for IaC.

use crate::api::{Scope, join_all};
use crate::doc::{Doc, list};
use aws_sdk_networkfirewall::types as nfw;
use sagescan_model::network::*;
use sagescan_model::{Meta, Model, Origin, Ref, SourceFile, Value};
use std::collections::BTreeMap;

const SERVICE: &str = "network-firewall";

pub(crate) async fn collect(scope: &Scope, out: &mut Model) {
    let (firewalls, policies, groups) = tokio::join!(
        scope.list(
            SERVICE,
            "ListFirewalls",
            scope.nfw().list_firewalls().into_paginator().send(),
            |p| p.next_token(),
            |p| p.firewalls()
        ),
        scope.list(
            SERVICE,
            "ListFirewallPolicies",
            scope.nfw().list_firewall_policies().into_paginator().send(),
            |p| p.next_token(),
            |p| p.firewall_policies()
        ),
        scope.list(
            SERVICE,
            "ListRuleGroups",
            scope.nfw().list_rule_groups().into_paginator().send(),
            |p| p.next_token(),
            |p| p.rule_groups()
        ),
    );
    let firewall_arns: Vec<String> = firewalls
        .unwrap_or_default()
        .iter()
        .filter_map(|f| f.firewall_arn().map(str::to_string))
        .collect();
    let policy_arns: Vec<String> = policies
        .unwrap_or_default()
        .iter()
        .filter_map(|p| p.arn().map(str::to_string))
        .collect();
    let group_arns: Vec<String> = groups
        .unwrap_or_default()
        .iter()
        .filter_map(|g| g.arn().map(str::to_string))
        .collect();
    let (firewalls, policies, groups) = tokio::join!(
        join_all(firewall_arns.iter().map(|arn| firewall(scope, arn))),
        join_all(policy_arns.iter().map(|arn| policy(scope, arn))),
        join_all(group_arns.iter().map(|arn| rule_group(scope, arn))),
    );
    for (sources, fw, logging) in firewalls.into_iter().flatten() {
        out.sources.extend(sources);
        out.firewalls.push(fw);
        out.firewall_logging.extend(logging);
    }
    for (source, p) in policies.into_iter().flatten() {
        out.sources.push(source);
        out.firewall_policies.push(p);
    }
    for (source, g) in groups.into_iter().flatten() {
        out.sources.push(source);
        out.rule_groups.push(g);
    }
}

fn doc(scope: &Scope, arn: &str, operation: &str) -> Doc {
    Doc::new(arn, SERVICE, operation, &scope.account, &scope.region)
}

fn meta(scope: &Scope, d: &mut Doc, arn: &str, name: &str, ty: &str, tags: &[nfw::Tag]) -> Meta {
    let mut meta = Meta::new(arn, ty, scope.config, d.header());
    meta.aliases.push(name.to_string());
    meta.tags = if tags.is_empty() {
        Value::default_value(BTreeMap::new(), d.header())
    } else {
        let at = d.block(0, "Tags");
        let mut map = BTreeMap::new();
        for t in tags {
            d.field(1, t.key(), t.value());
            map.insert(t.key().to_string(), t.value().to_string());
        }
        Value::set(map, at)
    };
    meta
}

/// `None` = the AWS-owned key.
fn kms_key(d: &mut Doc, e: Option<&nfw::EncryptionConfiguration>) -> Value<Option<String>> {
    match e {
        Some(e) if e.r#type() == &nfw::EncryptionType::CustomerKms => {
            let key = e.key_id().unwrap_or_default();
            Value::set(Some(key.to_string()), d.field(0, "KmsKeyId", key))
        }
        _ => Value::default_value(None, d.header()),
    }
}

type FirewallParts = (Vec<SourceFile>, Firewall, Option<FirewallLogging>);

async fn firewall(scope: &Scope, arn: &str) -> Option<FirewallParts> {
    let o = scope
        .call(
            SERVICE,
            "DescribeFirewall",
            scope.nfw().describe_firewall().firewall_arn(arn).send(),
        )
        .await?;
    let f = o.firewall()?;
    let name = f.firewall_name().unwrap_or_default();
    let mut d = doc(scope, arn, "DescribeFirewall");
    let mut meta = meta(
        scope,
        &mut d,
        arn,
        name,
        "AWS::NetworkFirewall::Firewall",
        f.tags(),
    );
    d.field(0, "FirewallName", name);
    let vpc = Value::set(Ref::new(f.vpc_id()), d.field(0, "VpcId", f.vpc_id()));
    let policy = Value::set(
        Ref::new(f.firewall_policy_arn()),
        d.field(0, "FirewallPolicyArn", f.firewall_policy_arn()),
    );
    let subnet_ids: Vec<String> = f
        .subnet_mappings()
        .iter()
        .map(|m| m.subnet_id().to_string())
        .collect();
    let subnets = Value::set(
        subnet_ids.iter().map(Ref::new).collect(),
        d.field(0, "SubnetMappings", list(&subnet_ids)),
    );
    let mut endpoints: Vec<String> = o
        .firewall_status()
        .and_then(|s| s.sync_states())
        .into_iter()
        .flat_map(|states| states.values())
        .filter_map(|s| s.attachment().and_then(|a| a.endpoint_id()))
        .map(str::to_string)
        .collect();
    endpoints.sort();
    if !endpoints.is_empty() {
        d.field(0, "EndpointIds", list(&endpoints));
    }
    meta.aliases.extend(endpoints);
    let delete_protection = Value::set(
        f.delete_protection(),
        d.field(0, "DeleteProtection", f.delete_protection()),
    );
    let subnet_change_protection = Value::set(
        f.subnet_change_protection(),
        d.field(0, "SubnetChangeProtection", f.subnet_change_protection()),
    );
    let policy_change_protection = Value::set(
        f.firewall_policy_change_protection(),
        d.field(
            0,
            "FirewallPolicyChangeProtection",
            f.firewall_policy_change_protection(),
        ),
    );
    let kms_key_id = kms_key(&mut d, f.encryption_configuration());
    let mut sources = vec![d.finish()];
    let logging = logging(scope, arn).await.map(|(source, l)| {
        sources.push(source);
        l
    });
    Some((
        sources,
        Firewall {
            meta,
            vpc,
            policy,
            subnets,
            delete_protection,
            subnet_change_protection,
            policy_change_protection,
            kms_key_id,
        },
        logging,
    ))
}

/// The firewall's logging configuration; none when it logs nothing, Unknown destinations
/// when it could not be read (so the logging check is inconclusive, not failed).
async fn logging(scope: &Scope, firewall: &str) -> Option<(SourceFile, FirewallLogging)> {
    let address = format!("{firewall}/logging-configuration");
    let mut d = doc(scope, &address, "DescribeLoggingConfiguration");
    let meta = Meta::new(
        address.clone(),
        "AWS::NetworkFirewall::LoggingConfiguration",
        scope.config,
        d.header(),
    );
    let result = scope
        .call(
            SERVICE,
            "DescribeLoggingConfiguration",
            scope
                .nfw()
                .describe_logging_configuration()
                .firewall_arn(firewall)
                .send(),
        )
        .await;
    let fw = Value::set(Ref::new(firewall), d.field(0, "FirewallArn", firewall));
    let destinations = match result {
        None => Value::unknown(
            "network-firewall:DescribeLoggingConfiguration could not be read",
            d.header(),
        ),
        Some(o) => {
            let configs = o
                .logging_configuration()
                .map(|c| c.log_destination_configs())
                .unwrap_or_default();
            if configs.is_empty() {
                return None;
            }
            let at = d.block(0, "LogDestinationConfigs");
            let pairs: Vec<(String, String)> = configs
                .iter()
                .map(|c| {
                    let pair = (
                        c.log_type().as_str().to_string(),
                        c.log_destination_type().as_str().to_string(),
                    );
                    d.item(
                        1,
                        format!("{{LogType: {}, LogDestinationType: {}}}", pair.0, pair.1),
                    );
                    pair
                })
                .collect();
            Value::set(pairs, at)
        }
    };
    Some((
        d.finish(),
        FirewallLogging {
            meta,
            firewall: fw,
            destinations,
        },
    ))
}

fn strings(d: &mut Doc, key: &str, items: &[String]) -> Value<Vec<String>> {
    if items.is_empty() {
        return Value::default_value(Vec::new(), d.header());
    }
    Value::set(items.to_vec(), d.field(0, key, list(items)))
}

async fn policy(scope: &Scope, arn: &str) -> Option<(SourceFile, FirewallPolicy)> {
    let o = scope
        .call(
            SERVICE,
            "DescribeFirewallPolicy",
            scope
                .nfw()
                .describe_firewall_policy()
                .firewall_policy_arn(arn)
                .send(),
        )
        .await?;
    let r = o.firewall_policy_response()?;
    let mut d = doc(scope, arn, "DescribeFirewallPolicy");
    let meta = meta(
        scope,
        &mut d,
        arn,
        r.firewall_policy_name(),
        "AWS::NetworkFirewall::FirewallPolicy",
        r.tags(),
    );
    d.field(0, "FirewallPolicyName", r.firewall_policy_name());
    let kms_key_id = kms_key(&mut d, r.encryption_configuration());
    let Some(p) = o.firewall_policy() else {
        let h = d.header();
        let reason = "the API response has no FirewallPolicy";
        return Some((
            d.finish(),
            FirewallPolicy {
                meta,
                stateless_default_actions: Value::unknown(reason, h.clone()),
                stateless_fragment_default_actions: Value::unknown(reason, h.clone()),
                stateful_default_actions: Value::unknown(reason, h.clone()),
                stateful_rule_order: Value::unknown(reason, h.clone()),
                stateless_rule_groups: Value::unknown(reason, h.clone()),
                stateful_rule_groups: Value::unknown(reason, h),
                kms_key_id,
            },
        ));
    };
    let stateless_default_actions = strings(
        &mut d,
        "StatelessDefaultActions",
        p.stateless_default_actions(),
    );
    let stateless_fragment_default_actions = strings(
        &mut d,
        "StatelessFragmentDefaultActions",
        p.stateless_fragment_default_actions(),
    );
    let stateful_default_actions = strings(
        &mut d,
        "StatefulDefaultActions",
        p.stateful_default_actions(),
    );
    let stateful_rule_order = match p.stateful_engine_options().and_then(|e| e.rule_order()) {
        Some(o) => Value::set(o.as_str().to_string(), d.field(0, "RuleOrder", o.as_str())),
        None => Value::default_value("DEFAULT_ACTION_ORDER".to_string(), d.header()),
    };
    let group_refs = |d: &mut Doc, key: &str, refs: Vec<(&str, Option<i32>)>| {
        if refs.is_empty() {
            return Value::default_value(Vec::new(), d.header());
        }
        let at = d.block(0, key);
        let items = refs
            .into_iter()
            .map(|(arn, priority)| {
                let origin = match priority {
                    Some(p) => d.item(1, format!("{{ResourceArn: {arn}, Priority: {p}}}")),
                    None => d.item(1, format!("{{ResourceArn: {arn}}}")),
                };
                RuleGroupRef {
                    group: Ref::new(arn),
                    priority: match priority {
                        Some(p) => Value::set(Some(i64::from(p)), origin.clone()),
                        None => Value::default_value(None, origin.clone()),
                    },
                    origin,
                }
            })
            .collect();
        Value::set(items, at)
    };
    let stateless_rule_groups = group_refs(
        &mut d,
        "StatelessRuleGroupReferences",
        p.stateless_rule_group_references()
            .iter()
            .map(|r| (r.resource_arn(), Some(r.priority())))
            .collect(),
    );
    let stateful_rule_groups = group_refs(
        &mut d,
        "StatefulRuleGroupReferences",
        p.stateful_rule_group_references()
            .iter()
            .map(|r| (r.resource_arn(), r.priority()))
            .collect(),
    );
    Some((
        d.finish(),
        FirewallPolicy {
            meta,
            stateless_default_actions,
            stateless_fragment_default_actions,
            stateful_default_actions,
            stateful_rule_order,
            stateless_rule_groups,
            stateful_rule_groups,
            kms_key_id,
        },
    ))
}

async fn rule_group(scope: &Scope, arn: &str) -> Option<(SourceFile, RuleGroup)> {
    let o = scope
        .call(
            SERVICE,
            "DescribeRuleGroup",
            scope.nfw().describe_rule_group().rule_group_arn(arn).send(),
        )
        .await?;
    let r = o.rule_group_response()?;
    let mut d = doc(scope, arn, "DescribeRuleGroup");
    let meta = meta(
        scope,
        &mut d,
        arn,
        r.rule_group_name(),
        "AWS::NetworkFirewall::RuleGroup",
        r.tags(),
    );
    d.field(0, "RuleGroupName", r.rule_group_name());
    let kind = match r.r#type() {
        Some(t) => Value::set(t.as_str().to_string(), d.field(0, "Type", t.as_str())),
        None => Value::unknown("the API response has no Type", d.header()),
    };
    let kms_key_id = kms_key(&mut d, r.encryption_configuration());
    let group = o.rule_group();
    let rule_order = match group
        .and_then(|g| g.stateful_rule_options())
        .and_then(|o| o.rule_order())
    {
        Some(o) => Value::set(o.as_str().to_string(), d.field(0, "RuleOrder", o.as_str())),
        None => Value::default_value("DEFAULT_ACTION_ORDER".to_string(), d.header()),
    };
    let source = match group.and_then(|g| g.rules_source()) {
        None => Value::unknown("the API response has no RulesSource", d.header()),
        Some(s) => rules_source(&mut d, s),
    };
    Some((
        d.finish(),
        RuleGroup {
            meta,
            kind,
            rule_order,
            source,
            kms_key_id,
        },
    ))
}

fn rules_source(d: &mut Doc, s: &nfw::RulesSource) -> Value<RulesSource> {
    let at = d.block(0, "RulesSource");
    let source = if let Some(text) = s.rules_string() {
        RulesSource::RulesString(Value::set(
            text.to_string(),
            d.field(1, "RulesString", text),
        ))
    } else if let Some(l) = s.rules_source_list() {
        let types: Vec<String> = l
            .target_types()
            .iter()
            .map(|t| t.as_str().to_string())
            .collect();
        d.block(1, "RulesSourceList");
        RulesSource::DomainList {
            generated_rules_type: Value::set(
                l.generated_rules_type().as_str().to_string(),
                d.field(2, "GeneratedRulesType", l.generated_rules_type().as_str()),
            ),
            target_types: Value::set(types.clone(), d.field(2, "TargetTypes", list(&types))),
            targets: Value::set(
                l.targets().to_vec(),
                d.field(2, "Targets", list(l.targets())),
            ),
        }
    } else if let Some(sl) = s.stateless_rules_and_custom_actions() {
        d.block(1, "StatelessRules");
        RulesSource::StatelessRules(
            sl.stateless_rules()
                .iter()
                .map(|r| stateless(d, r))
                .collect(),
        )
    } else {
        d.block(1, "StatefulRules");
        RulesSource::StatefulRules(s.stateful_rules().iter().map(|r| stateful(d, r)).collect())
    };
    Value::set(source, at)
}

fn stateful(d: &mut Doc, r: &nfw::StatefulRule) -> StatefulRule {
    let action = r.action().as_str().to_string();
    let Some(h) = r.header() else {
        let origin = d.item(2, format!("{action} (no header)"));
        let u = || Value::unknown("the rule has no header", origin.clone());
        return StatefulRule {
            action: Value::set(action, origin.clone()),
            protocol: u(),
            source: u(),
            source_port: u(),
            destination: u(),
            destination_port: u(),
            direction: u(),
            origin,
        };
    };
    let origin = d.item(
        2,
        format!(
            "{action} {} {} {} {} {} {}",
            h.protocol().as_str(),
            h.source(),
            h.source_port(),
            h.direction().as_str(),
            h.destination(),
            h.destination_port()
        ),
    );
    let set = |s: &str| Value::set(s.to_string(), origin.clone());
    StatefulRule {
        action: set(&action),
        protocol: set(h.protocol().as_str()),
        source: set(h.source()),
        source_port: set(h.source_port()),
        destination: set(h.destination()),
        destination_port: set(h.destination_port()),
        direction: set(h.direction().as_str()),
        origin,
    }
}

fn stateless(d: &mut Doc, r: &nfw::StatelessRule) -> StatelessRule {
    let def = r.rule_definition();
    let m = def.and_then(|d| d.match_attributes());
    let actions: Vec<String> = def.map(|d| d.actions().to_vec()).unwrap_or_default();
    let addresses = |a: &[nfw::Address]| -> Vec<String> {
        a.iter()
            .map(|x| x.address_definition().to_string())
            .collect()
    };
    let sources = m.map(|m| addresses(m.sources())).unwrap_or_default();
    let destinations = m.map(|m| addresses(m.destinations())).unwrap_or_default();
    let protocols: Vec<i64> = m
        .map(|m| m.protocols().iter().map(|p| i64::from(*p)).collect())
        .unwrap_or_default();
    let ports: Vec<(i64, i64)> = m
        .map(|m| {
            m.destination_ports()
                .iter()
                .map(|p| (i64::from(p.from_port()), i64::from(p.to_port())))
                .collect()
        })
        .unwrap_or_default();
    let origin: Origin = d.item(
        2,
        format!(
            "{{Priority: {}, Actions: {}, Protocols: {}, Sources: {}, Destinations: {}, DestinationPorts: {}}}",
            r.priority(),
            list(&actions),
            list(&protocols),
            list(&sources),
            list(&destinations),
            list(&ports.iter().map(|(a, b)| format!("{a}-{b}")).collect::<Vec<_>>()),
        ),
    );
    let set = |v| Value::set(v, origin.clone());
    StatelessRule {
        priority: Value::set(i64::from(r.priority()), origin.clone()),
        actions: set(actions),
        protocols: Value::set(protocols, origin.clone()),
        sources: Value::set(sources, origin.clone()),
        destinations: Value::set(destinations, origin.clone()),
        destination_ports: Value::set(ports, origin.clone()),
        origin,
    }
}
