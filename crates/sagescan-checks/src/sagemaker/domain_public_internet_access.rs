use crate::{Context, Fix, FixValue, Outcomes, Safety};
use sagescan_model::sagemaker::AppNetworkAccessType;

crate::check! {
    /// ## What it checks
    /// A SageMaker Studio domain whose `AppNetworkAccessType` is not `VpcOnly`. The attribute
    /// defaults to `PublicInternetOnly`, so a domain that does not mention it fails too.
    ///
    /// ## Why it matters
    /// In `PublicInternetOnly` mode only the domain's EFS traffic uses your VPC; everything
    /// else Studio apps do (JupyterLab, Code Editor, kernels, `pip install`, calls to AWS
    /// APIs) leaves through a VPC that SageMaker manages, with direct internet access.
    /// Your security groups, NACLs, Network Firewall, VPC endpoint policies and flow logs
    /// never see that traffic, so a user (or code they run) can pull anything from the
    /// internet or push data anywhere, unobserved. In `VpcOnly` mode all Studio traffic
    /// goes through the domain's subnets and security groups, where you control it.
    ///
    /// ## Example
    /// ```hcl
    /// resource "aws_sagemaker_domain" "studio" {
    ///   domain_name = "research"
    ///   auth_mode   = "IAM"
    ///   vpc_id      = aws_vpc.main.id
    ///   subnet_ids  = [aws_subnet.private_a.id]
    ///   default_user_settings {
    ///     execution_role = aws_iam_role.studio.arn
    ///   }
    ///   # app_network_access_type absent: PublicInternetOnly
    /// }
    /// ```
    /// ```yaml
    /// Studio:
    ///   Type: AWS::SageMaker::Domain
    ///   Properties:
    ///     DomainName: research
    ///     AuthMode: IAM
    ///     VpcId: !Ref Vpc
    ///     SubnetIds: [!Ref PrivateSubnetA]
    ///     DefaultUserSettings:
    ///       ExecutionRole: !GetAtt StudioRole.Arn
    /// ```
    ///
    /// ## Use instead
    /// ```hcl
    /// resource "aws_sagemaker_domain" "studio" {
    ///   domain_name             = "research"
    ///   auth_mode               = "IAM"
    ///   vpc_id                  = aws_vpc.main.id
    ///   subnet_ids              = [aws_subnet.private_a.id, aws_subnet.private_b.id]
    ///   app_network_access_type = "VpcOnly"
    ///   default_user_settings {
    ///     execution_role  = aws_iam_role.studio.arn
    ///     security_groups = [aws_security_group.studio.id]
    ///   }
    /// }
    /// ```
    /// ```yaml
    ///     AppNetworkAccessType: VpcOnly
    ///     SubnetIds: [!Ref PrivateSubnetA, !Ref PrivateSubnetB]
    ///     DefaultUserSettings:
    ///       ExecutionRole: !GetAtt StudioRole.Arn
    ///       SecurityGroups: [!Ref StudioSg]
    /// ```
    ///
    /// In `VpcOnly` mode Studio needs a way to reach the SageMaker API and runtime, STS,
    /// CloudWatch Logs and S3: interface VPC endpoints (and an S3 gateway endpoint), or a
    /// NAT gateway behind a firewall if users need selected internet sites. Without them
    /// apps fail to start or hang on connection timeouts.
    ///
    /// ## Remediation
    /// `UpdateDomain` can change the mode, but only while the domain has no apps in the
    /// `InService`, `Pending` or `Deleting` state: delete the users' running apps first.
    /// - **Console**: SageMaker → Domains → the domain → *Domain settings* → *Network* →
    ///   Edit; choose *Virtual Private Cloud (VPC) Only*, the private subnets and the
    ///   security groups.
    /// - **CLI**: `aws sagemaker update-domain --domain-id d-… --app-network-access-type
    ///   VpcOnly --subnet-ids subnet-… subnet-… --default-user-settings
    ///   SecurityGroups=sg-…`
    /// - **Terraform**: `app_network_access_type = "VpcOnly"` plus
    ///   `default_user_settings.security_groups`.
    /// - **CloudFormation**: `AppNetworkAccessType: VpcOnly` plus
    ///   `DefaultUserSettings.SecurityGroups`.
    ///
    /// ## References
    /// - <https://docs.aws.amazon.com/sagemaker/latest/dg/studio-notebooks-and-internet-access.html>
    /// - <https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_CreateDomain.html>
    /// - <https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_UpdateDomain.html>
    /// - AWS Config sagemaker-domain-in-vpc; AWS AI/ML security assessment SM-01
    pub static CHECK = {
        code: "SM101",
        name: "domain-public-internet-access",
        severity: High,
        summary: "Studio domain apps reach the internet outside the VPC",
        remediation: "Set AppNetworkAccessType to VpcOnly and give the domain private subnets and VPC endpoints",
        run: run,
    };
}

fn run(ctx: &Context<'_>, out: &mut Outcomes) {
    for domain in &ctx.model.domains {
        out.judge(
            domain,
            "AppNetworkAccessType",
            &domain.app_network_access_type,
            |v| {
                (*v != AppNetworkAccessType::VpcOnly).then(|| {
                    "Studio domain has AppNetworkAccessType PublicInternetOnly".to_string()
                })
            },
        );
        // Unsafe: in VpcOnly mode the apps reach nothing the domain's subnets cannot, so
        // someone must first check its subnets, NAT or VPC endpoints.
        out.with_fix(Fix::set(
            "Restrict the Studio domain to its VPC",
            Safety::Unsafe,
            &["AppNetworkAccessType"],
            FixValue::String("VpcOnly"),
            &domain.app_network_access_type,
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::CHECK;
    use crate::testing::{outcomes, verdicts};

    #[test]
    fn vpc_only_passes() {
        assert_eq!(
            verdicts(&CHECK, "pass.tf"),
            [("aws_sagemaker_domain.private".into(), "pass")]
        );
    }

    #[test]
    fn public_or_absent_fails() {
        let got = outcomes(&CHECK, "fail.tf");
        assert_eq!(got.len(), 2);
        assert_eq!(
            (got[0].0.as_str(), got[0].1),
            ("aws_sagemaker_domain.absent", "fail")
        );
        assert!(got[0].2.contains("PublicInternetOnly"), "{}", got[0].2);
        assert!(got[0].2.contains("AWS default"), "{}", got[0].2);
        assert_eq!(
            (got[1].0.as_str(), got[1].1),
            ("aws_sagemaker_domain.public", "fail")
        );
        assert!(!got[1].2.contains("AWS default"), "{}", got[1].2);
    }

    #[test]
    fn unresolved_variable_is_inconclusive() {
        let got = outcomes(&CHECK, "unknown.tf");
        assert_eq!(got.len(), 1);
        assert_eq!(got[0].1, "inconclusive");
        assert!(got[0].2.contains("AppNetworkAccessType"), "{}", got[0].2);
        assert!(got[0].2.contains("var.network_mode"), "{}", got[0].2);
    }
}
