use crate::{Context, Outcomes};
use sagescan_model::{Resource, Value};

crate::check! {
    /// ## What it checks
    /// A resource that supports tags but lacks one of the tag keys listed in the
    /// `required_tags` option. The check is off (reports nothing) until that list is
    /// configured. Resources that cannot carry tags (associations, logging configurations)
    /// are not judged.
    ///
    /// ## Why it matters
    /// Owner, cost-centre and data-classification tags are how incidents are routed, costs
    /// allocated and tag-based IAM conditions enforced. An untagged SageMaker notebook or
    /// security group is one nobody answers for.
    ///
    /// ## Example
    /// ```hcl
    /// resource "aws_sagemaker_notebook_instance" "nb" {
    ///   name = "research"
    ///   # no tags
    /// }
    /// ```
    /// ```yaml
    /// Notebook:
    ///   Type: AWS::SageMaker::NotebookInstance
    ///   Properties:
    ///     InstanceType: ml.t3.medium
    /// ```
    ///
    /// ## Use instead
    /// ```hcl
    ///   tags = { Owner = "ml-platform", Environment = "prod" }
    /// ```
    /// ```yaml
    ///     Tags:
    ///       - { Key: Owner, Value: ml-platform }
    /// ```
    /// The AWS provider's `default_tags` block tags every resource of a configuration.
    ///
    /// ## Remediation
    /// - **Console**: the resource's *Tags* tab → Manage tags.
    /// - **CLI**: `aws resourcegroupstaggingapi tag-resources --resource-arn-list … --tags
    ///   Owner=…`
    /// - **Terraform**: `tags` on the resource, or `default_tags` in the provider.
    /// - **CloudFormation**: `Tags` on the resource, or `--tags` on the stack.
    ///
    /// ## Options
    /// `required_tags`: the tag keys every resource must carry (empty by default).
    ///
    /// ## Limitations
    /// Tags added by the provider's `default_tags` are not seen unless the loader folds
    /// them in.
    ///
    /// ## References
    /// - <https://docs.aws.amazon.com/tag-editor/latest/userguide/tagging.html>
    /// - <https://docs.aws.amazon.com/securityhub/latest/userguide/ec2-controls.html>
    /// - AWS Security Hub `*.tagged` controls
    pub static CHECK = {
        code: "OPS102",
        name: "required-tags-missing",
        severity: Low,
        summary: "a resource lacks required tags",
        remediation: "Add the required tag keys to the resource",
        run: run,
    };
}

fn run(ctx: &Context<'_>, out: &mut Outcomes) {
    let required = &ctx.options.required_tags;
    if required.is_empty() {
        return;
    }
    let m = ctx.model;
    judge(out, &m.vpcs, required);
    judge(out, &m.subnets, required);
    judge(out, &m.route_tables, required);
    judge(out, &m.internet_gateways, required);
    judge(out, &m.nat_gateways, required);
    judge(out, &m.security_groups, required);
    judge(out, &m.network_acls, required);
    judge(out, &m.vpc_endpoints, required);
    judge(out, &m.prefix_lists, required);
    judge(out, &m.flow_logs, required);
    judge(out, &m.firewalls, required);
    judge(out, &m.firewall_policies, required);
    judge(out, &m.rule_groups, required);
    judge(out, &m.models, required);
    judge(out, &m.notebook_instances, required);
    judge(out, &m.endpoint_configs, required);
    judge(out, &m.endpoints, required);
    judge(out, &m.domains, required);
    judge(out, &m.training_jobs, required);
    judge(out, &m.processing_jobs, required);
    judge(out, &m.monitoring_jobs, required);
}

fn judge<R: Resource>(out: &mut Outcomes, resources: &[R], required: &[String]) {
    for r in resources {
        let tags = &r.meta().tags;
        match tags {
            Value::Unknown { reason, origin, .. } => {
                out.inconclusive(r, origin, format!("cannot tell the tags: {reason}"))
            }
            _ => {
                let have = tags.get().cloned().unwrap_or_default();
                let missing: Vec<&str> = required
                    .iter()
                    .filter(|k| !have.contains_key(k.as_str()))
                    .map(String::as_str)
                    .collect();
                if missing.is_empty() {
                    out.pass(r);
                } else {
                    out.fail(
                        r,
                        tags.origin(),
                        format!(
                            "{} lacks required tags: {}",
                            R::KIND.replace('_', " "),
                            missing.join(", ")
                        ),
                    );
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::CHECK;
    use crate::Options;
    use crate::ops::outcomes_with;
    use crate::testing::outcomes;

    fn options() -> Options {
        Options {
            required_tags: vec!["Owner".into(), "Environment".into()],
            ..Options::default()
        }
    }

    #[test]
    fn off_until_configured() {
        assert!(outcomes(&CHECK, "fail.tf").is_empty());
    }

    #[test]
    fn tagged_resources_pass() {
        let got = outcomes_with(&CHECK, "pass.tf", &options());
        assert_eq!(
            got.iter().map(|o| (o.0.as_str(), o.1)).collect::<Vec<_>>(),
            [("aws_security_group.app", "pass"), ("aws_vpc.main", "pass")]
        );
    }

    #[test]
    fn missing_keys_are_listed() {
        let got = outcomes_with(&CHECK, "fail.tf", &options());
        assert_eq!(
            got,
            [
                (
                    "aws_sagemaker_notebook_instance.nb".into(),
                    "fail",
                    "sagemaker notebook instance lacks required tags: Owner, Environment".into()
                ),
                (
                    "aws_vpc.main".into(),
                    "fail",
                    "vpc lacks required tags: Environment".into()
                ),
            ]
        );
    }

    #[test]
    fn unknown_tags_are_inconclusive() {
        let got = outcomes_with(&CHECK, "unknown.tf", &options());
        assert_eq!(got.len(), 1, "{got:?}");
        assert_eq!(got[0].1, "inconclusive");
        assert!(got[0].2.contains("var.tags"), "{}", got[0].2);
    }
}
