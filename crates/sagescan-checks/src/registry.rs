//! The static registry: every check, sorted by code. Adding a check is one line here.

use crate::check::Check;
use crate::sagemaker;

pub static CHECKS: &[&Check] = &[
    // NACL
    &crate::nacl::nacl_world_ingress_admin_port::CHECK,
    &crate::nacl::nacl_world_ingress_all_ports::CHECK,
    &crate::nacl::workload_subnet_default_nacl::CHECK,
    &crate::nacl::shadowed_entry::CHECK,
    // NET
    &crate::net::workload_internet_egress_uninspected::CHECK,
    &crate::net::workload_internet_ingress::CHECK,
    &crate::net::workload_required_service_unreachable::CHECK,
    &crate::net::firewall_asymmetric_route::CHECK,
    &crate::net::dns_exfiltration_open::CHECK,
    &crate::net::workload_internet_egress_unrestricted::CHECK,
    // NFW
    &crate::nfw::logging_disabled::CHECK,
    &crate::nfw::deletion_protection_disabled::CHECK,
    &crate::nfw::subnet_change_protection_disabled::CHECK,
    &crate::nfw::single_az::CHECK,
    &crate::nfw::policy_without_rule_groups::CHECK,
    &crate::nfw::stateless_default_pass::CHECK,
    &crate::nfw::allowlist_not_enforced::CHECK,
    &crate::nfw::allowlist_too_broad::CHECK,
    &crate::nfw::allowlist_bypassable::CHECK,
    &crate::nfw::cmk_missing::CHECK,
    &crate::nfw::allowlist_missing::CHECK,
    // OPS
    &crate::ops::required_tags_missing::CHECK,
    &crate::ops::nat_gateway_per_subnet::CHECK,
    &crate::ops::environment_mixed::CHECK,
    // SG
    &crate::sg::default_sg_has_rules::CHECK,
    &crate::sg::world_ingress_all_ports::CHECK,
    &crate::sg::world_ingress_admin_port::CHECK,
    &crate::sg::workload_sg_ingress_too_broad::CHECK,
    &crate::sg::workload_sg_egress_unrestricted::CHECK,
    &crate::sg::sg_shared_across_functions::CHECK,
    &crate::sg::rule_without_description::CHECK,
    // SM
    &sagemaker::domain_public_internet_access::CHECK,
    &sagemaker::domain_kms_missing::CHECK,
    &sagemaker::notebook_direct_internet_access::CHECK,
    &sagemaker::notebook_outside_vpc::CHECK,
    &sagemaker::notebook_root_access::CHECK,
    &sagemaker::notebook_kms_missing::CHECK,
    &sagemaker::notebook_imdsv1_allowed::CHECK,
    &sagemaker::model_network_isolation_disabled::CHECK,
    &sagemaker::model_outside_vpc::CHECK,
    &sagemaker::model_public_registry::CHECK,
    &sagemaker::endpoint_single_instance::CHECK,
    &sagemaker::endpoint_config_kms_missing::CHECK,
    &sagemaker::training_network_isolation_disabled::CHECK,
    &sagemaker::training_outside_vpc::CHECK,
    &sagemaker::training_inter_container_encryption_disabled::CHECK,
    &sagemaker::training_storage_kms_missing::CHECK,
    &sagemaker::processing_network_isolation_disabled::CHECK,
    &sagemaker::processing_outside_vpc::CHECK,
    &sagemaker::monitoring_network_isolation_disabled::CHECK,
    &sagemaker::monitoring_inter_container_encryption_disabled::CHECK,
    &crate::sagemaker::workload_public_subnet::CHECK,
    &crate::sagemaker::workload_single_az::CHECK,
    // VPC
    &crate::vpc::flow_logs_missing::CHECK,
    &crate::vpc::dns_resolution_disabled::CHECK,
    &crate::vpc::subnet_auto_public_ip::CHECK,
    &crate::vpc::default_vpc_used::CHECK,
    &crate::vpc::peering_route_too_broad::CHECK,
    // VPCE
    &crate::vpce::sagemaker_endpoints_missing::CHECK,
    &crate::vpce::s3_gateway_endpoint_missing::CHECK,
    &crate::vpce::private_dns_disabled::CHECK,
    &crate::vpce::endpoint_single_az::CHECK,
    &crate::vpce::endpoint_sg_too_open::CHECK,
    &crate::vpce::endpoint_policy_full_access::CHECK,
];

/// Looks a check up by code (case-insensitive) or by name.
pub fn find(code_or_name: &str) -> Option<&'static Check> {
    CHECKS
        .iter()
        .copied()
        .find(|c| c.code.eq_ignore_ascii_case(code_or_name) || c.name == code_or_name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_unique_and_sorted() {
        for pair in CHECKS.windows(2) {
            assert!(
                pair[0].code < pair[1].code,
                "{} must sort before {}",
                pair[0].code,
                pair[1].code
            );
        }
    }

    #[test]
    fn names_are_unique() {
        let mut names: Vec<&str> = CHECKS.iter().map(|c| c.name).collect();
        names.sort_unstable();
        for pair in names.windows(2) {
            assert_ne!(
                pair[0], pair[1],
                "two checks share a name: `explain NAME` would be ambiguous"
            );
        }
    }

    #[test]
    fn names_are_kebab_case_hazards() {
        for c in CHECKS {
            assert!(
                c.name
                    .chars()
                    .all(|ch| ch.is_ascii_lowercase() || ch.is_ascii_digit() || ch == '-'),
                "{}: {}",
                c.code,
                c.name
            );
            assert!(
                !c.name.starts_with("ensure"),
                "{}: name the hazard, not the wish",
                c.code
            );
        }
    }

    #[test]
    fn every_page_has_the_fixed_headings() {
        const HEADINGS: &[&str] = &[
            "## What it checks",
            "## Why it matters",
            "## Example",
            "## Use instead",
            "## Remediation",
            "## References",
        ];
        for c in CHECKS {
            let page = c.page();
            let mut at = 0;
            for h in HEADINGS {
                let found = page[at..]
                    .find(h)
                    .unwrap_or_else(|| panic!("{}: missing or misplaced {h}", c.code));
                at += found + h.len();
            }
            for sub in ["Console", "CLI", "Terraform", "CloudFormation"] {
                assert!(page.contains(sub), "{}: remediation lacks {sub}", c.code);
            }
        }
    }

    #[test]
    fn every_check_has_pass_fail_and_unknown_fixtures() {
        for c in CHECKS {
            for case in ["pass", "fail", "unknown"] {
                let present = ["tf", "json"]
                    .iter()
                    .any(|ext| crate::testing::fixture_path(c, &format!("{case}.{ext}")).is_file());
                assert!(
                    present,
                    "{}: no {case}.tf or {case}.json next to {}",
                    c.code, c.file
                );
            }
        }
    }

    #[test]
    fn file_is_named_after_the_check() {
        for c in CHECKS {
            let stem = c
                .file
                .rsplit(['/', '\\'])
                .next()
                .and_then(|f| f.strip_suffix(".rs"));
            assert_eq!(stem, Some(c.name.replace('-', "_").as_str()), "{}", c.code);
        }
    }

    #[test]
    fn find_accepts_code_or_name() {
        assert_eq!(
            find("sm101").map(|c| c.name),
            Some("domain-public-internet-access")
        );
        assert_eq!(
            find("endpoint-single-instance").map(|c| c.code),
            Some("SM131")
        );
        assert!(find("SM999").is_none());
    }
}
