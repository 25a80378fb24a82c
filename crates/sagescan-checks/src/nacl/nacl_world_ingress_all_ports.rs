use super::nacl_world_ingress_admin_port::incomplete;
use super::{Entry, Ordered, report_unknown, workload_subnets};
use crate::sg::rules::{Proto, Tri, Why, is_world};
use crate::{Context, Outcomes};
use sagescan_model::Link;
use std::collections::BTreeSet;

crate::check! {
    /// ## What it checks
    /// A network ACL used by a SageMaker workload's subnet with an effective inbound allow
    /// entry from `0.0.0.0/0` or `::/0` for all traffic (protocol `-1`, or every tcp or udp
    /// port). "Effective" means no earlier entry already matches all it matches. A subnet
    /// that uses its VPC's default ACL without the ACL being declared is reported too: AWS's
    /// default ACL allows all inbound traffic.
    ///
    /// ## Why it matters
    /// Security groups are the only filter left when the NACL admits everything from the
    /// internet. Compliant private subnets admit HTTPS from the VPC and the ephemeral
    /// return ports (1024–65535) that NAT and endpoint replies use, nothing else.
    ///
    /// ## Example
    /// ```hcl
    /// resource "aws_network_acl" "private" {
    ///   vpc_id     = aws_vpc.main.id
    ///   subnet_ids = [aws_subnet.private_a.id]
    ///   ingress {
    ///     rule_no    = 100
    ///     protocol   = "-1"
    ///     action     = "allow"
    ///     cidr_block = "0.0.0.0/0"
    ///     from_port  = 0
    ///     to_port    = 0
    ///   }
    /// }
    /// ```
    /// ```yaml
    /// AllIn:
    ///   Type: AWS::EC2::NetworkAclEntry
    ///   Properties:
    ///     NetworkAclId: !Ref PrivateAcl
    ///     RuleNumber: 100
    ///     Protocol: -1
    ///     RuleAction: allow
    ///     CidrBlock: 0.0.0.0/0
    /// ```
    ///
    /// ## Use instead
    /// ```hcl
    ///   ingress {
    ///     rule_no    = 100
    ///     protocol   = "tcp"
    ///     action     = "allow"
    ///     cidr_block = aws_vpc.main.cidr_block
    ///     from_port  = 443
    ///     to_port    = 443
    ///   }
    ///   ingress {
    ///     rule_no    = 110
    ///     protocol   = "tcp"
    ///     action     = "allow"
    ///     cidr_block = "0.0.0.0/0"
    ///     from_port  = 1024
    ///     to_port    = 65535
    ///   }
    /// ```
    /// ```yaml
    ///     Protocol: 6
    ///     PortRange: { From: 1024, To: 65535 }
    /// ```
    ///
    /// ## Remediation
    /// - **Console**: VPC → Network ACLs → the ACL → Inbound rules → Edit: replace the
    ///   allow-all entry with the ports needed; associate undeclared default-ACL subnets
    ///   with a custom ACL.
    /// - **CLI**: `aws ec2 replace-network-acl-entry --network-acl-id acl-… --ingress
    ///   --rule-number 100 --protocol tcp --port-range From=443,To=443 …`
    /// - **Terraform**: narrow the `ingress` block; give SageMaker subnets an
    ///   `aws_network_acl` with `subnet_ids`.
    /// - **CloudFormation**: narrow the `AWS::EC2::NetworkAclEntry`; add a
    ///   `SubnetNetworkAclAssociation`.
    ///
    /// ## References
    /// - <https://docs.aws.amazon.com/vpc/latest/userguide/nacl-rules.html>
    /// - <https://docs.aws.amazon.com/vpc/latest/userguide/default-network-acl.html>
    /// - <https://docs.aws.amazon.com/vpc/latest/userguide/nacl-ephemeral-ports.html>
    /// - Prowler; Trivy AWS-0102
    pub static CHECK = {
        code: "NACL102",
        name: "nacl-world-ingress-all-ports",
        severity: Medium,
        summary: "a SageMaker subnet's network ACL admits all traffic from the internet",
        remediation: "Allow only HTTPS from the VPC and ephemeral return ports inbound on SageMaker subnets",
        run: run,
    };
}

/// Every protocol, or every port of tcp or udp.
fn all_traffic(e: &Entry<'_>) -> bool {
    e.traffic.is_all_traffic()
        || (matches!(e.traffic.proto, Proto::Tcp | Proto::Udp) && e.traffic.is_all_ports())
}

fn run(ctx: &Context<'_>, out: &mut Outcomes) {
    let model = ctx.model;
    let subnets = workload_subnets(model, &ctx.workloads);
    // ACL position → used by SageMaker subnets; and subnets without a declared ACL.
    let mut acls: BTreeSet<usize> = BTreeSet::new();
    for &s in subnets.by_subnet.keys() {
        let subnet = &model.subnets[s];
        match ctx.topology.network_acl_of(s) {
            Link::Explicit { index, .. } | Link::Main { index } => {
                acls.insert(*index);
            }
            Link::Implicit => out.fail(
                subnet,
                &subnet.meta.origin,
                "SageMaker subnet uses the VPC's default network ACL (AWS default: allow all)",
            ),
            Link::Unknown { reason, origin } => out.inconclusive(
                subnet,
                origin,
                format!("cannot tell the subnet's network ACL: {reason}"),
            ),
        }
    }
    for &i in &acls {
        let acl = &model.network_acls[i];
        let ord = Ordered::of(acl, false);
        let mut hits: Vec<&Entry<'_>> = Vec::new();
        let mut unknown: Option<Why> = ord.unknown.first().map(|(_, w)| w.clone());
        for e in ord
            .known
            .iter()
            .filter(|e| e.allow && is_world(&e.net) && all_traffic(e))
        {
            match ord.effective(e) {
                Tri::Yes => hits.push(e),
                Tri::No => {}
                Tri::Unknown(w) => {
                    unknown.get_or_insert(w);
                }
            }
        }
        if let Some(first) = hits.first() {
            let parts: Vec<String> = hits.iter().map(|e| e.describe()).collect();
            out.fail(
                acl,
                &first.entry.origin,
                format!(
                    "network ACL of a SageMaker subnet allows all traffic from the internet: {}",
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
    report_unknown(out, &subnets);
}

#[cfg(test)]
mod tests {
    use super::CHECK;
    use crate::testing::{lines, outcomes, verdicts};

    #[test]
    fn https_and_ephemeral_ports_pass_and_other_acls_are_not_judged() {
        assert_eq!(
            verdicts(&CHECK, "pass.tf"),
            [("aws_network_acl.private".into(), "pass")]
        );
    }

    #[test]
    fn allow_all_from_the_world_or_the_aws_default_acl_fails() {
        let got = outcomes(&CHECK, "fail.tf");
        assert_eq!(
            got,
            [
                (
                    "aws_network_acl.private".into(),
                    "fail",
                    "network ACL of a SageMaker subnet allows all traffic from the internet: \
                     rule 200 allow all traffic from 0.0.0.0/0 (line 14)"
                        .into()
                ),
                (
                    "aws_subnet.loose".into(),
                    "fail",
                    "SageMaker subnet uses the VPC's default network ACL (AWS default: allow all)"
                        .into()
                ),
            ]
        );
        assert_eq!(lines(&CHECK, "fail.tf")[0].2, Some(14));
    }

    #[test]
    fn unknown_protocol_is_inconclusive() {
        let got = outcomes(&CHECK, "unknown.tf");
        assert_eq!(got.len(), 1, "{got:?}");
        assert_eq!(got[0].1, "inconclusive");
        assert!(got[0].2.contains("var.inbound_protocol"), "{}", got[0].2);
    }
}
