use super::rules::{Proto, Tri, declared_at, describe};
use super::{Verdicts, world_rule};
use crate::{Context, Outcomes};
use sagescan_model::network::Direction;

crate::check! {
    /// ## What it checks
    /// A security group with an inbound rule from `0.0.0.0/0` or `::/0` (directly or
    /// through a prefix list) whose TCP port range, or protocol `-1`, covers one of the
    /// administration ports: SSH 22, RDP 3389, and by default also 21, 23, 445, 1433, 3306,
    /// 5432, 6379, 8888 (Jupyter), 9200 and 27017.
    ///
    /// ## Why it matters
    /// Remote-administration and database ports are scanned and brute-forced within
    /// minutes of being exposed. On SageMaker hosts, 8888 is Jupyter: an exposed notebook
    /// server is a shell with the notebook's IAM role.
    ///
    /// ## Example
    /// ```hcl
    /// resource "aws_security_group_rule" "ssh" {
    ///   type              = "ingress"
    ///   security_group_id = aws_security_group.app.id
    ///   protocol          = "tcp"
    ///   from_port         = 22
    ///   to_port           = 22
    ///   cidr_blocks       = ["0.0.0.0/0"]
    /// }
    /// ```
    /// ```yaml
    /// SshIngress:
    ///   Type: AWS::EC2::SecurityGroupIngress
    ///   Properties:
    ///     GroupId: !Ref AppSg
    ///     IpProtocol: tcp
    ///     FromPort: 22
    ///     ToPort: 22
    ///     CidrIp: 0.0.0.0/0
    /// ```
    ///
    /// ## Use instead
    /// Use AWS Systems Manager Session Manager (no inbound port at all), or admit only a
    /// bastion's security group or a corporate prefix list:
    /// ```hcl
    ///   source_security_group_id = aws_security_group.bastion.id
    /// ```
    /// ```yaml
    ///     SourceSecurityGroupId: !Ref BastionSg
    /// ```
    ///
    /// ## Remediation
    /// - **Console**: EC2 → Security groups → the group → Inbound rules → Edit: delete the
    ///   rule or change its source.
    /// - **CLI**: `aws ec2 revoke-security-group-ingress --group-id sg-… --protocol tcp
    ///   --port 22 --cidr 0.0.0.0/0`
    /// - **Terraform**: remove the rule or set a narrow source.
    /// - **CloudFormation**: remove the `SecurityGroupIngress` entry or set a narrow source.
    ///
    /// ## Options
    /// `admin_ports`: the ports this check (and NACL101) treats as administration ports.
    ///
    /// ## Limitations
    /// UDP rules are not judged (RDP's UDP transport needs its TCP port too).
    ///
    /// ## References
    /// - <https://docs.aws.amazon.com/vpc/latest/userguide/security-group-rules.html>
    /// - <https://docs.aws.amazon.com/systems-manager/latest/userguide/session-manager.html>
    /// - AWS Security Hub EC2.13, EC2.14, EC2.19; Prowler; Checkov CKV_AWS_24, CKV_AWS_25
    pub static CHECK = {
        code: "SG103",
        name: "world-ingress-admin-port",
        severity: High,
        summary: "security group admits the internet on an administration port",
        remediation: "Remove the rule; use Session Manager or admit only a bastion or corporate range",
        run: run,
    };
}

fn run(ctx: &Context<'_>, out: &mut Outcomes) {
    let ports = &ctx.options.admin_ports;
    for sg in &ctx.model.security_groups {
        let mut verdicts = Verdicts::default();
        for rule in sg
            .rules
            .iter()
            .filter(|r| r.direction == Direction::Ingress)
        {
            let mut hit = Vec::new();
            let answer = world_rule(ctx.model, sg.meta.config, rule, |t| {
                hit = ports
                    .iter()
                    .copied()
                    .filter(|&p| t.admits(Proto::Tcp, p))
                    .collect();
                Tri::from_bool(!hit.is_empty())
            });
            verdicts.add(rule, answer, || {
                let hit: Vec<String> = hit.iter().map(u16::to_string).collect();
                format!(
                    "{} ({}) covers {}",
                    describe(rule),
                    declared_at(rule),
                    hit.join(", ")
                )
            });
        }
        verdicts.report(
            out,
            sg,
            sg,
            "security group allows ingress from the internet to an administration port",
        );
    }
}

#[cfg(test)]
mod tests {
    use super::CHECK;
    use crate::testing::{lines, outcomes, verdicts};

    #[test]
    fn https_from_the_world_and_ssh_from_a_bastion_pass() {
        assert_eq!(
            verdicts(&CHECK, "pass.tf"),
            [
                ("aws_security_group.bastion".into(), "pass"),
                ("aws_security_group.web".into(), "pass")
            ]
        );
    }

    #[test]
    fn ssh_or_a_range_covering_jupyter_from_the_world_fails() {
        let got = outcomes(&CHECK, "fail.tf");
        assert_eq!(got.len(), 2, "{got:?}");
        assert_eq!(
            got[0],
            (
                "aws_security_group.notebook".into(),
                "fail",
                "security group allows ingress from the internet to an administration port: \
                 ingress tcp 8000-9000 from 0.0.0.0/0 (line 5) covers 8888"
                    .into()
            )
        );
        assert_eq!(got[1].0, "aws_security_group.ssh");
        assert!(
            got[1]
                .2
                .contains("ingress tcp 22 from 0.0.0.0/0 (aws_security_group_rule.ssh) covers 22"),
            "{}",
            got[1].2
        );
        assert_eq!(lines(&CHECK, "fail.tf")[1].2, Some(17));
    }

    #[test]
    fn unknown_port_is_inconclusive() {
        let got = outcomes(&CHECK, "unknown.tf");
        assert_eq!(got.len(), 1);
        assert_eq!(got[0].1, "inconclusive");
        assert!(got[0].2.contains("var.admin_port"), "{}", got[0].2);
    }
}
