//! VPC endpoint checks (VPCE1xx): the PrivateLink and gateway endpoints private SageMaker workloads need, and how they are exposed.

pub mod endpoint_policy_full_access;
pub mod endpoint_sg_too_open;
pub mod endpoint_single_az;
pub mod private_dns_disabled;
pub mod s3_gateway_endpoint_missing;
pub mod sagemaker_endpoints_missing;

use crate::Outcomes;
use sagescan_model::network::{EndpointType, VpcEndpoint};

/// Whether a check that judges interface endpoints only applies to `e`. An endpoint whose
/// type is unknown may be one: it gets an inconclusive outcome here rather than being
/// skipped as if it were a gateway endpoint.
pub(crate) fn is_interface(out: &mut Outcomes, e: &VpcEndpoint) -> bool {
    match e.endpoint_type.get() {
        Some(t) => *t == EndpointType::Interface,
        None => {
            let reason = e.endpoint_type.unknown_reason().unwrap_or_default();
            out.inconclusive(
                e,
                e.endpoint_type.origin(),
                format!("cannot tell whether the endpoint is an interface endpoint: {reason}"),
            );
            false
        }
    }
}

/// How messages name an endpoint: its service name, else its address.
pub(crate) fn service(e: &VpcEndpoint) -> &str {
    e.service_name
        .get()
        .map_or(e.meta.address.as_str(), String::as_str)
}

/// Whether `service_name` (`com.amazonaws.us-east-1.sagemaker.api`) is the service whose
/// suffix is `suffix` (`sagemaker.api`): it must end in `.{suffix}`.
pub(crate) fn is_service(service_name: &str, suffix: &str) -> bool {
    service_name
        .strip_suffix(suffix)
        .is_some_and(|rest| rest.ends_with('.'))
}

#[cfg(test)]
mod tests {
    use super::is_service;

    #[test]
    fn service_suffix_needs_a_dot() {
        assert!(is_service(
            "com.amazonaws.us-east-1.sagemaker.api",
            "sagemaker.api"
        ));
        assert!(is_service("com.amazonaws.us-east-1.s3", "s3"));
        assert!(!is_service("com.amazonaws.us-east-1.xs3", "s3"));
        assert!(!is_service(
            "com.amazonaws.us-east-1.sagemaker.api",
            "api.x"
        ));
    }
}
