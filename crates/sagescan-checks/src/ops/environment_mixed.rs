use crate::outcome::Subject;
use crate::sg::rules::Why;
use crate::{Context, Outcomes};
use sagescan_model::{ConfigId, Meta, Value};
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
    /// A workload whose subnets or groups are unknown, or a subnet or group whose VPC is,
    /// may belong to any container of its configuration: a container it would mix is
    /// inconclusive.
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

/// A member whose container cannot be told (its subnet, its groups or a VPC is unknown):
/// it may belong to any container of that kind in its configuration.
struct Floating {
    config: ConfigId,
    /// Its environment; `None` when its tags are unknown.
    env: Option<String>,
    why: Why,
}

/// Containers of one kind, with the members that may belong to any of them.
struct Kind<'m> {
    members: Vec<Members<'m>>,
    floating: Vec<Floating>,
}

impl<'m> Kind<'m> {
    fn new(n: usize) -> Self {
        Kind {
            members: (0..n).map(|_| Members::default()).collect(),
            floating: Vec::new(),
        }
    }

    /// `meta` belongs to container `i` when known, or to one it cannot name, for `why`.
    fn add(&mut self, key: &str, i: Option<usize>, meta: &'m Meta, why: Option<Why>) {
        match (i, why) {
            (Some(i), _) => self.members[i].add(key, meta),
            (None, Some(why)) => self.float(key, meta, why),
            (None, None) => {}
        }
    }

    fn float(&mut self, key: &str, meta: &Meta, why: Why) {
        let env = match &meta.tags {
            Value::Unknown { .. } => None,
            tags => match tags.get().and_then(|t| t.get(key)) {
                Some(env) => Some(env.clone()),
                None => return,
            },
        };
        self.floating.push(Floating {
            config: meta.config,
            env,
            why,
        });
    }
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

    fn report<S: Subject>(&self, out: &mut Outcomes, container: &S, what: &str, kind: &Kind<'_>) {
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
            return;
        }
        // Members that may be here but are not known to be: each one whose environment
        // is not here yet is one more candidate.
        let config = container.meta().config;
        let mut others: Vec<&Floating> = Vec::new();
        for f in kind.floating.iter().filter(|f| f.config == config) {
            let new = match &f.env {
                Some(env) => {
                    !self.envs.contains_key(env)
                        && others.iter().all(|o| o.env.as_ref() != Some(env))
                }
                None => true,
            };
            if new {
                others.push(f);
            }
        }
        let why = self.unknown.first().or(others.first().map(|f| &f.why));
        match why {
            Some(w) if self.envs.len() + self.unknown.len() + others.len() > 1 => {
                out.inconclusive(container, &w.origin, format!("cannot tell: {}", w.reason));
            }
            _ => out.pass(container),
        }
    }
}

fn run(ctx: &Context<'_>, out: &mut Outcomes) {
    let m = ctx.model;
    let key = ctx.options.environment_tag.as_str();
    let mut vpcs = Kind::new(m.vpcs.len());
    let mut subnets = Kind::new(m.subnets.len());
    let mut groups = Kind::new(m.security_groups.len());
    for (i, v) in m.vpcs.iter().enumerate() {
        vpcs.members[i].add(key, &v.meta);
    }
    let unknown = |what: String, v: &Value<_>| v.get().is_none().then(|| Why::of(&what, v));
    for (i, s) in m.subnets.iter().enumerate() {
        subnets.members[i].add(key, &s.meta);
        let why = unknown(format!("the VPC of {}", s.meta.address), &s.vpc);
        vpcs.add(key, ctx.topology.vpc_of(i), &s.meta, why);
    }
    let vpc_of_group = |i: usize| {
        let sg = &m.security_groups[i];
        let r = sg.vpc.get()?.as_ref()?;
        m.position(sg.meta.config, r)
    };
    let group_vpc_unknown = |g: usize| {
        let sg = &m.security_groups[g];
        (sg.vpc.get().is_none())
            .then(|| Why::of(&format!("the VPC of {}", sg.meta.address), &sg.vpc))
    };
    for (i, sg) in m.security_groups.iter().enumerate() {
        groups.members[i].add(key, &sg.meta);
        vpcs.add(key, vpc_of_group(i), &sg.meta, group_vpc_unknown(i));
    }
    for w in &ctx.workloads {
        let config = w.meta.config;
        match w.subnets.get() {
            Some(list) => {
                for r in list {
                    if let Some(s) = m.position(config, r) {
                        subnets.members[s].add(key, w.meta);
                        let why = unknown(
                            format!("the VPC of {}", m.subnets[s].meta.address),
                            &m.subnets[s].vpc,
                        );
                        vpcs.add(key, ctx.topology.vpc_of(s), w.meta, why);
                    }
                }
            }
            None => {
                let why = Why::of(
                    &format!("the subnet list of {}", w.meta.address),
                    &w.subnets,
                );
                subnets.float(key, w.meta, why.clone());
                vpcs.float(key, w.meta, why);
            }
        }
        match w.security_groups.get() {
            Some(list) => {
                for r in list {
                    if let Some(g) = m.position(config, r) {
                        groups.members[g].add(key, w.meta);
                        vpcs.add(key, vpc_of_group(g), w.meta, group_vpc_unknown(g));
                    }
                }
            }
            None => {
                let why = Why::of(
                    &format!("the security group list of {}", w.meta.address),
                    &w.security_groups,
                );
                groups.float(key, w.meta, why.clone());
                vpcs.float(key, w.meta, why);
            }
        }
    }
    for (v, members) in m.vpcs.iter().zip(&vpcs.members) {
        members.report(out, v, "VPC", &vpcs);
    }
    for (s, members) in m.subnets.iter().zip(&subnets.members) {
        members.report(out, s, "subnet", &subnets);
    }
    for (g, members) in m.security_groups.iter().zip(&groups.members) {
        members.report(out, g, "security group", &groups);
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

    #[test]
    fn a_workload_in_an_unknown_subnet_may_mix_any_vpc() {
        let got = outcomes(&CHECK, "floating.tf");
        let verdicts: Vec<(&str, &str)> = got.iter().map(|o| (o.0.as_str(), o.1)).collect();
        assert_eq!(
            verdicts,
            [
                ("aws_security_group.dev", "pass"),
                // No environment of its own: the dev notebook alone cannot mix it.
                ("aws_subnet.prod", "pass"),
                ("aws_vpc.prod", "inconclusive"),
            ]
        );
        assert_eq!(
            got[2].2,
            "cannot tell: the subnet list of aws_sagemaker_notebook_instance.dev is unknown \
             (var.subnet_id has no value)"
        );
    }
}
