use super::hosting::Hosting;
use crate::sg::rules::Why;
use crate::{Context, Outcomes};
use sagescan_model::network::{FlowLog, FlowLogTarget};
use sagescan_model::{ConfigId, Origin, Value};
use std::collections::HashMap;

crate::check! {
    /// ## What it checks
    /// A VPC hosting SageMaker workloads (the VPC of a workload's subnets, or a Studio
    /// domain's VPC) without an active flow log: a flow log on the VPC whose traffic type is
    /// `ALL` or `REJECT` (`ALL` only when the `flow_logs_require_all` option is set). Flow
    /// logs on every subnet the workloads use count as well. One outcome per hosting VPC.
    ///
    /// ## Why it matters
    /// Flow logs are the only record of which addresses a notebook, training job or endpoint
    /// talked to. Without them an exfiltration through a NAT gateway, or a blocked attempt
    /// that shows an intrusion, leaves no trace to investigate.
    ///
    /// ## Example
    /// ```hcl
    /// resource "aws_vpc" "ml" {
    ///   cidr_block = "10.0.0.0/16"
    /// }
    /// # no aws_flow_log for aws_vpc.ml
    /// ```
    /// ```yaml
    /// Vpc:
    ///   Type: AWS::EC2::VPC
    ///   Properties:
    ///     CidrBlock: 10.0.0.0/16
    /// # no AWS::EC2::FlowLog with ResourceId: !Ref Vpc
    /// ```
    ///
    /// ## Use instead
    /// ```hcl
    /// resource "aws_flow_log" "ml" {
    ///   vpc_id               = aws_vpc.ml.id
    ///   traffic_type         = "ALL"
    ///   log_destination_type = "s3"
    ///   log_destination      = aws_s3_bucket.flow_logs.arn
    /// }
    /// ```
    /// ```yaml
    /// FlowLog:
    ///   Type: AWS::EC2::FlowLog
    ///   Properties:
    ///     ResourceId: !Ref Vpc
    ///     ResourceType: VPC
    ///     TrafficType: ALL
    ///     LogDestinationType: s3
    ///     LogDestination: !GetAtt FlowLogBucket.Arn
    /// ```
    ///
    /// ## Remediation
    /// - **Console**: VPC → Your VPCs → select the VPC → Flow logs → Create flow log; filter
    ///   *All*.
    /// - **CLI**: `aws ec2 create-flow-logs --resource-type VPC --resource-ids vpc-…
    ///   --traffic-type ALL --log-destination-type s3 --log-destination arn:aws:s3:::…`
    /// - **Terraform**: an `aws_flow_log` with `vpc_id` and `traffic_type = "ALL"`.
    /// - **CloudFormation**: an `AWS::EC2::FlowLog` with `ResourceType: VPC` and
    ///   `TrafficType: ALL`.
    ///
    /// ## Options
    /// `flow_logs_require_all` (default false): when true, only `ALL` counts.
    ///
    /// ## Limitations
    /// Whether the log destination exists and accepts writes is not checked. Flow logs on
    /// network interfaces do not count: they do not cover interfaces created later.
    ///
    /// ## References
    /// - <https://docs.aws.amazon.com/vpc/latest/userguide/flow-logs.html>
    /// - <https://docs.aws.amazon.com/securityhub/latest/userguide/ec2-controls.html#ec2-6>
    /// - AWS Security Hub EC2.6; Prowler; Checkov CKV2_AWS_11; KICS; Trivy
    pub static CHECK = {
        code: "VPC101",
        name: "flow-logs-missing",
        severity: Medium,
        summary: "VPC hosting SageMaker workloads has no active flow log",
        remediation: "Create a flow log on the VPC with traffic type ALL",
        run: run,
    };
}

/// What the flow logs say about one VPC or subnet.
enum Logged {
    Yes,
    Maybe(Why),
}

/// Records `state` unless a definite "yes" is already there.
fn note(map: &mut HashMap<usize, Logged>, at: usize, state: Logged) {
    match (map.get(&at), &state) {
        (Some(Logged::Yes), _) | (Some(Logged::Maybe(_)), Logged::Maybe(_)) => {}
        _ => {
            map.insert(at, state);
        }
    }
}

/// Whether the log's traffic type makes it active: Some(true/false), or why unknown.
fn active(log: &FlowLog, require_all: bool) -> Result<bool, Why> {
    match log.traffic_type.get().map(|t| t.to_ascii_uppercase()) {
        Some(t) => Ok(t == "ALL" || (t == "REJECT" && !require_all)),
        None => Err(Why::of("the flow log's traffic type", &log.traffic_type)),
    }
}

fn run(ctx: &Context<'_>, out: &mut Outcomes) {
    let hosting = Hosting::new(ctx);
    let require_all = ctx.options.flow_logs_require_all;
    let mut vpcs: HashMap<usize, Logged> = HashMap::new();
    let mut subnets: HashMap<usize, Logged> = HashMap::new();
    // A log whose target cannot be resolved may cover any VPC of its configuration.
    let mut anywhere: HashMap<ConfigId, Why> = HashMap::new();
    for log in &ctx.model.flow_logs {
        let config = log.meta.config;
        let state = match active(log, require_all) {
            Ok(false) => continue,
            Ok(true) => Logged::Yes,
            Err(why) => Logged::Maybe(why),
        };
        let unresolved = |key: &str| {
            Why::new(
                format!(
                    "flow log {} targets {key}, which is not in the scanned configuration",
                    log.meta.address
                ),
                log.target.origin(),
            )
        };
        match &log.target {
            Value::Unknown { .. } => {
                anywhere
                    .entry(config)
                    .or_insert_with(|| Why::of("the flow log's target", &log.target));
            }
            v => match v.get() {
                Some(FlowLogTarget::Vpc(r)) => match ctx.model.position(config, r) {
                    Some(p) => note(&mut vpcs, p, state),
                    None => {
                        anywhere.entry(config).or_insert_with(|| unresolved(&r.key));
                    }
                },
                Some(FlowLogTarget::Subnet(r)) => match ctx.model.position(config, r) {
                    Some(p) => note(&mut subnets, p, state),
                    None => {
                        anywhere.entry(config).or_insert_with(|| unresolved(&r.key));
                    }
                },
                _ => {}
            },
        }
    }
    for (&v, hosted) in &hosting.vpcs {
        let vpc = &ctx.model.vpcs[v];
        let mut doubt: Option<&Why> = match vpcs.get(&v) {
            Some(Logged::Yes) => {
                out.pass(vpc);
                continue;
            }
            Some(Logged::Maybe(why)) => Some(why),
            None => None,
        };
        // Without a VPC log, logs on every workload subnet also record the workloads' traffic.
        let mut every_subnet = !hosted.subnets.is_empty();
        for s in &hosted.subnets {
            match subnets.get(s) {
                Some(Logged::Yes) => {}
                Some(Logged::Maybe(why)) => {
                    every_subnet = false;
                    doubt.get_or_insert(why);
                }
                None => every_subnet = false,
            }
        }
        if every_subnet {
            out.pass(vpc);
            continue;
        }
        match doubt.or_else(|| anywhere.get(&vpc.meta.config)) {
            Some(why) => out.inconclusive(vpc, &why.origin, format!("cannot tell: {}", why.reason)),
            None => {
                let types = if require_all { "ALL" } else { "ALL or REJECT" };
                out.fail(
                    vpc,
                    &Origin::None,
                    format!(
                        "VPC hosting SageMaker workloads ({}) has no flow log capturing {types} traffic",
                        hosted.workloads.iter().map(|w| w.meta.address.as_str()).collect::<Vec<_>>().join(", ")
                    ),
                )
            }
        }
    }
    hosting.report_unknown(out, "whether the workload's VPC has a flow log");
}

#[cfg(test)]
mod tests {
    use super::CHECK;
    use crate::testing::{lines, outcomes, verdicts};

    #[test]
    fn vpc_or_every_subnet_logged_passes() {
        assert_eq!(
            verdicts(&CHECK, "pass.tf"),
            [("aws_vpc.a".into(), "pass"), ("aws_vpc.b".into(), "pass")]
        );
    }

    #[test]
    fn missing_or_accept_only_log_fails_at_the_vpc() {
        let got = outcomes(&CHECK, "fail.tf");
        assert_eq!(got.len(), 1, "{got:?}");
        assert_eq!((got[0].0.as_str(), got[0].1), ("aws_vpc.main", "fail"));
        assert_eq!(
            got[0].2,
            "VPC hosting SageMaker workloads (aws_sagemaker_notebook_instance.nb) has no flow log \
             capturing ALL or REJECT traffic"
        );
        assert_eq!(
            lines(&CHECK, "fail.tf"),
            [("aws_vpc.main".into(), "fail", Some(1))]
        );
    }

    #[test]
    fn unknown_traffic_type_is_inconclusive() {
        let got = outcomes(&CHECK, "unknown.tf");
        assert_eq!(got.len(), 1, "{got:?}");
        assert_eq!(got[0].1, "inconclusive");
        assert!(got[0].2.contains("var.traffic_type"), "{}", got[0].2);
    }
}
