use super::hosting::{Placement, Placer};
use crate::{Context, Outcomes};

crate::check! {
    /// ## What it checks
    /// A SageMaker workload (notebook, model, Studio domain, job) whose subnets, or whose
    /// Studio domain VPC, are in the region's default VPC. Workloads outside any VPC are
    /// not judged here (SM112, SM122, SM142, SM152 cover them).
    ///
    /// ## Why it matters
    /// The default VPC is built for convenience: every default subnet is public (a route to
    /// the internet gateway, public IPs on launch), its default security group admits all
    /// traffic between members, and anything else launched without a VPC choice lands next
    /// to your workload. None of the isolation a SageMaker workload relies on is there.
    ///
    /// ## Example
    /// ```hcl
    /// resource "aws_default_vpc" "default" {}
    ///
    /// resource "aws_default_subnet" "a" {
    ///   availability_zone = "us-east-1a"
    /// }
    ///
    /// resource "aws_sagemaker_notebook_instance" "nb" {
    ///   subnet_id = aws_default_subnet.a.id
    ///   # …
    /// }
    /// ```
    /// ```yaml
    /// Notebook:
    ///   Type: AWS::SageMaker::NotebookInstance
    ///   Properties:
    ///     SubnetId: subnet-0default1   # a default subnet
    /// ```
    ///
    /// ## Use instead
    /// A dedicated VPC with private subnets:
    /// ```hcl
    /// resource "aws_vpc" "ml" {
    ///   cidr_block           = "10.0.0.0/16"
    ///   enable_dns_support   = true
    ///   enable_dns_hostnames = true
    /// }
    /// ```
    /// ```yaml
    /// Vpc:
    ///   Type: AWS::EC2::VPC
    ///   Properties:
    ///     CidrBlock: 10.0.0.0/16
    /// ```
    ///
    /// ## Remediation
    /// Subnets cannot be changed on existing SageMaker resources: create them again in the
    /// new VPC.
    /// - **Console**: VPC → Create VPC (*VPC and more*, private subnets); then recreate the
    ///   workload choosing that VPC.
    /// - **CLI**: `aws ec2 create-vpc --cidr-block 10.0.0.0/16`, `aws ec2 create-subnet …`,
    ///   then create the workload with `--subnet-id` / `VpcConfig` in it.
    /// - **Terraform**: an `aws_vpc` with private `aws_subnet`s, referenced by the workload.
    /// - **CloudFormation**: an `AWS::EC2::VPC` with private `AWS::EC2::Subnet`s.
    ///
    /// ## Limitations
    /// A subnet named only by a literal id (`subnet-…`) that is not declared in the scanned
    /// configuration cannot be placed, and the workload is inconclusive.
    ///
    /// ## References
    /// - <https://docs.aws.amazon.com/vpc/latest/userguide/default-vpc.html>
    /// - <https://docs.aws.amazon.com/sagemaker/latest/dg/infrastructure-give-access.html>
    /// - Checkov CKV_AWS_148; Trivy
    pub static CHECK = {
        code: "VPC104",
        name: "default-vpc-used",
        severity: Medium,
        summary: "SageMaker workload is placed in the default VPC",
        remediation: "Move the workload to private subnets of a dedicated VPC",
        run: run,
    };
}

fn run(ctx: &Context<'_>, out: &mut Outcomes) {
    let placer = Placer::new(ctx);
    for w in &ctx.workloads {
        match placer.of(ctx, w) {
            Placement::NoVpc => {}
            Placement::Unknown(why) => out.inconclusive(
                w,
                &why.origin,
                format!("cannot tell the workload's VPC: {}", why.reason),
            ),
            Placement::Vpc(v) => {
                let vpc = &ctx.model.vpcs[v];
                out.judge(w, "the VPC's IsDefault", &vpc.is_default, |default| {
                    default.then(|| {
                        format!(
                            "{} is placed in the default VPC {}",
                            w.kind.as_str(),
                            vpc.meta.address
                        )
                    })
                });
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::CHECK;
    use crate::testing::{outcomes, verdicts};

    #[test]
    fn dedicated_vpc_passes() {
        assert_eq!(
            verdicts(&CHECK, "pass.tf"),
            [
                ("aws_sagemaker_domain.studio".into(), "pass"),
                ("aws_sagemaker_notebook_instance.nb".into(), "pass")
            ]
        );
    }

    #[test]
    fn default_vpc_fails() {
        let got = outcomes(&CHECK, "fail.tf");
        assert_eq!(
            got,
            [(
                "aws_sagemaker_notebook_instance.nb".into(),
                "fail",
                "notebook is placed in the default VPC aws_default_vpc.default".into()
            )]
        );
    }

    #[test]
    fn unknown_subnet_is_inconclusive() {
        let got = outcomes(&CHECK, "unknown.tf");
        assert_eq!(got.len(), 1, "{got:?}");
        assert_eq!(got[0].1, "inconclusive");
        assert!(got[0].2.contains("var.subnet_id"), "{}", got[0].2);
    }
}
