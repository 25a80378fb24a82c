//! `AWS::NetworkFirewall::*`: firewalls, firewall policies, rule groups and logging
//! configurations. Policies and rule groups are referenced by ARN (`Ref` returns it), so a
//! reference is kept as the referenced logical id; a literal ARN (an AWS-managed group) is
//! a key that does not resolve. Defaults are the Network Firewall API's, as in the
//! Terraform mapper.

use super::read::{Absent, Props, Unknowable, as_int};
use super::{Res, unknown, with_props};
use sagescan_model::Value;
use sagescan_model::network::*;

/// `StatefulEngineOptions.RuleOrder` when absent (Network Firewall API).
const DEFAULT_ACTION_ORDER: &str = "DEFAULT_ACTION_ORDER";

pub(super) fn firewall(r: &Res) -> Firewall {
    with_props(
        r,
        |p| Firewall {
            meta: r.meta(Some("FirewallName")),
            vpc: p.reference("VpcId", Absent::Required),
            policy: p.reference("FirewallPolicyArn", Absent::Required),
            subnets: p.collect("SubnetMappings", Absent::Required, |m| {
                m.reference("SubnetId", Absent::Required)
            }),
            delete_protection: p.boolean("DeleteProtection", Absent::Default(false)),
            subnet_change_protection: p.boolean("SubnetChangeProtection", Absent::Default(false)),
            policy_change_protection: p
                .boolean("FirewallPolicyChangeProtection", Absent::Default(false)),
            kms_key_id: encryption(&p),
        },
        |u| Firewall {
            meta: r.meta(Some("FirewallName")),
            vpc: unknown(u),
            policy: unknown(u),
            subnets: unknown(u),
            delete_protection: unknown(u),
            subnet_change_protection: unknown(u),
            policy_change_protection: unknown(u),
            kms_key_id: unknown(u),
        },
    )
}

/// `EncryptionConfiguration {KeyId, Type}`: a key only with `Type: CUSTOMER_KMS`.
fn encryption(p: &Props) -> Value<Option<String>> {
    let config = match p.object("EncryptionConfiguration") {
        Err(u) => return u.value(),
        Ok(None) => return Value::default_value(None, p.origin.clone()),
        Ok(Some(c)) => c,
    };
    match config.string("Type", Absent::Required) {
        Value::Set { value, .. } if value == "CUSTOMER_KMS" => config.opt_name("KeyId"),
        Value::Set { value, origin } if value == "AWS_OWNED_KMS_KEY" => Value::set(None, origin),
        Value::Set { value, origin } | Value::Default { value, origin } => {
            Value::unknown(format!("Type = {value:?} is not a valid value"), origin)
        }
        Value::Unknown { reason, origin, .. } => Value::unknown(reason, origin),
    }
}

pub(super) fn policy(r: &Res) -> FirewallPolicy {
    let name = Some("FirewallPolicyName");
    let unknown_policy = |u: &Unknowable, kms: Value<Option<String>>| FirewallPolicy {
        meta: r.meta(name),
        stateless_default_actions: u.value(),
        stateless_fragment_default_actions: u.value(),
        stateful_default_actions: u.value(),
        stateful_rule_order: u.value(),
        stateless_rule_groups: u.value(),
        stateful_rule_groups: u.value(),
        kms_key_id: kms,
    };
    let p = match r.props() {
        Ok(p) => p,
        Err(u) => return unknown_policy(&u, u.value()),
    };
    let kms = encryption(&p);
    let fp = match p.object("FirewallPolicy") {
        Ok(Some(fp)) => fp,
        Ok(None) => {
            let u = Unknowable {
                reason: "FirewallPolicy is not set".into(),
                origin: p.origin.clone(),
            };
            return unknown_policy(&u, kms);
        }
        Err(u) => return unknown_policy(&u, kms),
    };
    FirewallPolicy {
        meta: r.meta(name),
        stateless_default_actions: fp.strings("StatelessDefaultActions", Absent::Required),
        stateless_fragment_default_actions: fp
            .strings("StatelessFragmentDefaultActions", Absent::Required),
        // Absent = no default action: unmatched traffic passes (strict order only).
        stateful_default_actions: fp.strings("StatefulDefaultActions", Absent::Default(Vec::new())),
        stateful_rule_order: rule_order(&fp, "StatefulEngineOptions"),
        stateless_rule_groups: group_refs(&fp, "StatelessRuleGroupReferences"),
        stateful_rule_groups: group_refs(&fp, "StatefulRuleGroupReferences"),
        kms_key_id: kms,
    }
}

/// `RuleOrder` of the options object `name`, defaulting when either is absent.
fn rule_order(p: &Props, name: &str) -> Value<String> {
    match p.object(name) {
        Err(u) => u.value(),
        Ok(None) => Value::default_value(DEFAULT_ACTION_ORDER.into(), p.origin.clone()),
        Ok(Some(o)) => o.string("RuleOrder", Absent::Default(DEFAULT_ACTION_ORDER.into())),
    }
}

fn group_refs(p: &Props, name: &str) -> Value<Vec<RuleGroupRef>> {
    p.collect(name, Absent::Default(Vec::new()), |g| {
        let priority = g.value("Priority", Absent::Default(None), |v| as_int(v).map(Some));
        g.reference("ResourceArn", Absent::Required)
            .map(|group| RuleGroupRef {
                group,
                priority: priority.clone(),
                origin: g.origin.clone(),
            })
    })
}

pub(super) fn rule_group(r: &Res) -> RuleGroup {
    let name = Some("RuleGroupName");
    with_props(
        r,
        |p| {
            let (rule_order, source) = match p.object("RuleGroup") {
                Err(u) => (u.value(), u.value()),
                Ok(None) => (
                    Value::default_value(DEFAULT_ACTION_ORDER.into(), p.origin.clone()),
                    Value::unknown("RuleGroup is not set", p.origin.clone()),
                ),
                Ok(Some(g)) => (rule_order(&g, "StatefulRuleOptions"), rules_source(&g)),
            };
            RuleGroup {
                meta: r.meta(name),
                kind: p.string("Type", Absent::Required),
                rule_order,
                source,
                kms_key_id: encryption(&p),
            }
        },
        |u| RuleGroup {
            meta: r.meta(name),
            kind: unknown(u),
            rule_order: unknown(u),
            source: unknown(u),
            kms_key_id: unknown(u),
        },
    )
}

fn rules_source(g: &Props) -> Value<RulesSource> {
    let rs = match g.object("RulesSource") {
        Err(u) => return u.value(),
        Ok(None) => return Value::unknown("RulesSource is not set", g.origin.clone()),
        Ok(Some(rs)) => rs,
    };
    let at = |s: RulesSource| Value::set(s, rs.origin.clone());
    match rs.object("RulesSourceList") {
        Err(u) => return u.value(),
        Ok(Some(list)) => {
            return at(RulesSource::DomainList {
                generated_rules_type: list.string("GeneratedRulesType", Absent::Required),
                target_types: list.strings("TargetTypes", Absent::Required),
                targets: list.strings("Targets", Absent::Required),
            });
        }
        Ok(None) => {}
    }
    if rs.get("RulesString").is_some() {
        return at(RulesSource::RulesString(
            rs.string("RulesString", Absent::Required),
        ));
    }
    if rs.get("StatefulRules").is_some() {
        return match rs.objects("StatefulRules") {
            Err(u) => u.value(),
            Ok(rules) => at(RulesSource::StatefulRules(
                rules.iter().map(stateful_rule).collect(),
            )),
        };
    }
    match rs.object("StatelessRulesAndCustomActions") {
        Err(u) => u.value(),
        Ok(Some(sl)) => match sl.objects("StatelessRules") {
            Err(u) => u.value(),
            Ok(rules) => at(RulesSource::StatelessRules(
                rules.iter().map(stateless_rule).collect(),
            )),
        },
        Ok(None) => Value::unknown("RulesSource has no rules", rs.origin.clone()),
    }
}

fn stateful_rule(r: &Props) -> StatefulRule {
    let header = match r.object("Header") {
        Ok(Some(h)) => Ok(h),
        Ok(None) => Err(Unknowable {
            reason: "Header is not set".into(),
            origin: r.origin.clone(),
        }),
        Err(u) => Err(u),
    };
    let field = |name: &str| match &header {
        Ok(h) => h.string(name, Absent::Required),
        Err(u) => u.value(),
    };
    StatefulRule {
        action: r.string("Action", Absent::Required),
        protocol: field("Protocol"),
        source: field("Source"),
        source_port: field("SourcePort"),
        destination: field("Destination"),
        destination_port: field("DestinationPort"),
        direction: field("Direction"),
        origin: r.origin.clone(),
    }
}

fn stateless_rule(r: &Props) -> StatelessRule {
    let definition = required(r, "RuleDefinition");
    let actions = match &definition {
        Ok(d) => d.strings("Actions", Absent::Required),
        Err(u) => u.value(),
    };
    let matching = definition.and_then(|d| required(&d, "MatchAttributes"));
    // Absent criteria match anything (Network Firewall API, `MatchAttributes`).
    let (protocols, sources, destinations, destination_ports) = match &matching {
        Err(u) => (u.value(), u.value(), u.value(), u.value()),
        Ok(m) => (
            m.value("Protocols", Absent::Default(Vec::new()), |v| {
                super::read::list_of(v, as_int)
            }),
            addresses(m, "Sources"),
            addresses(m, "Destinations"),
            m.collect("DestinationPorts", Absent::Default(Vec::new()), |p| {
                let from = p.int("FromPort", Absent::Required);
                let to = match (p.get("ToPort"), from.get()) {
                    (None, Some(&f)) => Value::default_value(f, p.origin.clone()),
                    _ => p.int("ToPort", Absent::Required),
                };
                match (from, to) {
                    (Value::Unknown { reason, origin, .. }, _)
                    | (_, Value::Unknown { reason, origin, .. }) => Value::unknown(reason, origin),
                    (f, t) => f.map(|f| (f, t.get().copied().unwrap_or(f))),
                }
            }),
        ),
    };
    StatelessRule {
        priority: r.int("Priority", Absent::Required),
        actions,
        protocols,
        sources,
        destinations,
        destination_ports,
        origin: r.origin.clone(),
    }
}

/// The nested object `name`, which Network Firewall requires.
fn required<'a>(p: &Props<'a>, name: &str) -> Result<Props<'a>, Unknowable> {
    match p.object(name) {
        Ok(Some(o)) => Ok(o),
        Ok(None) => Err(Unknowable {
            reason: format!("{name} is not set"),
            origin: p.origin.clone(),
        }),
        Err(u) => Err(u),
    }
}

/// `Sources` / `Destinations`: `AddressDefinition`s; none = any address.
fn addresses(m: &Props, name: &str) -> Value<Vec<String>> {
    m.collect(name, Absent::Default(Vec::new()), |a| {
        a.string("AddressDefinition", Absent::Required)
    })
}

pub(super) fn logging(r: &Res) -> FirewallLogging {
    with_props(
        r,
        |p| FirewallLogging {
            meta: r.meta(None),
            firewall: p.reference("FirewallArn", Absent::Required),
            destinations: match p.object("LoggingConfiguration") {
                Err(u) => u.value(),
                Ok(None) => Value::unknown("LoggingConfiguration is not set", p.origin.clone()),
                Ok(Some(lc)) => lc.collect(
                    "LogDestinationConfigs",
                    Absent::Default(Vec::new()),
                    |d| match (
                        d.string("LogType", Absent::Required),
                        d.string("LogDestinationType", Absent::Required),
                    ) {
                        (Value::Unknown { reason, origin, .. }, _)
                        | (_, Value::Unknown { reason, origin, .. }) => {
                            Value::unknown(reason, origin)
                        }
                        (t, dt) => t.map(|t| (t, dt.get().cloned().unwrap_or_default())),
                    },
                ),
            },
        },
        |u| FirewallLogging {
            meta: r.meta(None),
            firewall: unknown(u),
            destinations: unknown(u),
        },
    )
}
