use crate::sg::rules::{is_world, parse_cidr};
use crate::{Context, Outcomes};
use sagescan_model::Value;
use sagescan_model::network::{RouteDestination, RouteTarget};

crate::check! {
    /// ## What it checks
    /// A route table with a route to a VPC peering connection whose destination is
    /// `0.0.0.0/0` or `::/0`. One outcome per route table that has a peering route; a table
    /// whose default route has an unknown target may be one and is inconclusive.
    ///
    /// ## Why it matters
    /// Peering is not transitive: the peer VPC cannot forward your traffic to the internet,
    /// so a default route to it is never what was meant. It sends every unmatched packet,
    /// including a workload's exfiltration attempts, into another VPC (often another team's
    /// or account's), and hides the fact that the subnet has no sanctioned egress path.
    /// Peering routes should name only the peer's CIDRs that are needed.
    ///
    /// ## Example
    /// ```hcl
    /// resource "aws_route" "to_shared" {
    ///   route_table_id            = aws_route_table.private.id
    ///   destination_cidr_block    = "0.0.0.0/0"
    ///   vpc_peering_connection_id = aws_vpc_peering_connection.shared.id
    /// }
    /// ```
    /// ```yaml
    /// ToShared:
    ///   Type: AWS::EC2::Route
    ///   Properties:
    ///     RouteTableId: !Ref PrivateRouteTable
    ///     DestinationCidrBlock: 0.0.0.0/0
    ///     VpcPeeringConnectionId: !Ref SharedPeering
    /// ```
    ///
    /// ## Use instead
    /// ```hcl
    ///   destination_cidr_block    = "10.20.5.0/24" # only the service subnet of the peer
    /// ```
    /// ```yaml
    ///     DestinationCidrBlock: 10.20.5.0/24
    /// ```
    ///
    /// ## Remediation
    /// - **Console**: VPC → Route tables → select the table → Routes → Edit routes; replace
    ///   the `0.0.0.0/0` peering route by routes to the peer CIDRs that are needed.
    /// - **CLI**: `aws ec2 delete-route --route-table-id rtb-… --destination-cidr-block
    ///   0.0.0.0/0`, then `aws ec2 create-route … --destination-cidr-block 10.20.5.0/24
    ///   --vpc-peering-connection-id pcx-…`
    /// - **Terraform**: narrow `destination_cidr_block` / `cidr_block` of the route.
    /// - **CloudFormation**: narrow `DestinationCidrBlock` of the `AWS::EC2::Route`.
    ///
    /// ## Limitations
    /// A route covering the peer VPC's whole CIDR is also too broad per the catalogue, but
    /// the peer's CIDR is usually not in the scanned configuration (another account or
    /// stack), so only the `0.0.0.0/0` / `::/0` case is decided.
    ///
    /// ## References
    /// - <https://docs.aws.amazon.com/vpc/latest/peering/peering-configurations-partial-access.html>
    /// - <https://docs.aws.amazon.com/vpc/latest/peering/vpc-peering-basics.html#vpc-peering-limitations>
    /// - Prowler; Checkov CKV2_AWS_44
    pub static CHECK = {
        code: "VPC105",
        name: "peering-route-too-broad",
        severity: Low,
        summary: "route to a VPC peering connection covers the whole internet",
        remediation: "Route only the peer VPC CIDRs that are needed to the peering connection",
        run: run,
    };
}

fn run(ctx: &Context<'_>, out: &mut Outcomes) {
    for rt in &ctx.model.route_tables {
        let mut applies = false;
        let mut failed = Vec::new();
        let mut unknown = None;
        for route in &rt.routes {
            let world = match &route.destination {
                Value::Unknown { reason, origin, .. } => Err((
                    origin,
                    format!("cannot tell a route's destination: {reason}"),
                )),
                v => Ok(match v.get() {
                    Some(RouteDestination::Cidr(c)) => {
                        parse_cidr(c).filter(is_world).map(|_| c.clone())
                    }
                    _ => None,
                }),
            };
            match route.target.get() {
                Some(RouteTarget::VpcPeering(pcx)) => {
                    applies = true;
                    match world {
                        Ok(Some(cidr)) => failed
                            .push((&route.origin, format!("{cidr} to peering connection {pcx}"))),
                        Ok(None) => {}
                        Err(u) => {
                            unknown.get_or_insert(u);
                        }
                    }
                }
                Some(_) => {}
                // An unknown target on a default route may be a peering connection.
                None => {
                    if let Ok(Some(cidr)) = world {
                        applies = true;
                        let reason = route.target.unknown_reason().unwrap_or_default();
                        unknown.get_or_insert((
                            route.target.origin(),
                            format!("cannot tell the target of the route to {cidr}: {reason}"),
                        ));
                    }
                }
            }
        }
        if let Some((origin, _)) = failed.first() {
            let what: Vec<&str> = failed.iter().map(|(_, m)| m.as_str()).collect();
            out.fail(
                rt,
                origin,
                format!("route table routes {}", what.join(", ")),
            );
        } else if let Some((origin, message)) = unknown {
            out.inconclusive(rt, origin, message);
        } else if applies && !rt.routes_complete {
            out.inconclusive(
                rt,
                &rt.meta.origin,
                "cannot tell: the route table's routes could not all be read",
            );
        } else if applies {
            out.pass(rt);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::CHECK;
    use crate::testing::{lines, outcomes, verdicts};

    #[test]
    fn peering_route_to_peer_cidr_passes() {
        assert_eq!(
            verdicts(&CHECK, "pass.tf"),
            [("aws_route_table.private".into(), "pass")]
        );
    }

    #[test]
    fn default_route_to_peering_fails_at_the_route() {
        let got = outcomes(&CHECK, "fail.tf");
        assert_eq!(
            got,
            [(
                "aws_route_table.private".into(),
                "fail",
                "route table routes 0.0.0.0/0 to peering connection aws_vpc_peering_connection.shared"
                    .into()
            )]
        );
        assert_eq!(
            lines(&CHECK, "fail.tf"),
            [("aws_route_table.private".into(), "fail", Some(14))]
        );
    }

    #[test]
    fn unknown_destination_is_inconclusive() {
        let got = outcomes(&CHECK, "unknown.tf");
        assert_eq!(got.len(), 1, "{got:?}");
        assert_eq!(got[0].1, "inconclusive");
        assert!(got[0].2.contains("var.peer_cidr"), "{}", got[0].2);
    }
}
