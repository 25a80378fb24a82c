use super::rules::{Tri, declared_at, describe};
use super::{Verdicts, report_unknown, workload_groups, world_rule};
use crate::{Context, Outcomes};
use sagescan_model::network::Direction;

crate::check! {
    /// ## What it checks
    /// A security group attached to a SageMaker workload with an outbound rule to
    /// `0.0.0.0/0` or `::/0` that covers every port: protocol `-1` (all traffic, AWS's
    /// default egress rule), a protocol number without ports, or a tcp/udp range spanning
    /// 1–65535. HTTPS to the world (TCP 443), e.g. through a NAT gateway and a Network
    /// Firewall allow-list, is not reported.
    ///
    /// A Studio user profile's apps carry its domain's default groups and the profile's
    /// own (AWS aggregates them), a shared space the domain's default space groups, a
    /// private space its owner's: a group a profile adds is judged like the domain's.
    ///
    /// ## Why it matters
    /// The security group is the workload's own egress filter. Allowing everything out
    /// leaves exfiltration control to routing and the firewall alone, and opens paths they
    /// may not inspect: DNS tunnels to arbitrary resolvers, SSH or raw TCP to any host,
    /// QUIC over UDP 443.
    ///
    /// ## Example
    /// ```hcl
    /// resource "aws_security_group" "sagemaker" {
    ///   vpc_id = aws_vpc.main.id
    ///   egress {
    ///     from_port   = 0
    ///     to_port     = 0
    ///     protocol    = "-1"
    ///     cidr_blocks = ["0.0.0.0/0"]
    ///   }
    /// }
    /// ```
    /// ```yaml
    /// SageMakerSg:
    ///   Type: AWS::EC2::SecurityGroup
    ///   Properties:
    ///     GroupDescription: SageMaker
    ///     VpcId: !Ref Vpc
    ///     # no SecurityGroupEgress: AWS adds allow-all
    /// ```
    ///
    /// ## Use instead
    /// ```hcl
    ///   egress {
    ///     description = "HTTPS to endpoints and allow-listed hosts"
    ///     from_port   = 443
    ///     to_port     = 443
    ///     protocol    = "tcp"
    ///     cidr_blocks = ["0.0.0.0/0"]
    ///   }
    /// ```
    /// ```yaml
    ///     SecurityGroupEgress:
    ///       - { IpProtocol: tcp, FromPort: 443, ToPort: 443, CidrIp: 0.0.0.0/0 }
    /// ```
    ///
    /// ## Remediation
    /// - **Console**: EC2 → Security groups → the workload's group → Outbound rules → Edit:
    ///   replace "All traffic" with the ports the workload needs.
    /// - **CLI**: `aws ec2 revoke-security-group-egress --group-id sg-… --ip-permissions
    ///   IpProtocol=-1,IpRanges=[{CidrIp=0.0.0.0/0}]`, then `authorize-security-group-egress`
    ///   for TCP 443.
    /// - **Terraform**: replace the allow-all `egress` block (or rule resource).
    /// - **CloudFormation**: declare `SecurityGroupEgress` with the needed ports; without it
    ///   AWS keeps allow-all.
    ///
    /// ## References
    /// - <https://docs.aws.amazon.com/vpc/latest/userguide/security-group-rules.html>
    /// - <https://docs.aws.amazon.com/sagemaker/latest/dg/train-vpc.html>
    /// - Trivy AWS-0104; Checkov CKV_AWS_382
    pub static CHECK = {
        code: "SG105",
        name: "workload-sg-egress-unrestricted",
        severity: Medium,
        summary: "a SageMaker workload's security group allows all egress to the internet",
        remediation: "Replace the allow-all egress rule with the ports the workload needs (TCP 443)",
        run: run,
    };
}

fn run(ctx: &Context<'_>, out: &mut Outcomes) {
    let groups = workload_groups(ctx.model, &ctx.workloads);
    for &i in groups.by_group.keys() {
        let sg = &ctx.model.security_groups[i];
        let mut verdicts = Verdicts::default();
        for rule in sg.rules.iter().filter(|r| r.direction == Direction::Egress) {
            let answer = world_rule(ctx.model, sg.meta.config, rule, |t| {
                Tri::from_bool(t.is_all_ports())
            });
            verdicts.add(rule, answer, || {
                format!("{} ({})", describe(rule), declared_at(rule))
            });
        }
        verdicts.report(
            out,
            sg,
            sg,
            "SageMaker security group allows all egress to the internet",
        );
    }
    report_unknown(out, &groups);
}

#[cfg(test)]
mod tests {
    use super::CHECK;
    use crate::net::workload_internet_egress_uninspected as net101;
    use crate::testing::{lines, load_fixture, outcomes, run_on, verdicts};

    #[test]
    fn https_egress_passes_and_unattached_groups_are_not_judged() {
        assert_eq!(
            verdicts(&CHECK, "pass.tf"),
            [
                ("aws_sagemaker_model.m".into(), "inconclusive"),
                ("aws_security_group.sagemaker".into(), "pass")
            ]
        );
        let got = outcomes(&CHECK, "pass.tf");
        assert!(
            got[0]
                .2
                .contains("sg-0external is not in the scanned configuration"),
            "{}",
            got[0].2
        );
    }

    #[test]
    fn all_traffic_to_the_world_fails() {
        let got = outcomes(&CHECK, "fail.tf");
        assert_eq!(
            got,
            [(
                "aws_security_group.sagemaker".into(),
                "fail",
                "SageMaker security group allows all egress to the internet: \
                 egress all traffic to 0.0.0.0/0 (aws_security_group_rule.all_out)"
                    .into()
            )]
        );
        assert_eq!(lines(&CHECK, "fail.tf")[0].2, Some(6));
    }

    #[test]
    fn unknown_protocol_is_inconclusive() {
        let got = outcomes(&CHECK, "unknown.tf");
        assert_eq!(got.len(), 1, "{got:?}");
        assert_eq!(got[0].1, "inconclusive");
        assert!(got[0].2.contains("var.egress_protocol"), "{}", got[0].2);
    }

    /// Issue #7: a group attached only through a Studio user profile's settings is a
    /// workload group too, judged at its own rule.
    #[test]
    fn a_group_a_user_profile_adds_to_a_tight_domain_is_judged() {
        let model = load_fixture(&net101::CHECK, "studio_profile.tf");
        assert_eq!(
            run_on(&CHECK, &model),
            [
                // The shared space's groups are not documented: never a pass.
                (
                    "aws_sagemaker_space.team".into(),
                    "inconclusive",
                    "cannot tell: the workload's security groups is unknown (the domain sets \
                     no DefaultSpaceSettings.SecurityGroups, and AWS does not document which \
                     groups a shared space then has)"
                        .into()
                ),
                (
                    "aws_security_group.open".into(),
                    "fail",
                    "SageMaker security group allows all egress to the internet: \
                     egress all traffic to 0.0.0.0/0 (line 79)"
                        .into()
                ),
                ("aws_security_group.studio".into(), "pass", String::new()),
            ]
        );
    }
}
