//! Route tables, their routes (inline `route` blocks and standalone `aws_route`), and route
//! table associations.
//!
//! A route's target is classified by the attribute that names it and, for `gateway_id`
//! (which the provider uses for internet and virtual private gateways alike), by the type
//! of the referenced resource or the prefix of a literal id.

use super::super::ir::{Attr, Body, Instance, Val};
use super::attr::{self, Absent, reference};
use super::{Parents, Scope, Target, meta, target};
use sagescan_model::network::*;
use sagescan_model::{Model, Origin, Ref, Value};

/// `aws_route_table` / `aws_default_route_table`.
pub(super) fn route_table(inst: &Instance, scope: &Scope) -> RouteTable {
    let b = &inst.body;
    let main = inst.rtype == "aws_default_route_table";
    let vpc = if main {
        // The table is named by `aws_vpc.x.default_route_table_id`, which tells its VPC.
        match attr::present(b, "default_route_table_id") {
            None => Value::unknown("default_route_table_id is not set", b.origin.clone()),
            Some(a) => vpc_of_default("default_route_table_id", a, scope),
        }
    } else {
        reference(b, "vpc_id", Absent::Required)
    };
    let (mut routes, routes_complete): (Vec<Route>, bool) = match attr::blocks(b, "route") {
        Ok(blocks) => (
            blocks
                .iter()
                .map(|r| route(r, scope, r.origin.clone()))
                .collect(),
            true,
        ),
        // `route = var.routes` with an unknown value: the table's routes cannot be listed.
        Err(_) => (Vec::new(), false),
    };
    if let Some(a) = attr::present(b, "propagating_vgws") {
        let gateways = match &a.value {
            Val::Null => Vec::new(),
            Val::List(items) => items.iter().map(gateway_name).collect(),
            other => vec![attr::why_not("propagating_vgws", other)],
        };
        routes.extend(gateways.iter().map(|g| propagated(g, &a.origin)));
    }
    RouteTable {
        meta: meta(inst, false),
        vpc,
        is_main: if main {
            Value::set(true, inst.origin.clone())
        } else {
            Value::default_value(false, b.origin.clone())
        },
        routes,
        routes_complete,
    }
}

/// The VPC of a default route table / network ACL from its `default_…_id` attribute,
/// which references the VPC's own attribute (`aws_vpc.main.default_route_table_id`).
pub(super) fn vpc_of_default(name: &str, a: &Attr, scope: &Scope) -> Value<Ref<Vpc>> {
    match &a.value {
        Val::Ref { address, .. }
            if matches!(scope.type_of(address), "aws_vpc" | "aws_default_vpc") =>
        {
            Value::set(Ref::new(address.clone()), a.origin.clone())
        }
        Val::String(id) => Value::unknown(
            format!("{name} = {id:?} names the resource, not its VPC"),
            a.origin.clone(),
        ),
        other => Value::unknown(attr::why_not(name, other), a.origin.clone()),
    }
}

/// One route: an inline `route` block or an `aws_route` body.
fn route(b: &Body, scope: &Scope, origin: Origin) -> Route {
    Route {
        destination: destination(b),
        target: route_target(b, scope),
        origin,
    }
}

/// The attribute `name` unless absent, null or `""`: in attribute syntax
/// (`route = [{ … }]`) every field must be written, and unused ones are given as `""`.
fn given<'a>(b: &'a Body, name: &str) -> Option<&'a Attr> {
    attr::present(b, name).filter(|a| !matches!(&a.value, Val::String(s) if s.is_empty()))
}

fn destination(b: &Body) -> Value<RouteDestination> {
    let cidr = |v: &Val| attr::as_string(v).map(RouteDestination::Cidr);
    let prefix_list = |v: &Val| attr::as_key(v).map(|k| RouteDestination::PrefixList(Ref::new(k)));
    // Inline `route` blocks and `aws_route` spell the destinations differently.
    type Parse<'a> = &'a dyn Fn(&Val) -> Option<RouteDestination>;
    let kinds: [(&str, Parse); 5] = [
        ("cidr_block", &cidr),
        ("ipv6_cidr_block", &cidr),
        ("destination_cidr_block", &cidr),
        ("destination_ipv6_cidr_block", &cidr),
        ("destination_prefix_list_id", &prefix_list),
    ];
    for (name, parse) in kinds {
        if let Some(a) = given(b, name) {
            return attr::from_attr(name, a, parse);
        }
    }
    Value::unknown("the route has no destination", b.origin.clone())
}

fn route_target(b: &Body, scope: &Scope) -> Value<RouteTarget> {
    type Make = fn(String) -> RouteTarget;
    let kinds: [(&str, Make); 10] = [
        ("nat_gateway_id", |k| RouteTarget::NatGateway(Ref::new(k))),
        ("vpc_endpoint_id", RouteTarget::VpcEndpoint),
        ("network_interface_id", RouteTarget::NetworkInterface),
        ("vpc_peering_connection_id", RouteTarget::VpcPeering),
        ("transit_gateway_id", RouteTarget::TransitGateway),
        (
            "egress_only_gateway_id",
            RouteTarget::EgressOnlyInternetGateway,
        ),
        ("carrier_gateway_id", RouteTarget::Other),
        ("local_gateway_id", RouteTarget::Other),
        ("core_network_arn", RouteTarget::Other),
        // `instance_id` was removed in provider v5 but older configurations still use it;
        // AWS routes to the instance's primary network interface.
        ("instance_id", RouteTarget::NetworkInterface),
    ];
    if let Some(a) = given(b, "gateway_id") {
        return attr::from_attr("gateway_id", a, |v| gateway(v, scope));
    }
    for (name, make) in kinds {
        if let Some(a) = given(b, name) {
            // The attribute names the kind of target even when the id is known only after
            // apply (a firewall endpoint's `vpce-…`): keep the kind, so that a route through a
            // firewall is known not to go to an internet gateway or a peering connection.
            if let Val::Unknown(reason) = &a.value {
                return Value::set(make(format!("<unknown: {reason}>")), a.origin.clone());
            }
            return attr::from_attr(name, a, |v| attr::as_key(v).map(make));
        }
    }
    Value::unknown("the route has no target", b.origin.clone())
}

/// `gateway_id`: an internet gateway, a virtual private gateway, or `local`.
fn gateway(v: &Val, scope: &Scope) -> Option<RouteTarget> {
    Some(match v {
        Val::Ref { address, .. } => match scope.type_of(address) {
            "aws_internet_gateway" => RouteTarget::InternetGateway(Ref::new(address.clone())),
            "aws_vpn_gateway" => RouteTarget::VirtualPrivateGateway(address.clone()),
            _ => RouteTarget::Other(address.clone()),
        },
        Val::String(id) if id == "local" => RouteTarget::Local,
        Val::String(id) if id.starts_with("igw-") => {
            RouteTarget::InternetGateway(Ref::new(id.clone()))
        }
        Val::String(id) if id.starts_with("vgw-") => RouteTarget::VirtualPrivateGateway(id.clone()),
        Val::String(id) if !id.is_empty() => RouteTarget::Other(id.clone()),
        _ => return None,
    })
}

/// A route a virtual private gateway propagates into a table (BGP from a VPN or Direct
/// Connect): its prefixes are announced from on-premises, so no configuration holds them
/// — any destination, the internet's default route included, may be among them.
fn propagated(gateway: &str, origin: &Origin) -> Route {
    Route {
        destination: Value::unknown(
            format!(
                "routes propagated by {gateway} (BGP from on-premises; their prefixes are not in the configuration)"
            ),
            origin.clone(),
        ),
        target: Value::set(
            RouteTarget::VirtualPrivateGateway(gateway.to_string()),
            origin.clone(),
        ),
        origin: origin.clone(),
    }
}

fn gateway_name(v: &Val) -> String {
    match v {
        Val::Ref { address, .. } => address.clone(),
        Val::String(s) => s.clone(),
        other => attr::render(other),
    }
}

/// `aws_vpn_gateway_route_propagation`: the gateway's routes are propagated into the table
/// its `route_table_id` names.
pub(super) fn fold_propagation(m: &mut Model, parents: &Parents, inst: &Instance) {
    let gateway = attr::present(&inst.body, "vpn_gateway_id").map_or_else(
        || "a virtual private gateway".to_string(),
        |a| gateway_name(&a.value),
    );
    match target(&parents.route_tables, inst, "route_table_id") {
        Target::Found(i) => m.route_tables[i]
            .routes
            .push(propagated(&gateway, &inst.origin)),
        Target::Elsewhere => {}
        Target::Unknown(_) => {
            for rt in &mut m.route_tables[parents.starts.route_tables..] {
                rt.routes_complete = false;
            }
        }
    }
}

/// `aws_route`: folded into the table its `route_table_id` names. A table named through
/// its VPC (`aws_vpc.x.main_route_table_id`) is that VPC's `aws_default_route_table`.
pub(super) fn fold_route(m: &mut Model, scope: &Scope, parents: &Parents, inst: &Instance) {
    let via_vpc = match attr::present(&inst.body, "route_table_id").map(|a| &a.value) {
        Some(Val::Ref { address, attribute })
            if matches!(
                attribute.as_str(),
                "main_route_table_id" | "default_route_table_id"
            ) =>
        {
            Some(
                parents
                    .main_route_tables
                    .get(address)
                    .copied()
                    .or_else(|| implicit_main_table(m, scope, parents, address, inst)),
            )
        }
        _ => None,
    };
    let found = match via_vpc {
        Some(Some(i)) => Target::Found(i),
        Some(None) => Target::Unknown(attr::Unknowable {
            reason: format!(
                "{}: the VPC's main route table is not declared",
                inst.address
            ),
            origin: inst.origin.clone(),
        }),
        None => target(&parents.route_tables, inst, "route_table_id"),
    };
    match found {
        Target::Found(i) => {
            let r = route(&inst.body, scope, inst.origin.clone());
            m.route_tables[i].routes.push(r);
        }
        // A literal id of a table this configuration does not declare.
        Target::Elsewhere => {}
        // The route may belong to any table here: none can prove a route is absent.
        Target::Unknown(_) => {
            for rt in &mut m.route_tables[parents.starts.route_tables..] {
                rt.routes_complete = false;
            }
        }
    }
}

/// The main route table AWS creates with VPC `vpc` when the configuration adds routes to
/// it (`aws_vpc.x.main_route_table_id`) without declaring it as `aws_default_route_table`:
/// the local route plus the routes folded into it. Subnets without an explicit association
/// use it, so its routes must be seen (AWS: "a subnet not explicitly associated is
/// implicitly associated with the main route table"). Made once per VPC; `None` when
/// `vpc` is not a VPC of this configuration.
fn implicit_main_table(
    m: &mut Model,
    scope: &Scope,
    parents: &Parents,
    vpc: &str,
    inst: &Instance,
) -> Option<usize> {
    if !matches!(scope.type_of(vpc), "aws_vpc" | "aws_default_vpc") {
        return None;
    }
    let start = parents.starts.route_tables;
    // Tables indexed before this pass are in `parents`; a main table of `vpc` found here
    // was made by an earlier route.
    if let Some(i) = m.route_tables[start..].iter().position(|rt| {
        rt.is_main.get() == Some(&true) && rt.vpc.get().is_some_and(|r| r.key == vpc)
    }) {
        return Some(start + i);
    }
    let address = format!("{vpc}.main_route_table_id");
    let mut meta = sagescan_model::Meta::new(
        &address,
        "aws_default_route_table",
        inst.config,
        inst.origin.clone(),
    );
    meta.aliases.push(format!("main route table of {vpc}"));
    m.route_tables.push(RouteTable {
        meta,
        vpc: Value::set(Ref::new(vpc.to_string()), inst.origin.clone()),
        is_main: Value::set(true, inst.origin.clone()),
        routes: Vec::new(),
        routes_complete: true,
    });
    Some(m.route_tables.len() - 1)
}

/// `aws_route_table_association` / `aws_main_route_table_association`.
pub(super) fn association(inst: &Instance) -> RouteTableAssociation {
    let b = &inst.body;
    let target = if inst.rtype == "aws_main_route_table_association" {
        AssociationTarget::MainOf(reference(b, "vpc_id", Absent::Required))
    } else if let Some(a) = given(b, "gateway_id") {
        AssociationTarget::Gateway(attr::from_attr("gateway_id", a, attr::as_key))
    } else {
        AssociationTarget::Subnet(reference(
            b,
            "subnet_id",
            Absent::Unknown("the association has neither subnet_id nor gateway_id"),
        ))
    };
    RouteTableAssociation {
        meta: meta(inst, false),
        route_table: reference(b, "route_table_id", Absent::Required),
        target,
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::*;
    use super::*;

    fn igw_route(line_no: u32) -> B {
        blk(line_no)
            .a("cidr_block", s("0.0.0.0/0"))
            .a("gateway_id", r("aws_internet_gateway.gw", "id"))
    }

    #[test]
    fn inline_routes_are_classified() {
        let m = run(vec![
            blk(1).a("vpc_id", r("aws_vpc.main", "id")).inst("aws_internet_gateway.gw"),
            blk(3)
                .a("vpc_id", r("aws_vpc.main", "id"))
                .b("route", igw_route(5))
                .b("route", blk(8).a("ipv6_cidr_block", s("::/0")).a("egress_only_gateway_id", s("eigw-1")))
                .b("route", blk(11).a("cidr_block", s("10.1.0.0/16")).a("gateway_id", s("vgw-123")))
                .b("route", blk(14).a("destination_prefix_list_id", s("pl-63a5400a")).a("vpc_endpoint_id", unk("aws_networkfirewall_firewall.f.firewall_status is known only after apply")))
                .b("route", blk(17).a("cidr_block", s("10.0.0.0/16")).a("gateway_id", s("local")))
                .inst("aws_route_table.public"),
        ]);
        let rt = &m.route_tables[0];
        assert!(rt.routes_complete);
        assert_eq!(rt.is_main, Value::default_value(false, at(3)));
        let targets: Vec<_> = rt.routes.iter().map(|r| r.target.get().cloned()).collect();
        assert_eq!(
            targets,
            [
                Some(RouteTarget::InternetGateway(Ref::new(
                    "aws_internet_gateway.gw"
                ))),
                Some(RouteTarget::EgressOnlyInternetGateway("eigw-1".into())),
                Some(RouteTarget::VirtualPrivateGateway("vgw-123".into())),
                // A firewall endpoint id known only after apply is still a VPC endpoint.
                Some(RouteTarget::VpcEndpoint(
                    "<unknown: aws_networkfirewall_firewall.f.firewall_status is known only after apply>"
                        .into()
                )),
                Some(RouteTarget::Local),
            ]
        );
        assert_eq!(
            rt.routes[0].destination.get(),
            Some(&RouteDestination::Cidr("0.0.0.0/0".into()))
        );
        assert_eq!(rt.routes[0].origin, at(5));
        assert_eq!(
            rt.routes[3].destination.get(),
            Some(&RouteDestination::PrefixList(Ref::new("pl-63a5400a")))
        );
        // The kind is stated, so the target is Set; the reason survives in its key.
        assert!(rt.routes[3].target.is_set());
    }

    #[test]
    fn standalone_routes_fold_into_their_table() {
        let m = run(vec![
            blk(1)
                .a("vpc_id", r("aws_vpc.main", "id"))
                .inst("aws_route_table.private"),
            blk(3)
                .a(
                    "default_route_table_id",
                    r("aws_vpc.main", "default_route_table_id"),
                )
                .inst("aws_default_route_table.main"),
            blk(6)
                .a("route_table_id", r("aws_route_table.private", "id"))
                .a("destination_cidr_block", s("0.0.0.0/0"))
                .a("nat_gateway_id", r("aws_nat_gateway.nat", "id"))
                .inst("aws_route.private_nat"),
            blk(10)
                .a("route_table_id", r("aws_vpc.main", "main_route_table_id"))
                .a("destination_cidr_block", s("0.0.0.0/0"))
                .a("gateway_id", r("aws_internet_gateway.gw", "id"))
                .inst("aws_route.main_igw"),
            blk(14)
                .a("route_table_id", s("rtb-0external"))
                .a("destination_cidr_block", s("0.0.0.0/0"))
                .a("gateway_id", s("igw-1"))
                .inst("aws_route.elsewhere"),
        ]);
        let private = &m.route_tables[0];
        assert_eq!(private.routes.len(), 1);
        assert_eq!(
            private.routes[0].target.get(),
            Some(&RouteTarget::NatGateway(Ref::new("aws_nat_gateway.nat")))
        );
        assert_eq!(private.routes[0].origin, at(6));
        assert!(private.routes_complete);
        let main = &m.route_tables[1];
        assert_eq!(main.is_main, Value::set(true, at(3)));
        assert_eq!(main.vpc.get().map(|r| r.key.as_str()), Some("aws_vpc.main"));
        assert_eq!(main.routes.len(), 1);
        assert_eq!(main.routes[0].origin, at(10));
    }

    #[test]
    fn routes_on_an_undeclared_main_table_make_it_once() {
        let m = run(vec![
            blk(1)
                .a("cidr_block", s("10.0.0.0/16"))
                .inst("aws_vpc.main"),
            blk(3)
                .a("route_table_id", r("aws_vpc.main", "main_route_table_id"))
                .a("destination_cidr_block", s("0.0.0.0/0"))
                .a("nat_gateway_id", r("aws_nat_gateway.nat", "id"))
                .inst("aws_route.a"),
            blk(7)
                .a(
                    "route_table_id",
                    r("aws_vpc.main", "default_route_table_id"),
                )
                .a("destination_cidr_block", s("192.0.2.0/24"))
                .a("gateway_id", s("local"))
                .inst("aws_route.b"),
        ]);
        assert_eq!(m.route_tables.len(), 1, "{:#?}", m.route_tables);
        let main = &m.route_tables[0];
        assert_eq!(main.meta.address, "aws_vpc.main.main_route_table_id");
        assert_eq!(main.is_main.get(), Some(&true));
        assert_eq!(main.vpc.get().map(|r| r.key.as_str()), Some("aws_vpc.main"));
        assert!(main.routes_complete);
        let origins: Vec<Origin> = main.routes.iter().map(|r| r.origin.clone()).collect();
        assert_eq!(origins, [at(3), at(7)]);
    }

    #[test]
    fn propagating_vgws_add_routes_of_unknown_destination() {
        let m = run(vec![
            blk(1)
                .a("vpc_id", r("aws_vpc.main", "id"))
                .a(
                    "propagating_vgws",
                    list(vec![r("aws_vpn_gateway.vgw", "id"), s("vgw-0abc")]),
                )
                .inst("aws_route_table.a"),
            blk(4)
                .a("vpc_id", r("aws_vpc.main", "id"))
                .a("propagating_vgws", list(vec![]))
                .inst("aws_route_table.none"),
            blk(7)
                .a("vpc_id", r("aws_vpc.main", "id"))
                .inst("aws_route_table.b"),
            blk(9)
                .a("vpn_gateway_id", r("aws_vpn_gateway.vgw", "id"))
                .a("route_table_id", r("aws_route_table.b", "id"))
                .inst("aws_vpn_gateway_route_propagation.b"),
        ]);
        let targets = |i: usize| -> Vec<Option<&RouteTarget>> {
            m.route_tables[i]
                .routes
                .iter()
                .map(|r| r.target.get())
                .collect()
        };
        let vgw = RouteTarget::VirtualPrivateGateway("aws_vpn_gateway.vgw".into());
        let literal = RouteTarget::VirtualPrivateGateway("vgw-0abc".into());
        assert_eq!(targets(0), [Some(&vgw), Some(&literal)]);
        assert!(targets(1).is_empty());
        assert_eq!(targets(2), [Some(&vgw)]);
        for rt in [&m.route_tables[0], &m.route_tables[2]] {
            for r in &rt.routes {
                let why = r.destination.unknown_reason().expect("unknown destination");
                assert!(why.contains("propagated by"), "{why}");
            }
        }
        assert_eq!(m.route_tables[2].routes[0].origin, at(9));
    }

    #[test]
    fn route_with_unknown_table_makes_every_table_incomplete() {
        let m = run(vec![
            blk(1)
                .a("vpc_id", r("aws_vpc.main", "id"))
                .inst("aws_route_table.a"),
            blk(3)
                .a("vpc_id", r("aws_vpc.main", "id"))
                .a("route", unk("var.routes has no value"))
                .inst("aws_route_table.b"),
            blk(6)
                .a("route_table_id", unk("var.rt has no value"))
                .a("destination_cidr_block", s("0.0.0.0/0"))
                .a("gateway_id", s("igw-1"))
                .inst("aws_route.x"),
        ]);
        assert!(
            m.route_tables
                .iter()
                .all(|rt| !rt.routes_complete && rt.routes.is_empty())
        );
    }

    #[test]
    fn associations() {
        let m = run(vec![
            blk(1)
                .a("route_table_id", r("aws_route_table.a", "id"))
                .a("subnet_id", r("aws_subnet.a", "id"))
                .inst("aws_route_table_association.a"),
            blk(4)
                .a("route_table_id", r("aws_route_table.edge", "id"))
                .a("gateway_id", r("aws_internet_gateway.gw", "id"))
                .inst("aws_route_table_association.edge"),
            blk(7)
                .a("route_table_id", r("aws_route_table.a", "id"))
                .a("vpc_id", r("aws_vpc.main", "id"))
                .inst("aws_main_route_table_association.m"),
        ]);
        let a = &m.route_table_associations;
        assert_eq!(
            a[0].route_table.get().map(|r| r.key.as_str()),
            Some("aws_route_table.a")
        );
        assert!(
            matches!(&a[0].target, AssociationTarget::Subnet(v) if v.get() == Some(&Ref::new("aws_subnet.a")))
        );
        assert!(
            matches!(&a[1].target, AssociationTarget::Gateway(v) if v.get().map(String::as_str) == Some("aws_internet_gateway.gw"))
        );
        assert!(
            matches!(&a[2].target, AssociationTarget::MainOf(v) if v.get() == Some(&Ref::new("aws_vpc.main")))
        );
    }
}
