use super::policy::{Class, Evaluator, Fate};
use crate::{Context, Outcomes};

crate::check! {
    /// ## What it checks
    /// A firewall policy whose stateful rules hold no domain allow-list and pass TLS or
    /// plain HTTP to a name that no rule lists: a deny-list only (`DENYLIST` domain lists,
    /// Suricata `drop` rules on known-bad names), or no domain rules at all, in the
    /// default action order or in strict order without a drop default action. It asks the
    /// stateful rules what they do with TLS on tcp/443 and HTTP on tcp/80 to an arbitrary
    /// name and fails when either passes.
    ///
    /// ## Why it matters
    /// A deny-list names what is known to be bad; everything else, including the
    /// attacker's own domain, a paste site or a fresh cloud bucket, passes. For SageMaker
    /// that means a notebook or a training container can send data anywhere that is not
    /// on the list. Egress control for data that must not leave needs the opposite: an
    /// allow-list of the package mirrors and services the workloads need, and a drop for
    /// the rest. This check looks at the policy itself, so it also reports a deny-list
    /// firewall that no workload's route crosses today (NET106 judges the workloads'
    /// actual paths).
    ///
    /// ## Example
    /// ```hcl
    /// resource "aws_networkfirewall_rule_group" "domains" {
    ///   name     = "domains"
    ///   type     = "STATEFUL"
    ///   capacity = 100
    ///   rule_group {
    ///     rules_source {
    ///       rules_source_list {
    ///         generated_rules_type = "DENYLIST"
    ///         target_types         = ["TLS_SNI", "HTTP_HOST"]
    ///         targets              = [".example-malware.test"]
    ///       }
    ///     }
    ///   }
    /// }
    /// ```
    /// ```yaml
    /// Domains:
    ///   Type: AWS::NetworkFirewall::RuleGroup
    ///   Properties:
    ///     Type: STATEFUL
    ///     Capacity: 100
    ///     RuleGroup:
    ///       RulesSource:
    ///         RulesSourceList:
    ///           GeneratedRulesType: DENYLIST
    ///           TargetTypes: [TLS_SNI, HTTP_HOST]
    ///           Targets: [.example-malware.test]
    /// ```
    ///
    /// ## Use instead
    /// ```hcl
    ///     stateful_rule_options { rule_order = "STRICT_ORDER" }
    ///     rules_source {
    ///       rules_source_list {
    ///         generated_rules_type = "ALLOWLIST"
    ///         target_types         = ["TLS_SNI", "HTTP_HOST"]
    ///         targets              = ["pypi.org", ".pythonhosted.org"]
    ///       }
    ///     }
    /// ```
    /// with the policy in `STRICT_ORDER` and `stateful_default_actions =
    /// ["aws:drop_established", "aws:alert_established"]` (see NFW107).
    ///
    /// ## Remediation
    /// - **Console**: VPC → Network Firewall → Network Firewall rule groups → *Create* →
    ///   *Stateful*, *Strict order*, *Domain list*, action *Allow* → add it to the policy
    ///   and set the policy's default action to *Drop established*.
    /// - **CLI**: `aws network-firewall create-rule-group --type STATEFUL` with
    ///   `RulesSourceList={GeneratedRulesType=ALLOWLIST,…}` and
    ///   `StatefulRuleOptions={RuleOrder=STRICT_ORDER}`, then
    ///   `aws network-firewall update-firewall-policy`.
    /// - **Terraform** / **CloudFormation**: as above.
    ///
    /// ## Limitations
    /// The stateless stage is left to NFW106: a stateless `aws:pass` skips these rules
    /// altogether. Pass rules to a specific public CIDR are read as deliberate exceptions.
    /// A rule with a keyword this tool does not interpret, an unresolved rule group or
    /// variable make the verdict inconclusive.
    ///
    /// ## References
    /// - <https://docs.aws.amazon.com/network-firewall/latest/developerguide/stateful-rule-groups-domain-names.html>
    /// - <https://docs.aws.amazon.com/network-firewall/latest/developerguide/suricata-rule-evaluation-order.html>
    /// - Peers: none
    pub static CHECK = {
        code: "NFW111",
        name: "allowlist-missing",
        severity: High,
        summary: "firewall policy has no domain allow-list: TLS or HTTP to any name passes",
        remediation: "Replace deny-lists with a STRICT_ORDER ALLOWLIST domain rule group and a drop default action",
        run: run,
    };
}

fn run(ctx: &Context<'_>, out: &mut Outcomes) {
    for p in &ctx.model.firewall_policies {
        let eval = Evaluator::new(ctx.model, p);
        let lists = super::policy::policy_allow_lists(eval.groups());
        if !lists.lists.is_empty() {
            // An allow-list exists: whether it is enforced is NFW107's question.
            continue;
        }
        if let Some(g) = lists.maybe.first() {
            super::inconclusive(out, p, "whether the policy has a domain allow-list", g);
            continue;
        }
        let mut unknown = None;
        let mut failed = false;
        for (class, what) in [
            (Class::Tls, "TLS to a name no rule lists"),
            (Class::Http, "plain HTTP to a host no rule lists"),
        ] {
            match eval.stateful_fate(class) {
                Fate::Dropped => {}
                Fate::Passes(why, origin) => {
                    let origin = origin.or(&p.meta.origin);
                    out.fail(
                        p,
                        &origin,
                        format!("firewall policy has no domain allow-list: {what} passes ({why})"),
                    );
                    failed = true;
                    break;
                }
                Fate::Unknown(g) => {
                    unknown.get_or_insert(g);
                }
            }
        }
        match (failed, unknown) {
            (true, _) => {}
            (false, Some(g)) => {
                super::inconclusive(out, p, "what the policy does with unlisted names", &g)
            }
            (false, None) => out.pass(p),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::CHECK;
    use crate::testing::{lines, outcomes, verdicts};

    #[test]
    fn a_drop_default_or_an_allow_list_is_not_a_finding() {
        // `allow` holds an allow-list: NFW107's question, no outcome here.
        assert_eq!(
            verdicts(&CHECK, "pass.tf"),
            [
                (
                    "aws_networkfirewall_firewall_policy.deny_then_drop".into(),
                    "pass"
                ),
                (
                    "aws_networkfirewall_firewall_policy.nothing_passes".into(),
                    "pass"
                ),
            ]
        );
    }

    #[test]
    fn deny_lists_and_pass_by_default_fail() {
        let got = outcomes(&CHECK, "fail.tf");
        assert_eq!(got.len(), 2, "{got:?}");
        assert!(got.iter().all(|o| o.1 == "fail"), "{got:?}");
        assert_eq!(
            got[0].2,
            "firewall policy has no domain allow-list: TLS to a name no rule lists passes (default action order passes what no rule matches)"
        );
        assert!(
            got[1]
                .2
                .contains("strict order without a drop default action"),
            "{}",
            got[1].2
        );
        // The strict-order finding points at the policy's default actions.
        let l = lines(&CHECK, "fail.tf");
        assert_eq!(l[1].2, Some(42), "{l:?}");
    }

    #[test]
    fn unknown_default_actions_are_inconclusive() {
        let got = outcomes(&CHECK, "unknown.tf");
        assert_eq!(got.len(), 1, "{got:?}");
        assert_eq!(got[0].1, "inconclusive");
        assert!(got[0].2.contains("var.default_actions"), "{}", got[0].2);
    }
}
