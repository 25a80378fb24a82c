use super::service;
use crate::{Context, Outcomes};
use sagescan_model::network::EndpointType;

crate::check! {
    /// ## What it checks
    /// An interface VPC endpoint with `PrivateDnsEnabled` false, in any VPC. The EC2 API and
    /// Terraform default it to false (only the console defaults to true), so an endpoint that
    /// does not mention it fails. Gateway and Gateway Load Balancer endpoints have no private
    /// DNS and are not judged; an endpoint whose type is unknown is inconclusive.
    ///
    /// ## Why it matters
    /// Without private DNS the service's regular name (`api.sagemaker.<region>.amazonaws.com`)
    /// still resolves to its public addresses. SDKs and the SageMaker platform use the
    /// regular name, so their traffic ignores the endpoint: it leaves through the NAT gateway
    /// (outside the endpoint policy) or, in a VPC without internet egress, times out. The
    /// endpoint exists and does nothing.
    ///
    /// ## Example
    /// ```hcl
    /// resource "aws_vpc_endpoint" "sagemaker_api" {
    ///   vpc_id            = aws_vpc.ml.id
    ///   service_name      = "com.amazonaws.us-east-1.sagemaker.api"
    ///   vpc_endpoint_type = "Interface"
    ///   # private_dns_enabled absent: false
    /// }
    /// ```
    /// ```yaml
    /// SageMakerApi:
    ///   Type: AWS::EC2::VPCEndpoint
    ///   Properties:
    ///     VpcId: !Ref Vpc
    ///     ServiceName: !Sub com.amazonaws.${AWS::Region}.sagemaker.api
    ///     VpcEndpointType: Interface
    ///     PrivateDnsEnabled: false
    /// ```
    ///
    /// ## Use instead
    /// ```hcl
    ///   private_dns_enabled = true
    /// ```
    /// ```yaml
    ///     PrivateDnsEnabled: true
    /// ```
    /// The VPC needs `enableDnsSupport` and `enableDnsHostnames` (VPC102).
    ///
    /// ## Remediation
    /// - **Console**: VPC → Endpoints → select the endpoint → Actions → Modify private DNS
    ///   name → enable.
    /// - **CLI**: `aws ec2 modify-vpc-endpoint --vpc-endpoint-id vpce-… --private-dns-enabled`
    /// - **Terraform**: `private_dns_enabled = true`.
    /// - **CloudFormation**: `PrivateDnsEnabled: true`.
    ///
    /// ## Limitations
    /// A Route 53 private hosted zone written by hand for the service name would make private
    /// DNS unnecessary; it is not looked for.
    ///
    /// ## References
    /// - <https://docs.aws.amazon.com/vpc/latest/privatelink/privatelink-access-aws-services.html#interface-endpoint-private-dns>
    /// - <https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_CreateVpcEndpoint.html>
    /// - no peer check
    pub static CHECK = {
        code: "VPCE103",
        name: "private-dns-disabled",
        severity: Medium,
        summary: "interface VPC endpoint has private DNS disabled",
        remediation: "Enable private DNS on the interface endpoint",
        run: run,
    };
}

fn run(ctx: &Context<'_>, out: &mut Outcomes) {
    for e in &ctx.model.vpc_endpoints {
        match e.endpoint_type.get() {
            Some(EndpointType::Interface) => {
                out.judge(e, "PrivateDnsEnabled", &e.private_dns_enabled, |on| {
                    (!on).then(|| {
                        format!("interface endpoint {} has private DNS disabled", service(e))
                    })
                })
            }
            Some(_) => {}
            None if e.private_dns_enabled.get() == Some(&true) => out.pass(e),
            None => {
                let reason = e.endpoint_type.unknown_reason().unwrap_or_default();
                out.inconclusive(
                    e,
                    e.endpoint_type.origin(),
                    format!("cannot tell whether the endpoint is an interface endpoint: {reason}"),
                )
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::CHECK;
    use crate::testing::{lines, outcomes, verdicts};

    #[test]
    fn private_dns_on_passes_gateway_not_judged() {
        assert_eq!(
            verdicts(&CHECK, "pass.tf"),
            [("aws_vpc_endpoint.sagemaker_api".into(), "pass")]
        );
    }

    #[test]
    fn off_or_absent_fails() {
        let got = outcomes(&CHECK, "fail.tf");
        assert_eq!(got.len(), 2, "{got:?}");
        assert_eq!(
            got[0],
            (
                "aws_vpc_endpoint.sagemaker_api".into(),
                "fail",
                "interface endpoint com.amazonaws.us-east-1.sagemaker.api has private DNS disabled"
                    .into()
            )
        );
        assert_eq!(got[1].0, "aws_vpc_endpoint.sts");
        assert!(got[1].2.contains("AWS default applies"), "{}", got[1].2);
        assert_eq!(
            lines(&CHECK, "fail.tf")[0],
            ("aws_vpc_endpoint.sagemaker_api".into(), "fail", Some(9))
        );
    }

    #[test]
    fn unknown_setting_is_inconclusive() {
        let got = outcomes(&CHECK, "unknown.tf");
        assert_eq!(got.len(), 1, "{got:?}");
        assert_eq!(got[0].1, "inconclusive");
        assert!(got[0].2.contains("var.private_dns"), "{}", got[0].2);
    }
}
