use crate::{Context, Fix, FixValue, Outcomes, Safety};
use sagescan_model::Toggle;

crate::check! {
    /// ## What it checks
    /// A SageMaker notebook instance whose `RootAccess` is `Enabled`. The attribute
    /// defaults to `Enabled`, so a notebook that does not mention it fails too.
    ///
    /// ## Why it matters
    /// With root access, every notebook user can change the instance itself: install
    /// packages system-wide, edit `iptables` and `/etc/hosts`, replace the SageMaker
    /// agents, read other users' files and tamper with whatever audit or egress controls
    /// run on the instance. Without it, users work as `ec2-user` and only the
    /// administrator's lifecycle configuration (which always runs as root) changes the
    /// system.
    ///
    /// ## Example
    /// ```hcl
    /// resource "aws_sagemaker_notebook_instance" "nb" {
    ///   name          = "research"
    ///   role_arn      = aws_iam_role.sm.arn
    ///   instance_type = "ml.t3.medium"
    ///   # root_access absent: Enabled
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
    ///   root_access = "Disabled"
    /// ```
    /// ```yaml
    ///     RootAccess: Disabled
    /// ```
    ///
    /// Install system packages in a lifecycle configuration instead.
    ///
    /// ## Remediation
    /// Root access can be changed on an existing notebook instance while it is stopped.
    /// - **Console**: SageMaker → Notebook instances → the instance → Stop → Edit; under
    ///   *Permissions and encryption* set *Root access* to *Disable*.
    /// - **CLI**: `aws sagemaker stop-notebook-instance --notebook-instance-name nb`, then
    ///   `aws sagemaker update-notebook-instance --notebook-instance-name nb
    ///   --root-access Disabled`
    /// - **Terraform**: `root_access = "Disabled"` (updated in place).
    /// - **CloudFormation**: `RootAccess: Disabled` (no replacement).
    ///
    /// ## References
    /// - <https://docs.aws.amazon.com/sagemaker/latest/dg/nbi-root-access.html>
    /// - <https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_CreateNotebookInstance.html>
    /// - AWS Security Hub SageMaker.3; Prowler; Checkov CKV_AWS_307
    pub static CHECK = {
        code: "SM113",
        name: "notebook-root-access",
        severity: High,
        summary: "notebook instance users have root access",
        remediation: "Set RootAccess to Disabled and install system software from a lifecycle configuration",
        run: run,
    };
}

fn run(ctx: &Context<'_>, out: &mut Outcomes) {
    for nb in &ctx.model.notebook_instances {
        out.judge(nb, "RootAccess", &nb.root_access, |v| {
            (*v == Toggle::Enabled).then(|| "notebook instance has RootAccess Enabled".to_string())
        });
        out.with_fix(Fix::set(
            "Disable root access",
            Safety::Safe,
            &["RootAccess"],
            FixValue::String("Disabled"),
            &nb.root_access,
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::CHECK;
    use crate::testing::{outcomes, verdicts};

    #[test]
    fn disabled_passes() {
        assert_eq!(
            verdicts(&CHECK, "pass.tf"),
            [("aws_sagemaker_notebook_instance.locked".into(), "pass")]
        );
    }

    #[test]
    fn enabled_or_absent_fails() {
        let got = outcomes(&CHECK, "fail.tf");
        assert_eq!(got.len(), 2);
        assert_eq!(
            (got[0].0.as_str(), got[0].1),
            ("aws_sagemaker_notebook_instance.absent", "fail")
        );
        assert!(got[0].2.contains("RootAccess Enabled"), "{}", got[0].2);
        assert!(got[0].2.contains("AWS default"), "{}", got[0].2);
        assert_eq!(
            (got[1].0.as_str(), got[1].1),
            ("aws_sagemaker_notebook_instance.enabled", "fail")
        );
        assert!(!got[1].2.contains("AWS default"), "{}", got[1].2);
    }

    #[test]
    fn unresolved_variable_is_inconclusive() {
        let got = outcomes(&CHECK, "unknown.tf");
        assert_eq!(got.len(), 1);
        assert_eq!(got[0].1, "inconclusive");
        assert!(got[0].2.contains("var.root"), "{}", got[0].2);
    }
}
