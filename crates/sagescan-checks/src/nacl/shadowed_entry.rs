use super::Ordered;
use super::nacl_world_ingress_admin_port::incomplete;
use crate::{Context, Outcomes};

crate::check! {
    /// ## What it checks
    /// A network ACL entry that can never match: an entry with a lower rule number in the
    /// same direction already matches every packet it would match (its CIDR contains this
    /// entry's CIDR and its protocol and ports cover this entry's).
    ///
    /// ## Why it matters
    /// NACL entries are evaluated in ascending rule number and the first match decides. A
    /// shadowed entry is dead configuration that misleads reviewers: a `deny` that looks
    /// like it blocks SSH but sits behind an `allow all`, or an `allow` someone believes
    /// is in effect. Usually the rule numbers are in the wrong order.
    ///
    /// ## Example
    /// ```hcl
    ///   ingress {
    ///     rule_no    = 100
    ///     protocol   = "-1"
    ///     action     = "allow"
    ///     cidr_block = "0.0.0.0/0"
    ///     from_port  = 0
    ///     to_port    = 0
    ///   }
    ///   ingress {
    ///     rule_no    = 200 # never matches
    ///     protocol   = "tcp"
    ///     action     = "deny"
    ///     cidr_block = "0.0.0.0/0"
    ///     from_port  = 22
    ///     to_port    = 22
    ///   }
    /// ```
    /// ```yaml
    ///   AllowAll: { Type: AWS::EC2::NetworkAclEntry, Properties: { RuleNumber: 100, Protocol: -1, RuleAction: allow, CidrBlock: 0.0.0.0/0, NetworkAclId: !Ref Acl } }
    ///   DenySsh: { Type: AWS::EC2::NetworkAclEntry, Properties: { RuleNumber: 200, Protocol: 6, RuleAction: deny, CidrBlock: 0.0.0.0/0, PortRange: { From: 22, To: 22 }, NetworkAclId: !Ref Acl } }
    /// ```
    ///
    /// ## Use instead
    /// Give the more specific entry the lower number (deny SSH at 90, allow at 100), or
    /// delete the dead entry:
    /// ```hcl
    ///     rule_no    = 90
    /// ```
    /// ```yaml
    ///       RuleNumber: 90
    /// ```
    ///
    /// ## Remediation
    /// - **Console**: VPC → Network ACLs → the ACL → Inbound/Outbound rules → Edit: renumber
    ///   or delete the entry.
    /// - **CLI**: `aws ec2 delete-network-acl-entry …` then `create-network-acl-entry
    ///   --rule-number 90 …`
    /// - **Terraform**: change `rule_no` / `rule_number`, or remove the entry.
    /// - **CloudFormation**: change `RuleNumber` (replacement), or remove the entry.
    ///
    /// ## Limitations
    /// An entry matched only by the union of several earlier entries is not reported.
    ///
    /// ## References
    /// - <https://docs.aws.amazon.com/vpc/latest/userguide/nacl-rules.html>
    /// - KICS
    pub static CHECK = {
        code: "NACL104",
        name: "shadowed-entry",
        severity: Low,
        summary: "a network ACL entry can never match",
        remediation: "Renumber the entry ahead of the one that shadows it, or delete it",
        run: run,
    };
}

fn run(ctx: &Context<'_>, out: &mut Outcomes) {
    for acl in &ctx.model.network_acls {
        let mut hits = Vec::new();
        let mut unknown = None;
        for egress in [false, true] {
            let ord = Ordered::of(acl, egress);
            for (i, e) in ord.known.iter().enumerate() {
                // Entries are sorted: any shadow sits before `e`.
                if let Some(f) = ord.known[..i]
                    .iter()
                    .find(|f| f.number < e.number && f.covers(e))
                {
                    let dir = if egress { "egress" } else { "ingress" };
                    hits.push((
                        e.entry.origin.clone(),
                        format!("{dir} {} is shadowed by rule {}", e.describe(), f.number),
                    ));
                }
            }
            if let Some((_, w)) = ord.unknown.first() {
                unknown.get_or_insert(w.clone());
            }
        }
        if let Some((location, _)) = hits.first() {
            let parts: Vec<&str> = hits.iter().map(|(_, m)| m.as_str()).collect();
            out.fail(
                acl,
                location,
                format!(
                    "network ACL has entries that never match: {}",
                    parts.join(", ")
                ),
            );
        } else if let Some(w) = unknown {
            out.inconclusive(acl, &w.origin, format!("cannot tell: {}", w.reason));
        } else if !acl.entries_complete {
            out.inconclusive(acl, &acl.meta.origin, incomplete(acl));
        } else {
            out.pass(acl);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::CHECK;
    use crate::testing::{lines, outcomes, verdicts};

    #[test]
    fn specific_entries_first_pass() {
        assert_eq!(
            verdicts(&CHECK, "pass.tf"),
            [("aws_network_acl.private".into(), "pass")]
        );
    }

    #[test]
    fn entry_behind_a_broader_one_fails() {
        let got = outcomes(&CHECK, "fail.tf");
        assert_eq!(
            got,
            [(
                "aws_network_acl.private".into(),
                "fail",
                "network ACL has entries that never match: \
                 ingress rule 200 deny tcp 22 from 0.0.0.0/0 (line 13) is shadowed by rule 100"
                    .into()
            )]
        );
        assert_eq!(lines(&CHECK, "fail.tf")[0].2, Some(13));
    }

    #[test]
    fn unknown_rule_number_is_inconclusive() {
        let got = outcomes(&CHECK, "unknown.tf");
        assert_eq!(got.len(), 1, "{got:?}");
        assert_eq!(got[0].1, "inconclusive");
        assert!(got[0].2.contains("var.rule_no"), "{}", got[0].2);
    }
}
