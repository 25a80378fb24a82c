use super::{report_unknown, workload_subnets};
use crate::{Context, Outcomes};
use sagescan_model::Link;

crate::check! {
    /// ## What it checks
    /// A SageMaker workload's subnet that uses its VPC's default network ACL: it has no
    /// association with a custom ACL (so the default applies, declared or not), or it is
    /// explicitly associated with the default ACL.
    ///
    /// ## Why it matters
    /// The default ACL allows all inbound and outbound traffic unless someone edited it,
    /// and it is shared by every subnet nobody thought about. A custom ACL on SageMaker
    /// subnets is a second, stateless layer that still holds when a security group is
    /// loosened, and its rules are reviewed for those subnets alone.
    ///
    /// ## Example
    /// ```hcl
    /// resource "aws_subnet" "private_a" {
    ///   vpc_id     = aws_vpc.main.id
    ///   cidr_block = "10.0.10.0/24"
    ///   # no aws_network_acl lists it: the default ACL applies
    /// }
    /// ```
    /// ```yaml
    /// PrivateA:
    ///   Type: AWS::EC2::Subnet
    ///   Properties:
    ///     VpcId: !Ref Vpc
    ///     CidrBlock: 10.0.10.0/24
    /// ```
    ///
    /// ## Use instead
    /// ```hcl
    /// resource "aws_network_acl" "private" {
    ///   vpc_id     = aws_vpc.main.id
    ///   subnet_ids = [aws_subnet.private_a.id]
    ///   # ingress: tcp 443 from the VPC, 1024-65535 return traffic
    /// }
    /// ```
    /// ```yaml
    /// PrivateAAcl:
    ///   Type: AWS::EC2::SubnetNetworkAclAssociation
    ///   Properties:
    ///     SubnetId: !Ref PrivateA
    ///     NetworkAclId: !Ref PrivateAcl
    /// ```
    ///
    /// ## Remediation
    /// - **Console**: VPC → Network ACLs → Create network ACL, add entries, then *Edit
    ///   subnet associations* and select the SageMaker subnets.
    /// - **CLI**: `aws ec2 create-network-acl --vpc-id vpc-…`, `create-network-acl-entry …`,
    ///   `aws ec2 replace-network-acl-association --association-id aclassoc-…
    ///   --network-acl-id acl-…`
    /// - **Terraform**: an `aws_network_acl` with `subnet_ids` (or
    ///   `aws_network_acl_association`).
    /// - **CloudFormation**: `AWS::EC2::NetworkAcl` plus
    ///   `AWS::EC2::SubnetNetworkAclAssociation`.
    ///
    /// ## References
    /// - <https://docs.aws.amazon.com/vpc/latest/userguide/default-network-acl.html>
    /// - <https://docs.aws.amazon.com/vpc/latest/userguide/vpc-network-acls.html>
    /// - AWS Security Hub EC2.16 (the inverse: unused ACLs)
    pub static CHECK = {
        code: "NACL103",
        name: "workload-subnet-default-nacl",
        severity: Low,
        summary: "a SageMaker subnet uses the VPC's default network ACL",
        remediation: "Associate SageMaker subnets with a custom network ACL",
        run: run,
    };
}

fn run(ctx: &Context<'_>, out: &mut Outcomes) {
    let model = ctx.model;
    let subnets = workload_subnets(model, &ctx.workloads);
    for &s in subnets.by_subnet.keys() {
        let subnet = &model.subnets[s];
        match ctx.topology.network_acl_of(s) {
            Link::Explicit { index, origin } => {
                let acl = &model.network_acls[*index];
                if acl.is_default {
                    out.fail(
                        subnet,
                        origin,
                        format!(
                            "SageMaker subnet is associated with the VPC's default network ACL {}",
                            acl.meta.address
                        ),
                    );
                } else {
                    out.pass(subnet);
                }
            }
            Link::Main { index } => out.fail(
                subnet,
                &subnet.meta.origin,
                format!(
                    "SageMaker subnet uses the VPC's default network ACL {}",
                    model.network_acls[*index].meta.address
                ),
            ),
            Link::Implicit => out.fail(
                subnet,
                &subnet.meta.origin,
                "SageMaker subnet uses the VPC's default network ACL (not declared; AWS default: allow all)",
            ),
            Link::Unknown { reason, origin } => out.inconclusive(
                subnet,
                origin,
                format!("cannot tell the subnet's network ACL: {reason}"),
            ),
        }
    }
    report_unknown(out, &subnets);
}

#[cfg(test)]
mod tests {
    use super::CHECK;
    use crate::testing::{outcomes, verdicts};

    #[test]
    fn custom_acl_passes() {
        assert_eq!(
            verdicts(&CHECK, "pass.tf"),
            [("aws_subnet.private".into(), "pass")]
        );
    }

    #[test]
    fn declared_or_implicit_default_acl_fails() {
        let got = outcomes(&CHECK, "fail.tf");
        assert_eq!(
            got,
            [
                (
                    "aws_subnet.a".into(),
                    "fail",
                    "SageMaker subnet uses the VPC's default network ACL aws_default_network_acl.default"
                        .into()
                ),
                (
                    "aws_subnet.b".into(),
                    "fail",
                    "SageMaker subnet uses the VPC's default network ACL \
                     (not declared; AWS default: allow all)"
                        .into()
                ),
            ]
        );
    }

    #[test]
    fn unknown_acl_subnets_are_inconclusive() {
        let got = outcomes(&CHECK, "unknown.tf");
        assert_eq!(got.len(), 1, "{got:?}");
        assert_eq!(got[0].1, "inconclusive");
        assert!(got[0].2.contains("var.acl_subnets"), "{}", got[0].2);
    }
}
