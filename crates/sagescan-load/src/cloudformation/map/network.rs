//! `AWS::EC2::*`: VPCs, subnets, gateways, route tables and routes, security groups and
//! their rules, network ACLs and entries, VPC endpoints, prefix lists and flow logs.
//!
//! One difference from Terraform matters: CloudFormation keeps the allow-all egress rule
//! AWS creates with every security group unless the template lists `SecurityGroupEgress`
//! ("AWS::EC2::SecurityGroup", AWS CloudFormation User Guide: "When you specify a VPC
//! security group, Amazon EC2 creates a default egress rule that allows egress traffic on
//! all ports and IP protocols to any location. The default rule is removed only when you
//! specify one or more egress rules."), so that rule is modelled, as a Default.

use super::super::intrinsics::V;
use super::read::{self, Absent, Props, Unknowable, as_key};
use super::{Parents, Res, Target, Types, target, unknown, with_props};
use sagescan_model::network::*;
use sagescan_model::{Model, Origin, Ref, Value};

pub(super) fn vpc(r: &Res) -> Vpc {
    with_props(
        r,
        |p| Vpc {
            meta: r.meta(None),
            cidr_block: p.string(
                "CidrBlock",
                Absent::Unknown("CidrBlock is not set: AWS allocates it (IPAM) at deployment"),
            ),
            extra_cidr_blocks: Vec::new(),
            enable_dns_support: p.boolean("EnableDnsSupport", Absent::Default(true)),
            // Off in non-default VPCs (AWS VPC user guide, "DNS attributes for your VPC").
            enable_dns_hostnames: p.boolean("EnableDnsHostnames", Absent::Default(false)),
            is_default: Value::default_value(false, p.origin.clone()),
        },
        |u| Vpc {
            meta: r.meta(None),
            cidr_block: unknown(u),
            extra_cidr_blocks: Vec::new(),
            enable_dns_support: unknown(u),
            enable_dns_hostnames: unknown(u),
            is_default: Value::default_value(false, r.origin.clone()),
        },
    )
}

pub(super) fn subnet(r: &Res) -> Subnet {
    with_props(
        r,
        |p| {
            let availability_zone = match p.get("AvailabilityZoneId") {
                Some(a) if p.get("AvailabilityZone").is_none() => Value::unknown(
                    "AvailabilityZoneId is set; the zone name is known only at deployment",
                    a.origin.clone(),
                ),
                _ => p.string(
                    "AvailabilityZone",
                    Absent::Unknown("AvailabilityZone is not set: chosen by AWS at deployment"),
                ),
            };
            Subnet {
                meta: r.meta(None),
                vpc: p.reference("VpcId", Absent::Required),
                cidr_block: p.string(
                    "CidrBlock",
                    Absent::Unknown("CidrBlock is not set: AWS allocates it (IPAM) at deployment"),
                ),
                availability_zone,
                map_public_ip_on_launch: p.boolean("MapPublicIpOnLaunch", Absent::Default(false)),
            }
        },
        |u| Subnet {
            meta: r.meta(None),
            vpc: unknown(u),
            cidr_block: unknown(u),
            availability_zone: unknown(u),
            map_public_ip_on_launch: unknown(u),
        },
    )
}

/// Detached until an `AWS::EC2::VPCGatewayAttachment` names it.
pub(super) fn internet_gateway(r: &Res) -> InternetGateway {
    InternetGateway {
        meta: r.meta(None),
        vpc: Value::default_value(None, r.origin.clone()),
    }
}

pub(super) fn nat_gateway(r: &Res) -> NatGateway {
    with_props(
        r,
        |p| NatGateway {
            meta: r.meta(None),
            subnet: p.reference("SubnetId", Absent::Required),
            connectivity_type: p.string("ConnectivityType", Absent::Default("public".into())),
        },
        |u| NatGateway {
            meta: r.meta(None),
            subnet: unknown(u),
            connectivity_type: unknown(u),
        },
    )
}

pub(super) fn endpoint(r: &Res) -> VpcEndpoint {
    with_props(
        r,
        |p| VpcEndpoint {
            meta: r.meta(None),
            vpc: p.reference("VpcId", Absent::Required),
            service_name: p.string("ServiceName", Absent::Required),
            endpoint_type: p.value(
                "VpcEndpointType",
                Absent::Default(EndpointType::Gateway),
                |v| match read::as_string(v)?.as_str() {
                    "Gateway" => Some(EndpointType::Gateway),
                    "Interface" => Some(EndpointType::Interface),
                    "GatewayLoadBalancer" => Some(EndpointType::GatewayLoadBalancer),
                    _ => None,
                },
            ),
            // AWS::EC2::VPCEndpoint PrivateDnsEnabled: "Default: false".
            private_dns_enabled: p.boolean("PrivateDnsEnabled", Absent::Default(false)),
            subnets: p.references("SubnetIds", Absent::Default(Vec::new())),
            security_groups: p.references("SecurityGroupIds", Absent::Default(Vec::new())),
            route_tables: p.references("RouteTableIds", Absent::Default(Vec::new())),
            policy: policy(&p, "PolicyDocument"),
        },
        |u| VpcEndpoint {
            meta: r.meta(None),
            vpc: unknown(u),
            service_name: unknown(u),
            endpoint_type: unknown(u),
            private_dns_enabled: unknown(u),
            subnets: unknown(u),
            security_groups: unknown(u),
            route_tables: unknown(u),
            policy: unknown(u),
        },
    )
}

/// A policy document (an object, or JSON text) as JSON text; absent → `Default(None)`.
fn policy(p: &Props, name: &str) -> Value<Option<String>> {
    p.value(name, Absent::Default(None), |v| match v {
        read_v @ super::super::intrinsics::V::Str(_) => read::as_string(read_v).map(Some),
        other => to_json(other).map(|j| Some(j.to_string())),
    })
}

fn to_json(v: &super::super::intrinsics::V) -> Option<serde_json::Value> {
    use super::super::intrinsics::V;
    Some(match v {
        V::Null => serde_json::Value::Null,
        V::Bool(b) => serde_json::Value::Bool(*b),
        V::Num(n) => serde_json::from_str(n).ok()?,
        V::Str(s) => serde_json::Value::String(s.clone()),
        V::List(items) => {
            serde_json::Value::Array(items.iter().map(|i| to_json(&i.v)).collect::<Option<_>>()?)
        }
        V::Map(entries) => serde_json::Value::Object(
            entries
                .iter()
                .map(|(k, e)| Some((k.clone(), to_json(&e.v)?)))
                .collect::<Option<_>>()?,
        ),
        _ => return None,
    })
}

pub(super) fn prefix_list(r: &Res) -> ManagedPrefixList {
    ManagedPrefixList {
        meta: r.meta(None),
        entries: with_props(
            r,
            |p| {
                p.collect("Entries", Absent::Default(Vec::new()), |e| {
                    e.string("Cidr", Absent::Required)
                })
            },
            unknown,
        ),
    }
}

pub(super) fn flow_log(r: &Res) -> FlowLog {
    with_props(
        r,
        |p| {
            let kind = p.string("ResourceType", Absent::Required);
            let target = match kind.get().map(String::as_str) {
                Some(k) => p.value("ResourceId", Absent::Required, |v| {
                    let key = as_key(v)?;
                    Some(match k {
                        "VPC" => FlowLogTarget::Vpc(Ref::new(key)),
                        "Subnet" => FlowLogTarget::Subnet(Ref::new(key)),
                        "NetworkInterface" => FlowLogTarget::NetworkInterface(key),
                        "TransitGateway" | "TransitGatewayAttachment" => {
                            FlowLogTarget::TransitGateway(key)
                        }
                        _ => return None,
                    })
                }),
                None => Value::unknown(
                    kind.unknown_reason().unwrap_or("ResourceType is not set"),
                    kind.origin().clone(),
                ),
            };
            FlowLog {
                meta: r.meta(None),
                target,
                // Optional for transit gateway logs only; required by AWS for the others.
                traffic_type: p.string("TrafficType", Absent::Required),
            }
        },
        |u| FlowLog {
            meta: r.meta(None),
            target: unknown(u),
            traffic_type: unknown(u),
        },
    )
}

pub(super) fn route_table(r: &Res) -> RouteTable {
    RouteTable {
        meta: r.meta(None),
        vpc: with_props(r, |p| p.reference("VpcId", Absent::Required), unknown),
        is_main: Value::default_value(false, r.origin.clone()),
        routes: Vec::new(),
        routes_complete: true,
    }
}

pub(super) fn association(r: &Res) -> RouteTableAssociation {
    with_props(
        r,
        |p| RouteTableAssociation {
            meta: r.meta(None),
            route_table: p.reference("RouteTableId", Absent::Required),
            target: if r.rtype == "AWS::EC2::GatewayRouteTableAssociation" {
                AssociationTarget::Gateway(p.value("GatewayId", Absent::Required, as_key))
            } else {
                AssociationTarget::Subnet(p.reference("SubnetId", Absent::Required))
            },
        },
        |u| RouteTableAssociation {
            meta: r.meta(None),
            route_table: unknown(u),
            target: AssociationTarget::Subnet(unknown(u)),
        },
    )
}

/// `AWS::EC2::Route`, folded into its table.
pub(super) fn fold_route(m: &mut Model, types: &Types, parents: &Parents, r: &Res) {
    let Ok(p) = r.props() else {
        return incomplete_tables(m, parents);
    };
    match target(&parents.route_tables, &p, "RouteTableId") {
        Target::Found(i) => {
            let route = Route {
                destination: destination(&p),
                target: route_target(&p, types),
                origin: r.origin.clone(),
            };
            m.route_tables[i].routes.push(route);
        }
        Target::Elsewhere => {}
        Target::Unknown => incomplete_tables(m, parents),
    }
}

/// `AWS::EC2::VPNGatewayRoutePropagation`: the gateway's BGP routes are propagated into
/// each table of `RouteTableIds`. Their prefixes come from on-premises, so each table gets
/// a route whose destination is unknown (any prefix, the default route included).
pub(super) fn fold_propagation(m: &mut Model, parents: &Parents, r: &Res) {
    let Ok(p) = r.props() else {
        return incomplete_tables(m, parents);
    };
    let gateway = p
        .get("VpnGatewayId")
        .and_then(|e| as_key(&e.v))
        .unwrap_or_else(|| "a virtual private gateway".to_string());
    let tables = match p.get("RouteTableIds").map(|e| &e.v) {
        Some(V::List(items)) => items,
        _ => return incomplete_tables(m, parents),
    };
    for t in tables {
        match as_key(&t.v).map(|k| parents.route_tables.get(&k).copied()) {
            Some(Some(i)) => m.route_tables[i].routes.push(Route {
                destination: Value::unknown(
                    format!(
                        "routes propagated by {gateway} (BGP from on-premises; their prefixes are not in the configuration)"
                    ),
                    r.origin.clone(),
                ),
                target: Value::set(
                    RouteTarget::VirtualPrivateGateway(gateway.clone()),
                    r.origin.clone(),
                ),
                origin: r.origin.clone(),
            }),
            // A literal id of a table outside this template.
            Some(None) if matches!(t.v, V::Str(_)) => {}
            _ => return incomplete_tables(m, parents),
        }
    }
}

/// A route whose table is unknown may be in any table: none can prove a route absent.
fn incomplete_tables(m: &mut Model, parents: &Parents) {
    for rt in &mut m.route_tables[parents.starts.route_tables..] {
        rt.routes_complete = false;
    }
}

fn destination(p: &Props) -> Value<RouteDestination> {
    for name in ["DestinationCidrBlock", "DestinationIpv6CidrBlock"] {
        if let Some(e) = p.get(name) {
            return read::from_ev(name, e, |v| read::as_string(v).map(RouteDestination::Cidr));
        }
    }
    if let Some(e) = p.get("DestinationPrefixListId") {
        return read::from_ev("DestinationPrefixListId", e, |v| {
            as_key(v).map(|k| RouteDestination::PrefixList(Ref::new(k)))
        });
    }
    Value::unknown("the route has no destination", p.origin.clone())
}

fn route_target(p: &Props, types: &Types) -> Value<RouteTarget> {
    type Make = fn(String) -> RouteTarget;
    let kinds: [(&str, Make); 10] = [
        ("NatGatewayId", |k| RouteTarget::NatGateway(Ref::new(k))),
        ("VpcEndpointId", RouteTarget::VpcEndpoint),
        ("NetworkInterfaceId", RouteTarget::NetworkInterface),
        ("VpcPeeringConnectionId", RouteTarget::VpcPeering),
        ("TransitGatewayId", RouteTarget::TransitGateway),
        (
            "EgressOnlyInternetGatewayId",
            RouteTarget::EgressOnlyInternetGateway,
        ),
        ("CarrierGatewayId", RouteTarget::Other),
        ("LocalGatewayId", RouteTarget::Other),
        ("CoreNetworkArn", RouteTarget::Other),
        // AWS routes to the instance's primary network interface.
        ("InstanceId", RouteTarget::NetworkInterface),
    ];
    if let Some(e) = p.get("GatewayId") {
        return read::from_ev("GatewayId", e, |v| gateway(v, types));
    }
    for (name, make) in kinds {
        if let Some(e) = p.get(name) {
            return read::from_ev(name, e, |v| as_key(v).map(make));
        }
    }
    Value::unknown("the route has no target", p.origin.clone())
}

/// `GatewayId`: an internet gateway, a virtual private gateway, or `local`.
fn gateway(v: &super::super::intrinsics::V, types: &Types) -> Option<RouteTarget> {
    use super::super::intrinsics::V;
    Some(match v {
        V::Res { address, .. } => match types.get(address.as_str()).copied() {
            Some("AWS::EC2::InternetGateway") => {
                RouteTarget::InternetGateway(Ref::new(address.clone()))
            }
            Some("AWS::EC2::VPNGateway") => RouteTarget::VirtualPrivateGateway(address.clone()),
            _ => RouteTarget::Other(address.clone()),
        },
        V::Str(id) if id == "local" => RouteTarget::Local,
        V::Str(id) if id.starts_with("igw-") => RouteTarget::InternetGateway(Ref::new(id.clone())),
        V::Str(id) if id.starts_with("vgw-") => RouteTarget::VirtualPrivateGateway(id.clone()),
        V::Str(id) if !id.is_empty() => RouteTarget::Other(id.clone()),
        _ => return None,
    })
}

/// `AWS::EC2::VPCGatewayAttachment` attaches an internet gateway to a VPC.
pub(super) fn fold_igw_attachment(m: &mut Model, parents: &Parents, r: &Res) {
    let Ok(p) = r.props() else { return };
    if p.get("InternetGatewayId").is_none() {
        return; // A virtual private gateway attachment.
    }
    let vpc = p.value("VpcId", Absent::Required, |v| {
        as_key(v).map(|k| Some(Ref::new(k)))
    });
    match target(&parents.internet_gateways, &p, "InternetGatewayId") {
        Target::Found(i) => m.internet_gateways[i].vpc = vpc,
        Target::Elsewhere => {}
        Target::Unknown => {
            for igw in &mut m.internet_gateways[parents.starts.internet_gateways..] {
                if igw.vpc.get() == Some(&None) {
                    igw.vpc = Value::unknown(
                        format!("{} attaches an unknown internet gateway", r.address),
                        r.origin.clone(),
                    );
                }
            }
        }
    }
}

/// `AWS::EC2::VPCCidrBlock`: a secondary or IPv6 CIDR.
pub(super) fn fold_cidr_block(m: &mut Model, parents: &Parents, r: &Res) {
    let Ok(p) = r.props() else { return };
    let name = if p.get("CidrBlock").is_some() {
        "CidrBlock"
    } else {
        "Ipv6CidrBlock"
    };
    let cidr = p.string(
        name,
        Absent::Unknown("the CIDR is allocated (IPAM or Amazon-provided) at deployment"),
    );
    match target(&parents.vpcs, &p, "VpcId") {
        Target::Found(i) => m.vpcs[i].extra_cidr_blocks.push(cidr),
        Target::Elsewhere => {}
        Target::Unknown => {
            for vpc in &mut m.vpcs[parents.starts.vpcs..] {
                vpc.extra_cidr_blocks.push(Value::unknown(
                    format!("{} adds a CIDR to an unknown VPC", r.address),
                    r.origin.clone(),
                ));
            }
        }
    }
}

pub(super) fn security_group(r: &Res) -> SecurityGroup {
    let (vpc, name, rules) = match r.props() {
        Err(u) => (
            unknown(&u),
            unknown(&u),
            vec![
                unknown_rule(Direction::Ingress, &u),
                unknown_rule(Direction::Egress, &u),
            ],
        ),
        Ok(p) => {
            let mut rules = Vec::new();
            for (list, direction) in [
                ("SecurityGroupIngress", Direction::Ingress),
                ("SecurityGroupEgress", Direction::Egress),
            ] {
                match p.objects(list) {
                    Ok(items) => {
                        for i in &items {
                            rules.extend(split(i, direction, None, i.origin.clone()));
                        }
                    }
                    Err(u) => rules.push(unknown_rule(direction, &u)),
                }
            }
            let egress_listed = match p.get("SecurityGroupEgress").map(|e| &e.v) {
                Some(super::super::intrinsics::V::List(items)) => !items.is_empty(),
                Some(_) => true,
                None => false,
            };
            if !egress_listed {
                rules.push(default_egress(p.origin));
            }
            (p.opt_reference("VpcId"), p.opt_string("GroupName"), rules)
        }
    };
    SecurityGroup {
        meta: r.meta(None),
        vpc,
        name,
        is_default: false,
        rules: rules
            .into_iter()
            .map(|rule| self_peer(rule, &r.address))
            .collect(),
        rules_complete: true,
    }
}

/// A rule whose peer is its own group is Terraform's `self = true`: the same AWS rule.
fn self_peer(mut rule: SgRule, group: &str) -> SgRule {
    if let Value::Set { value, origin } = &rule.peer
        && matches!(value, SgPeer::SecurityGroup(g) if g.key == group)
    {
        rule.peer = Value::set(SgPeer::SelfGroup, origin.clone());
    }
    rule
}

/// The allow-all egress rule AWS creates with a group and CloudFormation keeps when the
/// template lists no egress rule.
fn default_egress(origin: &Origin) -> SgRule {
    SgRule {
        direction: Direction::Egress,
        protocol: Value::default_value("-1".to_string(), origin.clone()),
        from_port: Value::default_value(0, origin.clone()),
        to_port: Value::default_value(65535, origin.clone()),
        peer: Value::default_value(SgPeer::Ipv4("0.0.0.0/0".into()), origin.clone()),
        description: Value::default_value(None, origin.clone()),
        declared_by: None,
        origin: origin.clone(),
    }
}

/// `AWS::EC2::SecurityGroupIngress` / `Egress`, folded into the group `GroupId` names.
pub(super) fn fold_sg_rule(m: &mut Model, parents: &Parents, r: &Res) {
    let direction = if r.rtype == "AWS::EC2::SecurityGroupIngress" {
        Direction::Ingress
    } else {
        Direction::Egress
    };
    let incomplete = |m: &mut Model| {
        for sg in &mut m.security_groups[parents.starts.security_groups..] {
            sg.rules_complete = false;
        }
    };
    let Ok(p) = r.props() else {
        return incomplete(m);
    };
    // `GroupName` names a group of the default VPC, which the alias index may hold.
    let group = if p.get("GroupId").is_none() && p.get("GroupName").is_some() {
        "GroupName"
    } else {
        "GroupId"
    };
    match target(&parents.security_groups, &p, group) {
        Target::Found(i) => {
            let group = m.security_groups[i].meta.address.clone();
            let rules = split(&p, direction, Some(&r.address), r.origin.clone());
            m.security_groups[i]
                .rules
                .extend(rules.into_iter().map(|rule| self_peer(rule, &group)));
        }
        Target::Elsewhere => {}
        Target::Unknown => incomplete(m),
    }
}

/// One model rule per peer of a rule object (inline or standalone: same property names).
fn split(
    p: &Props,
    direction: Direction,
    declared_by: Option<&str>,
    origin: Origin,
) -> Vec<SgRule> {
    let protocol = p.value("IpProtocol", Absent::Required, |v| {
        read::as_string(v).map(|s| normalize_protocol(&s))
    });
    // Ports are optional for "-1" (all ports) and ICMP (all types and codes).
    let (from, to) = match protocol.get().map(String::as_str) {
        Some("-1") => (Absent::Default(0), Absent::Default(65535)),
        Some("icmp" | "icmpv6") => (Absent::Default(-1), Absent::Default(-1)),
        _ => (Absent::Required, Absent::Required),
    };
    let (from_port, to_port) = (p.int("FromPort", from), p.int("ToPort", to));
    let description = p.opt_string("Description");
    let (cidr4, cidr6, prefix, group) = match direction {
        Direction::Ingress => (
            "CidrIp",
            "CidrIpv6",
            "SourcePrefixListId",
            "SourceSecurityGroupId",
        ),
        Direction::Egress => (
            "CidrIp",
            "CidrIpv6",
            "DestinationPrefixListId",
            "DestinationSecurityGroupId",
        ),
    };
    type Make = fn(String) -> SgPeer;
    let kinds: [(&str, Make); 4] = [
        (cidr4, SgPeer::Ipv4),
        (cidr6, SgPeer::Ipv6),
        (prefix, |k| SgPeer::PrefixList(Ref::new(k))),
        (group, |k| SgPeer::SecurityGroup(Ref::new(k))),
    ];
    let mut peers: Vec<Value<SgPeer>> = kinds
        .iter()
        .filter_map(|(name, make)| {
            let e = p.get(name)?;
            Some(read::from_ev(name, e, |v| {
                if name.starts_with("Cidr") {
                    read::as_string(v).map(make)
                } else {
                    as_key(v).map(make)
                }
            }))
        })
        .collect();
    if peers.is_empty() {
        peers.push(Value::unknown("the rule names no peer", p.origin.clone()));
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

/// Lower case, `all` → `-1`, common numbers to their names (the EC2 API accepts either
/// spelling and reports the name) — the Terraform mapper's normalization.
pub(super) fn normalize_protocol(raw: &str) -> String {
    let p = raw.trim().to_ascii_lowercase();
    match p.as_str() {
        "-1" | "all" => "-1".into(),
        "6" => "tcp".into(),
        "17" => "udp".into(),
        "1" => "icmp".into(),
        "58" => "icmpv6".into(),
        _ => p,
    }
}

/// A custom network ACL: its entries are `AWS::EC2::NetworkAclEntry` resources.
pub(super) fn network_acl(r: &Res) -> NetworkAcl {
    NetworkAcl {
        meta: r.meta(None),
        vpc: with_props(r, |p| p.reference("VpcId", Absent::Required), unknown),
        is_default: false,
        subnets: Value::default_value(Vec::new(), r.origin.clone()),
        entries: Vec::new(),
        entries_complete: true,
    }
}

/// `AWS::EC2::NetworkAclEntry`, folded into its ACL.
pub(super) fn fold_nacl_entry(m: &mut Model, parents: &Parents, r: &Res) {
    let incomplete = |m: &mut Model| {
        for acl in &mut m.network_acls[parents.starts.network_acls..] {
            acl.entries_complete = false;
        }
    };
    let Ok(p) = r.props() else {
        return incomplete(m);
    };
    let i = match target(&parents.network_acls, &p, "NetworkAclId") {
        Target::Found(i) => i,
        Target::Elsewhere => return,
        Target::Unknown => return incomplete(m),
    };
    let Some(&egress) = p.boolean("Egress", Absent::Default(false)).get() else {
        m.network_acls[i].entries_complete = false;
        return;
    };
    let protocol = p.value("Protocol", Absent::Required, |v| {
        read::as_string(v).map(|s| normalize_protocol(&s))
    });
    let (from_port, to_port) = match protocol.get().map(String::as_str) {
        // All traffic: AWS ignores ports.
        Some("-1") => (
            Value::default_value(0, p.origin.clone()),
            Value::default_value(65535, p.origin.clone()),
        ),
        // ICMP entries have no ports; absent type/code = all, spelled -1 by AWS.
        Some("icmp" | "icmpv6") => (
            Value::default_value(-1, p.origin.clone()),
            Value::default_value(-1, p.origin.clone()),
        ),
        _ => match p.object("PortRange") {
            Err(u) => (u.value(), u.value()),
            Ok(None) => (
                Value::unknown("PortRange is not set", p.origin.clone()),
                Value::unknown("PortRange is not set", p.origin.clone()),
            ),
            Ok(Some(range)) => (
                range.int("From", Absent::Required),
                range.int("To", Absent::Required),
            ),
        },
    };
    let cidr_block = match p.get("CidrBlock") {
        Some(e) => read::from_ev("CidrBlock", e, read::as_string),
        None => p.string(
            "Ipv6CidrBlock",
            Absent::Unknown("the entry has no CidrBlock or Ipv6CidrBlock"),
        ),
    };
    let entry = NaclEntry {
        egress,
        rule_number: p.int("RuleNumber", Absent::Required),
        protocol,
        allow: p.value("RuleAction", Absent::Required, |v| {
            match read::as_string(v)?.to_ascii_lowercase().as_str() {
                "allow" => Some(true),
                "deny" => Some(false),
                _ => None,
            }
        }),
        cidr_block,
        from_port,
        to_port,
        declared_by: Some(r.address.clone()),
        origin: r.origin.clone(),
    };
    m.network_acls[i].entries.push(entry);
}

pub(super) fn nacl_association(r: &Res) -> NaclAssociation {
    with_props(
        r,
        |p| NaclAssociation {
            meta: r.meta(None),
            network_acl: p.reference("NetworkAclId", Absent::Required),
            subnet: p.reference("SubnetId", Absent::Required),
        },
        |u| NaclAssociation {
            meta: r.meta(None),
            network_acl: unknown(u),
            subnet: unknown(u),
        },
    )
}
