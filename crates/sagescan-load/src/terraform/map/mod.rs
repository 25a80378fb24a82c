//! The Terraform mapper: evaluated resource instances ([`ir::Instance`]) → model resources.
//!
//! This is the only place that knows what the AWS provider's resource types and attribute
//! names mean, including the provider and AWS defaults for absent attributes. Each
//! configuration is mapped in two passes: first the resources that become model resources
//! (VPCs, security groups, route tables, …), then the standalone resources that extend a
//! parent (`aws_security_group_rule`, `aws_route`, `aws_network_acl_rule`, associations),
//! which are folded into the parent they reference so checks see the union AWS enforces.
//! Resource types the model does not describe are ignored: they are not coverage gaps.

mod attr;
mod dns;
mod firewall;
mod nacl;
mod route;
mod sagemaker;
mod security_group;
mod vpc;

use super::ir::Instance;
use crate::fold::{ParentIndex, Starts};
use attr::Absent;
use sagescan_model::{ConfigId, Meta, Model};
use std::collections::HashMap;

/// Maps every instance into `model`. Instances may belong to several configurations;
/// references (and folding) only ever resolve within an instance's own configuration.
pub fn map_instances(model: &mut Model, instances: &[Instance]) {
    let mut configs: Vec<ConfigId> = instances.iter().map(|i| i.config).collect();
    configs.sort_unstable();
    configs.dedup();
    for config in configs {
        let own: Vec<&Instance> = instances.iter().filter(|i| i.config == config).collect();
        map_config(model, &own);
    }
}

/// What the mappers of one configuration may look up about its other instances.
pub(crate) struct Scope<'i> {
    /// Address → resource type of every instance, to classify references
    /// (is `gateway_id` an internet gateway or a virtual private gateway?).
    types: HashMap<&'i str, &'i str>,
}

impl Scope<'_> {
    /// The resource type of the instance at `address`, from the configuration when it is
    /// there, else read off the address itself.
    pub(crate) fn type_of<'a>(&'a self, address: &'a str) -> &'a str {
        self.types
            .get(address)
            .copied()
            .unwrap_or_else(|| attr::address_type(address))
    }

    /// The address of the first instance of `rtype` (e.g. the one `aws_default_vpc`).
    pub(crate) fn first_of(&self, rtype: &str) -> Option<&str> {
        let mut found: Vec<&str> = self
            .types
            .iter()
            .filter(|(_, t)| **t == rtype)
            .map(|(a, _)| *a)
            .collect();
        found.sort_unstable();
        found.first().copied()
    }
}

fn map_config(model: &mut Model, instances: &[&Instance]) {
    let scope = Scope {
        types: instances
            .iter()
            .map(|i| (i.address.as_str(), i.rtype.as_str()))
            .collect(),
    };
    let starts = Starts::of(model);
    for inst in instances {
        map_parent(model, &scope, inst);
    }
    let parents = Parents::index(model, starts);
    for inst in instances {
        fold_child(model, &scope, &parents, inst);
    }
}

/// Pass one: resources that become model resources of their own.
fn map_parent(m: &mut Model, scope: &Scope, inst: &Instance) {
    match inst.rtype.as_str() {
        "aws_vpc" | "aws_default_vpc" => m.vpcs.push(vpc::vpc(inst)),
        "aws_subnet" | "aws_default_subnet" => m.subnets.push(vpc::subnet(inst, scope)),
        "aws_internet_gateway" => m.internet_gateways.push(vpc::internet_gateway(inst)),
        "aws_nat_gateway" => m.nat_gateways.push(vpc::nat_gateway(inst)),
        "aws_vpc_endpoint" => m.vpc_endpoints.push(vpc::endpoint(inst)),
        "aws_ec2_managed_prefix_list" => m.prefix_lists.push(vpc::prefix_list(inst)),
        "aws_flow_log" => m.flow_logs.push(vpc::flow_log(inst)),
        "aws_route_table" | "aws_default_route_table" => {
            m.route_tables.push(route::route_table(inst, scope))
        }
        "aws_route_table_association" | "aws_main_route_table_association" => {
            m.route_table_associations.push(route::association(inst))
        }
        "aws_security_group" | "aws_default_security_group" => {
            m.security_groups.push(security_group::security_group(inst))
        }
        "aws_network_acl" | "aws_default_network_acl" => {
            m.network_acls.push(nacl::network_acl(inst, scope))
        }
        "aws_network_acl_association" => m.nacl_associations.push(nacl::association(inst)),
        "aws_networkfirewall_firewall" => m.firewalls.push(firewall::firewall(inst)),
        "aws_networkfirewall_firewall_policy" => m.firewall_policies.push(firewall::policy(inst)),
        "aws_networkfirewall_rule_group" => m.rule_groups.push(firewall::rule_group(inst)),
        "aws_networkfirewall_logging_configuration" => {
            m.firewall_logging.push(firewall::logging(inst))
        }
        "aws_route53_resolver_firewall_rule_group_association" => m
            .dns_firewall_rule_group_associations
            .push(dns::association(inst)),
        "aws_route53_resolver_firewall_rule_group" => {
            m.dns_firewall_rule_groups.push(dns::rule_group(inst))
        }
        "aws_route53_resolver_firewall_domain_list" => {
            m.dns_firewall_domain_lists.push(dns::domain_list(inst))
        }
        "aws_vpc_dhcp_options" | "aws_default_vpc_dhcp_options" => {
            m.vpc_dhcp_options.push(dns::dhcp_options(inst))
        }
        "aws_vpc_dhcp_options_association" => m
            .dhcp_options_associations
            .push(dns::dhcp_association(inst)),
        "aws_sagemaker_model" => m.models.push(sagemaker::model(inst)),
        "aws_sagemaker_notebook_instance" => m.notebook_instances.push(sagemaker::notebook(inst)),
        "aws_sagemaker_endpoint_configuration" => {
            m.endpoint_configs.push(sagemaker::endpoint_config(inst))
        }
        "aws_sagemaker_endpoint" => m.endpoints.push(sagemaker::endpoint(inst)),
        "aws_sagemaker_domain" => m.domains.push(sagemaker::domain(inst)),
        "aws_sagemaker_user_profile" => m.user_profiles.push(sagemaker::user_profile(inst)),
        "aws_sagemaker_space" => m.spaces.push(sagemaker::space(inst)),
        "aws_sagemaker_data_quality_job_definition" => {
            m.monitoring_jobs.push(sagemaker::data_quality_job(inst))
        }
        _ => {}
    }
}

/// Pass two: standalone resources folded into a parent mapped in pass one.
fn fold_child(m: &mut Model, scope: &Scope, parents: &Parents, inst: &Instance) {
    match inst.rtype.as_str() {
        "aws_route" => route::fold_route(m, scope, parents, inst),
        "aws_vpn_gateway_route_propagation" => route::fold_propagation(m, parents, inst),
        "aws_security_group_rule"
        | "aws_vpc_security_group_ingress_rule"
        | "aws_vpc_security_group_egress_rule" => security_group::fold_rule(m, parents, inst),
        "aws_network_acl_rule" => nacl::fold_rule(m, parents, inst),
        "aws_internet_gateway_attachment" => vpc::fold_igw_attachment(m, parents, inst),
        "aws_vpc_endpoint_route_table_association" | "aws_vpc_endpoint_subnet_association" => {
            vpc::fold_endpoint_association(m, parents, inst)
        }
        "aws_vpc_ipv4_cidr_block_association" | "aws_vpc_ipv6_cidr_block_association" => {
            vpc::fold_cidr_association(m, parents, inst)
        }
        "aws_ec2_managed_prefix_list_entry" => vpc::fold_prefix_list_entry(m, parents, inst),
        "aws_route53_resolver_firewall_rule" => dns::fold_rule(m, parents, inst),
        _ => {}
    }
}

/// The common identity of a mapped resource. `named`: the resource's literal `name` is
/// also a key other resources use to refer to it (SageMaker and Network Firewall resources
/// are referenced by name, e.g. an endpoint's `endpoint_config_name`).
pub(crate) fn meta(inst: &Instance, named: bool) -> Meta {
    let mut meta = Meta::new(&inst.address, &inst.rtype, inst.config, inst.origin.clone());
    meta.tags = attr::tags(&inst.body);
    let name = if named {
        attr::string(&inst.body, "name", Absent::Required)
            .get()
            .cloned()
    } else {
        None
    };
    meta.aliases.extend(name);
    meta
}

/// Address → index into the model's collection, for this configuration's parents (the
/// shared index), plus the tables Terraform names through their VPC.
pub(crate) struct Parents {
    base: ParentIndex,
    /// VPC key → index of its main route table (`aws_default_route_table`), for children that
    /// name the table as `aws_vpc.x.default_route_table_id` / `main_route_table_id`.
    pub main_route_tables: HashMap<String, usize>,
    /// VPC key → index of its default network ACL (`aws_default_network_acl`).
    pub default_nacls: HashMap<String, usize>,
}

impl std::ops::Deref for Parents {
    type Target = ParentIndex;
    fn deref(&self) -> &ParentIndex {
        &self.base
    }
}

impl Parents {
    fn index(m: &Model, s: Starts) -> Parents {
        let main_route_tables = m
            .route_tables
            .iter()
            .enumerate()
            .skip(s.route_tables)
            .filter(|(_, rt)| rt.is_main.get() == Some(&true))
            .filter_map(|(i, rt)| Some((rt.vpc.get()?.key.clone(), i)))
            .collect();
        let default_nacls = m
            .network_acls
            .iter()
            .enumerate()
            .skip(s.network_acls)
            .filter(|(_, acl)| acl.is_default)
            .filter_map(|(i, acl)| Some((acl.vpc.get()?.key.clone(), i)))
            .collect();
        Parents {
            base: ParentIndex::index(m, s),
            main_route_tables,
            default_nacls,
        }
    }
}

/// Where a standalone child's parent attribute points.
pub(crate) enum Target {
    /// A parent of this configuration, by index into the model's collection.
    Found(usize),
    /// A literal id of something outside the configuration: nothing of ours to extend.
    Elsewhere,
    /// Not knowable (unknown value, a computed reference to something not mapped, such as a
    /// data source): the child may extend any parent of this configuration.
    Unknown(attr::Unknowable),
}

/// Resolves the child's attribute `name` (`security_group_id`, …) against `index`.
pub(crate) fn target(index: &HashMap<String, usize>, inst: &Instance, name: &str) -> Target {
    use super::ir::Val;
    let Some(a) = attr::present(&inst.body, name) else {
        let reason = format!("{} has no {name}", inst.address);
        return Target::Unknown(attr::Unknowable {
            reason,
            origin: inst.origin.clone(),
        });
    };
    let unknown = |reason: String| {
        Target::Unknown(attr::Unknowable {
            reason,
            origin: a.origin.clone(),
        })
    };
    match &a.value {
        Val::Ref { address, attribute } => match index.get(address) {
            Some(&i) => Target::Found(i),
            None => unknown(format!(
                "{name} = {address}.{attribute} is not a resource sagescan reads from this configuration"
            )),
        },
        Val::String(literal) => index
            .get(literal)
            .map_or(Target::Elsewhere, |&i| Target::Found(i)),
        other => unknown(attr::why_not(name, other)),
    }
}

#[cfg(test)]
pub(crate) mod test_support {
    //! Concise construction of evaluated instances for the mapper's unit tests: a block
    //! starts at a chosen line and each attribute added to it takes the next line, so tests
    //! can assert origins by line number.

    use super::super::ir::{Attr, Body, Instance, Val};
    use super::map_instances;
    use sagescan_model::{FileSpan, Model, Origin, Ref, Value};

    pub fn at(line: u32) -> Origin {
        Origin::File(FileSpan {
            file: "main.tf".into(),
            start: line * 100,
            end: line * 100 + 10,
            line,
            column: 1,
        })
    }

    pub fn line<T>(v: &Value<T>) -> u32 {
        v.origin().file().map_or(0, |f| f.line)
    }

    pub fn s(v: &str) -> Val {
        Val::String(v.into())
    }
    pub fn n(v: f64) -> Val {
        Val::Number(v)
    }
    pub fn r(address: &str, attribute: &str) -> Val {
        Val::Ref {
            address: address.into(),
            attribute: attribute.into(),
        }
    }
    pub fn unk(reason: &str) -> Val {
        Val::Unknown(reason.into())
    }
    pub fn list(items: Vec<Val>) -> Val {
        Val::List(items)
    }

    pub fn keys<T>(v: &Value<Vec<Ref<T>>>) -> Vec<String> {
        v.get()
            .map(|l| l.iter().map(|r| r.key.clone()).collect())
            .unwrap_or_default()
    }

    /// A block under construction.
    pub struct B {
        body: Body,
        next: u32,
    }

    pub fn blk(line: u32) -> B {
        B {
            body: Body {
                origin: at(line),
                ..Body::default()
            },
            next: line + 1,
        }
    }

    impl B {
        /// Adds an attribute on the next line.
        pub fn a(mut self, name: &str, value: Val) -> B {
            self.body.attrs.push((
                name.into(),
                Attr {
                    value,
                    origin: at(self.next),
                },
            ));
            self.next += 1;
            self
        }

        /// Adds a nested block (which has its own lines).
        pub fn b(mut self, name: &str, child: B) -> B {
            self.body.blocks.push((name.into(), child.body));
            self
        }

        pub fn body(self) -> Body {
            self.body
        }

        /// Makes the block a resource instance of configuration 0.
        pub fn inst(self, address: &str) -> Instance {
            Instance {
                address: address.into(),
                rtype: super::attr::address_type(address).into(),
                config: 0,
                origin: self.body.origin.clone(),
                body: self.body,
            }
        }
    }

    /// Maps `instances` into a fresh model with one configuration.
    pub fn run(instances: Vec<Instance>) -> Model {
        let mut m = Model::default();
        m.add_config("root", "terraform");
        map_instances(&mut m, &instances);
        m.finish();
        m
    }
}

#[cfg(test)]
mod tests {
    use super::test_support::*;
    use super::*;
    use sagescan_model::Ref;
    use sagescan_model::network::Subnet;

    #[test]
    fn configurations_are_mapped_apart() {
        let mut other = blk(1)
            .a("cidr_block", s("10.1.0.0/16"))
            .inst("aws_vpc.main");
        other.config = 1;
        let mut m = Model::default();
        m.add_config("a", "terraform");
        m.add_config("b", "terraform");
        let sg_rule = blk(10)
            .a("security_group_id", r("aws_security_group.web", "id"))
            .a("type", s("ingress"))
            .a("from_port", n(22.0))
            .a("to_port", n(22.0))
            .a("protocol", s("tcp"))
            .a("cidr_blocks", list(vec![s("0.0.0.0/0")]));
        let mut rule_b = sg_rule.inst("aws_security_group_rule.ssh");
        rule_b.config = 1;
        let instances = vec![
            blk(1)
                .a("cidr_block", s("10.0.0.0/16"))
                .inst("aws_vpc.main"),
            other,
            blk(5).inst("aws_security_group.web"),
            rule_b,
        ];
        map_instances(&mut m, &instances);
        m.finish();
        assert_eq!(m.vpcs.len(), 2);
        assert_eq!(m.vpcs[0].meta.config, 0);
        assert_eq!(
            m.vpcs[1].cidr_block.get().map(String::as_str),
            Some("10.1.0.0/16")
        );
        // The rule of configuration 1 must not land in configuration 0's group.
        assert!(m.security_groups[0].rules.is_empty());
    }

    #[test]
    fn unknown_resource_types_are_ignored_and_tags_read() {
        let m = run(vec![
            blk(1).a("bucket", s("b")).inst("aws_s3_bucket.b"),
            blk(3)
                .a("vpc_id", r("aws_vpc.main", "id"))
                .a("cidr_block", s("10.0.1.0/24"))
                .a("availability_zone", s("us-east-1a"))
                .a("tags", Val::Map(vec![("env".into(), s("prod"))]))
                .inst("module.net.aws_subnet.a[0]"),
        ]);
        assert_eq!(m.all_meta().count(), 1);
        let subnet = m
            .get::<Subnet>(0, &Ref::new("module.net.aws_subnet.a[0]"))
            .unwrap();
        assert_eq!(subnet.meta.tags.get().unwrap()["env"], "prod");
        assert_eq!(line(&subnet.meta.tags), 7);
    }

    use super::super::ir::Val;
}
