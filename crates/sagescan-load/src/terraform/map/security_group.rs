//! Security groups and their rules: inline `ingress` / `egress` blocks and the standalone
//! `aws_security_group_rule`, `aws_vpc_security_group_ingress_rule` and
//! `aws_vpc_security_group_egress_rule` resources, folded into the group they name.
//!
//! The model holds one rule per peer, so a rule listing several CIDRs (or CIDRs plus
//! `self`) is split, each part keeping the rule's origin. An inline rule list that cannot be
//! enumerated becomes one rule whose every member is Unknown, so that no check can read
//! "no such rule" into it. A group without `egress` has no egress rule: the provider
//! deletes the allow-all rule AWS creates with a new group.

use super::super::ir::{Body, Instance};
use super::attr::{self, Absent, Unknowable, int, opt_string, protocol, strings};
use super::{Parents, Target, meta, target};
use sagescan_model::network::*;
use sagescan_model::{Model, Origin, Ref, Value};

/// `aws_security_group` / `aws_default_security_group`.
pub(super) fn security_group(inst: &Instance) -> SecurityGroup {
    let b = &inst.body;
    let is_default = inst.rtype == "aws_default_security_group";
    let name = if is_default {
        Value::default_value(Some("default".to_string()), b.origin.clone())
    } else if attr::present(b, "name").is_none() && attr::present(b, "name_prefix").is_some() {
        opt_string(b, "name_prefix")
    } else {
        opt_string(b, "name")
    };
    let mut rules = Vec::new();
    for (block, direction) in [
        ("ingress", Direction::Ingress),
        ("egress", Direction::Egress),
    ] {
        match attr::blocks(b, block) {
            Ok(blocks) => {
                for r in &blocks {
                    rules.extend(split(r, direction, Shape::Inline, None, r.origin.clone()));
                }
            }
            Err(u) => rules.push(unknown_rule(direction, &u)),
        }
    }
    SecurityGroup {
        meta: meta(inst, false),
        vpc: attr::opt_reference(b, "vpc_id"),
        name,
        is_default,
        rules,
        rules_complete: true,
    }
}

/// Folds a standalone rule resource into its group.
pub(super) fn fold_rule(m: &mut Model, parents: &Parents, inst: &Instance) {
    let b = &inst.body;
    let parsed = match inst.rtype.as_str() {
        "aws_vpc_security_group_ingress_rule" => Ok((Direction::Ingress, Shape::Vpc)),
        "aws_vpc_security_group_egress_rule" => Ok((Direction::Egress, Shape::Vpc)),
        _ => attr::value(b, "type", Absent::Required, |v| {
            match attr::as_string(v)?.as_str() {
                "ingress" => Some(Direction::Ingress),
                "egress" => Some(Direction::Egress),
                _ => None,
            }
        })
        .get()
        .map(|d| (*d, Shape::Rule))
        .ok_or(()),
    };
    let groups = match target(&parents.security_groups, inst, "security_group_id") {
        Target::Found(i) => i..i + 1,
        Target::Elsewhere => return,
        Target::Unknown(_) => {
            // The rule may belong to any group here: none can prove a rule is absent.
            for sg in &mut m.security_groups[parents.starts.security_groups..] {
                sg.rules_complete = false;
            }
            return;
        }
    };
    for sg in &mut m.security_groups[groups] {
        match parsed {
            Ok((direction, shape)) => sg.rules.extend(split(
                b,
                direction,
                shape,
                Some(&inst.address),
                inst.origin.clone(),
            )),
            // Without a known direction the rule cannot be placed; the group is incomplete.
            Err(()) => sg.rules_complete = false,
        }
    }
}

/// Which resource's attribute names a rule body uses.
#[derive(Clone, Copy, PartialEq)]
enum Shape {
    /// An inline `ingress` / `egress` block.
    Inline,
    /// `aws_security_group_rule`.
    Rule,
    /// `aws_vpc_security_group_{ingress,egress}_rule`: one peer, optional ports.
    Vpc,
}

/// One model rule per peer of the rule body `b`.
fn split(
    b: &Body,
    direction: Direction,
    shape: Shape,
    declared_by: Option<&str>,
    origin: Origin,
) -> Vec<SgRule> {
    let protocol = protocol(
        b,
        if shape == Shape::Vpc {
            "ip_protocol"
        } else {
            "protocol"
        },
    );
    let (from_port, to_port) = if shape == Shape::Vpc {
        // Ports are optional here; their absent meaning depends on the protocol.
        attr::optional_ports(b, &protocol)
    } else {
        (
            int(b, "from_port", Absent::Required),
            int(b, "to_port", Absent::Required),
        )
    };
    let description = opt_string(b, "description");
    let mut peers = peers(b, shape);
    if peers.is_empty() {
        peers.push(Value::unknown("the rule names no peer", b.origin.clone()));
    }
    peers
        .into_iter()
        .map(|peer| SgRule {
            direction,
            protocol: protocol.clone(),
            from_port: from_port.clone(),
            to_port: to_port.clone(),
            peer,
            description: description.clone(),
            declared_by: declared_by.map(str::to_owned),
            origin: origin.clone(),
        })
        .collect()
}

fn peers(b: &Body, shape: Shape) -> Vec<Value<SgPeer>> {
    let mut out = Vec::new();
    let (cidr4, cidr6, prefix_lists, groups) = match shape {
        Shape::Inline => (
            "cidr_blocks",
            "ipv6_cidr_blocks",
            "prefix_list_ids",
            "security_groups",
        ),
        Shape::Rule => (
            "cidr_blocks",
            "ipv6_cidr_blocks",
            "prefix_list_ids",
            "source_security_group_id",
        ),
        Shape::Vpc => (
            "cidr_ipv4",
            "cidr_ipv6",
            "prefix_list_id",
            "referenced_security_group_id",
        ),
    };
    if shape == Shape::Vpc {
        // Single-valued attributes: at most one is set.
        let single = [
            attr::value(b, cidr4, Absent::Default(None), |v| {
                attr::as_string(v).map(|c| Some(SgPeer::Ipv4(c)))
            }),
            attr::value(b, cidr6, Absent::Default(None), |v| {
                attr::as_string(v).map(|c| Some(SgPeer::Ipv6(c)))
            }),
            attr::value(b, prefix_lists, Absent::Default(None), |v| {
                attr::as_key(v).map(|k| Some(SgPeer::PrefixList(Ref::new(k))))
            }),
            attr::value(b, groups, Absent::Default(None), |v| {
                attr::as_key(v).map(|k| Some(SgPeer::SecurityGroup(Ref::new(k))))
            }),
        ];
        for v in single {
            match v {
                Value::Set {
                    value: Some(p),
                    origin,
                } => out.push(Value::set(p, origin)),
                Value::Unknown { reason, origin, .. } => out.push(Value::unknown(reason, origin)),
                _ => {}
            }
        }
        return out;
    }
    let lists: [(&str, MakePeer); 3] = [
        (cidr4, SgPeer::Ipv4),
        (cidr6, SgPeer::Ipv6),
        (prefix_lists, |k| SgPeer::PrefixList(Ref::new(k))),
    ];
    for (name, make) in lists {
        spread(&mut out, strings_or_keys(b, name), make);
    }
    let group_refs = if shape == Shape::Inline {
        attr::value(b, groups, Absent::Default(Vec::new()), |v| {
            attr::list_of(v, attr::as_key)
        })
    } else {
        attr::value(b, groups, Absent::Default(Vec::new()), |v| {
            attr::as_key(v).map(|k| vec![k])
        })
    };
    spread(&mut out, group_refs, |k| SgPeer::SecurityGroup(Ref::new(k)));
    match attr::boolean(b, "self", Absent::Default(false)) {
        Value::Set {
            value: true,
            origin,
        } => out.push(Value::set(SgPeer::SelfGroup, origin)),
        Value::Unknown { reason, origin, .. } => out.push(Value::unknown(reason, origin)),
        _ => {}
    }
    out
}

type MakePeer = fn(String) -> SgPeer;

/// A list of CIDRs or of prefix list ids (which may be references).
fn strings_or_keys(b: &Body, name: &str) -> Value<Vec<String>> {
    if name == "prefix_list_ids" {
        attr::value(b, name, Absent::Default(Vec::new()), |v| {
            attr::list_of(v, attr::as_key)
        })
    } else {
        strings(b, name, Absent::Default(Vec::new()))
    }
}

/// One peer per list element, each with the list's origin; an unknown list is one unknown
/// peer.
fn spread(out: &mut Vec<Value<SgPeer>>, list: Value<Vec<String>>, make: MakePeer) {
    match list {
        Value::Set { value, origin } => out.extend(
            value
                .into_iter()
                .map(|k| Value::set(make(k), origin.clone())),
        ),
        Value::Default { .. } => {}
        Value::Unknown { reason, origin, .. } => out.push(Value::unknown(reason, origin)),
    }
}

/// Stands for an inline rule list that cannot be enumerated.
fn unknown_rule(direction: Direction, u: &Unknowable) -> SgRule {
    SgRule {
        direction,
        protocol: u.value(),
        from_port: u.value(),
        to_port: u.value(),
        peer: u.value(),
        description: u.value(),
        declared_by: None,
        origin: u.origin.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::super::super::ir::Val;
    use super::super::test_support::*;
    use super::*;

    fn ingress(line_no: u32) -> B {
        blk(line_no)
            .a("from_port", n(443.0))
            .a("to_port", n(443.0))
            .a("protocol", s("6"))
            .a(
                "cidr_blocks",
                list(vec![s("10.0.0.0/16"), s("10.1.0.0/16")]),
            )
            .a("self", Val::Bool(true))
    }

    fn peers_of(sg: &SecurityGroup) -> Vec<(Direction, Option<SgPeer>)> {
        sg.rules
            .iter()
            .map(|r| (r.direction, r.peer.get().cloned()))
            .collect()
    }

    #[test]
    fn inline_rules_split_per_peer_and_no_egress_means_none() {
        let m = run(vec![
            blk(1)
                .a("name", s("web"))
                .b("ingress", ingress(3))
                .inst("aws_security_group.web"),
        ]);
        let sg = &m.security_groups[0];
        assert_eq!(sg.vpc, Value::default_value(None, at(1)));
        assert_eq!(sg.name.get(), Some(&Some("web".into())));
        assert!(!sg.is_default && sg.rules_complete);
        assert_eq!(
            peers_of(sg),
            [
                (Direction::Ingress, Some(SgPeer::Ipv4("10.0.0.0/16".into()))),
                (Direction::Ingress, Some(SgPeer::Ipv4("10.1.0.0/16".into()))),
                (Direction::Ingress, Some(SgPeer::SelfGroup)),
            ]
        );
        let rule = &sg.rules[0];
        assert_eq!(rule.protocol, Value::set("tcp".to_string(), at(6)));
        assert_eq!(rule.from_port, Value::set(443, at(4)));
        assert_eq!(rule.description, Value::default_value(None, at(3)));
        assert_eq!(rule.origin, at(3));
        assert_eq!(rule.declared_by, None);
    }

    #[test]
    fn unknown_rule_list_is_one_unknown_rule() {
        let m = run(vec![
            blk(1)
                .a("egress", unk("var.egress has no value"))
                .inst("aws_security_group.x"),
        ]);
        let rules = &m.security_groups[0].rules;
        assert_eq!(rules.len(), 1);
        assert_eq!(rules[0].direction, Direction::Egress);
        assert_eq!(
            rules[0].peer,
            Value::unknown("var.egress has no value", at(2))
        );
        assert_eq!(
            rules[0].to_port.unknown_reason(),
            Some("var.egress has no value")
        );
    }

    #[test]
    fn default_security_group() {
        let m = run(vec![
            blk(1)
                .a("vpc_id", r("aws_vpc.main", "id"))
                .b("ingress", ingress(3))
                .inst("aws_default_security_group.d"),
        ]);
        let sg = &m.security_groups[0];
        assert!(sg.is_default);
        assert_eq!(sg.name, Value::default_value(Some("default".into()), at(1)));
        assert_eq!(sg.rules.len(), 3);
    }

    #[test]
    fn standalone_rules_fold_with_declared_by_and_origin() {
        let m = run(vec![
            blk(1).a("name", s("web")).inst("aws_security_group.web"),
            blk(3)
                .a("type", s("egress"))
                .a("security_group_id", r("aws_security_group.web", "id"))
                .a("from_port", n(0.0))
                .a("to_port", n(0.0))
                .a("protocol", s("all"))
                .a("cidr_blocks", list(vec![s("0.0.0.0/0")]))
                .a("source_security_group_id", Val::Null)
                .inst("aws_security_group_rule.all_out"),
            blk(12)
                .a("security_group_id", r("aws_security_group.web", "id"))
                .a("ip_protocol", s("-1"))
                .a("cidr_ipv6", s("::/0"))
                .a("description", s("anything"))
                .inst("aws_vpc_security_group_ingress_rule.v6"),
            blk(20)
                .a("security_group_id", r("aws_security_group.web", "id"))
                .a("ip_protocol", s("tcp"))
                .a(
                    "referenced_security_group_id",
                    r("aws_security_group.lb", "id"),
                )
                .inst("aws_vpc_security_group_ingress_rule.lb"),
            blk(25)
                .a("type", s("ingress"))
                .a("security_group_id", s("sg-0external"))
                .inst("aws_security_group_rule.elsewhere"),
        ]);
        let sg = &m.security_groups[0];
        assert!(sg.rules_complete);
        assert_eq!(sg.rules.len(), 3);
        let out = &sg.rules[0];
        assert_eq!(
            (out.direction, out.protocol.get().unwrap().as_str()),
            (Direction::Egress, "-1")
        );
        assert_eq!(
            out.declared_by.as_deref(),
            Some("aws_security_group_rule.all_out")
        );
        assert_eq!(out.origin, at(3));
        assert_eq!(
            out.peer,
            Value::set(SgPeer::Ipv4("0.0.0.0/0".into()), at(9))
        );
        let v6 = &sg.rules[1];
        assert_eq!(v6.direction, Direction::Ingress);
        assert_eq!(v6.peer.get(), Some(&SgPeer::Ipv6("::/0".into())));
        assert_eq!(v6.from_port, Value::default_value(0, at(12)));
        assert_eq!(v6.to_port, Value::default_value(65535, at(12)));
        assert_eq!(v6.description.get(), Some(&Some("anything".into())));
        let lb = &sg.rules[2];
        assert_eq!(
            lb.peer.get(),
            Some(&SgPeer::SecurityGroup(Ref::new("aws_security_group.lb")))
        );
        assert_eq!(lb.from_port, Value::unknown("from_port is not set", at(20)));
    }

    #[test]
    fn rule_with_unknown_group_makes_every_group_incomplete() {
        let m = run(vec![
            blk(1).inst("aws_security_group.a"),
            blk(2).inst("aws_security_group.b"),
            blk(3)
                .a("security_group_id", unk("var.sg has no value"))
                .a("ip_protocol", s("-1"))
                .a("cidr_ipv4", s("0.0.0.0/0"))
                .inst("aws_vpc_security_group_egress_rule.x"),
        ]);
        assert!(
            m.security_groups
                .iter()
                .all(|sg| !sg.rules_complete && sg.rules.is_empty())
        );
    }
}
