use super::policy::{Class, Fate};
use crate::{Context, Outcomes};

crate::check! {
    /// ## What it checks
    /// A firewall policy with a domain allow-list that a client can step around:
    /// - the list inspects only `TLS_SNI` and the policy lets plain HTTP to any host
    ///   through (or only `HTTP_HOST`, and TLS to any name passes);
    /// - QUIC (HTTP/3 over udp/443) is not dropped. A `TLS_SNI` target does not match QUIC,
    ///   so QUIC is dropped only by a rule that drops it, by the stateless stage, or by a
    ///   strict-order drop default action: `aws:drop_strict` drops every unmatched packet,
    ///   and `aws:drop_established` drops every unmatched packet of connectionless
    ///   protocols such as UDP (AWS: "for connectionless protocols … it drops every
    ///   packet"; reachability-semantics §6.4, §6.7). A QUIC datagram may be fragmented,
    ///   so a fragment default action `aws:pass` also lets it through uninspected.
    ///
    /// Which protocol a list "inspects only" is read from the domain lists' `target_types`
    /// and from the buffers (`tls.sni`, `http.host`) of Suricata pass rules. A list that
    /// inspects only SNI is fine when the policy drops unmatched HTTP anyway (strict order
    /// with a drop default).
    ///
    /// ## Why it matters
    /// The allow-list decides on the name a client *says* it wants: the TLS SNI or the HTTP
    /// Host header. Traffic of a protocol the list does not inspect carries no name it
    /// checks, so unless the policy drops that traffic by default, a script that speaks
    /// HTTP instead of HTTPS, or HTTP/3 over UDP, reaches any host. Clients like `curl`,
    /// browsers and many HTTP libraries try QUIC by themselves.
    ///
    /// ## Example
    /// ```hcl
    /// resource "aws_networkfirewall_rule_group" "domains" {
    ///   name     = "egress-domains"
    ///   type     = "STATEFUL"
    ///   capacity = 100
    ///   rule_group {
    ///     rules_source {
    ///       rules_source_list {
    ///         generated_rules_type = "ALLOWLIST"
    ///         target_types         = ["TLS_SNI"]
    ///         targets              = ["pypi.org"]
    ///       }
    ///     }
    ///   }
    /// }
    /// # policy in the default action order: HTTP and udp/443 match nothing and pass
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
    ///           GeneratedRulesType: ALLOWLIST
    ///           TargetTypes: [TLS_SNI]
    ///           Targets: [pypi.org]
    /// ```
    ///
    /// ## Use instead
    /// ```hcl
    ///         target_types = ["TLS_SNI", "HTTP_HOST"]
    /// # and in the policy:
    ///     stateful_default_actions = ["aws:drop_established", "aws:alert_established"]
    ///     stateful_engine_options { rule_order = "STRICT_ORDER" }
    /// ```
    /// ```yaml
    ///           TargetTypes: [TLS_SNI, HTTP_HOST]
    /// # and in the policy:
    ///       StatefulDefaultActions: ["aws:drop_established", "aws:alert_established"]
    ///       StatefulEngineOptions: {RuleOrder: STRICT_ORDER}
    /// ```
    /// In the default action order, add `drop udp $HOME_NET any -> $EXTERNAL_NET 443` and
    /// `drop http $HOME_NET any -> $EXTERNAL_NET any` rules instead.
    ///
    /// ## Remediation
    /// - **Console**: VPC → Network Firewall → rule group → domain list → select both
    ///   *TLS SNI* and *HTTP host*; in the policy use *Strict order* with *Drop
    ///   established*.
    /// - **CLI**: `aws network-firewall update-rule-group` with
    ///   `TargetTypes=[TLS_SNI,HTTP_HOST]`; `create-firewall-policy` with
    ///   `StatefulDefaultActions=["aws:drop_established"]` and strict order.
    /// - **Terraform**: `target_types = ["TLS_SNI", "HTTP_HOST"]`;
    ///   `stateful_default_actions` and `stateful_engine_options` as above.
    /// - **CloudFormation**: `TargetTypes: [TLS_SNI, HTTP_HOST]`;
    ///   `StatefulDefaultActions` and `StatefulEngineOptions` as above.
    ///
    /// ## Limitations
    /// A client can still send an allow-listed SNI to any IP address; only IP rules,
    /// resolved-IP validation or TLS inspection stop that, and this check does not claim
    /// otherwise. Encrypted ClientHello is not considered. A rule with a keyword this tool
    /// does not interpret, or an unresolved rule group, makes the verdict inconclusive.
    ///
    /// ## References
    /// - <https://docs.aws.amazon.com/network-firewall/latest/developerguide/stateful-rule-groups-domain-names.html>
    /// - <https://docs.aws.amazon.com/network-firewall/latest/developerguide/suricata-rule-evaluation-order.html>
    /// - <https://docs.aws.amazon.com/network-firewall/latest/developerguide/stateless-default-actions.html>
    /// - Peers: none
    pub static CHECK = {
        code: "NFW109",
        name: "allowlist-bypassable",
        severity: Medium,
        summary: "domain allow-list can be bypassed over another protocol or QUIC",
        remediation: "Inspect both TLS_SNI and HTTP_HOST and drop what the list does not match (strict order with aws:drop_established)",
        run: run,
    };
}

fn run(ctx: &Context<'_>, out: &mut Outcomes) {
    super::for_allow_list_policies(ctx, out, |out, p, eval, lists| {
        let any = |f: fn(&super::policy::AllowList) -> Option<bool>, v| {
            lists.lists.iter().any(|(_, l)| f(l) == v)
        };
        let types_unknown = any(|l| l.tls, None) || any(|l| l.http, None);
        let tls = any(|l| l.tls, Some(true));
        let http = any(|l| l.http, Some(true));
        let types_at = lists
            .lists
            .first()
            .map(|(_, l)| l.types_origin.clone())
            .unwrap_or_default();
        // (class, what the list inspects instead, where that is stated)
        let mut questions: Vec<(Class, Option<&str>)> = Vec::new();
        if tls && !http {
            questions.push((Class::Http, Some("only TLS_SNI")));
        }
        if http && !tls {
            questions.push((Class::Tls, Some("only HTTP_HOST")));
        }
        questions.push((Class::Quic, None));
        let mut unknown = None;
        for (class, only) in questions {
            match eval.fate(class) {
                Fate::Dropped => {}
                Fate::Passes(why, origin) => {
                    let (origin, msg) = match only {
                        Some(only) => (
                            types_at.clone(),
                            format!(
                                "domain allow-list inspects {only}: {} passes ({why})",
                                class.describe()
                            ),
                        ),
                        None => (
                            origin,
                            format!(
                                "domain allow-list does not stop {}: {why}",
                                class.describe()
                            ),
                        ),
                    };
                    let origin = origin.or(&p.meta.origin);
                    out.fail(p, &origin, msg);
                    return;
                }
                Fate::Unknown(g) => {
                    unknown.get_or_insert(g);
                }
            }
        }
        if types_unknown && unknown.is_none() {
            // The unknown target types may be a single one whose other protocol passes.
            if let Some(g) = lists.lists.iter().find_map(|(_, l)| l.gaps.first()) {
                unknown = Some(g.clone());
            }
        }
        match unknown {
            Some(g) => super::inconclusive(out, p, "whether the allow-list can be bypassed", &g),
            None => out.pass(p),
        }
    });
}

#[cfg(test)]
mod tests {
    use super::CHECK;
    use crate::testing::{lines, outcomes, verdicts};

    #[test]
    fn strict_drop_established_with_both_types_passes() {
        assert_eq!(
            verdicts(&CHECK, "pass.tf"),
            [
                (
                    "aws_networkfirewall_firewall_policy.action_order_drops".into(),
                    "pass"
                ),
                (
                    "aws_networkfirewall_firewall_policy.drop_strict".into(),
                    "pass"
                ),
                (
                    "aws_networkfirewall_firewall_policy.sni_only_strict".into(),
                    "pass"
                ),
                ("aws_networkfirewall_firewall_policy.strict".into(), "pass"),
            ]
        );
    }

    #[test]
    fn one_protocol_or_quic_open_fails() {
        let got = outcomes(&CHECK, "fail.tf");
        assert_eq!(got.len(), 3, "{got:?}");
        assert!(got.iter().all(|o| o.1 == "fail"), "{got:?}");
        assert_eq!(got[0].0, "aws_networkfirewall_firewall_policy.host_only");
        assert_eq!(
            got[0].2,
            "domain allow-list inspects only HTTP_HOST: TLS to a name not on the allow-list passes (default action order passes what no rule matches)"
        );
        assert_eq!(got[1].0, "aws_networkfirewall_firewall_policy.quic_pass");
        assert_eq!(
            got[1].2,
            "domain allow-list does not stop QUIC (udp/443): pass rule `pass udp $HOME_NET any -> $EXTERNAL_NET 443 (sid 20)` admits QUIC (udp/443) to any host"
        );
        assert_eq!(got[2].0, "aws_networkfirewall_firewall_policy.sni_only");
        assert!(
            got[2]
                .2
                .starts_with("domain allow-list inspects only TLS_SNI: plain HTTP"),
            "{}",
            got[2].2
        );
        // The one-protocol finding points at `target_types`.
        let l = lines(&CHECK, "fail.tf");
        assert_eq!(l[0].2, Some(10));
    }

    #[test]
    fn unknown_rule_order_is_inconclusive() {
        let got = outcomes(&CHECK, "unknown.tf");
        assert_eq!(got.len(), 1, "{got:?}");
        assert_eq!(got[0].1, "inconclusive");
        assert!(got[0].2.contains("var.rule_order"), "{}", got[0].2);
    }
}
