use super::service;
use crate::{Context, Outcomes};
use sagescan_model::Value;
use sagescan_model::network::EndpointType;
use serde_json::Value as Json;

crate::check! {
    /// ## What it checks
    /// An interface or gateway VPC endpoint whose policy has an `Allow` statement for every
    /// principal (`"*"` or `{"AWS": "*"}`) and every action (`"*"`) without a `Condition`.
    /// An endpoint without a policy gets AWS's default policy, which is exactly that, so it
    /// fails too. Gateway Load Balancer endpoints take no policy and are not judged.
    ///
    /// ## Why it matters
    /// The endpoint policy is the one place that can say *which* accounts, buckets or roles
    /// may be reached through the endpoint. With full access, a workload holding any
    /// credentials (its own, or keys an attacker brought) can copy data to a bucket in
    /// another account through your S3 gateway endpoint, with no internet path at all.
    ///
    /// ## Example
    /// ```hcl
    /// resource "aws_vpc_endpoint" "s3" {
    ///   vpc_id          = aws_vpc.ml.id
    ///   service_name    = "com.amazonaws.us-east-1.s3"
    ///   route_table_ids = [aws_route_table.private.id]
    ///   # no policy: full access
    /// }
    /// ```
    /// ```yaml
    /// S3Endpoint:
    ///   Type: AWS::EC2::VPCEndpoint
    ///   Properties:
    ///     VpcId: !Ref Vpc
    ///     ServiceName: !Sub com.amazonaws.${AWS::Region}.s3
    ///     PolicyDocument:
    ///       Statement:
    ///         - Effect: Allow
    ///           Principal: "*"
    ///           Action: "*"
    ///           Resource: "*"
    /// ```
    ///
    /// ## Use instead
    /// ```hcl
    ///   policy = jsonencode({
    ///     Version = "2012-10-17"
    ///     Statement = [{
    ///       Effect    = "Allow"
    ///       Principal = "*"
    ///       Action    = ["s3:GetObject", "s3:PutObject", "s3:ListBucket"]
    ///       Resource  = ["arn:aws:s3:::ml-data", "arn:aws:s3:::ml-data/*"]
    ///       Condition = { StringEquals = { "aws:PrincipalAccount" = "123456789012" } }
    ///     }]
    ///   })
    /// ```
    /// ```yaml
    ///     PolicyDocument:
    ///       Statement:
    ///         - Effect: Allow
    ///           Principal: "*"
    ///           Action: [s3:GetObject, s3:PutObject, s3:ListBucket]
    ///           Resource: [arn:aws:s3:::ml-data, arn:aws:s3:::ml-data/*]
    ///           Condition:
    ///             StringEquals: { aws:PrincipalAccount: "123456789012" }
    /// ```
    ///
    /// ## Remediation
    /// - **Console**: VPC → Endpoints → select the endpoint → Policy → Edit policy →
    ///   *Custom*.
    /// - **CLI**: `aws ec2 modify-vpc-endpoint --vpc-endpoint-id vpce-… --policy-document
    ///   file://policy.json`
    /// - **Terraform**: `policy = jsonencode({…})` on the endpoint, or an
    ///   `aws_vpc_endpoint_policy`.
    /// - **CloudFormation**: `PolicyDocument` on the `AWS::EC2::VPCEndpoint`.
    ///
    /// ## Limitations
    /// Any `Condition` is taken to restrict the statement; what it restricts is not judged.
    /// `NotAction` / `NotPrincipal` statements are not treated as full access.
    ///
    /// ## References
    /// - <https://docs.aws.amazon.com/vpc/latest/privatelink/vpc-endpoints-access.html>
    /// - <https://docs.aws.amazon.com/vpc/latest/privatelink/vpc-endpoints-s3.html#vpc-endpoints-policies-s3>
    /// - Prowler (trust boundary)
    pub static CHECK = {
        code: "VPCE106",
        name: "endpoint-policy-full-access",
        severity: Low,
        summary: "VPC endpoint policy allows every principal every action",
        remediation: "Attach an endpoint policy limited to the principals, actions and resources needed",
        run: run,
    };
}

/// Whether `v` is `"*"` or a list holding `"*"`.
fn has_star(v: Option<&Json>) -> bool {
    match v {
        Some(Json::String(s)) => s == "*",
        Some(Json::Array(items)) => items.iter().any(|i| i.as_str() == Some("*")),
        _ => false,
    }
}

/// Whether a statement allows every principal every action, unconditionally.
fn full_access(st: &Json) -> bool {
    let principal = st.get("Principal");
    st.get("Effect").and_then(Json::as_str) == Some("Allow")
        && st.get("Condition").is_none()
        && (has_star(principal) || has_star(principal.and_then(|p| p.get("AWS"))))
        && has_star(st.get("Action"))
}

/// `Ok(true)` when the policy text grants full access; `Err` when it is not a policy.
fn grants_full_access(text: &str) -> Result<bool, String> {
    let doc: Json =
        serde_json::from_str(text).map_err(|e| format!("the policy is not JSON ({e})"))?;
    match doc.get("Statement") {
        Some(Json::Array(sts)) => Ok(sts.iter().any(full_access)),
        Some(st @ Json::Object(_)) => Ok(full_access(st)),
        _ => Err("the policy has no Statement".into()),
    }
}

fn run(ctx: &Context<'_>, out: &mut Outcomes) {
    for e in &ctx.model.vpc_endpoints {
        if e.endpoint_type.get() == Some(&EndpointType::GatewayLoadBalancer) {
            continue;
        }
        let name = service(e);
        match &e.policy {
            Value::Unknown { reason, origin, .. } => out.inconclusive(
                e,
                origin,
                format!("cannot tell the endpoint policy: {reason}"),
            ),
            Value::Set {
                value: None,
                origin,
            }
            | Value::Default {
                value: None,
                origin,
            } => {
                if let Value::Unknown { reason, origin, .. } = &e.endpoint_type {
                    // A Gateway Load Balancer endpoint has no policy at all.
                    out.inconclusive(
                        e,
                        origin,
                        format!("cannot tell the endpoint type: {reason}"),
                    );
                } else {
                    out.fail(e, origin, format!("endpoint {name} has no policy: AWS default applies, which allows every principal every action"));
                }
            }
            Value::Set {
                value: Some(text),
                origin,
            }
            | Value::Default {
                value: Some(text),
                origin,
            } => match grants_full_access(text) {
                Ok(true) => out.fail(
                    e,
                    origin,
                    format!("endpoint {name} policy allows principal * action *"),
                ),
                Ok(false) => out.pass(e),
                Err(why) => out.inconclusive(
                    e,
                    origin,
                    format!("cannot tell what the endpoint policy allows: {why}"),
                ),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{CHECK, grants_full_access};
    use crate::testing::{lines, outcomes, verdicts};

    #[test]
    fn restricted_policy_passes() {
        assert_eq!(
            verdicts(&CHECK, "pass.tf"),
            [("aws_vpc_endpoint.s3".into(), "pass")]
        );
    }

    #[test]
    fn absent_or_star_policy_fails() {
        let got = outcomes(&CHECK, "fail.tf");
        assert_eq!(got.len(), 2, "{got:?}");
        assert_eq!(
            got[0],
            (
                "aws_vpc_endpoint.s3".into(),
                "fail",
                "endpoint com.amazonaws.us-east-1.s3 policy allows principal * action *".into()
            )
        );
        assert_eq!(
            got[1],
            (
                "aws_vpc_endpoint.sts".into(),
                "fail",
                "endpoint com.amazonaws.us-east-1.sts has no policy: AWS default applies, which \
                 allows every principal every action"
                    .into()
            )
        );
        assert_eq!(
            lines(&CHECK, "fail.tf")[0],
            ("aws_vpc_endpoint.s3".into(), "fail", Some(8))
        );
    }

    #[test]
    fn policy_shapes() {
        let star = r#"{"Statement":{"Effect":"Allow","Principal":{"AWS":["*"]},"Action":"*","Resource":"*"}}"#;
        assert_eq!(grants_full_access(star), Ok(true));
        let cond = r#"{"Statement":[{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*","Condition":{"StringEquals":{"aws:PrincipalAccount":"1"}}}]}"#;
        assert_eq!(grants_full_access(cond), Ok(false));
        let deny =
            r#"{"Statement":[{"Effect":"Deny","Principal":"*","Action":"*","Resource":"*"}]}"#;
        assert_eq!(grants_full_access(deny), Ok(false));
        assert!(grants_full_access("{not json").is_err());
    }

    #[test]
    fn unknown_policy_is_inconclusive() {
        let got = outcomes(&CHECK, "unknown.tf");
        assert_eq!(got.len(), 1, "{got:?}");
        assert_eq!(got[0].1, "inconclusive");
        assert!(got[0].2.contains("var.policy"), "{}", got[0].2);
    }
}
