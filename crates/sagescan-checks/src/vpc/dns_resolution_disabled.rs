use super::hosting::Hosting;
use crate::{Context, Outcomes};
use sagescan_model::Value;
use sagescan_model::network::EndpointType;
use std::collections::BTreeSet;

crate::check! {
    /// ## What it checks
    /// A VPC that hosts SageMaker workloads or interface VPC endpoints with
    /// `enableDnsSupport` or `enableDnsHostnames` false. `enableDnsHostnames` defaults to
    /// false in every VPC but the default one, so a VPC that does not mention it fails.
    ///
    /// ## Why it matters
    /// Private DNS of interface endpoints (`api.sagemaker.<region>.amazonaws.com` resolving
    /// to the endpoint's private addresses) works only when both attributes are true. With
    /// either off, the SDK in a notebook or job resolves the public service address: the call
    /// goes out through the NAT gateway (past your endpoint policies) or, without one, hangs
    /// until it times out. Studio in `VpcOnly` mode does not start.
    ///
    /// ## Example
    /// ```hcl
    /// resource "aws_vpc" "ml" {
    ///   cidr_block = "10.0.0.0/16"
    ///   # enable_dns_hostnames absent: false
    /// }
    /// ```
    /// ```yaml
    /// Vpc:
    ///   Type: AWS::EC2::VPC
    ///   Properties:
    ///     CidrBlock: 10.0.0.0/16
    ///     EnableDnsSupport: false
    /// ```
    ///
    /// ## Use instead
    /// ```hcl
    /// resource "aws_vpc" "ml" {
    ///   cidr_block           = "10.0.0.0/16"
    ///   enable_dns_support   = true
    ///   enable_dns_hostnames = true
    /// }
    /// ```
    /// ```yaml
    ///     EnableDnsSupport: true
    ///     EnableDnsHostnames: true
    /// ```
    ///
    /// ## Remediation
    /// - **Console**: VPC → Your VPCs → Actions → Edit VPC settings → enable *DNS
    ///   resolution* and *DNS hostnames*.
    /// - **CLI**: `aws ec2 modify-vpc-attribute --vpc-id vpc-… --enable-dns-support` and
    ///   `aws ec2 modify-vpc-attribute --vpc-id vpc-… --enable-dns-hostnames` (one attribute per
    ///   call).
    /// - **Terraform**: `enable_dns_support = true` and `enable_dns_hostnames = true`.
    /// - **CloudFormation**: `EnableDnsSupport: true` and `EnableDnsHostnames: true`.
    ///
    /// ## Limitations
    /// A VPC using a custom DNS server (DHCP options) that forwards to the Route 53 Resolver
    /// still needs both attributes; one that does not forward is not detected.
    ///
    /// ## References
    /// - <https://docs.aws.amazon.com/vpc/latest/userguide/vpc-dns.html#vpc-dns-support>
    /// - <https://docs.aws.amazon.com/vpc/latest/privatelink/create-interface-endpoint.html>
    /// - no peer check
    pub static CHECK = {
        code: "VPC102",
        name: "dns-resolution-disabled",
        severity: Medium,
        summary: "VPC with SageMaker or interface endpoints has DNS support or hostnames disabled",
        remediation: "Set enableDnsSupport and enableDnsHostnames to true",
        run: run,
    };
}

fn run(ctx: &Context<'_>, out: &mut Outcomes) {
    let mut vpcs: BTreeSet<usize> = Hosting::new(ctx).vpcs.into_keys().collect();
    for e in &ctx.model.vpc_endpoints {
        if e.endpoint_type.get() == Some(&EndpointType::Interface)
            && let Some(v) = e
                .vpc
                .get()
                .and_then(|r| ctx.model.position(e.meta.config, r))
        {
            vpcs.insert(v);
        }
    }
    for v in vpcs {
        let vpc = &ctx.model.vpcs[v];
        let attrs = [
            ("enableDnsSupport", &vpc.enable_dns_support),
            ("enableDnsHostnames", &vpc.enable_dns_hostnames),
        ];
        let mut off = Vec::new();
        let mut unknown = None;
        for (name, value) in attrs {
            match value {
                Value::Set {
                    value: false,
                    origin,
                } => off.push((origin, format!("{name} false"))),
                Value::Default {
                    value: false,
                    origin,
                } => off.push((
                    origin,
                    format!("{name} false ({name} is not set; AWS default applies)"),
                )),
                Value::Unknown { reason, origin, .. } => {
                    unknown.get_or_insert((origin, format!("cannot tell {name}: {reason}")));
                }
                _ => {}
            }
        }
        if let Some((origin, _)) = off.first() {
            let what: Vec<&str> = off.iter().map(|(_, m)| m.as_str()).collect();
            out.fail(
                vpc,
                origin,
                format!(
                    "VPC with SageMaker workloads or interface endpoints has {}",
                    what.join(", ")
                ),
            );
        } else if let Some((origin, message)) = unknown {
            out.inconclusive(vpc, origin, message);
        } else {
            out.pass(vpc);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::CHECK;
    use crate::testing::{lines, outcomes, verdicts};

    #[test]
    fn both_attributes_on_pass() {
        assert_eq!(
            verdicts(&CHECK, "pass.tf"),
            [("aws_vpc.main".into(), "pass")]
        );
    }

    #[test]
    fn off_or_defaulted_hostnames_fail() {
        let got = outcomes(&CHECK, "fail.tf");
        assert_eq!(got.len(), 2, "{got:?}");
        assert_eq!((got[0].0.as_str(), got[0].1), ("aws_vpc.endpoints", "fail"));
        assert_eq!(
            got[0].2,
            "VPC with SageMaker workloads or interface endpoints has enableDnsHostnames false \
             (enableDnsHostnames is not set; AWS default applies)"
        );
        assert_eq!((got[1].0.as_str(), got[1].1), ("aws_vpc.ml", "fail"));
        assert_eq!(
            got[1].2,
            "VPC with SageMaker workloads or interface endpoints has enableDnsSupport false"
        );
        // Points at `enable_dns_support = false`.
        assert_eq!(
            lines(&CHECK, "fail.tf")[1],
            ("aws_vpc.ml".into(), "fail", Some(3))
        );
    }

    #[test]
    fn unknown_attribute_is_inconclusive() {
        let got = outcomes(&CHECK, "unknown.tf");
        assert_eq!(got.len(), 1, "{got:?}");
        assert_eq!(got[0].1, "inconclusive");
        assert!(got[0].2.contains("var.dns_hostnames"), "{}", got[0].2);
    }
}
