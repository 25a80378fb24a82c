use super::{judge_enabled, training_kind};
use crate::{Context, Outcomes};

crate::check! {
    /// ## What it checks
    /// A training job, or the training job definition of a hyperparameter tuning job,
    /// whose `EnableNetworkIsolation` is not `true`. The attribute defaults to `false`.
    ///
    /// ## Why it matters
    /// Training runs code you often did not write (open-source training scripts, pip
    /// dependencies, third-party algorithms) with the execution role's credentials and
    /// your training data on disk. Network isolation removes the container's network
    /// access entirely: no internet, no AWS APIs, no S3 (not even through your VPC and
    /// its endpoints), only traffic between peers of the same distributed job. SageMaker
    /// still copies the input channels in and the model artifacts out over its own
    /// channel (through your VPC when the job has one), so self-contained training works
    /// unchanged, while exfiltration from inside the container has nowhere to go.
    ///
    /// ## Example
    /// Terraform has no training job resource; jobs come from the SageMaker SDK, a
    /// pipeline definition or the CLI:
    /// ```python
    /// Estimator(image_uri=image, role=role, instance_count=1,
    ///           instance_type="ml.m5.xlarge")  # enable_network_isolation defaults to False
    /// ```
    /// CloudFormation has no training job resource either; in an `AWS::SageMaker::Pipeline`
    /// the training step carries the `CreateTrainingJob` arguments:
    /// ```yaml
    /// Pipeline:
    ///   Type: AWS::SageMaker::Pipeline
    ///   Properties:
    ///     PipelineDefinition:
    ///       PipelineDefinitionBody: '{"Steps":[{"Type":"Training","Arguments":{…}}]}'  # no EnableNetworkIsolation
    /// ```
    ///
    /// ## Use instead
    /// ```python
    /// Estimator(..., enable_network_isolation=True)
    /// ```
    /// ```yaml
    ///       PipelineDefinitionBody: '{"Steps":[{"Type":"Training","Arguments":{"EnableNetworkIsolation":true,…}}]}'
    /// ```
    ///
    /// ## Remediation
    /// A training job cannot be changed once created: fix what launches it, and enforce the
    /// setting with the IAM condition key `sagemaker:NetworkIsolation` on
    /// `sagemaker:CreateTrainingJob` and `sagemaker:CreateHyperParameterTuningJob` (in an
    /// identity policy or an SCP).
    /// - **Console**: SageMaker → Training → Training jobs → Create training job; under
    ///   *Network* enable *Network isolation*.
    /// - **CLI**: `aws sagemaker create-training-job --enable-network-isolation …`; for
    ///   tuning, `"EnableNetworkIsolation": true` in `--training-job-definition`.
    /// - **Terraform**: no training job resource; set `EnableNetworkIsolation` in the
    ///   `aws_sagemaker_pipeline` definition JSON, or in the SDK code that starts the job.
    /// - **CloudFormation**: no training job resource; set it in the
    ///   `AWS::SageMaker::Pipeline` training step's arguments.
    ///
    /// ## References
    /// - <https://docs.aws.amazon.com/sagemaker/latest/dg/mkt-algo-model-internet-free.html>
    /// - <https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_CreateTrainingJob.html>
    /// - <https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_HyperParameterTrainingJobDefinition.html>
    /// - <https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonsagemaker.html>
    /// - Prowler; Trend Micro
    pub static CHECK = {
        code: "SM141",
        name: "training-network-isolation-disabled",
        severity: Medium,
        summary: "training containers have network access",
        remediation: "Start training jobs with EnableNetworkIsolation true",
        run: run,
    };
}

fn run(ctx: &Context<'_>, out: &mut Outcomes) {
    for job in &ctx.model.training_jobs {
        let kind = training_kind(job);
        judge_enabled(
            out,
            job,
            kind,
            "EnableNetworkIsolation",
            &job.enable_network_isolation,
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
            [("training-job/isolated".into(), "pass")]
        );
    }

    #[test]
    fn job_and_tuning_definition_without_isolation_fail() {
        let got = outcomes(&CHECK, "fail.json");
        assert_eq!(got.len(), 2);
        assert_eq!(
            (got[0].0.as_str(), got[0].1),
            ("hyper-parameter-tuning-job/sweep", "fail")
        );
        assert!(
            got[0]
                .2
                .starts_with("tuning job training definition has EnableNetworkIsolation false"),
            "{}",
            got[0].2
        );
        assert!(got[0].2.contains("AWS default"), "{}", got[0].2);
        assert_eq!((got[1].0.as_str(), got[1].1), ("training-job/open", "fail"));
        assert_eq!(got[1].2, "training job has EnableNetworkIsolation false");
    }

    #[test]
    fn unreadable_value_is_inconclusive() {
        let got = outcomes(&CHECK, "unknown.json");
        assert_eq!(got.len(), 1);
        assert_eq!(got[0].1, "inconclusive");
        assert!(got[0].2.contains("EnableNetworkIsolation"), "{}", got[0].2);
        assert!(got[0].2.contains("AccessDenied"), "{}", got[0].2);
    }
}
