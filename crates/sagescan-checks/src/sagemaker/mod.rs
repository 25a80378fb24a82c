//! SageMaker workload checks (SM1xx): attributes of notebooks, models, endpoints, Studio
//! domains, training, processing and monitoring jobs that decide their network exposure.
//!
//! Several checks ask the same question of different resources ("is network isolation
//! on?", "is there a VpcConfig with subnets?", "is a KMS key named?"), so the judgement
//! lives here once and each check supplies only the resource kind and the API attribute it
//! names in its messages. [`Parts`] folds the verdicts of a resource's parts (containers,
//! production variants, storage keys) into the single outcome a resource gets.

pub mod domain_kms_missing;
pub mod domain_public_internet_access;
pub mod endpoint_config_kms_missing;
pub mod endpoint_single_instance;
pub mod model_network_isolation_disabled;
pub mod model_outside_vpc;
pub mod model_public_registry;
pub mod monitoring_inter_container_encryption_disabled;
pub mod monitoring_network_isolation_disabled;
pub mod notebook_direct_internet_access;
pub mod notebook_imdsv1_allowed;
pub mod notebook_kms_missing;
pub mod notebook_outside_vpc;
pub mod notebook_root_access;
pub mod processing_network_isolation_disabled;
pub mod processing_outside_vpc;
pub mod training_inter_container_encryption_disabled;
pub mod training_network_isolation_disabled;
pub mod training_outside_vpc;
pub mod training_storage_kms_missing;
pub mod workload_public_subnet;
pub mod workload_single_az;

use crate::Outcomes;
use sagescan_model::sagemaker::{MonitoringKind, TrainingJob, TrainingSource, VpcConfig};
use sagescan_model::{Origin, Resource, Value};

/// Fails when a switch that should be on is off: `{kind} has {attr} false`.
pub(crate) fn judge_enabled<R: Resource>(
    out: &mut Outcomes,
    r: &R,
    kind: &str,
    attr: &str,
    value: &Value<bool>,
) {
    out.judge(r, attr, value, |on| {
        (!on).then(|| format!("{kind} has {attr} false"))
    });
}

/// Naming a customer managed key is a decision (which key, whose key policy lets SageMaker
/// use it), so the fix is only a suggestion with a placeholder.
pub(crate) fn kms_fix<T>(current: &Value<T>) -> crate::Fix {
    crate::Fix::set(
        "Encrypt with a customer managed KMS key",
        crate::Safety::Unsafe,
        &["KmsKeyId"],
        crate::FixValue::Placeholder("KMS key ARN"),
        current,
    )
}

/// Fails when an optional attribute is absent: `{kind} has no {attr}`.
pub(crate) fn judge_present<R: Resource, T: serde::Serialize>(
    out: &mut Outcomes,
    r: &R,
    kind: &str,
    attr: &str,
    value: &Value<Option<T>>,
) {
    out.judge(r, attr, value, |v| {
        v.is_none().then(|| format!("{kind} has no {attr}"))
    });
}

/// Fails when a workload has no `VpcConfig`, or one whose `Subnets` is empty: either way it
/// runs in SageMaker's own network. Subnets that are unknown make it inconclusive, because
/// "placed in a VPC" is exactly what cannot be shown then.
pub(crate) fn judge_vpc_config<R: Resource>(
    out: &mut Outcomes,
    r: &R,
    kind: &str,
    attr: &str,
    value: &Value<Option<VpcConfig>>,
) {
    match value.get() {
        Some(Some(config)) => {
            let subnets = format!("{attr}.Subnets");
            out.judge(r, &subnets, &config.subnets, |s| {
                s.is_empty()
                    .then(|| format!("{kind} has a {attr} with no Subnets"))
            });
        }
        // Absent or unknown: the generic judgement words both cases.
        Some(None) | None => judge_present(out, r, kind, attr, value),
    }
}

/// How messages name a training resource: the API object it came from.
pub(crate) fn training_kind(job: &TrainingJob) -> &'static str {
    match job.source {
        TrainingSource::TrainingJob => "training job",
        TrainingSource::TuningJobDefinition => "tuning job training definition",
    }
}

/// How messages name a monitoring resource.
pub(crate) fn monitoring_kind(kind: MonitoringKind) -> &'static str {
    match kind {
        MonitoringKind::DataQuality => "data quality job definition",
        MonitoringKind::ModelQuality => "model quality job definition",
        MonitoringKind::ModelBias => "model bias job definition",
        MonitoringKind::ModelExplainability => "model explainability job definition",
        MonitoringKind::Schedule => "monitoring schedule",
    }
}

/// The verdicts of a resource's parts, folded into the one outcome the resource gets:
/// any failing part fails it (the message lists every failing part, the location is the
/// first one's); otherwise any unknown part makes it inconclusive; otherwise it passes.
/// A resource none of whose parts was judged gets no outcome: not applicable.
#[derive(Default)]
pub(crate) struct Parts {
    failed: Vec<(Origin, String)>,
    unknown: Option<(Origin, String)>,
    passed: usize,
}

impl Parts {
    /// A failing part; `what` completes "{kind} has …" (`no OutputDataConfig.KmsKeyId`).
    pub(crate) fn fail(&mut self, location: &Origin, what: String) {
        self.failed.push((location.clone(), what));
    }

    /// A part whose verdict needs an unknown value; only the first is reported.
    pub(crate) fn unknown(&mut self, location: &Origin, message: String) {
        self.unknown.get_or_insert((location.clone(), message));
    }

    pub(crate) fn pass(&mut self) {
        self.passed += 1;
    }

    /// Writes the resource's outcome; failure messages read `{kind} has {part}, {part}`.
    pub(crate) fn report<R: Resource>(self, out: &mut Outcomes, r: &R, kind: &str) {
        if let Some((location, _)) = self.failed.first() {
            let parts: Vec<&str> = self.failed.iter().map(|(_, m)| m.as_str()).collect();
            out.fail(r, location, format!("{kind} has {}", parts.join(", ")));
        } else if let Some((location, message)) = self.unknown {
            out.inconclusive(r, &location, message);
        } else if self.passed > 0 {
            out.pass(r);
        }
    }
}

/// The more precise of two origins: a value's own, else its enclosing part's.
pub(crate) fn nearest<'a>(value: &'a Origin, part: &'a Origin) -> &'a Origin {
    match value {
        Origin::None => part,
        _ => value,
    }
}
