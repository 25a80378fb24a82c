use super::judge_present;
use crate::{Context, Outcomes};

crate::check! {
    /// ## What it checks
    /// A SageMaker notebook instance without a `SubnetId`, i.e. one that is not placed in
    /// a VPC of yours.
    ///
    /// ## Why it matters
    /// A notebook without a subnet runs entirely in a network SageMaker manages, and the
    /// API then insists on `DirectInternetAccess: Enabled`: it always has a path to the
    /// internet that your security groups, NACLs, Network Firewall, VPC endpoint policies
    /// and flow logs cannot see or restrict. It also cannot reach private resources
    /// (databases, private registries) except over public endpoints.
    ///
    /// ## Example
    /// ```hcl
    /// resource "aws_sagemaker_notebook_instance" "nb" {
    ///   name          = "research"
    ///   role_arn      = aws_iam_role.sm.arn
    ///   instance_type = "ml.t3.medium"
    ///   # subnet_id absent: outside your VPC
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
    ///     SubnetId: !Ref PrivateSubnetA
    ///     SecurityGroupIds: [!Ref NotebookSg]
    ///     DirectInternetAccess: Disabled
    /// ```
    ///
    /// ## Remediation
    /// The subnet cannot be changed on an existing notebook instance: create a new one and
    /// move its data (for example through S3 or a Git repository).
    /// - **Console**: SageMaker → Notebook instances → Create; under *Network* choose a VPC,
    ///   a private subnet and security groups.
    /// - **CLI**: `aws sagemaker create-notebook-instance --subnet-id subnet-…
    ///   --security-group-ids sg-… --direct-internet-access Disabled …`
    /// - **Terraform**: `subnet_id` and `security_groups` (forces replacement).
    /// - **CloudFormation**: `SubnetId` and `SecurityGroupIds` (update requires replacement).
    ///
    /// ## References
    /// - <https://docs.aws.amazon.com/sagemaker/latest/dg/appendix-notebook-and-internet-access.html>
    /// - <https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_CreateNotebookInstance.html>
    /// - AWS Security Hub SageMaker.2; Prowler; Checkov CKV_AWS_306; Trend Micro SageMaker-001
    pub static CHECK = {
        code: "SM112",
        name: "notebook-outside-vpc",
        severity: High,
        summary: "notebook instance is not placed in a VPC",
        remediation: "Create the notebook in a private subnet (SubnetId, SecurityGroupIds)",
        run: run,
    };
}

fn run(ctx: &Context<'_>, out: &mut Outcomes) {
    for nb in &ctx.model.notebook_instances {
        judge_present(out, nb, "notebook instance", "SubnetId", &nb.subnet);
    }
}

#[cfg(test)]
mod tests {
    use super::CHECK;
    use crate::testing::{outcomes, verdicts};

    #[test]
    fn subnet_passes() {
        assert_eq!(
            verdicts(&CHECK, "pass.tf"),
            [("aws_sagemaker_notebook_instance.private".into(), "pass")]
        );
    }

    #[test]
    fn absent_subnet_fails() {
        let got = outcomes(&CHECK, "fail.tf");
        assert_eq!(got.len(), 1);
        assert_eq!(
            (got[0].0.as_str(), got[0].1),
            ("aws_sagemaker_notebook_instance.open", "fail")
        );
        assert!(
            got[0].2.starts_with("notebook instance has no SubnetId"),
            "{}",
            got[0].2
        );
    }

    #[test]
    fn unresolved_variable_is_inconclusive() {
        let got = outcomes(&CHECK, "unknown.tf");
        assert_eq!(got.len(), 1);
        assert_eq!(got[0].1, "inconclusive");
        assert!(got[0].2.contains("var.subnet_id"), "{}", got[0].2);
    }
}
