use super::{judge_vpc_config, training_kind};
use crate::{Context, Outcomes};

crate::check! {
    /// ## What it checks
    /// A training job, or the training job definition of a hyperparameter tuning job,
    /// without a `VpcConfig` (or with one that lists no subnets).
    ///
    /// ## Why it matters
    /// Without a `VpcConfig`, training containers run in a network SageMaker manages and,
    /// unless network isolation is on, can reach the internet and any AWS endpoint
    /// directly: your security groups, Network Firewall, S3 VPC endpoint policies
    /// (which can pin access to your own buckets) and flow logs do not apply. With a
    /// `VpcConfig`, SageMaker attaches network interfaces in your subnets and both the
    /// container's traffic and SageMaker's own data transfer for the job go through them.
    ///
    /// ## Example
    /// Terraform has no training job resource; jobs come from the SageMaker SDK, a
    /// pipeline definition or the CLI:
    /// ```python
    /// Estimator(image_uri=image, role=role, instance_count=1,
    ///           instance_type="ml.m5.xlarge")  # no subnets / security_group_ids
    /// ```
    /// CloudFormation has no training job resource either; in an `AWS::SageMaker::Pipeline`
    /// the training step carries the `CreateTrainingJob` arguments:
    /// ```yaml
    ///       PipelineDefinitionBody: '{"Steps":[{"Type":"Training","Arguments":{…}}]}'  # no VpcConfig
    /// ```
    ///
    /// ## Use instead
    /// ```python
    /// Estimator(..., subnets=["subnet-…", "subnet-…"], security_group_ids=["sg-…"])
    /// ```
    /// ```yaml
    ///       PipelineDefinitionBody: '{"Steps":[{"Type":"Training","Arguments":{"VpcConfig":{"Subnets":["subnet-…"],"SecurityGroupIds":["sg-…"]},…}}]}'
    /// ```
    ///
    /// The VPC needs an S3 gateway endpoint (input data, output artifacts) and whatever
    /// else the job calls, or the job hangs on connection timeouts.
    ///
    /// ## Remediation
    /// A training job cannot be changed once created: fix what launches it, and enforce the
    /// setting with the IAM condition keys `sagemaker:VpcSubnets` and
    /// `sagemaker:VpcSecurityGroupIds` on `sagemaker:CreateTrainingJob` and
    /// `sagemaker:CreateHyperParameterTuningJob`.
    /// - **Console**: SageMaker → Training → Training jobs → Create training job; under
    ///   *Network* choose the VPC, subnets and security groups.
    /// - **CLI**: `aws sagemaker create-training-job --vpc-config
    ///   Subnets=subnet-…,SecurityGroupIds=sg-… …`
    /// - **Terraform**: no training job resource; set `VpcConfig` in the
    ///   `aws_sagemaker_pipeline` definition JSON, or in the SDK code that starts the job.
    /// - **CloudFormation**: no training job resource; set it in the
    ///   `AWS::SageMaker::Pipeline` training step's arguments.
    ///
    /// ## References
    /// - <https://docs.aws.amazon.com/sagemaker/latest/dg/train-vpc.html>
    /// - <https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_CreateTrainingJob.html>
    /// - <https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonsagemaker.html>
    /// - Prowler
    pub static CHECK = {
        code: "SM142",
        name: "training-outside-vpc",
        severity: High,
        summary: "training job does not run in a VPC",
        remediation: "Start training jobs with a VpcConfig naming private subnets and security groups",
        run: run,
    };
}

fn run(ctx: &Context<'_>, out: &mut Outcomes) {
    for job in &ctx.model.training_jobs {
        judge_vpc_config(out, job, training_kind(job), "VpcConfig", &job.vpc_config);
    }
}

#[cfg(test)]
mod tests {
    use super::CHECK;
    use crate::testing::{outcomes, verdicts};

    #[test]
    fn vpc_with_subnets_passes() {
        assert_eq!(
            verdicts(&CHECK, "pass.json"),
            [("training-job/private".into(), "pass")]
        );
    }

    #[test]
    fn absent_or_empty_vpc_config_fails() {
        let got = outcomes(&CHECK, "fail.json");
        assert_eq!(got.len(), 2);
        assert_eq!(
            (got[0].0.as_str(), got[0].1),
            ("hyper-parameter-tuning-job/sweep", "fail")
        );
        assert_eq!(
            got[0].2,
            "tuning job training definition has a VpcConfig with no Subnets"
        );
        assert_eq!((got[1].0.as_str(), got[1].1), ("training-job/open", "fail"));
        assert!(
            got[1].2.starts_with("training job has no VpcConfig"),
            "{}",
            got[1].2
        );
        assert!(got[1].2.contains("AWS default"), "{}", got[1].2);
    }

    #[test]
    fn unreadable_value_is_inconclusive() {
        let got = outcomes(&CHECK, "unknown.json");
        assert_eq!(got.len(), 1);
        assert_eq!(got[0].1, "inconclusive");
        assert!(got[0].2.contains("cannot tell VpcConfig"), "{}", got[0].2);
    }
}
