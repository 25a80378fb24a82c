use crate::{Context, Fix, FixValue, Outcomes, Safety};

crate::check! {
    /// ## What it checks
    /// A SageMaker notebook instance whose minimum instance metadata service version
    /// (`InstanceMetadataServiceConfiguration.MinimumInstanceMetadataServiceVersion`) is
    /// not `2`. When the setting is absent at creation, the API defaults to `1`: both
    /// IMDSv1 and IMDSv2 are served, so such a notebook fails too.
    ///
    /// ## Why it matters
    /// The metadata service hands out the temporary credentials of the notebook's
    /// execution role. IMDSv1 answers any plain `GET` from the instance, so a
    /// server-side request forgery in anything the notebook runs (a Jupyter extension, a
    /// web app under test, a proxied URL) can leak those credentials. IMDSv2 requires a
    /// session token obtained with a `PUT` and a hop limit, which such requests cannot
    /// produce.
    ///
    /// ## Example
    /// ```hcl
    /// resource "aws_sagemaker_notebook_instance" "nb" {
    ///   name          = "research"
    ///   role_arn      = aws_iam_role.sm.arn
    ///   instance_type = "ml.t3.medium"
    ///   # instance_metadata_service_configuration absent: IMDSv1 allowed
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
    ///   instance_metadata_service_configuration {
    ///     minimum_instance_metadata_service_version = "2"
    ///   }
    /// ```
    /// ```yaml
    ///     InstanceMetadataServiceConfiguration:
    ///       MinimumInstanceMetadataServiceVersion: "2"
    /// ```
    ///
    /// ## Remediation
    /// The setting can be changed on an existing notebook instance while it is stopped.
    /// Check first that nothing on it (old SDKs, custom scripts) still uses IMDSv1.
    /// - **Console**: SageMaker → Notebook instances → the instance → Stop → Edit; set
    ///   *Minimum IMDS version* to *2*.
    /// - **CLI**: `aws sagemaker update-notebook-instance --notebook-instance-name nb
    ///   --instance-metadata-service-configuration MinimumInstanceMetadataServiceVersion=2`
    /// - **Terraform**: the `instance_metadata_service_configuration` block above
    ///   (updated in place).
    /// - **CloudFormation**: `InstanceMetadataServiceConfiguration` as above (no
    ///   interruption).
    ///
    /// ## References
    /// - <https://aws.amazon.com/blogs/machine-learning/amazon-sagemaker-notebook-instances-now-support-configuring-and-restricting-imds-versions>
    /// - <https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_InstanceMetadataServiceConfiguration.html>
    /// - Checkov CKV_AWS_371
    pub static CHECK = {
        code: "SM115",
        name: "notebook-imdsv1-allowed",
        severity: Medium,
        summary: "notebook instance serves IMDSv1",
        remediation: "Set MinimumInstanceMetadataServiceVersion to 2",
        run: run,
    };
}

fn run(ctx: &Context<'_>, out: &mut Outcomes) {
    for nb in &ctx.model.notebook_instances {
        let attr = "MinimumInstanceMetadataServiceVersion";
        out.judge(nb, attr, &nb.min_imds_version, |v| {
            (v != "2").then(|| format!("notebook instance has {attr} {v}: IMDSv1 is allowed"))
        });
        out.with_fix(Fix::set(
            "Require IMDSv2",
            Safety::Safe,
            &[
                "InstanceMetadataServiceConfiguration",
                "MinimumInstanceMetadataServiceVersion",
            ],
            FixValue::String("2"),
            &nb.min_imds_version,
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::CHECK;
    use crate::testing::{outcomes, verdicts};

    #[test]
    fn version_2_passes() {
        assert_eq!(
            verdicts(&CHECK, "pass.tf"),
            [("aws_sagemaker_notebook_instance.v2".into(), "pass")]
        );
    }

    #[test]
    fn version_1_or_absent_fails() {
        let got = outcomes(&CHECK, "fail.tf");
        assert_eq!(got.len(), 2);
        assert_eq!(
            (got[0].0.as_str(), got[0].1),
            ("aws_sagemaker_notebook_instance.absent", "fail")
        );
        assert!(
            got[0].2.contains("MinimumInstanceMetadataServiceVersion 1"),
            "{}",
            got[0].2
        );
        assert!(got[0].2.contains("AWS default"), "{}", got[0].2);
        assert_eq!(
            (got[1].0.as_str(), got[1].1),
            ("aws_sagemaker_notebook_instance.v1", "fail")
        );
        assert!(got[1].2.contains("IMDSv1 is allowed"), "{}", got[1].2);
        assert!(!got[1].2.contains("AWS default"), "{}", got[1].2);
    }

    #[test]
    fn unresolved_variable_is_inconclusive() {
        let got = outcomes(&CHECK, "unknown.tf");
        assert_eq!(got.len(), 1);
        assert_eq!(got[0].1, "inconclusive");
        assert!(got[0].2.contains("var.imds_version"), "{}", got[0].2);
    }
}
