use crate::{Context, Outcomes};
use sagescan_model::network::FirewallLogging;
use sagescan_model::{ConfigId, Origin};
use std::collections::{HashMap, HashSet};

crate::check! {
    /// ## What it checks
    /// A Network Firewall with no logging configuration that sends `FLOW` or `ALERT` logs
    /// anywhere. A configuration with only `TLS` logs fails too.
    ///
    /// ## Why it matters
    /// Without flow logs nobody can say what left the SageMaker subnets; without alert
    /// logs, the drops of the domain allow-list (a job trying to reach an unexpected host)
    /// are silent. Both are the evidence an incident response, or an auditor, asks for.
    ///
    /// ## Example
    /// ```hcl
    /// resource "aws_networkfirewall_firewall" "egress" {
    ///   name                = "egress"
    ///   firewall_policy_arn = aws_networkfirewall_firewall_policy.egress.arn
    ///   vpc_id              = aws_vpc.main.id
    ///   subnet_mapping { subnet_id = aws_subnet.firewall_a.id }
    /// }
    /// # no aws_networkfirewall_logging_configuration
    /// ```
    /// ```yaml
    /// Firewall:
    ///   Type: AWS::NetworkFirewall::Firewall
    ///   Properties:
    ///     FirewallName: egress
    ///     FirewallPolicyArn: !Ref Policy
    ///     VpcId: !Ref Vpc
    ///     SubnetMappings: [{SubnetId: !Ref FirewallSubnetA}]
    /// # no AWS::NetworkFirewall::LoggingConfiguration
    /// ```
    ///
    /// ## Use instead
    /// ```hcl
    /// resource "aws_networkfirewall_logging_configuration" "egress" {
    ///   firewall_arn = aws_networkfirewall_firewall.egress.arn
    ///   logging_configuration {
    ///     log_destination_config {
    ///       log_destination      = { logGroup = "/aws/network-firewall/flow" }
    ///       log_destination_type = "CloudWatchLogs"
    ///       log_type             = "FLOW"
    ///     }
    ///     log_destination_config {
    ///       log_destination      = { logGroup = "/aws/network-firewall/alert" }
    ///       log_destination_type = "CloudWatchLogs"
    ///       log_type             = "ALERT"
    ///     }
    ///   }
    /// }
    /// ```
    /// ```yaml
    /// Logging:
    ///   Type: AWS::NetworkFirewall::LoggingConfiguration
    ///   Properties:
    ///     FirewallArn: !Ref Firewall
    ///     LoggingConfiguration:
    ///       LogDestinationConfigs:
    ///         - LogType: FLOW
    ///           LogDestinationType: CloudWatchLogs
    ///           LogDestination: {logGroup: /aws/network-firewall/flow}
    ///         - LogType: ALERT
    ///           LogDestinationType: CloudWatchLogs
    ///           LogDestination: {logGroup: /aws/network-firewall/alert}
    /// ```
    ///
    /// ## Remediation
    /// - **Console**: VPC → Network Firewall → the firewall → *Firewall details* →
    ///   *Logging* → *Edit* → choose *Flow* and *Alert* and a destination.
    /// - **CLI**: `aws network-firewall update-logging-configuration --firewall-name
    ///   egress --logging-configuration '{"LogDestinationConfigs":[…]}'` (one log type
    ///   per call).
    /// - **Terraform**: an `aws_networkfirewall_logging_configuration` for the firewall.
    /// - **CloudFormation**: an `AWS::NetworkFirewall::LoggingConfiguration`.
    ///
    /// ## Limitations
    /// A logging configuration whose firewall reference does not resolve in the scanned
    /// configuration could belong to any firewall there: those firewalls are then
    /// inconclusive rather than failed.
    ///
    /// ## References
    /// - <https://docs.aws.amazon.com/network-firewall/latest/developerguide/firewall-logging.html>
    /// - <https://docs.aws.amazon.com/network-firewall/latest/APIReference/API_LoggingConfiguration.html>
    /// - AWS Security Hub NetworkFirewall.2; Prowler; Checkov
    pub static CHECK = {
        code: "NFW101",
        name: "logging-disabled",
        severity: Medium,
        summary: "network firewall has no flow or alert log destination",
        remediation: "Add a logging configuration with FLOW and ALERT destinations",
        run: run,
    };
}

fn run(ctx: &Context<'_>, out: &mut Outcomes) {
    // One pass over the logging configurations: by firewall, plus the configurations
    // (per source configuration) whose firewall cannot be resolved.
    let mut by_firewall: HashMap<usize, Vec<&FirewallLogging>> = HashMap::new();
    let mut unresolved: HashMap<ConfigId, (Origin, String)> = HashMap::new();
    for l in &ctx.model.firewall_logging {
        let config = l.meta.config;
        let found = l.firewall.get().map(|r| (r, ctx.model.position(config, r)));
        match found {
            Some((_, Some(i))) => by_firewall.entry(i).or_default().push(l),
            Some((r, None)) => {
                unresolved.entry(config).or_insert_with(|| {
                    (
                        l.firewall.origin().clone(),
                        format!(
                            "cannot tell: logging configuration {} names firewall {}, which is not in the scanned configuration",
                            l.meta.address, r.key
                        ),
                    )
                });
            }
            None => {
                unresolved.entry(config).or_insert_with(|| {
                    (
                        l.firewall.origin().clone(),
                        format!(
                            "cannot tell which firewall logging configuration {} is for: {}",
                            l.meta.address,
                            l.firewall.unknown_reason().unwrap_or_default()
                        ),
                    )
                });
            }
        }
    }
    for (i, fw) in ctx.model.firewalls.iter().enumerate() {
        let configs = by_firewall.get(&i).map(Vec::as_slice).unwrap_or_default();
        let mut types: HashSet<&str> = HashSet::new();
        let mut unknown = None;
        for l in configs {
            match l.destinations.get() {
                Some(d) => types.extend(d.iter().map(|(t, _)| t.as_str())),
                None => {
                    unknown.get_or_insert_with(|| {
                        (
                            l.destinations.origin().clone(),
                            format!(
                                "cannot tell the log destinations of {}: {}",
                                l.meta.address,
                                l.destinations.unknown_reason().unwrap_or_default()
                            ),
                        )
                    });
                }
            }
        }
        if types.contains("FLOW") || types.contains("ALERT") {
            out.pass(fw);
        } else if let Some((origin, msg)) =
            unknown.or_else(|| unresolved.get(&fw.meta.config).cloned())
        {
            out.inconclusive(fw, &origin, msg);
        } else if let Some(l) = configs.first() {
            out.fail(
                fw,
                l.destinations.origin(),
                "network firewall logging configuration has no FLOW or ALERT destination",
            );
        } else {
            out.fail(
                fw,
                &fw.meta.origin,
                "network firewall has no logging configuration",
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::CHECK;
    use crate::testing::{outcomes, verdicts};

    #[test]
    fn flow_or_alert_logs_pass() {
        assert_eq!(
            verdicts(&CHECK, "pass.tf"),
            [
                ("aws_networkfirewall_firewall.alerts".into(), "pass"),
                ("aws_networkfirewall_firewall.egress".into(), "pass"),
            ]
        );
    }

    #[test]
    fn no_configuration_or_tls_only_fails() {
        assert_eq!(
            outcomes(&CHECK, "fail.tf"),
            [
                (
                    "aws_networkfirewall_firewall.silent".into(),
                    "fail",
                    "network firewall has no logging configuration".into()
                ),
                (
                    "aws_networkfirewall_firewall.tls_only".into(),
                    "fail",
                    "network firewall logging configuration has no FLOW or ALERT destination"
                        .into()
                ),
            ]
        );
    }

    #[test]
    fn unknown_firewall_reference_is_inconclusive() {
        let got = outcomes(&CHECK, "unknown.tf");
        assert_eq!(got.len(), 1, "{got:?}");
        assert_eq!(got[0].1, "inconclusive");
        assert!(got[0].2.contains("var.firewall_arn"), "{}", got[0].2);
    }
}
