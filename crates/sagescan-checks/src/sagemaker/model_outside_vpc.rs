use super::judge_vpc_config;
use crate::{Context, Outcomes};

crate::check! {
    /// ## What it checks
    /// A SageMaker model without a `VpcConfig`, or whose `VpcConfig` lists no subnets.
    ///
    /// ## Why it matters
    /// Without a `VpcConfig`, the containers serving the model run in a network SageMaker
    /// manages; unless network isolation is on, they can reach the internet and AWS
    /// services over paths your security groups, Network Firewall, VPC endpoint policies
    /// and flow logs do not cover. With a `VpcConfig`, SageMaker attaches network
    /// interfaces in your subnets and the containers' traffic obeys your VPC's controls
    /// (and can reach private resources and VPC endpoints).
    ///
    /// ## Example
    /// ```hcl
    /// resource "aws_sagemaker_model" "m" {
    ///   name               = "churn"
    ///   execution_role_arn = aws_iam_role.sm.arn
    ///   primary_container {
    ///     image = "123456789012.dkr.ecr.us-east-1.amazonaws.com/churn:1"
    ///   }
    ///   # no vpc_config
    /// }
    /// ```
    /// ```yaml
    /// Model:
    ///   Type: AWS::SageMaker::Model
    ///   Properties:
    ///     ExecutionRoleArn: !GetAtt Role.Arn
    ///     PrimaryContainer:
    ///       Image: 123456789012.dkr.ecr.us-east-1.amazonaws.com/churn:1
    /// ```
    ///
    /// ## Use instead
    /// ```hcl
    ///   vpc_config {
    ///     subnets            = [aws_subnet.private_a.id, aws_subnet.private_b.id]
    ///     security_group_ids = [aws_security_group.model.id]
    ///   }
    /// ```
    /// ```yaml
    ///     VpcConfig:
    ///       Subnets: [!Ref PrivateSubnetA, !Ref PrivateSubnetB]
    ///       SecurityGroupIds: [!Ref ModelSg]
    /// ```
    ///
    /// Use subnets in at least two Availability Zones, and give the VPC an S3 gateway
    /// endpoint (model artifacts) and whatever else the container calls.
    ///
    /// ## Remediation
    /// Models are immutable: create a new model, a new endpoint configuration that uses it,
    /// and point the endpoint at that configuration (`UpdateEndpoint`, no downtime).
    /// - **Console**: SageMaker → Inference → Models → Create model; under *Network* choose
    ///   the VPC, subnets and security groups.
    /// - **CLI**: `aws sagemaker create-model --vpc-config
    ///   Subnets=subnet-…,subnet-…,SecurityGroupIds=sg-… …`
    /// - **Terraform**: the `vpc_config` block above (forces replacement).
    /// - **CloudFormation**: `VpcConfig` (update requires replacement).
    ///
    /// ## Limitations
    /// With network isolation on (SM121) the containers have no network at all and a VPC
    /// adds little; this check still asks for one, as AWS Config's rule does.
    ///
    /// ## References
    /// - <https://docs.aws.amazon.com/sagemaker/latest/dg/host-vpc.html>
    /// - <https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_CreateModel.html>
    /// - AWS Config sagemaker-model-in-vpc; Prowler
    pub static CHECK = {
        code: "SM122",
        name: "model-outside-vpc",
        severity: Medium,
        summary: "model containers do not run in a VPC",
        remediation: "Create the model with a VpcConfig naming private subnets and security groups",
        run: run,
    };
}

fn run(ctx: &Context<'_>, out: &mut Outcomes) {
    for m in &ctx.model.models {
        judge_vpc_config(out, m, "model", "VpcConfig", &m.vpc_config);
    }
}

#[cfg(test)]
mod tests {
    use super::CHECK;
    use crate::testing::{outcomes, verdicts};

    #[test]
    fn vpc_with_subnets_passes() {
        assert_eq!(
            verdicts(&CHECK, "pass.tf"),
            [("aws_sagemaker_model.private".into(), "pass")]
        );
    }

    #[test]
    fn absent_or_empty_vpc_config_fails() {
        let got = outcomes(&CHECK, "fail.tf");
        assert_eq!(got.len(), 2);
        assert_eq!(
            (got[0].0.as_str(), got[0].1),
            ("aws_sagemaker_model.empty", "fail")
        );
        assert!(
            got[0].2.contains("model has a VpcConfig with no Subnets"),
            "{}",
            got[0].2
        );
        assert_eq!(
            (got[1].0.as_str(), got[1].1),
            ("aws_sagemaker_model.public", "fail")
        );
        assert!(
            got[1].2.starts_with("model has no VpcConfig"),
            "{}",
            got[1].2
        );
    }

    #[test]
    fn unknown_subnets_are_inconclusive() {
        let got = outcomes(&CHECK, "unknown.tf");
        assert_eq!(got.len(), 1);
        assert_eq!(got[0].1, "inconclusive");
        assert!(got[0].2.contains("VpcConfig.Subnets"), "{}", got[0].2);
        assert!(got[0].2.contains("var.subnets"), "{}", got[0].2);
    }
}
