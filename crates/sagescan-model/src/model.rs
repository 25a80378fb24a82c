//! The model: every resource of every configuration, the files they came from and the
//! coverage gaps (what could not be read), plus an index that resolves references.
//!
//! Loaders build a [`Model`] with plain pushes, then call [`Model::finish`] once; after that
//! it is read-only and shared by checks and the reachability engine.

use crate::dns::*;
use crate::network::*;
use crate::resource::{ConfigId, Meta, Ref};
use crate::sagemaker::*;
use crate::value::Origin;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// A unit in which references resolve: a Terraform root module, a CloudFormation
/// template, a live account + region set.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Configuration {
    /// How the user named it: the root directory or template path as given, or the account.
    pub name: String,
    /// `terraform`, `terraform-plan`, `cloudformation`, `aws`, `snapshot`.
    pub source: String,
}

/// Something that could not be read. Checks whose verdict could depend on it are
/// inconclusive rather than passed.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CoverageGap {
    /// The configuration that is incomplete because of it; `None` when the whole input is.
    pub config: Option<ConfigId>,
    /// `parse-error`, `unsupported`, `io-error`, `access-denied`, `throttled`, …
    pub kind: String,
    pub message: String,
    pub origin: Origin,
}

/// A source file kept for rendering snippets.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SourceFile {
    pub path: String,
    pub text: String,
}

/// A waiver written in a source comment (`# sagescan:ignore SM111 reason`), as the loader
/// found it. The loader only extracts it; the binary validates codes and reason and applies
/// it, so that a malformed waiver is reported rather than silently ignored.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct InlineWaiver {
    /// The codes as written (comma-separated in the comment), not yet checked.
    pub codes: Vec<String>,
    /// The rest of the comment, trimmed; empty when none was given (an error).
    pub reason: String,
    /// The comment itself.
    pub origin: Origin,
    /// The resource it applies to, as declared (`aws_security_group.web`); every instance
    /// of it (`count`, `for_each`, each module call) is covered.
    pub resource: String,
    /// The resource's declaration (its header), which is what every instance's
    /// [`Meta::origin`] points at: waivers match findings by it.
    pub resource_origin: Origin,
}

macro_rules! collections {
    ($($field:ident : $ty:ident => $kind:literal),* $(,)?) => {
        /// The normalized model of everything that was loaded.
        #[derive(Clone, Debug, Default, Serialize, Deserialize)]
        pub struct Model {
            pub configs: Vec<Configuration>,
            #[serde(default, skip_serializing_if = "Vec::is_empty")]
            pub sources: Vec<SourceFile>,
            #[serde(default)]
            pub gaps: Vec<CoverageGap>,
            /// Waivers found in source comments, in file and line order.
            #[serde(default, skip_serializing_if = "Vec::is_empty")]
            pub inline_waivers: Vec<InlineWaiver>,
            $( #[serde(default)] pub $field: Vec<$ty>, )*
            #[serde(skip)]
            index: Index,
        }

        #[derive(Clone, Debug, Default)]
        struct Index {
            $( $field: HashMap<(ConfigId, String), usize>, )*
        }

        impl Model {
            /// Builds the reference index. Call once after loading (and after deserializing).
            pub fn finish(&mut self) {
                let mut index = Index::default();
                $(
                    for (i, r) in self.$field.iter().enumerate() {
                        let meta = &r.meta;
                        index.$field.insert((meta.config, meta.address.clone()), i);
                        for alias in &meta.aliases {
                            index.$field.insert((meta.config, alias.clone()), i);
                        }
                    }
                )*
                self.index = index;
            }

            /// Moves every resource, source file, gap and waiver of `other` into this model,
            /// keeping their configuration ids: for collectors that build parts in parallel
            /// against configurations they registered up front. Call [`Model::finish`] after.
            pub fn append(&mut self, mut other: Model) {
                self.sources.append(&mut other.sources);
                self.gaps.append(&mut other.gaps);
                self.inline_waivers.append(&mut other.inline_waivers);
                $( self.$field.append(&mut other.$field); )*
            }

            /// Every resource's identity, for listings and counts.
            pub fn all_meta(&self) -> impl Iterator<Item = &Meta> {
                std::iter::empty()
                    $( .chain(self.$field.iter().map(|r| &r.meta)) )*
            }
        }

        $(
            impl Resource for $ty {
                const KIND: &'static str = $kind;
                fn meta(&self) -> &Meta { &self.meta }
                fn position(model: &Model, config: ConfigId, key: &str) -> Option<usize> {
                    // Keys are looked up by (config, key); the tuple needs an owned String,
                    // which is cheap next to the hash of a short key.
                    model.index.$field.get(&(config, key.to_owned())).copied()
                }
                fn all(model: &Model) -> &[Self] {
                    &model.$field
                }
            }
        )*
    };
}

collections! {
    vpcs: Vpc => "vpc",
    subnets: Subnet => "subnet",
    route_tables: RouteTable => "route_table",
    route_table_associations: RouteTableAssociation => "route_table_association",
    internet_gateways: InternetGateway => "internet_gateway",
    nat_gateways: NatGateway => "nat_gateway",
    security_groups: SecurityGroup => "security_group",
    network_acls: NetworkAcl => "network_acl",
    nacl_associations: NaclAssociation => "network_acl_association",
    vpc_endpoints: VpcEndpoint => "vpc_endpoint",
    prefix_lists: ManagedPrefixList => "managed_prefix_list",
    flow_logs: FlowLog => "flow_log",
    firewalls: Firewall => "network_firewall",
    firewall_policies: FirewallPolicy => "network_firewall_policy",
    rule_groups: RuleGroup => "network_firewall_rule_group",
    firewall_logging: FirewallLogging => "network_firewall_logging",
    dns_firewall_rule_group_associations: DnsFirewallRuleGroupAssociation => "dns_firewall_rule_group_association",
    dns_firewall_rule_groups: DnsFirewallRuleGroup => "dns_firewall_rule_group",
    dns_firewall_domain_lists: DnsFirewallDomainList => "dns_firewall_domain_list",
    vpc_dhcp_options: VpcDhcpOptions => "vpc_dhcp_options",
    dhcp_options_associations: DhcpOptionsAssociation => "vpc_dhcp_options_association",
    models: Model_ => "sagemaker_model",
    notebook_instances: NotebookInstance => "sagemaker_notebook_instance",
    endpoint_configs: EndpointConfig => "sagemaker_endpoint_config",
    endpoints: Endpoint => "sagemaker_endpoint",
    domains: Domain => "sagemaker_domain",
    user_profiles: UserProfile => "sagemaker_user_profile",
    spaces: Space => "sagemaker_space",
    training_jobs: TrainingJob => "sagemaker_training_job",
    processing_jobs: ProcessingJob => "sagemaker_processing_job",
    monitoring_jobs: MonitoringJob => "sagemaker_monitoring_job",
}

/// `sagemaker::Model` under a name that does not clash with [`Model`] inside this module.
type Model_ = crate::sagemaker::Model;

/// Implemented by every resource type stored in the model.
pub trait Resource: Sized {
    /// Source-independent resource kind (`sagemaker_notebook_instance`), used in reports so
    /// that a finding reads the same whatever the source format.
    const KIND: &'static str;
    fn meta(&self) -> &Meta;
    /// Index in [`Resource::all`] of the resource `key` names in configuration `config`.
    fn position(model: &Model, config: ConfigId, key: &str) -> Option<usize>;
    /// Every resource of this type.
    fn all(model: &Model) -> &[Self];
}

impl Model {
    /// Resolves a reference made by a resource of configuration `config`.
    /// `None` = the target is not in the model (external, or not loaded): treat as unknown.
    pub fn get<'m, T: Resource>(&'m self, config: ConfigId, r: &Ref<T>) -> Option<&'m T> {
        T::position(self, config, &r.key).map(|i| &T::all(self)[i])
    }

    /// Like [`Model::get`], returning the index in the type's collection.
    pub fn position<T: Resource>(&self, config: ConfigId, r: &Ref<T>) -> Option<usize> {
        T::position(self, config, &r.key)
    }

    /// Adds a configuration and returns its id.
    pub fn add_config(&mut self, name: impl Into<String>, source: impl Into<String>) -> ConfigId {
        self.configs.push(Configuration {
            name: name.into(),
            source: source.into(),
        });
        (self.configs.len() - 1) as ConfigId
    }

    /// The gaps that make configuration `config` incomplete (its own and global ones).
    pub fn gaps_of(&self, config: ConfigId) -> impl Iterator<Item = &CoverageGap> {
        self.gaps
            .iter()
            .filter(move |g| g.config.is_none() || g.config == Some(config))
    }

    /// The text of a loaded source file, for snippets.
    pub fn source_text(&self, path: &str) -> Option<&str> {
        self.sources
            .iter()
            .find(|s| s.path == path)
            .map(|s| s.text.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::value::Value;

    fn subnet(config: ConfigId, address: &str) -> Subnet {
        Subnet {
            meta: Meta::new(address, "aws_subnet", config, Origin::None),
            vpc: Value::unknown("not needed", Origin::None),
            cidr_block: Value::unknown("not needed", Origin::None),
            availability_zone: Value::set("us-east-1a".into(), Origin::None),
            map_public_ip_on_launch: Value::default_value(false, Origin::None),
        }
    }

    #[test]
    fn references_resolve_within_their_configuration_only() {
        let mut m = Model::default();
        let a = m.add_config("a", "terraform");
        let b = m.add_config("b", "terraform");
        m.subnets.push(subnet(a, "aws_subnet.x"));
        let mut other = subnet(b, "aws_subnet.y");
        other.meta.aliases.push("subnet-0123".into());
        m.subnets.push(other);
        m.finish();
        let x: Ref<Subnet> = Ref::new("aws_subnet.x");
        assert!(m.get(a, &x).is_some());
        assert!(
            m.get(b, &x).is_none(),
            "a reference must not leak across configurations"
        );
        assert_eq!(
            m.get(b, &Ref::<Subnet>::new("subnet-0123"))
                .unwrap()
                .meta
                .address,
            "aws_subnet.y"
        );
    }

    #[test]
    fn snapshot_round_trip_rebuilds_the_index() {
        let mut m = Model::default();
        let a = m.add_config("a", "terraform");
        m.subnets.push(subnet(a, "aws_subnet.x"));
        m.finish();
        let json = serde_json::to_string(&m).unwrap();
        let mut back: Model = serde_json::from_str(&json).unwrap();
        back.finish();
        assert!(back.get(a, &Ref::<Subnet>::new("aws_subnet.x")).is_some());
    }
}
