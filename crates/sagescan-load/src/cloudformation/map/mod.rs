//! The CloudFormation mapper: evaluated resources → model resources.
//!
//! The only place that knows what CloudFormation resource types and property names mean,
//! including the AWS defaults for absent properties, which are the same as the Terraform
//! mapper's wherever AWS (not the Terraform provider) decides them, so that one scenario
//! gives one model. Like that mapper it works in two passes: resources that become model
//! resources, then the standalone ones folded into the parent they name
//! (`AWS::EC2::SecurityGroupIngress`, `AWS::EC2::Route`, `AWS::EC2::NetworkAclEntry`,
//! `AWS::EC2::VPCGatewayAttachment`, …), each folded rule keeping `declared_by`. Resource
//! types the model does not describe are ignored: they are not coverage gaps.

mod dns;
mod firewall;
mod network;
pub(crate) mod read;
mod sagemaker;

use super::intrinsics::Ev;
use read::Props;
use sagescan_model::{ConfigId, Meta, Model, Origin, Value};
use std::collections::HashMap;

/// One evaluated resource of a configuration.
#[derive(Clone, Debug)]
pub(crate) struct Res {
    /// The logical id, prefixed by the nested stacks it is in (`Network.PrivateSubnetA`).
    pub address: String,
    pub rtype: String,
    pub config: ConfigId,
    /// The whole declaration.
    pub origin: Origin,
    /// The evaluated `Properties` (absent = `None`).
    pub props: Option<Ev>,
}

impl Res {
    /// The properties; a `Properties` that is not an object (e.g. an undecidable `Fn::If`)
    /// reads as empty with every property unknown for that reason.
    fn props(&self) -> Result<Props<'_>, read::Unknowable> {
        Props::of(self.props.as_ref(), &self.origin)
    }

    /// The common identity. `name`: the property holding the resource's physical name,
    /// which other resources may use to refer to it (SageMaker and Network Firewall
    /// resources are referenced by name), kept as an alias when literal.
    fn meta(&self, name: Option<&str>) -> Meta {
        let mut meta = Meta::new(&self.address, &self.rtype, self.config, self.origin.clone());
        match self.props() {
            Ok(p) => {
                meta.tags = p.tags();
                if let Some(n) = name.and_then(|n| p.get(n)).and_then(Ev::text) {
                    meta.aliases.push(n);
                }
            }
            Err(u) => meta.tags = u.value(),
        }
        meta
    }
}

/// Reads the properties of `r`, or gives every field the reason they cannot be read.
fn with_props<T>(
    r: &Res,
    read: impl FnOnce(Props) -> T,
    unknown: impl FnOnce(&read::Unknowable) -> T,
) -> T {
    match r.props() {
        Ok(p) => read(p),
        Err(u) => unknown(&u),
    }
}

/// Maps the resources of one configuration into `model`.
pub(crate) fn map_resources(model: &mut Model, resources: &[Res]) {
    let types: HashMap<&str, &str> = resources
        .iter()
        .map(|r| (r.address.as_str(), r.rtype.as_str()))
        .collect();
    let starts = crate::fold::Starts::of(model);
    for r in resources {
        map_parent(model, r);
    }
    let parents = Parents::index(model, starts);
    for r in resources {
        fold_child(model, &types, &parents, r);
    }
}

type Types<'a> = HashMap<&'a str, &'a str>;

fn map_parent(m: &mut Model, r: &Res) {
    match r.rtype.as_str() {
        "AWS::EC2::VPC" => m.vpcs.push(network::vpc(r)),
        "AWS::EC2::Subnet" => m.subnets.push(network::subnet(r)),
        "AWS::EC2::InternetGateway" => m.internet_gateways.push(network::internet_gateway(r)),
        "AWS::EC2::NatGateway" => m.nat_gateways.push(network::nat_gateway(r)),
        "AWS::EC2::VPCEndpoint" => m.vpc_endpoints.push(network::endpoint(r)),
        "AWS::EC2::PrefixList" => m.prefix_lists.push(network::prefix_list(r)),
        "AWS::EC2::FlowLog" => m.flow_logs.push(network::flow_log(r)),
        "AWS::EC2::RouteTable" => m.route_tables.push(network::route_table(r)),
        "AWS::EC2::SubnetRouteTableAssociation" | "AWS::EC2::GatewayRouteTableAssociation" => {
            m.route_table_associations.push(network::association(r))
        }
        "AWS::EC2::SecurityGroup" => m.security_groups.push(network::security_group(r)),
        "AWS::EC2::NetworkAcl" => m.network_acls.push(network::network_acl(r)),
        "AWS::EC2::SubnetNetworkAclAssociation" => {
            m.nacl_associations.push(network::nacl_association(r))
        }
        "AWS::NetworkFirewall::Firewall" => m.firewalls.push(firewall::firewall(r)),
        "AWS::NetworkFirewall::FirewallPolicy" => m.firewall_policies.push(firewall::policy(r)),
        "AWS::NetworkFirewall::RuleGroup" => m.rule_groups.push(firewall::rule_group(r)),
        "AWS::NetworkFirewall::LoggingConfiguration" => {
            m.firewall_logging.push(firewall::logging(r))
        }
        "AWS::Route53Resolver::FirewallRuleGroupAssociation" => m
            .dns_firewall_rule_group_associations
            .push(dns::association(r)),
        "AWS::Route53Resolver::FirewallRuleGroup" => {
            m.dns_firewall_rule_groups.push(dns::rule_group(r))
        }
        "AWS::Route53Resolver::FirewallDomainList" => {
            m.dns_firewall_domain_lists.push(dns::domain_list(r))
        }
        "AWS::EC2::DHCPOptions" => m.vpc_dhcp_options.push(dns::dhcp_options(r)),
        "AWS::EC2::VPCDHCPOptionsAssociation" => {
            m.dhcp_options_associations.push(dns::dhcp_association(r))
        }
        "AWS::SageMaker::Model" => m.models.push(sagemaker::model(r)),
        "AWS::SageMaker::NotebookInstance" => m.notebook_instances.push(sagemaker::notebook(r)),
        "AWS::SageMaker::EndpointConfig" => m.endpoint_configs.push(sagemaker::endpoint_config(r)),
        "AWS::SageMaker::Endpoint" => m.endpoints.push(sagemaker::endpoint(r)),
        "AWS::SageMaker::Domain" => m.domains.push(sagemaker::domain(r)),
        "AWS::SageMaker::UserProfile" => m.user_profiles.push(sagemaker::user_profile(r)),
        "AWS::SageMaker::Space" => m.spaces.push(sagemaker::space(r)),
        "AWS::SageMaker::DataQualityJobDefinition"
        | "AWS::SageMaker::ModelQualityJobDefinition"
        | "AWS::SageMaker::ModelBiasJobDefinition"
        | "AWS::SageMaker::ModelExplainabilityJobDefinition"
        | "AWS::SageMaker::MonitoringSchedule" => {
            m.monitoring_jobs.extend(sagemaker::monitoring(r))
        }
        _ => {}
    }
}

fn fold_child(m: &mut Model, types: &Types, parents: &Parents, r: &Res) {
    match r.rtype.as_str() {
        "AWS::EC2::Route" => network::fold_route(m, types, parents, r),
        "AWS::EC2::VPNGatewayRoutePropagation" => network::fold_propagation(m, parents, r),
        "AWS::EC2::SecurityGroupIngress" | "AWS::EC2::SecurityGroupEgress" => {
            network::fold_sg_rule(m, parents, r)
        }
        "AWS::EC2::NetworkAclEntry" => network::fold_nacl_entry(m, parents, r),
        "AWS::EC2::VPCGatewayAttachment" => network::fold_igw_attachment(m, parents, r),
        "AWS::EC2::VPCCidrBlock" => network::fold_cidr_block(m, parents, r),
        _ => {}
    }
}

/// Address → index of this configuration's parents.
pub(crate) type Parents = crate::fold::ParentIndex;

/// Where a standalone child's parent property points.
pub(crate) enum Target {
    Found(usize),
    /// A literal id of something outside the configuration.
    Elsewhere,
    /// Not knowable: the child may extend any parent of this configuration.
    Unknown,
}

pub(crate) fn target(index: &HashMap<String, usize>, p: &Props, name: &str) -> Target {
    match p.get(name).map(|e| &e.v) {
        Some(v) => match read::as_key(v) {
            Some(key) => match index.get(&key) {
                Some(&i) => Target::Found(i),
                None if matches!(v, super::intrinsics::V::Res { .. }) => Target::Unknown,
                None => Target::Elsewhere,
            },
            None => Target::Unknown,
        },
        None => Target::Unknown,
    }
}

/// A value every field of which is unknown for the same reason.
pub(crate) fn unknown<T>(u: &read::Unknowable) -> Value<T> {
    u.value()
}
