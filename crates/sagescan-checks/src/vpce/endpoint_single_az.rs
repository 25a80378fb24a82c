use super::{is_interface, service};
use crate::zones::{Zones, zones_of};
use crate::{Context, Outcomes};

crate::check! {
    /// ## What it checks
    /// An interface VPC endpoint whose subnets lie in fewer than two Availability Zones.
    /// The zones are counted, not the subnets: two subnets in one zone are still one zone.
    ///
    /// ## Why it matters
    /// An interface endpoint has one network interface per subnet. When its only zone is
    /// impaired, every workload in the other zones loses the service too (with private DNS,
    /// the name resolves only to the dead interface): training jobs hang, endpoints cannot
    /// log, Studio cannot call the SageMaker API.
    ///
    /// ## Example
    /// ```hcl
    /// resource "aws_vpc_endpoint" "sagemaker_api" {
    ///   vpc_id              = aws_vpc.ml.id
    ///   service_name        = "com.amazonaws.us-east-1.sagemaker.api"
    ///   vpc_endpoint_type   = "Interface"
    ///   private_dns_enabled = true
    ///   subnet_ids          = [aws_subnet.private_a.id]
    /// }
    /// ```
    /// ```yaml
    ///     VpcEndpointType: Interface
    ///     SubnetIds: [!Ref PrivateSubnetA]
    /// ```
    ///
    /// ## Use instead
    /// ```hcl
    ///   subnet_ids = [aws_subnet.private_a.id, aws_subnet.private_b.id]
    /// ```
    /// ```yaml
    ///     SubnetIds: [!Ref PrivateSubnetA, !Ref PrivateSubnetB]
    /// ```
    ///
    /// ## Remediation
    /// - **Console**: VPC → Endpoints → select the endpoint → Actions → Manage subnets → add
    ///   a subnet in another Availability Zone.
    /// - **CLI**: `aws ec2 modify-vpc-endpoint --vpc-endpoint-id vpce-… --add-subnet-ids
    ///   subnet-…`
    /// - **Terraform**: add subnets of a second zone to `subnet_ids`.
    /// - **CloudFormation**: add subnets of a second zone to `SubnetIds`.
    ///
    /// ## References
    /// - <https://docs.aws.amazon.com/vpc/latest/privatelink/interface-endpoints.html>
    /// - <https://docs.aws.amazon.com/sagemaker/latest/dg/interface-vpc-endpoint.html>
    /// - Prowler (counts subnets, not zones)
    pub static CHECK = {
        code: "VPCE104",
        name: "endpoint-single-az",
        severity: Low,
        summary: "interface VPC endpoint is in fewer than two Availability Zones",
        remediation: "Give the interface endpoint subnets in at least two Availability Zones",
        run: run,
    };
}

fn run(ctx: &Context<'_>, out: &mut Outcomes) {
    for e in &ctx.model.vpc_endpoints {
        // Gateway endpoints are regional: nothing to spread across zones.
        if !is_interface(out, e) {
            continue;
        }
        let Some(subnets) = e.subnets.get() else {
            let reason = e.subnets.unknown_reason().unwrap_or_default();
            out.inconclusive(
                e,
                e.subnets.origin(),
                format!("cannot tell the endpoint's subnets: {reason}"),
            );
            continue;
        };
        let Zones {
            known: zones,
            unknown,
        } = zones_of(ctx.model, e.meta.config, subnets, e.subnets.origin());
        if zones.len() >= 2 {
            out.pass(e);
        } else if let Some((origin, message)) = unknown {
            out.inconclusive(e, &origin, message);
        } else {
            let zones: Vec<&str> = zones.into_iter().collect();
            let listed = if zones.is_empty() {
                "no Availability Zone".to_string()
            } else {
                format!("one Availability Zone ({})", zones.join(", "))
            };
            out.fail(
                e,
                e.subnets.origin(),
                format!("interface endpoint {} has subnets in {listed}", service(e)),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::CHECK;
    use crate::testing::{outcomes, verdicts};

    #[test]
    fn two_zones_pass() {
        assert_eq!(
            verdicts(&CHECK, "pass.tf"),
            [("aws_vpc_endpoint.sts".into(), "pass")]
        );
    }

    #[test]
    fn two_subnets_in_one_zone_fail() {
        let got = outcomes(&CHECK, "fail.tf");
        assert_eq!(
            got,
            [(
                "aws_vpc_endpoint.sts".into(),
                "fail",
                "interface endpoint com.amazonaws.us-east-1.sts has subnets in one Availability \
                 Zone (us-east-1a)"
                    .into()
            )]
        );
    }

    #[test]
    fn unknown_endpoint_type_is_inconclusive_not_skipped() {
        let got = outcomes(&CHECK, "unknown_type.tf");
        assert_eq!(got.len(), 1, "{got:?}");
        assert_eq!(got[0].1, "inconclusive");
        assert!(got[0].2.contains("var.endpoint_type"), "{}", got[0].2);
    }

    #[test]
    fn unknown_zone_is_inconclusive() {
        let got = outcomes(&CHECK, "unknown.tf");
        assert_eq!(got.len(), 1, "{got:?}");
        assert_eq!(got[0].1, "inconclusive");
        assert!(got[0].2.contains("var.second_az"), "{}", got[0].2);
    }
}
