//! SageMaker resources: the workloads whose network posture sagescan judges.
//!
//! Field names follow the SageMaker API (not any one IaC syntax). Optional attributes whose
//! absence has a meaning (no KMS key = AWS-managed key; no VPC config = SageMaker's own
//! network) are `Value<Option<_>>`, so "absent" is an explicit `Default(None)` the loader
//! chose, never an accident.

use crate::network::{SecurityGroup, Subnet, Vpc};
use crate::resource::{Meta, Ref};
use crate::value::{Toggle, Value};
use serde::{Deserialize, Serialize};

/// Subnets and security groups of a workload that runs in a customer VPC.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct VpcConfig {
    pub subnets: Value<Vec<Ref<Subnet>>>,
    pub security_groups: Value<Vec<Ref<SecurityGroup>>>,
}

/// `AWS::SageMaker::Model` / `aws_sagemaker_model`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Model {
    pub meta: Meta,
    /// `EnableNetworkIsolation`; AWS default false.
    pub enable_network_isolation: Value<bool>,
    /// `VpcConfig`; absent = the model's containers run in SageMaker's network.
    pub vpc_config: Value<Option<VpcConfig>>,
    /// Primary container and/or the containers of an inference pipeline.
    pub containers: Value<Vec<Container>>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Container {
    pub image: Value<Option<String>>,
    /// `ImageConfig.RepositoryAccessMode`: `Platform` (the image is in Amazon ECR) or `Vpc`
    /// (a private registry reached through the model's VPC). `None` = no `ImageConfig`,
    /// which means the same as `Platform`.
    pub repository_access_mode: Value<Option<RepositoryAccessMode>>,
    /// Where the container is declared.
    #[serde(default)]
    pub origin: crate::value::Origin,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum RepositoryAccessMode {
    Platform,
    Vpc,
}

/// `AWS::SageMaker::NotebookInstance` / `aws_sagemaker_notebook_instance`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct NotebookInstance {
    pub meta: Meta,
    /// `DirectInternetAccess`; AWS default `Enabled`.
    pub direct_internet_access: Value<Toggle>,
    /// `RootAccess`; AWS default `Enabled`.
    pub root_access: Value<Toggle>,
    /// `SubnetId`; absent = the notebook is not in a customer VPC.
    pub subnet: Value<Option<Ref<Subnet>>>,
    pub security_groups: Value<Vec<Ref<SecurityGroup>>>,
    /// `KmsKeyId`; absent = AWS-managed key.
    pub kms_key_id: Value<Option<String>>,
    /// `InstanceMetadataServiceConfiguration.MinimumInstanceMetadataServiceVersion`;
    /// AWS default `1` (IMDSv1 and v2 both allowed).
    pub min_imds_version: Value<String>,
}

/// `AWS::SageMaker::EndpointConfig` / `aws_sagemaker_endpoint_configuration`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct EndpointConfig {
    pub meta: Meta,
    /// `KmsKeyId`; absent = AWS-managed key.
    pub kms_key_id: Value<Option<String>>,
    pub production_variants: Value<Vec<ProductionVariant>>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ProductionVariant {
    pub name: Value<String>,
    /// `InitialInstanceCount`; `None` for serverless variants, which have no instances.
    pub initial_instance_count: Value<Option<i64>>,
    pub serverless: bool,
    #[serde(default)]
    pub origin: crate::value::Origin,
}

/// `AWS::SageMaker::Endpoint` / `aws_sagemaker_endpoint`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Endpoint {
    pub meta: Meta,
    pub endpoint_config: Value<Ref<EndpointConfig>>,
}

/// `AWS::SageMaker::Domain` / `aws_sagemaker_domain` (Studio).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Domain {
    pub meta: Meta,
    /// `AppNetworkAccessType`; AWS default `PublicInternetOnly`.
    pub app_network_access_type: Value<AppNetworkAccessType>,
    /// `KmsKeyId` for the domain's EFS volume; absent = AWS-managed key.
    pub kms_key_id: Value<Option<String>>,
    pub vpc: Value<Option<Ref<Vpc>>>,
    pub subnets: Value<Vec<Ref<Subnet>>>,
    /// `DefaultUserSettings.SecurityGroups`: every user profile's apps run with these, plus
    /// the profile's own.
    pub security_groups: Value<Vec<Ref<SecurityGroup>>>,
    /// `DefaultSpaceSettings.SecurityGroups`: the groups of shared spaces (SageMaker applies
    /// `DefaultSpaceSettings` to shared spaces only). Absent in older snapshots.
    #[serde(default = "absent_in_snapshot")]
    pub default_space_security_groups: Value<Vec<Ref<SecurityGroup>>>,
}

/// A field a snapshot written before it existed lacks: Unknown, never an empty list that
/// would read as "no groups".
fn absent_in_snapshot<T>() -> Value<T> {
    Value::unknown(
        "the snapshot predates this field",
        crate::value::Origin::None,
    )
}

/// `AWS::SageMaker::UserProfile` / `aws_sagemaker_user_profile`: a Studio user. Its apps
/// run in its domain's subnets with the domain's `DefaultUserSettings.SecurityGroups`
/// **and** its own `UserSettings.SecurityGroups` ("SecurityGroups is aggregated when
/// specified in both calls", API `UserSettings`), so a profile can open what its domain
/// closed.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct UserProfile {
    pub meta: Meta,
    /// `DomainId`.
    pub domain: Value<Ref<Domain>>,
    /// `UserSettings.SecurityGroups`: added to the domain's; absent = none added.
    pub security_groups: Value<Vec<Ref<SecurityGroup>>>,
}

/// `AWS::SageMaker::Space` / `aws_sagemaker_space`: a Studio space. A shared space runs
/// with its domain's `DefaultSpaceSettings.SecurityGroups`; a private one as its owner.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Space {
    pub meta: Meta,
    /// `DomainId`.
    pub domain: Value<Ref<Domain>>,
    /// `SpaceSharingSettings.SharingType`. AWS documents no default for a space created
    /// without it, so absent is Unknown.
    pub sharing_type: Value<SharingType>,
    /// `OwnershipSettings.OwnerUserProfileName`; absent = no owner (shared spaces need none).
    pub owner: Value<Option<Ref<UserProfile>>>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum SharingType {
    Private,
    Shared,
}

impl SharingType {
    /// The API's spelling; `None` for anything else.
    pub fn parse(s: &str) -> Option<SharingType> {
        match s {
            "Private" => Some(SharingType::Private),
            "Shared" => Some(SharingType::Shared),
            _ => None,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum AppNetworkAccessType {
    PublicInternetOnly,
    VpcOnly,
}

/// What kind of definition a [`TrainingJob`] came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TrainingSource {
    /// A `CreateTrainingJob` (live) or a pipeline's training step.
    TrainingJob,
    /// The training job definition of a hyperparameter tuning job.
    TuningJobDefinition,
}

/// A training job or a tuning job's training definition.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TrainingJob {
    pub meta: Meta,
    pub source: TrainingSource,
    /// `EnableNetworkIsolation`; AWS default false.
    pub enable_network_isolation: Value<bool>,
    /// `EnableInterContainerTrafficEncryption`; AWS default false.
    pub inter_container_encryption: Value<bool>,
    /// `ResourceConfig.InstanceCount`: inter-container encryption only matters above 1.
    pub instance_count: Value<i64>,
    pub vpc_config: Value<Option<VpcConfig>>,
    /// `ResourceConfig.VolumeKmsKeyId`.
    pub volume_kms_key_id: Value<Option<String>>,
    /// `OutputDataConfig.KmsKeyId`.
    pub output_kms_key_id: Value<Option<String>>,
}

/// `NetworkConfig` of processing jobs and monitoring definitions.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct NetworkConfig {
    /// `EnableNetworkIsolation`; AWS default false.
    pub enable_network_isolation: Value<bool>,
    /// `EnableInterContainerTrafficEncryption`; AWS default false.
    pub inter_container_encryption: Value<bool>,
    pub vpc_config: Value<Option<VpcConfig>>,
}

/// A processing job (live, or a pipeline's processing step).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ProcessingJob {
    pub meta: Meta,
    /// Absent `NetworkConfig` means every member takes its default.
    pub network: NetworkConfig,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MonitoringKind {
    DataQuality,
    ModelQuality,
    ModelBias,
    ModelExplainability,
    /// A monitoring schedule with an inline job definition.
    Schedule,
}

/// A model-monitoring job definition or schedule.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MonitoringJob {
    pub meta: Meta,
    pub kind: MonitoringKind,
    pub network: NetworkConfig,
}
