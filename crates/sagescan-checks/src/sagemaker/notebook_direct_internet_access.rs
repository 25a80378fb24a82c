use crate::{Context, Fix, FixValue, Outcomes, Safety};
use sagescan_model::Toggle;

crate::check! {
    /// ## What it checks
    /// A SageMaker notebook instance whose `DirectInternetAccess` is `Enabled`. The attribute
    /// defaults to `Enabled`, so a notebook that does not mention it fails too.
    ///
    /// ## Why it matters
    /// With direct internet access, SageMaker attaches a second network interface in a
    /// SageMaker-owned VPC with a route to the internet. Traffic on it bypasses your VPC's
    /// security groups, NACLs, Network Firewall and flow logs: anyone with the notebook's
    /// credentials can download packages from anywhere or upload data anywhere, and you
    /// would not see it.
    ///
    /// ## Example
    /// ```hcl
    /// resource "aws_sagemaker_notebook_instance" "nb" {
    ///   name          = "research"
    ///   role_arn      = aws_iam_role.sm.arn
    ///   instance_type = "ml.t3.medium"
    ///   # direct_internet_access absent: Enabled
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
    /// resource "aws_sagemaker_notebook_instance" "nb" {
    ///   name                   = "research"
    ///   role_arn               = aws_iam_role.sm.arn
    ///   instance_type          = "ml.t3.medium"
    ///   subnet_id              = aws_subnet.private_a.id
    ///   security_groups        = [aws_security_group.notebook.id]
    ///   direct_internet_access = "Disabled"
    /// }
    /// ```
    /// ```yaml
    ///     DirectInternetAccess: Disabled
    ///     SubnetId: !Ref PrivateSubnetA
    ///     SecurityGroupIds: [!Ref NotebookSg]
    /// ```
    ///
    /// ## Remediation
    /// The setting cannot be changed on an existing notebook instance: create a new one.
    /// - **Console**: SageMaker → Notebook instances → Create; under *Network* choose a VPC
    ///   and private subnet, and set *Direct internet access* to *Disable*.
    /// - **CLI**: `aws sagemaker create-notebook-instance --direct-internet-access Disabled
    ///   --subnet-id subnet-… --security-group-ids sg-… …`
    /// - **Terraform**: `direct_internet_access = "Disabled"` with `subnet_id` and
    ///   `security_groups` (this replaces the instance).
    /// - **CloudFormation**: `DirectInternetAccess: Disabled` with `SubnetId` and
    ///   `SecurityGroupIds` (replacement).
    ///
    /// The notebook then reaches the internet only through your VPC (NAT gateway,
    /// Network Firewall), and AWS services through VPC endpoints.
    ///
    /// ## References
    /// - <https://docs.aws.amazon.com/sagemaker/latest/dg/appendix-notebook-and-internet-access.html>
    /// - <https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_CreateNotebookInstance.html>
    /// - AWS Security Hub SageMaker.1; Checkov CKV_AWS_122; Trend Micro SageMaker-004
    pub static CHECK = {
        code: "SM111",
        name: "notebook-direct-internet-access",
        severity: High,
        summary: "notebook instance has direct internet access",
        remediation: "Set DirectInternetAccess to Disabled and place the notebook in a private subnet",
        run: run,
    };
}

fn run(ctx: &Context<'_>, out: &mut Outcomes) {
    for nb in &ctx.model.notebook_instances {
        out.judge(
            nb,
            "DirectInternetAccess",
            &nb.direct_internet_access,
            |v| {
                (*v == Toggle::Enabled)
                    .then(|| "notebook instance has direct internet access Enabled".to_string())
            },
        );
        // AWS rejects `Disabled` without a subnet: then the fix also needs a decision
        // (which private subnet and security groups), so it is only a suggestion.
        let in_vpc = matches!(nb.subnet.get(), Some(Some(_)));
        out.with_fix(Fix::set(
            "Disable direct internet access",
            if in_vpc { Safety::Safe } else { Safety::Unsafe },
            &["DirectInternetAccess"],
            FixValue::String("Disabled"),
            &nb.direct_internet_access,
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
            [("aws_sagemaker_notebook_instance.private".into(), "pass")]
        );
    }

    #[test]
    fn enabled_or_absent_fails() {
        let got = outcomes(&CHECK, "fail.tf");
        assert_eq!(got.len(), 2);
        assert_eq!(got[0].0, "aws_sagemaker_notebook_instance.absent");
        assert_eq!(got[0].1, "fail");
        assert!(got[0].2.contains("AWS default"), "{}", got[0].2);
        assert_eq!(got[1].0, "aws_sagemaker_notebook_instance.enabled");
        assert_eq!(got[1].1, "fail");
        assert!(!got[1].2.contains("AWS default"), "{}", got[1].2);
    }

    #[test]
    fn unresolved_variable_is_inconclusive() {
        let got = outcomes(&CHECK, "unknown.tf");
        assert_eq!(got.len(), 1);
        assert_eq!(got[0].1, "inconclusive");
        assert!(got[0].2.contains("var.direct_access"), "{}", got[0].2);
    }
}
