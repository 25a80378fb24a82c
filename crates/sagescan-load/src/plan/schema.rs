//! The little schema knowledge plan JSON needs and does not carry.
//!
//! `terraform show -json` prints nested blocks and list attributes alike as JSON arrays, and
//! an unknown value as a bare `true` in `after_unknown`, without saying what shape it would
//! have. The mapper (`terraform::map`) reads nested blocks as [`Body`] blocks and id lists as
//! [`Val::List`]s, so this module answers the two questions for exactly the names the mapper
//! reads. Keep it in step with `terraform/map/*.rs`: a block name missing here still maps
//! (the mapper also accepts blocks in attribute syntax) but loses nested reference
//! resolution.
//!
//! [`Body`]: crate::terraform::ir::Body
//! [`Val::List`]: crate::terraform::ir::Val::List

/// Nested block names per resource type, at any depth below the resource, as the AWS
/// provider's schema declares them (and `terraform/map/*.rs` reads them).
const NESTED_BLOCKS: &[(&str, &[&str])] = &[
    ("aws_security_group", &["ingress", "egress"]),
    ("aws_default_security_group", &["ingress", "egress"]),
    ("aws_network_acl", &["ingress", "egress"]),
    ("aws_default_network_acl", &["ingress", "egress"]),
    ("aws_route_table", &["route"]),
    ("aws_default_route_table", &["route"]),
    ("aws_ec2_managed_prefix_list", &["entry"]),
    (
        "aws_networkfirewall_firewall",
        &["subnet_mapping", "encryption_configuration"],
    ),
    (
        "aws_networkfirewall_firewall_policy",
        &[
            "firewall_policy",
            "stateful_engine_options",
            "stateless_rule_group_reference",
            "stateful_rule_group_reference",
            "encryption_configuration",
        ],
    ),
    (
        "aws_networkfirewall_rule_group",
        &[
            "rule_group",
            "rules_source",
            "rules_source_list",
            "stateful_rule",
            "header",
            "rule_option",
            "stateful_rule_options",
            "stateless_rules_and_custom_actions",
            "stateless_rule",
            "rule_definition",
            "match_attributes",
            "source",
            "destination",
            "source_port",
            "destination_port",
            "encryption_configuration",
        ],
    ),
    (
        "aws_networkfirewall_logging_configuration",
        &["logging_configuration", "log_destination_config"],
    ),
    (
        "aws_sagemaker_model",
        &[
            "primary_container",
            "container",
            "image_config",
            "vpc_config",
        ],
    ),
    (
        "aws_sagemaker_notebook_instance",
        &["instance_metadata_service_configuration"],
    ),
    (
        "aws_sagemaker_endpoint_configuration",
        &["production_variants", "serverless_config"],
    ),
    (
        "aws_sagemaker_domain",
        &["default_user_settings", "default_space_settings"],
    ),
    ("aws_sagemaker_user_profile", &["user_settings"]),
    (
        "aws_sagemaker_space",
        &["space_sharing_settings", "ownership_settings"],
    ),
    (
        "aws_sagemaker_data_quality_job_definition",
        &["network_config", "vpc_config"],
    ),
];

/// Attributes that hold a list of resource ids, whatever the resource type. When such a list
/// is wholly unknown in the plan, its configuration references become a list of references
/// (`security_groups = [aws_security_group.a.id]`), not a single one.
const ID_LISTS: &[&str] = &[
    "subnet_ids",
    "subnets",
    "security_groups",
    "security_group_ids",
    "route_table_ids",
    "prefix_list_ids",
];

/// Whether `name` is a nested block of resource type `rtype`.
pub(super) fn is_block(rtype: &str, name: &str) -> bool {
    NESTED_BLOCKS
        .iter()
        .find(|(t, _)| *t == rtype)
        .is_some_and(|(_, blocks)| blocks.contains(&name))
}

/// Whether `name` holds a list of resource ids.
pub(super) fn is_id_list(name: &str) -> bool {
    ID_LISTS.contains(&name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocks_are_per_resource_type() {
        assert!(is_block("aws_security_group", "ingress"));
        assert!(is_block("aws_sagemaker_model", "image_config"));
        assert!(!is_block("aws_sagemaker_model", "ingress"));
        assert!(!is_block("aws_s3_bucket", "ingress"));
        assert!(is_id_list("subnet_ids"));
        assert!(!is_id_list("cidr_block"));
    }
}
