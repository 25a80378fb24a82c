use super::{judge_enabled, monitoring_kind};
use crate::{Context, Outcomes};

crate::check! {
    /// ## What it checks
    /// A data quality, model quality, model bias or model explainability job definition,
    /// or a monitoring schedule with an inline job definition, whose
    /// `NetworkConfig.EnableNetworkIsolation` is not `true` (absent means `false`).
    ///
    /// ## Why it matters
    /// Monitoring jobs read the captured requests and responses of a production endpoint
    /// (real customer inputs and predictions) and the ground truth you upload. With
    /// network isolation the monitoring container has no network access; SageMaker still
    /// copies the captured data in and the reports out. Without it, the container (often a
    /// custom image) can send that data wherever the network allows.
    ///
    /// ## Example
    /// ```hcl
    /// resource "aws_sagemaker_data_quality_job_definition" "dq" {
    ///   name     = "churn-dq"
    ///   role_arn = aws_iam_role.monitor.arn
    ///   # data_quality_app_specification, _job_input, _job_output_config, job_resources …
    ///   # network_config absent: no isolation
    /// }
    /// ```
    /// ```yaml
    /// DataQuality:
    ///   Type: AWS::SageMaker::DataQualityJobDefinition
    ///   Properties:
    ///     RoleArn: !GetAtt MonitorRole.Arn
    ///     # DataQualityAppSpecification, DataQualityJobInput, … ; no NetworkConfig
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
    ///   *Endpoints* → the endpoint → *Model monitoring*) with network isolation enabled.
    /// - **CLI**: `aws sagemaker create-data-quality-job-definition --network-config
    ///   EnableNetworkIsolation=true,EnableInterContainerTrafficEncryption=true …`, then
    ///   `aws sagemaker update-monitoring-schedule …`
    /// - **Terraform**: `network_config { enable_network_isolation = true }` on
    ///   `aws_sagemaker_data_quality_job_definition` (forces replacement).
    /// - **CloudFormation**: `NetworkConfig.EnableNetworkIsolation: true` on the
    ///   `AWS::SageMaker::*JobDefinition` (replacement) or in the
    ///   `AWS::SageMaker::MonitoringSchedule`'s `MonitoringJobDefinition` (no interruption).
    ///
    /// ## References
    /// - <https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_MonitoringNetworkConfig.html>
    /// - <https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_CreateDataQualityJobDefinition.html>
    /// - <https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_CreateMonitoringSchedule.html>
    /// - AWS Security Hub SageMaker.11, SageMaker.12, SageMaker.14, SageMaker.20, SageMaker.25
    pub static CHECK = {
        code: "SM161",
        name: "monitoring-network-isolation-disabled",
        severity: Medium,
        summary: "model monitoring containers have network access",
        remediation: "Create monitoring job definitions with NetworkConfig.EnableNetworkIsolation true",
        run: run,
    };
}

fn run(ctx: &Context<'_>, out: &mut Outcomes) {
    for job in &ctx.model.monitoring_jobs {
        let value = &job.network.enable_network_isolation;
        let attr = "NetworkConfig.EnableNetworkIsolation";
        judge_enabled(out, job, monitoring_kind(job.kind), attr, value);
    }
}

#[cfg(test)]
mod tests {
    use super::CHECK;
    use crate::testing::{outcomes, verdicts};

    #[test]
    fn isolated_passes() {
        assert_eq!(
            verdicts(&CHECK, "pass.tf"),
            [(
                "aws_sagemaker_data_quality_job_definition.isolated".into(),
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
                "data quality job definition has NetworkConfig.EnableNetworkIsolation false"
            ),
            "{}",
            got[0].2
        );
        assert!(got[0].2.contains("AWS default"), "{}", got[0].2);
        assert_eq!(
            (got[1].0.as_str(), got[1].1),
            ("aws_sagemaker_data_quality_job_definition.open", "fail")
        );
        assert!(!got[1].2.contains("AWS default"), "{}", got[1].2);
    }

    #[test]
    fn schedule_without_isolation_fails() {
        let got = outcomes(&CHECK, "schedule.json");
        assert_eq!(
            got,
            [(
                "monitoring-schedule/churn".into(),
                "fail",
                "monitoring schedule has NetworkConfig.EnableNetworkIsolation false \
                 (NetworkConfig.EnableNetworkIsolation is not set; AWS default applies)"
                    .into()
            )]
        );
    }

    #[test]
    fn unresolved_variable_is_inconclusive() {
        let got = outcomes(&CHECK, "unknown.tf");
        assert_eq!(got.len(), 1);
        assert_eq!(got[0].1, "inconclusive");
        assert!(got[0].2.contains("var.isolate"), "{}", got[0].2);
    }
}
