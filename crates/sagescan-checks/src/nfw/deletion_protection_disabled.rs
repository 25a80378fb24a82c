use crate::{Context, Fix, FixValue, Outcomes, Safety};

crate::check! {
    /// ## What it checks
    /// A Network Firewall whose `DeleteProtection` is false. The attribute defaults to
    /// false, so a firewall that does not mention it fails too.
    ///
    /// ## Why it matters
    /// The firewall is the only thing between the SageMaker subnets and the internet.
    /// Deleting it (by mistake, or by a principal covering its tracks) leaves the routes
    /// pointing at a vanished endpoint or, once they are "fixed", sends traffic out
    /// uninspected. Delete protection makes deletion a deliberate two-step act.
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
    ///   delete_protection = true
    /// ```
    /// ```yaml
    ///     DeleteProtection: true
    /// ```
    ///
    /// ## Remediation
    /// - **Console**: VPC → Network Firewall → Firewalls → the firewall → *Firewall details*
    ///   → *Change protections* → enable *Delete protection*.
    /// - **CLI**: `aws network-firewall update-firewall-delete-protection --firewall-name
    ///   egress --delete-protection`
    /// - **Terraform**: `delete_protection = true`.
    /// - **CloudFormation**: `DeleteProtection: true`.
    ///
    /// ## References
    /// - <https://docs.aws.amazon.com/network-firewall/latest/developerguide/firewall-settings.html>
    /// - <https://docs.aws.amazon.com/network-firewall/latest/APIReference/API_UpdateFirewallDeleteProtection.html>
    /// - AWS Security Hub NetworkFirewall.9; Prowler; Checkov
    pub static CHECK = {
        code: "NFW102",
        name: "deletion-protection-disabled",
        severity: Medium,
        summary: "network firewall can be deleted without first disabling delete protection",
        remediation: "Set DeleteProtection to true on the firewall",
        run: run,
    };
}

fn run(ctx: &Context<'_>, out: &mut Outcomes) {
    for fw in &ctx.model.firewalls {
        out.judge(fw, "DeleteProtection", &fw.delete_protection, |on| {
            (!on).then(|| "network firewall has DeleteProtection false".to_string())
        });
        out.with_fix(Fix::set(
            "Enable delete protection",
            Safety::Safe,
            &["DeleteProtection"],
            FixValue::Bool(true),
            &fw.delete_protection,
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
        assert_eq!(got[1].2, "network firewall has DeleteProtection false");
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
