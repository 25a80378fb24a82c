//! NET102: can the internet open connections to a SageMaker workload? Asks the reachability
//! engine the ingress question from `internet` (any port) and maps its verdict.

use crate::net::workload_internet_egress_uninspected::describe;
use crate::workload::Workload;
use crate::{Context, Outcomes};
use sagescan_reach::{Answer, Decision, Destination, Direction, Verdict};

crate::check! {
    /// ## What it checks
    /// Whether a SageMaker workload (notebook instance, model, Studio domain, user profile
    /// or space, training, processing or monitoring job) can be reached from the internet: the reachability
    /// engine walks a connection opened from any public address towards the workload's
    /// network interfaces — an internet gateway attached to the VPC, a public address on
    /// the interface, the subnet's network ACL (in, and out again for the reply on the
    /// client's ephemeral ports) and an ingress rule of the workload's security groups. It
    /// fails when some protocol and port gets through end to end.
    ///
    /// Workloads that run in SageMaker's own network (no subnets, Studio
    /// `PublicInternetOnly`) and containers with network isolation accept no inbound
    /// connections and pass.
    ///
    /// ## Why it matters
    /// A notebook or training container that answers the internet is an open door to the
    /// data and credentials inside it: Jupyter servers, debug ports and SSH left listening
    /// are found by scanners within minutes. SageMaker reaches its own interfaces through
    /// an authenticated proxy; nothing else needs to come in from the internet.
    ///
    /// ## Example
    /// A public subnet that maps public IPs and a security group open to the world:
    /// ```hcl
    /// resource "aws_subnet" "ml" {
    ///   vpc_id                  = aws_vpc.main.id
    ///   cidr_block              = "10.0.0.0/24"
    ///   map_public_ip_on_launch = true
    /// }
    /// resource "aws_route_table" "ml" {
    ///   vpc_id = aws_vpc.main.id
    ///   route {
    ///     cidr_block = "0.0.0.0/0"
    ///     gateway_id = aws_internet_gateway.igw.id
    ///   }
    /// }
    /// resource "aws_security_group" "nb" {
    ///   vpc_id = aws_vpc.main.id
    ///   ingress {
    ///     from_port   = 8888
    ///     to_port     = 8888
    ///     protocol    = "tcp"
    ///     cidr_blocks = ["0.0.0.0/0"]
    ///   }
    /// }
    /// ```
    /// ```yaml
    /// Subnet:
    ///   Type: AWS::EC2::Subnet
    ///   Properties:
    ///     VpcId: !Ref Vpc
    ///     CidrBlock: 10.0.0.0/24
    ///     MapPublicIpOnLaunch: true
    /// NotebookSg:
    ///   Type: AWS::EC2::SecurityGroup
    ///   Properties:
    ///     GroupDescription: notebook
    ///     VpcId: !Ref Vpc
    ///     SecurityGroupIngress:
    ///       - {IpProtocol: tcp, FromPort: 8888, ToPort: 8888, CidrIp: 0.0.0.0/0}
    /// ```
    ///
    /// ## Use instead
    /// Private subnets (no route to the internet gateway, no public IPs) and security groups
    /// that admit only what the workload needs from inside the VPC:
    /// ```hcl
    /// resource "aws_subnet" "ml" {
    ///   vpc_id     = aws_vpc.main.id
    ///   cidr_block = "10.0.10.0/24"
    /// }
    /// resource "aws_security_group" "nb" {
    ///   vpc_id = aws_vpc.main.id
    ///   ingress {
    ///     from_port = 0
    ///     to_port   = 0
    ///     protocol  = "-1"
    ///     self      = true
    ///   }
    /// }
    /// ```
    /// ```yaml
    /// Subnet:
    ///   Type: AWS::EC2::Subnet
    ///   Properties:
    ///     VpcId: !Ref Vpc
    ///     CidrBlock: 10.0.10.0/24
    /// NotebookSg:
    ///   Type: AWS::EC2::SecurityGroup
    ///   Properties:
    ///     GroupDescription: notebook
    ///     VpcId: !Ref Vpc
    /// ```
    ///
    /// ## Remediation
    /// Remove the ingress rule that admits the internet (the finding's path names it), and
    /// move the workload to a private subnet.
    /// - **Console**: VPC → Security groups → the workload's group → Inbound rules → delete
    ///   the rules with source `0.0.0.0/0`; Subnets → Edit subnet settings → clear
    ///   *Enable auto-assign public IPv4 address*.
    /// - **CLI**: `aws ec2 revoke-security-group-ingress --group-id sg-… --ip-permissions …`;
    ///   `aws ec2 modify-subnet-attribute --subnet-id subnet-… --no-map-public-ip-on-launch`.
    /// - **Terraform**: drop the `ingress` block (or `aws_vpc_security_group_ingress_rule`)
    ///   with `0.0.0.0/0`; `map_public_ip_on_launch = false` on `aws_subnet`.
    /// - **CloudFormation**: drop the `SecurityGroupIngress` entry with `CidrIp: 0.0.0.0/0`;
    ///   `MapPublicIpOnLaunch: false` on `AWS::EC2::Subnet`.
    ///
    /// ## Limitations
    /// - Whether SageMaker gives its network interfaces a public IP in a subnet that maps
    ///   public IPs on launch is not documented (a SageMaker maintainer stated training
    ///   interfaces get only a private IP); such a workload whose security groups admit the
    ///   internet is inconclusive, not failed.
    /// - IPv6 ingress is not evaluated.
    ///
    /// ## References
    /// - <https://docs.aws.amazon.com/vpc/latest/userguide/VPC_Internet_Gateway.html>
    /// - <https://docs.aws.amazon.com/vpc/latest/userguide/vpc-security-groups.html>
    /// - <https://docs.aws.amazon.com/vpc/latest/userguide/vpc-network-acls.html>
    /// - <https://docs.aws.amazon.com/sagemaker/latest/dg/appendix-notebook-and-internet-access.html>
    /// - <https://github.com/aws/sagemaker-python-sdk/issues/1142> (SageMaker interfaces
    ///   get private IPs only)
    /// - no peer check (Prowler has only a public-IP heuristic)
    pub static CHECK = {
        code: "NET102",
        name: "workload-internet-ingress",
        severity: Critical,
        summary: "a SageMaker workload can be reached from the internet",
        remediation: "Remove the security group rule that admits the internet and place the workload in a private subnet",
        run: run,
    };
}

fn run(ctx: &Context<'_>, out: &mut Outcomes) {
    let internet = Destination::Internet { port: None };
    let answers = ctx.per_workload(|w| {
        ctx.reach
            .workload(w.reach(), &internet, Direction::Ingress, false)
    });
    for (w, answer) in ctx.workloads.iter().zip(answers) {
        judge(w, &answer, out);
    }
}

/// Maps the engine's answer to one outcome: reachable fails, unknown is inconclusive.
fn judge(w: &Workload<'_>, answer: &Answer, out: &mut Outcomes) {
    let what = w.kind.noun();
    match answer.verdict {
        Verdict::NotReachable => out.pass(w),
        Verdict::Reachable => {
            let ports: Vec<String> = answer
                .admitted
                .iter()
                .map(|a| match a.port {
                    Some(p) => format!("{}/{p}", a.protocol),
                    None => a.protocol.to_string(),
                })
                .collect();
            // The rule that lets the connection in: the last allowing security group hop.
            let admits = answer
                .path
                .iter()
                .rev()
                .find(|h| h.kind == "security_group" && h.decision == Decision::Allow);
            let through = match admits {
                Some(h) => format!(" through {} ({})", h.resource, h.rule),
                None => String::new(),
            };
            let origin = admits.map(|h| h.origin.clone()).unwrap_or_default();
            out.fail(
                w,
                &origin,
                format!(
                    "{what} can be reached from the internet on {}{through}",
                    ports.join(", ")
                ),
            );
            out.with_path(answer.path.clone());
        }
        Verdict::Unknown => {
            let (origin, why) = first_unknown(answer);
            out.inconclusive(
                w,
                &origin,
                format!("cannot tell whether the {what} can be reached from the internet: {why}"),
            );
            out.with_path(answer.path.clone());
        }
    }
}

/// The first reason an answer is unknown, as `resource: rule`, with its origin.
pub(crate) fn first_unknown(answer: &Answer) -> (sagescan_model::Origin, String) {
    match answer.unknown_because.first() {
        Some(h) => (h.origin.clone(), describe(h)),
        None => (
            sagescan_model::Origin::None,
            "the reachability engine gave no reason".to_string(),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{lines, load_fixture, outcomes, verdicts};
    use crate::workload::workloads;
    use sagescan_reach::{Admitted, Answer, Hop};

    #[test]
    fn private_subnets_without_public_ips_pass() {
        assert_eq!(
            verdicts(&CHECK, "pass.tf"),
            [
                ("aws_sagemaker_domain.studio".into(), "pass"),
                ("aws_sagemaker_model.m".into(), "pass"),
                ("aws_sagemaker_notebook_instance.nb".into(), "pass"),
            ]
        );
    }

    /// The most exposed configuration Terraform can state: an IGW route, public IPs on
    /// launch, a world-open group. Whether SageMaker's interfaces take the public IP is not
    /// documented (reachability-semantics §4.1 [U]), so the engine cannot prove it reachable.
    #[test]
    fn a_public_subnet_with_a_world_open_group_is_inconclusive_on_the_public_ip() {
        let got = outcomes(&CHECK, "fail.tf");
        assert_eq!(got.len(), 1, "{got:?}");
        let (address, verdict, message) = &got[0];
        assert_eq!(address, "aws_sagemaker_notebook_instance.nb");
        assert_eq!(*verdict, "inconclusive");
        assert_eq!(
            message,
            "cannot tell whether the notebook can be reached from the internet: \
             aws_internet_gateway.igw: aws_subnet.public maps public IPs on launch; whether \
             SageMaker's network interfaces get one is not documented"
        );
        // Points at `map_public_ip_on_launch`.
        assert_eq!(
            lines(&CHECK, "fail.tf"),
            [(
                "aws_sagemaker_notebook_instance.nb".into(),
                "inconclusive",
                Some(14)
            )]
        );
    }

    /// A reachable answer (as a live snapshot with an interface's public IP would give)
    /// fails, naming the ports and the admitting rule, and carries the path.
    #[test]
    fn a_reachable_answer_fails_naming_ports_and_the_admitting_rule() {
        let model = load_fixture(&CHECK, "fail.tf");
        let ws = workloads(&model);
        let origin = sagescan_model::Origin::None;
        let sg = Hop {
            resource: "aws_security_group.nb".into(),
            kind: "security_group",
            decision: Decision::Allow,
            rule: "ingress tcp 8888 from 0.0.0.0/0".into(),
            origin: origin.clone(),
        };
        let answer = Answer {
            verdict: Verdict::Reachable,
            from: ws[0].meta.address.clone(),
            to: Destination::Internet { port: None },
            direction: Direction::Ingress,
            path: vec![sg.clone()],
            blocked_by: Vec::new(),
            unknown_because: Vec::new(),
            admitted: vec![Admitted {
                protocol: "tcp",
                port: Some(8888),
                application: "any".into(),
                name_pattern: None,
                inspected: false,
            }],
            asymmetric: Vec::new(),
            return_unknown: Vec::new(),
            notes: Vec::new(),
        };
        let mut out = Outcomes::default();
        judge(&ws[0], &answer, &mut out);
        assert_eq!(out.items.len(), 1);
        let o = &out.items[0];
        let crate::outcome::Verdict::Fail { message, .. } = &o.verdict else {
            panic!("not a fail: {:?}", o.verdict)
        };
        assert_eq!(
            message,
            "notebook can be reached from the internet on tcp/8888 through \
             aws_security_group.nb (ingress tcp 8888 from 0.0.0.0/0)"
        );
        assert_eq!(o.path, [sg]);
    }

    #[test]
    fn an_unknown_public_ip_setting_is_inconclusive() {
        assert_eq!(
            outcomes(&CHECK, "unknown.tf"),
            [(
                "aws_sagemaker_notebook_instance.nb".to_string(),
                "inconclusive",
                "cannot tell whether the notebook can be reached from the internet: \
                 aws_internet_gateway.igw: whether the interface has a public IP is unknown"
                    .to_string()
            )]
        );
    }
}
