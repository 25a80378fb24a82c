use super::rules::Why;
use super::workload_groups;
use crate::workload::WorkloadKind;
use crate::{Context, Outcomes};
use sagescan_model::network::EndpointType;
use sagescan_model::{ConfigId, Origin};
use std::collections::{BTreeMap, BTreeSet, HashMap};

crate::check! {
    /// ## What it checks
    /// A security group attached to SageMaker workloads of different kinds (notebook,
    /// hosting, Studio, training, processing, monitoring), or to a SageMaker workload and
    /// also to a non-SageMaker resource (an interface VPC endpoint; an endpoint created
    /// without security groups gets its VPC's default group). A Studio domain, its user
    /// profiles and its spaces are one function: they share the domain's groups by design.
    ///
    /// ## Why it matters
    /// A group is both a filter and an identity: rules elsewhere admit "members of group
    /// X". When one group serves a notebook, a training cluster and a model endpoint, every
    /// rule written for one of them applies to all, a notebook can reach whatever training
    /// may reach, and tightening one function breaks another. Separate groups per function
    /// keep least privilege possible and findings attributable.
    ///
    /// ## Example
    /// ```hcl
    /// resource "aws_sagemaker_notebook_instance" "nb" {
    ///   security_groups = [aws_security_group.sagemaker.id]
    ///   # …
    /// }
    /// resource "aws_sagemaker_model" "m" {
    ///   vpc_config {
    ///     security_group_ids = [aws_security_group.sagemaker.id]
    ///     subnets            = [aws_subnet.private_a.id]
    ///   }
    ///   # …
    /// }
    /// ```
    /// ```yaml
    /// Notebook:
    ///   Type: AWS::SageMaker::NotebookInstance
    ///   Properties:
    ///     SecurityGroupIds: [!Ref SageMakerSg]
    /// Model:
    ///   Type: AWS::SageMaker::Model
    ///   Properties:
    ///     VpcConfig:
    ///       SecurityGroupIds: [!Ref SageMakerSg]
    /// ```
    ///
    /// ## Use instead
    /// One group per function (`notebook`, `hosting`, `training`, …), each admitting the
    /// others only where needed:
    /// ```hcl
    ///     security_group_ids = [aws_security_group.hosting.id]
    /// ```
    /// ```yaml
    ///       SecurityGroupIds: [!Ref HostingSg]
    /// ```
    ///
    /// ## Remediation
    /// - **Console**: EC2 → Security groups → Create security group for each function,
    ///   then select it when creating the notebook, model or job.
    /// - **CLI**: `aws ec2 create-security-group …`, then pass the new id in
    ///   `--security-group-ids` / `--vpc-config`.
    /// - **Terraform**: declare one `aws_security_group` per function and reference it.
    /// - **CloudFormation**: declare one `AWS::EC2::SecurityGroup` per function.
    ///
    /// ## References
    /// - <https://docs.aws.amazon.com/vpc/latest/userguide/vpc-security-groups.html>
    /// - <https://docs.aws.amazon.com/vpc/latest/privatelink/create-interface-endpoint.html>
    /// - No peer check in other tools.
    pub static CHECK = {
        code: "SG106",
        name: "sg-shared-across-functions",
        severity: Low,
        summary: "one security group serves different SageMaker functions or non-SageMaker resources",
        remediation: "Give each SageMaker function (and each endpoint) its own security group",
        run: run,
    };
}

fn run(ctx: &Context<'_>, out: &mut Outcomes) {
    let model = ctx.model;
    let groups = workload_groups(model, &ctx.workloads);
    // Per configuration, why some attachment cannot be known: it could be any group there.
    let mut unknown: HashMap<ConfigId, Why> = HashMap::new();
    for (w, why) in &groups.unknown {
        unknown.entry(w.meta.config).or_insert_with(|| why.clone());
    }
    // A VPC's default group, for interface endpoints declared without groups (AWS then
    // attaches the default group: API_CreateVpcEndpoint, SecurityGroupIds).
    let default_of_vpc: HashMap<usize, usize> = model
        .security_groups
        .iter()
        .enumerate()
        .filter(|(_, sg)| sg.is_default)
        .filter_map(|(i, sg)| {
            let vpc = sg.vpc.get()?.as_ref()?;
            Some((model.position(sg.meta.config, vpc)?, i))
        })
        .collect();
    // Group → the non-SageMaker resources using it, with the attachment's origin.
    let mut others: BTreeMap<usize, Vec<(&str, &Origin)>> = BTreeMap::new();
    for e in &model.vpc_endpoints {
        let config = e.meta.config;
        match e.endpoint_type.get() {
            Some(EndpointType::Interface) => {}
            Some(_) => continue,
            None => {
                unknown
                    .entry(config)
                    .or_insert_with(|| Why::of("an endpoint's type", &e.endpoint_type));
                continue;
            }
        }
        let Some(list) = e.security_groups.get() else {
            unknown
                .entry(config)
                .or_insert_with(|| Why::of("an endpoint's security groups", &e.security_groups));
            continue;
        };
        let origin = e.security_groups.origin();
        if list.is_empty() {
            let vpc = e.vpc.get().and_then(|v| model.position(config, v));
            if let Some(&g) = vpc.and_then(|v| default_of_vpc.get(&v)) {
                others.entry(g).or_default().push((&e.meta.address, origin));
            }
        }
        for r in list {
            if let Some(g) = model.position(config, r) {
                others.entry(g).or_default().push((&e.meta.address, origin));
            }
        }
    }
    for (&i, workloads) in &groups.by_group {
        let sg = &model.security_groups[i];
        let kinds: BTreeSet<WorkloadKind> = workloads.iter().map(|w| w.kind.function()).collect();
        let users = others.get(&i).map(Vec::as_slice).unwrap_or_default();
        if kinds.len() > 1 || !users.is_empty() {
            let mut parts: Vec<String> = Vec::new();
            if kinds.len() > 1 {
                let names: Vec<&str> = kinds.iter().map(|k| k.as_str()).collect();
                parts.push(format!("SageMaker {} workloads", names.join(", ")));
            }
            for (address, _) in users {
                parts.push(format!("interface endpoint {address}"));
            }
            // Point at the attachment that makes the group shared: the first workload of
            // the second kind, else the first endpoint.
            let location = match kinds.iter().nth(1) {
                Some(&k) => workloads
                    .iter()
                    .find(|w| w.kind.function() == k)
                    .map(|w| w.security_groups.origin()),
                None => users.first().map(|(_, o)| *o),
            };
            let location = location.unwrap_or(&sg.meta.origin);
            out.fail(
                sg,
                location,
                format!("security group is shared by {}", parts.join(" and ")),
            );
        } else if let Some(why) = unknown.get(&sg.meta.config) {
            out.inconclusive(sg, &why.origin, format!("cannot tell: {}", why.reason));
        } else {
            out.pass(sg);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::CHECK;
    use crate::net::workload_internet_egress_uninspected as net101;
    use crate::testing::{lines, load_fixture, outcomes, run_on, verdicts};

    #[test]
    fn one_group_per_function_passes() {
        assert_eq!(
            verdicts(&CHECK, "pass.tf"),
            [
                ("aws_security_group.hosting".into(), "pass"),
                ("aws_security_group.notebook".into(), "pass")
            ]
        );
    }

    #[test]
    fn group_on_two_kinds_or_on_an_endpoint_fails() {
        let got = outcomes(&CHECK, "fail.tf");
        assert_eq!(
            got,
            [
                (
                    "aws_security_group.sagemaker".into(),
                    "fail",
                    "security group is shared by SageMaker notebook, hosting workloads".into()
                ),
                (
                    "aws_security_group.scoring".into(),
                    "fail",
                    "security group is shared by interface endpoint aws_vpc_endpoint.sts".into()
                ),
            ]
        );
        // The model's attachment makes the first group shared.
        assert_eq!(lines(&CHECK, "fail.tf")[0].2, Some(30));
    }

    #[test]
    fn unknown_endpoint_groups_are_inconclusive() {
        let got = outcomes(&CHECK, "unknown.tf");
        assert_eq!(got.len(), 1, "{got:?}");
        assert_eq!(got[0].1, "inconclusive");
        assert!(got[0].2.contains("var.endpoint_sgs"), "{}", got[0].2);
    }

    /// Issue #7: profiles and spaces run with their domain's groups by design; that is
    /// not sharing across functions.
    #[test]
    fn a_domain_its_profiles_and_spaces_are_one_function() {
        let mut model = load_fixture(&net101::CHECK, "studio_profile.tf");
        // The shared space's groups are unknown (see `sagescan_model::studio`), which
        // would make every group inconclusive.
        model
            .spaces
            .retain(|s| s.meta.address != "aws_sagemaker_space.team");
        model.finish();
        let got: Vec<(String, &str)> = run_on(&CHECK, &model)
            .into_iter()
            .map(|(a, v, _)| (a, v))
            .collect();
        assert_eq!(
            got,
            [
                ("aws_security_group.open".into(), "pass"),
                ("aws_security_group.studio".into(), "pass"),
            ]
        );
    }
}
