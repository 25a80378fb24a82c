//! The commented `sagescan.toml` that `sagescan init` writes. Every option is present with
//! the catalogue's default, so the file documents the schema and changes nothing until
//! edited; a test keeps it valid and in step with [`sagescan_checks::Options`].

pub const TEMPLATE: &str = r#"# sagescan configuration. sagescan uses the nearest sagescan.toml in the scanned
# directory or a parent (or the file given with --config; --no-config ignores it).
# Every problem in this file is reported with its line; unknown keys are errors.

[checks]
# Checks to run: codes (SM111), names (notebook-direct-internet-access) or code prefixes
# (SM1, VPCE). Empty = every check. `--checks` on the command line replaces both lists.
enable = []
# Checks not to run. `--skip-checks` adds to this list.
disable = []

[severity]
# Override a check's severity: "low", "medium", "high" or "critical". It changes what
# `--fail-on` counts.
# SM131 = "low"

[options]
# VPCE101: interface endpoint services (suffixes of the service name) that a VPC needs.
# Any VPC hosting a SageMaker workload:
required_endpoints.any_workload = ["sagemaker.api", "sagemaker.runtime"]
# A VPC hosting a Studio domain in VpcOnly mode:
required_endpoints.studio_vpc_only = ["sts", "logs"]
# A VPC hosting a model or job whose images come from a private ECR registry:
required_endpoints.private_ecr = ["ecr.api", "ecr.dkr"]

# NFW108: firewall allow-list entries that admit too much. An entry matches when it equals
# one of these or is a suffix pattern covering one; a lone TLD (".com") always matches.
too_broad_domains = [
  ".amazonaws.com", ".s3.amazonaws.com", ".cloudfront.net", ".githubusercontent.com",
  ".blob.core.windows.net", ".googleapis.com", ".azurewebsites.net", ".herokuapp.com",
  ".ngrok.io", ".ngrok-free.app", "pastebin.com", ".pastebin.com", "paste.ee",
  "transfer.sh", "gist.github.com", ".dropboxusercontent.com", "docs.google.com",
  "drive.google.com",
]

# OPS102: tag keys every resource must carry (none: the check is off until set).
required_tags = []

# OPS104: the tag key that names a resource's environment.
environment_tag = "Environment"

# SG104: ports a SageMaker workload's security group may admit from inside the VPC.
authorized_ingress_ports = [443]

# SG103, NACL101: ports that must never be open to the world.
admin_ports = [22, 3389, 23, 21, 445, 3306, 5432, 1433, 6379, 9200, 27017, 8888]

# VPC101: whether a flow log must capture ALL traffic (else REJECT also passes).
flow_logs_require_all = false

# Waivers: accept the findings of one check on the resources a glob matches. The glob is
# matched against the resource address; `aws_x.y` also covers its instances `aws_x.y[0]`.
# A reason is required. After `expires` (YYYY-MM-DD, optional) the waiver no longer
# applies and is reported; a waiver that matches nothing is reported too.
# Inline alternative, in a Terraform comment inside or directly above the resource:
#   # sagescan:ignore SM111,SM113 why this is accepted
#
# [[waivers]]
# code = "SM111"
# resource = "aws_sagemaker_notebook_instance.lab*"
# reason = "sandbox notebook without data access (ticket SEC-123)"
# expires = "2026-12-31"
"#;

#[cfg(test)]
mod tests {
    use super::*;
    use sagescan_checks::Options;

    #[test]
    fn template_is_valid_and_sets_every_option_to_its_default() {
        let config = crate::config::parse("sagescan.toml", TEMPLATE).expect("template is valid");
        assert_eq!(config.options, Options::default());
        assert!(config.enable.is_empty() && config.disable.is_empty());
        assert!(config.severity.is_empty() && config.waivers.is_empty());
    }

    #[test]
    fn template_names_every_option_key() {
        // Keeps the template in step when a field is added to `Options`.
        let debug = format!("{:?}", Options::default());
        let fields = debug
            .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .filter(|w| w.chars().next().is_some_and(|c| c.is_ascii_lowercase()))
            .filter(|w| w.contains('_'))
            .collect::<Vec<_>>();
        assert!(fields.len() >= 10, "{fields:?}");
        for field in fields {
            let set = [
                format!("\n{field} ="),
                format!("\n{field}."),
                format!(".{field} ="),
            ];
            assert!(
                set.iter().any(|s| TEMPLATE.contains(s.as_str())),
                "template lacks `{field}`"
            );
        }
    }
}
