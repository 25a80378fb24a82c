use super::training_kind;
use crate::{Context, Outcomes};
use sagescan_model::Value;

crate::check! {
    /// ## What it checks
    /// A distributed training job (or tuning job training definition) — one with
    /// `ResourceConfig.InstanceCount` above 1 — whose
    /// `EnableInterContainerTrafficEncryption` is not `true` (the default is `false`).
    /// Single-instance jobs have no inter-container traffic and are not judged.
    ///
    /// ## Why it matters
    /// Distributed training exchanges gradients, parameters and often slices of the
    /// training data between instances. Without the setting, that traffic crosses the
    /// network unencrypted; with it, SageMaker encrypts it in transit between the
    /// instances (network isolation does not stop this traffic: peers of the same job may
    /// always talk). Training takes somewhat longer, and costs accordingly.
    ///
    /// ## Example
    /// Terraform has no training job resource; jobs come from the SageMaker SDK, a
    /// pipeline definition or the CLI:
    /// ```python
    /// Estimator(image_uri=image, role=role, instance_count=4,
    ///           instance_type="ml.p4d.24xlarge")  # encrypt_inter_container_traffic defaults to False
    /// ```
    /// CloudFormation has no training job resource either; in an `AWS::SageMaker::Pipeline`
    /// the training step carries the `CreateTrainingJob` arguments:
    /// ```yaml
    ///       PipelineDefinitionBody: '{"Steps":[{"Type":"Training","Arguments":{"ResourceConfig":{"InstanceCount":4,…},…}}]}'
    /// ```
    ///
    /// ## Use instead
    /// ```python
    /// Estimator(..., instance_count=4, encrypt_inter_container_traffic=True)
    /// ```
    /// ```yaml
    ///       PipelineDefinitionBody: '{"Steps":[{"Type":"Training","Arguments":{"EnableInterContainerTrafficEncryption":true,…}}]}'
    /// ```
    ///
    /// ## Remediation
    /// A training job cannot be changed once created: fix what launches it, and enforce the
    /// setting with the IAM condition key `sagemaker:InterContainerTrafficEncryption`.
    /// - **Console**: SageMaker → Training → Training jobs → Create training job; under
    ///   *Network* enable *Enable inter-container traffic encryption*.
    /// - **CLI**: `aws sagemaker create-training-job
    ///   --enable-inter-container-traffic-encryption …`
    /// - **Terraform**: no training job resource; set it in the `aws_sagemaker_pipeline`
    ///   definition JSON, or in the SDK code that starts the job.
    /// - **CloudFormation**: no training job resource; set it in the
    ///   `AWS::SageMaker::Pipeline` training step's arguments.
    ///
    /// ## References
    /// - <https://docs.aws.amazon.com/sagemaker/latest/dg/train-encrypt.html>
    /// - <https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_CreateTrainingJob.html>
    /// - Prowler; Trend Micro
    pub static CHECK = {
        code: "SM143",
        name: "training-inter-container-encryption-disabled",
        severity: Medium,
        summary: "distributed training traffic between instances is not encrypted",
        remediation: "Start distributed training jobs with EnableInterContainerTrafficEncryption true",
        run: run,
    };
}

const ATTR: &str = "EnableInterContainerTrafficEncryption";

fn run(ctx: &Context<'_>, out: &mut Outcomes) {
    for job in &ctx.model.training_jobs {
        let count = job.instance_count.get().copied();
        if count.is_some_and(|n| n <= 1) {
            continue; // one instance: no traffic between containers
        }
        let kind = training_kind(job);
        match &job.inter_container_encryption {
            Value::Unknown { reason, origin, .. } => {
                out.inconclusive(job, origin, format!("cannot tell {ATTR}: {reason}"))
            }
            Value::Set { value: true, .. } | Value::Default { value: true, .. } => out.pass(job),
            Value::Set {
                value: false,
                origin,
            }
            | Value::Default {
                value: false,
                origin,
            } => match count {
                Some(n) => out.fail(
                    job,
                    origin,
                    format!("{kind} runs {n} instances with {ATTR} false"),
                ),
                None => out.inconclusive(
                    job,
                    job.instance_count.origin(),
                    format!(
                        "cannot tell ResourceConfig.InstanceCount: {} ({ATTR} is false)",
                        job.instance_count.unknown_reason().unwrap_or_default()
                    ),
                ),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::CHECK;
    use crate::testing::{outcomes, verdicts};

    #[test]
    fn encrypted_passes_and_single_instance_is_not_applicable() {
        assert_eq!(
            verdicts(&CHECK, "pass.json"),
            [("training-job/encrypted".into(), "pass")]
        );
    }

    #[test]
    fn distributed_without_encryption_fails() {
        let got = outcomes(&CHECK, "fail.json");
        assert_eq!(got.len(), 1);
        assert_eq!(
            (got[0].0.as_str(), got[0].1),
            ("training-job/distributed", "fail")
        );
        assert_eq!(
            got[0].2,
            "training job runs 4 instances with EnableInterContainerTrafficEncryption false"
        );
    }

    #[test]
    fn unknown_count_or_flag_is_inconclusive() {
        let got = outcomes(&CHECK, "unknown.json");
        assert_eq!(got.len(), 2);
        assert_eq!(
            (got[0].0.as_str(), got[0].1),
            ("training-job/unknown-count", "inconclusive")
        );
        assert!(
            got[0].2.contains("ResourceConfig.InstanceCount"),
            "{}",
            got[0].2
        );
        assert!(got[0].2.contains("pipeline parameter"), "{}", got[0].2);
        assert_eq!(
            (got[1].0.as_str(), got[1].1),
            ("training-job/unknown-flag", "inconclusive")
        );
        assert!(
            got[1]
                .2
                .contains("cannot tell EnableInterContainerTrafficEncryption"),
            "{}",
            got[1].2
        );
    }
}
