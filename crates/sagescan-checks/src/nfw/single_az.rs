use crate::zones::{Zones, zones_of};
use crate::{Context, Outcomes};

crate::check! {
    /// ## What it checks
    /// A Network Firewall whose subnet mappings place its endpoints in fewer than two
    /// Availability Zones.
    ///
    /// ## Why it matters
    /// A firewall has one endpoint per mapped subnet, and traffic routed to it from other
    /// zones depends on that one zone. When the zone is impaired, every route pointing at
    /// the endpoint black-holes: SageMaker jobs, endpoints and notebooks in healthy zones
    /// lose their (inspected) egress too. AWS recommends an endpoint per zone, with each
    /// zone's subnets routed to their own zone's endpoint.
    ///
    /// ## Example
    /// ```hcl
    /// resource "aws_networkfirewall_firewall" "egress" {
    ///   name                = "egress"
    ///   firewall_policy_arn = aws_networkfirewall_firewall_policy.egress.arn
    ///   vpc_id              = aws_vpc.main.id
    ///   subnet_mapping { subnet_id = aws_subnet.firewall_a.id }
    /// }
    /// ```
    /// ```yaml
    /// Firewall:
    ///   Type: AWS::NetworkFirewall::Firewall
    ///   Properties:
    ///     SubnetMappings: [{SubnetId: !Ref FirewallSubnetA}]
    /// ```
    ///
    /// ## Use instead
    /// ```hcl
    ///   subnet_mapping { subnet_id = aws_subnet.firewall_a.id }
    ///   subnet_mapping { subnet_id = aws_subnet.firewall_b.id }
    /// ```
    /// ```yaml
    ///     SubnetMappings:
    ///       - SubnetId: !Ref FirewallSubnetA
    ///       - SubnetId: !Ref FirewallSubnetB
    /// ```
    ///
    /// ## Remediation
    /// Create a firewall subnet in a second zone, map it, and route that zone's subnets to
    /// the new endpoint.
    /// - **Console**: VPC → Network Firewall → the firewall → *Firewall details* → *Edit*
    ///   subnets → add a subnet in another Availability Zone.
    /// - **CLI**: `aws network-firewall associate-subnets --firewall-name egress
    ///   --subnet-mappings SubnetId=subnet-…`
    /// - **Terraform**: another `subnet_mapping` block.
    /// - **CloudFormation**: another entry in `SubnetMappings`.
    ///
    /// ## Limitations
    /// A mapped subnet that is not in the scanned configuration makes the verdict
    /// inconclusive unless the known subnets already span two zones.
    ///
    /// ## References
    /// - <https://docs.aws.amazon.com/network-firewall/latest/developerguide/arch-two-zone-igw.html>
    /// - <https://docs.aws.amazon.com/network-firewall/latest/developerguide/vpc-config.html>
    /// - AWS Security Hub NetworkFirewall.1; Prowler
    pub static CHECK = {
        code: "NFW104",
        name: "single-az",
        severity: Medium,
        summary: "network firewall has endpoints in fewer than two Availability Zones",
        remediation: "Map a firewall subnet in at least two Availability Zones",
        run: run,
    };
}

fn run(ctx: &Context<'_>, out: &mut Outcomes) {
    for fw in &ctx.model.firewalls {
        let Some(subnets) = fw.subnets.get() else {
            out.judge(fw, "SubnetMappings", &fw.subnets, |_| None);
            continue;
        };
        let Zones {
            known: zones,
            unknown,
        } = zones_of(ctx.model, fw.meta.config, subnets, fw.subnets.origin());
        if zones.len() >= 2 {
            out.pass(fw);
        } else if let Some((origin, msg)) = unknown {
            out.inconclusive(fw, &origin, msg);
        } else {
            let listed: Vec<&str> = zones.into_iter().collect();
            out.fail(
                fw,
                fw.subnets.origin(),
                match listed.as_slice() {
                    [] => "network firewall has no subnet mappings".to_string(),
                    _ => format!(
                        "network firewall has endpoints in 1 Availability Zone ({})",
                        listed.join(", ")
                    ),
                },
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::CHECK;
    use crate::testing::{outcomes, verdicts};

    #[test]
    fn two_zones_pass() {
        assert_eq!(
            verdicts(&CHECK, "pass.tf"),
            [("aws_networkfirewall_firewall.egress".into(), "pass")]
        );
    }

    #[test]
    fn one_zone_fails_even_with_two_subnets() {
        let got = outcomes(&CHECK, "fail.tf");
        assert_eq!(
            got,
            [(
                "aws_networkfirewall_firewall.egress".into(),
                "fail",
                "network firewall has endpoints in 1 Availability Zone (us-east-1a)".into()
            )]
        );
    }

    #[test]
    fn unknown_zone_is_inconclusive() {
        let got = outcomes(&CHECK, "unknown.tf");
        assert_eq!(got.len(), 1, "{got:?}");
        assert_eq!(got[0].1, "inconclusive");
        assert!(got[0].2.contains("aws_subnet.firewall_b"), "{}", got[0].2);
        assert!(got[0].2.contains("var.second_az"), "{}", got[0].2);
    }
}
