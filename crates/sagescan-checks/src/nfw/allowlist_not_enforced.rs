use super::policy::{Class, Fate};
use crate::{Context, Outcomes};

crate::check! {
    /// ## What it checks
    /// A firewall policy that holds a domain allow-list (a `rules_source_list` with
    /// `ALLOWLIST`, or Suricata `pass` rules on `tls.sni` / `http.host`) but still lets
    /// other traffic from the workloads reach arbitrary internet hosts. It asks what the
    /// policy does with TLS to a name not on the list (when the list inspects TLS), plain
    /// HTTP to such a host (when it inspects HTTP), and TCP that is neither, and fails
    /// when any of them passes:
    /// - a stateless rule or the stateless default action `aws:pass` forwards it without
    ///   stateful inspection;
    /// - a broad stateful `pass` rule (to any destination) matches it;
    /// - in the default action order, nothing drops it: the allow-list's generated drop
    ///   covers only its own protocols, and traffic that matches no rule passes;
    /// - in strict order, no rule drops it and the policy has no drop default action
    ///   (`aws:drop_strict` or `aws:drop_established`).
    ///
    /// ## Why it matters
    /// An allow-list is the control that says "SageMaker may reach pypi.org and nothing
    /// else". AWS generates, for each inspected protocol, pass rules for the listed names
    /// and one catch-all `drop tls` / `drop http`; every other protocol is untouched. In
    /// the default action order, pass rules run before every drop and unmatched traffic
    /// passes, so `pass tcp … any -> any 443`, or simply raw TCP on another port, walks
    /// around the list. Only strict order with a drop default action makes the list the
    /// whole of what is allowed.
    ///
    /// ## Example
    /// ```hcl
    /// resource "aws_networkfirewall_firewall_policy" "egress" {
    ///   name = "egress"
    ///   firewall_policy {
    ///     stateless_default_actions          = ["aws:forward_to_sfe"]
    ///     stateless_fragment_default_actions = ["aws:forward_to_sfe"]
    ///     # default action order, no drop default: other protocols pass
    ///     stateful_rule_group_reference {
    ///       resource_arn = aws_networkfirewall_rule_group.domains.arn
    ///     }
    ///   }
    /// }
    /// ```
    /// ```yaml
    /// Policy:
    ///   Type: AWS::NetworkFirewall::FirewallPolicy
    ///   Properties:
    ///     FirewallPolicy:
    ///       StatelessDefaultActions: ["aws:forward_to_sfe"]
    ///       StatelessFragmentDefaultActions: ["aws:forward_to_sfe"]
    ///       StatefulRuleGroupReferences:
    ///         - ResourceArn: !Ref DomainAllowList
    /// ```
    ///
    /// ## Use instead
    /// ```hcl
    ///     stateful_default_actions = ["aws:drop_established", "aws:alert_established"]
    ///     stateful_engine_options { rule_order = "STRICT_ORDER" }
    ///     stateful_rule_group_reference {
    ///       priority     = 100
    ///       resource_arn = aws_networkfirewall_rule_group.domains.arn
    ///     }
    /// ```
    /// ```yaml
    ///       StatefulDefaultActions: ["aws:drop_established", "aws:alert_established"]
    ///       StatefulEngineOptions: {RuleOrder: STRICT_ORDER}
    ///       StatefulRuleGroupReferences:
    ///         - ResourceArn: !Ref DomainAllowList
    ///           Priority: 100
    /// ```
    /// (the rule groups must use `STRICT_ORDER` too).
    ///
    /// ## Remediation
    /// The rule order of a policy or rule group cannot be changed: create new ones with
    /// `STRICT_ORDER`, then point the firewall at the new policy.
    /// - **Console**: VPC → Network Firewall → Firewall policies → *Create* → *Strict order*
    ///   → *Default actions*: *Drop established* and *Alert established*.
    /// - **CLI**: `aws network-firewall create-firewall-policy` with
    ///   `StatefulEngineOptions={RuleOrder=STRICT_ORDER}` and
    ///   `StatefulDefaultActions=["aws:drop_established","aws:alert_established"]`; remove
    ///   broad `pass` rules and stateless `aws:pass`.
    /// - **Terraform**: as above (replaces the policy).
    /// - **CloudFormation**: as above (replacement).
    ///
    /// ## Limitations
    /// `HOME_NET` is taken to cover the workloads (it defaults to the firewall VPC's CIDR;
    /// spoke VPCs behind a transit gateway need it widened). Pass rules to a specific
    /// public CIDR are read as deliberate exceptions, not bypasses. A rule with a keyword
    /// this tool does not interpret, an unresolved rule group or variable make the verdict
    /// inconclusive. AWS-managed rule groups only add drops for threat lists and are
    /// ignored.
    ///
    /// ## References
    /// - <https://docs.aws.amazon.com/network-firewall/latest/developerguide/suricata-rule-evaluation-order.html>
    /// - <https://docs.aws.amazon.com/network-firewall/latest/developerguide/stateful-rule-groups-domain-names.html>
    /// - <https://docs.aws.amazon.com/network-firewall/latest/developerguide/firewall-policy-processing.html>
    /// - Peers: none
    pub static CHECK = {
        code: "NFW107",
        name: "allowlist-not-enforced",
        severity: High,
        summary: "firewall policy has a domain allow-list but lets other traffic through",
        remediation: "Use STRICT_ORDER with aws:drop_established, remove broad pass rules and stateless aws:pass",
        run: run,
    };
}

fn run(ctx: &Context<'_>, out: &mut Outcomes) {
    super::for_allow_list_policies(ctx, out, |out, p, eval, lists| {
        let inspects = |f: fn(&super::policy::AllowList) -> Option<bool>| {
            lists.lists.iter().any(|(_, l)| f(l) == Some(true))
        };
        let mut classes = Vec::new();
        if inspects(|l| l.tls) {
            classes.push(Class::Tls);
        }
        if inspects(|l| l.http) {
            classes.push(Class::Http);
        }
        classes.push(Class::OtherTcp);
        let mut unknown = None;
        for class in classes {
            match eval.fate(class) {
                Fate::Dropped => {}
                Fate::Passes(why, origin) => {
                    let origin = origin.or(&p.meta.origin);
                    out.fail(
                        p,
                        &origin,
                        format!(
                            "firewall policy has a domain allow-list but {} passes: {why}",
                            class.describe()
                        ),
                    );
                    return;
                }
                Fate::Unknown(g) => {
                    unknown.get_or_insert(g);
                }
            }
        }
        match unknown {
            Some(g) => super::inconclusive(out, p, "whether the allow-list is enforced", &g),
            None => out.pass(p),
        }
    });
}

#[cfg(test)]
mod tests {
    use super::CHECK;
    use crate::testing::{lines, outcomes, verdicts};

    #[test]
    fn strict_order_with_drop_established_passes() {
        // `none` holds only a deny-list: not applicable.
        assert_eq!(
            verdicts(&CHECK, "pass.tf"),
            [
                (
                    "aws_networkfirewall_firewall_policy.action_order_drop_all".into(),
                    "pass"
                ),
                ("aws_networkfirewall_firewall_policy.strict".into(), "pass"),
            ]
        );
    }

    #[test]
    fn every_way_around_the_list_fails() {
        let got = outcomes(&CHECK, "fail.tf");
        let msg = |addr: &str| {
            got.iter()
                .find(|o| o.0 == format!("aws_networkfirewall_firewall_policy.{addr}"))
                .map(|o| (o.1, o.2.clone()))
                .unwrap_or_else(|| panic!("{addr}: {got:?}"))
        };
        assert_eq!(got.len(), 4, "{got:?}");
        let (v, m) = msg("action_order");
        assert_eq!(v, "fail");
        assert_eq!(
            m,
            "firewall policy has a domain allow-list but TCP that is neither TLS nor HTTP passes: default action order passes what no rule matches"
        );
        let (_, m) = msg("broad_pass");
        assert!(
            m.contains("pass rule `pass tcp $HOME_NET any -> $EXTERNAL_NET 443 (sid 10)`"),
            "{m}"
        );
        assert!(m.contains("TLS to a name not on the allow-list"), "{m}");
        let (_, m) = msg("strict_no_drop");
        assert!(
            m.contains("strict order without a drop default action"),
            "{m}"
        );
        let (_, m) = msg("stateless_pass");
        assert!(m.contains("stateless default action aws:pass"), "{m}");
        // Findings point at the deciding attribute: here `stateful_default_actions`.
        let l = lines(&CHECK, "fail.tf");
        let strict = l.iter().find(|o| o.0.ends_with(".strict_no_drop")).unwrap();
        assert_eq!(strict.2, Some(98));
    }

    #[test]
    fn unknown_default_actions_or_keywords_are_inconclusive() {
        let got = outcomes(&CHECK, "unknown.tf");
        assert_eq!(got.len(), 2, "{got:?}");
        assert!(got.iter().all(|o| o.1 == "inconclusive"), "{got:?}");
        assert!(got[0].2.contains("flowbits"), "{}", got[0].2);
        assert!(got[1].2.contains("var.default_actions"), "{}", got[1].2);
    }
}
