use super::{is_interface, service};
use crate::sg::rules::{Peer, Traffic, Why, describe, inside, peer, vpc_cidrs};
use crate::{Context, Outcomes};
use sagescan_model::network::{Direction, SecurityGroup};
use sagescan_model::{Origin, Value};

crate::check! {
    /// ## What it checks
    /// An interface VPC endpoint whose security groups admit more than TCP 443 from inside
    /// the VPC: an ingress rule for another port or protocol (`-1` included), or from
    /// addresses outside the VPC's CIDRs (`0.0.0.0/0`, say). Peers that are security groups
    /// are inside the VPC. An endpoint without security groups gets the VPC's default group
    /// (judged when declared; AWS's own admits all traffic from its members, which fails).
    ///
    /// ## Why it matters
    /// AWS service endpoints listen on HTTPS only; anything more in the endpoint's group
    /// serves no purpose. A group shared with other resources, or opened to the world, lets
    /// peered networks, VPN users or anything in the VPC reach the endpoint's interfaces and
    /// use your PrivateLink path to the service, and shows that the group was not made for
    /// the endpoint.
    ///
    /// ## Example
    /// ```hcl
    /// resource "aws_security_group" "endpoints" {
    ///   vpc_id = aws_vpc.ml.id
    ///   ingress {
    ///     from_port   = 0
    ///     to_port     = 0
    ///     protocol    = "-1"
    ///     cidr_blocks = ["0.0.0.0/0"]
    ///   }
    /// }
    /// ```
    /// ```yaml
    /// EndpointSg:
    ///   Type: AWS::EC2::SecurityGroup
    ///   Properties:
    ///     VpcId: !Ref Vpc
    ///     SecurityGroupIngress:
    ///       - IpProtocol: "-1"
    ///         CidrIp: 0.0.0.0/0
    /// ```
    ///
    /// ## Use instead
    /// ```hcl
    ///   ingress {
    ///     description     = "HTTPS from SageMaker"
    ///     from_port       = 443
    ///     to_port         = 443
    ///     protocol        = "tcp"
    ///     security_groups = [aws_security_group.sagemaker.id]
    ///   }
    /// ```
    /// ```yaml
    ///       - IpProtocol: tcp
    ///         FromPort: 443
    ///         ToPort: 443
    ///         SourceSecurityGroupId: !Ref SageMakerSg
    /// ```
    ///
    /// ## Remediation
    /// - **Console**: EC2 → Security Groups → the endpoint's group → Inbound rules → Edit;
    ///   keep only TCP 443 from the workloads' group or the VPC CIDR.
    /// - **CLI**: `aws ec2 revoke-security-group-ingress --group-id sg-…
    ///   --ip-permissions …`
    /// - **Terraform**: narrow the `ingress` blocks / `aws_vpc_security_group_ingress_rule`s.
    /// - **CloudFormation**: narrow `SecurityGroupIngress`.
    ///
    /// ## Limitations
    /// The VPC's CIDRs must be known to judge CIDR peers; a peer inside a peered VPC counts
    /// as outside.
    ///
    /// ## References
    /// - <https://docs.aws.amazon.com/vpc/latest/privatelink/create-interface-endpoint.html#vpce-interface-security-group>
    /// - <https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_CreateVpcEndpoint.html>
    /// - no peer check
    pub static CHECK = {
        code: "VPCE105",
        name: "endpoint-sg-too-open",
        severity: Medium,
        summary: "interface VPC endpoint security group admits more than TCP 443 from the VPC",
        remediation: "Allow only TCP 443 from the VPC (or the workloads' security group) to the endpoint",
        run: run,
    };
}

/// Folded verdicts of an endpoint's groups.
#[derive(Default)]
struct Fold {
    failed: Vec<(Origin, String)>,
    unknown: Option<Why>,
}

impl Fold {
    fn group(&mut self, ctx: &Context<'_>, sg: &SecurityGroup) {
        let config = sg.meta.config;
        // Computed at most once per group, and only when a CIDR peer needs it.
        let mut cidrs = None;
        for rule in sg
            .rules
            .iter()
            .filter(|r| r.direction == Direction::Ingress)
        {
            let traffic = match Traffic::of_rule(rule) {
                Ok(t) => t,
                Err(why) => {
                    self.unknown.get_or_insert(why);
                    continue;
                }
            };
            if !traffic.only_tcp_ports(&[443]) {
                self.failed.push((rule.origin.clone(), describe(rule)));
                continue;
            }
            match peer(ctx.model, config, &rule.peer) {
                Ok(Peer::Cidrs(nets)) => {
                    let within = cidrs.get_or_insert_with(|| vpc_cidrs(ctx.model, config, &sg.vpc));
                    match within {
                        Ok(within) if nets.iter().all(|n| inside(n, within)) => {}
                        Ok(_) => self.failed.push((rule.origin.clone(), describe(rule))),
                        Err(why) => {
                            self.unknown.get_or_insert(why.clone());
                        }
                    }
                }
                Ok(_) => {}
                Err(why) => {
                    self.unknown.get_or_insert(why);
                }
            }
        }
        if !sg.rules_complete {
            self.unknown.get_or_insert(Why::new(
                format!(
                    "security group {} may have rules that could not be read",
                    sg.meta.address
                ),
                &sg.meta.origin,
            ));
        }
    }
}

fn run(ctx: &Context<'_>, out: &mut Outcomes) {
    let model = ctx.model;
    for e in &model.vpc_endpoints {
        if !is_interface(out, e) {
            continue;
        }
        let config = e.meta.config;
        let mut fold = Fold::default();
        match &e.security_groups {
            Value::Unknown { .. } => {
                fold.unknown = Some(Why::of(
                    "the endpoint's security groups",
                    &e.security_groups,
                ));
            }
            v => {
                let groups = v.get().map(Vec::as_slice).unwrap_or_default();
                if groups.is_empty() {
                    // No group given: AWS attaches the VPC's default security group.
                    let vpc = e.vpc.get().and_then(|r| model.position(config, r));
                    let default = model.security_groups.iter().find(|g| {
                        g.is_default
                            && g.meta.config == config
                            && g.vpc
                                .get()
                                .and_then(|r| r.as_ref())
                                .and_then(|r| model.position(config, r))
                                == vpc
                    });
                    match (vpc, default) {
                        (Some(_), Some(g)) => fold.group(ctx, g),
                        (Some(_), None) => fold.failed.push((
                            v.origin().clone(),
                            "no security group given: the VPC's default group admits all traffic from its members".into(),
                        )),
                        (None, _) => fold.unknown = Some(Why::new("no security group given and the endpoint's VPC cannot be resolved", v.origin())),
                    }
                }
                for r in groups {
                    match model.get(config, r) {
                        Some(g) => fold.group(ctx, g),
                        None => {
                            fold.unknown.get_or_insert(Why::new(
                                format!(
                                    "security group {} is not in the scanned configuration",
                                    r.key
                                ),
                                v.origin(),
                            ));
                        }
                    }
                }
            }
        }
        if let Some((origin, _)) = fold.failed.first() {
            let mut what: Vec<&str> = fold.failed.iter().map(|(_, m)| m.as_str()).collect();
            what.dedup();
            out.fail(
                e,
                origin,
                format!(
                    "interface endpoint {} security group admits {}",
                    service(e),
                    what.join(", ")
                ),
            );
        } else if let Some(why) = fold.unknown {
            out.inconclusive(e, &why.origin, format!("cannot tell: {}", why.reason));
        } else {
            out.pass(e);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::CHECK;
    use crate::testing::{lines, outcomes, verdicts};

    #[test]
    fn https_from_the_vpc_passes() {
        assert_eq!(
            verdicts(&CHECK, "pass.tf"),
            [("aws_vpc_endpoint.sts".into(), "pass")]
        );
    }

    #[test]
    fn other_ports_or_outside_peers_fail() {
        let got = outcomes(&CHECK, "fail.tf");
        assert_eq!(
            got,
            [(
                "aws_vpc_endpoint.sts".into(),
                "fail",
                "interface endpoint com.amazonaws.us-east-1.sts security group admits ingress \
                 tcp 443 from 0.0.0.0/0, ingress all traffic from 10.0.0.0/16"
                    .into()
            )]
        );
        assert_eq!(
            lines(&CHECK, "fail.tf"),
            [("aws_vpc_endpoint.sts".into(), "fail", Some(9))]
        );
    }

    #[test]
    fn unknown_port_is_inconclusive() {
        let got = outcomes(&CHECK, "unknown.tf");
        assert_eq!(got.len(), 1, "{got:?}");
        assert_eq!(got[0].1, "inconclusive");
        assert!(got[0].2.contains("var.port"), "{}", got[0].2);
    }
}
