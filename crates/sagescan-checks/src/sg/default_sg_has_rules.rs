use super::rules::describe;
use crate::{Context, Outcomes};
use sagescan_model::network::SgRule;

crate::check! {
    /// ## What it checks
    /// A VPC's default security group (`aws_default_security_group`, live group `default`)
    /// that has any inbound or outbound rule.
    ///
    /// ## Why it matters
    /// Every VPC has a default group that cannot be deleted. Anything launched without an
    /// explicit group lands in it, and so does an interface endpoint created without one.
    /// AWS creates it with "all traffic from members" and "all traffic out": an instance or
    /// endpoint that silently falls back to it can reach anything and be reached by every
    /// other member. With no rules, such a fallback is harmless and visible (it cannot talk).
    ///
    /// ## Example
    /// ```hcl
    /// resource "aws_default_security_group" "default" {
    ///   vpc_id = aws_vpc.main.id
    ///   ingress {
    ///     protocol  = "-1"
    ///     self      = true
    ///     from_port = 0
    ///     to_port   = 0
    ///   }
    /// }
    /// ```
    /// ```yaml
    /// DefaultSgIngress:
    ///   Type: AWS::EC2::SecurityGroupIngress
    ///   Properties:
    ///     GroupId: !GetAtt Vpc.DefaultSecurityGroup
    ///     IpProtocol: "-1"
    ///     SourceSecurityGroupId: !GetAtt Vpc.DefaultSecurityGroup
    /// ```
    ///
    /// ## Use instead
    /// ```hcl
    /// # Adopting the group with no rules makes the provider delete AWS's defaults.
    /// resource "aws_default_security_group" "default" {
    ///   vpc_id = aws_vpc.main.id
    /// }
    /// ```
    /// ```yaml
    /// # CloudFormation cannot remove the default rules: do it once with the CLI (below) and
    /// # declare no SecurityGroupIngress/Egress on !GetAtt Vpc.DefaultSecurityGroup.
    /// ```
    ///
    /// ## Remediation
    /// - **Console**: VPC → Security groups → the group named `default` → Inbound rules and
    ///   Outbound rules → delete every rule.
    /// - **CLI**: `aws ec2 revoke-security-group-ingress --group-id sg-… --ip-permissions …`
    ///   and `aws ec2 revoke-security-group-egress …` for each rule.
    /// - **Terraform**: declare `aws_default_security_group` without `ingress`/`egress`.
    /// - **CloudFormation**: remove `SecurityGroupIngress`/`Egress` resources that target the
    ///   default group; revoke AWS's own defaults once with the CLI.
    ///
    /// ## Limitations
    /// A default group that is not declared is not judged (its rules are AWS's defaults,
    /// which this check would fail; a live scan sees them).
    ///
    /// ## References
    /// - <https://docs.aws.amazon.com/vpc/latest/userguide/default-security-group.html>
    /// - <https://docs.aws.amazon.com/securityhub/latest/userguide/ec2-controls.html#ec2-2>
    /// - AWS Security Hub EC2.2; Prowler; KICS; Trivy
    pub static CHECK = {
        code: "SG101",
        name: "default-sg-has-rules",
        severity: High,
        summary: "the VPC's default security group has rules",
        remediation: "Remove every inbound and outbound rule from the default security group",
        run: run,
    };
}

/// Stands for an inline rule list that could not be enumerated: it may well be empty.
fn is_placeholder(rule: &SgRule) -> bool {
    rule.declared_by.is_none() && rule.protocol.get().is_none() && rule.peer.get().is_none()
}

fn run(ctx: &Context<'_>, out: &mut Outcomes) {
    for sg in ctx.model.security_groups.iter().filter(|sg| sg.is_default) {
        let rules: Vec<&SgRule> = sg.rules.iter().filter(|r| !is_placeholder(r)).collect();
        if let Some(first) = rules.first() {
            let mut listed: Vec<String> = rules.iter().map(|r| describe(r)).collect();
            listed.dedup();
            out.fail(
                sg,
                &first.origin,
                format!("default security group has rules: {}", listed.join(", ")),
            );
        } else if let Some(p) = sg.rules.iter().find(|r| is_placeholder(r)) {
            let reason = p.peer.unknown_reason().unwrap_or("no reason given");
            out.inconclusive(
                sg,
                &p.origin,
                format!("cannot tell whether the default security group has rules: {reason}"),
            );
        } else if !sg.rules_complete {
            out.inconclusive(sg, &sg.meta.origin, super::incomplete(sg));
        } else {
            out.pass(sg);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::CHECK;
    use crate::testing::{lines, outcomes, verdicts};

    #[test]
    fn default_group_without_rules_passes_and_other_groups_are_not_judged() {
        assert_eq!(
            verdicts(&CHECK, "pass.tf"),
            [("aws_default_security_group.default".into(), "pass")]
        );
    }

    #[test]
    fn any_rule_fails_at_the_first_rule() {
        let got = outcomes(&CHECK, "fail.tf");
        assert_eq!(got.len(), 1);
        assert_eq!(got[0].1, "fail");
        assert_eq!(
            got[0].2,
            "default security group has rules: ingress all traffic from itself, \
             egress all traffic to 0.0.0.0/0"
        );
        assert_eq!(
            lines(&CHECK, "fail.tf"),
            [("aws_default_security_group.default".into(), "fail", Some(8))]
        );
    }

    #[test]
    fn rules_from_an_unknown_variable_are_inconclusive() {
        let got = outcomes(&CHECK, "unknown.tf");
        assert_eq!(got.len(), 1);
        assert_eq!(got[0].1, "inconclusive");
        assert!(got[0].2.contains("var.default_rules"), "{}", got[0].2);
    }
}
