use super::{Parts, nearest};
use crate::{Context, Outcomes};
use sagescan_model::Value;

crate::check! {
    /// ## What it checks
    /// An endpoint configuration with an instance-based production variant whose
    /// `InitialInstanceCount` is below 2. Serverless variants have no instances and are
    /// not judged; a configuration with only serverless variants gets no verdict. One
    /// finding per endpoint configuration, on the first offending variant; the message
    /// names every one and its count.
    ///
    /// ## Why it matters
    /// SageMaker spreads a variant's instances across Availability Zones. With a single
    /// instance, an instance failure, an AZ outage or routine host maintenance takes the
    /// model offline until a replacement is healthy: for a model in a request path (fraud
    /// scoring, moderation), an availability incident, and often a fail-open one.
    ///
    /// ## Example
    /// ```hcl
    /// resource "aws_sagemaker_endpoint_configuration" "ec" {
    ///   name = "churn"
    ///   production_variants {
    ///     variant_name           = "primary"
    ///     model_name             = aws_sagemaker_model.m.name
    ///     instance_type          = "ml.m5.large"
    ///     initial_instance_count = 1
    ///   }
    /// }
    /// ```
    /// ```yaml
    /// EndpointConfig:
    ///   Type: AWS::SageMaker::EndpointConfig
    ///   Properties:
    ///     ProductionVariants:
    ///       - VariantName: primary
    ///         ModelName: !GetAtt Model.ModelName
    ///         InstanceType: ml.m5.large
    ///         InitialInstanceCount: 1
    /// ```
    ///
    /// ## Use instead
    /// ```hcl
    ///     initial_instance_count = 2
    /// ```
    /// ```yaml
    ///         InitialInstanceCount: 2
    /// ```
    ///
    /// With endpoint auto scaling, also keep the scalable target's minimum capacity at 2
    /// or more.
    ///
    /// ## Remediation
    /// Endpoint configurations are immutable: create a new one and switch the endpoint to
    /// it (`UpdateEndpoint`, no downtime). For a running endpoint,
    /// `UpdateEndpointWeightsAndCapacities` raises the count at once.
    /// - **Console**: SageMaker → Inference → Endpoint configurations → Create; set the
    ///   variant's *Instance count* to 2 or more, then update the endpoint to use it.
    /// - **CLI**: `aws sagemaker update-endpoint-weights-and-capacities --endpoint-name ep
    ///   --desired-weights-and-capacities VariantName=primary,DesiredInstanceCount=2`
    /// - **Terraform**: `initial_instance_count = 2` (forces a new configuration; use
    ///   `create_before_destroy`).
    /// - **CloudFormation**: `InitialInstanceCount: 2` (update requires replacement of the
    ///   endpoint configuration; the endpoint is updated in place).
    ///
    /// ## Limitations
    /// The count applied at run time by auto scaling is not visible here; only the
    /// configured initial count is judged.
    ///
    /// ## References
    /// - <https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_ProductionVariant.html>
    /// - <https://docs.aws.amazon.com/securityhub/latest/userguide/sagemaker-controls.html>
    /// - AWS Security Hub SageMaker.4; Prowler
    pub static CHECK = {
        code: "SM131",
        name: "endpoint-single-instance",
        severity: Medium,
        summary: "endpoint production variant runs on a single instance",
        remediation: "Run every instance-based production variant on at least 2 instances",
        run: run,
    };
}

const ATTR: &str = "InitialInstanceCount";

fn run(ctx: &Context<'_>, out: &mut Outcomes) {
    for ec in &ctx.model.endpoint_configs {
        let variants = match &ec.production_variants {
            Value::Unknown { reason, origin, .. } => {
                out.inconclusive(
                    ec,
                    origin,
                    format!("cannot tell ProductionVariants: {reason}"),
                );
                continue;
            }
            Value::Set { value, .. } | Value::Default { value, .. } => value,
        };
        let mut parts = Parts::default();
        for (i, v) in variants.iter().enumerate().filter(|(_, v)| !v.serverless) {
            let name = match v.name.get() {
                Some(n) => format!("\"{n}\""),
                None => format!("#{}", i + 1),
            };
            let count = &v.initial_instance_count;
            let at = nearest(count.origin(), &v.origin);
            match count.get() {
                Some(Some(n)) if *n < 2 => {
                    parts.fail(at, format!("production variant {name} with {ATTR} {n}"))
                }
                Some(Some(_)) => parts.pass(),
                // An instance-based variant must state its count; a loader that found none
                // must not make it pass.
                Some(None) => parts.unknown(at, format!("production variant {name} has no {ATTR}")),
                None => parts.unknown(
                    at,
                    format!(
                        "cannot tell {ATTR} of production variant {name}: {}",
                        count.unknown_reason().unwrap_or_default()
                    ),
                ),
            }
        }
        parts.report(out, ec, "endpoint configuration");
    }
}

#[cfg(test)]
mod tests {
    use super::CHECK;
    use crate::testing::{lines, outcomes, run_on, verdicts};
    use sagescan_model::sagemaker::{EndpointConfig, ProductionVariant};
    use sagescan_model::{Meta, Model, Origin, Value};

    #[test]
    fn two_instances_pass_and_serverless_is_not_applicable() {
        assert_eq!(
            verdicts(&CHECK, "pass.tf"),
            [(
                "aws_sagemaker_endpoint_configuration.redundant".into(),
                "pass"
            )]
        );
    }

    #[test]
    fn single_instance_variant_fails_at_that_variant() {
        let got = outcomes(&CHECK, "fail.tf");
        assert_eq!(got.len(), 1);
        assert_eq!(
            (got[0].0.as_str(), got[0].1),
            ("aws_sagemaker_endpoint_configuration.mixed", "fail")
        );
        assert_eq!(
            got[0].2,
            "endpoint configuration has production variant \"canary\" with InitialInstanceCount 1"
        );
        // `initial_instance_count = 1` of the canary variant is on line 15 of fail.tf.
        assert_eq!(
            lines(&CHECK, "fail.tf"),
            [(
                "aws_sagemaker_endpoint_configuration.mixed".into(),
                "fail",
                Some(15)
            )]
        );
    }

    /// Folding variants without the loader: a fail outranks an unknown, every failing
    /// variant is named, and an all-serverless configuration is not applicable.
    #[test]
    fn variants_fold_into_one_outcome() {
        let variant = |name: &str, count: Value<Option<i64>>, serverless| ProductionVariant {
            name: Value::set(name.to_string(), Origin::None),
            initial_instance_count: count,
            serverless,
            origin: Origin::None,
        };
        let config = |address: &str, variants| EndpointConfig {
            meta: Meta::new(
                address,
                "aws_sagemaker_endpoint_configuration",
                0,
                Origin::None,
            ),
            kms_key_id: Value::default_value(None, Origin::None),
            production_variants: Value::set(variants, Origin::None),
        };
        let mut m = Model::default();
        m.add_config("root", "terraform");
        m.endpoint_configs.push(config(
            "a",
            vec![
                variant("x", Value::set(Some(1), Origin::None), false),
                variant(
                    "y",
                    Value::unknown("var.n has no value", Origin::None),
                    false,
                ),
                variant("z", Value::set(Some(0), Origin::None), false),
            ],
        ));
        m.endpoint_configs.push(config(
            "b",
            vec![variant("s", Value::set(None, Origin::None), true)],
        ));
        m.finish();
        assert_eq!(
            run_on(&CHECK, &m),
            [(
                "a".to_string(),
                "fail",
                "endpoint configuration has production variant \"x\" with InitialInstanceCount 1, \
                 production variant \"z\" with InitialInstanceCount 0"
                    .to_string()
            )]
        );
    }

    #[test]
    fn unresolved_variable_is_inconclusive() {
        let got = outcomes(&CHECK, "unknown.tf");
        assert_eq!(got.len(), 1);
        assert_eq!(got[0].1, "inconclusive");
        assert!(got[0].2.contains("\"primary\""), "{}", got[0].2);
        assert!(got[0].2.contains("var.instances"), "{}", got[0].2);
    }
}
