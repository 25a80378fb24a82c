use super::rules::{Tri, declared_at, describe};
use super::{Verdicts, world_rule};
use crate::{Context, Outcomes};
use sagescan_model::network::Direction;

crate::check! {
    /// ## What it checks
    /// A security group with an inbound rule from `0.0.0.0/0` or `::/0` (directly or
    /// through a prefix list) that covers every port: protocol `-1` (all traffic), a
    /// protocol number without ports, or a tcp/udp range spanning 1–65535.
    ///
    /// ## Why it matters
    /// Whatever carries the group accepts connections from anyone on the internet to
    /// every service it runs, including ones nobody meant to expose (Jupyter, SSH,
    /// debuggers, metrics endpoints). Only the subnet's routing and NACL stand between it
    /// and the internet, and a public IP or a load balancer later removes that.
    ///
    /// ## Example
    /// ```hcl
    /// resource "aws_security_group" "app" {
    ///   vpc_id = aws_vpc.main.id
    ///   ingress {
    ///     from_port   = 0
    ///     to_port     = 0
    ///     protocol    = "-1"
    ///     cidr_blocks = ["0.0.0.0/0"]
    ///   }
    /// }
    /// ```
    /// ```yaml
    /// AppSg:
    ///   Type: AWS::EC2::SecurityGroup
    ///   Properties:
    ///     GroupDescription: app
    ///     VpcId: !Ref Vpc
    ///     SecurityGroupIngress:
    ///       - IpProtocol: "-1"
    ///         CidrIp: 0.0.0.0/0
    /// ```
    ///
    /// ## Use instead
    /// ```hcl
    ///   ingress {
    ///     description = "HTTPS from the VPC"
    ///     from_port   = 443
    ///     to_port     = 443
    ///     protocol    = "tcp"
    ///     cidr_blocks = [aws_vpc.main.cidr_block]
    ///   }
    /// ```
    /// ```yaml
    ///       - IpProtocol: tcp
    ///         FromPort: 443
    ///         ToPort: 443
    ///         CidrIp: !GetAtt Vpc.CidrBlock
    /// ```
    ///
    /// ## Remediation
    /// - **Console**: EC2 → Security groups → the group → Inbound rules → Edit: delete the
    ///   rule or narrow its protocol, ports and source.
    /// - **CLI**: `aws ec2 revoke-security-group-ingress --group-id sg-… --ip-permissions
    ///   IpProtocol=-1,IpRanges=[{CidrIp=0.0.0.0/0}]`
    /// - **Terraform**: narrow or remove the `ingress` block / rule resource.
    /// - **CloudFormation**: narrow or remove the `SecurityGroupIngress` entry.
    ///
    /// ## References
    /// - <https://docs.aws.amazon.com/vpc/latest/userguide/security-group-rules.html>
    /// - <https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_IpPermission.html>
    /// - Prowler; Checkov CKV_AWS_277; KICS
    pub static CHECK = {
        code: "SG102",
        name: "world-ingress-all-ports",
        severity: Critical,
        summary: "security group admits the internet on every port",
        remediation: "Remove the rule or restrict it to the ports and sources that need it",
        run: run,
    };
}

fn run(ctx: &Context<'_>, out: &mut Outcomes) {
    for sg in &ctx.model.security_groups {
        let mut verdicts = Verdicts::default();
        for rule in sg
            .rules
            .iter()
            .filter(|r| r.direction == Direction::Ingress)
        {
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
            "security group allows ingress from the internet on all ports",
        );
    }
}

#[cfg(test)]
mod tests {
    use super::CHECK;
    use crate::testing::{lines, outcomes, verdicts};

    #[test]
    fn narrow_or_internal_rules_pass() {
        assert_eq!(
            verdicts(&CHECK, "pass.tf"),
            [("aws_security_group.web".into(), "pass")]
        );
    }

    #[test]
    fn all_traffic_or_full_port_range_from_the_world_fails() {
        let got = outcomes(&CHECK, "fail.tf");
        assert_eq!(got.len(), 2, "{got:?}");
        assert_eq!(got[0].0, "aws_security_group.any");
        assert_eq!(
            got[0].2,
            "security group allows ingress from the internet on all ports: \
             ingress all traffic from 0.0.0.0/0 (line 5)"
        );
        assert_eq!(got[1].0, "aws_security_group.v6");
        assert!(
            got[1].2.contains(
                "ingress tcp all ports from ::/0 (aws_vpc_security_group_ingress_rule.v6_all)"
            ),
            "{}",
            got[1].2
        );
        assert_eq!(
            lines(&CHECK, "fail.tf")[0],
            ("aws_security_group.any".into(), "fail", Some(5))
        );
    }

    #[test]
    fn unknown_cidr_is_inconclusive() {
        let got = outcomes(&CHECK, "unknown.tf");
        assert_eq!(got.len(), 1);
        assert_eq!(got[0].1, "inconclusive");
        assert!(got[0].2.contains("var.source_cidrs"), "{}", got[0].2);
    }
}
