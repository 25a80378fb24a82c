use super::{judge_enabled, monitoring_kind};
use crate::{Context, Outcomes};

crate::check! {
    /// ## What it checks
    /// A data quality, model quality, model bias or model explainability job definition,
    /// or a monitoring schedule with an inline job definition, whose
    /// `NetworkConfig.EnableInterContainerTrafficEncryption` is not `true` (absent means
    /// `false`).
    ///
    /// ## Why it matters
    /// A monitoring job that runs on several instances exchanges captured endpoint
    /// traffic (customer inputs and predictions) and intermediate statistics between
    /// them. Without the setting, that traffic crosses the network unencrypted. The
    /// instance count can change with each new job definition, so the flag is expected on
    /// every definition, as Security Hub does.
    ///
    /// ## Example
    /// ```hcl
    /// resource "aws_sagemaker_data_quality_job_definition" "dq" {
    ///   name     = "churn-dq"
    ///   role_arn = aws_iam_role.monitor.arn
    ///   # data_quality_app_specification, _job_input, _job_output_config, job_resources …
    ///   network_config {
    ///     enable_network_isolation = true
    ///     # enable_inter_container_traffic_encryption absent: false
    ///   }
    /// }
    /// ```
    /// ```yaml
    /// DataQuality:
    ///   Type: AWS::SageMaker::DataQualityJobDefinition
    ///   Properties:
    ///     NetworkConfig:
    ///       EnableNetworkIsolation: true
    /// ```
    ///
    /// ## Use instead
    /// ```hcl
    ///   network_config {
    ///     enable_network_isolation                  = true
    ///     enable_inter_container_traffic_encryption = true
    ///   }
    /// ```
    /// ```yaml
    ///     NetworkConfig:
    ///       EnableNetworkIsolation: true
    ///       EnableInterContainerTrafficEncryption: true
    /// ```
    ///
    /// ## Remediation
    /// Job definitions cannot be updated: create a new one and point the monitoring
    /// schedule at it (`UpdateMonitoringSchedule`). An inline schedule definition can be
    /// updated in place.
    /// - **Console**: set up monitoring again from SageMaker Studio (*Deployments* →
    ///   *Endpoints* → the endpoint → *Model monitoring*) with traffic encryption enabled.
    /// - **CLI**: `aws sagemaker create-data-quality-job-definition --network-config
    ///   EnableInterContainerTrafficEncryption=true,EnableNetworkIsolation=true …`
    /// - **Terraform**: `network_config { enable_inter_container_traffic_encryption = true }`
    ///   on `aws_sagemaker_data_quality_job_definition` (forces replacement).
    /// - **CloudFormation**: `NetworkConfig.EnableInterContainerTrafficEncryption: true` on
    ///   the `AWS::SageMaker::*JobDefinition` (replacement) or in the
    ///   `AWS::SageMaker::MonitoringSchedule`'s `MonitoringJobDefinition` (no interruption).
    ///
    /// ## References
    /// - <https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_MonitoringNetworkConfig.html>
    /// - <https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_CreateDataQualityJobDefinition.html>
    /// - AWS Security Hub SageMaker.9, SageMaker.10, SageMaker.13, SageMaker.15,
    ///   SageMaker.22; Checkov CKV_AWS_369
    pub static CHECK = {
        code: "SM162",
        name: "monitoring-inter-container-encryption-disabled",
        severity: Medium,
        summary: "model monitoring traffic between instances is not encrypted",
        remediation: "Create monitoring job definitions with NetworkConfig.EnableInterContainerTrafficEncryption true",
        run: run,
    };
}

fn run(ctx: &Context<'_>, out: &mut Outcomes) {
    for job in &ctx.model.monitoring_jobs {
        let value = &job.network.inter_container_encryption;
        let attr = "NetworkConfig.EnableInterContainerTrafficEncryption";
        judge_enabled(out, job, monitoring_kind(job.kind), attr, value);
    }
}

#[cfg(test)]
mod tests {
    use super::CHECK;
    use crate::testing::{outcomes, verdicts};

    #[test]
    fn encrypted_passes() {
        assert_eq!(
            verdicts(&CHECK, "pass.tf"),
            [(
                "aws_sagemaker_data_quality_job_definition.encrypted".into(),
                "pass"
            )]
        );
    }

    #[test]
    fn false_or_absent_fails() {
        let got = outcomes(&CHECK, "fail.tf");
        assert_eq!(got.len(), 2);
        assert_eq!(
            (got[0].0.as_str(), got[0].1),
            ("aws_sagemaker_data_quality_job_definition.absent", "fail")
        );
        assert!(
            got[0].2.starts_with(
                "data quality job definition has NetworkConfig.EnableInterContainerTrafficEncryption false"
            ),
            "{}",
            got[0].2
        );
        assert!(got[0].2.contains("AWS default"), "{}", got[0].2);
        assert_eq!(
            (got[1].0.as_str(), got[1].1),
            ("aws_sagemaker_data_quality_job_definition.plain", "fail")
        );
        assert!(!got[1].2.contains("AWS default"), "{}", got[1].2);
    }

    #[test]
    fn unresolved_variable_is_inconclusive() {
        let got = outcomes(&CHECK, "unknown.tf");
        assert_eq!(got.len(), 1);
        assert_eq!(got[0].1, "inconclusive");
        assert!(got[0].2.contains("var.encrypt"), "{}", got[0].2);
    }
}
