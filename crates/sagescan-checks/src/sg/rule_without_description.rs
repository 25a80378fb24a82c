use super::Verdicts;
use super::rules::{Tri, Why, declared_at, describe};
use crate::{Context, Outcomes};
use sagescan_model::Value;

crate::check! {
    /// ## What it checks
    /// A security group rule (inline, or a standalone rule resource) without a
    /// description, or with an empty one. One finding per group lists every such rule.
    ///
    /// ## Why it matters
    /// Rules outlive the people who wrote them. A rule that says why it exists ("HTTPS
    /// from the ALB", "temporary debugging access") can be reviewed and removed with
    /// confidence; an anonymous `0.0.0.0/0` rule stays forever because nobody knows what
    /// would break.
    ///
    /// ## Example
    /// ```hcl
    ///   ingress {
    ///     from_port   = 443
    ///     to_port     = 443
    ///     protocol    = "tcp"
    ///     cidr_blocks = ["10.0.0.0/16"]
    ///   }
    /// ```
    /// ```yaml
    ///     SecurityGroupIngress:
    ///       - { IpProtocol: tcp, FromPort: 443, ToPort: 443, CidrIp: 10.0.0.0/16 }
    /// ```
    ///
    /// ## Use instead
    /// ```hcl
    ///     description = "HTTPS from the VPC (SageMaker API calls)"
    /// ```
    /// ```yaml
    ///       - { IpProtocol: tcp, FromPort: 443, ToPort: 443, CidrIp: 10.0.0.0/16,
    ///           Description: HTTPS from the VPC }
    /// ```
    ///
    /// ## Remediation
    /// - **Console**: EC2 → Security groups → the group → Edit inbound/outbound rules → fill
    ///   in *Description*.
    /// - **CLI**: `aws ec2 update-security-group-rule-descriptions-ingress --group-id sg-…
    ///   --ip-permissions …` (and `…-egress`).
    /// - **Terraform**: set `description` on the block or rule resource (in-place update).
    /// - **CloudFormation**: set `Description` on the rule.
    ///
    /// ## References
    /// - <https://docs.aws.amazon.com/vpc/latest/userguide/security-group-rules.html>
    /// - <https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_UpdateSecurityGroupRuleDescriptionsIngress.html>
    /// - Checkov CKV_AWS_23; Trivy
    pub static CHECK = {
        code: "SG107",
        name: "rule-without-description",
        severity: Low,
        summary: "a security group rule has no description",
        remediation: "Describe why each security group rule exists",
        run: run,
    };
}

fn run(ctx: &Context<'_>, out: &mut Outcomes) {
    for sg in &ctx.model.security_groups {
        let mut verdicts = Verdicts::default();
        for rule in &sg.rules {
            let missing = match &rule.description {
                Value::Unknown { .. } => {
                    Tri::Unknown(Why::of("a rule's description", &rule.description))
                }
                v => Tri::from_bool(
                    v.get()
                        .is_none_or(|d| d.as_deref().is_none_or(|d| d.trim().is_empty())),
                ),
            };
            verdicts.add(rule, missing, || {
                format!("{} ({})", describe(rule), declared_at(rule))
            });
        }
        verdicts.report(out, sg, sg, "security group rules without description");
    }
}

#[cfg(test)]
mod tests {
    use super::CHECK;
    use crate::testing::{lines, outcomes, verdicts};

    #[test]
    fn described_rules_pass() {
        assert_eq!(
            verdicts(&CHECK, "pass.tf"),
            [("aws_security_group.app".into(), "pass")]
        );
    }

    #[test]
    fn absent_or_empty_descriptions_are_listed() {
        let got = outcomes(&CHECK, "fail.tf");
        assert_eq!(
            got,
            [(
                "aws_security_group.app".into(),
                "fail",
                "security group rules without description: ingress tcp 443 from 10.0.0.0/16 \
                 (line 5), egress tcp 443 to 0.0.0.0/0 (aws_vpc_security_group_egress_rule.https)"
                    .into()
            )]
        );
        assert_eq!(lines(&CHECK, "fail.tf")[0].2, Some(5));
    }

    #[test]
    fn unknown_description_is_inconclusive() {
        let got = outcomes(&CHECK, "unknown.tf");
        assert_eq!(got.len(), 1, "{got:?}");
        assert_eq!(got[0].1, "inconclusive");
        assert!(got[0].2.contains("var.rule_note"), "{}", got[0].2);
    }
}
