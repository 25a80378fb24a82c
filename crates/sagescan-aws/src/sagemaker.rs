//! SageMaker of one region: models, notebook instances, endpoint configurations and
//! endpoints, Studio domains with their user profiles and spaces, model-monitoring job
//! definitions and schedules, and the training and processing jobs created in the last
//! `job_days` days, mapped into the model with their tags.
//!
//! SageMaker lists return summaries only, so each resource is listed (paginated to the end)
//! and then described, the describes running concurrently within the scope's bound
//! ([`list_then_describe`]); describes carry no tags, so each resource also costs one
//! `ListTags`. A resource is addressed by its ARN and aliased by its name, because
//! SageMaker resources refer to one another by name (an endpoint's `EndpointConfigName`).
//! Defaults are the SageMaker API's, as cited on each field of the model.

use crate::api::{Scope, join_all};
use crate::doc::{Doc, list};
use aws_sdk_sagemaker::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_sagemaker::primitives::DateTime;
use aws_sdk_sagemaker::types as sm;
use sagescan_model::sagemaker::*;
use sagescan_model::{Meta, Model, Origin, Ref, SourceFile, Toggle, Value};
use std::collections::BTreeMap;
use std::future::Future;

const SERVICE: &str = "sagemaker";

/// Collects everything, appending to `out`. `job_days` bounds the training and processing
/// jobs read (jobs are immutable history; old ones are not today's posture).
pub(crate) async fn collect(scope: &Scope, job_days: u32, out: &mut Model) {
    let since = DateTime::from_secs(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs() as i64)
            .unwrap_or_default()
            - i64::from(job_days) * 86_400,
    );
    let (
        models,
        notebooks,
        configs,
        endpoints,
        domains,
        profiles,
        spaces,
        training,
        processing,
        monitoring,
    ) = tokio::join!(
        collect_models(scope),
        collect_notebooks(scope),
        collect_endpoint_configs(scope),
        collect_endpoints(scope),
        collect_domains(scope),
        collect_user_profiles(scope),
        collect_spaces(scope),
        collect_training_jobs(scope, since),
        collect_processing_jobs(scope, since),
        collect_monitoring(scope),
    );
    append(out, models, |m, r| m.models.push(r));
    append(out, notebooks, |m, r| m.notebook_instances.push(r));
    append(out, configs, |m, r| m.endpoint_configs.push(r));
    append(out, endpoints, |m, r| m.endpoints.push(r));
    append(out, domains, |m, r| m.domains.push(r));
    append(out, profiles, |m, r| m.user_profiles.push(r));
    append(out, spaces, |m, r| m.spaces.push(r));
    append(out, training, |m, r| m.training_jobs.push(r));
    append(out, processing, |m, r| m.processing_jobs.push(r));
    append(out, monitoring, |m, r| m.monitoring_jobs.push(r));
}

fn append<R>(out: &mut Model, items: Vec<(SourceFile, R)>, push: impl Fn(&mut Model, R)) {
    for (source, resource) in items {
        out.sources.push(source);
        push(out, resource);
    }
}

/// The pattern of every SageMaker type: one listing (`list`, a [`Scope::list`]: read to its
/// end, or given up as a gap); then one describe per listed name (`name_of`: the name, or a
/// key the describe splits, such as a profile's `DomainId/UserProfileName`), concurrently
/// within the scope's bound; then `map` of each description into the model. A failed listing or describe is a gap of the scope (the
/// resource is missing, and the checks of the scope inconclusive); `map` may drop a
/// resource that adds nothing of its own.
///
/// The operations are written out at each call site, never passed by name, so that
/// `tests/read_only.rs` sees every one of them.
async fn list_then_describe<S, D, Out, E2, R2, DF, MF>(
    scope: &Scope,
    list: impl Future<Output = Option<Vec<S>>>,
    name_of: impl Fn(&S) -> Option<String>,
    describe_operation: &str,
    describe: impl Fn(&str) -> DF,
    map: impl Fn(String, D) -> MF,
) -> Vec<Out>
where
    E2: ProvideErrorMetadata + std::error::Error + 'static,
    R2: std::fmt::Debug,
    DF: Future<Output = Result<D, SdkError<E2, R2>>>,
    MF: Future<Output = Option<Out>>,
{
    let Some(listed) = list.await else {
        return Vec::new();
    };
    let (describe, map) = (&describe, &map);
    let described = listed.iter().filter_map(&name_of).map(|name| async move {
        let o = scope
            .call(SERVICE, describe_operation, describe(&name))
            .await?;
        map(name, o).await
    });
    join_all(described).await.into_iter().flatten().collect()
}

/// How one SageMaker type is named in its ARN, its synthesized text and the model.
struct Kind {
    /// The describe operation, named in the text's header.
    operation: &'static str,
    /// The CloudFormation type: the resource kind reports name, whatever the source.
    source_type: &'static str,
    /// The ARN's resource type, for the ARN built when an answer lacks one.
    arn_type: &'static str,
    /// The key naming the resource in its description.
    name_key: &'static str,
}

/// What every description starts with: its ARN (the answer's, or one built from the name),
/// its tags (one `ListTags`), and the synthesized text opened by the header, the tags and
/// the name. Returns the text, to which the caller adds the type's own fields, and the
/// resource's identity.
async fn described(scope: &Scope, kind: &Kind, arn: Option<&str>, name: &str) -> (Doc, Meta) {
    let arn = arn
        .map(str::to_string)
        .unwrap_or_else(|| scope.arn(SERVICE, &format!("{}/{name}", kind.arn_type)));
    let tags = list_tags(scope, &arn).await;
    let mut d = Doc::new(&arn, SERVICE, kind.operation, &scope.account, &scope.region);
    let mut meta = Meta::new(&arn, kind.source_type, scope.config, d.header());
    meta.aliases.push(name.to_string());
    meta.tags = match tags {
        None => Value::unknown("sagemaker:ListTags could not be read", d.header()),
        Some(tags) if tags.is_empty() => Value::default_value(BTreeMap::new(), d.header()),
        Some(tags) => {
            let at = d.block(0, "Tags");
            let mut map = BTreeMap::new();
            for t in &tags {
                let (k, v) = (t.key().unwrap_or_default(), t.value().unwrap_or_default());
                d.field(1, k, v);
                map.insert(k.to_string(), v.to_string());
            }
            Value::set(map, at)
        }
    };
    d.field(0, kind.name_key, name);
    (d, meta)
}

/// A resource's tags. SageMaker describes carry none, so this is one `ListTags` (paginated)
/// per resource; `None` when it failed, which the scope has recorded as a gap.
async fn list_tags(scope: &Scope, arn: &str) -> Option<Vec<sm::Tag>> {
    scope
        .list(
            SERVICE,
            "ListTags",
            scope
                .sagemaker()
                .list_tags()
                .resource_arn(arn)
                .into_paginator()
                .send(),
            |p| p.next_token(),
            |p| p.tags(),
        )
        .await
}

fn flag(d: &mut Doc, indent: usize, key: &str, v: Option<bool>, header: &Origin) -> Value<bool> {
    match v {
        Some(v) => Value::set(v, d.field(indent, key, v)),
        None => Value::default_value(false, header.clone()),
    }
}

fn opt_string(d: &mut Doc, key: &str, v: Option<&str>) -> Value<Option<String>> {
    match v {
        Some(v) => Value::set(Some(v.to_string()), d.field(0, key, v)),
        None => Value::default_value(None, d.header()),
    }
}

fn refs<T>(d: &mut Doc, indent: usize, key: &str, ids: &[String]) -> Value<Vec<Ref<T>>> {
    let at = d.field(indent, key, list(ids));
    Value::set(ids.iter().map(Ref::new).collect(), at)
}

/// The `SecurityGroups` of a settings object (`DefaultUserSettings`, `UserSettings`, …),
/// written under the object's name; none (or no object) is the default, no groups.
fn settings_groups<T>(d: &mut Doc, object: &str, groups: &[String]) -> Value<Vec<Ref<T>>> {
    if groups.is_empty() {
        return Value::default_value(Vec::new(), d.header());
    }
    d.block(0, object);
    refs(d, 1, "SecurityGroups", groups)
}

/// A `VpcConfig`. The API requires 1 to 16 subnets in one, so one without subnets (moto
/// answers `{}` for a model created without) places nothing in a VPC and reads as absent:
/// the direction in which SM122 and the reachability checks still judge the workload.
fn vpc_config(d: &mut Doc, indent: usize, vc: Option<&sm::VpcConfig>) -> Value<Option<VpcConfig>> {
    match vc.filter(|vc| !vc.subnets().is_empty()) {
        None => Value::default_value(None, d.header()),
        Some(vc) => {
            let at = d.block(indent, "VpcConfig");
            Value::set(
                Some(VpcConfig {
                    subnets: refs(d, indent + 1, "Subnets", vc.subnets()),
                    security_groups: refs(
                        d,
                        indent + 1,
                        "SecurityGroupIds",
                        vc.security_group_ids(),
                    ),
                }),
                at,
            )
        }
    }
}

const NOTEBOOK_INSTANCE: Kind = Kind {
    operation: "DescribeNotebookInstance",
    source_type: "AWS::SageMaker::NotebookInstance",
    arn_type: "notebook-instance",
    name_key: "NotebookInstanceName",
};

async fn collect_notebooks(scope: &Scope) -> Vec<(SourceFile, NotebookInstance)> {
    list_then_describe(
        scope,
        scope.list(
            SERVICE,
            "ListNotebookInstances",
            scope
                .sagemaker()
                .list_notebook_instances()
                .into_paginator()
                .send(),
            |p| p.next_token(),
            |p| p.notebook_instances(),
        ),
        |s| s.notebook_instance_name().map(str::to_string),
        NOTEBOOK_INSTANCE.operation,
        |name| {
            scope
                .sagemaker()
                .describe_notebook_instance()
                .notebook_instance_name(name)
                .send()
        },
        |name, o| async move {
            let (mut d, meta) =
                described(scope, &NOTEBOOK_INSTANCE, o.notebook_instance_arn(), &name).await;
            let header = d.header();
            let toggle =
                |d: &mut Doc, key: &str, v: Option<&str>| match v.map(|s| (s, Toggle::parse(s))) {
                    Some((_, Some(t))) => Value::set(t, d.field(0, key, t.as_str())),
                    Some((raw, None)) => Value::unknown(
                        format!("{key} `{raw}` is not Enabled or Disabled"),
                        d.field(0, key, raw),
                    ),
                    // DescribeNotebookInstance: both default to Enabled.
                    None => Value::default_value(Toggle::Enabled, header.clone()),
                };
            let direct_internet_access = toggle(
                &mut d,
                "DirectInternetAccess",
                o.direct_internet_access().map(|v| v.as_str()),
            );
            let root_access = toggle(&mut d, "RootAccess", o.root_access().map(|v| v.as_str()));
            let subnet = match o.subnet_id() {
                Some(s) => Value::set(Some(Ref::new(s)), d.field(0, "SubnetId", s)),
                None => Value::default_value(None, header.clone()),
            };
            let security_groups = if o.security_groups().is_empty() {
                Value::default_value(Vec::new(), header.clone())
            } else {
                refs(&mut d, 0, "SecurityGroups", o.security_groups())
            };
            let kms_key_id = opt_string(&mut d, "KmsKeyId", o.kms_key_id());
            let min_imds_version = match o
                .instance_metadata_service_configuration()
                .and_then(|c| c.minimum_instance_metadata_service_version())
            {
                Some(v) => {
                    d.block(0, "InstanceMetadataServiceConfiguration");
                    Value::set(
                        v.to_string(),
                        d.field(1, "MinimumInstanceMetadataServiceVersion", v),
                    )
                }
                None => Value::default_value("1".to_string(), header.clone()),
            };
            Some((
                d.finish(),
                NotebookInstance {
                    meta,
                    direct_internet_access,
                    root_access,
                    subnet,
                    security_groups,
                    kms_key_id,
                    min_imds_version,
                },
            ))
        },
    )
    .await
}

const MODEL: Kind = Kind {
    operation: "DescribeModel",
    source_type: "AWS::SageMaker::Model",
    arn_type: "model",
    name_key: "ModelName",
};

async fn collect_models(scope: &Scope) -> Vec<(SourceFile, sagescan_model::sagemaker::Model)> {
    list_then_describe(
        scope,
        scope.list(
            SERVICE,
            "ListModels",
            scope.sagemaker().list_models().into_paginator().send(),
            |p| p.next_token(),
            |p| p.models(),
        ),
        |s| s.model_name().map(str::to_string),
        MODEL.operation,
        |name| scope.sagemaker().describe_model().model_name(name).send(),
        |name, o| async move {
            let (mut d, meta) = described(scope, &MODEL, o.model_arn(), &name).await;
            let header = d.header();
            let enable_network_isolation = flag(
                &mut d,
                0,
                "EnableNetworkIsolation",
                o.enable_network_isolation(),
                &header,
            );
            let vpc_config = vpc_config(&mut d, 0, o.vpc_config());
            let found: Vec<&sm::ContainerDefinition> = o
                .primary_container()
                .into_iter()
                .chain(o.containers())
                .collect();
            let containers = if found.is_empty() {
                Value::default_value(Vec::new(), header.clone())
            } else {
                let at = d.block(0, "Containers");
                let cs = found
                    .into_iter()
                    .map(|c| {
                        let origin = d.item(1, c.image().unwrap_or("(no image)"));
                        let repository_access_mode =
                            match c.image_config().and_then(|ic| ic.repository_access_mode()) {
                                None => Value::default_value(None, origin.clone()),
                                Some(mode) => {
                                    let at = d.field(2, "RepositoryAccessMode", mode.as_str());
                                    match mode {
                                        sm::RepositoryAccessMode::Platform => {
                                            Value::set(Some(RepositoryAccessMode::Platform), at)
                                        }
                                        sm::RepositoryAccessMode::Vpc => {
                                            Value::set(Some(RepositoryAccessMode::Vpc), at)
                                        }
                                        other => Value::unknown(
                                            format!(
                                                "repository access mode {} is not modelled",
                                                other.as_str()
                                            ),
                                            at,
                                        ),
                                    }
                                }
                            };
                        Container {
                            image: Value::set(c.image().map(str::to_string), origin.clone()),
                            repository_access_mode,
                            origin,
                        }
                    })
                    .collect();
                Value::set(cs, at)
            };
            Some((
                d.finish(),
                sagescan_model::sagemaker::Model {
                    meta,
                    enable_network_isolation,
                    vpc_config,
                    containers,
                },
            ))
        },
    )
    .await
}

const ENDPOINT_CONFIG: Kind = Kind {
    operation: "DescribeEndpointConfig",
    source_type: "AWS::SageMaker::EndpointConfig",
    arn_type: "endpoint-config",
    name_key: "EndpointConfigName",
};

async fn collect_endpoint_configs(scope: &Scope) -> Vec<(SourceFile, EndpointConfig)> {
    list_then_describe(
        scope,
        scope.list(
            SERVICE,
            "ListEndpointConfigs",
            scope
                .sagemaker()
                .list_endpoint_configs()
                .into_paginator()
                .send(),
            |p| p.next_token(),
            |p| p.endpoint_configs(),
        ),
        |s| s.endpoint_config_name().map(str::to_string),
        ENDPOINT_CONFIG.operation,
        |name| {
            scope
                .sagemaker()
                .describe_endpoint_config()
                .endpoint_config_name(name)
                .send()
        },
        |name, o| async move {
            let (mut d, meta) =
                described(scope, &ENDPOINT_CONFIG, o.endpoint_config_arn(), &name).await;
            let kms_key_id = opt_string(&mut d, "KmsKeyId", o.kms_key_id());
            let at = d.block(0, "ProductionVariants");
            let variants = o
                .production_variants()
                .iter()
                .map(|v| {
                    let origin = d.item(1, v.variant_name().unwrap_or_default());
                    let serverless = v.serverless_config().is_some();
                    let initial_instance_count = match v.initial_instance_count() {
                        Some(n) => {
                            Value::set(Some(i64::from(n)), d.field(2, "InitialInstanceCount", n))
                        }
                        None => Value::default_value(None, origin.clone()),
                    };
                    ProductionVariant {
                        name: Value::set(
                            v.variant_name().unwrap_or_default().to_string(),
                            origin.clone(),
                        ),
                        initial_instance_count,
                        serverless,
                        origin,
                    }
                })
                .collect();
            Some((
                d.finish(),
                EndpointConfig {
                    meta,
                    kms_key_id,
                    production_variants: Value::set(variants, at),
                },
            ))
        },
    )
    .await
}

const ENDPOINT: Kind = Kind {
    operation: "DescribeEndpoint",
    source_type: "AWS::SageMaker::Endpoint",
    arn_type: "endpoint",
    name_key: "EndpointName",
};

async fn collect_endpoints(scope: &Scope) -> Vec<(SourceFile, Endpoint)> {
    list_then_describe(
        scope,
        scope.list(
            SERVICE,
            "ListEndpoints",
            scope.sagemaker().list_endpoints().into_paginator().send(),
            |p| p.next_token(),
            |p| p.endpoints(),
        ),
        |s| s.endpoint_name().map(str::to_string),
        ENDPOINT.operation,
        |name| {
            scope
                .sagemaker()
                .describe_endpoint()
                .endpoint_name(name)
                .send()
        },
        |name, o| async move {
            let (mut d, meta) = described(scope, &ENDPOINT, o.endpoint_arn(), &name).await;
            let endpoint_config = match o.endpoint_config_name() {
                Some(c) => Value::set(Ref::new(c), d.field(0, "EndpointConfigName", c)),
                None => Value::unknown("the API response has no EndpointConfigName", d.header()),
            };
            Some((
                d.finish(),
                Endpoint {
                    meta,
                    endpoint_config,
                },
            ))
        },
    )
    .await
}

const DOMAIN: Kind = Kind {
    operation: "DescribeDomain",
    source_type: "AWS::SageMaker::Domain",
    arn_type: "domain",
    name_key: "DomainId",
};

async fn collect_domains(scope: &Scope) -> Vec<(SourceFile, Domain)> {
    list_then_describe(
        scope,
        scope.list(
            SERVICE,
            "ListDomains",
            scope.sagemaker().list_domains().into_paginator().send(),
            |p| p.next_token(),
            |p| p.domains(),
        ),
        |s| s.domain_id().map(str::to_string),
        DOMAIN.operation,
        |id| scope.sagemaker().describe_domain().domain_id(id).send(),
        |id, o| async move {
            let (mut d, mut meta) = described(scope, &DOMAIN, o.domain_arn(), &id).await;
            let header = d.header();
            if let Some(name) = o.domain_name() {
                d.field(0, "DomainName", name);
                meta.aliases.push(name.to_string());
            }
            let app_network_access_type = match o.app_network_access_type() {
                Some(sm::AppNetworkAccessType::VpcOnly) => Value::set(
                    AppNetworkAccessType::VpcOnly,
                    d.field(0, "AppNetworkAccessType", "VpcOnly"),
                ),
                Some(sm::AppNetworkAccessType::PublicInternetOnly) => Value::set(
                    AppNetworkAccessType::PublicInternetOnly,
                    d.field(0, "AppNetworkAccessType", "PublicInternetOnly"),
                ),
                Some(other) => Value::unknown(
                    format!("AppNetworkAccessType {} is not modelled", other.as_str()),
                    d.field(0, "AppNetworkAccessType", other.as_str()),
                ),
                // DescribeDomain: absent means PublicInternetOnly.
                None => {
                    Value::default_value(AppNetworkAccessType::PublicInternetOnly, header.clone())
                }
            };
            let kms_key_id = opt_string(&mut d, "KmsKeyId", o.kms_key_id());
            let vpc = match o.vpc_id() {
                Some(v) => Value::set(Some(Ref::new(v)), d.field(0, "VpcId", v)),
                None => Value::default_value(None, header.clone()),
            };
            let subnets = if o.subnet_ids().is_empty() {
                Value::default_value(Vec::new(), header.clone())
            } else {
                refs(&mut d, 0, "SubnetIds", o.subnet_ids())
            };
            let security_groups = settings_groups(
                &mut d,
                "DefaultUserSettings",
                o.default_user_settings()
                    .map(|s| s.security_groups())
                    .unwrap_or_default(),
            );
            let default_space_security_groups = settings_groups(
                &mut d,
                "DefaultSpaceSettings",
                o.default_space_settings()
                    .map(|s| s.security_groups())
                    .unwrap_or_default(),
            );
            Some((
                d.finish(),
                Domain {
                    meta,
                    app_network_access_type,
                    kms_key_id,
                    vpc,
                    subnets,
                    security_groups,
                    default_space_security_groups,
                },
            ))
        },
    )
    .await
}

const USER_PROFILE: Kind = Kind {
    operation: "DescribeUserProfile",
    source_type: "AWS::SageMaker::UserProfile",
    arn_type: "user-profile",
    name_key: "DomainId/UserProfileName",
};

/// `DomainId/Name`: profiles and spaces are named within their domain, and described by
/// both. It is also their ARN's resource id, and the key spaces name their owner by.
fn in_domain(domain: Option<&str>, name: Option<&str>) -> Option<String> {
    Some(format!("{}/{}", domain?, name?))
}

/// Splits a key made by [`in_domain`] (domain ids hold no `/`).
fn domain_and_name(key: &str) -> (&str, &str) {
    key.split_once('/').unwrap_or((key, ""))
}

/// Studio user profiles, listed region-wide (`ListUserProfiles` without `DomainIdEquals`
/// lists every domain's).
async fn collect_user_profiles(scope: &Scope) -> Vec<(SourceFile, UserProfile)> {
    list_then_describe(
        scope,
        scope.list(
            SERVICE,
            "ListUserProfiles",
            scope
                .sagemaker()
                .list_user_profiles()
                .into_paginator()
                .send(),
            |p| p.next_token(),
            |p| p.user_profiles(),
        ),
        |s| in_domain(s.domain_id(), s.user_profile_name()),
        USER_PROFILE.operation,
        |key| {
            let (domain, name) = domain_and_name(key);
            scope
                .sagemaker()
                .describe_user_profile()
                .domain_id(domain)
                .user_profile_name(name)
                .send()
        },
        |key, o| async move {
            let (mut d, meta) = described(scope, &USER_PROFILE, o.user_profile_arn(), &key).await;
            let domain_id = domain_and_name(&key).0;
            let domain = Value::set(Ref::new(domain_id), d.field(0, "DomainId", domain_id));
            let security_groups = settings_groups(
                &mut d,
                "UserSettings",
                o.user_settings()
                    .map(|s| s.security_groups())
                    .unwrap_or_default(),
            );
            Some((
                d.finish(),
                UserProfile {
                    meta,
                    domain,
                    security_groups,
                },
            ))
        },
    )
    .await
}

const SPACE: Kind = Kind {
    operation: "DescribeSpace",
    source_type: "AWS::SageMaker::Space",
    arn_type: "space",
    name_key: "DomainId/SpaceName",
};

/// Studio spaces, listed region-wide like the profiles.
async fn collect_spaces(scope: &Scope) -> Vec<(SourceFile, Space)> {
    list_then_describe(
        scope,
        scope.list(
            SERVICE,
            "ListSpaces",
            scope.sagemaker().list_spaces().into_paginator().send(),
            |p| p.next_token(),
            |p| p.spaces(),
        ),
        |s| in_domain(s.domain_id(), s.space_name()),
        SPACE.operation,
        |key| {
            let (domain, name) = domain_and_name(key);
            scope
                .sagemaker()
                .describe_space()
                .domain_id(domain)
                .space_name(name)
                .send()
        },
        |key, o| async move {
            let (mut d, meta) = described(scope, &SPACE, o.space_arn(), &key).await;
            let header = d.header();
            let domain_id = domain_and_name(&key).0;
            let domain = Value::set(Ref::new(domain_id), d.field(0, "DomainId", domain_id));
            let sharing_type = match o.space_sharing_settings().and_then(|s| s.sharing_type()) {
                Some(t) => {
                    d.block(0, "SpaceSharingSettings");
                    let at = d.field(1, "SharingType", t.as_str());
                    match SharingType::parse(t.as_str()) {
                        Some(t) => Value::set(t, at),
                        None => Value::unknown(
                            format!("SharingType {} is not modelled", t.as_str()),
                            at,
                        ),
                    }
                }
                None => Value::unknown(
                    "the API response has no SpaceSharingSettings, and AWS documents no default",
                    header.clone(),
                ),
            };
            let owner = match o
                .ownership_settings()
                .and_then(|s| s.owner_user_profile_name())
            {
                Some(owner) => {
                    d.block(0, "OwnershipSettings");
                    Value::set(
                        in_domain(Some(domain_id), Some(owner)).map(Ref::new),
                        d.field(1, "OwnerUserProfileName", owner),
                    )
                }
                None => Value::default_value(None, header),
            };
            Some((
                d.finish(),
                Space {
                    meta,
                    domain,
                    sharing_type,
                    owner,
                },
            ))
        },
    )
    .await
}

const TRAINING_JOB: Kind = Kind {
    operation: "DescribeTrainingJob",
    source_type: "AWS::SageMaker::TrainingJob",
    arn_type: "training-job",
    name_key: "TrainingJobName",
};

async fn collect_training_jobs(scope: &Scope, since: DateTime) -> Vec<(SourceFile, TrainingJob)> {
    list_then_describe(
        scope,
        scope.list(
            SERVICE,
            "ListTrainingJobs",
            scope
                .sagemaker()
                .list_training_jobs()
                .creation_time_after(since)
                .into_paginator()
                .send(),
            |p| p.next_token(),
            |p| p.training_job_summaries(),
        ),
        |s| s.training_job_name().map(str::to_string),
        TRAINING_JOB.operation,
        |name| {
            scope
                .sagemaker()
                .describe_training_job()
                .training_job_name(name)
                .send()
        },
        |name, o| async move {
            let (mut d, meta) = described(scope, &TRAINING_JOB, o.training_job_arn(), &name).await;
            let header = d.header();
            let enable_network_isolation = flag(
                &mut d,
                0,
                "EnableNetworkIsolation",
                o.enable_network_isolation(),
                &header,
            );
            let inter_container_encryption = flag(
                &mut d,
                0,
                "EnableInterContainerTrafficEncryption",
                o.enable_inter_container_traffic_encryption(),
                &header,
            );
            let resources = o.resource_config();
            let instance_count = match resources.and_then(|r| r.instance_count()) {
                Some(n) => Value::set(i64::from(n), d.field(0, "InstanceCount", n)),
                // Instance groups (heterogeneous clusters) have no single count: 1 is wrong
                // in the direction that hides an inter-container finding, so say unknown.
                None => Value::unknown("ResourceConfig has no InstanceCount", header.clone()),
            };
            let volume_kms_key_id = opt_string(
                &mut d,
                "VolumeKmsKeyId",
                resources.and_then(|r| r.volume_kms_key_id()),
            );
            let output_kms_key_id = opt_string(
                &mut d,
                "OutputKmsKeyId",
                o.output_data_config().and_then(|c| c.kms_key_id()),
            );
            let vpc_config = vpc_config(&mut d, 0, o.vpc_config());
            Some((
                d.finish(),
                TrainingJob {
                    meta,
                    source: TrainingSource::TrainingJob,
                    enable_network_isolation,
                    inter_container_encryption,
                    instance_count,
                    vpc_config,
                    volume_kms_key_id,
                    output_kms_key_id,
                },
            ))
        },
    )
    .await
}

const PROCESSING_JOB: Kind = Kind {
    operation: "DescribeProcessingJob",
    source_type: "AWS::SageMaker::ProcessingJob",
    arn_type: "processing-job",
    name_key: "ProcessingJobName",
};

async fn collect_processing_jobs(
    scope: &Scope,
    since: DateTime,
) -> Vec<(SourceFile, ProcessingJob)> {
    list_then_describe(
        scope,
        scope.list(
            SERVICE,
            "ListProcessingJobs",
            scope
                .sagemaker()
                .list_processing_jobs()
                .creation_time_after(since)
                .into_paginator()
                .send(),
            |p| p.next_token(),
            |p| p.processing_job_summaries(),
        ),
        |s| s.processing_job_name().map(str::to_string),
        PROCESSING_JOB.operation,
        |name| {
            scope
                .sagemaker()
                .describe_processing_job()
                .processing_job_name(name)
                .send()
        },
        |name, o| async move {
            let (mut d, meta) =
                described(scope, &PROCESSING_JOB, o.processing_job_arn(), &name).await;
            let header = d.header();
            let nc = o.network_config().map(|c| Network {
                isolation: c.enable_network_isolation(),
                encryption: c.enable_inter_container_traffic_encryption(),
                vpc: c.vpc_config(),
            });
            let network = network_config(&mut d, &header, nc);
            Some((d.finish(), ProcessingJob { meta, network }))
        },
    )
    .await
}

/// The members of a `NetworkConfig`, read off the SDK's two types of that shape (processing
/// jobs and schedules have `NetworkConfig`, job definitions `MonitoringNetworkConfig`).
struct Network<'a> {
    isolation: Option<bool>,
    encryption: Option<bool>,
    vpc: Option<&'a sm::VpcConfig>,
}

/// A `NetworkConfig` block; absent, every member takes its default (false, no VPC).
fn network_config(d: &mut Doc, header: &Origin, nc: Option<Network<'_>>) -> NetworkConfig {
    if nc.is_some() {
        d.block(0, "NetworkConfig");
    }
    let nc = nc.unwrap_or(Network {
        isolation: None,
        encryption: None,
        vpc: None,
    });
    NetworkConfig {
        enable_network_isolation: flag(d, 1, "EnableNetworkIsolation", nc.isolation, header),
        inter_container_encryption: flag(
            d,
            1,
            "EnableInterContainerTrafficEncryption",
            nc.encryption,
            header,
        ),
        vpc_config: vpc_config(d, 1, nc.vpc),
    }
}

/// Model monitoring: the job definitions of the four kinds, and the schedules that carry
/// their own definition (a schedule naming a separate definition adds no job: that
/// definition is collected as such). The SDK has a type per kind, so each is written out.
async fn collect_monitoring(scope: &Scope) -> Vec<(SourceFile, MonitoringJob)> {
    let (data_quality, model_quality, bias, explainability, schedules) = tokio::join!(
        list_then_describe(
            scope,
            scope.list(
                SERVICE,
                "ListDataQualityJobDefinitions",
                scope
                    .sagemaker()
                    .list_data_quality_job_definitions()
                    .into_paginator()
                    .send(),
                |p| p.next_token(),
                |p| p.job_definition_summaries()
            ),
            |s| s.monitoring_job_definition_name().map(str::to_string),
            Monitoring::DATA_QUALITY.named.operation,
            |name| {
                scope
                    .sagemaker()
                    .describe_data_quality_job_definition()
                    .job_definition_name(name)
                    .send()
            },
            |name, o| async move {
                let nc = o.network_config().map(|c| Network {
                    isolation: c.enable_network_isolation(),
                    encryption: c.enable_inter_container_traffic_encryption(),
                    vpc: c.vpc_config(),
                });
                let kind = Monitoring::DATA_QUALITY;
                monitoring_job(scope, &kind, name, o.job_definition_arn(), nc).await
            },
        ),
        list_then_describe(
            scope,
            scope.list(
                SERVICE,
                "ListModelQualityJobDefinitions",
                scope
                    .sagemaker()
                    .list_model_quality_job_definitions()
                    .into_paginator()
                    .send(),
                |p| p.next_token(),
                |p| p.job_definition_summaries()
            ),
            |s| s.monitoring_job_definition_name().map(str::to_string),
            Monitoring::MODEL_QUALITY.named.operation,
            |name| {
                scope
                    .sagemaker()
                    .describe_model_quality_job_definition()
                    .job_definition_name(name)
                    .send()
            },
            |name, o| async move {
                let nc = o.network_config().map(|c| Network {
                    isolation: c.enable_network_isolation(),
                    encryption: c.enable_inter_container_traffic_encryption(),
                    vpc: c.vpc_config(),
                });
                let kind = Monitoring::MODEL_QUALITY;
                monitoring_job(scope, &kind, name, o.job_definition_arn(), nc).await
            },
        ),
        list_then_describe(
            scope,
            scope.list(
                SERVICE,
                "ListModelBiasJobDefinitions",
                scope
                    .sagemaker()
                    .list_model_bias_job_definitions()
                    .into_paginator()
                    .send(),
                |p| p.next_token(),
                |p| p.job_definition_summaries()
            ),
            |s| s.monitoring_job_definition_name().map(str::to_string),
            Monitoring::MODEL_BIAS.named.operation,
            |name| {
                scope
                    .sagemaker()
                    .describe_model_bias_job_definition()
                    .job_definition_name(name)
                    .send()
            },
            |name, o| async move {
                let nc = o.network_config().map(|c| Network {
                    isolation: c.enable_network_isolation(),
                    encryption: c.enable_inter_container_traffic_encryption(),
                    vpc: c.vpc_config(),
                });
                let kind = Monitoring::MODEL_BIAS;
                monitoring_job(scope, &kind, name, o.job_definition_arn(), nc).await
            },
        ),
        list_then_describe(
            scope,
            scope.list(
                SERVICE,
                "ListModelExplainabilityJobDefinitions",
                scope
                    .sagemaker()
                    .list_model_explainability_job_definitions()
                    .into_paginator()
                    .send(),
                |p| p.next_token(),
                |p| p.job_definition_summaries()
            ),
            |s| s.monitoring_job_definition_name().map(str::to_string),
            Monitoring::MODEL_EXPLAINABILITY.named.operation,
            |name| {
                scope
                    .sagemaker()
                    .describe_model_explainability_job_definition()
                    .job_definition_name(name)
                    .send()
            },
            |name, o| async move {
                let nc = o.network_config().map(|c| Network {
                    isolation: c.enable_network_isolation(),
                    encryption: c.enable_inter_container_traffic_encryption(),
                    vpc: c.vpc_config(),
                });
                let kind = Monitoring::MODEL_EXPLAINABILITY;
                monitoring_job(scope, &kind, name, o.job_definition_arn(), nc).await
            },
        ),
        list_then_describe(
            scope,
            scope.list(
                SERVICE,
                "ListMonitoringSchedules",
                scope
                    .sagemaker()
                    .list_monitoring_schedules()
                    .into_paginator()
                    .send(),
                |p| p.next_token(),
                |p| p.monitoring_schedule_summaries()
            ),
            |s| s.monitoring_schedule_name().map(str::to_string),
            Monitoring::SCHEDULE.named.operation,
            |name| {
                scope
                    .sagemaker()
                    .describe_monitoring_schedule()
                    .monitoring_schedule_name(name)
                    .send()
            },
            |name, o| async move {
                let definition = o
                    .monitoring_schedule_config()
                    .and_then(|c| c.monitoring_job_definition())?;
                let nc = definition.network_config().map(|c| Network {
                    isolation: c.enable_network_isolation(),
                    encryption: c.enable_inter_container_traffic_encryption(),
                    vpc: c.vpc_config(),
                });
                let kind = Monitoring::SCHEDULE;
                monitoring_job(scope, &kind, name, o.monitoring_schedule_arn(), nc).await
            },
        ),
    );
    [data_quality, model_quality, bias, explainability, schedules].concat()
}

/// What tells the monitoring kinds apart in the model and in the synthesized text.
struct Monitoring {
    kind: MonitoringKind,
    named: Kind,
}

impl Monitoring {
    const DATA_QUALITY: Monitoring = Monitoring {
        kind: MonitoringKind::DataQuality,
        named: Kind {
            operation: "DescribeDataQualityJobDefinition",
            source_type: "AWS::SageMaker::DataQualityJobDefinition",
            arn_type: "data-quality-job-definition",
            name_key: "JobDefinitionName",
        },
    };
    const MODEL_QUALITY: Monitoring = Monitoring {
        kind: MonitoringKind::ModelQuality,
        named: Kind {
            operation: "DescribeModelQualityJobDefinition",
            source_type: "AWS::SageMaker::ModelQualityJobDefinition",
            arn_type: "model-quality-job-definition",
            name_key: "JobDefinitionName",
        },
    };
    const MODEL_BIAS: Monitoring = Monitoring {
        kind: MonitoringKind::ModelBias,
        named: Kind {
            operation: "DescribeModelBiasJobDefinition",
            source_type: "AWS::SageMaker::ModelBiasJobDefinition",
            arn_type: "model-bias-job-definition",
            name_key: "JobDefinitionName",
        },
    };
    const MODEL_EXPLAINABILITY: Monitoring = Monitoring {
        kind: MonitoringKind::ModelExplainability,
        named: Kind {
            operation: "DescribeModelExplainabilityJobDefinition",
            source_type: "AWS::SageMaker::ModelExplainabilityJobDefinition",
            arn_type: "model-explainability-job-definition",
            name_key: "JobDefinitionName",
        },
    };
    const SCHEDULE: Monitoring = Monitoring {
        kind: MonitoringKind::Schedule,
        named: Kind {
            operation: "DescribeMonitoringSchedule",
            source_type: "AWS::SageMaker::MonitoringSchedule",
            arn_type: "monitoring-schedule",
            name_key: "MonitoringScheduleName",
        },
    };
}

async fn monitoring_job(
    scope: &Scope,
    kind: &Monitoring,
    name: String,
    arn: Option<&str>,
    nc: Option<Network<'_>>,
) -> Option<(SourceFile, MonitoringJob)> {
    let (mut d, meta) = described(scope, &kind.named, arn, &name).await;
    let header = d.header();
    let network = network_config(&mut d, &header, nc);
    Some((
        d.finish(),
        MonitoringJob {
            meta,
            kind: kind.kind,
            network,
        },
    ))
}
