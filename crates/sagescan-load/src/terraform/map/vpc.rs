//! VPCs, subnets, gateways, VPC endpoints, managed prefix lists and flow logs, plus the
//! standalone resources that extend them (IGW attachments, endpoint associations, secondary
//! CIDRs, prefix list entries).

use super::super::ir::Instance;
use super::attr::{self, Absent, Unknowable, boolean, opt_string, reference, references, string};
use super::{Parents, Scope, Target, meta, target};
use sagescan_model::network::*;
use sagescan_model::{Model, Ref, Value};

/// `aws_vpc` / `aws_default_vpc`.
pub(super) fn vpc(inst: &Instance) -> Vpc {
    let b = &inst.body;
    let is_default_vpc = inst.rtype == "aws_default_vpc";
    let cidr_block = if is_default_vpc {
        // "The default VPC has a size /16 IPv4 CIDR block (172.31.0.0/16)":
        // https://docs.aws.amazon.com/vpc/latest/userguide/default-vpc.html
        Value::default_value("172.31.0.0/16".into(), b.origin.clone())
    } else {
        string(
            b,
            "cidr_block",
            Absent::Unknown("cidr_block is not set: AWS allocates it (IPAM) at apply"),
        )
    };
    let extra_cidr_blocks = match attr::present(b, "ipv6_cidr_block") {
        Some(a) => vec![attr::from_attr("ipv6_cidr_block", a, attr::as_string)],
        None => Vec::new(),
    };
    Vpc {
        meta: meta(inst, false),
        cidr_block,
        extra_cidr_blocks,
        enable_dns_support: boolean(b, "enable_dns_support", Absent::Default(true)),
        // DNS hostnames are on in default VPCs and off in others (AWS VPC user guide,
        // "DNS attributes for your VPC").
        enable_dns_hostnames: boolean(b, "enable_dns_hostnames", Absent::Default(is_default_vpc)),
        is_default: if is_default_vpc {
            Value::set(true, inst.origin.clone())
        } else {
            Value::default_value(false, b.origin.clone())
        },
    }
}

/// `aws_subnet` / `aws_default_subnet`.
pub(super) fn subnet(inst: &Instance, scope: &Scope) -> Subnet {
    let b = &inst.body;
    let is_default_subnet = inst.rtype == "aws_default_subnet";
    let (vpc, cidr_block) = if is_default_subnet {
        // A default subnet belongs to the region's default VPC and AWS picks its CIDR.
        let vpc = match scope.first_of("aws_default_vpc") {
            Some(address) => Value::default_value(Ref::new(address), b.origin.clone()),
            None => Value::unknown("the region's default VPC is not declared", b.origin.clone()),
        };
        (
            vpc,
            Value::unknown("a default subnet's CIDR is chosen by AWS", b.origin.clone()),
        )
    } else {
        (
            reference(b, "vpc_id", Absent::Required),
            string(
                b,
                "cidr_block",
                Absent::Unknown("cidr_block is not set: AWS allocates it (IPAM) at apply"),
            ),
        )
    };
    let availability_zone = match attr::present(b, "availability_zone_id") {
        // A zone id (use1-az1) names the same zones as the names do, but differently per
        // account; mixing the two would make one zone look like two.
        Some(a) if attr::present(b, "availability_zone").is_none() => Value::unknown(
            "availability_zone_id is set; the zone name is known only after apply",
            a.origin.clone(),
        ),
        _ => string(
            b,
            "availability_zone",
            Absent::Unknown("availability_zone is not set: chosen by AWS at apply"),
        ),
    };
    Subnet {
        meta: meta(inst, false),
        vpc,
        cidr_block,
        availability_zone,
        // Default subnets map public IPs on launch; others do not (AWS VPC user guide,
        // "Default subnets").
        map_public_ip_on_launch: boolean(
            b,
            "map_public_ip_on_launch",
            Absent::Default(is_default_subnet),
        ),
    }
}

pub(super) fn internet_gateway(inst: &Instance) -> InternetGateway {
    InternetGateway {
        meta: meta(inst, false),
        vpc: attr::opt_reference(&inst.body, "vpc_id"),
    }
}

pub(super) fn nat_gateway(inst: &Instance) -> NatGateway {
    let b = &inst.body;
    NatGateway {
        meta: meta(inst, false),
        subnet: reference(b, "subnet_id", Absent::Required),
        connectivity_type: string(b, "connectivity_type", Absent::Default("public".into())),
    }
}

/// `aws_vpc_endpoint`.
pub(super) fn endpoint(inst: &Instance) -> VpcEndpoint {
    let b = &inst.body;
    VpcEndpoint {
        meta: meta(inst, false),
        vpc: reference(b, "vpc_id", Absent::Required),
        service_name: string(b, "service_name", Absent::Required),
        endpoint_type: attr::value(
            b,
            "vpc_endpoint_type",
            Absent::Default(EndpointType::Gateway),
            |v| match attr::as_string(v)?.as_str() {
                "Gateway" => Some(EndpointType::Gateway),
                "Interface" => Some(EndpointType::Interface),
                "GatewayLoadBalancer" => Some(EndpointType::GatewayLoadBalancer),
                _ => None,
            },
        ),
        private_dns_enabled: boolean(b, "private_dns_enabled", Absent::Default(false)),
        subnets: references(b, "subnet_ids"),
        security_groups: references(b, "security_group_ids"),
        route_tables: references(b, "route_table_ids"),
        // The policy text itself is needed; a reference to a computed document is Unknown.
        policy: opt_string(b, "policy"),
    }
}

/// `aws_ec2_managed_prefix_list`: the CIDRs of its `entry` blocks.
pub(super) fn prefix_list(inst: &Instance) -> ManagedPrefixList {
    let b = &inst.body;
    let entries = match attr::blocks(b, "entry") {
        Err(u) => u.value(),
        Ok(blocks) if blocks.is_empty() => Value::default_value(Vec::new(), b.origin.clone()),
        Ok(blocks) => {
            let mut list = Value::set(Vec::new(), b.origin.clone());
            for e in &blocks {
                attr::push(&mut list, string(e, "cidr", Absent::Required), &b.origin);
            }
            list
        }
    };
    ManagedPrefixList {
        meta: meta(inst, false),
        entries,
    }
}

/// `aws_flow_log`: its target is whichever of the target attributes is set.
pub(super) fn flow_log(inst: &Instance) -> FlowLog {
    let b = &inst.body;
    type Make = fn(String) -> FlowLogTarget;
    let kinds: [(&str, Make); 5] = [
        ("vpc_id", |k| FlowLogTarget::Vpc(Ref::new(k))),
        ("subnet_id", |k| FlowLogTarget::Subnet(Ref::new(k))),
        ("eni_id", FlowLogTarget::NetworkInterface),
        ("transit_gateway_id", FlowLogTarget::TransitGateway),
        (
            "transit_gateway_attachment_id",
            FlowLogTarget::TransitGateway,
        ),
    ];
    let target = kinds
        .iter()
        .find_map(|(name, make)| {
            attr::present(b, name).map(|a| attr::from_attr(name, a, |v| attr::as_key(v).map(make)))
        })
        .unwrap_or_else(|| {
            Value::unknown(
                "flow log has no vpc_id, subnet_id, eni_id or transit_gateway_id",
                b.origin.clone(),
            )
        });
    FlowLog {
        meta: meta(inst, false),
        target,
        // The provider has no default: it requires traffic_type for VPC, subnet and ENI logs.
        traffic_type: string(b, "traffic_type", Absent::Required),
    }
}

/// `aws_internet_gateway_attachment` attaches a detached IGW to a VPC.
pub(super) fn fold_igw_attachment(m: &mut Model, parents: &Parents, inst: &Instance) {
    let vpc = attr::value(&inst.body, "vpc_id", Absent::Required, |v| {
        attr::as_key(v).map(|k| Some(Ref::new(k)))
    });
    match target(&parents.internet_gateways, inst, "internet_gateway_id") {
        Target::Found(i) => m.internet_gateways[i].vpc = vpc,
        Target::Elsewhere => {}
        // Any gateway of this configuration that looks detached may be the one attached.
        Target::Unknown(u) => {
            for igw in &mut m.internet_gateways[parents.starts.internet_gateways..] {
                if igw.vpc.get() == Some(&None) {
                    igw.vpc = attached_to_unknown(inst, &u);
                }
            }
        }
    }
}

fn attached_to_unknown<T>(inst: &Instance, u: &Unknowable) -> Value<T> {
    Value::unknown(
        format!(
            "{} attaches an unknown resource: {}",
            inst.address, u.reason
        ),
        u.origin.clone(),
    )
}

/// `aws_vpc_endpoint_route_table_association` / `aws_vpc_endpoint_subnet_association`.
pub(super) fn fold_endpoint_association(m: &mut Model, parents: &Parents, inst: &Instance) {
    let b = &inst.body;
    let route_table = inst.rtype == "aws_vpc_endpoint_route_table_association";
    let endpoints = &mut m.vpc_endpoints;
    let range = parents.starts.vpc_endpoints..endpoints.len();
    let chosen: Vec<usize> = match target(&parents.vpc_endpoints, inst, "vpc_endpoint_id") {
        Target::Found(i) => vec![i],
        Target::Elsewhere => Vec::new(),
        Target::Unknown(u) => {
            // Which endpoint gains the association is unknown: every endpoint's list is.
            for e in &mut endpoints[range] {
                if route_table {
                    e.route_tables = attached_to_unknown(inst, &u);
                } else {
                    e.subnets = attached_to_unknown(inst, &u);
                }
            }
            Vec::new()
        }
    };
    for i in chosen {
        let e = &mut endpoints[i];
        if route_table {
            attr::push(
                &mut e.route_tables,
                reference(b, "route_table_id", Absent::Required),
                &inst.origin,
            );
        } else {
            attr::push(
                &mut e.subnets,
                reference(b, "subnet_id", Absent::Required),
                &inst.origin,
            );
        }
    }
}

/// `aws_vpc_ipv4_cidr_block_association` / `aws_vpc_ipv6_cidr_block_association`.
pub(super) fn fold_cidr_association(m: &mut Model, parents: &Parents, inst: &Instance) {
    let b = &inst.body;
    let name = if inst.rtype == "aws_vpc_ipv4_cidr_block_association" {
        "cidr_block"
    } else {
        "ipv6_cidr_block"
    };
    let cidr = string(
        b,
        name,
        Absent::Unknown("the CIDR is allocated (IPAM or Amazon-provided) at apply"),
    );
    match target(&parents.vpcs, inst, "vpc_id") {
        Target::Found(i) => m.vpcs[i].extra_cidr_blocks.push(cidr),
        Target::Elsewhere => {}
        Target::Unknown(u) => {
            for vpc in &mut m.vpcs[parents.starts.vpcs..] {
                vpc.extra_cidr_blocks.push(attached_to_unknown(inst, &u));
            }
        }
    }
}

/// `aws_ec2_managed_prefix_list_entry`.
pub(super) fn fold_prefix_list_entry(m: &mut Model, parents: &Parents, inst: &Instance) {
    let cidr = string(&inst.body, "cidr", Absent::Required);
    match target(&parents.prefix_lists, inst, "prefix_list_id") {
        Target::Found(i) => attr::push(&mut m.prefix_lists[i].entries, cidr, &inst.origin),
        Target::Elsewhere => {}
        Target::Unknown(u) => {
            for pl in &mut m.prefix_lists[parents.starts.prefix_lists..] {
                pl.entries = attached_to_unknown(inst, &u);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::super::ir::Val;
    use super::super::test_support::*;
    use super::*;

    #[test]
    fn vpc_and_subnet_defaults() {
        let m = run(vec![
            blk(1)
                .a("cidr_block", s("10.0.0.0/16"))
                .a("enable_dns_hostnames", Val::Bool(true))
                .inst("aws_vpc.main"),
            blk(5)
                .a("vpc_id", r("aws_vpc.main", "id"))
                .a("cidr_block", s("10.0.1.0/24"))
                .inst("aws_subnet.a"),
            blk(9).inst("aws_default_vpc.default"),
            blk(12)
                .a("availability_zone", s("us-east-1a"))
                .inst("aws_default_subnet.a"),
        ]);
        let vpc = &m.vpcs[0];
        assert_eq!(vpc.enable_dns_support, Value::default_value(true, at(1)));
        assert_eq!(vpc.enable_dns_hostnames, Value::set(true, at(3)));
        assert_eq!(vpc.is_default, Value::default_value(false, at(1)));
        let default_vpc = &m.vpcs[1];
        assert_eq!(default_vpc.is_default, Value::set(true, at(9)));
        assert_eq!(
            default_vpc.enable_dns_hostnames,
            Value::default_value(true, at(9))
        );
        assert_eq!(
            default_vpc.cidr_block.get().map(String::as_str),
            Some("172.31.0.0/16")
        );

        let subnet = &m.subnets[0];
        assert_eq!(
            subnet.vpc.get().map(|r| r.key.as_str()),
            Some("aws_vpc.main")
        );
        assert_eq!(
            subnet.availability_zone.unknown_reason(),
            Some("availability_zone is not set: chosen by AWS at apply")
        );
        assert_eq!(
            subnet.map_public_ip_on_launch,
            Value::default_value(false, at(5))
        );
        let default_subnet = &m.subnets[1];
        assert_eq!(
            default_subnet.map_public_ip_on_launch,
            Value::default_value(true, at(12))
        );
        assert_eq!(
            default_subnet.vpc.get().map(|r| r.key.as_str()),
            Some("aws_default_vpc.default")
        );
        assert!(default_subnet.cidr_block.unknown_reason().is_some());
    }

    #[test]
    fn gateways_and_attachment() {
        let m = run(vec![
            blk(1).inst("aws_internet_gateway.gw"),
            blk(3)
                .a("vpc_id", r("aws_vpc.main", "id"))
                .a("internet_gateway_id", r("aws_internet_gateway.gw", "id"))
                .inst("aws_internet_gateway_attachment.a"),
            blk(7)
                .a("subnet_id", r("aws_subnet.pub", "id"))
                .inst("aws_nat_gateway.nat"),
        ]);
        let igw = &m.internet_gateways[0];
        assert_eq!(
            igw.vpc.get().unwrap().as_ref().map(|r| r.key.as_str()),
            Some("aws_vpc.main")
        );
        assert_eq!(line(&igw.vpc), 4);
        assert_eq!(
            m.nat_gateways[0].connectivity_type,
            Value::default_value("public".to_string(), at(7))
        );
    }

    #[test]
    fn detached_gateway_attached_by_unknown_id_is_unknown() {
        let m = run(vec![
            blk(1).inst("aws_internet_gateway.gw"),
            blk(3)
                .a("vpc_id", s("vpc-1"))
                .a("internet_gateway_id", unk("var.igw has no value"))
                .inst("aws_internet_gateway_attachment.a"),
        ]);
        assert_eq!(
            m.internet_gateways[0].vpc.unknown_reason(),
            Some(
                "aws_internet_gateway_attachment.a attaches an unknown resource: var.igw has no value"
            )
        );
    }

    #[test]
    fn endpoint_defaults_and_folded_associations() {
        let m = run(vec![
            blk(1)
                .a("vpc_id", r("aws_vpc.main", "id"))
                .a("service_name", s("com.amazonaws.us-east-1.s3"))
                .inst("aws_vpc_endpoint.s3"),
            blk(10)
                .a("vpc_endpoint_id", r("aws_vpc_endpoint.s3", "id"))
                .a("route_table_id", r("aws_route_table.private", "id"))
                .inst("aws_vpc_endpoint_route_table_association.private"),
        ]);
        let e = &m.vpc_endpoints[0];
        assert_eq!(
            e.endpoint_type,
            Value::default_value(EndpointType::Gateway, at(1))
        );
        assert_eq!(e.private_dns_enabled, Value::default_value(false, at(1)));
        assert_eq!(e.policy, Value::default_value(None, at(1)));
        assert_eq!(e.subnets, Value::default_value(Vec::new(), at(1)));
        assert!(e.route_tables.is_set());
        assert_eq!(keys(&e.route_tables), ["aws_route_table.private"]);
        assert_eq!(
            line(&e.route_tables),
            10,
            "a list extended by an association points at it"
        );
    }

    #[test]
    fn prefix_list_and_flow_log() {
        let m = run(vec![
            blk(1)
                .b("entry", blk(2).a("cidr", s("10.0.0.0/8")))
                .inst("aws_ec2_managed_prefix_list.corp"),
            blk(5)
                .a(
                    "prefix_list_id",
                    r("aws_ec2_managed_prefix_list.corp", "id"),
                )
                .a("cidr", s("192.168.0.0/16"))
                .inst("aws_ec2_managed_prefix_list_entry.e"),
            blk(9)
                .a("vpc_id", r("aws_vpc.main", "id"))
                .inst("aws_flow_log.f"),
        ]);
        assert_eq!(
            m.prefix_lists[0].entries.get().unwrap(),
            &["10.0.0.0/8", "192.168.0.0/16"]
        );
        let f = &m.flow_logs[0];
        assert_eq!(
            f.target.get(),
            Some(&FlowLogTarget::Vpc(Ref::new("aws_vpc.main")))
        );
        assert_eq!(
            f.traffic_type,
            Value::unknown("traffic_type is not set", at(9))
        );
    }
}
