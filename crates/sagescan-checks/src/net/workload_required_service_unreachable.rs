//! NET103: can a SageMaker workload in a VPC reach the AWS services it cannot work without?
//! Asks the reachability engine one `service:` question per required service and names
//! each one that is not reachable with the control that blocks it.

use crate::net::workload_internet_egress_uninspected::describe;
use crate::net::workload_internet_ingress::first_unknown;
use crate::workload::{Workload, WorkloadKind};
use crate::{Context, Outcomes};
use sagescan_reach::source::{Plane, start};
use sagescan_reach::{Answer, Decision, Destination, Direction, Verdict};

crate::check! {
    /// ## What it checks
    /// Whether a SageMaker workload that runs in a customer VPC can reach the AWS services
    /// it needs, over the path the reachability engine finds from its subnets (an interface
    /// endpoint when private DNS resolves the service name to it, otherwise the public
    /// service addresses through a gateway endpoint route, a NAT gateway, a Network
    /// Firewall and the internet gateway):
    ///
    /// - models, training, processing and monitoring jobs: **S3**, for the data and model
    ///   artifacts SageMaker itself downloads and uploads through the job's subnets — with
    ///   network isolation too, which stops only the container's own calls;
    /// - Studio domains in `VpcOnly` mode, their user profiles and spaces: the **SageMaker API** (`sagemaker.api`), the
    ///   **SageMaker Runtime** (`sagemaker.runtime`), **STS**, **CloudWatch Logs** (`logs`)
    ///   and **S3**.
    ///
    /// It fails when some required service is not reachable, and is inconclusive when the
    /// engine cannot tell. Notebook instances (whose needs depend on the code run in them),
    /// Studio domains in `PublicInternetOnly` mode and workloads without subnets (SageMaker's
    /// own network serves them) are not judged.
    ///
    /// ## Why it matters
    /// A job that cannot reach S3 does not fail fast: it waits on connection timeouts until
    /// SageMaker gives up, and Studio apps that cannot reach the SageMaker API or STS hang
    /// on start. The usual cause is an egress lock-down done right for the internet (a
    /// Network Firewall allow-list, no NAT) without the VPC endpoints that should replace
    /// it, or an interface endpoint whose private DNS is off, so that the service name
    /// still resolves to public addresses that the firewall drops.
    ///
    /// ## Example
    /// A model in private subnets whose only way out is a firewall allow-list, with no S3
    /// gateway endpoint:
    /// ```hcl
    /// resource "aws_route_table" "private" {
    ///   vpc_id = aws_vpc.main.id
    ///   route {
    ///     cidr_block     = "0.0.0.0/0"
    ///     nat_gateway_id = aws_nat_gateway.nat.id
    ///   }
    /// }
    /// # the NAT subnet routes through aws_networkfirewall_firewall.main, whose allow-list
    /// # holds pypi.org only; no aws_vpc_endpoint for com.amazonaws.<region>.s3
    /// ```
    /// ```yaml
    /// PrivateRoute:
    ///   Type: AWS::EC2::Route
    ///   Properties:
    ///     RouteTableId: !Ref PrivateRouteTable
    ///     DestinationCidrBlock: 0.0.0.0/0
    ///     NatGatewayId: !Ref Nat
    /// # no AWS::EC2::VPCEndpoint for S3
    /// ```
    ///
    /// ## Use instead
    /// ```hcl
    /// resource "aws_vpc_endpoint" "s3" {
    ///   vpc_id            = aws_vpc.main.id
    ///   service_name      = "com.amazonaws.us-east-1.s3"
    ///   vpc_endpoint_type = "Gateway"
    ///   route_table_ids   = [aws_route_table.private.id]
    /// }
    /// resource "aws_vpc_endpoint" "sts" {
    ///   vpc_id              = aws_vpc.main.id
    ///   service_name        = "com.amazonaws.us-east-1.sts"
    ///   vpc_endpoint_type   = "Interface"
    ///   private_dns_enabled = true
    ///   subnet_ids          = [aws_subnet.private_a.id, aws_subnet.private_b.id]
    ///   security_group_ids  = [aws_security_group.endpoints.id]
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
    /// StsEndpoint:
    ///   Type: AWS::EC2::VPCEndpoint
    ///   Properties:
    ///     VpcId: !Ref Vpc
    ///     ServiceName: !Sub com.amazonaws.${AWS::Region}.sts
    ///     VpcEndpointType: Interface
    ///     PrivateDnsEnabled: true
    ///     SubnetIds: [!Ref PrivateA, !Ref PrivateB]
    ///     SecurityGroupIds: [!Ref EndpointSg]
    /// ```
    ///
    /// ## Remediation
    /// Add the missing endpoint (S3: a gateway endpoint on the workload subnets' route
    /// tables; the others: interface endpoints with private DNS), or fix the control the
    /// finding names (the endpoint's security group, a network ACL, the route).
    /// - **Console**: VPC → Endpoints → Create endpoint → AWS services →
    ///   `com.amazonaws.<region>.s3` (Gateway, select the route tables) or
    ///   `….sts` / `….logs` / `….sagemaker.api` / `….sagemaker.runtime` (Interface, enable
    ///   *Private DNS name*, select the subnets and a group admitting TCP 443).
    /// - **CLI**: `aws ec2 create-vpc-endpoint --vpc-id vpc-… --service-name
    ///   com.amazonaws.<region>.s3 --route-table-ids rtb-…`; for interface endpoints
    ///   `--vpc-endpoint-type Interface --subnet-ids … --security-group-ids …
    ///   --private-dns-enabled`; `aws ec2 modify-vpc-endpoint --private-dns-enabled`.
    /// - **Terraform**: `aws_vpc_endpoint` as above (`private_dns_enabled = true`).
    /// - **CloudFormation**: `AWS::EC2::VPCEndpoint` as above (`PrivateDnsEnabled: true`).
    ///
    /// ## Limitations
    /// - Services reached through the internet are judged by the path to the service's
    ///   public addresses as a TLS connection to `<service>.amazonaws.com`; an allow-list
    ///   entry for the real regional host name (`s3.us-east-1.amazonaws.com`) that the
    ///   engine's probe name does not match is not credited.
    /// - Endpoint policies are not network controls and are not evaluated; Service Catalog
    ///   (SageMaker Projects), ECR and other services that depend on what the workload runs
    ///   are not required.
    ///
    /// ## References
    /// - <https://docs.aws.amazon.com/sagemaker/latest/dg/studio-updated-and-internet-access.html>
    /// - <https://docs.aws.amazon.com/sagemaker/latest/dg/train-vpc.html>
    /// - <https://docs.aws.amazon.com/sagemaker/latest/dg/host-vpc.html>
    /// - <https://docs.aws.amazon.com/sagemaker/latest/dg/process-vpc.html>
    /// - <https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_CreateTrainingJob.html>
    ///   (`EnableNetworkIsolation`: SageMaker's own S3 transfers go through the VPC)
    /// - <https://docs.aws.amazon.com/sagemaker/latest/dg/interface-vpc-endpoint.html>
    /// - <https://docs.aws.amazon.com/vpc/latest/privatelink/gateway-endpoints.html>
    /// - no peer check
    pub static CHECK = {
        code: "NET103",
        name: "workload-required-service-unreachable",
        severity: Medium,
        summary: "a workload in a VPC cannot reach an AWS service it needs (S3 for jobs and models; Studio: SageMaker API/runtime, STS, logs)",
        remediation: "Add the missing VPC endpoint (S3 gateway, interface endpoints with private DNS) or open the control that blocks it",
        run: run,
    };
}

/// Studio `VpcOnly`: every app call goes through the VPC (§4.5 of reachability-semantics:
/// API and runtime to run Studio, STS and Logs for SDK remote jobs, S3 for data).
const STUDIO: &[&str] = &["sagemaker.api", "sagemaker.runtime", "sts", "logs", "s3"];
/// Models and jobs: SageMaker's own S3 downloads and uploads (§4.6–§4.7).
const JOBS: &[&str] = &["s3"];

fn run(ctx: &Context<'_>, out: &mut Outcomes) {
    let answers = ctx.per_workload(|w| {
        let services = match w.kind {
            WorkloadKind::Notebook => return None,
            WorkloadKind::Studio | WorkloadKind::StudioUser | WorkloadKind::StudioSpace => STUDIO,
            WorkloadKind::Hosting
            | WorkloadKind::Training
            | WorkloadKind::Processing
            | WorkloadKind::Monitoring => JOBS,
        };
        // Platform transfers for jobs and models: network isolation does not stop them.
        // Studio has no isolation setting, so the flag changes nothing there.
        let platform = !w.kind.is_studio();
        // SageMaker's own network (no subnets, Studio `PublicInternetOnly`) reaches every
        // service itself: not this check's question.
        if matches!(
            start(ctx.model, w.reach(), platform).plane,
            Some(Plane::Managed { .. })
        ) {
            return None;
        }
        let answers: Vec<(&str, Answer)> = services
            .iter()
            .map(|&name| {
                let to = Destination::Service { name: name.into() };
                (
                    name,
                    ctx.reach
                        .workload(w.reach(), &to, Direction::Egress, platform),
                )
            })
            .collect();
        Some(answers)
    });
    for (w, answers) in ctx.workloads.iter().zip(answers) {
        if let Some(answers) = answers {
            judge(w, &answers, out);
        }
    }
}

fn judge(w: &Workload<'_>, answers: &[(&str, Answer)], out: &mut Outcomes) {
    let what = w.kind.noun();
    let unreachable: Vec<&(&str, Answer)> = answers
        .iter()
        .filter(|(_, a)| a.verdict == Verdict::NotReachable)
        .collect();
    if let Some((_, first)) = unreachable.first() {
        let reasons: Vec<String> = unreachable
            .iter()
            .map(|(name, a)| format!("{name}: {}", blocked(name, a)))
            .collect();
        let origin = deciding(first)
            .map(|h| h.origin.clone())
            .unwrap_or_default();
        out.fail(
            w,
            &origin,
            format!("{what} cannot reach {}", reasons.join("; cannot reach ")),
        );
        out.with_path(first.path.clone());
        return;
    }
    if let Some((name, a)) = answers.iter().find(|(_, a)| a.verdict == Verdict::Unknown) {
        let (origin, why) = first_unknown(a);
        out.inconclusive(
            w,
            &origin,
            format!("cannot tell whether the {what} can reach {name}: {why}"),
        );
        out.with_path(a.path.clone());
        return;
    }
    out.pass(w);
}

/// The control that blocks the path shown: the first blocking hop of the path, else the
/// first of every blocking control.
fn deciding(a: &Answer) -> Option<&sagescan_reach::Hop> {
    a.path
        .iter()
        .find(|h| h.decision == Decision::Block)
        .or(a.blocked_by.first())
}

/// Why `service` is not reachable: how its name resolved, then what blocks the path.
fn blocked(service: &str, a: &Answer) -> String {
    let via_endpoint = a.path.iter().any(|h| h.kind == "vpc_endpoint");
    let resolution = match (via_endpoint, service) {
        (true, _) => String::new(),
        (false, "s3") => {
            "no S3 gateway endpoint route or interface endpoint with private DNS, and ".into()
        }
        (false, _) => "no interface endpoint with private DNS, and ".into(),
    };
    let at = match deciding(a) {
        Some(h) => format!("blocked at {}", describe(h)),
        None => "no network interface to start from".into(),
    };
    format!("{resolution}{at}")
}

#[cfg(test)]
mod tests {
    use super::CHECK;
    use crate::testing::{lines, outcomes, verdicts};

    #[test]
    fn endpoints_for_every_required_service_pass_and_notebooks_are_not_judged() {
        assert_eq!(
            verdicts(&CHECK, "pass.tf"),
            [
                ("aws_sagemaker_domain.studio".into(), "pass"),
                ("aws_sagemaker_model.m".into(), "pass"),
            ]
        );
    }

    #[test]
    fn missing_endpoints_behind_an_allow_list_fail_naming_each_service_and_the_firewall() {
        let got = outcomes(&CHECK, "fail.tf");
        let drop = "aws_networkfirewall_firewall.main: policy \
                    aws_networkfirewall_firewall_policy.main: allow-list \
                    aws_networkfirewall_rule_group.domains catch-all drop tls";
        assert_eq!(
            got,
            [
                (
                    "aws_sagemaker_domain.studio".to_string(),
                    "fail",
                    format!(
                        "Studio domain cannot reach sts: no interface endpoint with private \
                         DNS, and blocked at {drop}; cannot reach s3: no S3 gateway endpoint \
                         route or interface endpoint with private DNS, and blocked at {drop}"
                    )
                ),
                (
                    "aws_sagemaker_model.m".to_string(),
                    "fail",
                    format!(
                        "model cannot reach s3: no S3 gateway endpoint route or interface \
                         endpoint with private DNS, and blocked at {drop}"
                    )
                ),
            ]
        );
        // Points at the allow-list (`rules_source_list`) that drops it.
        let at = lines(&CHECK, "fail.tf");
        assert!(at.iter().all(|(_, _, l)| *l == Some(12)), "{at:?}");
    }

    #[test]
    fn an_unreadable_route_is_inconclusive() {
        let got = outcomes(&CHECK, "unknown.tf");
        assert_eq!(got.len(), 1, "{got:?}");
        assert_eq!(got[0].1, "inconclusive");
        assert!(
            got[0]
                .2
                .starts_with("cannot tell whether the model can reach s3: "),
            "{}",
            got[0].2
        );
        assert!(got[0].2.contains("aws_route_table.private"), "{}", got[0].2);
    }
}
