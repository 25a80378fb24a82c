use super::judge_present;
use crate::{Context, Outcomes};

crate::check! {
    /// ## What it checks
    /// A SageMaker Studio domain without a `KmsKeyId`. The key encrypts the domain's
    /// Amazon EFS volume, which holds every user's home directory; without it SageMaker
    /// uses an AWS managed key.
    ///
    /// ## Why it matters
    /// Home directories collect notebooks, credentials pasted into cells, data samples and
    /// model artifacts. With an AWS managed key, anyone the account lets use EFS can read
    /// them; you cannot restrict decryption to the Studio execution roles in a key policy,
    /// audit key use separately in CloudTrail, or cut off access by disabling the key.
    ///
    /// ## Example
    /// ```hcl
    /// resource "aws_sagemaker_domain" "studio" {
    ///   domain_name = "research"
    ///   auth_mode   = "IAM"
    ///   vpc_id      = aws_vpc.main.id
    ///   subnet_ids  = [aws_subnet.private_a.id]
    ///   default_user_settings {
    ///     execution_role = aws_iam_role.studio.arn
    ///   }
    ///   # kms_key_id absent: AWS managed key
    /// }
    /// ```
    /// ```yaml
    /// Studio:
    ///   Type: AWS::SageMaker::Domain
    ///   Properties:
    ///     DomainName: research
    ///     AuthMode: IAM
    ///     VpcId: !Ref Vpc
    ///     SubnetIds: [!Ref PrivateSubnetA]
    ///     DefaultUserSettings:
    ///       ExecutionRole: !GetAtt StudioRole.Arn
    /// ```
    ///
    /// ## Use instead
    /// ```hcl
    ///   kms_key_id = aws_kms_key.studio.arn
    /// ```
    /// ```yaml
    ///     KmsKeyId: !GetAtt StudioKey.Arn
    /// ```
    ///
    /// ## Remediation
    /// The key is fixed when the domain is created: changing it means a new domain, and the
    /// users' files must be copied from the old EFS volume.
    /// - **Console**: SageMaker → Domains → Create domain → *Set up for organizations*;
    ///   under *Encryption key* choose a customer managed key.
    /// - **CLI**: `aws sagemaker create-domain --kms-key-id arn:aws:kms:… …`
    /// - **Terraform**: `kms_key_id = aws_kms_key.studio.arn` (forces replacement).
    /// - **CloudFormation**: `KmsKeyId` (update requires replacement).
    ///
    /// ## References
    /// - <https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_CreateDomain.html>
    /// - <https://docs.aws.amazon.com/sagemaker/latest/dg/encryption-at-rest.html>
    /// - Checkov CKV_AWS_187
    pub static CHECK = {
        code: "SM102",
        name: "domain-kms-missing",
        severity: Low,
        summary: "Studio domain storage is not encrypted with a customer managed KMS key",
        remediation: "Create the domain with a customer managed KmsKeyId",
        run: run,
    };
}

fn run(ctx: &Context<'_>, out: &mut Outcomes) {
    for domain in &ctx.model.domains {
        judge_present(out, domain, "Studio domain", "KmsKeyId", &domain.kms_key_id);
        out.with_fix(crate::sagemaker::kms_fix(&domain.kms_key_id));
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
            [("aws_sagemaker_domain.encrypted".into(), "pass")]
        );
    }

    #[test]
    fn absent_key_fails() {
        let got = outcomes(&CHECK, "fail.tf");
        assert_eq!(got.len(), 1);
        assert_eq!(
            (got[0].0.as_str(), got[0].1),
            ("aws_sagemaker_domain.plain", "fail")
        );
        assert!(
            got[0].2.starts_with("Studio domain has no KmsKeyId"),
            "{}",
            got[0].2
        );
        assert!(got[0].2.contains("AWS default"), "{}", got[0].2);
    }

    #[test]
    fn unresolved_variable_is_inconclusive() {
        let got = outcomes(&CHECK, "unknown.tf");
        assert_eq!(got.len(), 1);
        assert_eq!(got[0].1, "inconclusive");
        assert!(got[0].2.contains("var.key"), "{}", got[0].2);
    }
}
