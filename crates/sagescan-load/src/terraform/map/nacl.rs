//! Network ACLs: `aws_network_acl` / `aws_default_network_acl` with their inline entries,
//! standalone `aws_network_acl_rule` entries folded into the ACL they name, and
//! `aws_network_acl_association`.

use super::super::ir::{Body, Instance, Val};
use super::attr::{self, Absent, int, protocol, reference};
use super::route::vpc_of_default;
use super::{Parents, Scope, Target, meta, target};
use sagescan_model::network::*;
use sagescan_model::{Model, Origin, Value};

/// `aws_network_acl` / `aws_default_network_acl`.
pub(super) fn network_acl(inst: &Instance, scope: &Scope) -> NetworkAcl {
    let b = &inst.body;
    let is_default = inst.rtype == "aws_default_network_acl";
    let vpc = if is_default {
        // Named by `aws_vpc.x.default_network_acl_id`, which tells its VPC.
        match attr::present(b, "default_network_acl_id") {
            None => Value::unknown("default_network_acl_id is not set", b.origin.clone()),
            Some(a) => vpc_of_default("default_network_acl_id", a, scope),
        }
    } else {
        reference(b, "vpc_id", Absent::Required)
    };
    let mut entries = Vec::new();
    let mut entries_complete = true;
    for (name, egress) in [("ingress", false), ("egress", true)] {
        match attr::blocks(b, name) {
            Ok(blocks) => entries.extend(
                blocks
                    .iter()
                    .map(|e| entry(e, egress, None, e.origin.clone())),
            ),
            // `ingress = var.rules` with an unknown value: entries cannot be listed.
            Err(_) => entries_complete = false,
        }
    }
    NetworkAcl {
        meta: meta(inst, false),
        vpc,
        is_default,
        subnets: attr::references(b, "subnet_ids"),
        entries,
        entries_complete,
    }
}

/// An inline entry (`rule_no`, `action`, required ports) or an `aws_network_acl_rule`
/// (`rule_number`, `rule_action`, optional ports), told apart by `declared_by`.
fn entry(b: &Body, egress: bool, declared_by: Option<&str>, origin: Origin) -> NaclEntry {
    let standalone = declared_by.is_some();
    let protocol = protocol(b, "protocol");
    let (from_port, to_port) = if standalone {
        attr::optional_ports(b, &protocol)
    } else {
        (
            int(b, "from_port", Absent::Required),
            int(b, "to_port", Absent::Required),
        )
    };
    let action = if standalone { "rule_action" } else { "action" };
    let cidr_block =
        match attr::present(b, "cidr_block").filter(|a| a.value != Val::String(String::new())) {
            Some(a) => attr::from_attr("cidr_block", a, attr::as_string),
            None => attr::string(
                b,
                "ipv6_cidr_block",
                Absent::Unknown("the entry has no cidr_block or ipv6_cidr_block"),
            ),
        };
    NaclEntry {
        egress,
        rule_number: int(
            b,
            if standalone { "rule_number" } else { "rule_no" },
            Absent::Required,
        ),
        protocol,
        allow: attr::value(b, action, Absent::Required, |v| {
            match attr::as_string(v)?.to_ascii_lowercase().as_str() {
                "allow" => Some(true),
                "deny" => Some(false),
                _ => None,
            }
        }),
        cidr_block,
        from_port,
        to_port,
        declared_by: declared_by.map(str::to_owned),
        origin,
    }
}

/// `aws_network_acl_rule`: folded into the ACL its `network_acl_id` names; a default ACL
/// may be named through its VPC (`aws_vpc.x.default_network_acl_id`).
pub(super) fn fold_rule(m: &mut Model, parents: &Parents, inst: &Instance) {
    let b = &inst.body;
    let found = match attr::present(b, "network_acl_id").map(|a| &a.value) {
        Some(Val::Ref { address, attribute }) if attribute == "default_network_acl_id" => {
            match parents.default_nacls.get(address) {
                Some(&i) => Target::Found(i),
                None => Target::Unknown(attr::Unknowable {
                    reason: format!(
                        "{}: the VPC's default network ACL is not declared",
                        inst.address
                    ),
                    origin: inst.origin.clone(),
                }),
            }
        }
        _ => target(&parents.network_acls, inst, "network_acl_id"),
    };
    match found {
        Target::Found(i) => {
            let egress = attr::boolean(b, "egress", Absent::Default(false));
            match egress.get() {
                Some(&egress) => {
                    let e = entry(b, egress, Some(&inst.address), inst.origin.clone());
                    m.network_acls[i].entries.push(e);
                }
                // Unknown direction: the entry cannot be placed, so the ACL is incomplete.
                None => m.network_acls[i].entries_complete = false,
            }
        }
        Target::Elsewhere => {}
        Target::Unknown(_) => {
            for acl in &mut m.network_acls[parents.starts.network_acls..] {
                acl.entries_complete = false;
            }
        }
    }
}

/// `aws_network_acl_association`.
pub(super) fn association(inst: &Instance) -> NaclAssociation {
    let b = &inst.body;
    NaclAssociation {
        meta: meta(inst, false),
        network_acl: reference(b, "network_acl_id", Absent::Required),
        subnet: reference(b, "subnet_id", Absent::Required),
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::*;
    use super::*;
    use sagescan_model::Ref;

    #[test]
    fn inline_and_standalone_entries() {
        let m = run(vec![
            blk(1)
                .a("vpc_id", r("aws_vpc.main", "id"))
                .b(
                    "ingress",
                    blk(3)
                        .a("protocol", s("tcp"))
                        .a("rule_no", n(100.0))
                        .a("action", s("ALLOW"))
                        .a("cidr_block", s("0.0.0.0/0"))
                        .a("from_port", n(22.0))
                        .a("to_port", n(22.0)),
                )
                .inst("aws_network_acl.private"),
            blk(20)
                .a("network_acl_id", r("aws_network_acl.private", "id"))
                .a("rule_number", n(200.0))
                .a("egress", Val::Bool(true))
                .a("protocol", s("-1"))
                .a("rule_action", s("deny"))
                .a("ipv6_cidr_block", s("::/0"))
                .inst("aws_network_acl_rule.deny_v6"),
            blk(30)
                .a(
                    "default_network_acl_id",
                    r("aws_vpc.main", "default_network_acl_id"),
                )
                .inst("aws_default_network_acl.d"),
            blk(33)
                .a(
                    "network_acl_id",
                    r("aws_vpc.main", "default_network_acl_id"),
                )
                .a("rule_number", n(1.0))
                .a("protocol", s("6"))
                .a("rule_action", s("allow"))
                .a("cidr_block", s("10.0.0.0/8"))
                .a("from_port", n(443.0))
                .a("to_port", n(443.0))
                .inst("aws_network_acl_rule.default_https"),
        ]);
        let acl = &m.network_acls[0];
        assert_eq!(acl.subnets, Value::default_value(Vec::new(), at(1)));
        assert!(acl.entries_complete);
        let inline = &acl.entries[0];
        assert!(!inline.egress);
        assert_eq!(inline.allow, Value::set(true, at(6)));
        assert_eq!(inline.rule_number.get(), Some(&100));
        assert_eq!(inline.origin, at(3));
        let standalone = &acl.entries[1];
        assert!(standalone.egress);
        assert_eq!(standalone.allow.get(), Some(&false));
        assert_eq!(
            standalone.cidr_block.get().map(String::as_str),
            Some("::/0")
        );
        assert_eq!(standalone.from_port, Value::default_value(0, at(20)));
        assert_eq!(
            standalone.declared_by.as_deref(),
            Some("aws_network_acl_rule.deny_v6")
        );
        assert_eq!(standalone.origin, at(20));

        let default = &m.network_acls[1];
        assert!(default.is_default);
        assert_eq!(default.vpc.get(), Some(&Ref::new("aws_vpc.main")));
        assert_eq!(default.entries.len(), 1);
        assert_eq!(
            default.entries[0].protocol.get().map(String::as_str),
            Some("tcp")
        );
        assert!(!default.entries[0].egress, "egress defaults to false");
    }

    #[test]
    fn entry_with_unknown_acl_makes_every_acl_incomplete() {
        let m = run(vec![
            blk(1)
                .a("vpc_id", r("aws_vpc.main", "id"))
                .inst("aws_network_acl.a"),
            blk(3)
                .a("network_acl_id", unk("var.acl has no value"))
                .a("rule_number", n(1.0))
                .inst("aws_network_acl_rule.x"),
        ]);
        assert!(!m.network_acls[0].entries_complete);
    }
}
