use crate::{Context, Fix, FixValue, Outcomes, Safety};
use std::collections::BTreeSet;

crate::check! {
    /// ## What it checks
    /// A subnet used by a SageMaker workload (notebook, model, Studio domain, job) whose
    /// `MapPublicIpOnLaunch` is true. One outcome per subnet, however many workloads use it.
    /// The attribute defaults to false, except in a default VPC's default subnets.
    ///
    /// ## Why it matters
    /// Every network interface launched in such a subnet gets a public IPv4 address. With a
    /// route to an internet gateway, the workload is then reachable from, and can reach,
    /// the internet directly, bypassing the NAT gateway and any Network Firewall on the way
    /// out. Private subnets for SageMaker should never hand out public addresses.
    ///
    /// ## Example
    /// ```hcl
    /// resource "aws_subnet" "private_a" {
    ///   vpc_id                  = aws_vpc.ml.id
    ///   cidr_block              = "10.0.10.0/24"
    ///   map_public_ip_on_launch = true
    /// }
    /// ```
    /// ```yaml
    /// PrivateSubnetA:
    ///   Type: AWS::EC2::Subnet
    ///   Properties:
    ///     VpcId: !Ref Vpc
    ///     CidrBlock: 10.0.10.0/24
    ///     MapPublicIpOnLaunch: true
    /// ```
    ///
    /// ## Use instead
    /// ```hcl
    ///   map_public_ip_on_launch = false
    /// ```
    /// ```yaml
    ///     MapPublicIpOnLaunch: false
    /// ```
    ///
    /// ## Remediation
    /// - **Console**: VPC → Subnets → select the subnet → Actions → Edit subnet settings →
    ///   clear *Enable auto-assign public IPv4 address*.
    /// - **CLI**: `aws ec2 modify-subnet-attribute --subnet-id subnet-…
    ///   --no-map-public-ip-on-launch`
    /// - **Terraform**: `map_public_ip_on_launch = false` (or remove the attribute).
    /// - **CloudFormation**: `MapPublicIpOnLaunch: false`.
    ///
    /// Interfaces already launched keep their public address until they are recreated.
    ///
    /// ## References
    /// - <https://docs.aws.amazon.com/vpc/latest/userguide/subnet-public-ip.html>
    /// - <https://docs.aws.amazon.com/securityhub/latest/userguide/ec2-controls.html#ec2-15>
    /// - AWS Security Hub EC2.15; Prowler; Checkov CKV_AWS_130; Trivy
    pub static CHECK = {
        code: "VPC103",
        name: "subnet-auto-public-ip",
        severity: Medium,
        summary: "subnet of a SageMaker workload assigns public IP addresses on launch",
        remediation: "Set MapPublicIpOnLaunch to false on the SageMaker subnets",
        run: run,
    };
}

fn run(ctx: &Context<'_>, out: &mut Outcomes) {
    let mut subnets = BTreeSet::new();
    for w in &ctx.workloads {
        let Some(list) = w.subnets.get() else {
            let reason = w.subnets.unknown_reason().unwrap_or_default();
            out.inconclusive(
                w,
                w.subnets.origin(),
                format!("cannot tell the workload's subnets: {reason}"),
            );
            continue;
        };
        for r in list {
            match ctx.model.position(w.meta.config, r) {
                Some(s) => {
                    subnets.insert(s);
                }
                None => out.inconclusive(
                    w,
                    w.subnets.origin(),
                    format!(
                        "cannot tell MapPublicIpOnLaunch: subnet {} is not in the scanned configuration",
                        r.key
                    ),
                ),
            }
        }
    }
    for s in subnets {
        let subnet = &ctx.model.subnets[s];
        out.judge(
            subnet,
            "MapPublicIpOnLaunch",
            &subnet.map_public_ip_on_launch,
            |on| {
                on.then(|| {
                    "subnet of a SageMaker workload has MapPublicIpOnLaunch true".to_string()
                })
            },
        );
        out.with_fix(Fix::set(
            "Stop assigning public IPs on launch",
            Safety::Safe,
            &["MapPublicIpOnLaunch"],
            FixValue::Bool(false),
            &subnet.map_public_ip_on_launch,
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::CHECK;
    use crate::testing::{lines, outcomes, verdicts};

    #[test]
    fn private_subnets_pass_once_each() {
        assert_eq!(
            verdicts(&CHECK, "pass.tf"),
            [
                ("aws_subnet.a".into(), "pass"),
                ("aws_subnet.b".into(), "pass")
            ]
        );
    }

    #[test]
    fn public_ip_subnet_fails_at_the_attribute() {
        let got = outcomes(&CHECK, "fail.tf");
        assert_eq!(got.len(), 1, "{got:?}");
        assert_eq!(
            got[0],
            (
                "aws_subnet.a".into(),
                "fail",
                "subnet of a SageMaker workload has MapPublicIpOnLaunch true".into()
            )
        );
        assert_eq!(
            lines(&CHECK, "fail.tf"),
            [("aws_subnet.a".into(), "fail", Some(9))]
        );
    }

    #[test]
    fn unknown_attribute_is_inconclusive() {
        let got = outcomes(&CHECK, "unknown.tf");
        assert_eq!(got.len(), 1, "{got:?}");
        assert_eq!(got[0].1, "inconclusive");
        assert!(got[0].2.contains("var.public_ips"), "{}", got[0].2);
    }
}
