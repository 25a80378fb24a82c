use super::{Parts, nearest};
use crate::{Context, Outcomes};
use sagescan_model::Value;
use sagescan_model::sagemaker::RepositoryAccessMode;

crate::check! {
    /// ## What it checks
    /// A SageMaker model with a container whose `ImageConfig.RepositoryAccessMode` is
    /// `Platform`. Containers without an `ImageConfig` pass (their image is in Amazon
    /// ECR), as do containers in `Vpc` mode. One finding per model, on the first offending
    /// container; the message lists every one.
    ///
    /// ## Why it matters
    /// `Platform` tells SageMaker to fetch the image itself, over its own network, rather
    /// than through the model's VPC. The pull then escapes everything your VPC enforces
    /// and records: ECR VPC endpoint policies that limit which repositories (and accounts)
    /// images may come from, firewall rules and flow logs. What code ends up serving your
    /// data is then decided by the image URI alone. In `Vpc` mode the image comes from a
    /// registry reached through the model's subnets, under those controls.
    ///
    /// ## Example
    /// ```hcl
    /// resource "aws_sagemaker_model" "m" {
    ///   name               = "churn"
    ///   execution_role_arn = aws_iam_role.sm.arn
    ///   primary_container {
    ///     image = "123456789012.dkr.ecr.us-east-1.amazonaws.com/churn:1"
    ///     image_config {
    ///       repository_access_mode = "Platform"
    ///     }
    ///   }
    /// }
    /// ```
    /// ```yaml
    /// Model:
    ///   Type: AWS::SageMaker::Model
    ///   Properties:
    ///     ExecutionRoleArn: !GetAtt Role.Arn
    ///     PrimaryContainer:
    ///       Image: 123456789012.dkr.ecr.us-east-1.amazonaws.com/churn:1
    ///       ImageConfig:
    ///         RepositoryAccessMode: Platform
    /// ```
    ///
    /// ## Use instead
    /// ```hcl
    ///   primary_container {
    ///     image = "registry.internal.example.com/churn:1"
    ///     image_config {
    ///       repository_access_mode = "Vpc"
    ///     }
    ///   }
    ///   vpc_config {
    ///     subnets            = [aws_subnet.private_a.id, aws_subnet.private_b.id]
    ///     security_group_ids = [aws_security_group.model.id]
    ///   }
    /// ```
    /// ```yaml
    ///     PrimaryContainer:
    ///       Image: registry.internal.example.com/churn:1
    ///       ImageConfig:
    ///         RepositoryAccessMode: Vpc
    ///     VpcConfig:
    ///       Subnets: [!Ref PrivateSubnetA, !Ref PrivateSubnetB]
    ///       SecurityGroupIds: [!Ref ModelSg]
    /// ```
    ///
    /// ## Remediation
    /// Models are immutable: create a new model, a new endpoint configuration that uses it,
    /// and point the endpoint at that configuration (`UpdateEndpoint`).
    /// - **Console**: SageMaker → Inference → Models → Create model; under *Container
    ///   definition* choose *Use a private registry* (Vpc) and configure the VPC.
    /// - **CLI**: `aws sagemaker create-model --primary-container
    ///   'Image=…,ImageConfig={RepositoryAccessMode=Vpc}' --vpc-config … …`
    /// - **Terraform**: `image_config { repository_access_mode = "Vpc" }` with `vpc_config`
    ///   (forces replacement).
    /// - **CloudFormation**: `ImageConfig.RepositoryAccessMode: Vpc` with `VpcConfig`
    ///   (update requires replacement).
    ///
    /// ## Limitations
    /// SageMaker rejects a non-ECR image unless the mode is `Vpc`, so a `Platform`
    /// container's image is in Amazon ECR and is pulled exactly like a container without
    /// `ImageConfig`, which this check passes. A finding means "pulled outside the VPC",
    /// not "pulled from a public registry"; whether the ECR repository is your own is not
    /// checked.
    ///
    /// ## References
    /// - <https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_ImageConfig.html>
    /// - <https://docs.aws.amazon.com/sagemaker/latest/dg/your-algorithms-containers-inference-private.html>
    /// - AWS Security Hub SageMaker.16, SageMaker.19
    pub static CHECK = {
        code: "SM123",
        name: "model-public-registry",
        severity: Medium,
        summary: "model container image is pulled outside the model's VPC",
        remediation: "Pull model images through the VPC (RepositoryAccessMode Vpc) from a registry you control",
        run: run,
    };
}

const ATTR: &str = "ImageConfig.RepositoryAccessMode";

fn run(ctx: &Context<'_>, out: &mut Outcomes) {
    for m in &ctx.model.models {
        let containers = match &m.containers {
            Value::Unknown { reason, origin } => {
                out.inconclusive(
                    m,
                    origin,
                    format!("cannot tell the model's containers: {reason}"),
                );
                continue;
            }
            Value::Set { value, .. } | Value::Default { value, .. } => value,
        };
        let mut parts = Parts::default();
        for (i, c) in containers.iter().enumerate() {
            let image = c
                .image
                .get()
                .cloned()
                .flatten()
                .unwrap_or_else(|| "unknown image".into());
            match &c.repository_access_mode {
                Value::Unknown { reason, origin } => parts.unknown(
                    nearest(origin, &c.origin),
                    format!(
                        "cannot tell {ATTR} of container {} ({image}): {reason}",
                        i + 1
                    ),
                ),
                Value::Set { value, origin } | Value::Default { value, origin } => {
                    if *value == Some(RepositoryAccessMode::Platform) {
                        // The container, not the attribute: the fix is the whole image
                        // reference, and a defaulted mode has no span of its own.
                        let at = nearest(&c.origin, origin);
                        parts.fail(
                            at,
                            format!("container {} ({image}) with {ATTR} Platform", i + 1),
                        );
                    } else {
                        parts.pass();
                    }
                }
            }
        }
        if containers.is_empty() {
            out.pass(m);
        } else {
            parts.report(out, m, "model");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::CHECK;
    use crate::testing::{lines, outcomes, verdicts};

    #[test]
    fn ecr_and_vpc_images_pass() {
        assert_eq!(
            verdicts(&CHECK, "pass.tf"),
            [
                ("aws_sagemaker_model.ecr".into(), "pass"),
                ("aws_sagemaker_model.private_registry".into(), "pass")
            ]
        );
    }

    #[test]
    fn platform_container_fails_at_that_container() {
        let got = outcomes(&CHECK, "fail.tf");
        assert_eq!(got.len(), 1);
        assert_eq!(
            (got[0].0.as_str(), got[0].1),
            ("aws_sagemaker_model.pipeline", "fail")
        );
        assert_eq!(
            got[0].2,
            "model has container 2 (123456789012.dkr.ecr.us-east-1.amazonaws.com/post:1) \
             with ImageConfig.RepositoryAccessMode Platform"
        );
        // The second container block starts on line 12 of fail.tf.
        assert_eq!(
            lines(&CHECK, "fail.tf"),
            [("aws_sagemaker_model.pipeline".into(), "fail", Some(12))]
        );
    }

    #[test]
    fn unresolved_variable_is_inconclusive() {
        let got = outcomes(&CHECK, "unknown.tf");
        assert_eq!(got.len(), 1);
        assert_eq!(got[0].1, "inconclusive");
        assert!(got[0].2.contains(super::ATTR), "{}", got[0].2);
        assert!(got[0].2.contains("var.access_mode"), "{}", got[0].2);
    }
}
