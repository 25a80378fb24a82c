//! `AWS::SageMaker::*`: models, notebook instances, endpoint configurations and endpoints,
//! Studio domains, model-monitoring job definitions and schedules with an inline definition.
//!
//! Defaults are the SageMaker API's (cited per field in the model crate), the same the
//! Terraform mapper applies. SageMaker resources are referenced by name (an endpoint's
//! `EndpointConfigName`), so each one's literal name is an alias.

use super::read::{Absent, Props, as_key, as_string};
use super::{Res, unknown, with_props};
use sagescan_model::sagemaker::*;
use sagescan_model::{Toggle, Value};

pub(super) fn model(r: &Res) -> Model {
    with_props(
        r,
        |p| Model {
            meta: r.meta(Some("ModelName")),
            enable_network_isolation: p.boolean("EnableNetworkIsolation", Absent::Default(false)),
            vpc_config: vpc_config(&p, "VpcConfig"),
            containers: containers(&p),
        },
        |u| Model {
            meta: r.meta(Some("ModelName")),
            enable_network_isolation: unknown(u),
            vpc_config: unknown(u),
            containers: unknown(u),
        },
    )
}

/// `VpcConfig {Subnets, SecurityGroupIds}`; absent → `Default(None)`.
fn vpc_config(p: &Props, name: &str) -> Value<Option<VpcConfig>> {
    match p.object(name) {
        Err(u) => u.value(),
        Ok(None) => Value::default_value(None, p.origin.clone()),
        Ok(Some(vc)) => Value::set(
            Some(VpcConfig {
                subnets: vc.references("Subnets", Absent::Required),
                security_groups: vc.references("SecurityGroupIds", Absent::Required),
            }),
            vc.origin.clone(),
        ),
    }
}

/// `PrimaryContainer` and the `Containers` of an inference pipeline, in that order.
fn containers(p: &Props) -> Value<Vec<Container>> {
    let mut found = Vec::new();
    match p.object("PrimaryContainer") {
        Err(u) => return u.value(),
        Ok(c) => found.extend(c),
    }
    match p.objects("Containers") {
        Err(u) => return u.value(),
        Ok(cs) => found.extend(cs),
    }
    let Some(first) = found.first() else {
        return Value::default_value(Vec::new(), p.origin.clone());
    };
    Value::set(found.iter().map(container).collect(), first.origin.clone())
}

fn container(c: &Props) -> Container {
    let repository_access_mode = match c.object("ImageConfig") {
        Err(u) => u.value(),
        // No ImageConfig: the image comes from ECR.
        Ok(None) => Value::default_value(None, c.origin.clone()),
        Ok(Some(ic)) => ic.value(
            "RepositoryAccessMode",
            Absent::Required,
            |v| match as_string(v)?.as_str() {
                "Platform" => Some(Some(RepositoryAccessMode::Platform)),
                "Vpc" => Some(Some(RepositoryAccessMode::Vpc)),
                _ => None,
            },
        ),
    };
    Container {
        image: c.opt_string("Image"),
        repository_access_mode,
        origin: c.origin.clone(),
    }
}

fn toggle(p: &Props, name: &str, default: Toggle) -> Value<Toggle> {
    p.value(name, Absent::Default(default), |v| {
        Toggle::parse(&as_string(v)?)
    })
}

pub(super) fn notebook(r: &Res) -> NotebookInstance {
    let name = Some("NotebookInstanceName");
    with_props(
        r,
        |p| {
            // CreateNotebookInstance: an unset minimum IMDS version means "1".
            let min_imds_version = match p.object("InstanceMetadataServiceConfiguration") {
                Err(u) => u.value(),
                Ok(None) => Value::default_value("1".to_string(), p.origin.clone()),
                Ok(Some(c)) => c.string(
                    "MinimumInstanceMetadataServiceVersion",
                    Absent::Default("1".into()),
                ),
            };
            NotebookInstance {
                meta: r.meta(name),
                direct_internet_access: toggle(&p, "DirectInternetAccess", Toggle::Enabled),
                root_access: toggle(&p, "RootAccess", Toggle::Enabled),
                subnet: p.opt_reference("SubnetId"),
                security_groups: p.references("SecurityGroupIds", Absent::Default(Vec::new())),
                kms_key_id: p.opt_name("KmsKeyId"),
                min_imds_version,
            }
        },
        |u| NotebookInstance {
            meta: r.meta(name),
            direct_internet_access: unknown(u),
            root_access: unknown(u),
            subnet: unknown(u),
            security_groups: unknown(u),
            kms_key_id: unknown(u),
            min_imds_version: unknown(u),
        },
    )
}

pub(super) fn endpoint_config(r: &Res) -> EndpointConfig {
    let name = Some("EndpointConfigName");
    with_props(
        r,
        |p| EndpointConfig {
            meta: r.meta(name),
            kms_key_id: p.opt_name("KmsKeyId"),
            production_variants: p.collect("ProductionVariants", Absent::Required, |v| {
                Value::set(variant(&v), v.origin.clone())
            }),
        },
        |u| EndpointConfig {
            meta: r.meta(name),
            kms_key_id: unknown(u),
            production_variants: unknown(u),
        },
    )
}

fn variant(v: &Props) -> ProductionVariant {
    let (serverless, initial_instance_count) = match v.object("ServerlessConfig") {
        Ok(Some(s)) => (true, Value::set(None, s.origin.clone())),
        Ok(None) => (
            false,
            v.value("InitialInstanceCount", Absent::Required, |n| {
                super::read::as_int(n).map(Some)
            }),
        ),
        Err(u) => (false, u.value()),
    };
    ProductionVariant {
        name: v.string("VariantName", Absent::Required),
        initial_instance_count,
        serverless,
        origin: v.origin.clone(),
    }
}

/// The configuration by reference (`!GetAtt Config.EndpointConfigName`, key = its logical
/// id) or by literal name (which resolves through the configuration's name alias).
pub(super) fn endpoint(r: &Res) -> Endpoint {
    Endpoint {
        meta: r.meta(Some("EndpointName")),
        endpoint_config: with_props(
            r,
            |p| p.reference("EndpointConfigName", Absent::Required),
            unknown,
        ),
    }
}

pub(super) fn domain(r: &Res) -> Domain {
    let name = Some("DomainName");
    with_props(
        r,
        |p| Domain {
            meta: r.meta(name),
            app_network_access_type: p.value(
                "AppNetworkAccessType",
                Absent::Default(AppNetworkAccessType::PublicInternetOnly),
                |v| match as_string(v)?.as_str() {
                    "PublicInternetOnly" => Some(AppNetworkAccessType::PublicInternetOnly),
                    "VpcOnly" => Some(AppNetworkAccessType::VpcOnly),
                    _ => None,
                },
            ),
            kms_key_id: p.opt_name("KmsKeyId"),
            vpc: p.opt_reference("VpcId"),
            subnets: p.references("SubnetIds", Absent::Default(Vec::new())),
            security_groups: settings_groups(&p, "DefaultUserSettings"),
            default_space_security_groups: settings_groups(&p, "DefaultSpaceSettings"),
        },
        |u| Domain {
            meta: r.meta(name),
            app_network_access_type: unknown(u),
            kms_key_id: unknown(u),
            vpc: unknown(u),
            subnets: unknown(u),
            security_groups: unknown(u),
            default_space_security_groups: unknown(u),
        },
    )
}

/// `SecurityGroups` of a settings object (`DefaultUserSettings`, `UserSettings`, …);
/// absent object or list → `Default(empty)`.
fn settings_groups<T>(p: &Props, object: &str) -> Value<Vec<sagescan_model::Ref<T>>> {
    match p.object(object) {
        Err(u) => u.value(),
        Ok(None) => Value::default_value(Vec::new(), p.origin.clone()),
        Ok(Some(s)) => s.references("SecurityGroups", Absent::Default(Vec::new())),
    }
}

pub(super) fn user_profile(r: &Res) -> UserProfile {
    let name = Some("UserProfileName");
    with_props(
        r,
        |p| UserProfile {
            meta: r.meta(name),
            domain: p.reference("DomainId", Absent::Required),
            security_groups: settings_groups(&p, "UserSettings"),
        },
        |u| UserProfile {
            meta: r.meta(name),
            domain: unknown(u),
            security_groups: unknown(u),
        },
    )
}

pub(super) fn space(r: &Res) -> Space {
    let name = Some("SpaceName");
    with_props(
        r,
        |p| Space {
            meta: r.meta(name),
            domain: p.reference("DomainId", Absent::Required),
            sharing_type: match p.object("SpaceSharingSettings") {
                Err(u) => u.value(),
                Ok(None) => Value::unknown(
                    "SpaceSharingSettings is absent and AWS documents no default sharing type",
                    p.origin.clone(),
                ),
                Ok(Some(s)) => s.value("SharingType", Absent::Required, |v| {
                    SharingType::parse(&as_string(v)?)
                }),
            },
            owner: match p.object("OwnershipSettings") {
                Err(u) => u.value(),
                Ok(None) => Value::default_value(None, p.origin.clone()),
                Ok(Some(o)) => o.value("OwnerUserProfileName", Absent::Required, |v| {
                    as_key(v).map(|k| Some(sagescan_model::Ref::new(k)))
                }),
            },
        },
        |u| Space {
            meta: r.meta(name),
            domain: unknown(u),
            sharing_type: unknown(u),
            owner: unknown(u),
        },
    )
}

/// A monitoring job definition, or a schedule with an inline definition (a schedule that
/// names a separate definition adds no job of its own).
pub(super) fn monitoring(r: &Res) -> Option<MonitoringJob> {
    let (kind, name) = match r.rtype.as_str() {
        "AWS::SageMaker::DataQualityJobDefinition" => {
            (MonitoringKind::DataQuality, "JobDefinitionName")
        }
        "AWS::SageMaker::ModelQualityJobDefinition" => {
            (MonitoringKind::ModelQuality, "JobDefinitionName")
        }
        "AWS::SageMaker::ModelBiasJobDefinition" => {
            (MonitoringKind::ModelBias, "JobDefinitionName")
        }
        "AWS::SageMaker::ModelExplainabilityJobDefinition" => {
            (MonitoringKind::ModelExplainability, "JobDefinitionName")
        }
        _ => (MonitoringKind::Schedule, "MonitoringScheduleName"),
    };
    let network = match r.props() {
        Err(u) => NetworkConfig {
            enable_network_isolation: u.value(),
            inter_container_encryption: u.value(),
            vpc_config: u.value(),
        },
        Ok(p) if kind == MonitoringKind::Schedule => {
            let definition = p
                .object("MonitoringScheduleConfig")
                .map(|c| c.map(|c| c.object("MonitoringJobDefinition")));
            match definition {
                Err(u) | Ok(Some(Err(u))) => NetworkConfig {
                    enable_network_isolation: u.value(),
                    inter_container_encryption: u.value(),
                    vpc_config: u.value(),
                },
                Ok(None) | Ok(Some(Ok(None))) => return None,
                Ok(Some(Ok(Some(d)))) => network_config(&d),
            }
        }
        Ok(p) => network_config(&p),
    };
    Some(MonitoringJob {
        meta: r.meta(Some(name)),
        kind,
        network,
    })
}

/// `NetworkConfig`; absent → every member takes its default.
fn network_config(p: &Props) -> NetworkConfig {
    let nc = match p.object("NetworkConfig") {
        Err(u) => {
            return NetworkConfig {
                enable_network_isolation: u.value(),
                inter_container_encryption: u.value(),
                vpc_config: u.value(),
            };
        }
        Ok(Some(nc)) => nc,
        // Reading an empty object yields exactly the defaults, with the parent as origin.
        Ok(None) => Props {
            entries: &[],
            origin: p.origin,
        },
    };
    NetworkConfig {
        enable_network_isolation: nc.boolean("EnableNetworkIsolation", Absent::Default(false)),
        inter_container_encryption: nc.boolean(
            "EnableInterContainerTrafficEncryption",
            Absent::Default(false),
        ),
        vpc_config: vpc_config(&nc, "VpcConfig"),
    }
}
