//! EC2 networking of one region: VPCs (with their DNS attributes and DHCP options), subnets,
//! route tables, internet and NAT gateways, security groups, network ACLs, VPC endpoints,
//! managed prefix lists and flow logs, mapped into the model.
//!
//! Every list is paginated to the end. Resources are addressed by ARN and aliased by their
//! id, because that is how other resources refer to them (`subnet-…`, `sg-…`), so the
//! model's references resolve exactly as they do for IaC. A value the API omits takes the
//! documented EC2 default, marked as a default at the resource's header line.

use crate::api::Scope;
use crate::doc::{Doc, list};
use aws_sdk_ec2::types::{self as ec2, VpcAttributeName};
use sagescan_model::dns::{DhcpOptionsAssociation, VpcDhcpOptions};
use sagescan_model::network::*;
use sagescan_model::{Meta, Model, Ref, Value};
use std::collections::BTreeMap;

const SERVICE: &str = "ec2";

/// The rule number of a network ACL's `*` entry.
const DEFAULT_DENY_RULE: i32 = 32767;

/// Collects everything, appending to `out`. Failed calls are gaps of `scope`.
pub(crate) async fn collect(scope: &Scope, out: &mut Model) {
    let (vpcs, subnets, tables, igws, nats, sgs, nacls, endpoints, lists, flow_logs, dhcp) = tokio::join!(
        scope.list(
            SERVICE,
            "DescribeVpcs",
            scope.ec2().describe_vpcs().into_paginator().send(),
            |p| p.next_token(),
            |p| p.vpcs()
        ),
        scope.list(
            SERVICE,
            "DescribeSubnets",
            scope.ec2().describe_subnets().into_paginator().send(),
            |p| p.next_token(),
            |p| p.subnets()
        ),
        scope.list(
            SERVICE,
            "DescribeRouteTables",
            scope.ec2().describe_route_tables().into_paginator().send(),
            |p| p.next_token(),
            |p| p.route_tables()
        ),
        scope.list(
            SERVICE,
            "DescribeInternetGateways",
            scope
                .ec2()
                .describe_internet_gateways()
                .into_paginator()
                .send(),
            |p| p.next_token(),
            |p| p.internet_gateways()
        ),
        scope.list(
            SERVICE,
            "DescribeNatGateways",
            scope.ec2().describe_nat_gateways().into_paginator().send(),
            |p| p.next_token(),
            |p| p.nat_gateways()
        ),
        scope.list(
            SERVICE,
            "DescribeSecurityGroups",
            scope
                .ec2()
                .describe_security_groups()
                .into_paginator()
                .send(),
            |p| p.next_token(),
            |p| p.security_groups()
        ),
        scope.list(
            SERVICE,
            "DescribeNetworkAcls",
            scope.ec2().describe_network_acls().into_paginator().send(),
            |p| p.next_token(),
            |p| p.network_acls()
        ),
        scope.list(
            SERVICE,
            "DescribeVpcEndpoints",
            scope.ec2().describe_vpc_endpoints().into_paginator().send(),
            |p| p.next_token(),
            |p| p.vpc_endpoints()
        ),
        scope.list(
            SERVICE,
            "DescribeManagedPrefixLists",
            scope
                .ec2()
                .describe_managed_prefix_lists()
                .into_paginator()
                .send(),
            |p| p.next_token(),
            |p| p.prefix_lists()
        ),
        scope.list(
            SERVICE,
            "DescribeFlowLogs",
            scope.ec2().describe_flow_logs().into_paginator().send(),
            |p| p.next_token(),
            |p| p.flow_logs()
        ),
        scope.list(
            SERVICE,
            "DescribeDhcpOptions",
            scope.ec2().describe_dhcp_options().into_paginator().send(),
            |p| p.next_token(),
            |p| p.dhcp_options()
        ),
    );

    for v in vpcs.unwrap_or_default() {
        let vpc = vpc(scope, &v, out).await;
        out.vpcs.push(vpc);
    }
    for s in subnets.unwrap_or_default() {
        let subnet = subnet(scope, &s, out);
        out.subnets.push(subnet);
    }
    for t in tables.unwrap_or_default() {
        route_table(scope, &t, out);
    }
    for g in igws.unwrap_or_default() {
        let igw = internet_gateway(scope, &g, out);
        out.internet_gateways.push(igw);
    }
    for n in nats.unwrap_or_default() {
        // Deleted NAT gateways stay listed for about an hour; they route nothing.
        if matches!(
            n.state(),
            Some(ec2::NatGatewayState::Deleted | ec2::NatGatewayState::Deleting)
        ) {
            continue;
        }
        let nat = nat_gateway(scope, &n, out);
        out.nat_gateways.push(nat);
    }
    for g in sgs.unwrap_or_default() {
        let sg = security_group(scope, &g, out);
        out.security_groups.push(sg);
    }
    for a in nacls.unwrap_or_default() {
        let acl = network_acl(scope, &a, out);
        out.network_acls.push(acl);
    }
    for e in endpoints.unwrap_or_default() {
        if matches!(e.state(), Some(ec2::State::Deleted | ec2::State::Deleting)) {
            continue;
        }
        let endpoint = vpc_endpoint(scope, &e, out);
        out.vpc_endpoints.push(endpoint);
    }
    for l in lists.unwrap_or_default() {
        let pl = prefix_list(scope, &l, out).await;
        out.prefix_lists.push(pl);
    }
    for f in flow_logs.unwrap_or_default() {
        if let Some(log) = flow_log(scope, &f, out) {
            out.flow_logs.push(log);
        }
    }
    for o in dhcp.unwrap_or_default() {
        let options = dhcp_options(scope, &o, out);
        out.vpc_dhcp_options.push(options);
    }
}

fn doc(scope: &Scope, arn: &str, operation: &str) -> Doc {
    Doc::new(arn, SERVICE, operation, &scope.account, &scope.region)
}

fn meta(
    scope: &Scope,
    doc: &mut Doc,
    arn: String,
    id: &str,
    source_type: &str,
    tags: &[ec2::Tag],
) -> Meta {
    let mut meta = Meta::new(arn, source_type, scope.config, doc.header());
    meta.aliases.push(id.to_string());
    meta.tags = tag_map(doc, tags);
    meta
}

fn tag_map(doc: &mut Doc, tags: &[ec2::Tag]) -> Value<BTreeMap<String, String>> {
    if tags.is_empty() {
        return Value::default_value(BTreeMap::new(), doc.header());
    }
    let origin = doc.block(0, "Tags");
    let mut map = BTreeMap::new();
    for t in tags {
        let (k, v) = (t.key().unwrap_or_default(), t.value().unwrap_or_default());
        doc.field(1, k, v);
        map.insert(k.to_string(), v.to_string());
    }
    Value::set(map, origin)
}

/// A value the API always returns; Unknown (never a guess) if it did not.
fn required<T: std::fmt::Display + Clone>(doc: &mut Doc, key: &str, v: Option<T>) -> Value<T> {
    match v {
        Some(v) => {
            let at = doc.field(0, key, &v);
            Value::set(v, at)
        }
        None => Value::unknown(format!("the API response has no {key}"), doc.header()),
    }
}

fn reference<T>(doc: &mut Doc, key: &str, id: Option<&str>) -> Value<Ref<T>> {
    required(doc, key, id.map(str::to_string)).map(Ref::new)
}

/// A boolean the API may omit, in which case the documented default applies.
fn flag(doc: &mut Doc, key: &str, v: Option<bool>, default: bool) -> Value<bool> {
    match v {
        Some(v) => Value::set(v, doc.field(0, key, v)),
        None => Value::default_value(default, doc.header()),
    }
}

fn refs<T>(doc: &mut Doc, key: &str, ids: &[String]) -> Value<Vec<Ref<T>>> {
    if ids.is_empty() {
        return Value::default_value(Vec::new(), doc.header());
    }
    let at = doc.field(0, key, list(ids));
    Value::set(ids.iter().map(Ref::new).collect(), at)
}

async fn vpc(scope: &Scope, v: &ec2::Vpc, out: &mut Model) -> Vpc {
    let id = v.vpc_id().unwrap_or_default();
    let arn = scope.arn("ec2", &format!("vpc/{id}"));
    let mut d = doc(scope, &arn, "DescribeVpcs");
    let meta = meta(scope, &mut d, arn.clone(), id, "AWS::EC2::VPC", v.tags());
    d.field(0, "VpcId", id);
    let cidr_block = required(&mut d, "CidrBlock", v.cidr_block().map(str::to_string));
    let mut extra_cidr_blocks = Vec::new();
    for c in v.cidr_block_association_set() {
        if let Some(c) = c.cidr_block()
            && Some(c) != v.cidr_block()
        {
            extra_cidr_blocks.push(Value::set(c.to_string(), d.item(0, c)));
        }
    }
    for c in v.ipv6_cidr_block_association_set() {
        if let Some(c) = c.ipv6_cidr_block() {
            extra_cidr_blocks.push(Value::set(c.to_string(), d.item(0, c)));
        }
    }
    let is_default = flag(&mut d, "IsDefault", v.is_default(), false);
    // Every VPC names its DHCP option set (`default` when it has none); the association
    // is a resource of its own in the model, as in the IaC sources.
    if let Some(options) = v.dhcp_options_id() {
        let at = d.field(0, "DhcpOptionsId", options);
        let mut m = Meta::new(
            format!("{arn}/dhcp-options/{options}"),
            "AWS::EC2::VPCDHCPOptionsAssociation",
            scope.config,
            at.clone(),
        );
        m.tags = Value::default_value(BTreeMap::new(), at.clone());
        out.dhcp_options_associations.push(DhcpOptionsAssociation {
            meta: m,
            vpc: Value::set(Ref::new(id), at.clone()),
            dhcp_options: Value::set(Ref::new(options), at),
        });
    }
    // Two DNS attributes: one DescribeVpcAttribute call each (the API takes one at a time).
    let dns = |name: &str, attribute: Option<bool>, d: &mut Doc| match attribute {
        Some(b) => Value::set(b, d.field(0, name, b)),
        None => Value::unknown(
            format!("ec2:DescribeVpcAttribute {name} could not be read"),
            d.header(),
        ),
    };
    let support = scope
        .call(
            SERVICE,
            "DescribeVpcAttribute",
            scope
                .ec2()
                .describe_vpc_attribute()
                .vpc_id(id)
                .attribute(VpcAttributeName::EnableDnsSupport)
                .send(),
        )
        .await
        .and_then(|o| o.enable_dns_support().and_then(|b| b.value()));
    let hostnames = scope
        .call(
            SERVICE,
            "DescribeVpcAttribute",
            scope
                .ec2()
                .describe_vpc_attribute()
                .vpc_id(id)
                .attribute(VpcAttributeName::EnableDnsHostnames)
                .send(),
        )
        .await
        .and_then(|o| o.enable_dns_hostnames().and_then(|b| b.value()));
    let enable_dns_support = dns("EnableDnsSupport", support, &mut d);
    let enable_dns_hostnames = dns("EnableDnsHostnames", hostnames, &mut d);
    out.sources.push(d.finish());
    Vpc {
        meta,
        cidr_block,
        extra_cidr_blocks,
        enable_dns_support,
        enable_dns_hostnames,
        is_default,
    }
}

fn subnet(scope: &Scope, s: &ec2::Subnet, out: &mut Model) -> Subnet {
    let id = s.subnet_id().unwrap_or_default();
    let arn = s
        .subnet_arn()
        .map(str::to_string)
        .unwrap_or_else(|| scope.arn("ec2", &format!("subnet/{id}")));
    let mut d = doc(scope, &arn, "DescribeSubnets");
    let meta = meta(scope, &mut d, arn.clone(), id, "AWS::EC2::Subnet", s.tags());
    d.field(0, "SubnetId", id);
    let subnet = Subnet {
        meta,
        vpc: reference(&mut d, "VpcId", s.vpc_id()),
        cidr_block: required(&mut d, "CidrBlock", s.cidr_block().map(str::to_string)),
        availability_zone: required(
            &mut d,
            "AvailabilityZone",
            s.availability_zone().map(str::to_string),
        ),
        map_public_ip_on_launch: flag(
            &mut d,
            "MapPublicIpOnLaunch",
            s.map_public_ip_on_launch(),
            false,
        ),
    };
    out.sources.push(d.finish());
    subnet
}

/// A route table, plus one association resource per subnet or gateway it is associated
/// with (the main association becomes `is_main`).
fn route_table(scope: &Scope, t: &ec2::RouteTable, out: &mut Model) {
    let id = t.route_table_id().unwrap_or_default();
    let arn = scope.arn("ec2", &format!("route-table/{id}"));
    let mut d = doc(scope, &arn, "DescribeRouteTables");
    let meta = meta(
        scope,
        &mut d,
        arn.clone(),
        id,
        "AWS::EC2::RouteTable",
        t.tags(),
    );
    d.field(0, "RouteTableId", id);
    let vpc = reference(&mut d, "VpcId", t.vpc_id());
    let main = t.associations().iter().find(|a| a.main() == Some(true));
    let is_main = match main {
        Some(_) => Value::set(true, d.field(0, "Main", true)),
        None => Value::default_value(false, d.header()),
    };
    let mut routes = Vec::new();
    if !t.routes().is_empty() {
        d.block(0, "Routes");
    }
    for r in t.routes() {
        if let Some(route) = route(&mut d, r) {
            routes.push(route);
        }
    }
    let mut associations = Vec::new();
    for a in t.associations() {
        let target = match (a.subnet_id(), a.gateway_id()) {
            (Some(subnet), _) => AssociationTarget::Subnet(Value::set(
                Ref::new(subnet),
                d.field(0, "SubnetAssociation", subnet),
            )),
            (None, Some(gateway)) => AssociationTarget::Gateway(Value::set(
                gateway.to_string(),
                d.field(0, "GatewayAssociation", gateway),
            )),
            _ => continue,
        };
        let assoc_id = a.route_table_association_id().unwrap_or_default();
        let mut m = Meta::new(
            format!("{arn}/{assoc_id}"),
            "AWS::EC2::SubnetRouteTableAssociation",
            scope.config,
            d.header(),
        );
        m.aliases.push(assoc_id.to_string());
        associations.push(RouteTableAssociation {
            meta: m,
            route_table: Value::set(Ref::new(id), d.header()),
            target,
        });
    }
    out.sources.push(d.finish());
    out.route_tables.push(RouteTable {
        meta,
        vpc,
        is_main,
        routes,
        routes_complete: true,
    });
    out.route_table_associations.extend(associations);
}

fn route(d: &mut Doc, r: &ec2::Route) -> Option<Route> {
    let destination = match (
        r.destination_cidr_block(),
        r.destination_ipv6_cidr_block(),
        r.destination_prefix_list_id(),
    ) {
        (Some(c), _, _) | (None, Some(c), _) => RouteDestination::Cidr(c.to_string()),
        (None, None, Some(pl)) => RouteDestination::PrefixList(Ref::new(pl)),
        _ => return None,
    };
    let target = if let Some(g) = r.gateway_id() {
        match g {
            "local" => RouteTarget::Local,
            g if g.starts_with("igw-") => RouteTarget::InternetGateway(Ref::new(g)),
            g if g.starts_with("vpce-") => RouteTarget::VpcEndpoint(g.to_string()),
            g if g.starts_with("vgw-") => RouteTarget::VirtualPrivateGateway(g.to_string()),
            g => RouteTarget::Other(g.to_string()),
        }
    } else if let Some(n) = r.nat_gateway_id() {
        RouteTarget::NatGateway(Ref::new(n))
    } else if let Some(e) = r.egress_only_internet_gateway_id() {
        RouteTarget::EgressOnlyInternetGateway(e.to_string())
    } else if let Some(t) = r.transit_gateway_id() {
        RouteTarget::TransitGateway(t.to_string())
    } else if let Some(p) = r.vpc_peering_connection_id() {
        RouteTarget::VpcPeering(p.to_string())
    } else if let Some(n) = r.network_interface_id() {
        RouteTarget::NetworkInterface(n.to_string())
    } else {
        let other = r
            .local_gateway_id()
            .or(r.carrier_gateway_id())
            .or(r.core_network_arn())
            .or(r.instance_id())
            .unwrap_or("unknown");
        RouteTarget::Other(other.to_string())
    };
    let dest_text = match &destination {
        RouteDestination::Cidr(c) => c.clone(),
        RouteDestination::PrefixList(p) => p.key.clone(),
    };
    let target_text = route_target_key(&target);
    let origin = d.item(1, format!("{dest_text} -> {target_text}"));
    Some(Route {
        destination: Value::set(destination, origin.clone()),
        target: Value::set(target, origin.clone()),
        origin,
    })
}

fn route_target_key(t: &RouteTarget) -> String {
    match t {
        RouteTarget::Local => "local".into(),
        RouteTarget::InternetGateway(r) => r.key.clone(),
        RouteTarget::NatGateway(r) => r.key.clone(),
        RouteTarget::EgressOnlyInternetGateway(s)
        | RouteTarget::VpcEndpoint(s)
        | RouteTarget::NetworkInterface(s)
        | RouteTarget::VpcPeering(s)
        | RouteTarget::TransitGateway(s)
        | RouteTarget::VirtualPrivateGateway(s)
        | RouteTarget::Other(s) => s.clone(),
    }
}

fn internet_gateway(scope: &Scope, g: &ec2::InternetGateway, out: &mut Model) -> InternetGateway {
    let id = g.internet_gateway_id().unwrap_or_default();
    let arn = scope.arn("ec2", &format!("internet-gateway/{id}"));
    let mut d = doc(scope, &arn, "DescribeInternetGateways");
    let meta = meta(
        scope,
        &mut d,
        arn.clone(),
        id,
        "AWS::EC2::InternetGateway",
        g.tags(),
    );
    d.field(0, "InternetGatewayId", id);
    let attached = g
        .attachments()
        .iter()
        .find_map(|a| a.vpc_id().map(str::to_string));
    let vpc = match attached {
        Some(v) => Value::set(Some(Ref::new(&v)), d.field(0, "AttachedVpcId", &v)),
        None => Value::set(None, d.field(0, "AttachedVpcId", "none")),
    };
    out.sources.push(d.finish());
    InternetGateway { meta, vpc }
}

fn nat_gateway(scope: &Scope, n: &ec2::NatGateway, out: &mut Model) -> NatGateway {
    let id = n.nat_gateway_id().unwrap_or_default();
    let arn = scope.arn("ec2", &format!("natgateway/{id}"));
    let mut d = doc(scope, &arn, "DescribeNatGateways");
    let meta = meta(
        scope,
        &mut d,
        arn.clone(),
        id,
        "AWS::EC2::NatGateway",
        n.tags(),
    );
    d.field(0, "NatGatewayId", id);
    let subnet = reference(&mut d, "SubnetId", n.subnet_id());
    let connectivity_type = match n.connectivity_type() {
        Some(c) => Value::set(
            c.as_str().to_string(),
            d.field(0, "ConnectivityType", c.as_str()),
        ),
        None => Value::default_value("public".to_string(), d.header()),
    };
    out.sources.push(d.finish());
    NatGateway {
        meta,
        subnet,
        connectivity_type,
    }
}

fn security_group(scope: &Scope, g: &ec2::SecurityGroup, out: &mut Model) -> SecurityGroup {
    let id = g.group_id().unwrap_or_default();
    let arn = scope.arn("ec2", &format!("security-group/{id}"));
    let mut d = doc(scope, &arn, "DescribeSecurityGroups");
    let meta = meta(
        scope,
        &mut d,
        arn.clone(),
        id,
        "AWS::EC2::SecurityGroup",
        g.tags(),
    );
    d.field(0, "GroupId", id);
    let name = Value::set(
        g.group_name().map(str::to_string),
        d.field(0, "GroupName", g.group_name().unwrap_or_default()),
    );
    let vpc = match g.vpc_id() {
        Some(v) => Value::set(Some(Ref::new(v)), d.field(0, "VpcId", v)),
        None => Value::set(None, d.header()),
    };
    let mut rules = Vec::new();
    for (direction, key, perms) in [
        (Direction::Ingress, "IpPermissions", g.ip_permissions()),
        (
            Direction::Egress,
            "IpPermissionsEgress",
            g.ip_permissions_egress(),
        ),
    ] {
        if !perms.is_empty() {
            d.block(0, key);
        }
        for p in perms {
            sg_rules(&mut d, direction, id, p, &mut rules);
        }
    }
    out.sources.push(d.finish());
    SecurityGroup {
        meta,
        vpc,
        name,
        is_default: g.group_name() == Some("default"),
        rules,
        rules_complete: true,
    }
}

/// One model rule per peer of an `IpPermission`, each on its own line.
fn sg_rules(
    d: &mut Doc,
    direction: Direction,
    group: &str,
    p: &ec2::IpPermission,
    out: &mut Vec<SgRule>,
) {
    let protocol = normalize_protocol(p.ip_protocol().unwrap_or("-1"));
    // The API reports -1/-1 (or nothing) for "all traffic"; the model spells all ports 0-65535.
    let (from, to) = match protocol.as_str() {
        "-1" => (0, 65535),
        _ => (
            p.from_port().unwrap_or(-1) as i64,
            p.to_port().unwrap_or(-1) as i64,
        ),
    };
    let mut peers: Vec<(SgPeer, Option<&str>)> = Vec::new();
    for r in p.ip_ranges() {
        if let Some(c) = r.cidr_ip() {
            peers.push((SgPeer::Ipv4(c.into()), r.description()));
        }
    }
    for r in p.ipv6_ranges() {
        if let Some(c) = r.cidr_ipv6() {
            peers.push((SgPeer::Ipv6(c.into()), r.description()));
        }
    }
    for r in p.prefix_list_ids() {
        if let Some(c) = r.prefix_list_id() {
            peers.push((SgPeer::PrefixList(Ref::new(c)), r.description()));
        }
    }
    for r in p.user_id_group_pairs() {
        if let Some(g) = r.group_id() {
            let peer = if g == group {
                SgPeer::SelfGroup
            } else {
                SgPeer::SecurityGroup(Ref::new(g))
            };
            peers.push((peer, r.description()));
        }
    }
    for (peer, description) in peers {
        let peer_text = match &peer {
            SgPeer::Ipv4(c) | SgPeer::Ipv6(c) => c.clone(),
            SgPeer::SecurityGroup(r) => r.key.clone(),
            SgPeer::PrefixList(r) => r.key.clone(),
            SgPeer::SelfGroup => group.to_string(),
        };
        let origin = d.item(
            1,
            format!(
                "{{IpProtocol: {protocol}, FromPort: {from}, ToPort: {to}, Peer: {peer_text}}}"
            ),
        );
        out.push(SgRule {
            direction,
            protocol: Value::set(protocol.clone(), origin.clone()),
            from_port: Value::set(from, origin.clone()),
            to_port: Value::set(to, origin.clone()),
            peer: Value::set(peer, origin.clone()),
            description: Value::set(description.map(str::to_string), origin.clone()),
            declared_by: None,
            origin,
        });
    }
}

/// The loaders' spelling: lower case, `-1` for all, names for the common numbers.
fn normalize_protocol(raw: &str) -> String {
    match raw.trim().to_ascii_lowercase().as_str() {
        "-1" | "all" => "-1".into(),
        "6" => "tcp".into(),
        "17" => "udp".into(),
        "1" => "icmp".into(),
        "58" => "icmpv6".into(),
        p => p.into(),
    }
}

fn network_acl(scope: &Scope, a: &ec2::NetworkAcl, out: &mut Model) -> NetworkAcl {
    let id = a.network_acl_id().unwrap_or_default();
    let arn = scope.arn("ec2", &format!("network-acl/{id}"));
    let mut d = doc(scope, &arn, "DescribeNetworkAcls");
    let meta = meta(
        scope,
        &mut d,
        arn.clone(),
        id,
        "AWS::EC2::NetworkAcl",
        a.tags(),
    );
    d.field(0, "NetworkAclId", id);
    let vpc = reference(&mut d, "VpcId", a.vpc_id());
    let subnet_ids: Vec<String> = a
        .associations()
        .iter()
        .filter_map(|x| x.subnet_id().map(str::to_string))
        .collect();
    let subnets = refs(&mut d, "Associations", &subnet_ids);
    let mut entries = Vec::new();
    if !a.entries().is_empty() {
        d.block(0, "Entries");
    }
    for e in a.entries() {
        // Rule 32767 is the `*` entry, AWS's final deny that every ACL ends with and no
        // template declares; the model leaves it implicit (what no entry allows is denied),
        // as the loaders do. Kept, it reads as an entry shadowed by any allow-all (NACL104).
        if e.rule_number() == Some(DEFAULT_DENY_RULE) {
            continue;
        }
        let protocol = normalize_protocol(e.protocol().unwrap_or("-1"));
        let (from, to) = match (protocol.as_str(), e.port_range()) {
            ("-1", _) => (0, 65535),
            ("icmp" | "icmpv6", _) => (-1, -1),
            (_, Some(r)) => (r.from().unwrap_or(0) as i64, r.to().unwrap_or(65535) as i64),
            (_, None) => (0, 65535),
        };
        let cidr = e
            .cidr_block()
            .or(e.ipv6_cidr_block())
            .unwrap_or_default()
            .to_string();
        let allow = e.rule_action() == Some(&ec2::RuleAction::Allow);
        let number = e.rule_number().unwrap_or(32767) as i64;
        let egress = e.egress().unwrap_or(false);
        let origin = d.item(
            1,
            format!(
                "{{RuleNumber: {number}, Egress: {egress}, Protocol: {protocol}, RuleAction: {}, CidrBlock: {cidr}, PortRange: {from}-{to}}}",
                if allow { "allow" } else { "deny" }
            ),
        );
        entries.push(NaclEntry {
            egress,
            rule_number: Value::set(number, origin.clone()),
            protocol: Value::set(protocol, origin.clone()),
            allow: Value::set(allow, origin.clone()),
            cidr_block: Value::set(cidr, origin.clone()),
            from_port: Value::set(from, origin.clone()),
            to_port: Value::set(to, origin.clone()),
            declared_by: None,
            origin,
        });
    }
    out.sources.push(d.finish());
    NetworkAcl {
        meta,
        vpc,
        is_default: a.is_default() == Some(true),
        subnets,
        entries,
        entries_complete: true,
    }
}

fn vpc_endpoint(scope: &Scope, e: &ec2::VpcEndpoint, out: &mut Model) -> VpcEndpoint {
    let id = e.vpc_endpoint_id().unwrap_or_default();
    let arn = scope.arn("ec2", &format!("vpc-endpoint/{id}"));
    let mut d = doc(scope, &arn, "DescribeVpcEndpoints");
    let meta = meta(
        scope,
        &mut d,
        arn.clone(),
        id,
        "AWS::EC2::VPCEndpoint",
        e.tags(),
    );
    d.field(0, "VpcEndpointId", id);
    let vpc = reference(&mut d, "VpcId", e.vpc_id());
    let service_name = required(&mut d, "ServiceName", e.service_name().map(str::to_string));
    let endpoint_type = match e.vpc_endpoint_type() {
        Some(t) => {
            let at = d.field(0, "VpcEndpointType", t.as_str());
            match t {
                ec2::VpcEndpointType::Interface => Value::set(EndpointType::Interface, at),
                ec2::VpcEndpointType::Gateway => Value::set(EndpointType::Gateway, at),
                ec2::VpcEndpointType::GatewayLoadBalancer => {
                    Value::set(EndpointType::GatewayLoadBalancer, at)
                }
                other => Value::unknown(
                    format!("endpoint type {} is not modelled", other.as_str()),
                    at,
                ),
            }
        }
        None => Value::default_value(EndpointType::Gateway, d.header()),
    };
    let private_dns_enabled = flag(&mut d, "PrivateDnsEnabled", e.private_dns_enabled(), false);
    let subnets = refs(&mut d, "SubnetIds", e.subnet_ids());
    let group_ids: Vec<String> = e
        .groups()
        .iter()
        .filter_map(|g| g.group_id().map(str::to_string))
        .collect();
    let security_groups = refs(&mut d, "Groups", &group_ids);
    let route_tables = refs(&mut d, "RouteTableIds", e.route_table_ids());
    let policy = match e.policy_document() {
        Some(p) => Value::set(Some(p.to_string()), d.field(0, "PolicyDocument", p)),
        None => Value::default_value(None, d.header()),
    };
    out.sources.push(d.finish());
    VpcEndpoint {
        meta,
        vpc,
        service_name,
        endpoint_type,
        private_dns_enabled,
        subnets,
        security_groups,
        route_tables,
        policy,
    }
}

async fn prefix_list(
    scope: &Scope,
    l: &ec2::ManagedPrefixList,
    out: &mut Model,
) -> ManagedPrefixList {
    let id = l.prefix_list_id().unwrap_or_default();
    let arn = l
        .prefix_list_arn()
        .map(str::to_string)
        .unwrap_or_else(|| scope.arn("ec2", &format!("prefix-list/{id}")));
    let mut d = doc(scope, &arn, "GetManagedPrefixListEntries");
    let meta = meta(
        scope,
        &mut d,
        arn.clone(),
        id,
        "AWS::EC2::PrefixList",
        l.tags(),
    );
    d.field(0, "PrefixListId", id);
    if let Some(name) = l.prefix_list_name() {
        d.field(0, "PrefixListName", name);
        // AWS-managed lists (`com.amazonaws.…`) are referenced by name in some policies.
    }
    let entries = scope
        .list(
            SERVICE,
            "GetManagedPrefixListEntries",
            scope
                .ec2()
                .get_managed_prefix_list_entries()
                .prefix_list_id(id)
                .into_paginator()
                .send(),
            |p| p.next_token(),
            |p| p.entries(),
        )
        .await;
    let entries = match entries {
        Some(entries) => {
            let cidrs: Vec<String> = entries
                .iter()
                .filter_map(|e| e.cidr().map(str::to_string))
                .collect();
            Value::set(cidrs.clone(), d.field(0, "Entries", list(&cidrs)))
        }
        None => Value::unknown(
            "ec2:GetManagedPrefixListEntries could not be read",
            d.header(),
        ),
    };
    out.sources.push(d.finish());
    ManagedPrefixList { meta, entries }
}

fn flow_log(scope: &Scope, f: &ec2::FlowLog, out: &mut Model) -> Option<FlowLog> {
    let id = f.flow_log_id()?;
    let resource = f.resource_id()?;
    let arn = scope.arn("ec2", &format!("vpc-flow-log/{id}"));
    let mut d = doc(scope, &arn, "DescribeFlowLogs");
    let meta = meta(
        scope,
        &mut d,
        arn.clone(),
        id,
        "AWS::EC2::FlowLog",
        f.tags(),
    );
    d.field(0, "FlowLogId", id);
    let at = d.field(0, "ResourceId", resource);
    let target = match resource {
        r if r.starts_with("vpc-") => FlowLogTarget::Vpc(Ref::new(r)),
        r if r.starts_with("subnet-") => FlowLogTarget::Subnet(Ref::new(r)),
        r if r.starts_with("tgw-") => FlowLogTarget::TransitGateway(r.into()),
        r => FlowLogTarget::NetworkInterface(r.into()),
    };
    let traffic_type = match f.traffic_type() {
        Some(t) => Value::set(
            t.as_str().to_string(),
            d.field(0, "TrafficType", t.as_str()),
        ),
        None => Value::unknown("the API response has no TrafficType", d.header()),
    };
    out.sources.push(d.finish());
    Some(FlowLog {
        meta,
        target: Value::set(target, at),
        traffic_type,
    })
}

fn dhcp_options(scope: &Scope, o: &ec2::DhcpOptions, out: &mut Model) -> VpcDhcpOptions {
    let id = o.dhcp_options_id().unwrap_or_default();
    let arn = scope.arn("ec2", &format!("dhcp-options/{id}"));
    let mut d = doc(scope, &arn, "DescribeDhcpOptions");
    let meta = meta(
        scope,
        &mut d,
        arn.clone(),
        id,
        "AWS::EC2::DHCPOptions",
        o.tags(),
    );
    d.field(0, "DhcpOptionsId", id);
    let servers = o
        .dhcp_configurations()
        .iter()
        .find(|c| c.key() == Some("domain-name-servers"))
        .map(|c| {
            c.values()
                .iter()
                .filter_map(|v| v.value().map(str::to_string))
                .collect::<Vec<_>>()
        });
    let domain_name_servers = match servers {
        Some(servers) => {
            let at = d.field(0, "domain-name-servers", list(&servers));
            Value::set(servers, at)
        }
        // A set without name servers tells instances of none: only the Resolver answers.
        None => Value::default_value(Vec::new(), d.header()),
    };
    out.sources.push(d.finish());
    VpcDhcpOptions {
        meta,
        domain_name_servers,
    }
}

#[cfg(test)]
mod tests {
    use super::normalize_protocol;

    #[test]
    fn protocols_are_spelled_as_the_loaders_spell_them() {
        assert_eq!(normalize_protocol("-1"), "-1");
        assert_eq!(normalize_protocol("6"), "tcp");
        assert_eq!(normalize_protocol("TCP"), "tcp");
        assert_eq!(normalize_protocol("58"), "icmpv6");
        assert_eq!(normalize_protocol("50"), "50");
    }
}
