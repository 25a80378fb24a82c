//! How a fix's property path (API and CloudFormation names) is spelled in Terraform.
//!
//! Checks speak the API's language; only this table knows the AWS provider's. A property
//! missing here is refused with a message rather than guessed from its CamelCase.

/// `(Terraform resource type, API path, Terraform path)`; all but the last Terraform
/// segment are nested blocks.
const TERRAFORM: &[(&str, &[&str], &[&str])] = &[
    (
        "aws_sagemaker_model",
        &["EnableNetworkIsolation"],
        &["enable_network_isolation"],
    ),
    (
        "aws_sagemaker_notebook_instance",
        &["DirectInternetAccess"],
        &["direct_internet_access"],
    ),
    (
        "aws_sagemaker_notebook_instance",
        &["RootAccess"],
        &["root_access"],
    ),
    (
        "aws_sagemaker_notebook_instance",
        &[
            "InstanceMetadataServiceConfiguration",
            "MinimumInstanceMetadataServiceVersion",
        ],
        &[
            "instance_metadata_service_configuration",
            "minimum_instance_metadata_service_version",
        ],
    ),
    (
        "aws_networkfirewall_firewall",
        &["DeleteProtection"],
        &["delete_protection"],
    ),
    (
        "aws_networkfirewall_firewall",
        &["SubnetChangeProtection"],
        &["subnet_change_protection"],
    ),
    (
        "aws_sagemaker_notebook_instance",
        &["KmsKeyId"],
        &["kms_key_id"],
    ),
    (
        "aws_sagemaker_domain",
        &["AppNetworkAccessType"],
        &["app_network_access_type"],
    ),
    ("aws_sagemaker_domain", &["KmsKeyId"], &["kms_key_id"]),
    (
        "aws_sagemaker_endpoint_configuration",
        &["KmsKeyId"],
        &["kms_key_arn"],
    ),
    (
        "aws_subnet",
        &["MapPublicIpOnLaunch"],
        &["map_public_ip_on_launch"],
    ),
];

/// The Terraform path of `path` on a `resource_type`, if known.
pub(crate) fn terraform(resource_type: &str, path: &[&str]) -> Option<&'static [&'static str]> {
    TERRAFORM
        .iter()
        .find(|(t, api, _)| *t == resource_type && *api == path)
        .map(|(_, _, tf)| *tf)
}
