use super::rules::{Peer, Traffic, Tri, Why, declared_at, describe, inside, peer, vpc_cidrs};
use super::{Verdicts, report_unknown, workload_groups};
use crate::workload::WorkloadKind;
use crate::{Context, Outcomes};
use ipnet::IpNet;
use sagescan_model::network::{Direction, SecurityGroup, SgRule};
use std::collections::{BTreeMap, BTreeSet};

crate::check! {
    /// ## What it checks
    /// A security group attached to a SageMaker workload (notebook, model, Studio domain,
    /// user profile or space, training, processing or monitoring job) with an inbound rule that admits more than
    /// TCP 443 from inside the VPC: a source outside the VPC's CIDRs (the internet, a
    /// corporate range, a prefix list reaching beyond the VPC), or another protocol or port.
    ///
    /// Expected traffic is not reported: rules whose source is the group itself (members
    /// talking to each other, which distributed training needs), and for a Studio domain
    /// NFS (TCP 2049) from the domain's own security groups (its EFS volume).
    ///
    /// A Studio user profile's apps carry its domain's default groups and the profile's
    /// own (AWS aggregates them), a shared space the domain's default space groups, a
    /// private space its owner's: a group a profile adds is judged like the domain's.
    ///
    /// ## Why it matters
    /// SageMaker workloads initiate their connections; nothing needs to connect *to* a
    /// notebook, a training container or a model's network interfaces except SageMaker's
    /// own traffic over HTTPS. Every other inbound path (SSH, Jupyter on 8888, anything from
    /// outside the VPC) is a way in to a host holding training data and an IAM role.
    ///
    /// ## Example
    /// ```hcl
    /// resource "aws_security_group" "sagemaker" {
    ///   vpc_id = aws_vpc.main.id
    ///   ingress {
    ///     from_port   = 22
    ///     to_port     = 22
    ///     protocol    = "tcp"
    ///     cidr_blocks = ["0.0.0.0/0"]
    ///   }
    /// }
    /// ```
    /// ```yaml
    /// SageMakerSg:
    ///   Type: AWS::EC2::SecurityGroup
    ///   Properties:
    ///     GroupDescription: SageMaker
    ///     VpcId: !Ref Vpc
    ///     SecurityGroupIngress:
    ///       - { IpProtocol: tcp, FromPort: 22, ToPort: 22, CidrIp: 0.0.0.0/0 }
    /// ```
    ///
    /// ## Use instead
    /// ```hcl
    ///   ingress {
    ///     description = "members of this group (distributed training)"
    ///     from_port   = 0
    ///     to_port     = 0
    ///     protocol    = "-1"
    ///     self        = true
    ///   }
    /// ```
    /// ```yaml
    ///     SecurityGroupIngress:
    ///       - { IpProtocol: "-1", SourceSecurityGroupId: !Ref SageMakerSg }
    /// ```
    ///
    /// ## Remediation
    /// - **Console**: EC2 → Security groups → the workload's group → Inbound rules → Edit:
    ///   delete rules other than the self-reference and HTTPS from the VPC.
    /// - **CLI**: `aws ec2 revoke-security-group-ingress --group-id sg-… --ip-permissions …`
    /// - **Terraform**: remove the `ingress` block or the `aws_security_group_rule` /
    ///   `aws_vpc_security_group_ingress_rule` resource.
    /// - **CloudFormation**: remove the `SecurityGroupIngress` entry or resource.
    ///
    /// ## Options
    /// `authorized_ingress_ports`: the TCP ports admitted from inside the VPC (default 443).
    ///
    /// ## Limitations
    /// Rules naming another security group are judged by their ports only (a group
    /// reference matches private addresses, so the source is inside the VPC or a peer).
    ///
    /// ## References
    /// - <https://docs.aws.amazon.com/sagemaker/latest/dg/train-vpc.html>
    /// - <https://docs.aws.amazon.com/sagemaker/latest/dg/studio-notebooks-and-internet-access.html>
    /// - <https://docs.aws.amazon.com/vpc/latest/userguide/security-group-rules.html>
    /// - No peer check in other tools.
    pub static CHECK = {
        code: "SG104",
        name: "workload-sg-ingress-too-broad",
        severity: Medium,
        summary: "a SageMaker workload's security group admits more than HTTPS from the VPC",
        remediation: "Keep only the self-reference and TCP 443 from the VPC's CIDR on the workload's security group",
        run: run,
    };
}

/// NFS, which a Studio domain's EFS volume uses between the domain's own groups.
const NFS: u16 = 2049;

fn run(ctx: &Context<'_>, out: &mut Outcomes) {
    let groups = workload_groups(ctx.model, &ctx.workloads);
    // Group → the groups of the Studio domains it is attached to (their NFS peers).
    let mut studio_peers: BTreeMap<usize, BTreeSet<usize>> = BTreeMap::new();
    for w in ctx
        .workloads
        .iter()
        .filter(|w| w.kind == WorkloadKind::Studio)
    {
        let own: BTreeSet<usize> = w
            .security_groups
            .get()
            .into_iter()
            .flatten()
            .filter_map(|r| ctx.model.position(w.meta.config, r))
            .collect();
        for &g in &own {
            studio_peers.entry(g).or_default().extend(&own);
        }
    }
    let ports = &ctx.options.authorized_ingress_ports;
    let allowed = ports
        .iter()
        .map(|p| format!("tcp {p}"))
        .collect::<Vec<_>>()
        .join(", ");
    for &i in groups.by_group.keys() {
        let sg = &ctx.model.security_groups[i];
        let vpc = vpc_cidrs(ctx.model, sg.meta.config, &sg.vpc);
        let nfs = studio_peers.get(&i);
        let mut verdicts = Verdicts::default();
        for rule in sg
            .rules
            .iter()
            .filter(|r| r.direction == Direction::Ingress)
        {
            let answer = too_broad(ctx, sg, i, rule, &vpc, ports, nfs);
            verdicts.add(rule, answer, || {
                format!("{} ({})", describe(rule), declared_at(rule))
            });
        }
        verdicts.report(
            out,
            sg,
            sg,
            &format!("SageMaker security group admits more than {allowed} from the VPC"),
        );
    }
    report_unknown(out, &groups);
}

/// Whether `rule` admits something beyond the authorized TCP ports from inside the VPC.
fn too_broad(
    ctx: &Context<'_>,
    sg: &SecurityGroup,
    own: usize,
    rule: &SgRule,
    vpc: &Result<Vec<IpNet>, Why>,
    ports: &[u16],
    nfs: Option<&BTreeSet<usize>>,
) -> Tri {
    let traffic = Traffic::of_rule(rule);
    let bad_ports = match &traffic {
        Ok(t) => Tri::from_bool(!t.only_tcp_ports(ports)),
        Err(w) => Tri::Unknown(w.clone()),
    };
    match peer(ctx.model, sg.meta.config, &rule.peer) {
        // Members of the group itself: intra-group traffic is expected.
        Ok(Peer::SelfGroup) => Tri::No,
        Ok(Peer::Group(Some(p))) if p == own => Tri::No,
        Ok(Peer::Group(Some(p)))
            if nfs.is_some_and(|g| g.contains(&p))
                && traffic.as_ref().is_ok_and(|t| t.only_tcp_ports(&[NFS])) =>
        {
            Tri::No
        }
        Ok(Peer::Group(_)) => bad_ports,
        Ok(Peer::Cidrs(nets)) => bad_ports.or(|| match vpc {
            Ok(vpc) => Tri::from_bool(!nets.iter().all(|n| inside(n, vpc))),
            Err(w) => Tri::Unknown(w.clone()),
        }),
        Err(w) => bad_ports.or(|| Tri::Unknown(w)),
    }
}

#[cfg(test)]
mod tests {
    use super::CHECK;
    use crate::testing::{lines, outcomes, verdicts};

    #[test]
    fn self_reference_https_from_the_vpc_and_studio_nfs_pass() {
        assert_eq!(
            verdicts(&CHECK, "pass.tf"),
            [
                ("aws_security_group.sagemaker".into(), "pass"),
                ("aws_security_group.studio_efs".into(), "pass")
            ]
        );
    }

    #[test]
    fn world_source_and_other_ports_fail() {
        let got = outcomes(&CHECK, "fail.tf");
        assert_eq!(got.len(), 1, "{got:?}");
        assert_eq!(
            got[0].2,
            "SageMaker security group admits more than tcp 443 from the VPC: \
             ingress tcp 8888 from 10.0.0.0/16 (line 9), \
             ingress all traffic from 0.0.0.0/0 (aws_vpc_security_group_ingress_rule.open)"
        );
        assert_eq!(
            lines(&CHECK, "fail.tf"),
            [("aws_security_group.sagemaker".into(), "fail", Some(9))]
        );
    }

    #[test]
    fn unknown_source_is_inconclusive() {
        let got = outcomes(&CHECK, "unknown.tf");
        assert_eq!(got.len(), 1, "{got:?}");
        assert_eq!(got[0].1, "inconclusive");
        assert!(got[0].2.contains("var.admin_cidr"), "{}", got[0].2);
    }
}
