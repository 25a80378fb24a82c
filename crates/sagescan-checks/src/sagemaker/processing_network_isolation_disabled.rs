use super::judge_enabled;
use crate::{Context, Outcomes};

crate::check! {
    /// ## What it checks
    /// A processing job whose `NetworkConfig.EnableNetworkIsolation` is not `true`. An
    /// absent `NetworkConfig` means `false`.
    ///
    /// ## Why it matters
    /// Processing jobs run feature engineering, evaluation and data preparation scripts,
    /// usually on raw data, with the execution role's credentials. With network isolation
    /// the container has no network access at all (no internet, no AWS APIs, no S3 even
    /// through your VPC); SageMaker still copies the `ProcessingInputs` in and the
    /// `ProcessingOutputs` out over its own channel. Without it, a compromised dependency
    /// or script can send the data wherever the network allows.
    ///
    /// ## Example
    /// Terraform has no processing job resource; jobs come from the SageMaker SDK, a
    /// pipeline definition or the CLI:
    /// ```python
    /// ScriptProcessor(image_uri=image, role=role, command=["python3"],
    ///                 instance_count=1, instance_type="ml.m5.xlarge")  # no network_config
    /// ```
    /// ```yaml
    /// Prep:
    ///   Type: AWS::SageMaker::ProcessingJob
    ///   Properties:
    ///     RoleArn: !GetAtt Role.Arn
    ///     AppSpecification: {ImageUri: !Ref Image}
    ///     ProcessingResources: {ClusterConfig: {InstanceCount: 1, InstanceType: ml.m5.xlarge, VolumeSizeInGB: 30}}
    /// ```
    ///
    /// ## Use instead
    /// ```python
    /// ScriptProcessor(..., network_config=NetworkConfig(enable_network_isolation=True))
    /// ```
    /// ```yaml
    ///     NetworkConfig:
    ///       EnableNetworkIsolation: true
    /// ```
    ///
    /// ## Remediation
    /// A processing job cannot be changed once created: fix what launches it, and enforce
    /// the setting with the IAM condition key `sagemaker:NetworkIsolation` on
    /// `sagemaker:CreateProcessingJob`.
    /// - **Console**: processing jobs are started from Studio, the SDK or pipelines; the
    ///   console lists them (SageMaker → Processing → Processing jobs) but cannot edit them.
    /// - **CLI**: `aws sagemaker create-processing-job --network-config
    ///   EnableNetworkIsolation=true …`
    /// - **Terraform**: no processing job resource; set `NetworkConfig` in the
    ///   `aws_sagemaker_pipeline` definition JSON, or in the SDK code that starts the job.
    /// - **CloudFormation**: `NetworkConfig.EnableNetworkIsolation: true` on
    ///   `AWS::SageMaker::ProcessingJob` (update requires replacement), or in an
    ///   `AWS::SageMaker::Pipeline` processing step.
    ///
    /// ## References
    /// - <https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_NetworkConfig.html>
    /// - <https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_CreateProcessingJob.html>
    /// - No equivalent in other tools
    pub static CHECK = {
        code: "SM151",
        name: "processing-network-isolation-disabled",
        severity: Medium,
        summary: "processing containers have network access",
        remediation: "Start processing jobs with NetworkConfig.EnableNetworkIsolation true",
        run: run,
    };
}

fn run(ctx: &Context<'_>, out: &mut Outcomes) {
    for job in &ctx.model.processing_jobs {
        let value = &job.network.enable_network_isolation;
        judge_enabled(
            out,
            job,
            "processing job",
            "NetworkConfig.EnableNetworkIsolation",
            value,
        );
    }
}

#[cfg(test)]
mod tests {
    use super::CHECK;
    use crate::testing::{outcomes, verdicts};

    #[test]
    fn isolated_passes() {
        assert_eq!(
            verdicts(&CHECK, "pass.json"),
            [("processing-job/isolated".into(), "pass")]
        );
    }

    #[test]
    fn false_or_absent_fails() {
        let got = outcomes(&CHECK, "fail.json");
        assert_eq!(got.len(), 2);
        assert_eq!(
            (got[0].0.as_str(), got[0].1),
            ("processing-job/absent", "fail")
        );
        assert!(
            got[0]
                .2
                .starts_with("processing job has NetworkConfig.EnableNetworkIsolation false"),
            "{}",
            got[0].2
        );
        assert!(got[0].2.contains("AWS default"), "{}", got[0].2);
        assert_eq!(
            (got[1].0.as_str(), got[1].1),
            ("processing-job/open", "fail")
        );
        assert!(!got[1].2.contains("AWS default"), "{}", got[1].2);
    }

    #[test]
    fn unreadable_value_is_inconclusive() {
        let got = outcomes(&CHECK, "unknown.json");
        assert_eq!(got.len(), 1);
        assert_eq!(got[0].1, "inconclusive");
        assert!(got[0].2.contains("pipeline parameter"), "{}", got[0].2);
    }
}
