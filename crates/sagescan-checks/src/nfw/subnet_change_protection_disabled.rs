use crate::{Context, Fix, FixValue, Outcomes, Safety};

crate::check! {
    /// ## What it checks
    /// A Network Firewall whose `SubnetChangeProtection` is false. The attribute defaults
    /// to false, so a firewall that does not mention it fails too.
    ///
    /// ## Why it matters
    /// A firewall's subnet mappings decide in which Availability Zones it has endpoints.
    /// Removing a mapping removes that zone's endpoint while route tables still point at
    /// it, so the zone's workloads lose their egress or, once someone reroutes them, go
    /// out uninspected. Subnet change protection makes such a change a deliberate
    /// two-step act.
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
    ///     FirewallName: egress
    ///     FirewallPolicyArn: !Ref Policy
    ///     VpcId: !Ref Vpc
    ///     SubnetMappings: [{SubnetId: !Ref FirewallSubnetA}]
    /// ```
    ///
    /// ## Use instead
    /// ```hcl
    ///   subnet_change_protection = true
    /// ```
    /// ```yaml
    ///     SubnetChangeProtection: true
    /// ```
    ///
    /// ## Remediation
    /// - **Console**: VPC → Network Firewall → Firewalls → the firewall → *Firewall details*
    ///   → *Change protections* → enable *Subnet change protection*.
    /// - **CLI**: `aws network-firewall update-subnet-change-protection --firewall-name
    ///   egress --subnet-change-protection`
    /// - **Terraform**: `subnet_change_protection = true`.
    /// - **CloudFormation**: `SubnetChangeProtection: true`.
    ///
    /// ## References
    /// - <https://docs.aws.amazon.com/network-firewall/latest/developerguide/firewall-settings.html>
    /// - <https://docs.aws.amazon.com/network-firewall/latest/APIReference/API_UpdateFirewallSubnetChangeProtection.html>
    /// - AWS Security Hub NetworkFirewall.10
    pub static CHECK = {
        code: "NFW103",
        name: "subnet-change-protection-disabled",
        severity: Low,
        summary: "network firewall subnet mappings can be changed without first disabling protection",
        remediation: "Set SubnetChangeProtection to true on the firewall",
        run: run,
    };
}

fn run(ctx: &Context<'_>, out: &mut Outcomes) {
    for fw in &ctx.model.firewalls {
        out.judge(
            fw,
            "SubnetChangeProtection",
            &fw.subnet_change_protection,
            |on| (!on).then(|| "network firewall has SubnetChangeProtection false".to_string()),
        );
        out.with_fix(Fix::set(
            "Enable subnet change protection",
            Safety::Safe,
            &["SubnetChangeProtection"],
            FixValue::Bool(true),
            &fw.subnet_change_protection,
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::CHECK;
    use crate::testing::{lines, outcomes, verdicts};

    #[test]
    fn protected_firewall_passes() {
        assert_eq!(
            verdicts(&CHECK, "pass.tf"),
            [("aws_networkfirewall_firewall.egress".into(), "pass")]
        );
    }

    #[test]
    fn false_or_absent_fails() {
        let got = outcomes(&CHECK, "fail.tf");
        assert_eq!(got.len(), 2, "{got:?}");
        assert_eq!(got[0].0, "aws_networkfirewall_firewall.absent");
        assert!(got[0].2.contains("AWS default"), "{}", got[0].2);
        assert_eq!(got[1].0, "aws_networkfirewall_firewall.off");
        assert_eq!(
            got[1].2,
            "network firewall has SubnetChangeProtection false"
        );
        assert_eq!(
            lines(&CHECK, "fail.tf")[1],
            ("aws_networkfirewall_firewall.off".into(), "fail", Some(14))
        );
    }

    #[test]
    fn unresolved_variable_is_inconclusive() {
        let got = outcomes(&CHECK, "unknown.tf");
        assert_eq!(got.len(), 1);
        assert_eq!(got[0].1, "inconclusive");
        assert!(got[0].2.contains("var.protect"), "{}", got[0].2);
    }
}
