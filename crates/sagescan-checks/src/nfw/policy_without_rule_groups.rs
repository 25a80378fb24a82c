use crate::{Context, Outcomes};

crate::check! {
    /// ## What it checks
    /// A firewall policy that references no rule group at all, neither stateless nor
    /// stateful.
    ///
    /// ## Why it matters
    /// Without rule groups the policy's default actions are the whole firewall: with
    /// `aws:forward_to_sfe` and no stateful groups every flow is passed (in the default
    /// action order, traffic that matches no rule passes), so the firewall inspects
    /// nothing while the architecture diagram says egress is filtered.
    ///
    /// ## Example
    /// ```hcl
    /// resource "aws_networkfirewall_firewall_policy" "egress" {
    ///   name = "egress"
    ///   firewall_policy {
    ///     stateless_default_actions          = ["aws:forward_to_sfe"]
    ///     stateless_fragment_default_actions = ["aws:forward_to_sfe"]
    ///   }
    /// }
    /// ```
    /// ```yaml
    /// Policy:
    ///   Type: AWS::NetworkFirewall::FirewallPolicy
    ///   Properties:
    ///     FirewallPolicyName: egress
    ///     FirewallPolicy:
    ///       StatelessDefaultActions: ["aws:forward_to_sfe"]
    ///       StatelessFragmentDefaultActions: ["aws:forward_to_sfe"]
    /// ```
    ///
    /// ## Use instead
    /// ```hcl
    ///     stateful_rule_group_reference {
    ///       priority     = 100
    ///       resource_arn = aws_networkfirewall_rule_group.domains.arn
    ///     }
    /// ```
    /// ```yaml
    ///       StatefulRuleGroupReferences:
    ///         - ResourceArn: !Ref DomainAllowList
    ///           Priority: 100
    /// ```
    ///
    /// ## Remediation
    /// - **Console**: VPC → Network Firewall → Firewall policies → the policy → *Stateful
    ///   rule groups* → *Add rule groups*.
    /// - **CLI**: `aws network-firewall update-firewall-policy` with
    ///   `StatefulRuleGroupReferences` (or `StatelessRuleGroupReferences`).
    /// - **Terraform**: a `stateful_rule_group_reference` (or
    ///   `stateless_rule_group_reference`) block.
    /// - **CloudFormation**: `StatefulRuleGroupReferences` /
    ///   `StatelessRuleGroupReferences`.
    ///
    /// ## References
    /// - <https://docs.aws.amazon.com/network-firewall/latest/developerguide/firewall-policies.html>
    /// - AWS Security Hub NetworkFirewall.3; Prowler
    pub static CHECK = {
        code: "NFW105",
        name: "policy-without-rule-groups",
        severity: Medium,
        summary: "firewall policy references no rule groups",
        remediation: "Reference at least one stateful or stateless rule group from the policy",
        run: run,
    };
}

fn run(ctx: &Context<'_>, out: &mut Outcomes) {
    for p in &ctx.model.firewall_policies {
        let lists = [&p.stateless_rule_groups, &p.stateful_rule_groups];
        if lists.iter().any(|l| l.get().is_some_and(|g| !g.is_empty())) {
            out.pass(p);
        } else if let Some(unknown) = lists.iter().find(|l| l.get().is_none()) {
            out.judge(p, "rule group references", unknown, |_| None);
        } else {
            out.fail(
                p,
                &p.meta.origin,
                "firewall policy references no stateless or stateful rule groups",
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::CHECK;
    use crate::testing::{outcomes, verdicts};

    #[test]
    fn a_stateful_or_stateless_group_passes() {
        assert_eq!(
            verdicts(&CHECK, "pass.tf"),
            [
                (
                    "aws_networkfirewall_firewall_policy.stateful".into(),
                    "pass"
                ),
                (
                    "aws_networkfirewall_firewall_policy.stateless".into(),
                    "pass"
                ),
            ]
        );
    }

    #[test]
    fn no_groups_fails() {
        assert_eq!(
            outcomes(&CHECK, "fail.tf"),
            [(
                "aws_networkfirewall_firewall_policy.empty".into(),
                "fail",
                "firewall policy references no stateless or stateful rule groups".into()
            )]
        );
    }

    #[test]
    fn an_unreadable_list_is_inconclusive() {
        let got = outcomes(&CHECK, "unknown.json");
        assert_eq!(got.len(), 1, "{got:?}");
        assert_eq!(got[0].1, "inconclusive");
        assert!(got[0].2.contains("AccessDenied"), "{}", got[0].2);
    }
}
