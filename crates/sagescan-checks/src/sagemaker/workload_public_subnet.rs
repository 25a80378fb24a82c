use crate::sg::rules::{Why, is_world, parse_cidr};
use crate::{Context, Outcomes};
use sagescan_model::network::{RouteDestination, RouteTable, RouteTarget};
use sagescan_model::{Link, Origin};
use std::collections::HashMap;

crate::check! {
    /// ## What it checks
    /// A SageMaker workload (notebook, model, Studio domain, job) with a subnet whose route
    /// table sends the default route (`0.0.0.0/0`, or `::/0`) to an internet gateway. The
    /// route table is the subnet's explicit association, else the VPC's main table; when
    /// neither is declared, AWS's main table has only the local route and the subnet passes.
    /// One outcome per workload, on the offending route, listing every such subnet.
    ///
    /// ## Why it matters
    /// A subnet whose default route is the internet gateway is a public subnet. A workload in
    /// it with a public address is directly reachable from, and talks directly to, the
    /// internet: no NAT gateway, no Network Firewall allow-list. Even without a public
    /// address its egress path is broken or bypasses inspection, which is never what a
    /// private SageMaker placement intends.
    ///
    /// ## Example
    /// ```hcl
    /// resource "aws_route_table" "private" {
    ///   vpc_id = aws_vpc.ml.id
    ///   route {
    ///     cidr_block = "0.0.0.0/0"
    ///     gateway_id = aws_internet_gateway.igw.id
    ///   }
    /// }
    /// ```
    /// ```yaml
    /// DefaultRoute:
    ///   Type: AWS::EC2::Route
    ///   Properties:
    ///     RouteTableId: !Ref PrivateRouteTable
    ///     DestinationCidrBlock: 0.0.0.0/0
    ///     GatewayId: !Ref InternetGateway
    /// ```
    ///
    /// ## Use instead
    /// ```hcl
    ///   route {
    ///     cidr_block     = "0.0.0.0/0"
    ///     nat_gateway_id = aws_nat_gateway.nat.id
    ///   }
    /// ```
    /// ```yaml
    ///     DestinationCidrBlock: 0.0.0.0/0
    ///     NatGatewayId: !Ref NatGateway
    /// ```
    ///
    /// ## Remediation
    /// - **Console**: VPC → Route tables → the subnet's table → Routes → Edit routes; point
    ///   `0.0.0.0/0` at a NAT gateway (or a firewall endpoint), or move the workload to a
    ///   private subnet.
    /// - **CLI**: `aws ec2 replace-route --route-table-id rtb-… --destination-cidr-block
    ///   0.0.0.0/0 --nat-gateway-id nat-…`
    /// - **Terraform**: `nat_gateway_id` instead of `gateway_id` in the default route.
    /// - **CloudFormation**: `NatGatewayId` instead of `GatewayId` on the `AWS::EC2::Route`.
    ///
    /// ## Limitations
    /// Only default routes are judged: split routes (`0.0.0.0/1` + `128.0.0.0/1`) to the
    /// gateway are not recognised; the reachability checks (NET1xx) cover them.
    ///
    /// ## References
    /// - <https://docs.aws.amazon.com/vpc/latest/userguide/VPC_Route_Tables.html>
    /// - <https://docs.aws.amazon.com/vpc/latest/userguide/configure-subnets.html#subnet-types>
    /// - no peer check
    pub static CHECK = {
        code: "SM171",
        name: "workload-public-subnet",
        severity: High,
        summary: "SageMaker workload subnet routes the internet to an internet gateway",
        remediation: "Route the workload subnets' default route to a NAT gateway or firewall, not an internet gateway",
        run: run,
    };
}

/// What a route table does with the default route.
#[derive(Clone)]
enum DefaultRoute {
    /// To this internet gateway, declared at this route.
    Igw(Origin, String),
    NotIgw,
    Unknown(Why),
}

fn default_route(rt: &RouteTable) -> DefaultRoute {
    let mut unknown = None;
    for route in &rt.routes {
        let dest = match route.destination.get() {
            Some(RouteDestination::Cidr(c)) => c,
            Some(RouteDestination::PrefixList(_)) => continue,
            None => {
                unknown.get_or_insert(Why::of("a route's destination", &route.destination));
                continue;
            }
        };
        let Some(cidr) = parse_cidr(dest).filter(is_world) else {
            continue;
        };
        match route.target.get() {
            Some(RouteTarget::InternetGateway(igw)) => {
                return DefaultRoute::Igw(
                    route.origin.clone(),
                    format!("{cidr} to internet gateway {}", igw.key),
                );
            }
            Some(_) => {}
            None => {
                unknown.get_or_insert(Why::of(
                    &format!("the target of the route to {cidr}"),
                    &route.target,
                ));
            }
        }
    }
    match unknown {
        Some(why) => DefaultRoute::Unknown(why),
        None if !rt.routes_complete => DefaultRoute::Unknown(Why::new(
            format!("the routes of {} could not all be read", rt.meta.address),
            &rt.meta.origin,
        )),
        None => DefaultRoute::NotIgw,
    }
}

fn run(ctx: &Context<'_>, out: &mut Outcomes) {
    let model = ctx.model;
    // Route table position → its verdict, so that shared tables are read once.
    let mut tables: HashMap<usize, DefaultRoute> = HashMap::new();
    for w in &ctx.workloads {
        let Some(subnets) = w.subnets.get() else {
            let why = Why::of("the workload's subnets", &w.subnets);
            out.inconclusive(w, &why.origin, format!("cannot tell: {}", why.reason));
            continue;
        };
        if subnets.is_empty() {
            continue;
        }
        let mut failed: Vec<(Origin, String)> = Vec::new();
        let mut unknown: Option<Why> = None;
        for r in subnets {
            let Some(s) = model.position(w.meta.config, r) else {
                unknown.get_or_insert(Why::new(
                    format!("subnet {} is not in the scanned configuration", r.key),
                    w.subnets.origin(),
                ));
                continue;
            };
            let verdict = match ctx.topology.route_table_of(s) {
                Link::Explicit { index, .. } | Link::Main { index } => tables
                    .entry(*index)
                    .or_insert_with(|| default_route(&model.route_tables[*index]))
                    .clone(),
                // AWS's own main table holds only the local route.
                Link::Implicit => DefaultRoute::NotIgw,
                Link::Unknown { reason, origin } => DefaultRoute::Unknown(Why::new(
                    format!("the route table of subnet {} is unknown ({reason})", r.key),
                    origin,
                )),
            };
            match verdict {
                DefaultRoute::Igw(origin, what) => {
                    failed.push((origin, format!("subnet {} routes {what}", r.key)))
                }
                DefaultRoute::NotIgw => {}
                DefaultRoute::Unknown(why) => {
                    unknown.get_or_insert(why);
                }
            }
        }
        if let Some((origin, _)) = failed.first() {
            let what: Vec<&str> = failed.iter().map(|(_, m)| m.as_str()).collect();
            out.fail(
                w,
                origin,
                format!("{} {}", w.kind.as_str(), what.join(", ")),
            );
        } else if let Some(why) = unknown {
            out.inconclusive(w, &why.origin, format!("cannot tell: {}", why.reason));
        } else {
            out.pass(w);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::CHECK;
    use crate::testing::{lines, outcomes, verdicts};

    #[test]
    fn nat_route_and_implicit_main_table_pass() {
        assert_eq!(
            verdicts(&CHECK, "pass.tf"),
            [
                ("aws_sagemaker_model.m".into(), "pass"),
                ("aws_sagemaker_notebook_instance.nb".into(), "pass")
            ]
        );
    }

    #[test]
    fn default_route_to_igw_fails_at_the_route() {
        let got = outcomes(&CHECK, "fail.tf");
        assert_eq!(
            got,
            [(
                "aws_sagemaker_notebook_instance.nb".into(),
                "fail",
                "notebook subnet aws_subnet.a routes 0.0.0.0/0 to internet gateway \
                 aws_internet_gateway.igw"
                    .into()
            )]
        );
        assert_eq!(
            lines(&CHECK, "fail.tf"),
            [(
                "aws_sagemaker_notebook_instance.nb".into(),
                "fail",
                Some(18)
            )]
        );
    }

    #[test]
    fn unknown_target_is_inconclusive() {
        let got = outcomes(&CHECK, "unknown.tf");
        assert_eq!(got.len(), 1, "{got:?}");
        assert_eq!(got[0].1, "inconclusive");
        assert!(got[0].2.contains("var.gateway"), "{}", got[0].2);
    }
}
