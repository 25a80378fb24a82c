use crate::{Context, Outcomes};
use sagescan_model::Value;

crate::check! {
    /// ## What it checks
    /// A Network Firewall firewall, firewall policy or rule group encrypted only with an
    /// AWS-owned key: no `encryption_configuration` naming a customer managed KMS key
    /// (`Type: CUSTOMER_KMS`). Each resource gets its own outcome.
    ///
    /// ## Why it matters
    /// A policy and its rule groups *are* the egress allow-list of the SageMaker subnets.
    /// With an AWS-owned key you cannot see who decrypted them in CloudTrail, restrict
    /// access with a key policy, or revoke access by disabling the key. A customer key puts
    /// the firewall's configuration under the same key controls as the data it protects.
    ///
    /// ## Example
    /// ```hcl
    /// resource "aws_networkfirewall_rule_group" "domains" {
    ///   name     = "egress-domains"
    ///   type     = "STATEFUL"
    ///   capacity = 100
    ///   # no encryption_configuration: AWS-owned key
    ///   rule_group { ... }
    /// }
    /// ```
    /// ```yaml
    /// Domains:
    ///   Type: AWS::NetworkFirewall::RuleGroup
    ///   Properties:
    ///     RuleGroupName: egress-domains
    ///     Type: STATEFUL
    ///     Capacity: 100
    /// ```
    ///
    /// ## Use instead
    /// ```hcl
    ///   encryption_configuration {
    ///     type   = "CUSTOMER_KMS"
    ///     key_id = aws_kms_key.network.arn
    ///   }
    /// ```
    /// ```yaml
    ///     EncryptionConfiguration:
    ///       Type: CUSTOMER_KMS
    ///       KeyId: !GetAtt NetworkKey.Arn
    /// ```
    ///
    /// ## Remediation
    /// - **Console**: VPC → Network Firewall → the firewall, policy or rule group →
    ///   *Customer managed key* → *Manage* → choose a KMS key.
    /// - **CLI**: `aws network-firewall update-firewall-encryption-configuration
    ///   --firewall-name egress --encryption-configuration Type=CUSTOMER_KMS,KeyId=…`
    ///   (policies and rule groups: `update-firewall-policy` / `update-rule-group` with
    ///   `--encryption-configuration`).
    /// - **Terraform**: an `encryption_configuration` block with `type = "CUSTOMER_KMS"`
    ///   and `key_id` on each resource.
    /// - **CloudFormation**: `EncryptionConfiguration: {Type: CUSTOMER_KMS, KeyId: …}`.
    ///
    /// The key policy must let Network Firewall use the key.
    ///
    /// ## References
    /// - <https://docs.aws.amazon.com/network-firewall/latest/developerguide/kms-encryption-at-rest.html>
    /// - <https://docs.aws.amazon.com/network-firewall/latest/APIReference/API_EncryptionConfiguration.html>
    /// - Checkov CKV_AWS_345, CKV_AWS_346
    pub static CHECK = {
        code: "NFW110",
        name: "cmk-missing",
        severity: Low,
        summary: "network firewall resource is encrypted only with an AWS-owned key",
        remediation: "Add an encryption configuration with a customer managed KMS key",
        run: run,
    };
}

fn judge<R: crate::Subject>(out: &mut Outcomes, r: &R, kind: &str, key: &Value<Option<String>>) {
    out.judge(r, "EncryptionConfiguration", key, |k| {
        k.is_none()
            .then(|| format!("{kind} has no customer managed KMS key (AWS-owned key)"))
    });
}

fn run(ctx: &Context<'_>, out: &mut Outcomes) {
    let m = ctx.model;
    for fw in &m.firewalls {
        judge(out, fw, "network firewall", &fw.kms_key_id);
    }
    for p in &m.firewall_policies {
        judge(out, p, "firewall policy", &p.kms_key_id);
    }
    for g in &m.rule_groups {
        judge(out, g, "rule group", &g.kms_key_id);
    }
}

#[cfg(test)]
mod tests {
    use super::CHECK;
    use crate::testing::{outcomes, verdicts};

    #[test]
    fn customer_keys_pass() {
        assert_eq!(
            verdicts(&CHECK, "pass.tf"),
            [
                ("aws_networkfirewall_firewall.egress".into(), "pass"),
                ("aws_networkfirewall_firewall_policy.egress".into(), "pass"),
                ("aws_networkfirewall_rule_group.domains".into(), "pass"),
            ]
        );
    }

    #[test]
    fn aws_owned_or_absent_fails_per_resource() {
        let got = outcomes(&CHECK, "fail.tf");
        assert_eq!(got.len(), 3, "{got:?}");
        assert!(got.iter().all(|o| o.1 == "fail"), "{got:?}");
        assert!(
            got[0]
                .2
                .starts_with("network firewall has no customer managed KMS key"),
            "{}",
            got[0].2
        );
        assert!(
            got[1].2.starts_with("firewall policy has no customer"),
            "{}",
            got[1].2
        );
        assert!(
            got[2].2.starts_with("rule group has no customer"),
            "{}",
            got[2].2
        );
        // The rule group says AWS_OWNED_KMS_KEY explicitly: no "default" remark.
        assert!(!got[2].2.contains("AWS default"), "{}", got[2].2);
        assert!(got[0].2.contains("AWS default"), "{}", got[0].2);
    }

    #[test]
    fn unknown_key_type_is_inconclusive() {
        let got = outcomes(&CHECK, "unknown.tf");
        assert_eq!(got.len(), 1, "{got:?}");
        assert_eq!(got[0].1, "inconclusive");
        assert!(got[0].2.contains("var.key_type"), "{}", got[0].2);
    }
}
