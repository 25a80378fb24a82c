use super::judge_present;
use crate::{Context, Outcomes};

crate::check! {
    /// ## What it checks
    /// An endpoint configuration without a `KmsKeyId`. The key encrypts the ML storage
    /// volumes attached to the instances that host the endpoint; without it SageMaker uses
    /// an AWS managed key.
    ///
    /// ## Why it matters
    /// Hosting instances keep the model artifacts (and whatever the container writes,
    /// such as captured payloads or caches) on those volumes. A customer managed key lets
    /// the key policy decide who can decrypt them, records every use in CloudTrail and
    /// lets you revoke access by disabling the key.
    ///
    /// ## Example
    /// ```hcl
    /// resource "aws_sagemaker_endpoint_configuration" "ec" {
    ///   name = "churn"
    ///   production_variants {
    ///     variant_name           = "primary"
    ///     model_name             = aws_sagemaker_model.m.name
    ///     instance_type          = "ml.m5.large"
    ///     initial_instance_count = 2
    ///   }
    ///   # kms_key_arn absent: AWS managed key
    /// }
    /// ```
    /// ```yaml
    /// EndpointConfig:
    ///   Type: AWS::SageMaker::EndpointConfig
    ///   Properties:
    ///     ProductionVariants:
    ///       - VariantName: primary
    ///         ModelName: !GetAtt Model.ModelName
    ///         InstanceType: ml.m5.large
    ///         InitialInstanceCount: 2
    /// ```
    ///
    /// ## Use instead
    /// ```hcl
    ///   kms_key_arn = aws_kms_key.endpoints.arn
    /// ```
    /// ```yaml
    ///     KmsKeyId: !GetAtt EndpointKey.Arn
    /// ```
    ///
    /// ## Remediation
    /// Endpoint configurations are immutable: create a new one with the key and switch the
    /// endpoint to it (`UpdateEndpoint`, no downtime).
    /// - **Console**: SageMaker → Inference → Endpoint configurations → Create; under
    ///   *Encryption key* choose a customer managed key.
    /// - **CLI**: `aws sagemaker create-endpoint-config --kms-key-id arn:aws:kms:… …`, then
    ///   `aws sagemaker update-endpoint --endpoint-config-name …`
    /// - **Terraform**: `kms_key_arn = aws_kms_key.endpoints.arn` (forces a new
    ///   configuration; use `create_before_destroy`).
    /// - **CloudFormation**: `KmsKeyId` (update requires replacement of the configuration).
    ///
    /// ## Limitations
    /// Instance types with local NVMe instance storage encrypt it in hardware and reject a
    /// `KmsKeyId`; endpoints on those types cannot pass and should be waived with that
    /// reason.
    ///
    /// ## References
    /// - <https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_CreateEndpointConfig.html>
    /// - <https://docs.aws.amazon.com/sagemaker/latest/dg/encryption-at-rest.html>
    /// - Prowler; Checkov CKV_AWS_98; KICS
    pub static CHECK = {
        code: "SM132",
        name: "endpoint-config-kms-missing",
        severity: Medium,
        summary: "endpoint storage is not encrypted with a customer managed KMS key",
        remediation: "Create the endpoint configuration with a customer managed KmsKeyId",
        run: run,
    };
}

fn run(ctx: &Context<'_>, out: &mut Outcomes) {
    for ec in &ctx.model.endpoint_configs {
        judge_present(
            out,
            ec,
            "endpoint configuration",
            "KmsKeyId",
            &ec.kms_key_id,
        );
        out.with_fix(crate::sagemaker::kms_fix(&ec.kms_key_id));
    }
}

#[cfg(test)]
mod tests {
    use super::CHECK;
    use crate::testing::{outcomes, verdicts};

    #[test]
    fn customer_key_passes() {
        assert_eq!(
            verdicts(&CHECK, "pass.tf"),
            [(
                "aws_sagemaker_endpoint_configuration.encrypted".into(),
                "pass"
            )]
        );
    }

    #[test]
    fn absent_key_fails() {
        let got = outcomes(&CHECK, "fail.tf");
        assert_eq!(got.len(), 1);
        assert_eq!(
            (got[0].0.as_str(), got[0].1),
            ("aws_sagemaker_endpoint_configuration.plain", "fail")
        );
        assert!(
            got[0]
                .2
                .starts_with("endpoint configuration has no KmsKeyId"),
            "{}",
            got[0].2
        );
    }

    #[test]
    fn unresolved_variable_is_inconclusive() {
        let got = outcomes(&CHECK, "unknown.tf");
        assert_eq!(got.len(), 1);
        assert_eq!(got[0].1, "inconclusive");
        assert!(got[0].2.contains("var.key"), "{}", got[0].2);
    }
}
