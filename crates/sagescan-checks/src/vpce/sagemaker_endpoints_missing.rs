use super::is_service;
use crate::sagemaker::model_public_registry::is_private_ecr;
use crate::sg::rules::Why;
use crate::vpc::hosting::{Hosting, Placement, domain_placement, placement};
use crate::{Context, Outcomes};
use sagescan_model::network::EndpointType;
use sagescan_model::sagemaker::AppNetworkAccessType;
use sagescan_model::{ConfigId, Origin};
use std::collections::{BTreeMap, HashMap};

crate::check! {
    /// ## What it checks
    /// A VPC hosting SageMaker workloads that lacks an interface endpoint for a service
    /// they need. Required, by what the VPC hosts (each configurable):
    /// - any workload: `sagemaker.api`, `sagemaker.runtime`;
    /// - a Studio domain in `VpcOnly` mode: also `sts`, `logs`;
    /// - a model whose image is in a private Amazon ECR registry: also `ecr.api`, `ecr.dkr`.
    ///
    /// An endpoint counts when its type is `Interface`, it is in that VPC, and its service
    /// name ends in `.<service>`. One outcome per hosting VPC, listing the missing services.
    ///
    /// ## Why it matters
    /// In a private VPC the SDK calls of notebooks, Studio apps and jobs (create a job, invoke
    /// an endpoint, assume a role, stream logs, pull an image) need either these endpoints or
    /// a path to the internet. Without the endpoint, the call goes out through the NAT gateway
    /// (widening what the firewall must allow) or, with no egress at all, hangs until it
    /// times out; Studio in `VpcOnly` mode cannot start apps.
    ///
    /// ## Example
    /// ```hcl
    /// resource "aws_vpc_endpoint" "sagemaker_api" {
    ///   vpc_id              = aws_vpc.ml.id
    ///   service_name        = "com.amazonaws.us-east-1.sagemaker.api"
    ///   vpc_endpoint_type   = "Interface"
    ///   private_dns_enabled = true
    /// }
    /// # no sagemaker.runtime endpoint
    /// ```
    /// ```yaml
    /// SageMakerApi:
    ///   Type: AWS::EC2::VPCEndpoint
    ///   Properties:
    ///     VpcId: !Ref Vpc
    ///     ServiceName: !Sub com.amazonaws.${AWS::Region}.sagemaker.api
    ///     VpcEndpointType: Interface
    /// # no sagemaker.runtime endpoint
    /// ```
    ///
    /// ## Use instead
    /// ```hcl
    /// resource "aws_vpc_endpoint" "interface" {
    ///   for_each            = toset(["sagemaker.api", "sagemaker.runtime", "sts", "logs"])
    ///   vpc_id              = aws_vpc.ml.id
    ///   service_name        = "com.amazonaws.us-east-1.${each.key}"
    ///   vpc_endpoint_type   = "Interface"
    ///   private_dns_enabled = true
    ///   subnet_ids          = [aws_subnet.private_a.id, aws_subnet.private_b.id]
    ///   security_group_ids  = [aws_security_group.endpoints.id]
    /// }
    /// ```
    /// ```yaml
    /// SageMakerRuntime:
    ///   Type: AWS::EC2::VPCEndpoint
    ///   Properties:
    ///     VpcId: !Ref Vpc
    ///     ServiceName: !Sub com.amazonaws.${AWS::Region}.sagemaker.runtime
    ///     VpcEndpointType: Interface
    ///     PrivateDnsEnabled: true
    /// ```
    ///
    /// ## Remediation
    /// - **Console**: VPC → Endpoints → Create endpoint → AWS services → the missing service,
    ///   type *Interface*, the workload subnets, *Enable DNS name*.
    /// - **CLI**: `aws ec2 create-vpc-endpoint --vpc-endpoint-type Interface --vpc-id vpc-…
    ///   --service-name com.amazonaws.<region>.<service> --subnet-ids … --security-group-ids …
    ///   --private-dns-enabled`
    /// - **Terraform**: one `aws_vpc_endpoint` of type `Interface` per missing service.
    /// - **CloudFormation**: one `AWS::EC2::VPCEndpoint` of type `Interface` per missing
    ///   service.
    ///
    /// ## Options
    /// `required_endpoints.any_workload`, `.studio_vpc_only`, `.private_ecr`: service-name
    /// suffixes.
    ///
    /// ## Limitations
    /// Endpoints shared from another VPC through Route 53 private hosted zones are not seen.
    ///
    /// ## References
    /// - <https://docs.aws.amazon.com/sagemaker/latest/dg/interface-vpc-endpoint.html>
    /// - <https://docs.aws.amazon.com/sagemaker/latest/dg/studio-updated-and-internet-access.html>
    /// - partial: AWS Security Hub EC2.55, EC2.56 (ECR only)
    pub static CHECK = {
        code: "VPCE101",
        name: "sagemaker-endpoints-missing",
        severity: Medium,
        summary: "VPC hosting SageMaker workloads lacks interface endpoints they need",
        remediation: "Create the missing interface endpoints in the VPC",
        run: run,
    };
}

/// A requirement and, when it may not hold, why.
type Need<'a> = BTreeMap<&'a str, Option<Why>>;

/// Adds `services` to `need`; a certain need replaces a possible one.
fn require<'a>(need: &mut Need<'a>, services: &'a [String], maybe: Option<&Why>) {
    for s in services {
        match (need.get(s.as_str()), maybe) {
            (Some(None), _) => {}
            (Some(Some(_)), Some(_)) => {}
            _ => {
                need.insert(s, maybe.cloned());
            }
        }
    }
}

/// The interface endpoints of one VPC.
#[derive(Default)]
struct Present<'m> {
    services: Vec<&'m str>,
    /// Endpoints that might be interface endpoints of this VPC for an unknown service.
    unknown: usize,
    why: Option<Why>,
}

fn run(ctx: &Context<'_>, out: &mut Outcomes) {
    let model = ctx.model;
    let req = &ctx.options.required_endpoints;
    let hosting = Hosting::new(ctx);

    let mut present: HashMap<usize, Present> = HashMap::new();
    let mut anywhere: HashMap<ConfigId, Present> = HashMap::new();
    for e in &model.vpc_endpoints {
        let config = e.meta.config;
        if e.endpoint_type
            .get()
            .is_some_and(|t| *t != EndpointType::Interface)
        {
            continue;
        }
        let vpc = e.vpc.get().and_then(|r| model.position(config, r));
        // An endpoint whose VPC does not resolve may be in any VPC of its configuration.
        let slot = match vpc {
            Some(v) => present.entry(v).or_default(),
            None => anywhere.entry(config).or_default(),
        };
        let name = &e.meta.address;
        let why = if e.endpoint_type.get().is_none() {
            Some(Why::of(
                &format!("the type of endpoint {name}"),
                &e.endpoint_type,
            ))
        } else if e.service_name.get().is_none() {
            Some(Why::of(
                &format!("the service of endpoint {name}"),
                &e.service_name,
            ))
        } else if vpc.is_none() {
            Some(Why::new(
                format!("the VPC of endpoint {name} cannot be resolved"),
                e.vpc.origin(),
            ))
        } else {
            None
        };
        match (why, e.service_name.get()) {
            (None, Some(service)) => slot.services.push(service),
            (why, _) => {
                slot.unknown += 1;
                if let Some(why) = why {
                    slot.why.get_or_insert(why);
                }
            }
        }
    }

    // What each hosting VPC needs: Studio VpcOnly domains and private-ECR models add to it.
    let mut needs: HashMap<usize, Need> = HashMap::new();
    for d in &model.domains {
        let Placement::Vpc(v) = domain_placement(ctx, d) else {
            continue;
        };
        let maybe = match d.app_network_access_type.get() {
            Some(AppNetworkAccessType::VpcOnly) => None,
            Some(_) => continue,
            None => Some(Why::of(
                "the domain's AppNetworkAccessType",
                &d.app_network_access_type,
            )),
        };
        require(
            needs.entry(v).or_default(),
            &req.studio_vpc_only,
            maybe.as_ref(),
        );
    }
    for m in &model.models {
        let Some(Some(vpc)) = m.vpc_config.get() else {
            continue;
        };
        let Placement::Vpc(v) = placement(ctx, m.meta.config, &vpc.subnets) else {
            continue;
        };
        let maybe = match m.containers.get() {
            None => Some(Why::of("the model's containers", &m.containers)),
            Some(cs) => {
                let mut maybe = None;
                let mut certain = false;
                for c in cs {
                    match c.image.get() {
                        Some(Some(img)) if is_private_ecr(img) => certain = true,
                        Some(_) => {}
                        None => {
                            maybe.get_or_insert(Why::of("a container image", &c.image));
                        }
                    }
                }
                if certain {
                    None
                } else if maybe.is_some() {
                    maybe
                } else {
                    continue;
                }
            }
        };
        require(
            needs.entry(v).or_default(),
            &req.private_ecr,
            maybe.as_ref(),
        );
    }

    for (&v, hosted) in &hosting.vpcs {
        let vpc = &model.vpcs[v];
        let mut need = needs.remove(&v).unwrap_or_default();
        require(&mut need, &req.any_workload, None);
        let none = Present::default();
        let here = present.get(&v).unwrap_or(&none);
        let elsewhere = anywhere.get(&vpc.meta.config).unwrap_or(&none);
        let unknown = here.unknown + elsewhere.unknown;
        let missing: Vec<(&str, &Option<Why>)> = need
            .iter()
            .filter(|(s, _)| !here.services.iter().any(|n| is_service(n, s)))
            .map(|(s, m)| (*s, m))
            .collect();
        let certain: Vec<&str> = missing
            .iter()
            .filter(|(_, m)| m.is_none())
            .map(|(s, _)| *s)
            .collect();
        // Each endpoint of unknown service could supply at most one missing service.
        if certain.len() > unknown {
            let kinds: Vec<&str> = {
                let mut k: Vec<&str> = hosted.workloads.iter().map(|w| w.kind.as_str()).collect();
                k.sort();
                k.dedup();
                k
            };
            out.fail(
                vpc,
                &Origin::None,
                format!(
                    "VPC hosting SageMaker workloads ({}) has no interface endpoint for {}",
                    kinds.join(", "),
                    certain.join(", ")
                ),
            );
        } else if let Some((s, maybe)) = missing.first() {
            let why = Option::<Why>::clone(maybe)
                .or_else(|| here.why.clone())
                .or_else(|| elsewhere.why.clone())
                .unwrap_or_else(|| Why::new("an endpoint is unknown", &Origin::None));
            out.inconclusive(
                vpc,
                &why.origin,
                format!(
                    "cannot tell whether the VPC needs or has a {s} endpoint: {}",
                    why.reason
                ),
            );
        } else {
            out.pass(vpc);
        }
    }
    hosting.report_unknown(out, "which VPC hosts the workload");
}

#[cfg(test)]
mod tests {
    use super::CHECK;
    use crate::testing::{outcomes, verdicts};

    #[test]
    fn every_required_service_present_passes() {
        assert_eq!(
            verdicts(&CHECK, "pass.tf"),
            [("aws_vpc.main".into(), "pass")]
        );
    }

    #[test]
    fn studio_vpc_only_and_private_ecr_add_to_the_required_set() {
        let got = outcomes(&CHECK, "fail.tf");
        assert_eq!(
            got,
            [(
                "aws_vpc.main".into(),
                "fail",
                "VPC hosting SageMaker workloads (hosting, studio) has no interface endpoint for \
                 ecr.api, ecr.dkr, logs, sagemaker.runtime, sts"
                    .into()
            )]
        );
    }

    #[test]
    fn unknown_service_name_is_inconclusive() {
        let got = outcomes(&CHECK, "unknown.tf");
        assert_eq!(got.len(), 1, "{got:?}");
        assert_eq!(got[0].1, "inconclusive");
        assert!(got[0].2.contains("sagemaker.runtime"), "{}", got[0].2);
        assert!(got[0].2.contains("var.runtime_service"), "{}", got[0].2);
    }
}
