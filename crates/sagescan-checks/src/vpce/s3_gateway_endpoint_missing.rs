use super::is_service;
use crate::sg::rules::Why;
use crate::{Context, Outcomes};
use sagescan_model::network::EndpointType;
use sagescan_model::{ConfigId, Link, Origin};
use std::collections::{HashMap, HashSet};

crate::check! {
    /// ## What it checks
    /// A SageMaker workload in a VPC with a subnet whose route table (its explicit
    /// association, else the VPC's main table) is not associated with an S3 gateway endpoint
    /// (`com.amazonaws.<region>.s3`, type `Gateway`). When the main table is not declared,
    /// AWS's own applies, which has only the local route and no endpoint. One outcome per
    /// workload, listing every subnet without the endpoint.
    ///
    /// ## Why it matters
    /// Training, processing and hosting in VPC mode move data and model artifacts to and
    /// from S3 through the workload's subnets, even under network isolation. Without a
    /// gateway endpoint that traffic goes through the NAT gateway (paid per GB, and past the
    /// firewall allow-list, which then has to admit `*.s3.amazonaws.com` — any bucket, any
    /// account) or, in a VPC without internet egress, the job hangs until it times out.
    ///
    /// ## Example
    /// ```hcl
    /// resource "aws_route_table" "private" {
    ///   vpc_id = aws_vpc.ml.id
    /// }
    /// # no aws_vpc_endpoint for com.amazonaws.<region>.s3 on aws_route_table.private
    /// ```
    /// ```yaml
    /// PrivateRouteTable:
    ///   Type: AWS::EC2::RouteTable
    ///   Properties:
    ///     VpcId: !Ref Vpc
    /// ```
    ///
    /// ## Use instead
    /// ```hcl
    /// resource "aws_vpc_endpoint" "s3" {
    ///   vpc_id            = aws_vpc.ml.id
    ///   service_name      = "com.amazonaws.us-east-1.s3"
    ///   vpc_endpoint_type = "Gateway"
    ///   route_table_ids   = [aws_route_table.private.id]
    /// }
    /// ```
    /// ```yaml
    /// S3Endpoint:
    ///   Type: AWS::EC2::VPCEndpoint
    ///   Properties:
    ///     VpcId: !Ref Vpc
    ///     ServiceName: !Sub com.amazonaws.${AWS::Region}.s3
    ///     VpcEndpointType: Gateway
    ///     RouteTableIds: [!Ref PrivateRouteTable]
    /// ```
    ///
    /// ## Remediation
    /// - **Console**: VPC → Endpoints → Create endpoint → AWS services → `…s3` of type
    ///   *Gateway* → select the workload subnets' route tables.
    /// - **CLI**: `aws ec2 create-vpc-endpoint --vpc-id vpc-… --service-name
    ///   com.amazonaws.<region>.s3 --route-table-ids rtb-…` (or `modify-vpc-endpoint
    ///   --add-route-table-ids`).
    /// - **Terraform**: an `aws_vpc_endpoint` of type `Gateway` with `route_table_ids`, or an
    ///   `aws_vpc_endpoint_route_table_association`.
    /// - **CloudFormation**: an `AWS::EC2::VPCEndpoint` with `RouteTableIds`.
    ///
    /// ## Limitations
    /// An S3 *interface* endpoint also keeps the traffic private but is not counted: it
    /// needs private DNS set up for S3 and is judged by the VPCE checks on its own.
    ///
    /// ## References
    /// - <https://docs.aws.amazon.com/vpc/latest/privatelink/vpc-endpoints-s3.html>
    /// - <https://docs.aws.amazon.com/sagemaker/latest/dg/train-vpc.html#train-vpc-s3>
    /// - no peer check
    pub static CHECK = {
        code: "VPCE102",
        name: "s3-gateway-endpoint-missing",
        severity: Medium,
        summary: "route table of a SageMaker subnet has no S3 gateway endpoint",
        remediation: "Associate an S3 gateway endpoint with the route tables of the SageMaker subnets",
        run: run,
    };
}

fn run(ctx: &Context<'_>, out: &mut Outcomes) {
    let model = ctx.model;
    // Route tables with an S3 gateway endpoint, and configurations where an endpoint that
    // might be one names tables that cannot be told.
    let mut with_s3: HashSet<usize> = HashSet::new();
    let mut doubt: HashMap<ConfigId, Why> = HashMap::new();
    for e in &model.vpc_endpoints {
        let config = e.meta.config;
        let gateway = match e.endpoint_type.get() {
            Some(t) => Ok(*t == EndpointType::Gateway),
            None => Err(Why::of("an endpoint's type", &e.endpoint_type)),
        };
        let s3 = match e.service_name.get() {
            Some(s) => Ok(is_service(s, "s3")),
            None => Err(Why::of("an endpoint's service name", &e.service_name)),
        };
        match (gateway, s3) {
            (Ok(false), _) | (_, Ok(false)) => continue,
            (Err(why), _) | (_, Err(why)) => {
                doubt.entry(config).or_insert(why);
                continue;
            }
            (Ok(true), Ok(true)) => {}
        }
        let Some(tables) = e.route_tables.get() else {
            doubt
                .entry(config)
                .or_insert_with(|| Why::of("the S3 endpoint's route tables", &e.route_tables));
            continue;
        };
        for r in tables {
            match model.position(config, r) {
                Some(t) => {
                    with_s3.insert(t);
                }
                None => {
                    doubt.entry(config).or_insert_with(|| {
                        Why::new(
                            format!("route table {} of the S3 endpoint is not in the scanned configuration", r.key),
                            e.route_tables.origin(),
                        )
                    });
                }
            }
        }
    }

    for w in &ctx.workloads {
        let config = w.meta.config;
        let Some(subnets) = w.subnets.get() else {
            let why = Why::of("the workload's subnets", &w.subnets);
            out.inconclusive(w, &why.origin, format!("cannot tell: {}", why.reason));
            continue;
        };
        if subnets.is_empty() {
            continue;
        }
        let mut missing: Vec<(Origin, String)> = Vec::new();
        let mut unknown: Option<Why> = None;
        for r in subnets {
            let Some(s) = model.position(config, r) else {
                unknown.get_or_insert_with(|| {
                    Why::new(
                        format!("subnet {} is not in the scanned configuration", r.key),
                        w.subnets.origin(),
                    )
                });
                continue;
            };
            let subnet = &model.subnets[s];
            match ctx.topology.route_table_of(s) {
                Link::Explicit { index, .. } | Link::Main { index } => {
                    if !with_s3.contains(index) {
                        let table = &model.route_tables[*index];
                        missing.push((
                            table.meta.origin.clone(),
                            format!("{} ({})", r.key, table.meta.address),
                        ));
                    }
                }
                Link::Implicit => missing.push((
                    subnet.meta.origin.clone(),
                    format!("{} (the VPC's default main route table)", r.key),
                )),
                Link::Unknown { reason, origin } => {
                    unknown.get_or_insert_with(|| {
                        Why::new(
                            format!("the route table of subnet {} is unknown ({reason})", r.key),
                            origin,
                        )
                    });
                }
            }
        }
        let doubt = unknown.or_else(|| doubt.get(&config).cloned());
        match (missing.first(), doubt) {
            (None, None) => out.pass(w),
            (_, Some(why)) => {
                out.inconclusive(w, &why.origin, format!("cannot tell: {}", why.reason))
            }
            (Some((origin, _)), None) => {
                let listed: Vec<&str> = missing.iter().map(|(_, m)| m.as_str()).collect();
                out.fail(
                    w,
                    origin,
                    format!(
                        "{} subnet route table has no S3 gateway endpoint: {}",
                        w.kind.as_str(),
                        listed.join(", ")
                    ),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::CHECK;
    use crate::testing::{lines, outcomes, verdicts};

    #[test]
    fn endpoint_on_the_subnet_table_passes() {
        assert_eq!(
            verdicts(&CHECK, "pass.tf"),
            [("aws_sagemaker_notebook_instance.nb".into(), "pass")]
        );
    }

    #[test]
    fn endpoint_on_another_table_or_implicit_main_fails() {
        let got = outcomes(&CHECK, "fail.tf");
        assert_eq!(
            got,
            [(
                "aws_sagemaker_model.m".into(),
                "fail",
                "hosting subnet route table has no S3 gateway endpoint: aws_subnet.a \
                 (aws_route_table.private), aws_subnet.b (the VPC's default main route table)"
                    .into()
            )]
        );
        // Points at the route table that lacks it.
        assert_eq!(
            lines(&CHECK, "fail.tf"),
            [("aws_sagemaker_model.m".into(), "fail", Some(17))]
        );
    }

    #[test]
    fn unknown_route_tables_are_inconclusive() {
        let got = outcomes(&CHECK, "unknown.tf");
        assert_eq!(got.len(), 1, "{got:?}");
        assert_eq!(got[0].1, "inconclusive");
        assert!(got[0].2.contains("var.route_table_ids"), "{}", got[0].2);
    }
}
