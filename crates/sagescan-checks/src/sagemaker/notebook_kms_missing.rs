use super::judge_present;
use crate::{Context, Outcomes};

crate::check! {
    /// ## What it checks
    /// A SageMaker notebook instance without a `KmsKeyId` for its ML storage volume.
    /// Without it SageMaker encrypts the volume with an AWS managed key.
    ///
    /// ## Why it matters
    /// The notebook's EBS volume (`/home/ec2-user/SageMaker`) keeps notebooks, downloaded
    /// datasets, cached credentials and model artifacts across restarts. A customer
    /// managed key lets the key policy decide who can decrypt it, records every use in
    /// CloudTrail, and lets you make the data unreadable by disabling the key.
    ///
    /// ## Example
    /// ```hcl
    /// resource "aws_sagemaker_notebook_instance" "nb" {
    ///   name          = "research"
    ///   role_arn      = aws_iam_role.sm.arn
    ///   instance_type = "ml.t3.medium"
    ///   # kms_key_id absent: AWS managed key
    /// }
    /// ```
    /// ```yaml
    /// Notebook:
    ///   Type: AWS::SageMaker::NotebookInstance
    ///   Properties:
    ///     InstanceType: ml.t3.medium
    ///     RoleArn: !GetAtt Role.Arn
    /// ```
    ///
    /// ## Use instead
    /// ```hcl
    ///   kms_key_id = aws_kms_key.notebooks.arn
    /// ```
    /// ```yaml
    ///     KmsKeyId: !GetAtt NotebookKey.Arn
    /// ```
    ///
    /// ## Remediation
    /// The key cannot be changed on an existing notebook instance: create a new one and
    /// move its data.
    /// - **Console**: SageMaker → Notebook instances → Create; under *Permissions and
    ///   encryption* choose a customer managed *Encryption key*.
    /// - **CLI**: `aws sagemaker create-notebook-instance --kms-key-id arn:aws:kms:… …`
    /// - **Terraform**: `kms_key_id = aws_kms_key.notebooks.arn` (forces replacement).
    /// - **CloudFormation**: `KmsKeyId` (update requires replacement).
    ///
    /// ## References
    /// - <https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_CreateNotebookInstance.html>
    /// - <https://docs.aws.amazon.com/sagemaker/latest/dg/encryption-at-rest.html>
    /// - AWS Security Hub SageMaker.21; Prowler; Checkov CKV_AWS_22
    pub static CHECK = {
        code: "SM114",
        name: "notebook-kms-missing",
        severity: Medium,
        summary: "notebook instance storage is not encrypted with a customer managed KMS key",
        remediation: "Create the notebook with a customer managed KmsKeyId",
        run: run,
    };
}

fn run(ctx: &Context<'_>, out: &mut Outcomes) {
    for nb in &ctx.model.notebook_instances {
        judge_present(out, nb, "notebook instance", "KmsKeyId", &nb.kms_key_id);
        out.with_fix(crate::sagemaker::kms_fix(&nb.kms_key_id));
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
            [("aws_sagemaker_notebook_instance.encrypted".into(), "pass")]
        );
    }

    #[test]
    fn absent_key_fails() {
        let got = outcomes(&CHECK, "fail.tf");
        assert_eq!(got.len(), 1);
        assert_eq!(
            (got[0].0.as_str(), got[0].1),
            ("aws_sagemaker_notebook_instance.plain", "fail")
        );
        assert!(
            got[0].2.starts_with("notebook instance has no KmsKeyId"),
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
