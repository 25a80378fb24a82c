use crate::outcome::Subject;
use crate::sg::rules::Why;
use crate::{Context, Outcomes};
use sagescan_model::{Meta, Value};
use std::collections::BTreeMap;

crate::check! {
    /// ## What it checks
    /// A VPC, subnet or security group shared by resources tagged with different values of
    /// the environment tag (`Environment` by default): the container's own tag and those
    /// of its members count. Subnets and security groups are members of their VPC;
    /// SageMaker workloads are members of their subnets, their security groups and the
    /// VPCs of those.
    ///
    /// ## Why it matters
    /// Environments are separated so that a development notebook cannot reach production
    /// data. Sharing a VPC, a subnet or a security group puts them on one network and
    /// under one set of rules: every exception made for development applies to production.
    ///
    /// ## Example
    /// ```hcl
    /// resource "aws_subnet" "shared" {
    ///   vpc_id = aws_vpc.prod.id
    ///   tags   = { Environment = "prod" }
    /// }
    /// resource "aws_sagemaker_notebook_instance" "dev" {
    ///   subnet_id = aws_subnet.shared.id
    ///   tags      = { Environment = "dev" }
    /// }
    /// ```
    /// ```yaml
    /// DevNotebook:
    ///   Type: AWS::SageMaker::NotebookInstance
    ///   Properties:
    ///     SubnetId: !Ref ProdSubnet
    ///     Tags: [{ Key: Environment, Value: dev }]
    /// ```
    ///
    /// ## Use instead
    /// A VPC (or at least subnets and security groups) per environment:
    /// ```hcl
    ///   subnet_id = aws_subnet.dev.id
    /// ```
    /// ```yaml
    ///     SubnetId: !Ref DevSubnet
    /// ```
    ///
    /// ## Remediation
    /// - **Console**: create the workload again in the environment's own VPC, subnet and
    ///   security group; or correct the tag if it is wrong.
    /// - **CLI**: `aws ec2 create-tags --resources … --tags Key=Environment,Value=…` for a
    ///   wrong tag; otherwise recreate the workload with `--subnet-id` of its environment.
    /// - **Terraform**: reference the environment's own network resources.
    /// - **CloudFormation**: reference the environment's own network resources.
    ///
    /// ## Options
    /// `environment_tag`: the tag key naming a resource's environment.
    ///
    /// ## Limitations
    /// A workload whose subnets or groups are unknown is not counted as a member.
    ///
    /// ## References
    /// - <https://docs.aws.amazon.com/whitepapers/latest/organizing-your-aws-environment/organizing-your-aws-environment.html>
    /// - <https://docs.aws.amazon.com/sagemaker/latest/dg/infrastructure-connect-to-resources.html>
    /// - No peer check in other tools.
    pub static CHECK = {
        code: "OPS104",
        name: "environment-mixed",
        severity: Low,
        summary: "resources of different environments share a VPC, subnet or security group",
        remediation: "Give each environment its own VPC, subnets and security groups",
        run: run,
    };
}

/// What a container holds: environment → the first member carrying it; unknown tag maps.
#[derive(Default)]
struct Members<'m> {
    envs: BTreeMap<String, &'m str>,
    unknown: Vec<Why>,
}

impl<'m> Members<'m> {
    fn add(&mut self, key: &str, meta: &'m Meta) {
        match &meta.tags {
            Value::Unknown { reason, origin, .. } => self.unknown.push(Why::new(
                format!("the tags of {} are unknown ({reason})", meta.address),
                origin,
            )),
            tags => {
                if let Some(env) = tags.get().and_then(|t| t.get(key)) {
                    self.envs.entry(env.clone()).or_insert(&meta.address);
                }
            }
        }
    }

    fn report<S: Subject>(&self, out: &mut Outcomes, container: &S, what: &str) {
        if self.envs.len() > 1 {
            let parts: Vec<String> = self
                .envs
                .iter()
                .map(|(env, by)| format!("{env} ({by})"))
                .collect();
            out.fail(
                container,
                &container.meta().origin,
                format!("{what} is shared by environments {}", parts.join(", ")),
            );
        } else if self.envs.len() + self.unknown.len() > 1
            && let Some(w) = self.unknown.first()
        {
            out.inconclusive(container, &w.origin, format!("cannot tell: {}", w.reason));
        } else {
            out.pass(container);
        }
    }
}

fn run(ctx: &Context<'_>, out: &mut Outcomes) {
    let m = ctx.model;
    let key = ctx.options.environment_tag.as_str();
    let mut vpcs: Vec<Members<'_>> = m.vpcs.iter().map(|_| Members::default()).collect();
    let mut subnets: Vec<Members<'_>> = m.subnets.iter().map(|_| Members::default()).collect();
    let mut groups: Vec<Members<'_>> = m
        .security_groups
        .iter()
        .map(|_| Members::default())
        .collect();
    for (i, v) in m.vpcs.iter().enumerate() {
        vpcs[i].add(key, &v.meta);
    }
    for (i, s) in m.subnets.iter().enumerate() {
        subnets[i].add(key, &s.meta);
        if let Some(v) = ctx.topology.vpc_of(i) {
            vpcs[v].add(key, &s.meta);
        }
    }
    let vpc_of_group = |i: usize| {
        let sg = &m.security_groups[i];
        let r = sg.vpc.get()?.as_ref()?;
        m.position(sg.meta.config, r)
    };
    for (i, sg) in m.security_groups.iter().enumerate() {
        groups[i].add(key, &sg.meta);
        if let Some(v) = vpc_of_group(i) {
            vpcs[v].add(key, &sg.meta);
        }
    }
    for w in &ctx.workloads {
        let config = w.meta.config;
        for r in w.subnets.get().into_iter().flatten() {
            if let Some(s) = m.position(config, r) {
                subnets[s].add(key, w.meta);
                if let Some(v) = ctx.topology.vpc_of(s) {
                    vpcs[v].add(key, w.meta);
                }
            }
        }
        for r in w.security_groups.get().into_iter().flatten() {
            if let Some(g) = m.position(config, r) {
                groups[g].add(key, w.meta);
                if let Some(v) = vpc_of_group(g) {
                    vpcs[v].add(key, w.meta);
                }
            }
        }
    }
    for (v, members) in m.vpcs.iter().zip(&vpcs) {
        members.report(out, v, "VPC");
    }
    for (s, members) in m.subnets.iter().zip(&subnets) {
        members.report(out, s, "subnet");
    }
    for (g, members) in m.security_groups.iter().zip(&groups) {
        members.report(out, g, "security group");
    }
}

#[cfg(test)]
mod tests {
    use super::CHECK;
    use crate::testing::{outcomes, verdicts};

    #[test]
    fn one_environment_per_network_passes() {
        assert_eq!(
            verdicts(&CHECK, "pass.tf"),
            [
                ("aws_security_group.prod".into(), "pass"),
                ("aws_subnet.prod".into(), "pass"),
                ("aws_vpc.prod".into(), "pass")
            ]
        );
    }

    #[test]
    fn dev_notebook_in_a_prod_subnet_fails() {
        let got = outcomes(&CHECK, "fail.tf");
        assert_eq!(
            got,
            [
                ("aws_security_group.prod".into(), "pass", String::new()),
                (
                    "aws_subnet.prod".into(),
                    "fail",
                    "subnet is shared by environments dev (aws_sagemaker_notebook_instance.dev), \
                     prod (aws_subnet.prod)"
                        .into()
                ),
                (
                    "aws_vpc.prod".into(),
                    "fail",
                    "VPC is shared by environments dev (aws_sagemaker_notebook_instance.dev), \
                     prod (aws_vpc.prod)"
                        .into()
                ),
            ]
        );
    }

    #[test]
    fn unknown_member_tags_are_inconclusive() {
        let got = outcomes(&CHECK, "unknown.tf");
        assert_eq!(got.len(), 2, "{got:?}");
        // The subnet has no environment of its own: one unknown member cannot mix it.
        assert_eq!((got[0].0.as_str(), got[0].1), ("aws_subnet.shared", "pass"));
        assert_eq!(
            (got[1].0.as_str(), got[1].1),
            ("aws_vpc.main", "inconclusive")
        );
        assert!(got[1].2.contains("var.notebook_tags"), "{}", got[1].2);
    }
}
