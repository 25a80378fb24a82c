//! Parity between the IaC loaders and live collection: the scenario of
//! `tests/parity/main.tf`, loaded from Terraform and collected from the emulator after
//! `tests/moto/seed.py parity` built it, yields the same findings.
//!
//! Identity differs by source (a Terraform address against an ARN), so a finding is
//! compared as (check code, status, resource kind, resource name), where the name is what
//! both sources state: the `Name` tag, a security group's group name, a SageMaker
//! resource's name. Whatever moto cannot store is left out of the scenario (listed at the
//! top of `main.tf`), never filtered out of the comparison: every finding of either side
//! counts. Moto has no DNS Firewall API, so the proxy in front of it answers those calls
//! with the fixture's DNS Firewall.

mod support;

use sagescan_aws::{AwsOptions, collect_blocking};
use sagescan_checks::{CHECKS, Options, Status};
use sagescan_model::Model;
use std::collections::BTreeSet;
use std::path::PathBuf;
use std::time::Duration;
use support::{Moto, Proxy, Rule};

/// (code, status, kind, name) of one finding.
type Key = (String, &'static str, &'static str, String);

fn findings(model: &Model) -> BTreeSet<Key> {
    let run = sagescan_checks::run(model, CHECKS, &Options::default());
    run.findings
        .iter()
        .map(|f| {
            let status = match f.status {
                Status::Fail => "fail",
                Status::Inconclusive => "inconclusive",
                Status::Suppressed => "suppressed",
            };
            (
                f.code.to_string(),
                status,
                f.resource.kind,
                name(model, f.resource.config, &f.resource.address),
            )
        })
        .collect()
}

/// The name both sources give a resource: its `Name` tag, else a security group's group
/// name, else its last alias (a SageMaker name: live resources list their id first), else
/// the label of a Terraform address (a Studio domain names itself in `domain_name`, which
/// the model does not keep; the fixture labels it by that name). A finding about a whole
/// configuration is named `configuration`: its name is a path or an account and region.
fn name(model: &Model, config: u32, address: &str) -> String {
    if model
        .configs
        .get(config as usize)
        .is_some_and(|c| c.name == address)
    {
        return "configuration".into();
    }
    let Some(meta) = model
        .all_meta()
        .find(|m| m.config == config && m.address == address)
    else {
        return format!("(not in the model: {address})");
    };
    if let Some(n) = meta.tags.get().and_then(|t| t.get("Name")) {
        return n.clone();
    }
    if let Some(g) = model
        .security_groups
        .iter()
        .find(|g| g.meta.address == address)
        && let Some(Some(n)) = g.name.get()
    {
        return n.clone();
    }
    if let Some(alias) = meta.aliases.last() {
        return alias.clone();
    }
    address.rsplit('.').next().unwrap_or(address).to_string()
}

fn render(keys: &BTreeSet<&Key>) -> String {
    keys.iter()
        .map(|(code, status, kind, name)| format!("  {code:8} {status:12} {kind:28} {name}\n"))
        .collect()
}

/// The DNS Firewall of `main.tf`, as Route 53 Resolver would list it: moto has no DNS
/// Firewall API, so the proxy answers the collector's calls.
fn dns_firewall(vpc: &str) -> Vec<Rule> {
    const ARN: &str = "arn:aws:route53resolver:us-east-1:123456789012";
    vec![
        Rule::answer(
            "route53resolver",
            "ListFirewallRuleGroupAssociations",
            None,
            serde_json::json!({"FirewallRuleGroupAssociations": [{
                "Id": "rslvr-frgassoc-parity",
                "Arn": format!("{ARN}:firewall-rule-group-association/rslvr-frgassoc-parity"),
                "FirewallRuleGroupId": "rslvr-frg-walled",
                "VpcId": vpc,
                "Name": "parity",
                "Priority": 101,
                "Status": "COMPLETE",
            }]})
            .to_string(),
        ),
        Rule::answer(
            "route53resolver",
            "ListFirewallRuleGroups",
            None,
            serde_json::json!({"FirewallRuleGroups": [{
                "Id": "rslvr-frg-walled",
                "Arn": format!("{ARN}:firewall-rule-group/rslvr-frg-walled"),
                "Name": "walled-garden",
            }]})
            .to_string(),
        ),
        Rule::answer(
            "route53resolver",
            "ListFirewallRules",
            Some("rslvr-frg-walled"),
            serde_json::json!({"FirewallRules": [
                {
                    "FirewallRuleGroupId": "rslvr-frg-walled",
                    "FirewallDomainListId": "rslvr-fdl-aws",
                    "Name": "allow-aws",
                    "Priority": 100,
                    "Action": "ALLOW",
                },
                {
                    "FirewallRuleGroupId": "rslvr-frg-walled",
                    "FirewallDomainListId": "rslvr-fdl-everything",
                    "Name": "block-rest",
                    "Priority": 200,
                    "Action": "BLOCK",
                    "BlockResponse": "NXDOMAIN",
                },
            ]})
            .to_string(),
        ),
        Rule::answer(
            "route53resolver",
            "ListFirewallDomainLists",
            None,
            serde_json::json!({"FirewallDomainLists": [
                {
                    "Id": "rslvr-fdl-aws",
                    "Arn": format!("{ARN}:firewall-domain-list/rslvr-fdl-aws"),
                    "Name": "aws",
                },
                {
                    "Id": "rslvr-fdl-everything",
                    "Arn": format!("{ARN}:firewall-domain-list/rslvr-fdl-everything"),
                    "Name": "everything",
                },
                // AWS-managed: its domains cannot be read, and no rule names it.
                {
                    "Id": "rslvr-fdl-managed",
                    "Arn": format!("{ARN}:firewall-domain-list/rslvr-fdl-managed"),
                    "Name": "AWSManagedDomainsMalwareDomainList",
                    "ManagedOwnerName": "Route 53 Resolver DNS Firewall",
                },
            ]})
            .to_string(),
        ),
        Rule::answer(
            "route53resolver",
            "ListFirewallDomains",
            Some("rslvr-fdl-aws"),
            serde_json::json!({"Domains": ["*.amazonaws.com", "amazonaws.com"]}).to_string(),
        ),
        Rule::answer(
            "route53resolver",
            "ListFirewallDomains",
            Some("rslvr-fdl-everything"),
            serde_json::json!({"Domains": ["*"]}).to_string(),
        ),
    ]
}

#[test]
fn terraform_and_live_yield_the_same_findings() {
    let Some(moto) = Moto::start() else {
        return;
    };
    let started = std::time::Instant::now();
    let printed = moto.seed("parity", &[]);
    let seeded: serde_json::Value =
        serde_json::from_str(printed.trim()).expect("the seed prints the VPC's id");
    let vpc = seeded["vpc"].as_str().expect("a VPC id");
    let mut rules = dns_firewall(vpc);
    rules.extend(Rule::moto_gaps());
    let proxy = Proxy::start(&moto.endpoint, rules);
    let live = collect_blocking(
        &AwsOptions {
            regions: Some(vec!["us-east-1".into()]),
            endpoint_url: Some(proxy.endpoint.clone()),
            static_credentials: Some(("testing".into(), "testing".into())),
            max_attempts: 2,
            operation_timeout: Duration::from_secs(60),
            ..AwsOptions::default()
        },
        None,
    )
    .expect("collection starts");
    assert!(
        live.model.gaps.is_empty(),
        "unexpected gaps: {:#?}",
        live.model.gaps
    );

    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/parity");
    let terraform = sagescan_load::load(&[dir], &sagescan_load::LoadOptions::default())
        .expect("the fixture loads");
    assert!(
        terraform.gaps.is_empty(),
        "unexpected gaps: {:#?}",
        terraform.gaps
    );

    let (tf, aws) = (findings(&terraform), findings(&live.model));
    let only_tf: BTreeSet<&Key> = tf.difference(&aws).collect();
    let only_aws: BTreeSet<&Key> = aws.difference(&tf).collect();
    assert!(
        only_tf.is_empty() && only_aws.is_empty(),
        "findings differ\nonly from Terraform:\n{}only from the emulator:\n{}in both:\n{}",
        render(&only_tf),
        render(&only_aws),
        render(&tf.intersection(&aws).collect()),
    );
    eprintln!(
        "parity: {} Terraform resources, {} live resources, {} findings each, {:.2} s",
        terraform.all_meta().count(),
        live.model.all_meta().count(),
        tf.len(),
        started.elapsed().as_secs_f64()
    );
    // The DNS Firewall (answered by the proxy on the live side) closes the DNS channel on
    // both sides: no workload fails NET105.
    assert!(
        !tf.iter().any(|(code, ..)| code == "NET105"),
        "{}",
        render(&tf.iter().collect())
    );
    // The scenario's deliberate violations are among them: the comparison is not of two
    // empty sets.
    for (code, name) in [
        ("SM111", "open-notebook"),
        ("SM121", "open-model"),
        ("SG103", "edge"),
        ("NACL101", "private"),
        ("SM171", "edge-notebook"),
        ("SM161", "drift-open"),
        ("OPS104", "parity"),
    ] {
        assert!(
            tf.iter()
                .any(|(c, s, _, n)| c == code && *s == "fail" && n == name),
            "{code} on {name} missing from:\n{}",
            render(&tf.iter().collect())
        );
    }
}
