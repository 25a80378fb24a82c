use super::judge_vpc_config;
use crate::{Context, Outcomes};

crate::check! {
    /// ## What it checks
    /// A processing job without `NetworkConfig.VpcConfig` (or with one that lists no
    /// subnets).
    ///
    /// ## Why it matters
    /// Without a VPC, processing containers run in a network SageMaker manages and, unless
    /// network isolation is on, reach the internet and AWS endpoints directly, outside your
    /// security groups, Network Firewall, S3 VPC endpoint policies and flow logs. In your
    /// VPC, that traffic (and SageMaker's transfer of the job's inputs and outputs) goes
    /// through your subnets and their controls.
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
    /// ScriptProcessor(..., network_config=NetworkConfig(
    ///     subnets=["subnet-…", "subnet-…"], security_group_ids=["sg-…"]))
    /// ```
    /// ```yaml
    ///     NetworkConfig:
    ///       VpcConfig:
    ///         Subnets: [!Ref PrivateSubnetA, !Ref PrivateSubnetB]
    ///         SecurityGroupIds: [!Ref ProcessingSg]
    /// ```
    ///
    /// The VPC needs an S3 gateway endpoint and whatever else the job calls.
    ///
    /// ## Remediation
    /// A processing job cannot be changed once created: fix what launches it, and enforce
    /// the setting with the IAM condition keys `sagemaker:VpcSubnets` and
    /// `sagemaker:VpcSecurityGroupIds` on `sagemaker:CreateProcessingJob`.
    /// - **Console**: processing jobs are started from Studio, the SDK or pipelines; the
    ///   console lists them (SageMaker → Processing → Processing jobs) but cannot edit them.
    /// - **CLI**: `aws sagemaker create-processing-job --network-config
    ///   'VpcConfig={Subnets=[subnet-…],SecurityGroupIds=[sg-…]}' …`
    /// - **Terraform**: no processing job resource; set `NetworkConfig.VpcConfig` in the
    ///   `aws_sagemaker_pipeline` definition JSON, or in the SDK code that starts the job.
    /// - **CloudFormation**: `NetworkConfig.VpcConfig` on `AWS::SageMaker::ProcessingJob`
    ///   (update requires replacement), or in an `AWS::SageMaker::Pipeline` processing step.
    ///
    /// ## References
    /// - <https://docs.aws.amazon.com/sagemaker/latest/dg/process-vpc.html>
    /// - <https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_NetworkConfig.html>
    /// - No equivalent in other tools
    pub static CHECK = {
        code: "SM152",
        name: "processing-outside-vpc",
        severity: Medium,
        summary: "processing job does not run in a VPC",
        remediation: "Start processing jobs with NetworkConfig.VpcConfig naming private subnets",
        run: run,
    };
}

fn run(ctx: &Context<'_>, out: &mut Outcomes) {
    for job in &ctx.model.processing_jobs {
        let value = &job.network.vpc_config;
        judge_vpc_config(out, job, "processing job", "NetworkConfig.VpcConfig", value);
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
            [("processing-job/private".into(), "pass")]
        );
    }

    #[test]
    fn absent_vpc_config_fails() {
        let got = outcomes(&CHECK, "fail.json");
        assert_eq!(got.len(), 1);
        assert_eq!(
            (got[0].0.as_str(), got[0].1),
            ("processing-job/open", "fail")
        );
        assert!(
            got[0]
                .2
                .starts_with("processing job has no NetworkConfig.VpcConfig"),
            "{}",
            got[0].2
        );
    }

    #[test]
    fn unknown_subnets_are_inconclusive() {
        let got = outcomes(&CHECK, "unknown.json");
        assert_eq!(got.len(), 1);
        assert_eq!(got[0].1, "inconclusive");
        assert!(
            got[0]
                .2
                .contains("cannot tell NetworkConfig.VpcConfig.Subnets"),
            "{}",
            got[0].2
        );
    }
}
