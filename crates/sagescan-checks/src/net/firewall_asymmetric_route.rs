//! NET104: does a workload's internet traffic cross a Network Firewall one way only? The
//! reachability engine walks the request and the reply independently (the reply from the
//! internet gateway's edge route table) and records every firewall endpoint crossed one
//! way but not the other; this check reports them.

use crate::net::workload_internet_egress_uninspected::describe;
use crate::workload::Workload;
use crate::{Context, Outcomes};
use sagescan_reach::source::{Plane, start};
use sagescan_reach::{Answer, Destination, Direction};

crate::check! {
    /// ## What it checks
    /// Whether the internet traffic of a SageMaker workload in a VPC returns through the
    /// same AWS Network Firewall endpoint it left through. The reachability engine follows
    /// the request (route tables, NAT gateway, firewall endpoint, internet gateway) and
    /// then the reply independently: from the internet gateway's edge route table back to
    /// the subnet it left from. It fails when the two differ: the request crossed a
    /// firewall endpoint the reply skips (no edge route table, or no edge route for the NAT
    /// gateway's subnet), the reply crosses one the request never did, or the two use
    /// endpoints in different Availability Zones.
    ///
    /// Workloads in SageMaker's own network (no subnets, Studio `PublicInternetOnly`) have
    /// no customer routes to judge and are not judged.
    ///
    /// ## Why it matters
    /// Network Firewall does not support asymmetric routing: its stateful engine must see
    /// both directions of a flow at the same endpoint. A reply that skips the firewall
    /// leaves the engine with half a flow — with strict rule order and a drop default
    /// action the connections break (often only some of them, after a change elsewhere);
    /// otherwise what happens is not documented. Either way the allow-list the firewall
    /// enforces is not what the traffic meets, and the flow logs miss half the story.
    ///
    /// ## Example
    /// The NAT subnet routes to the firewall, but the internet gateway has no edge route
    /// table sending replies for the NAT subnet back through it:
    /// ```hcl
    /// resource "aws_route_table" "public" {
    ///   vpc_id = aws_vpc.main.id
    ///   route {
    ///     cidr_block      = "0.0.0.0/0"
    ///     vpc_endpoint_id = tolist(aws_networkfirewall_firewall.main.firewall_status[0].sync_states)[0].attachment[0].endpoint_id
    ///   }
    /// }
    /// # no aws_route_table_association with gateway_id = aws_internet_gateway.igw.id
    /// ```
    /// ```yaml
    /// PublicDefaultRoute:
    ///   Type: AWS::EC2::Route
    ///   Properties:
    ///     RouteTableId: !Ref PublicRouteTable
    ///     DestinationCidrBlock: 0.0.0.0/0
    ///     VpcEndpointId: !Select [1, !Split [":", !Select [0, !GetAtt Firewall.EndpointIds]]]
    /// # no AWS::EC2::GatewayRouteTableAssociation for the internet gateway
    /// ```
    ///
    /// ## Use instead
    /// An edge route table on the internet gateway that sends the NAT subnet's replies to
    /// the firewall endpoint in the same Availability Zone:
    /// ```hcl
    /// resource "aws_route_table" "igw_ingress" {
    ///   vpc_id = aws_vpc.main.id
    ///   route {
    ///     cidr_block      = aws_subnet.public.cidr_block
    ///     vpc_endpoint_id = tolist(aws_networkfirewall_firewall.main.firewall_status[0].sync_states)[0].attachment[0].endpoint_id
    ///   }
    /// }
    /// resource "aws_route_table_association" "igw_ingress" {
    ///   gateway_id     = aws_internet_gateway.igw.id
    ///   route_table_id = aws_route_table.igw_ingress.id
    /// }
    /// ```
    /// ```yaml
    /// IgwIngressRouteTable:
    ///   Type: AWS::EC2::RouteTable
    ///   Properties:
    ///     VpcId: !Ref Vpc
    /// IgwIngressRoute:
    ///   Type: AWS::EC2::Route
    ///   Properties:
    ///     RouteTableId: !Ref IgwIngressRouteTable
    ///     DestinationCidrBlock: 10.0.0.0/24
    ///     VpcEndpointId: !Select [1, !Split [":", !Select [0, !GetAtt Firewall.EndpointIds]]]
    /// IgwEdgeAssociation:
    ///   Type: AWS::EC2::GatewayRouteTableAssociation
    ///   Properties:
    ///     GatewayId: !Ref InternetGateway
    ///     RouteTableId: !Ref IgwIngressRouteTable
    /// ```
    ///
    /// ## Remediation
    /// Route both directions through the same endpoint: an IGW edge route table with a
    /// route per protected subnet (the NAT gateway's subnet, or the workload subnet when
    /// it routes to the firewall directly) to the firewall endpoint of that subnet's
    /// Availability Zone, and each subnet's `0.0.0.0/0` to its own zone's endpoint.
    /// - **Console**: VPC → Route tables → Create route table → Routes: the subnet CIDR to
    ///   the firewall endpoint (*Gateway Load Balancer endpoint*) → Edge associations →
    ///   the internet gateway.
    /// - **CLI**: `aws ec2 create-route-table`, `aws ec2 create-route --destination-cidr-block
    ///   10.0.0.0/24 --vpc-endpoint-id vpce-…`, `aws ec2 associate-route-table --gateway-id
    ///   igw-… --route-table-id rtb-…`.
    /// - **Terraform**: `aws_route_table` with the route, `aws_route_table_association` with
    ///   `gateway_id`.
    /// - **CloudFormation**: `AWS::EC2::RouteTable`, `AWS::EC2::Route`,
    ///   `AWS::EC2::GatewayRouteTableAssociation`.
    ///
    /// ## Limitations
    /// - Only the internet path is judged (request from the workload, reply from the internet
    ///   gateway); east-west traffic through a firewall and transit gateway designs
    ///   (appliance mode) are not.
    /// - When the request's path cannot be followed to the internet gateway (an unreadable
    ///   route, NAT gateway or workload subnet) the verdict is inconclusive; an internet
    ///   gateway whose attachment is unknown or a firewall whose policy is not in the scanned
    ///   configuration end the walk before the reply, and the check then finds no asymmetry.
    ///
    /// ## References
    /// - <https://docs.aws.amazon.com/network-firewall/latest/developerguide/asymmetric-routing.html>
    /// - <https://docs.aws.amazon.com/network-firewall/latest/developerguide/arch-igw-ngw.html>
    /// - <https://docs.aws.amazon.com/network-firewall/latest/developerguide/vpc-config-route-tables.html>
    /// - <https://docs.aws.amazon.com/vpc/latest/userguide/gateway-route-tables.html>
    /// - no peer check
    pub static CHECK = {
        code: "NET104",
        name: "firewall-asymmetric-route",
        severity: Medium,
        summary: "a workload's internet traffic returns through a different Network Firewall endpoint than it left through, or skips it",
        remediation: "Route the replies through the same firewall endpoint: add an IGW edge route for the protected subnet to its zone's endpoint",
        run: run,
    };
}

fn run(ctx: &Context<'_>, out: &mut Outcomes) {
    let internet = Destination::Internet { port: None };
    let answers = ctx.per_workload(|w| {
        // SageMaker's own network: no customer routes, nothing to be asymmetric.
        let managed = matches!(
            start(ctx.model, w.reach(), false).plane,
            Some(Plane::Managed { .. })
        );
        (!managed).then(|| {
            ctx.reach
                .workload(w.reach(), &internet, Direction::Egress, false)
        })
    });
    for (w, answer) in ctx.workloads.iter().zip(answers) {
        if let Some(answer) = answer {
            judge(w, &answer, out);
        }
    }
}

fn judge(w: &Workload<'_>, answer: &Answer, out: &mut Outcomes) {
    let what = w.kind.noun();
    if let Some(first) = answer.asymmetric.first() {
        let mut whys: Vec<&str> = Vec::new();
        for h in &answer.asymmetric {
            let why = h.rule.strip_prefix("asymmetric path: ").unwrap_or(&h.rule);
            if !whys.contains(&why) {
                whys.push(why);
            }
        }
        out.fail(
            w,
            &first.origin,
            format!(
                "{what}'s internet traffic crosses a Network Firewall one way only: {}",
                whys.join("; ")
            ),
        );
        out.with_path(answer.path.clone());
        return;
    }
    // Asymmetry is decided wherever the walk reached the internet gateway and followed
    // the reply back; a walk that stopped on an unknown before (a route, a gateway, a
    // firewall's policy, the edge route table) leaves it open. Other unknowns (a rule's
    // match, a public IP) do not.
    match answer.return_unknown.first() {
        Some(h) => {
            out.inconclusive(
                w,
                &h.origin,
                format!(
                    "cannot tell whether the {what}'s internet traffic returns through the firewall it left through: {}",
                    describe(h)
                ),
            );
            out.with_path(answer.path.clone());
        }
        None => out.pass(w),
    }
}

#[cfg(test)]
mod tests {
    use super::CHECK;
    use crate::testing::{lines, outcomes, verdicts};

    #[test]
    fn an_edge_route_back_through_the_same_endpoint_passes() {
        assert_eq!(
            verdicts(&CHECK, "pass.tf"),
            [
                ("aws_sagemaker_domain.studio".into(), "pass"),
                ("aws_sagemaker_model.m".into(), "pass"),
                ("aws_sagemaker_notebook_instance.nb".into(), "pass"),
            ]
        );
    }

    #[test]
    fn a_missing_igw_edge_route_table_fails_every_workload_behind_the_nat() {
        let message = "notebook's internet traffic crosses a Network Firewall one way only: \
                       the request crossed aws_networkfirewall_firewall.main but the reply \
                       from the internet is not routed back through it (no IGW edge route \
                       to its endpoint)";
        assert_eq!(
            outcomes(&CHECK, "fail.tf"),
            [(
                "aws_sagemaker_notebook_instance.nb".to_string(),
                "fail",
                message.to_string()
            )]
        );
        // Points at the firewall crossed one way.
        assert_eq!(
            lines(&CHECK, "fail.tf"),
            [(
                "aws_sagemaker_notebook_instance.nb".into(),
                "fail",
                Some(33)
            )]
        );
    }

    #[test]
    fn an_unreadable_nat_route_is_inconclusive() {
        let got = outcomes(&CHECK, "unknown.tf");
        assert_eq!(got.len(), 1, "{got:?}");
        assert_eq!(got[0].1, "inconclusive");
        assert!(
            got[0].2.starts_with(
                "cannot tell whether the notebook's internet traffic returns through the \
                 firewall it left through: aws_route_table.private: "
            ),
            "{}",
            got[0].2
        );
    }
}
