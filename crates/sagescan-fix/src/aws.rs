//! Live resources: a shell script of AWS CLI commands for a human to review and run.
//!
//! sagescan never changes an account. For findings on live resources (a `--aws` scan or a
//! snapshot of one) the fix becomes commands: settings the API can update in place are
//! updated (a notebook is stopped first, as `UpdateNotebookInstance` requires); settings it
//! cannot are applied by re-creating the resource from its own description with the
//! setting changed, under a new name, leaving the old resource's deletion commented out,
//! because SageMaker models and notebook instances cannot be modified in place
//! (<https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_UpdateNotebookInstance.html>).
//! Unsafe fixes are written as comments: they need a decision the script cannot make.

use sagescan_checks::{Edit, Finding, Fix, FixValue, Safety};
use std::fmt::Write as _;

/// The script's header: what it is and how to use it.
const HEADER: &str = "#!/usr/bin/env bash
# Written by `sagescan fix`: AWS CLI commands that apply the fixes of live findings.
# Nothing has been changed yet. Review every command, then run this script with
# credentials allowed to make the changes. Replaced resources get a new name; deleting the
# old one is left commented out until you have moved its users over.
set -euo pipefail
";

/// The script for `fixes` (finding and fix pairs on live resources); unsafe fixes only as
/// comments unless `unsafe_fixes`.
pub fn script(fixes: &[(&Finding, &Fix)], unsafe_fixes: bool) -> String {
    let mut out = String::from(HEADER);
    for (finding, fix) in fixes {
        let arn = &finding.resource.address;
        let _ = write!(
            out,
            "\n# {} {}: {} ({})\n",
            finding.code,
            arn,
            fix.title,
            fix.safety.as_str()
        );
        for edit in &fix.edits {
            let Edit::Set { path, value, .. } = edit;
            let commands = match (fix.safety, unsafe_fixes, value) {
                (_, _, FixValue::Placeholder(what)) => Err(format!(
                    "needs a decision: set {} to a {what} of your choosing",
                    path.join(".")
                )),
                (Safety::Unsafe, false, _) => Err(format!(
                    "needs a decision: set {} to {value} once you have checked what it cuts off",
                    path.join(".")
                )),
                _ => commands(finding.resource.kind, arn, path, value),
            };
            match commands {
                Ok(lines) => out.push_str(&lines),
                Err(why) => {
                    let _ = writeln!(out, "# not scripted: {why}");
                }
            }
        }
    }
    out
}

/// `(region, name)` of a resource ARN: `arn:aws:sagemaker:REGION:ACCOUNT:TYPE/NAME`.
fn region_and_name(arn: &str) -> Option<(&str, &str)> {
    let mut parts = arn.splitn(6, ':');
    let (Some("arn"), Some(_), Some(_), Some(region), Some(_), Some(resource)) = (
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
    ) else {
        return None;
    };
    let name = resource.rsplit('/').next().filter(|n| !n.is_empty())?;
    // Names and regions go into shell commands: only the characters AWS allows in them
    // (a snapshot is a file anyone could have edited).
    let plain = |s: &str| {
        s.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
    };
    (plain(region) && plain(name)).then_some((region, name))
}

fn commands(kind: &str, arn: &str, path: &[&str], value: &FixValue) -> Result<String, String> {
    let (region, name) =
        region_and_name(arn).ok_or_else(|| format!("`{arn}` is not an ARN sagescan can read"))?;
    let q = |s: &str| format!("'{}'", s.replace('\'', r"'\''"));
    let nb = |update: &str| {
        format!(
            "aws sagemaker stop-notebook-instance --region {region} --notebook-instance-name {n}\n\
             aws sagemaker wait notebook-instance-stopped --region {region} --notebook-instance-name {n}\n\
             aws sagemaker update-notebook-instance --region {region} --notebook-instance-name {n} {update}\n\
             aws sagemaker start-notebook-instance --region {region} --notebook-instance-name {n}\n",
            n = q(name)
        )
    };
    Ok(match (kind, path, value) {
        ("sagemaker_notebook_instance", ["RootAccess"], FixValue::String(v)) => {
            nb(&format!("--root-access {v}"))
        }
        (
            "sagemaker_notebook_instance",
            [
                "InstanceMetadataServiceConfiguration",
                "MinimumInstanceMetadataServiceVersion",
            ],
            FixValue::String(v),
        ) => nb(&format!(
            "--instance-metadata-service-configuration MinimumInstanceMetadataServiceVersion={v}"
        )),
        ("sagemaker_notebook_instance", ["DirectInternetAccess"], FixValue::String(v)) => recreate(
            region,
            name,
            "notebook-instance",
            "NotebookInstanceName",
            &format!(
                "{{NotebookInstanceName: $name, InstanceType, SubnetId, \
                     SecurityGroupIds: .SecurityGroups, RoleArn, KmsKeyId, \
                     LifecycleConfigName: .NotebookInstanceLifecycleConfigName, VolumeSizeInGB, \
                     DefaultCodeRepository, AdditionalCodeRepositories, RootAccess, \
                     PlatformIdentifier, InstanceMetadataServiceConfiguration, \
                     DirectInternetAccess: \"{v}\"}}"
            ),
            "# The new notebook starts with an empty volume: copy what is needed from the old one.\n",
        ),
        ("sagemaker_model", ["EnableNetworkIsolation"], FixValue::Bool(v)) => recreate(
            region,
            name,
            "model",
            "ModelName",
            &format!(
                "{{ModelName: $name, ExecutionRoleArn, PrimaryContainer, Containers, \
                 InferenceExecutionConfig, VpcConfig, EnableNetworkIsolation: {v}}}"
            ),
            "# Point endpoint configurations at the new model (create-endpoint-config, then\n\
             # update-endpoint) before deleting the old one.\n",
        ),
        ("network_firewall", ["DeleteProtection"], FixValue::Bool(v)) => format!(
            "aws network-firewall update-firewall-delete-protection --region {region} --firewall-arn {} --{}delete-protection\n",
            q(arn),
            if *v { "" } else { "no-" }
        ),
        ("network_firewall", ["SubnetChangeProtection"], FixValue::Bool(v)) => format!(
            "aws network-firewall update-subnet-change-protection --region {region} --firewall-arn {} --{}subnet-change-protection\n",
            q(arn),
            if *v { "" } else { "no-" }
        ),
        ("subnet", ["MapPublicIpOnLaunch"], FixValue::Bool(v)) => format!(
            "aws ec2 modify-subnet-attribute --region {region} --subnet-id {} --{}map-public-ip-on-launch\n",
            q(name),
            if *v { "" } else { "no-" }
        ),
        _ => {
            return Err(format!(
                "no AWS CLI command is known for {} on a {kind}",
                path.join(".")
            ));
        }
    })
}

/// Describe, create a copy named `NAME-fixed` from `filter` (jq, `$name` bound to the new
/// name; null fields dropped), and leave the old resource's deletion commented out.
fn recreate(
    region: &str,
    name: &str,
    noun: &str,
    name_field: &str,
    filter: &str,
    note: &str,
) -> String {
    let new = format!("{name}-fixed");
    format!(
        "aws sagemaker describe-{noun} --region {region} --{noun}-name '{name}' > '{name}.{noun}.json'\n\
         jq --arg name '{new}' '{filter} | with_entries(select(.value != null))' \
         '{name}.{noun}.json' > '{new}.{noun}.json'\n\
         aws sagemaker create-{noun} --region {region} --cli-input-json 'file://{new}.{noun}.json'\n\
         {note}\
         # aws sagemaker delete-{noun} --region {region} --{noun}-name '{name}'\n\
         # ({name_field} of the replacement: {new})\n"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arns_give_region_and_name() {
        assert_eq!(
            region_and_name("arn:aws:sagemaker:eu-west-1:123456789012:notebook-instance/nb"),
            Some(("eu-west-1", "nb"))
        );
        assert_eq!(
            region_and_name("arn:aws:ec2:us-east-1:123456789012:subnet/subnet-0abc"),
            Some(("us-east-1", "subnet-0abc"))
        );
        assert_eq!(region_and_name("aws_subnet.a"), None);
        assert_eq!(
            region_and_name("arn:aws:sagemaker:us-east-1:1:model/x';rm -rf ~'"),
            None
        );
    }
}
