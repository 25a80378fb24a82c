use crate::{Context, Outcomes};
use sagescan_model::Value;

crate::check! {
    /// ## What it checks
    /// A firewall policy whose stateless default action for full packets
    /// (`StatelessDefaultActions`) or for fragmented UDP packets
    /// (`StatelessFragmentDefaultActions`) is `aws:pass`.
    ///
    /// ## Why it matters
    /// The stateless default applies to every packet no stateless rule matches, which in
    /// most policies is every packet. `aws:pass` forwards it *without stateful inspection*:
    /// the stateful rule groups — the domain allow-list, the drop rules, the alert logs —
    /// never see the traffic. Use `aws:forward_to_sfe` so that the stateful engine decides.
    ///
    /// ## Example
    /// ```hcl
    /// resource "aws_networkfirewall_firewall_policy" "egress" {
    ///   name = "egress"
    ///   firewall_policy {
    ///     stateless_default_actions          = ["aws:pass"]
    ///     stateless_fragment_default_actions = ["aws:pass"]
    ///     stateful_rule_group_reference { resource_arn = aws_networkfirewall_rule_group.domains.arn }
    ///   }
    /// }
    /// ```
    /// ```yaml
    /// Policy:
    ///   Type: AWS::NetworkFirewall::FirewallPolicy
    ///   Properties:
    ///     FirewallPolicyName: egress
    ///     FirewallPolicy:
    ///       StatelessDefaultActions: ["aws:pass"]
    ///       StatelessFragmentDefaultActions: ["aws:pass"]
    /// ```
    ///
    /// ## Use instead
    /// ```hcl
    ///     stateless_default_actions          = ["aws:forward_to_sfe"]
    ///     stateless_fragment_default_actions = ["aws:forward_to_sfe"]
    /// ```
    /// ```yaml
    ///       StatelessDefaultActions: ["aws:forward_to_sfe"]
    ///       StatelessFragmentDefaultActions: ["aws:forward_to_sfe"]
    /// ```
    ///
    /// ## Remediation
    /// - **Console**: VPC → Network Firewall → Firewall policies → the policy → *Stateless
    ///   default actions* → *Edit* → *Forward to stateful rule groups* for both full and
    ///   fragmented packets.
    /// - **CLI**: `aws network-firewall update-firewall-policy` with
    ///   `StatelessDefaultActions` and `StatelessFragmentDefaultActions` set to
    ///   `["aws:forward_to_sfe"]` (pass the current `--update-token`).
    /// - **Terraform**: `stateless_default_actions` and
    ///   `stateless_fragment_default_actions` = `["aws:forward_to_sfe"]`.
    /// - **CloudFormation**: `StatelessDefaultActions` / `StatelessFragmentDefaultActions`:
    ///   `["aws:forward_to_sfe"]`.
    ///
    /// ## References
    /// - <https://docs.aws.amazon.com/network-firewall/latest/developerguide/stateless-default-actions.html>
    /// - <https://docs.aws.amazon.com/network-firewall/latest/developerguide/firewall-policy-processing.html>
    /// - AWS Security Hub NetworkFirewall.4, NetworkFirewall.5; Prowler
    pub static CHECK = {
        code: "NFW106",
        name: "stateless-default-pass",
        severity: Medium,
        summary: "firewall policy passes unmatched packets without stateful inspection",
        remediation: "Set the stateless default and fragment default actions to aws:forward_to_sfe",
        run: run,
    };
}

fn run(ctx: &Context<'_>, out: &mut Outcomes) {
    for p in &ctx.model.firewall_policies {
        let both: [(&str, &str, &Value<Vec<String>>); 2] = [
            (
                "StatelessDefaultActions",
                "stateless default action",
                &p.stateless_default_actions,
            ),
            (
                "StatelessFragmentDefaultActions",
                "stateless fragment default action",
                &p.stateless_fragment_default_actions,
            ),
        ];
        let failed: Vec<_> = both
            .iter()
            .filter(|(_, _, v)| v.get().is_some_and(|a| a.iter().any(|x| x == "aws:pass")))
            .collect();
        if let Some((_, _, v)) = failed.first() {
            let what: Vec<&str> = failed.iter().map(|(_, w, _)| *w).collect();
            out.fail(
                p,
                v.origin(),
                format!(
                    "firewall policy {} {} aws:pass",
                    what.join(" and "),
                    if what.len() > 1 { "are" } else { "is" }
                ),
            );
        } else if let Some((attr, _, v)) = both.iter().find(|(_, _, v)| v.get().is_none()) {
            out.judge(p, attr, v, |_| None);
        } else {
            out.pass(p);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::CHECK;
    use crate::testing::{lines, outcomes, verdicts};

    #[test]
    fn forward_to_stateful_engine_passes() {
        assert_eq!(
            verdicts(&CHECK, "pass.tf"),
            [("aws_networkfirewall_firewall_policy.egress".into(), "pass")]
        );
    }

    #[test]
    fn pass_in_either_default_fails() {
        let got = outcomes(&CHECK, "fail.tf");
        assert_eq!(got.len(), 2, "{got:?}");
        assert_eq!(
            got[0],
            (
                "aws_networkfirewall_firewall_policy.both".into(),
                "fail",
                "firewall policy stateless default action and stateless fragment default action are aws:pass".into()
            )
        );
        assert_eq!(
            got[1].2,
            "firewall policy stateless fragment default action is aws:pass"
        );
        // Points at the deciding attribute.
        assert_eq!(lines(&CHECK, "fail.tf")[1].2, Some(20));
    }

    #[test]
    fn unknown_actions_are_inconclusive() {
        let got = outcomes(&CHECK, "unknown.tf");
        assert_eq!(got.len(), 1, "{got:?}");
        assert_eq!(got[0].1, "inconclusive");
        assert!(got[0].2.contains("StatelessDefaultActions"), "{}", got[0].2);
        assert!(got[0].2.contains("var.default_actions"), "{}", got[0].2);
    }
}
