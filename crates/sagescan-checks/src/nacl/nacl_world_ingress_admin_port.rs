use super::Ordered;
use crate::sg::rules::{MAX_PORT, Proto, Traffic, Why};
use crate::{Context, Outcomes};
use ipnet::{IpNet, Ipv4Net, Ipv6Net};
use std::collections::BTreeMap;

crate::check! {
    /// ## What it checks
    /// A network ACL whose inbound entries let traffic from `0.0.0.0/0` or `::/0` reach an
    /// administration port (SSH 22, RDP 3389 and the other `admin_ports`): the first entry,
    /// in rule-number order, that matches the whole internet on that TCP port is an allow.
    /// An allow entry shadowed by an earlier deny for the same traffic is not reported,
    /// nor is a TCP range from 1024 (or above) to 65535: an ACL is stateless and needs that
    /// inbound range for the replies to its subnet's own outbound connections (NAT
    /// gateways use source ports 1024–65535).
    ///
    /// ## Why it matters
    /// The NACL is the subnet's stateless second layer behind security groups. When it
    /// admits the internet on administration ports, a single security group mistake (a
    /// `0.0.0.0/0` SSH rule, an instance in the default group) exposes the host.
    ///
    /// ## Example
    /// ```hcl
    /// resource "aws_network_acl" "private" {
    ///   vpc_id = aws_vpc.main.id
    ///   ingress {
    ///     rule_no    = 100
    ///     protocol   = "tcp"
    ///     action     = "allow"
    ///     cidr_block = "0.0.0.0/0"
    ///     from_port  = 22
    ///     to_port    = 22
    ///   }
    /// }
    /// ```
    /// ```yaml
    /// SshIn:
    ///   Type: AWS::EC2::NetworkAclEntry
    ///   Properties:
    ///     NetworkAclId: !Ref PrivateAcl
    ///     RuleNumber: 100
    ///     Protocol: 6
    ///     RuleAction: allow
    ///     CidrBlock: 0.0.0.0/0
    ///     PortRange: { From: 22, To: 22 }
    /// ```
    ///
    /// ## Use instead
    /// Admit administration ports only from a management range, or deny them first:
    /// ```hcl
    ///   ingress {
    ///     rule_no    = 90
    ///     protocol   = "tcp"
    ///     action     = "deny"
    ///     cidr_block = "0.0.0.0/0"
    ///     from_port  = 22
    ///     to_port    = 22
    ///   }
    /// ```
    /// ```yaml
    ///     RuleNumber: 90
    ///     RuleAction: deny
    /// ```
    ///
    /// ## Remediation
    /// - **Console**: VPC → Network ACLs → the ACL → Inbound rules → Edit: remove the entry
    ///   or add a lower-numbered deny.
    /// - **CLI**: `aws ec2 delete-network-acl-entry --network-acl-id acl-… --ingress
    ///   --rule-number 100`
    /// - **Terraform**: remove the `ingress` block / `aws_network_acl_rule`, or add a deny.
    /// - **CloudFormation**: remove the `AWS::EC2::NetworkAclEntry`, or add a deny.
    ///
    /// ## Options
    /// `admin_ports`: the ports judged (shared with SG103).
    ///
    /// ## Limitations
    /// The ephemeral return range also admits new connections to services listening on
    /// high ports (3389 among them); only security groups can tell replies from those.
    /// A VPC's default ACL that is not declared (AWS default: allow all) is not judged
    /// here; NACL102 and NACL103 report it where SageMaker subnets use it.
    ///
    /// ## References
    /// - <https://docs.aws.amazon.com/vpc/latest/userguide/nacl-rules.html>
    /// - <https://docs.aws.amazon.com/vpc/latest/userguide/nacl-ephemeral-ports.html>
    /// - <https://docs.aws.amazon.com/securityhub/latest/userguide/ec2-controls.html#ec2-21>
    /// - AWS Security Hub EC2.21; Prowler; Checkov; Trivy
    pub static CHECK = {
        code: "NACL101",
        name: "nacl-world-ingress-admin-port",
        severity: Medium,
        summary: "network ACL admits the internet on an administration port",
        remediation: "Remove the allow entry or deny administration ports from 0.0.0.0/0 and ::/0 first",
        run: run,
    };
}

fn run(ctx: &Context<'_>, out: &mut Outcomes) {
    // `0.0.0.0/0` and `::/0`: an entry matches only addresses of its own family.
    let worlds = [IpNet::V4(Ipv4Net::default()), IpNet::V6(Ipv6Net::default())];
    for acl in &ctx.model.network_acls {
        let ord = Ordered::of(acl, false);
        // Rule number → (entry, admin ports it lets in).
        let mut hits: BTreeMap<i64, (usize, Vec<u16>)> = BTreeMap::new();
        let mut unknown: Option<&Why> = None;
        for world in &worlds {
            for &port in &ctx.options.admin_ports {
                // The first entry matching every internet packet to this port decides.
                let first = ord
                    .known
                    .iter()
                    .enumerate()
                    .find(|(_, e)| e.net.contains(world) && e.traffic.admits(Proto::Tcp, port));
                let before = first.map_or(i64::MAX, |(_, e)| e.number);
                if let Some(w) = ord.unknown_before(before) {
                    unknown.get_or_insert(w);
                } else if let Some((i, e)) =
                    first.filter(|(_, e)| e.allow && !is_return_range(&e.traffic))
                {
                    let hit = hits.entry(e.number).or_insert((i, Vec::new()));
                    if !hit.1.contains(&port) {
                        hit.1.push(port);
                        hit.1.sort_unstable();
                    }
                }
            }
        }
        if let Some((i, _)) = hits.values().next() {
            let parts: Vec<String> = hits
                .values()
                .map(|(i, ports)| {
                    let ports: Vec<String> = ports.iter().map(u16::to_string).collect();
                    format!("{} covers {}", ord.known[*i].describe(), ports.join(", "))
                })
                .collect();
            out.fail(
                acl,
                &ord.known[*i].entry.origin,
                format!(
                    "network ACL allows ingress from the internet to an administration port: {}",
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

/// A TCP range from 1024 or above to 65535: what a stateless ACL must admit for replies
/// to outbound connections (the client's ephemeral ports; NAT gateways use 1024–65535).
/// Ref: <https://docs.aws.amazon.com/vpc/latest/userguide/nacl-ephemeral-ports.html>
fn is_return_range(t: &Traffic) -> bool {
    t.proto == Proto::Tcp && t.lo >= 1024 && t.hi >= MAX_PORT
}

/// The message for an ACL whose entries may not all have been read.
pub(crate) fn incomplete(acl: &sagescan_model::network::NetworkAcl) -> String {
    format!(
        "cannot tell: network ACL {} may have entries that could not be read",
        acl.meta.address
    )
}

#[cfg(test)]
mod tests {
    use super::CHECK;
    use crate::testing::{lines, outcomes, verdicts};

    #[test]
    fn shadowed_or_internal_admin_entries_pass() {
        assert_eq!(
            verdicts(&CHECK, "pass.tf"),
            [("aws_network_acl.private".into(), "pass")]
        );
    }

    #[test]
    fn effective_world_allow_on_ssh_or_rdp_fails() {
        let got = outcomes(&CHECK, "fail.tf");
        assert_eq!(got.len(), 1, "{got:?}");
        assert_eq!(
            got[0].2,
            "network ACL allows ingress from the internet to an administration port: \
             rule 100 allow tcp 22 from 0.0.0.0/0 (line 4) covers 22, \
             rule 120 allow tcp 3000-4000 from ::/0 (aws_network_acl_rule.rdp_v6) covers 3306, 3389"
        );
        assert_eq!(lines(&CHECK, "fail.tf")[0].2, Some(4));
    }

    #[test]
    fn unknown_earlier_entry_is_inconclusive() {
        let got = outcomes(&CHECK, "unknown.tf");
        assert_eq!(got.len(), 1, "{got:?}");
        assert_eq!(got[0].1, "inconclusive");
        assert!(got[0].2.contains("var.blocked_cidr"), "{}", got[0].2);
    }
}
