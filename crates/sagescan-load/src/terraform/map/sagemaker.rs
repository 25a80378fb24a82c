//! SageMaker resources: models, notebook instances, endpoint configurations and endpoints,
//! Studio domains and model-monitoring job definitions.
//!
//! Defaults are the SageMaker API's (cited per field in the model crate); the provider
//! passes absent attributes through as absent. SageMaker resources are referenced by name
//! (`endpoint_config_name`), so each one's literal `name` is an alias.

use super::super::ir::{Body, Instance};
use super::attr::{
    self, Absent, boolean, opt_name, opt_reference, reference, reference_list, references, string,
};
use super::meta;
use sagescan_model::sagemaker::*;
use sagescan_model::{Toggle, Value};
use std::borrow::Cow;

/// `aws_sagemaker_model`.
pub(super) fn model(inst: &Instance) -> Model {
    let b = &inst.body;
    Model {
        meta: meta(inst, true),
        enable_network_isolation: boolean(b, "enable_network_isolation", Absent::Default(false)),
        vpc_config: vpc_config(b, "vpc_config"),
        containers: containers(b),
    }
}

/// A `vpc_config { subnets, security_group_ids }` block; absent → `Default(None)`.
fn vpc_config(b: &Body, name: &str) -> Value<Option<VpcConfig>> {
    match attr::block(b, name) {
        Err(u) => u.value(),
        Ok(None) => Value::default_value(None, b.origin.clone()),
        Ok(Some(vc)) => Value::set(
            Some(VpcConfig {
                subnets: reference_list(&vc, "subnets", Absent::Required),
                security_groups: reference_list(&vc, "security_group_ids", Absent::Required),
            }),
            vc.origin.clone(),
        ),
    }
}

/// `primary_container` and the `container` blocks of an inference pipeline, in that order.
fn containers(b: &Body) -> Value<Vec<Container>> {
    let mut found = Vec::new();
    for name in ["primary_container", "container"] {
        match attr::blocks(b, name) {
            Ok(blocks) => found.extend(blocks),
            Err(u) => return u.value(),
        }
    }
    let Some(first) = found.first() else {
        return Value::default_value(Vec::new(), b.origin.clone());
    };
    Value::set(
        found.iter().map(|c| container(c)).collect(),
        first.origin.clone(),
    )
}

fn container(c: &Body) -> Container {
    let repository_access_mode =
        match attr::block(c, "image_config") {
            Err(u) => u.value(),
            // No ImageConfig: the image comes from ECR.
            Ok(None) => Value::default_value(None, c.origin.clone()),
            Ok(Some(ic)) => attr::value(&ic, "repository_access_mode", Absent::Required, |v| {
                match attr::as_string(v)?.as_str() {
                    "Platform" => Some(Some(RepositoryAccessMode::Platform)),
                    "Vpc" => Some(Some(RepositoryAccessMode::Vpc)),
                    _ => None,
                }
            }),
        };
    Container {
        image: attr::opt_string(c, "image"),
        repository_access_mode,
        origin: c.origin.clone(),
    }
}

fn toggle(b: &Body, name: &str, default: Toggle) -> Value<Toggle> {
    attr::value(b, name, Absent::Default(default), |v| {
        Toggle::parse(&attr::as_string(v)?)
    })
}

/// `aws_sagemaker_notebook_instance`.
pub(super) fn notebook(inst: &Instance) -> NotebookInstance {
    let b = &inst.body;
    // CreateNotebookInstance: an unset minimum IMDS version means "1" (v1 and v2 allowed).
    let min_imds_version = match attr::block(b, "instance_metadata_service_configuration") {
        Err(u) => u.value(),
        Ok(None) => Value::default_value("1".to_string(), b.origin.clone()),
        Ok(Some(c)) => string(
            &c,
            "minimum_instance_metadata_service_version",
            Absent::Default("1".into()),
        ),
    };
    NotebookInstance {
        meta: meta(inst, true),
        direct_internet_access: toggle(b, "direct_internet_access", Toggle::Enabled),
        root_access: toggle(b, "root_access", Toggle::Enabled),
        subnet: opt_reference(b, "subnet_id"),
        security_groups: references(b, "security_groups"),
        kms_key_id: opt_name(b, "kms_key_id"),
        min_imds_version,
    }
}

/// `aws_sagemaker_endpoint_configuration`.
pub(super) fn endpoint_config(inst: &Instance) -> EndpointConfig {
    let b = &inst.body;
    EndpointConfig {
        meta: meta(inst, true),
        kms_key_id: opt_name(b, "kms_key_arn"),
        production_variants: attr::collect(b, "production_variants", Absent::Required, |v| {
            Value::set(variant(v), v.origin.clone())
        }),
    }
}

/// A production variant: serverless (no instances) or instance-based.
fn variant(v: &Body) -> ProductionVariant {
    let name = string(
        v,
        "variant_name",
        Absent::Unknown("variant_name is not set: Terraform generates it"),
    );
    let (serverless, initial_instance_count) = match attr::block(v, "serverless_config") {
        Ok(Some(s)) => (true, Value::set(None, s.origin.clone())),
        Ok(None) => (
            false,
            attr::value(v, "initial_instance_count", Absent::Required, |n| {
                attr::as_int(n).map(Some)
            }),
        ),
        // Whether the variant is serverless is unknown, and so is its instance count.
        Err(u) => (false, u.value()),
    };
    ProductionVariant {
        name,
        initial_instance_count,
        serverless,
        origin: v.origin.clone(),
    }
}

/// `aws_sagemaker_endpoint`: its configuration by reference (key = the configuration's
/// address) or by literal name (which resolves through the configuration's name alias).
pub(super) fn endpoint(inst: &Instance) -> Endpoint {
    Endpoint {
        meta: meta(inst, true),
        endpoint_config: reference(&inst.body, "endpoint_config_name", Absent::Required),
    }
}

/// `aws_sagemaker_domain` (Studio).
pub(super) fn domain(inst: &Instance) -> Domain {
    let b = &inst.body;
    let security_groups = settings_groups(b, "default_user_settings");
    let default_space_security_groups = settings_groups(b, "default_space_settings");
    Domain {
        meta: meta(inst, true),
        app_network_access_type: attr::value(
            b,
            "app_network_access_type",
            Absent::Default(AppNetworkAccessType::PublicInternetOnly),
            |v| match attr::as_string(v)?.as_str() {
                "PublicInternetOnly" => Some(AppNetworkAccessType::PublicInternetOnly),
                "VpcOnly" => Some(AppNetworkAccessType::VpcOnly),
                _ => None,
            },
        ),
        kms_key_id: opt_name(b, "kms_key_id"),
        vpc: opt_reference(b, "vpc_id"),
        subnets: references(b, "subnet_ids"),
        security_groups,
        default_space_security_groups,
    }
}

/// `security_groups` of a settings block (`default_user_settings`, `user_settings`, …);
/// absent block or list → `Default(empty)`.
fn settings_groups<T>(b: &Body, block: &str) -> Value<Vec<sagescan_model::Ref<T>>> {
    match attr::block(b, block) {
        Err(u) => u.value(),
        Ok(None) => Value::default_value(Vec::new(), b.origin.clone()),
        Ok(Some(s)) => references(&s, "security_groups"),
    }
}

/// A literal `key` (`user_profile_name`, `space_name`) is an alias: spaces name their
/// owner by profile name.
fn named(inst: &Instance, key: &str) -> sagescan_model::Meta {
    let mut meta = meta(inst, false);
    meta.aliases
        .extend(string(&inst.body, key, Absent::Required).get().cloned());
    meta
}

/// `aws_sagemaker_user_profile`.
pub(super) fn user_profile(inst: &Instance) -> UserProfile {
    let b = &inst.body;
    UserProfile {
        meta: named(inst, "user_profile_name"),
        domain: reference(b, "domain_id", Absent::Required),
        security_groups: settings_groups(b, "user_settings"),
    }
}

/// `aws_sagemaker_space`.
pub(super) fn space(inst: &Instance) -> Space {
    let b = &inst.body;
    let sharing_type = match attr::block(b, "space_sharing_settings") {
        Err(u) => u.value(),
        Ok(None) => Value::unknown(
            "space_sharing_settings is absent and AWS documents no default sharing type",
            b.origin.clone(),
        ),
        Ok(Some(s)) => attr::value(&s, "sharing_type", Absent::Required, |v| {
            SharingType::parse(&attr::as_string(v)?)
        }),
    };
    let owner = match attr::block(b, "ownership_settings") {
        Err(u) => u.value(),
        Ok(None) => Value::default_value(None, b.origin.clone()),
        Ok(Some(o)) => attr::value(&o, "owner_user_profile_name", Absent::Required, |v| {
            attr::as_key(v).map(|k| Some(sagescan_model::Ref::new(k)))
        }),
    };
    Space {
        meta: named(inst, "space_name"),
        domain: reference(b, "domain_id", Absent::Required),
        sharing_type,
        owner,
    }
}

/// `aws_sagemaker_data_quality_job_definition`, the provider's only monitoring job
/// definition resource (model quality, bias and explainability exist in CloudFormation only).
pub(super) fn data_quality_job(inst: &Instance) -> MonitoringJob {
    MonitoringJob {
        meta: meta(inst, true),
        kind: MonitoringKind::DataQuality,
        network: network_config(&inst.body),
    }
}

/// `network_config`; absent → every member takes its default.
fn network_config(b: &Body) -> NetworkConfig {
    let nc = match attr::block(b, "network_config") {
        Err(u) => {
            return NetworkConfig {
                enable_network_isolation: u.value(),
                inter_container_encryption: u.value(),
                vpc_config: u.value(),
            };
        }
        Ok(Some(nc)) => nc,
        // Reading the members of an empty body yields exactly their defaults, with the
        // resource as their origin.
        Ok(None) => Cow::Owned(Body {
            origin: b.origin.clone(),
            ..Body::default()
        }),
    };
    NetworkConfig {
        enable_network_isolation: boolean(&nc, "enable_network_isolation", Absent::Default(false)),
        inter_container_encryption: boolean(
            &nc,
            "enable_inter_container_traffic_encryption",
            Absent::Default(false),
        ),
        vpc_config: vpc_config(&nc, "vpc_config"),
    }
}

#[cfg(test)]
mod tests {
    use super::super::super::ir::Val;
    use super::super::test_support::*;
    use super::*;
    use sagescan_model::Ref;

    #[test]
    fn notebook_defaults_and_wrong_shape() {
        let m = run(vec![
            blk(1)
                .a("name", s("nb"))
                .a("direct_internet_access", s("maybe"))
                .inst("aws_sagemaker_notebook_instance.nb"),
            blk(5)
                .a("direct_internet_access", s("Disabled"))
                .a("subnet_id", r("aws_subnet.a", "id"))
                .a("kms_key_id", r("aws_kms_key.k", "arn"))
                .a("root_access", unk("var.root has no value"))
                .b(
                    "instance_metadata_service_configuration",
                    blk(10).a("minimum_instance_metadata_service_version", s("2")),
                )
                .inst("aws_sagemaker_notebook_instance.private"),
        ]);
        let nb = &m.notebook_instances[0];
        assert_eq!(nb.meta.aliases, ["nb"]);
        assert_eq!(
            nb.direct_internet_access,
            Value::unknown(
                "direct_internet_access = \"maybe\" is not a valid value",
                at(3)
            )
        );
        assert_eq!(nb.root_access, Value::default_value(Toggle::Enabled, at(1)));
        assert_eq!(nb.subnet, Value::default_value(None, at(1)));
        assert_eq!(nb.kms_key_id, Value::default_value(None, at(1)));
        assert_eq!(
            nb.min_imds_version,
            Value::default_value("1".to_string(), at(1))
        );
        assert_eq!(nb.security_groups, Value::default_value(Vec::new(), at(1)));

        let private = &m.notebook_instances[1];
        assert_eq!(
            private.direct_internet_access,
            Value::set(Toggle::Disabled, at(6))
        );
        assert_eq!(private.subnet.get(), Some(&Some(Ref::new("aws_subnet.a"))));
        assert_eq!(
            private.kms_key_id,
            Value::set(Some("aws_kms_key.k.arn".into()), at(8))
        );
        assert_eq!(
            private.root_access,
            Value::unknown("var.root has no value", at(9))
        );
        assert_eq!(
            private.min_imds_version,
            Value::set("2".to_string(), at(11))
        );
    }

    #[test]
    fn model_containers_and_vpc_config() {
        let m = run(vec![
            blk(1)
                .a("name", s("m"))
                .b(
                    "primary_container",
                    blk(3).a("image", s("123.dkr.ecr.us-east-1.amazonaws.com/x:1")),
                )
                .b(
                    "container",
                    blk(6).a("image", s("registry.example.com/x:1")).b(
                        "image_config",
                        blk(8).a("repository_access_mode", s("Platform")),
                    ),
                )
                .b("container", blk(11).b("image_config", blk(12)))
                .inst("aws_sagemaker_model.m"),
            blk(20)
                .a("enable_network_isolation", Val::Bool(true))
                .b(
                    "vpc_config",
                    blk(22)
                        .a("subnets", list(vec![r("aws_subnet.a", "id")]))
                        .a("security_group_ids", unk("var.sgs has no value")),
                )
                .inst("aws_sagemaker_model.isolated"),
        ]);
        let model = &m.models[0];
        assert_eq!(
            model.enable_network_isolation,
            Value::default_value(false, at(1))
        );
        assert_eq!(model.vpc_config, Value::default_value(None, at(1)));
        let c = model.containers.get().unwrap();
        assert_eq!(c.len(), 3);
        assert_eq!(
            c[0].repository_access_mode,
            Value::default_value(None, at(3))
        );
        assert_eq!(
            c[1].repository_access_mode,
            Value::set(Some(RepositoryAccessMode::Platform), at(9))
        );
        assert_eq!(
            c[2].repository_access_mode,
            Value::unknown("repository_access_mode is not set", at(12))
        );
        assert_eq!(c[2].image, Value::default_value(None, at(11)));

        let isolated = &m.models[1];
        assert_eq!(isolated.enable_network_isolation, Value::set(true, at(21)));
        let vc = isolated.vpc_config.get().unwrap().as_ref().unwrap();
        assert_eq!(keys(&vc.subnets), ["aws_subnet.a"]);
        assert_eq!(
            vc.security_groups.unknown_reason(),
            Some("var.sgs has no value")
        );
        assert_eq!(
            isolated.containers,
            Value::default_value(Vec::new(), at(20))
        );
    }

    #[test]
    fn endpoint_config_variants_and_endpoint_by_name() {
        let m = run(vec![
            blk(1)
                .a("name", s("cfg"))
                .b(
                    "production_variants",
                    blk(3)
                        .a("variant_name", s("a"))
                        .a("initial_instance_count", n(2.0)),
                )
                .b("production_variants", blk(6).a("variant_name", s("b")))
                .b(
                    "production_variants",
                    blk(8)
                        .a("variant_name", s("sl"))
                        .b("serverless_config", blk(10).a("max_concurrency", n(5.0))),
                )
                .inst("aws_sagemaker_endpoint_configuration.cfg"),
            blk(20)
                .a("endpoint_config_name", s("cfg"))
                .inst("aws_sagemaker_endpoint.by_name"),
            blk(22)
                .a(
                    "endpoint_config_name",
                    r("aws_sagemaker_endpoint_configuration.cfg", "name"),
                )
                .inst("aws_sagemaker_endpoint.by_ref"),
        ]);
        let cfg = &m.endpoint_configs[0];
        assert_eq!(cfg.kms_key_id, Value::default_value(None, at(1)));
        let v = cfg.production_variants.get().unwrap();
        assert_eq!(v[0].initial_instance_count, Value::set(Some(2), at(5)));
        assert!(!v[0].serverless);
        assert_eq!(
            v[1].initial_instance_count,
            Value::unknown("initial_instance_count is not set", at(6))
        );
        assert!(v[2].serverless);
        assert_eq!(v[2].initial_instance_count, Value::set(None, at(10)));
        assert_eq!(v[2].origin, at(8));
        for e in &m.endpoints {
            let config = m.get(e.meta.config, e.endpoint_config.get().unwrap());
            assert_eq!(
                config.map(|c| c.meta.address.as_str()),
                Some("aws_sagemaker_endpoint_configuration.cfg")
            );
        }
    }

    #[test]
    fn domain_and_monitoring_defaults() {
        let m = run(vec![
            blk(1)
                .a("vpc_id", r("aws_vpc.main", "id"))
                .a(
                    "subnet_ids",
                    list(vec![r("aws_subnet.a", "id"), r("aws_subnet.b", "id")]),
                )
                .b(
                    "default_user_settings",
                    blk(5).a(
                        "security_groups",
                        list(vec![r("aws_security_group.studio", "id")]),
                    ),
                )
                .inst("aws_sagemaker_domain.d"),
            blk(10).inst("aws_sagemaker_data_quality_job_definition.dq"),
            blk(12)
                .b(
                    "network_config",
                    blk(13).a("enable_network_isolation", Val::Bool(true)),
                )
                .inst("aws_sagemaker_data_quality_job_definition.isolated"),
        ]);
        let d = &m.domains[0];
        assert_eq!(
            d.app_network_access_type,
            Value::default_value(AppNetworkAccessType::PublicInternetOnly, at(1))
        );
        assert_eq!(keys(&d.subnets), ["aws_subnet.a", "aws_subnet.b"]);
        assert_eq!(keys(&d.security_groups), ["aws_security_group.studio"]);
        assert_eq!(d.kms_key_id, Value::default_value(None, at(1)));

        let dq = &m.monitoring_jobs[0];
        assert_eq!(dq.kind, MonitoringKind::DataQuality);
        assert_eq!(
            dq.network.enable_network_isolation,
            Value::default_value(false, at(10))
        );
        assert_eq!(
            dq.network.inter_container_encryption,
            Value::default_value(false, at(10))
        );
        assert_eq!(dq.network.vpc_config, Value::default_value(None, at(10)));
        let isolated = &m.monitoring_jobs[1].network;
        assert_eq!(isolated.enable_network_isolation, Value::set(true, at(14)));
        assert_eq!(
            isolated.inter_container_encryption,
            Value::default_value(false, at(13))
        );
    }

    #[test]
    fn user_profiles_and_spaces_reference_their_domain_and_owner() {
        let m = run(vec![
            blk(1)
                .b(
                    "default_space_settings",
                    blk(2).a(
                        "security_groups",
                        list(vec![r("aws_security_group.space", "id")]),
                    ),
                )
                .inst("aws_sagemaker_domain.d"),
            blk(10)
                .a("domain_id", r("aws_sagemaker_domain.d", "id"))
                .a("user_profile_name", s("alice"))
                .b(
                    "user_settings",
                    blk(13).a(
                        "security_groups",
                        list(vec![r("aws_security_group.open", "id")]),
                    ),
                )
                .inst("aws_sagemaker_user_profile.alice"),
            blk(20)
                .a("domain_id", r("aws_sagemaker_domain.d", "id"))
                .a("space_name", s("mine"))
                .b(
                    "space_sharing_settings",
                    blk(23).a("sharing_type", s("Private")),
                )
                .b(
                    "ownership_settings",
                    blk(25).a(
                        "owner_user_profile_name",
                        r("aws_sagemaker_user_profile.alice", "user_profile_name"),
                    ),
                )
                .inst("aws_sagemaker_space.mine"),
            blk(30)
                .a("domain_id", unk("var.domain_id has no value"))
                .a("space_name", s("team"))
                .b(
                    "space_sharing_settings",
                    blk(32).a("sharing_type", s("Open")),
                )
                .inst("aws_sagemaker_space.team"),
            blk(40)
                .a("domain_id", r("aws_sagemaker_domain.d", "id"))
                .inst("aws_sagemaker_space.bare"),
        ]);
        let d = &m.domains[0];
        assert_eq!(d.security_groups, Value::default_value(Vec::new(), at(1)));
        assert_eq!(
            keys(&d.default_space_security_groups),
            ["aws_security_group.space"]
        );

        let p = &m.user_profiles[0];
        assert_eq!(p.meta.aliases, ["alice"]);
        assert!(m.get(0, p.domain.get().unwrap()).is_some());
        assert_eq!(keys(&p.security_groups), ["aws_security_group.open"]);
        assert_eq!(line(&p.security_groups), 14);

        let mine = &m.spaces[0];
        assert_eq!(mine.meta.aliases, ["mine"]);
        assert_eq!(mine.sharing_type, Value::set(SharingType::Private, at(24)));
        let owner = mine.owner.get().unwrap().as_ref().unwrap();
        assert_eq!(m.get(0, owner).unwrap().meta.address, p.meta.address);

        let team = &m.spaces[1];
        assert_eq!(
            team.domain.unknown_reason(),
            Some("var.domain_id has no value")
        );
        assert!(team.sharing_type.unknown_reason().is_some());
        assert_eq!(team.owner, Value::default_value(None, at(30)));
        // No sharing settings: AWS documents no default, so nothing is assumed.
        let bare = &m.spaces[2];
        assert!(
            bare.sharing_type
                .unknown_reason()
                .unwrap()
                .contains("no default sharing type")
        );
    }
}
