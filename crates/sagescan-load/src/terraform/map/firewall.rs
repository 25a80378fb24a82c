//! AWS Network Firewall: firewalls, firewall policies, rule groups and logging
//! configurations. Policies and rule groups are referenced by ARN, which Terraform only
//! knows after apply, so a reference is kept as the referenced address; a literal ARN
//! (e.g. an AWS-managed rule group) stays a key that does not resolve. Encryption is a
//! customer key only when `encryption_configuration.type` says so.

use super::super::ir::{Body, Instance, Val};
use super::attr::{self, Absent, boolean, collect, int, reference, string, strings};
use super::meta;
use sagescan_model::Value;
use sagescan_model::network::*;

/// Rule evaluation order when `rule_order` is absent (Network Firewall API,
/// `StatefulEngineOptions.RuleOrder`).
const DEFAULT_ACTION_ORDER: &str = "DEFAULT_ACTION_ORDER";

/// `aws_networkfirewall_firewall`.
pub(super) fn firewall(inst: &Instance) -> Firewall {
    let b = &inst.body;
    Firewall {
        meta: meta(inst, true),
        vpc: reference(b, "vpc_id", Absent::Required),
        policy: reference(b, "firewall_policy_arn", Absent::Required),
        subnets: collect(b, "subnet_mapping", Absent::Required, |m| {
            reference(m, "subnet_id", Absent::Required)
        }),
        delete_protection: boolean(b, "delete_protection", Absent::Default(false)),
        subnet_change_protection: boolean(b, "subnet_change_protection", Absent::Default(false)),
        policy_change_protection: boolean(
            b,
            "firewall_policy_change_protection",
            Absent::Default(false),
        ),
        kms_key_id: encryption(b),
    }
}

/// `encryption_configuration { key_id, type }`: a key only with `type = "CUSTOMER_KMS"`;
/// `AWS_OWNED_KMS_KEY` or no block at all means the AWS-owned key (`None`).
fn encryption(b: &Body) -> Value<Option<String>> {
    let config = match attr::block(b, "encryption_configuration") {
        Err(u) => return u.value(),
        Ok(None) => return Value::default_value(None, b.origin.clone()),
        Ok(Some(c)) => c,
    };
    match string(&config, "type", Absent::Required) {
        Value::Set { value, .. } if value == "CUSTOMER_KMS" => {
            attr::value(&config, "key_id", Absent::Required, |v| {
                attr::as_name(v).map(Some)
            })
        }
        Value::Set { value, origin } if value == "AWS_OWNED_KMS_KEY" => Value::set(None, origin),
        Value::Set { value, origin } | Value::Default { value, origin } => Value::unknown(
            format!(
                "type = {} is not a valid value",
                attr::render(&Val::String(value))
            ),
            origin,
        ),
        Value::Unknown { reason, origin, .. } => Value::unknown(reason, origin),
    }
}

/// `aws_networkfirewall_firewall_policy`: its `firewall_policy` block.
pub(super) fn policy(inst: &Instance) -> FirewallPolicy {
    let b = &inst.body;
    let kms_key_id = encryption(b);
    let fp = match attr::required_block(b, "firewall_policy") {
        Ok(fp) => fp,
        Err(u) => return unknown_policy(inst, &u, kms_key_id),
    };
    FirewallPolicy {
        meta: meta(inst, true),
        stateless_default_actions: strings(&fp, "stateless_default_actions", Absent::Required),
        stateless_fragment_default_actions: strings(
            &fp,
            "stateless_fragment_default_actions",
            Absent::Required,
        ),
        // Absent = no default action: unmatched traffic passes (strict order only).
        stateful_default_actions: strings(
            &fp,
            "stateful_default_actions",
            Absent::Default(Vec::new()),
        ),
        stateful_rule_order: rule_order(&fp, &["stateful_engine_options"]),
        stateless_rule_groups: group_refs(&fp, "stateless_rule_group_reference"),
        stateful_rule_groups: group_refs(&fp, "stateful_rule_group_reference"),
        kms_key_id,
    }
}

fn unknown_policy(
    inst: &Instance,
    u: &attr::Unknowable,
    kms_key_id: Value<Option<String>>,
) -> FirewallPolicy {
    FirewallPolicy {
        meta: meta(inst, true),
        stateless_default_actions: u.value(),
        stateless_fragment_default_actions: u.value(),
        stateful_default_actions: u.value(),
        stateful_rule_order: u.value(),
        stateless_rule_groups: u.value(),
        stateful_rule_groups: u.value(),
        kms_key_id,
    }
}

/// `rule_order` in the nested block at `path`, defaulting when the block or the attribute
/// is absent.
fn rule_order(b: &Body, path: &[&str]) -> Value<String> {
    match attr::path(b, path) {
        Err(u) => u.value(),
        Ok(None) => Value::default_value(DEFAULT_ACTION_ORDER.into(), b.origin.clone()),
        Ok(Some(options)) => string(
            &options,
            "rule_order",
            Absent::Default(DEFAULT_ACTION_ORDER.into()),
        ),
    }
}

fn group_refs(fp: &Body, name: &str) -> Value<Vec<RuleGroupRef>> {
    collect(fp, name, Absent::Default(Vec::new()), |r| {
        let priority = attr::value(r, "priority", Absent::Default(None), |v| {
            attr::as_int(v).map(Some)
        });
        reference(r, "resource_arn", Absent::Required).map(|group| RuleGroupRef {
            group,
            priority: priority.clone(),
            origin: r.origin.clone(),
        })
    })
}

/// `aws_networkfirewall_rule_group`.
pub(super) fn rule_group(inst: &Instance) -> RuleGroup {
    let b = &inst.body;
    let (rule_order, source) = match attr::block(b, "rule_group") {
        Err(u) => (u.value(), u.value()),
        Ok(group) => {
            let order = match &group {
                Some(g) => rule_order(g, &["stateful_rule_options"]),
                None => Value::default_value(DEFAULT_ACTION_ORDER.into(), b.origin.clone()),
            };
            (order, rules_source(b, group.as_deref()))
        }
    };
    RuleGroup {
        meta: meta(inst, true),
        kind: string(b, "type", Absent::Required),
        rule_order,
        source,
        kms_key_id: encryption(b),
    }
}

/// The rules of a group: `rule_group.rules_source`, or the top-level `rules` (Suricata
/// text) that the provider accepts instead of `rules_source.rules_string`.
fn rules_source(b: &Body, group: Option<&Body>) -> Value<RulesSource> {
    let source = match group.map(|g| attr::block(g, "rules_source")).transpose() {
        Err(u) => return u.value(),
        Ok(source) => source.flatten(),
    };
    let Some(rs) = source else {
        return match attr::present(b, "rules") {
            Some(_) => Value::set(
                RulesSource::RulesString(string(b, "rules", Absent::Required)),
                b.origin.clone(),
            ),
            None => Value::unknown("rule group has no rules_source", b.origin.clone()),
        };
    };
    let at = |s: RulesSource| Value::set(s, rs.origin.clone());
    match attr::block(&rs, "rules_source_list") {
        Err(u) => return u.value(),
        Ok(Some(list)) => {
            return at(RulesSource::DomainList {
                generated_rules_type: string(&list, "generated_rules_type", Absent::Required),
                target_types: strings(&list, "target_types", Absent::Required),
                targets: strings(&list, "targets", Absent::Required),
            });
        }
        Ok(None) => {}
    }
    if attr::present(&rs, "rules_string").is_some() {
        return at(RulesSource::RulesString(string(
            &rs,
            "rules_string",
            Absent::Required,
        )));
    }
    if attr::present(b, "rules").is_some() {
        return at(RulesSource::RulesString(string(
            b,
            "rules",
            Absent::Required,
        )));
    }
    match attr::blocks(&rs, "stateful_rule") {
        Err(u) => return u.value(),
        Ok(rules) if !rules.is_empty() => {
            return at(RulesSource::StatefulRules(
                rules.iter().map(|r| stateful_rule(r)).collect(),
            ));
        }
        Ok(_) => {}
    }
    match attr::block(&rs, "stateless_rules_and_custom_actions") {
        Err(u) => u.value(),
        Ok(Some(sl)) => match attr::blocks(&sl, "stateless_rule") {
            Err(u) => u.value(),
            Ok(rules) => at(RulesSource::StatelessRules(
                rules.iter().map(|r| stateless_rule(r)).collect(),
            )),
        },
        Ok(None) => Value::unknown("rule group has no rules_source", rs.origin.clone()),
    }
}

fn stateful_rule(r: &Body) -> StatefulRule {
    let header = attr::required_block(r, "header");
    let field = |name: &str| match &header {
        Ok(h) => string(h, name, Absent::Required),
        Err(u) => u.value(),
    };
    StatefulRule {
        action: string(r, "action", Absent::Required),
        protocol: field("protocol"),
        source: field("source"),
        source_port: field("source_port"),
        destination: field("destination"),
        destination_port: field("destination_port"),
        direction: field("direction"),
        origin: r.origin.clone(),
    }
}

fn stateless_rule(r: &Body) -> StatelessRule {
    let definition = attr::required_block(r, "rule_definition");
    let matching = definition
        .as_ref()
        .map_err(Clone::clone)
        .and_then(|d| attr::required_block(d, "match_attributes"));
    let actions = match &definition {
        Ok(d) => strings(d, "actions", Absent::Required),
        Err(u) => u.value(),
    };
    // Absent criteria match anything (Network Firewall API, `MatchAttributes`).
    let (protocols, sources, destinations, destination_ports) = match &matching {
        Err(u) => (u.value(), u.value(), u.value(), u.value()),
        Ok(m) => (
            attr::value(m, "protocols", Absent::Default(Vec::new()), |v| {
                attr::list_of(v, attr::as_int)
            }),
            addresses(m, "source"),
            addresses(m, "destination"),
            collect(
                m,
                "destination_port",
                Absent::Default(Vec::new()),
                port_range,
            ),
        ),
    };
    StatelessRule {
        priority: int(r, "priority", Absent::Required),
        actions,
        protocols,
        sources,
        destinations,
        destination_ports,
        origin: r.origin.clone(),
    }
}

/// `source` / `destination` blocks' `address_definition`s; none = any address.
fn addresses(m: &Body, name: &str) -> Value<Vec<String>> {
    collect(m, name, Absent::Default(Vec::new()), |a| {
        string(a, "address_definition", Absent::Required)
    })
}

/// A `destination_port` block; `to_port` absent = the single port `from_port`.
fn port_range(p: &Body) -> Value<(i64, i64)> {
    let from = int(p, "from_port", Absent::Required);
    let to = match (attr::present(p, "to_port"), from.get()) {
        (None, Some(&f)) => Value::default_value(f, p.origin.clone()),
        _ => int(p, "to_port", Absent::Required),
    };
    attr::zip(from, to)
}

/// `aws_networkfirewall_logging_configuration`.
pub(super) fn logging(inst: &Instance) -> FirewallLogging {
    let b = &inst.body;
    let destinations = match attr::required_block(b, "logging_configuration") {
        Err(u) => u.value(),
        Ok(lc) => collect(
            &lc,
            "log_destination_config",
            Absent::Default(Vec::new()),
            |d| {
                attr::zip(
                    string(d, "log_type", Absent::Required),
                    string(d, "log_destination_type", Absent::Required),
                )
            },
        ),
    };
    FirewallLogging {
        meta: meta(inst, false),
        firewall: reference(b, "firewall_arn", Absent::Required),
        destinations,
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::*;
    use super::*;
    use sagescan_model::Ref;

    fn encryption(kind: &str) -> B {
        blk(5)
            .a("type", s(kind))
            .a("key_id", r("aws_kms_key.k", "arn"))
    }

    #[test]
    fn firewall_defaults_and_customer_key_only_with_cmk_type() {
        let m = run(vec![
            blk(1)
                .a("name", s("egress"))
                .a("vpc_id", r("aws_vpc.main", "id"))
                .a(
                    "firewall_policy_arn",
                    r("aws_networkfirewall_firewall_policy.p", "arn"),
                )
                .b(
                    "subnet_mapping",
                    blk(8).a("subnet_id", r("aws_subnet.fw_a", "id")),
                )
                .b(
                    "subnet_mapping",
                    blk(9).a("subnet_id", r("aws_subnet.fw_b", "id")),
                )
                .b("encryption_configuration", encryption("CUSTOMER_KMS"))
                .inst("aws_networkfirewall_firewall.fw"),
            blk(20)
                .b("encryption_configuration", encryption("AWS_OWNED_KMS_KEY"))
                .inst("aws_networkfirewall_firewall.owned"),
            blk(30)
                .b("encryption_configuration", encryption("SOMETHING"))
                .inst("aws_networkfirewall_firewall.bad"),
            blk(40).inst("aws_networkfirewall_firewall.none"),
        ]);
        let fw = &m.firewalls[0];
        assert_eq!(fw.meta.aliases, ["egress"]);
        assert_eq!(
            fw.policy.get(),
            Some(&Ref::new("aws_networkfirewall_firewall_policy.p"))
        );
        assert_eq!(keys(&fw.subnets), ["aws_subnet.fw_a", "aws_subnet.fw_b"]);
        assert_eq!(fw.delete_protection, Value::default_value(false, at(1)));
        assert_eq!(
            fw.subnet_change_protection,
            Value::default_value(false, at(1))
        );
        assert_eq!(
            fw.policy_change_protection,
            Value::default_value(false, at(1))
        );
        assert_eq!(
            fw.kms_key_id,
            Value::set(Some("aws_kms_key.k.arn".into()), at(7))
        );
        assert_eq!(m.firewalls[1].kms_key_id, Value::set(None, at(6)));
        assert_eq!(
            m.firewalls[2].kms_key_id,
            Value::unknown("type = \"SOMETHING\" is not a valid value", at(6))
        );
        let none = &m.firewalls[3];
        assert_eq!(none.kms_key_id, Value::default_value(None, at(40)));
        assert_eq!(
            none.subnets,
            Value::unknown("subnet_mapping is not set", at(40))
        );
    }

    #[test]
    fn policy_defaults_and_group_references() {
        let m = run(vec![
            blk(1)
                .a("name", s("p"))
                .b(
                    "firewall_policy",
                    blk(3)
                        .a(
                            "stateless_default_actions",
                            list(vec![s("aws:forward_to_sfe")]),
                        )
                        .a(
                            "stateless_fragment_default_actions",
                            list(vec![s("aws:forward_to_sfe")]),
                        )
                        .b(
                            "stateful_rule_group_reference",
                            blk(6).a(
                                "resource_arn",
                                r("aws_networkfirewall_rule_group.allow", "arn"),
                            ),
                        ),
                )
                .inst("aws_networkfirewall_firewall_policy.p"),
        ]);
        let p = &m.firewall_policies[0];
        assert_eq!(
            p.stateful_default_actions,
            Value::default_value(Vec::new(), at(3))
        );
        assert_eq!(
            p.stateful_rule_order,
            Value::default_value(DEFAULT_ACTION_ORDER.to_string(), at(3))
        );
        assert_eq!(
            p.stateless_rule_groups,
            Value::default_value(Vec::new(), at(3))
        );
        let groups = p.stateful_rule_groups.get().unwrap();
        assert_eq!(
            groups[0].group,
            Ref::new("aws_networkfirewall_rule_group.allow")
        );
        assert_eq!(groups[0].priority, Value::default_value(None, at(6)));
        assert_eq!(groups[0].origin, at(6));
        assert_eq!(p.kms_key_id, Value::default_value(None, at(1)));
    }

    #[test]
    fn rule_group_sources() {
        let domain_list = blk(4).b(
            "rules_source",
            blk(5).b(
                "rules_source_list",
                blk(6)
                    .a("generated_rules_type", s("ALLOWLIST"))
                    .a("target_types", list(vec![s("TLS_SNI"), s("HTTP_HOST")]))
                    .a("targets", list(vec![s(".pypi.org")])),
            ),
        );
        let stateless = blk(24).b(
            "rules_source",
            blk(25).b(
                "stateless_rules_and_custom_actions",
                blk(26).b(
                    "stateless_rule",
                    blk(27).a("priority", n(1.0)).b(
                        "rule_definition",
                        blk(29).a("actions", list(vec![s("aws:drop")])).b(
                            "match_attributes",
                            blk(31)
                                .a("protocols", list(vec![n(17.0)]))
                                .b("destination_port", blk(33).a("from_port", n(443.0))),
                        ),
                    ),
                ),
            ),
        );
        let m = run(vec![
            blk(1)
                .a("type", s("STATEFUL"))
                .b("rule_group", domain_list)
                .inst("aws_networkfirewall_rule_group.allow"),
            blk(10)
                .a("type", s("STATEFUL"))
                .a("rules", s("drop tls any any -> any any (sid:1;)"))
                .inst("aws_networkfirewall_rule_group.suricata"),
            blk(20)
                .a("type", s("STATELESS"))
                .b("rule_group", stateless)
                .inst("aws_networkfirewall_rule_group.udp"),
            blk(40)
                .a("type", s("STATEFUL"))
                .inst("aws_networkfirewall_rule_group.empty"),
        ]);
        let allow = &m.rule_groups[0];
        assert_eq!(
            allow.rule_order,
            Value::default_value(DEFAULT_ACTION_ORDER.to_string(), at(4))
        );
        match allow.source.get() {
            Some(RulesSource::DomainList {
                generated_rules_type,
                target_types,
                targets,
            }) => {
                assert_eq!(
                    generated_rules_type.get().map(String::as_str),
                    Some("ALLOWLIST")
                );
                assert_eq!(target_types.get().unwrap(), &["TLS_SNI", "HTTP_HOST"]);
                assert_eq!(targets.get().unwrap(), &[".pypi.org"]);
            }
            other => panic!("expected a domain list, got {other:?}"),
        }
        assert!(matches!(
            m.rule_groups[1].source.get(),
            Some(RulesSource::RulesString(text)) if text.get().unwrap().starts_with("drop tls")
        ));
        match m.rule_groups[2].source.get() {
            Some(RulesSource::StatelessRules(rules)) => {
                assert_eq!(rules[0].actions.get().unwrap(), &["aws:drop"]);
                assert_eq!(rules[0].protocols.get().unwrap(), &[17]);
                assert_eq!(rules[0].sources, Value::default_value(Vec::new(), at(31)));
                assert_eq!(rules[0].destination_ports.get().unwrap(), &[(443, 443)]);
                assert_eq!(rules[0].origin, at(27));
            }
            other => panic!("expected stateless rules, got {other:?}"),
        }
        assert_eq!(
            m.rule_groups[3].source,
            Value::unknown("rule group has no rules_source", at(40))
        );
    }

    #[test]
    fn stateful_rules_and_logging() {
        let header = blk(6)
            .a("protocol", s("TLS"))
            .a("source", s("ANY"))
            .a("source_port", s("ANY"))
            .a("destination", s("ANY"))
            .a("destination_port", s("443"))
            .a("direction", s("FORWARD"));
        let m = run(vec![
            blk(1)
                .a("type", s("STATEFUL"))
                .b(
                    "rule_group",
                    blk(2).b(
                        "rules_source",
                        blk(3).b(
                            "stateful_rule",
                            blk(4).a("action", s("PASS")).b("header", header),
                        ),
                    ),
                )
                .inst("aws_networkfirewall_rule_group.pass"),
            blk(20)
                .a("firewall_arn", r("aws_networkfirewall_firewall.fw", "arn"))
                .b(
                    "logging_configuration",
                    blk(22).b(
                        "log_destination_config",
                        blk(23)
                            .a("log_type", s("ALERT"))
                            .a("log_destination_type", s("CloudWatchLogs")),
                    ),
                )
                .inst("aws_networkfirewall_logging_configuration.l"),
        ]);
        match m.rule_groups[0].source.get() {
            Some(RulesSource::StatefulRules(rules)) => {
                assert_eq!(rules[0].action.get().map(String::as_str), Some("PASS"));
                assert_eq!(
                    rules[0].destination_port,
                    Value::set("443".to_string(), at(11))
                );
                assert_eq!(rules[0].origin, at(4));
            }
            other => panic!("expected stateful rules, got {other:?}"),
        }
        let l = &m.firewall_logging[0];
        assert_eq!(
            l.firewall.get(),
            Some(&Ref::new("aws_networkfirewall_firewall.fw"))
        );
        assert_eq!(
            l.destinations.get().unwrap(),
            &[("ALERT".to_string(), "CloudWatchLogs".to_string())]
        );
    }
}
