//! NET101, and the reading of the engine's internet-egress answer that NET106 shares: the
//! question, the forward part of a path, the hop that let traffic out, and how messages name
//! workloads and admitted flows.

use crate::workload::Workload;
use crate::{Context, Outcomes};
use sagescan_model::Origin;
use sagescan_reach::{Admitted, Answer, Decision, Destination, Direction, Hop};

crate::check! {
    /// ## What it checks
    /// Every SageMaker workload (notebook instance, model, Studio domain, user profile or
    /// space, training, processing or monitoring job) that can open a connection to some internet address,
    /// on some protocol and port, along a path where no AWS Network Firewall inspects the
    /// traffic statefully. The reachability engine follows the workload's security groups,
    /// network ACLs (both ways), route tables, NAT and internet gateways and firewall
    /// endpoints; a path is uninspected when it has no firewall endpoint, when the
    /// firewall's stateless engine passes the packet (`aws:pass`) before the stateful
    /// engine sees it, or when the workload leaves through SageMaker's own network: a
    /// notebook with direct internet access or without a subnet, a Studio domain in
    /// `PublicInternetOnly` mode, a model or job without `VpcConfig` and without network
    /// isolation.
    ///
    /// ## Why it matters
    /// A firewall that traffic does not cross protects nothing. Uninspected egress is where
    /// data leaves unseen: no domain allow-list applies, no alert or flow log is written by
    /// the firewall, and code in a notebook or container can upload training data to any
    /// host. SageMaker's managed network is outside the customer VPC altogether, so its
    /// traffic escapes security groups, network ACLs and flow logs as well.
    ///
    /// ## Example
    /// The private subnet's NAT gateway sends traffic straight to the internet gateway.
    /// ```hcl
    /// resource "aws_route_table" "public" {
    ///   vpc_id = aws_vpc.main.id
    ///   route {
    ///     cidr_block = "0.0.0.0/0"
    ///     gateway_id = aws_internet_gateway.igw.id # no firewall endpoint in between
    ///   }
    /// }
    /// resource "aws_sagemaker_notebook_instance" "nb" {
    ///   name          = "research"
    ///   role_arn      = aws_iam_role.sm.arn
    ///   instance_type = "ml.t3.medium"
    ///   # no subnet_id: SageMaker's network, direct internet access
    /// }
    /// ```
    /// ```yaml
    /// PublicRoute:
    ///   Type: AWS::EC2::Route
    ///   Properties:
    ///     RouteTableId: !Ref PublicRouteTable
    ///     DestinationCidrBlock: 0.0.0.0/0
    ///     GatewayId: !Ref InternetGateway
    /// Notebook:
    ///   Type: AWS::SageMaker::NotebookInstance
    ///   Properties:
    ///     InstanceType: ml.t3.medium
    ///     RoleArn: !GetAtt Role.Arn
    /// ```
    ///
    /// ## Use instead
    /// Keep workloads in private subnets without direct internet access, and send the NAT
    /// subnet's default route to a firewall endpoint whose policy forwards to the stateful
    /// engine; the firewall subnet routes to the internet gateway, and the gateway's edge
    /// route table sends replies back through the same endpoint.
    /// ```hcl
    /// resource "aws_route_table" "public" {
    ///   vpc_id = aws_vpc.main.id
    ///   route {
    ///     cidr_block      = "0.0.0.0/0"
    ///     vpc_endpoint_id = tolist(aws_networkfirewall_firewall.main.firewall_status[0].sync_states)[0].attachment[0].endpoint_id
    ///   }
    /// }
    /// resource "aws_networkfirewall_firewall_policy" "main" {
    ///   name = "egress"
    ///   firewall_policy {
    ///     stateless_default_actions          = ["aws:forward_to_sfe"]
    ///     stateless_fragment_default_actions = ["aws:forward_to_sfe"]
    ///     # stateful rule groups and defaults …
    ///   }
    /// }
    /// resource "aws_sagemaker_notebook_instance" "nb" {
    ///   # …
    ///   subnet_id              = aws_subnet.private_a.id
    ///   security_groups        = [aws_security_group.sagemaker.id]
    ///   direct_internet_access = "Disabled"
    /// }
    /// ```
    /// ```yaml
    /// PublicRoute:
    ///   Type: AWS::EC2::Route
    ///   Properties:
    ///     RouteTableId: !Ref PublicRouteTable
    ///     DestinationCidrBlock: 0.0.0.0/0
    ///     VpcEndpointId: !Select [1, !Split [":", !Select [0, !GetAtt Firewall.EndpointIds]]]
    /// Policy:
    ///   Type: AWS::NetworkFirewall::FirewallPolicy
    ///   Properties:
    ///     FirewallPolicy:
    ///       StatelessDefaultActions: ["aws:forward_to_sfe"]
    ///       StatelessFragmentDefaultActions: ["aws:forward_to_sfe"]
    /// Notebook:
    ///   Type: AWS::SageMaker::NotebookInstance
    ///   Properties:
    ///     DirectInternetAccess: Disabled
    ///     SubnetId: !Ref PrivateSubnetA
    ///     SecurityGroupIds: [!Ref SageMakerSg]
    /// ```
    ///
    /// ## Remediation
    /// The finding names the hop that lets traffic out: the SageMaker setting, the
    /// firewall policy's stateless default, or the route that skips the firewall.
    /// - **Console**: VPC → Route tables → the NAT subnet's table → *Edit routes*: target
    ///   `0.0.0.0/0` at the firewall endpoint (*Gateway Load Balancer Endpoint*); VPC →
    ///   Network Firewall → Firewall policies → *Stateless default actions*: *Forward to
    ///   stateful rule groups*; SageMaker: create notebooks with a private subnet and
    ///   *Direct internet access* disabled, Studio domains in *VPC only* mode, models and
    ///   jobs with a VPC configuration or network isolation.
    /// - **CLI**: `aws ec2 replace-route --route-table-id rtb-… --destination-cidr-block
    ///   0.0.0.0/0 --vpc-endpoint-id vpce-…`; `aws network-firewall
    ///   update-firewall-policy` with `StatelessDefaultActions: ["aws:forward_to_sfe"]`;
    ///   `aws sagemaker update-domain --app-network-access-type VpcOnly …`.
    /// - **Terraform**: `vpc_endpoint_id` on the route (as above);
    ///   `stateless_default_actions = ["aws:forward_to_sfe"]`; `direct_internet_access =
    ///   "Disabled"` with `subnet_id`; `app_network_access_type = "VpcOnly"`; `vpc_config`
    ///   or `enable_network_isolation = true` on models.
    /// - **CloudFormation**: `VpcEndpointId` on `AWS::EC2::Route`;
    ///   `StatelessDefaultActions: ["aws:forward_to_sfe"]`; `DirectInternetAccess:
    ///   Disabled`; `AppNetworkAccessType: VpcOnly`; `VpcConfig` or
    ///   `EnableNetworkIsolation: true`.
    ///
    /// ## Limitations
    /// - A firewall or proxy that is not AWS Network Firewall (a third-party appliance,
    ///   a transit gateway to an inspection VPC) is not modelled: paths through it are
    ///   inconclusive, never passed.
    /// - Inspection means the stateful engine saw the flow; whether its rules restrict the
    ///   destinations is NET106's question.
    /// - For a workload with several subnets, the finding's path is one witness; another
    ///   subnet may leave differently.
    ///
    /// ## References
    /// - <https://docs.aws.amazon.com/network-firewall/latest/developerguide/arch-igw-ngw.html>
    /// - <https://docs.aws.amazon.com/network-firewall/latest/developerguide/stateless-default-actions.html>
    /// - <https://docs.aws.amazon.com/sagemaker/latest/dg/appendix-notebook-and-internet-access.html>
    /// - <https://docs.aws.amazon.com/sagemaker/latest/dg/studio-updated-and-internet-access.html>
    /// - <https://docs.aws.amazon.com/sagemaker/latest/dg/mkt-algo-model-internet-free.html>
    /// - Peers: none (Prowler has only a public-IP heuristic)
    pub static CHECK = {
        code: "NET101",
        name: "workload-internet-egress-uninspected",
        severity: High,
        summary: "a SageMaker workload can reach the internet without passing a Network Firewall",
        remediation: "Route the workload's internet traffic through a Network Firewall endpoint whose policy forwards to the stateful engine; keep workloads off SageMaker's managed network",
        run: run,
    };
}

fn run(ctx: &Context<'_>, out: &mut Outcomes) {
    let answers = ctx.per_workload(|w| internet_egress(ctx, w));
    for (w, answer) in ctx.workloads.iter().zip(answers) {
        let uninspected: Vec<&Admitted> = answer.admitted.iter().filter(|a| !a.inspected).collect();
        if !uninspected.is_empty() {
            let host = if uninspected.iter().any(|a| a.any_name()) {
                "any internet host"
            } else {
                "internet hosts"
            };
            let mut ports: Vec<String> = Vec::new();
            for a in &uninspected {
                let p = port(a);
                if !ports.contains(&p) {
                    ports.push(p);
                }
            }
            let at = deciding(&answer);
            out.fail(
                w,
                at.map_or(&Origin::None, |h| &h.origin),
                format!(
                    "{} can reach {host} on {} through {} without Network Firewall inspection{}",
                    w.kind.noun(),
                    and(&ports),
                    through(&answer),
                    at.map(|h| format!(" ({})", describe(h)))
                        .unwrap_or_default(),
                ),
            );
            out.with_path(answer.path.clone());
        } else if !undecided(
            out,
            w,
            &answer,
            "the internet without Network Firewall inspection",
        ) {
            out.pass(w);
        }
    }
}

/// The question both internet-egress checks ask the engine: connections the workload's own
/// code opens to any public address, on any protocol and port.
pub(crate) fn internet_egress(ctx: &Context<'_>, w: &Workload<'_>) -> Answer {
    ctx.reach.workload(
        w.reach(),
        &Destination::Internet { port: None },
        Direction::Egress,
        false,
    )
}

/// An admitted flow's protocol and port: `tcp/443`, `any protocol and port`.
pub(crate) fn port(a: &Admitted) -> String {
    match (a.protocol, a.port) {
        ("any", None) => "any protocol and port".to_string(),
        (p, None) => format!("{p} (any port)"),
        (p, Some(n)) => format!("{p}/{n}"),
    }
}

/// `a`, `a and b`, `a, b and c`.
pub(crate) fn and(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

/// The forward part of a path: up to the hop onto the internet (the reply hops follow it).
fn forward(path: &[Hop]) -> &[Hop] {
    match path.iter().position(|h| h.kind == "internet") {
        Some(i) => &path[..=i],
        None => path,
    }
}

/// The hop that let the traffic out on `answer`'s witness path: the SageMaker setting that
/// puts the workload on SageMaker's network, else the firewall that admitted it, else the
/// last route, the one that sends it to the internet gateway.
pub(crate) fn deciding(answer: &Answer) -> Option<&Hop> {
    let hops = forward(&answer.path);
    let allowed = |kind: &str| {
        hops.iter()
            .filter(|h| h.kind == kind && h.decision == Decision::Allow)
            .collect::<Vec<_>>()
    };
    allowed("sagemaker")
        .first()
        .or(allowed("network_firewall").last())
        .or(allowed("route_table").last())
        .copied()
}

/// The gateways (and firewall, or SageMaker's network) the witness path leaves through.
pub(crate) fn through(answer: &Answer) -> String {
    let mut names: Vec<String> = Vec::new();
    for h in forward(&answer.path) {
        let gateway = matches!(
            h.kind,
            "nat_gateway" | "network_firewall" | "internet_gateway"
        ) || (h.kind == "sagemaker" && *h.resource != *answer.from);
        if gateway && !names.iter().any(|n| **n == *h.resource) {
            names.push(h.resource.to_string());
        }
    }
    if names.is_empty() {
        "an undetermined path".to_string()
    } else {
        and(&names)
    }
}

/// A hop as a message quotes it: the rule, after the resource unless the hop is the
/// workload's own SageMaker setting.
pub(crate) fn describe(h: &Hop) -> String {
    if h.kind == "sagemaker" {
        h.rule.to_string()
    } else {
        format!("{}: {}", h.resource, h.rule)
    }
}

/// Writes the inconclusive outcome when `answer` leaves the question open: something
/// undecided, whether nothing was admitted or what was admitted passes (the undecided flows
/// could be the bad ones). Returns whether it wrote one. `bad` completes "cannot
/// tell whether the workload can reach …".
pub(crate) fn undecided(out: &mut Outcomes, w: &Workload<'_>, answer: &Answer, bad: &str) -> bool {
    let Some(first) = answer.unknown_because.first() else {
        return false;
    };
    out.inconclusive(
        w,
        &first.origin,
        format!(
            "cannot tell whether {} can reach {bad}: {}",
            w.kind.noun(),
            describe(first)
        ),
    );
    out.with_path(answer.path.clone());
    true
}

#[cfg(test)]
mod tests {
    use super::CHECK;
    use crate::testing::{lines, outcomes, verdicts};

    #[test]
    fn an_allow_list_firewall_and_network_isolation_pass() {
        assert_eq!(
            verdicts(&CHECK, "pass.tf"),
            [
                ("aws_sagemaker_model.isolated".into(), "pass"),
                ("aws_sagemaker_notebook_instance.nb".into(), "pass"),
            ]
        );
    }

    #[test]
    fn no_firewall_a_stateless_pass_and_sagemakers_network_fail_at_the_deciding_hop() {
        let got = outcomes(&CHECK, "fail.tf");
        let message = |address: &str| {
            got.iter()
                .find(|(a, v, _)| a == address && *v == "fail")
                .map(|(_, _, m)| m.as_str())
                .unwrap_or_else(|| panic!("{address} does not fail: {got:?}"))
        };
        assert_eq!(got.len(), 4, "{got:?}");
        assert_eq!(
            message("aws_sagemaker_domain.studio"),
            "Studio domain can reach any internet host on tcp/443 through \
             aws_nat_gateway.direct and aws_internet_gateway.igw without Network Firewall \
             inspection (aws_route_table.direct: 0.0.0.0/0 → aws_internet_gateway.igw)"
        );
        assert_eq!(
            message("aws_sagemaker_notebook_instance.nb"),
            "notebook can reach any internet host on tcp/443 through aws_nat_gateway.nat, \
             aws_networkfirewall_firewall.main and aws_internet_gateway.igw without Network \
             Firewall inspection (aws_networkfirewall_firewall.main: policy \
             aws_networkfirewall_firewall_policy.main: stateless default action aws:pass \
             (skips stateful inspection))"
        );
        let direct = message("aws_sagemaker_notebook_instance.direct");
        assert!(
            direct.starts_with(
                "notebook can reach any internet host on any protocol and port through \
                 SageMaker-managed network without Network Firewall inspection \
                 (DirectInternetAccess = Enabled"
            ),
            "{direct}"
        );
        assert!(
            message("aws_sagemaker_model.open").contains("(model has no VpcConfig"),
            "{got:?}"
        );
        // The route that skips the firewall, the policy's stateless default, and the
        // SageMaker resources whose (default) settings put them on SageMaker's network.
        assert_eq!(
            lines(&CHECK, "fail.tf"),
            [
                ("aws_sagemaker_domain.studio".into(), "fail", Some(72)),
                ("aws_sagemaker_model.open".into(), "fail", Some(238)),
                (
                    "aws_sagemaker_notebook_instance.direct".into(),
                    "fail",
                    Some(216)
                ),
                (
                    "aws_sagemaker_notebook_instance.nb".into(),
                    "fail",
                    Some(181)
                ),
            ]
        );
    }

    #[test]
    fn an_unmodelled_route_target_or_an_unknown_setting_is_inconclusive() {
        assert_eq!(
            outcomes(&CHECK, "unknown.tf"),
            [
                (
                    "aws_sagemaker_model.peered".into(),
                    "inconclusive",
                    "cannot tell whether model can reach the internet without Network Firewall \
                     inspection: aws_route_table.private: 0.0.0.0/0 → peering connection \
                     pcx-0123456789abcdef0: sagescan does not model this target"
                        .into()
                ),
                (
                    "aws_sagemaker_notebook_instance.nb".into(),
                    "inconclusive",
                    "cannot tell whether notebook can reach the internet without Network Firewall \
                     inspection: DirectInternetAccess is unknown (var.direct_internet_access has \
                     no value)"
                        .into()
                ),
            ]
        );
        assert_eq!(
            lines(&CHECK, "unknown.tf"),
            [
                (
                    "aws_sagemaker_model.peered".into(),
                    "inconclusive",
                    Some(21)
                ),
                (
                    "aws_sagemaker_notebook_instance.nb".into(),
                    "inconclusive",
                    Some(64)
                ),
            ]
        );
    }

    #[test]
    fn inspected_flows_do_not_pass_a_workload_whose_other_flows_are_undecided() {
        assert_eq!(
            outcomes(&CHECK, "partly_unknown.tf"),
            [
                (
                    "aws_sagemaker_notebook_instance.maybe".into(),
                    "inconclusive",
                    "cannot tell whether notebook can reach the internet without Network Firewall \
                     inspection: DirectInternetAccess is unknown (var.direct_internet_access has \
                     no value)"
                        .into()
                ),
                (
                    "aws_sagemaker_notebook_instance.nb".into(),
                    "pass",
                    String::new()
                ),
            ]
        );
    }

    /// Issue #7: a user profile's groups are added to its domain's, so a profile can open
    /// what the domain closed; a private space runs as its owner.
    #[test]
    fn a_user_profile_that_adds_an_open_group_fails_where_its_domain_passes() {
        let got = outcomes(&CHECK, "studio_profile.tf");
        let verdicts: Vec<(&str, &str)> = got.iter().map(|(a, v, _)| (a.as_str(), *v)).collect();
        assert_eq!(
            verdicts,
            [
                ("aws_sagemaker_domain.studio", "pass"),
                ("aws_sagemaker_space.alice_private", "fail"),
                ("aws_sagemaker_space.team", "inconclusive"),
                ("aws_sagemaker_user_profile.alice", "fail"),
                ("aws_sagemaker_user_profile.bob", "pass"),
            ]
        );
        assert_eq!(
            got[3].2,
            "Studio user profile can reach any internet host on icmp (any port), tcp/22, \
             tcp/53, tcp/80, tcp/443, tcp/444, tcp/1024, tcp/8080, tcp/65535, udp/22, udp/53, \
             udp/80, udp/443, udp/444, udp/1024, udp/8080 and udp/65535 through \
             aws_nat_gateway.nat and aws_internet_gateway.igw without Network Firewall \
             inspection (aws_route_table.public: 0.0.0.0/0 → aws_internet_gateway.igw)"
        );
        assert_eq!(got[1].2, got[3].2.replace("user profile", "space"));
        // The route that let her out.
        assert_eq!(lines(&CHECK, "studio_profile.tf")[3].2, Some(37));
        assert!(got[2].2.contains("does not document"), "{}", got[2].2);
    }
}
