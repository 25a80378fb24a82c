use crate::{Context, Outcomes};
use sagescan_model::network::NatGateway;
use sagescan_model::{Origin, Value};
use std::collections::BTreeMap;

crate::check! {
    /// ## What it checks
    /// Public NAT gateways that could be shared: more than one in the same Availability
    /// Zone of one VPC (typically one per private subnet). The AZ of a NAT gateway is the
    /// AZ of the subnet it sits in. Private NAT gateways are not judged.
    ///
    /// ## Why it matters
    /// A NAT gateway is billed per hour and per GB and serves every subnet of its AZ that
    /// routes to it. One per AZ gives the same resilience (AZ-independent egress); one per
    /// subnet multiplies the hourly cost and the egress points a firewall and flow logs
    /// have to cover.
    ///
    /// ## Example
    /// ```hcl
    /// resource "aws_nat_gateway" "a1" {
    ///   subnet_id     = aws_subnet.public_a1.id # us-east-1a
    ///   allocation_id = aws_eip.a1.id
    /// }
    /// resource "aws_nat_gateway" "a2" {
    ///   subnet_id     = aws_subnet.public_a2.id # also us-east-1a
    ///   allocation_id = aws_eip.a2.id
    /// }
    /// ```
    /// ```yaml
    /// NatA1: { Type: AWS::EC2::NatGateway, Properties: { SubnetId: !Ref PublicA1, AllocationId: !GetAtt EipA1.AllocationId } }
    /// NatA2: { Type: AWS::EC2::NatGateway, Properties: { SubnetId: !Ref PublicA2, AllocationId: !GetAtt EipA2.AllocationId } }
    /// ```
    ///
    /// ## Use instead
    /// One NAT gateway per AZ; every private subnet of that AZ routes `0.0.0.0/0` to it:
    /// ```hcl
    ///   route { cidr_block = "0.0.0.0/0", nat_gateway_id = aws_nat_gateway.a.id }
    /// ```
    /// ```yaml
    ///   Properties: { RouteTableId: !Ref PrivateA, DestinationCidrBlock: 0.0.0.0/0, NatGatewayId: !Ref NatA }
    /// ```
    ///
    /// ## Remediation
    /// - **Console**: VPC → Route tables → point the private tables of the AZ at one NAT
    ///   gateway; then NAT gateways → Delete the others (and release their Elastic IPs).
    /// - **CLI**: `aws ec2 replace-route --route-table-id rtb-… --destination-cidr-block
    ///   0.0.0.0/0 --nat-gateway-id nat-…`, then `aws ec2 delete-nat-gateway`.
    /// - **Terraform**: keep one `aws_nat_gateway` per AZ and reference it from the routes.
    /// - **CloudFormation**: keep one `AWS::EC2::NatGateway` per AZ.
    ///
    /// ## References
    /// - <https://docs.aws.amazon.com/vpc/latest/userguide/vpc-nat-gateway.html>
    /// - <https://docs.aws.amazon.com/vpc/latest/userguide/nat-gateway-pricing.html>
    /// - No peer check in other tools.
    pub static CHECK = {
        code: "OPS103",
        name: "nat-gateway-per-subnet",
        severity: Low,
        summary: "NAT gateways that could be shared within an Availability Zone",
        remediation: "Keep one NAT gateway per Availability Zone and route that AZ's private subnets to it",
        run: run,
    };
}

fn run(ctx: &Context<'_>, out: &mut Outcomes) {
    let model = ctx.model;
    // (VPC position, AZ) → the public NAT gateways there.
    let mut by_az: BTreeMap<(usize, &str), Vec<&NatGateway>> = BTreeMap::new();
    // Gateways that could not be placed may share any AZ: none of the others can pass.
    let mut unplaced: Vec<&NatGateway> = Vec::new();
    for nat in &model.nat_gateways {
        match place(ctx, nat) {
            Ok(Some(key)) => by_az.entry(key).or_default().push(nat),
            Ok(None) => {}
            Err((origin, reason)) => {
                unplaced.push(nat);
                out.inconclusive(nat, &origin, format!("cannot tell: {reason}"))
            }
        }
    }
    for ((_, az), nats) in &by_az {
        for nat in nats {
            let others: Vec<&str> = nats
                .iter()
                .filter(|o| o.meta.address != nat.meta.address)
                .map(|o| o.meta.address.as_str())
                .collect();
            let unsure: Vec<&str> = unplaced
                .iter()
                .filter(|u| u.meta.config == nat.meta.config)
                .map(|u| u.meta.address.as_str())
                .collect();
            if others.is_empty() && unsure.is_empty() {
                out.pass(*nat);
            } else if others.is_empty() {
                out.inconclusive(
                    *nat,
                    nat.subnet.origin(),
                    format!(
                        "cannot tell: alone in {az} of its VPC unless {} is there too",
                        unsure.join(", ")
                    ),
                );
            } else {
                out.fail(
                    *nat,
                    nat.subnet.origin(),
                    format!(
                        "public NAT gateway shares {az} of its VPC with {}",
                        others.join(", ")
                    ),
                );
            }
        }
    }
}

/// The VPC and AZ of a public NAT gateway; `None` for a private one.
fn place<'m>(
    ctx: &Context<'m>,
    nat: &'m NatGateway,
) -> Result<Option<(usize, &'m str)>, (Origin, String)> {
    let unknown = |what: &str, v: &Value<String>| {
        (
            v.origin().clone(),
            format!(
                "{what} is unknown ({})",
                v.unknown_reason().unwrap_or_default()
            ),
        )
    };
    match nat.connectivity_type.get() {
        None => return Err(unknown("the connectivity type", &nat.connectivity_type)),
        Some(t) if t != "public" => return Ok(None),
        Some(_) => {}
    }
    let subnet = match &nat.subnet {
        Value::Unknown { reason, origin, .. } => {
            return Err((origin.clone(), format!("the subnet is unknown ({reason})")));
        }
        v => v.get(),
    };
    let not_here = |what: String| (nat.subnet.origin().clone(), what);
    let s = subnet
        .and_then(|r| ctx.model.position(nat.meta.config, r))
        .ok_or_else(|| not_here("the subnet is not in the scanned configuration".into()))?;
    let vpc = ctx
        .topology
        .vpc_of(s)
        .ok_or_else(|| not_here("the subnet's VPC is not in the scanned configuration".into()))?;
    let az = &ctx.model.subnets[s].availability_zone;
    let az = az
        .get()
        .ok_or_else(|| unknown("the subnet's availability zone", az))?;
    Ok(Some((vpc, az.as_str())))
}

#[cfg(test)]
mod tests {
    use super::CHECK;
    use crate::testing::{outcomes, verdicts};

    #[test]
    fn one_nat_per_az_passes() {
        assert_eq!(
            verdicts(&CHECK, "pass.tf"),
            [
                ("aws_nat_gateway.a".into(), "pass"),
                ("aws_nat_gateway.b".into(), "pass")
            ]
        );
    }

    #[test]
    fn two_nats_in_one_az_fail() {
        let got = outcomes(&CHECK, "fail.tf");
        assert_eq!(
            got,
            [
                (
                    "aws_nat_gateway.a1".into(),
                    "fail",
                    "public NAT gateway shares us-east-1a of its VPC with aws_nat_gateway.a2"
                        .into()
                ),
                (
                    "aws_nat_gateway.a2".into(),
                    "fail",
                    "public NAT gateway shares us-east-1a of its VPC with aws_nat_gateway.a1"
                        .into()
                ),
            ]
        );
    }

    #[test]
    fn unknown_subnet_is_inconclusive() {
        let got = outcomes(&CHECK, "unknown.tf");
        assert_eq!(got.len(), 1, "{got:?}");
        assert_eq!(got[0].1, "inconclusive");
        assert!(got[0].2.contains("var.nat_subnet"), "{}", got[0].2);
    }
}
