use super::judge_enabled;
use crate::{Context, Fix, FixValue, Outcomes, Safety};

crate::check! {
    /// ## What it checks
    /// A SageMaker model whose `EnableNetworkIsolation` is not `true`. The attribute
    /// defaults to `false`, so a model that does not mention it fails too.
    ///
    /// ## Why it matters
    /// Network isolation removes all network access from the model's containers: no
    /// outbound calls to the internet, to AWS services (S3 included, even through your
    /// VPC and its endpoints) or to anything in your VPC, and no inbound calls. SageMaker
    /// still downloads the model artifacts before the container starts and carries
    /// requests and responses over its own channel, so a self-contained inference
    /// container keeps working. Without isolation, a compromised or malicious model
    /// (pickle payloads, third-party images, code pulled at load time) can reach whatever
    /// the network allows and use the execution role's credentials to exfiltrate data.
    ///
    /// ## Example
    /// ```hcl
    /// resource "aws_sagemaker_model" "m" {
    ///   name               = "churn"
    ///   execution_role_arn = aws_iam_role.sm.arn
    ///   primary_container {
    ///     image          = "123456789012.dkr.ecr.us-east-1.amazonaws.com/churn:1"
    ///     model_data_url = "s3://models/churn/model.tar.gz"
    ///   }
    ///   # enable_network_isolation absent: false
    /// }
    /// ```
    /// ```yaml
    /// Model:
    ///   Type: AWS::SageMaker::Model
    ///   Properties:
    ///     ExecutionRoleArn: !GetAtt Role.Arn
    ///     PrimaryContainer:
    ///       Image: 123456789012.dkr.ecr.us-east-1.amazonaws.com/churn:1
    ///       ModelDataUrl: s3://models/churn/model.tar.gz
    /// ```
    ///
    /// ## Use instead
    /// ```hcl
    ///   enable_network_isolation = true
    /// ```
    /// ```yaml
    ///     EnableNetworkIsolation: true
    /// ```
    ///
    /// ## Remediation
    /// Models are immutable: create a new model, a new endpoint configuration that uses it,
    /// and point the endpoint at that configuration (`UpdateEndpoint`, no downtime).
    /// Containers that fetch weights or packages at start-up (e.g. from a model hub) must
    /// get them from `ModelDataUrl` instead.
    /// - **Console**: SageMaker → Inference → Models → Create model; under *Network*
    ///   enable *Network isolation*.
    /// - **CLI**: `aws sagemaker create-model --enable-network-isolation …`, then
    ///   `create-endpoint-config` and `update-endpoint`.
    /// - **Terraform**: `enable_network_isolation = true` (forces replacement; use
    ///   `create_before_destroy` on the endpoint configuration).
    /// - **CloudFormation**: `EnableNetworkIsolation: true` (update requires replacement).
    ///
    /// ## References
    /// - <https://docs.aws.amazon.com/sagemaker/latest/dg/mkt-algo-model-internet-free.html>
    /// - <https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_CreateModel.html>
    /// - AWS Security Hub SageMaker.5; AWS Config; Prowler; Checkov CKV_AWS_370; Trend Micro
    pub static CHECK = {
        code: "SM121",
        name: "model-network-isolation-disabled",
        severity: Medium,
        summary: "model containers have network access",
        remediation: "Create the model with EnableNetworkIsolation true",
        run: run,
    };
}

fn run(ctx: &Context<'_>, out: &mut Outcomes) {
    for m in &ctx.model.models {
        judge_enabled(
            out,
            m,
            "model",
            "EnableNetworkIsolation",
            &m.enable_network_isolation,
        );
        out.with_fix(Fix::set(
            "Enable network isolation",
            Safety::Safe,
            &["EnableNetworkIsolation"],
            FixValue::Bool(true),
            &m.enable_network_isolation,
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::CHECK;
    use crate::testing::{outcomes, verdicts};

    #[test]
    fn isolated_passes() {
        assert_eq!(
            verdicts(&CHECK, "pass.tf"),
            [("aws_sagemaker_model.isolated".into(), "pass")]
        );
    }

    #[test]
    fn false_or_absent_fails() {
        let got = outcomes(&CHECK, "fail.tf");
        assert_eq!(got.len(), 2);
        assert_eq!(
            (got[0].0.as_str(), got[0].1),
            ("aws_sagemaker_model.absent", "fail")
        );
        assert!(
            got[0]
                .2
                .starts_with("model has EnableNetworkIsolation false"),
            "{}",
            got[0].2
        );
        assert!(got[0].2.contains("AWS default"), "{}", got[0].2);
        assert_eq!(
            (got[1].0.as_str(), got[1].1),
            ("aws_sagemaker_model.open", "fail")
        );
        assert!(!got[1].2.contains("AWS default"), "{}", got[1].2);
    }

    #[test]
    fn unresolved_variable_is_inconclusive() {
        let got = outcomes(&CHECK, "unknown.tf");
        assert_eq!(got.len(), 1);
        assert_eq!(got[0].1, "inconclusive");
        assert!(got[0].2.contains("var.isolate"), "{}", got[0].2);
    }
}
