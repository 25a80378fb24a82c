use crate::workload::WorkloadKind;
use crate::zones::{Zones, zones_of};
use crate::{Context, Outcomes};

crate::check! {
    /// ## What it checks
    /// A SageMaker model (`VpcConfig.Subnets`) or Studio domain (`SubnetIds`) whose subnets
    /// lie in fewer than two Availability Zones. Zones are counted, not subnets. Models and
    /// domains outside a VPC are not judged; notebooks and jobs run in one subnet by design.
    ///
    /// ## Why it matters
    /// SageMaker spreads a multi-instance endpoint's instances over the model's subnets'
    /// zones, and Studio places users' apps in the domain's subnets. With one zone, an AZ
    /// outage takes the whole endpoint down however many instances it has (SM131), and
    /// Studio stops launching apps.
    ///
    /// ## Example
    /// ```hcl
    /// resource "aws_sagemaker_model" "m" {
    ///   # …
    ///   vpc_config {
    ///     subnets            = [aws_subnet.private_a.id]
    ///     security_group_ids = [aws_security_group.model.id]
    ///   }
    /// }
    /// ```
    /// ```yaml
    ///     VpcConfig:
    ///       Subnets: [!Ref PrivateSubnetA]
    ///       SecurityGroupIds: [!Ref ModelSg]
    /// ```
    ///
    /// ## Use instead
    /// ```hcl
    ///     subnets = [aws_subnet.private_a.id, aws_subnet.private_b.id]
    /// ```
    /// ```yaml
    ///       Subnets: [!Ref PrivateSubnetA, !Ref PrivateSubnetB]
    /// ```
    ///
    /// ## Remediation
    /// - **Console**: create a new model (SageMaker → Inference → Models) with subnets in two
    ///   or more zones and point the endpoint configuration at it; for Studio, Domain
    ///   settings → Network → edit the subnets.
    /// - **CLI**: `aws sagemaker create-model … --vpc-config Subnets=subnet-a,subnet-b,…`;
    ///   `aws sagemaker update-domain --domain-id d-… --subnet-ids subnet-a subnet-b`
    /// - **Terraform**: list subnets of at least two zones in `vpc_config.subnets` /
    ///   `subnet_ids`.
    /// - **CloudFormation**: list subnets of at least two zones in `VpcConfig.Subnets` /
    ///   `SubnetIds`.
    ///
    /// ## References
    /// - <https://docs.aws.amazon.com/sagemaker/latest/dg/best-practice-endpoint-security.html>
    /// - <https://docs.aws.amazon.com/sagemaker/latest/dg/host-vpc.html>
    /// - no peer check
    pub static CHECK = {
        code: "SM172",
        name: "workload-single-az",
        severity: Medium,
        summary: "model or Studio domain has subnets in fewer than two Availability Zones",
        remediation: "Give the model or domain subnets in at least two Availability Zones",
        run: run,
    };
}

fn run(ctx: &Context<'_>, out: &mut Outcomes) {
    for w in &ctx.workloads {
        if !matches!(w.kind, WorkloadKind::Hosting | WorkloadKind::Studio) {
            continue;
        }
        let Some(subnets) = w.subnets.get() else {
            let reason = w.subnets.unknown_reason().unwrap_or_default();
            out.inconclusive(
                w,
                w.subnets.origin(),
                format!("cannot tell the subnets: {reason}"),
            );
            continue;
        };
        if subnets.is_empty() {
            continue;
        }
        let Zones {
            known: zones,
            unknown,
        } = zones_of(ctx.model, w.meta.config, subnets, w.subnets.origin());
        if zones.len() >= 2 {
            out.pass(w);
        } else if let Some((origin, message)) = unknown {
            out.inconclusive(w, &origin, message);
        } else {
            let zones: Vec<&str> = zones.into_iter().collect();
            let what = w.kind.noun();
            out.fail(
                w,
                w.subnets.origin(),
                format!(
                    "{what} has subnets in one Availability Zone ({})",
                    zones.join(", ")
                ),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::CHECK;
    use crate::testing::{outcomes, verdicts};

    #[test]
    fn two_zones_pass_notebooks_not_judged() {
        assert_eq!(
            verdicts(&CHECK, "pass.tf"),
            [
                ("aws_sagemaker_domain.studio".into(), "pass"),
                ("aws_sagemaker_model.m".into(), "pass")
            ]
        );
    }

    #[test]
    fn one_zone_fails() {
        let got = outcomes(&CHECK, "fail.tf");
        assert_eq!(
            got,
            [
                (
                    "aws_sagemaker_domain.studio".into(),
                    "fail",
                    "Studio domain has subnets in one Availability Zone (us-east-1a)".into()
                ),
                (
                    "aws_sagemaker_model.m".into(),
                    "fail",
                    "model has subnets in one Availability Zone (us-east-1a)".into()
                )
            ]
        );
    }

    #[test]
    fn unknown_zone_is_inconclusive() {
        let got = outcomes(&CHECK, "unknown.tf");
        assert_eq!(got.len(), 1, "{got:?}");
        assert_eq!(got[0].1, "inconclusive");
        assert!(got[0].2.contains("var.zone"), "{}", got[0].2);
    }
}
