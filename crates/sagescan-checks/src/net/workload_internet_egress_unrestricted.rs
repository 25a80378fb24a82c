//! NET106: whether a workload's internet egress is bounded by a domain allow-list.

use super::workload_internet_egress_uninspected::{
    and, deciding, describe, internet_egress, port, through, undecided,
};
use crate::nfw::allowlist_too_broad::too_broad;
use crate::workload::Workload;
use crate::{Context, Outcomes};
use sagescan_model::Origin;
use sagescan_reach::{Admitted, Answer, Destination, Direction, Verdict};

crate::check! {
    /// ## What it checks
    /// Every SageMaker workload (notebook instance, model, Studio domain, user profile or
    /// space, training, processing or monitoring job) that can open connections to arbitrary internet
    /// domains. The reachability engine walks the workload's egress to the internet on any
    /// protocol and port and reports the flows admitted end to end; the check fails when
    /// one of them is admitted whatever the host name:
    /// - the path has no firewall (a NAT or internet gateway without a firewall endpoint),
    ///   or the firewall's stateless engine passes traffic (`aws:pass`) before the
    ///   stateful engine sees a name;
    /// - the firewall's stateful rules are a deny-list, or no rule matches and the policy's
    ///   default action order lets unmatched traffic through, or TLS without SNI or non-TLS
    ///   TCP passes where only TLS and HTTP names are checked;
    /// - the workload runs on SageMaker's own network: a notebook with direct internet
    ///   access or without a subnet, a Studio domain in `PublicInternetOnly` mode, a model
    ///   or job without `VpcConfig` and without network isolation;
    ///
    /// or when every admission depends on an allow-listed name but one of the names is
    /// too broad (a whole top-level domain such as `.com`, or a shared-hosting suffix such as
    /// `.amazonaws.com`; the list is NFW108's `too_broad_domains` option).
    ///
    /// ## Why it matters
    /// An allow-list of the few hosts a workload needs (package indexes, a source host) is
    /// what keeps training data and credentials from leaving to a host an attacker
    /// controls. A deny-list cannot: it names yesterday's bad domains, and any new domain
    /// passes. A path without a firewall, a stateless pass, or SageMaker's managed network
    /// has no list at all, and `.amazonaws.com` admits every S3 bucket, the attacker's
    /// included.
    ///
    /// ## Example
    /// A deny-list, in default action order: every name it does not list passes.
    /// ```hcl
    /// resource "aws_networkfirewall_rule_group" "domains" {
    ///   name     = "egress-domains"
    ///   type     = "STATEFUL"
    ///   capacity = 100
    ///   rule_group {
    ///     rules_source {
    ///       rules_source_list {
    ///         generated_rules_type = "DENYLIST"
    ///         target_types         = ["TLS_SNI", "HTTP_HOST"]
    ///         targets              = [".badsite.example"]
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
    ///           Targets: [.badsite.example]
    /// ```
    ///
    /// ## Use instead
    /// An allow-list in strict order, with a policy that drops what no rule passes, on the
    /// route every workload subnet takes to the internet:
    /// ```hcl
    /// resource "aws_networkfirewall_rule_group" "domains" {
    ///   name     = "egress-domains"
    ///   type     = "STATEFUL"
    ///   capacity = 100
    ///   rule_group {
    ///     stateful_rule_options { rule_order = "STRICT_ORDER" }
    ///     rules_source {
    ///       rules_source_list {
    ///         generated_rules_type = "ALLOWLIST"
    ///         target_types         = ["TLS_SNI", "HTTP_HOST"]
    ///         targets              = ["pypi.org", ".pythonhosted.org"]
    ///       }
    ///     }
    ///   }
    /// }
    /// resource "aws_networkfirewall_firewall_policy" "egress" {
    ///   name = "egress"
    ///   firewall_policy {
    ///     stateless_default_actions          = ["aws:forward_to_sfe"]
    ///     stateless_fragment_default_actions = ["aws:forward_to_sfe"]
    ///     stateful_default_actions           = ["aws:drop_established", "aws:alert_established"]
    ///     stateful_engine_options { rule_order = "STRICT_ORDER" }
    ///     stateful_rule_group_reference {
    ///       priority     = 100
    ///       resource_arn = aws_networkfirewall_rule_group.domains.arn
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
    ///       StatefulRuleOptions: {RuleOrder: STRICT_ORDER}
    ///       RulesSource:
    ///         RulesSourceList:
    ///           GeneratedRulesType: ALLOWLIST
    ///           TargetTypes: [TLS_SNI, HTTP_HOST]
    ///           Targets: [pypi.org, .pythonhosted.org]
    /// Policy:
    ///   Type: AWS::NetworkFirewall::FirewallPolicy
    ///   Properties:
    ///     FirewallPolicyName: egress
    ///     FirewallPolicy:
    ///       StatelessDefaultActions: ["aws:forward_to_sfe"]
    ///       StatelessFragmentDefaultActions: ["aws:forward_to_sfe"]
    ///       StatefulDefaultActions: ["aws:drop_established", "aws:alert_established"]
    ///       StatefulEngineOptions: {RuleOrder: STRICT_ORDER}
    ///       StatefulRuleGroupReferences:
    ///         - {ResourceArn: !Ref Domains, Priority: 100}
    /// ```
    /// Keep notebooks off direct internet access, Studio domains in `VpcOnly` mode, and
    /// give models and jobs a `VpcConfig` or network isolation; reach AWS services through
    /// VPC endpoints rather than allow-listing `.amazonaws.com`.
    ///
    /// ## Remediation
    /// The finding names the hop that admitted the traffic: the firewall rule or default,
    /// the route that skips the firewall, or the SageMaker setting.
    /// - **Console**: VPC → Network Firewall → Network Firewall rule groups → create a
    ///   stateful *Domain list* group with *Allow*, strict order; Firewall policies → the
    ///   policy → *Stateful engine options*: strict order, default action *Drop established*;
    ///   route the NAT subnet's `0.0.0.0/0` to the firewall endpoint. SageMaker: private
    ///   subnet and *Direct internet access* disabled, Studio *VPC only*.
    /// - **CLI**: `aws network-firewall create-rule-group --type STATEFUL --rule-group
    ///   file://allowlist.json …`; `aws network-firewall update-firewall-policy` with
    ///   `StatefulEngineOptions.RuleOrder = STRICT_ORDER` and `StatefulDefaultActions =
    ///   ["aws:drop_established"]`; `aws sagemaker update-domain
    ///   --app-network-access-type VpcOnly …`.
    /// - **Terraform**: `generated_rules_type = "ALLOWLIST"` with narrow `targets`;
    ///   `stateful_default_actions = ["aws:drop_established"]` with `rule_order =
    ///   "STRICT_ORDER"`; `direct_internet_access = "Disabled"`; `app_network_access_type
    ///   = "VpcOnly"`; `vpc_config` or `enable_network_isolation = true`.
    /// - **CloudFormation**: `GeneratedRulesType: ALLOWLIST`; `StatefulDefaultActions:
    ///   [aws:drop_established]` with `StatefulEngineOptions: {RuleOrder: STRICT_ORDER}`;
    ///   `DirectInternetAccess: Disabled`; `AppNetworkAccessType: VpcOnly`; `VpcConfig` or
    ///   `EnableNetworkIsolation: true`.
    ///
    /// ## Options
    /// `too_broad_domains` (shared with NFW108): allow-list entries that count as
    /// admitting arbitrary domains. An entry matches when it equals one of them or is a
    /// leading-dot pattern covering one; a lone top-level domain always matches.
    ///
    /// ## Limitations
    /// - The engine probes the firewall with the names its rules mention and with one name
    ///   no rule mentions; rules that match names by `pcre` or other keywords sagescan does
    ///   not interpret make the verdict inconclusive.
    /// - Egress through something other than AWS Network Firewall (a third-party proxy, a
    ///   transit gateway to an inspection VPC) is inconclusive, never passed.
    /// - DNS queries to the VPC resolver are NET105's question, not this one's.
    ///
    /// ## References
    /// - <https://docs.aws.amazon.com/network-firewall/latest/developerguide/stateful-rule-groups-domain-names.html>
    /// - <https://docs.aws.amazon.com/network-firewall/latest/developerguide/suricata-rule-evaluation-order.html>
    /// - <https://docs.aws.amazon.com/network-firewall/latest/developerguide/stateless-default-actions.html>
    /// - <https://docs.aws.amazon.com/sagemaker/latest/dg/appendix-notebook-and-internet-access.html>
    /// - <https://docs.aws.amazon.com/sagemaker/latest/dg/studio-updated-and-internet-access.html>
    /// - Peers: none
    pub static CHECK = {
        code: "NET106",
        name: "workload-internet-egress-unrestricted",
        severity: High,
        summary: "a SageMaker workload can reach arbitrary internet domains",
        remediation: "Send the workload's internet traffic through a Network Firewall domain allow-list in strict order with a drop default, and keep workloads off SageMaker's managed network",
        run: run,
    };
}

/// A name no allow-list should hold (`.invalid` is reserved, RFC 6761): asking for it
/// finds the path an arbitrary domain takes.
const ARBITRARY: &str = "arbitrary-domain.invalid";

fn run(ctx: &Context<'_>, out: &mut Outcomes) {
    let broad = &ctx.options.too_broad_domains;
    let answers = ctx.per_workload(|w| internet_egress(ctx, w));
    for (w, answer) in ctx.workloads.iter().zip(answers) {
        // Admitted whatever the name: no allow-list decided it, or no stateful engine saw
        // the name at all (a stateless pass).
        let unnamed: Vec<&Admitted> = answer
            .admitted
            .iter()
            .filter(|a| a.any_name() || !a.inspected)
            .collect();
        if !unnamed.is_empty() {
            // Quote the flows the name did not matter for; a stateless pass also lists the
            // allow-listed names it never checked, which adds nothing.
            let shown: Vec<&Admitted> = if unnamed.iter().any(|a| a.any_name()) {
                unnamed.iter().copied().filter(|a| a.any_name()).collect()
            } else {
                unnamed.clone()
            };
            let probe = unnamed
                .iter()
                .find(|a| a.protocol == "tcp")
                .and_then(|a| a.port)
                .and_then(|port| name_path(ctx, w, ARBITRARY, port));
            let witness = probe.as_ref().unwrap_or(&answer);
            report(
                out,
                w,
                witness,
                format!(
                    "{} can reach any internet domain through {}: {} admitted whatever the name",
                    w.kind.noun(),
                    through(witness),
                    summary(&shown)
                ),
            );
            continue;
        }
        let mut wide: Vec<(&Admitted, String)> = Vec::new();
        for a in &answer.admitted {
            if let Some(why) = a.name_pattern.as_ref().and_then(|p| too_broad(p, broad)) {
                wide.push((a, why));
            }
        }
        if let Some((first, _)) = wide.first() {
            let mut whys: Vec<String> = Vec::new();
            for (_, why) in &wide {
                if !whys.contains(why) {
                    whys.push(why.clone());
                }
            }
            // The path a name under the first broad entry takes, for the rule admitting it.
            let probe = first
                .name_pattern
                .as_ref()
                .and_then(|p| p.example())
                .and_then(|name| name_path(ctx, w, &name, first.port.unwrap_or(443)));
            let witness = probe.as_ref().unwrap_or(&answer);
            let flows: Vec<&Admitted> = wide.iter().map(|(a, _)| *a).collect();
            report(
                out,
                w,
                witness,
                format!(
                    "{} can reach arbitrary internet domains through {}: {} admitted by an allow-list entry that is too broad: {}",
                    w.kind.noun(),
                    through(witness),
                    summary(&flows),
                    whys.join(", ")
                ),
            );
            continue;
        }
        if !undecided(out, w, &answer, "arbitrary internet domains") {
            out.pass(w);
        }
    }
}

/// Admitted flows as users read them, the applications grouped by the ports they share
/// (the engine samples ports, so one application usually comes on many):
/// `http host (any name), other and tls sni (any name) on tcp/443`, `any protocol and port`.
fn summary(flows: &[&Admitted]) -> String {
    let mut apps: Vec<(&str, Vec<String>)> = Vec::new();
    for a in flows {
        let p = port(a);
        match apps.iter_mut().find(|(app, _)| *app == a.application) {
            Some((_, ports)) if ports.contains(&p) => {}
            Some((_, ports)) => ports.push(p),
            None => apps.push((&a.application, vec![p])),
        }
    }
    let mut groups: Vec<(Vec<String>, Vec<String>)> = Vec::new();
    for (app, ports) in apps {
        match groups.iter_mut().find(|(p, _)| *p == ports) {
            Some((_, names)) => names.push(app.to_string()),
            None => groups.push((ports, vec![app.to_string()])),
        }
    }
    groups
        .iter()
        .map(|(ports, apps)| match apps.as_slice() {
            // No application layer to speak of: SageMaker's network, or UDP and ICMP.
            [only] if only == "any" => and(ports),
            _ => format!("{} on {}", and(apps), and(ports)),
        })
        .collect::<Vec<_>>()
        .join("; ")
}

/// The engine's answer for one host name on `port`, when a connection to it gets out.
fn name_path(ctx: &Context<'_>, w: &Workload<'_>, name: &str, port: u16) -> Option<Answer> {
    let to = Destination::Domain {
        name: name.to_string(),
        port,
    };
    let a = ctx.reach.workload(w.reach(), &to, Direction::Egress, false);
    (a.verdict == Verdict::Reachable).then_some(a)
}

/// A failure at the hop that admitted the traffic, with the path it takes.
fn report(out: &mut Outcomes, w: &Workload<'_>, witness: &Answer, message: String) {
    let at = deciding(witness);
    let message = match at {
        Some(h) => format!("{message} ({})", describe(h)),
        None => message,
    };
    out.fail(w, at.map_or(&Origin::None, |h| &h.origin), message);
    out.with_path(witness.path.clone());
}

#[cfg(test)]
mod tests {
    use super::CHECK;
    use crate::net::workload_internet_egress_uninspected as net101;
    use crate::testing::{lines, load_fixture, outcomes, run_on, verdicts};

    #[test]
    fn a_strict_allow_list_with_a_drop_default_and_network_isolation_pass() {
        assert_eq!(
            verdicts(&CHECK, "pass.tf"),
            [
                ("aws_sagemaker_model.isolated".into(), "pass"),
                ("aws_sagemaker_notebook_instance.nb".into(), "pass"),
            ]
        );
    }

    #[test]
    fn a_deny_list_and_sagemakers_network_admit_any_name() {
        assert_eq!(
            outcomes(&CHECK, "fail.tf"),
            [
                (
                    "aws_sagemaker_domain.studio".into(),
                    "fail",
                    "Studio domain can reach any internet domain through SageMaker-managed \
                     network: any protocol and port admitted whatever the name (Studio domain \
                     AppNetworkAccessType is PublicInternetOnly: apps reach the internet through \
                     SageMaker's network)"
                        .into()
                ),
                (
                    "aws_sagemaker_notebook_instance.nb".into(),
                    "fail",
                    "notebook can reach any internet domain through aws_nat_gateway.nat, \
                     aws_networkfirewall_firewall.main and aws_internet_gateway.igw: http host \
                     (any name), other, tls sni (any name) and tls without sni on tcp/443 \
                     admitted whatever the name (aws_networkfirewall_firewall.main: policy \
                     aws_networkfirewall_firewall_policy.main: no stateful rule matches; in \
                     action order unmatched traffic passes)"
                        .into()
                ),
            ]
        );
        // The domain's resource (its access type is the absent default) and the policy's
        // `firewall_policy` block, where the default action order lets unmatched names by.
        assert_eq!(
            lines(&CHECK, "fail.tf"),
            [
                ("aws_sagemaker_domain.studio".into(), "fail", Some(155)),
                (
                    "aws_sagemaker_notebook_instance.nb".into(),
                    "fail",
                    Some(125)
                ),
            ]
        );
    }

    #[test]
    fn a_whole_tld_or_a_shared_hosting_suffix_in_the_allow_list_fails_at_its_entry() {
        let got = outcomes(&CHECK, "too_broad.tf");
        assert_eq!(
            got[0],
            ("aws_sagemaker_model.isolated".into(), "pass", String::new())
        );
        assert_eq!(
            got[1],
            (
                "aws_sagemaker_notebook_instance.nb".into(),
                "fail",
                "notebook can reach arbitrary internet domains through aws_nat_gateway.nat, \
                 aws_networkfirewall_firewall.main and aws_internet_gateway.igw: http host \
                 .amazonaws.com, http host .io, tls sni .amazonaws.com and tls sni .io on \
                 tcp/443 admitted by an allow-list entry that is too broad: .amazonaws.com, .io \
                 (a whole top-level domain) (aws_networkfirewall_firewall.main: policy \
                 aws_networkfirewall_firewall_policy.main: allow-list \
                 aws_networkfirewall_rule_group.domains pass tls .amazonaws.com)"
                    .into()
            )
        );
        // The `targets` line holding the entries.
        assert_eq!(lines(&CHECK, "too_broad.tf")[1].2, Some(120));
    }

    #[test]
    fn no_firewall_a_stateless_pass_and_every_managed_plane_fail_too() {
        // NET101's failures: whatever is uninspected is also unrestricted.
        let model = load_fixture(&net101::CHECK, "fail.tf");
        let got = run_on(&CHECK, &model);
        assert_eq!(got.len(), 4, "{got:?}");
        assert!(got.iter().all(|(_, v, _)| *v == "fail"), "{got:?}");
        let nb = &got[3];
        assert_eq!(nb.0, "aws_sagemaker_notebook_instance.nb");
        // Only the flows no name decided are quoted, not the allow-listed names the
        // stateless pass never checked either.
        assert!(
            nb.2.contains(
                ": http host (any name), other, tls sni (any name) and tls without sni on \
                 tcp/443 admitted whatever the name (aws_networkfirewall_firewall.main: policy \
                 aws_networkfirewall_firewall_policy.main: stateless default action aws:pass"
            ),
            "{}",
            nb.2
        );
        assert!(
            got[0].2.starts_with(
                "Studio domain can reach any internet domain through aws_nat_gateway.direct \
                 and aws_internet_gateway.igw: "
            ),
            "{}",
            got[0].2
        );
    }

    #[test]
    fn unreadable_firewall_rules_are_inconclusive() {
        assert_eq!(
            outcomes(&CHECK, "unknown.tf"),
            [
                ("aws_sagemaker_model.isolated".into(), "pass", String::new()),
                (
                    "aws_sagemaker_notebook_instance.nb".into(),
                    "inconclusive",
                    "cannot tell whether notebook can reach arbitrary internet domains: \
                     aws_networkfirewall_firewall.main: policy \
                     aws_networkfirewall_firewall_policy.main: rules_string: var.egress_rules has \
                     no value"
                        .into()
                ),
            ]
        );
    }
}
