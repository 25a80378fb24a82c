use super::{Parts, training_kind};
use crate::{Context, Outcomes};
use sagescan_model::Value;

crate::check! {
    /// ## What it checks
    /// A training job (or tuning job training definition) without a customer managed KMS
    /// key for its storage volume (`ResourceConfig.VolumeKmsKeyId`) or for its output
    /// (`OutputDataConfig.KmsKeyId`). The message names which is missing.
    ///
    /// ## Why it matters
    /// The storage volume holds the training data copied in from S3 and the checkpoints;
    /// the output key protects the model artifacts written to S3. Without customer
    /// managed keys they are encrypted with AWS managed keys (the output with the bucket's
    /// default), so a key policy cannot limit who decrypts the trained model or the data
    /// it was trained on, and access cannot be revoked by disabling a key.
    ///
    /// ## Example
    /// Terraform has no training job resource; jobs come from the SageMaker SDK, a
    /// pipeline definition or the CLI:
    /// ```python
    /// Estimator(image_uri=image, role=role, instance_count=1,
    ///           instance_type="ml.m5.xlarge")  # no volume_kms_key / output_kms_key
    /// ```
    /// CloudFormation has no training job resource either; in an `AWS::SageMaker::Pipeline`
    /// the training step carries the `CreateTrainingJob` arguments:
    /// ```yaml
    ///       PipelineDefinitionBody: '{"Steps":[{"Type":"Training","Arguments":{"OutputDataConfig":{"S3OutputPath":"s3://…"},…}}]}'
    /// ```
    ///
    /// ## Use instead
    /// ```python
    /// Estimator(..., volume_kms_key=key_arn, output_kms_key=key_arn)
    /// ```
    /// ```yaml
    ///       PipelineDefinitionBody: '{"Steps":[{"Type":"Training","Arguments":{"ResourceConfig":{"VolumeKmsKeyId":"arn:aws:kms:…",…},"OutputDataConfig":{"KmsKeyId":"arn:aws:kms:…",…},…}}]}'
    /// ```
    ///
    /// ## Remediation
    /// A training job cannot be changed once created: fix what launches it, and enforce the
    /// keys with the IAM condition keys `sagemaker:VolumeKmsKey` and
    /// `sagemaker:OutputKmsKey`.
    /// - **Console**: SageMaker → Training → Training jobs → Create training job; choose
    ///   an *Encryption key* under *Resource configuration* and under *Output data
    ///   configuration*.
    /// - **CLI**: `aws sagemaker create-training-job --resource-config
    ///   …,VolumeKmsKeyId=arn:aws:kms:… --output-data-config
    ///   S3OutputPath=s3://…,KmsKeyId=arn:aws:kms:… …`
    /// - **Terraform**: no training job resource; set both keys in the
    ///   `aws_sagemaker_pipeline` definition JSON, or in the SDK code that starts the job.
    /// - **CloudFormation**: no training job resource; set them in the
    ///   `AWS::SageMaker::Pipeline` training step's arguments.
    ///
    /// ## Limitations
    /// Instance types with local NVMe instance storage encrypt it in hardware and reject a
    /// `VolumeKmsKeyId`; jobs on those types can only satisfy the output half and should be
    /// waived with that reason.
    ///
    /// ## References
    /// - <https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_ResourceConfig.html>
    /// - <https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_OutputDataConfig.html>
    /// - <https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonsagemaker.html>
    /// - Prowler
    pub static CHECK = {
        code: "SM144",
        name: "training-storage-kms-missing",
        severity: Medium,
        summary: "training storage or output is not encrypted with a customer managed KMS key",
        remediation: "Start training jobs with a VolumeKmsKeyId and an OutputDataConfig KmsKeyId",
        run: run,
    };
}

fn run(ctx: &Context<'_>, out: &mut Outcomes) {
    for job in &ctx.model.training_jobs {
        let mut parts = Parts::default();
        for (attr, key) in [
            ("ResourceConfig.VolumeKmsKeyId", &job.volume_kms_key_id),
            ("OutputDataConfig.KmsKeyId", &job.output_kms_key_id),
        ] {
            match key {
                Value::Unknown { reason, origin, .. } => {
                    parts.unknown(origin, format!("cannot tell {attr}: {reason}"))
                }
                Value::Set {
                    value: None,
                    origin,
                }
                | Value::Default {
                    value: None,
                    origin,
                } => parts.fail(origin, format!("no {attr}")),
                Value::Set { value: Some(_), .. } | Value::Default { value: Some(_), .. } => {
                    parts.pass()
                }
            }
        }
        parts.report(out, job, training_kind(job));
    }
}

#[cfg(test)]
mod tests {
    use super::CHECK;
    use crate::testing::{outcomes, verdicts};

    #[test]
    fn both_keys_pass() {
        assert_eq!(
            verdicts(&CHECK, "pass.json"),
            [("training-job/encrypted".into(), "pass")]
        );
    }

    #[test]
    fn message_names_the_missing_keys() {
        let got = outcomes(&CHECK, "fail.json");
        assert_eq!(got.len(), 2);
        assert_eq!(
            (got[0].0.as_str(), got[0].1),
            ("hyper-parameter-tuning-job/sweep", "fail")
        );
        assert_eq!(
            got[0].2,
            "tuning job training definition has no OutputDataConfig.KmsKeyId"
        );
        assert_eq!(
            (got[1].0.as_str(), got[1].1),
            ("training-job/plain", "fail")
        );
        assert_eq!(
            got[1].2,
            "training job has no ResourceConfig.VolumeKmsKeyId, no OutputDataConfig.KmsKeyId"
        );
    }

    #[test]
    fn unreadable_key_is_inconclusive() {
        let got = outcomes(&CHECK, "unknown.json");
        assert_eq!(got.len(), 1);
        assert_eq!(got[0].1, "inconclusive");
        assert!(
            got[0]
                .2
                .starts_with("cannot tell ResourceConfig.VolumeKmsKeyId"),
            "{}",
            got[0].2
        );
    }
}
