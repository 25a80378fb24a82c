use super::{Parts, nearest};
use crate::{Context, Outcomes};
use sagescan_model::Value;
use sagescan_model::sagemaker::RepositoryAccessMode;

crate::check! {
    /// ## What it checks
    /// A SageMaker model with a container whose image is neither in a private Amazon ECR
    /// registry (`<account>.dkr.ecr.<region>.amazonaws.com/…`) nor pulled through the
    /// model's VPC from a private registry (`ImageConfig.RepositoryAccessMode = Vpc`):
    /// for example `public.ecr.aws/…`, Docker Hub, `ghcr.io` or `nvcr.io` images. Containers
    /// created from a model package (no image) are not judged. One finding per model, on the
    /// first offending container; the message lists every one.
    ///
    /// ## Why it matters
    /// The image is the code that will read your model artifacts and every inference
    /// request. An image referenced in a public registry can be replaced by whoever controls
    /// that repository (tags are mutable), is fetched outside the controls your VPC
    /// enforces (ECR endpoint policies, Network Firewall, flow logs), and leaves no copy
    /// under your account's scanning and retention. AWS's guidance for network-isolated
    /// hosting is to keep images in your own ECR (reached through the `ecr.api` / `ecr.dkr`
    /// endpoints) or in a private registry reached through the VPC.
    ///
    /// Note: `RepositoryAccessMode = Platform` alone is not a finding: AWS documents it as
    /// "the model image is hosted in Amazon ECR".
    ///
    /// ## Example
    /// ```hcl
    /// resource "aws_sagemaker_model" "m" {
    ///   name               = "churn"
    ///   execution_role_arn = aws_iam_role.sm.arn
    ///   primary_container {
    ///     image = "public.ecr.aws/acme/churn:latest"
    ///   }
    /// }
    /// ```
    /// ```yaml
    /// Model:
    ///   Type: AWS::SageMaker::Model
    ///   Properties:
    ///     ExecutionRoleArn: !GetAtt Role.Arn
    ///     PrimaryContainer:
    ///       Image: public.ecr.aws/acme/churn:latest
    /// ```
    ///
    /// ## Use instead
    /// Copy the image into your own ECR repository (`docker pull`, `docker tag`,
    /// `docker push`, or an ECR pull-through cache rule) and reference it there, or serve it
    /// from a private registry reached through the VPC:
    /// ```hcl
    ///   primary_container {
    ///     image = "123456789012.dkr.ecr.us-east-1.amazonaws.com/churn:1"
    ///   }
    ///   # or
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
    /// - **Console**: SageMaker → Inference → Models → Create model; enter the image's
    ///   ECR URI, or choose *Use a private registry* and configure the VPC.
    /// - **CLI**: `aws ecr create-repository …`, push the image, then `aws sagemaker
    ///   create-model --primary-container Image=<account>.dkr.ecr.<region>.amazonaws.com/…`
    /// - **Terraform**: point `image` at your ECR repository, or add
    ///   `image_config { repository_access_mode = "Vpc" }` with `vpc_config` (forces
    ///   replacement).
    /// - **CloudFormation**: `Image` in your ECR, or `ImageConfig.RepositoryAccessMode: Vpc`
    ///   with `VpcConfig` (update requires replacement).
    ///
    /// ## Limitations
    /// Whether the ECR repository belongs to your account or organization is not checked:
    /// AWS-owned ECR registries (Deep Learning Containers, built-in algorithms) pass.
    ///
    /// ## References
    /// - <https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_ImageConfig.html>
    /// - <https://docs.aws.amazon.com/sagemaker/latest/dg/your-algorithms-containers-inference-private.html>
    /// - AWS Security Hub SageMaker.16, SageMaker.19
    pub static CHECK = {
        code: "SM123",
        name: "model-public-registry",
        severity: Medium,
        summary: "model container image comes from a public registry",
        remediation: "Serve model images from your own ECR repository or a private registry reached through the VPC",
        run: run,
    };
}

const ATTR: &str = "ImageConfig.RepositoryAccessMode";

/// Whether `image` names a private Amazon ECR registry:
/// `<12-digit account>.dkr.ecr[-fips].<region>.amazonaws.com[.cn]/…`.
pub(crate) fn is_private_ecr(image: &str) -> bool {
    let host = image.split('/').next().unwrap_or_default();
    let mut labels = host.split('.');
    let account = labels.next().unwrap_or_default();
    let rest: Vec<&str> = labels.collect();
    account.len() == 12
        && account.bytes().all(|b| b.is_ascii_digit())
        && matches!(
            rest.as_slice(),
            ["dkr", "ecr" | "ecr-fips", _region, "amazonaws", "com"]
                | ["dkr", "ecr" | "ecr-fips", _region, "amazonaws", "com", "cn"]
        )
}

fn run(ctx: &Context<'_>, out: &mut Outcomes) {
    for m in &ctx.model.models {
        let containers = match &m.containers {
            Value::Unknown { reason, origin, .. } => {
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
            let n = i + 1;
            let image = match &c.image {
                Value::Unknown { reason, origin, .. } => {
                    parts.unknown(
                        nearest(origin, &c.origin),
                        format!("cannot tell the image of container {n}: {reason}"),
                    );
                    continue;
                }
                // A model-package container: the package names its own images.
                Value::Set { value: None, .. } | Value::Default { value: None, .. } => continue,
                Value::Set {
                    value: Some(image),
                    origin,
                }
                | Value::Default {
                    value: Some(image),
                    origin,
                } => (image, nearest(origin, &c.origin)),
            };
            if is_private_ecr(image.0) {
                parts.pass();
                continue;
            }
            match &c.repository_access_mode {
                Value::Unknown { reason, origin, .. } => parts.unknown(
                    nearest(origin, &c.origin),
                    format!("cannot tell {ATTR} of container {n} ({}): {reason}", image.0),
                ),
                Value::Set { value: Some(RepositoryAccessMode::Vpc), .. } => parts.pass(),
                Value::Set { .. } | Value::Default { .. } => parts.fail(
                    image.1,
                    format!("container {n} image {} outside a private ECR registry and not pulled through the VPC", image.0),
                ),
            }
        }
        parts.report(out, m, "model");
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
    fn public_image_fails_at_that_container() {
        let got = outcomes(&CHECK, "fail.tf");
        assert_eq!(got.len(), 1);
        assert_eq!(
            (got[0].0.as_str(), got[0].1),
            ("aws_sagemaker_model.pipeline", "fail")
        );
        assert_eq!(
            got[0].2,
            "model has container 2 image public.ecr.aws/acme/post:latest outside a private ECR \
             registry and not pulled through the VPC"
        );
        // The second container's image is on line 9 of fail.tf.
        assert_eq!(
            lines(&CHECK, "fail.tf"),
            [("aws_sagemaker_model.pipeline".into(), "fail", Some(9))]
        );
    }

    #[test]
    fn private_ecr_hosts_are_recognised() {
        use super::is_private_ecr;
        assert!(is_private_ecr(
            "763104351884.dkr.ecr.us-east-1.amazonaws.com/pytorch:2"
        ));
        assert!(is_private_ecr(
            "123456789012.dkr.ecr-fips.us-gov-west-1.amazonaws.com/x"
        ));
        assert!(is_private_ecr(
            "123456789012.dkr.ecr.cn-north-1.amazonaws.com.cn/x"
        ));
        assert!(!is_private_ecr("public.ecr.aws/acme/x"));
        assert!(!is_private_ecr(
            "123456789012.dkr.ecr.us-east-1.amazonaws.com.evil.io/x"
        ));
        assert!(!is_private_ecr("pytorch/pytorch:latest"));
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
