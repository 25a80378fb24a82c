//! Live collection against the moto emulator: the two-region scenario of
//! `tests/moto/seed.py` yields exactly the expected findings, an organization is collected
//! account by account, and injected faults (denied, throttled past the retries, a region
//! that never answers, a role that cannot be assumed, tags that cannot be read) end as
//! coverage gaps that make the affected checks inconclusive — never as passes.

mod support;

use sagescan_aws::{AwsOptions, Collection, collect_blocking};
use sagescan_checks::{CHECKS, Options, Status};
use std::collections::BTreeSet;
use std::time::Duration;
use support::{Moto, Proxy, Rule};

const REGIONS: [&str; 2] = ["us-east-1", "eu-west-1"];

/// `timeout` is per call: generous, because moto builds each region's default VPC on its
/// first EC2 call and the test machine is shared; only the silent-region test waits it out.
fn options(endpoint: &str, timeout: Duration) -> AwsOptions {
    AwsOptions {
        regions: Some(REGIONS.iter().map(|r| r.to_string()).collect()),
        endpoint_url: Some(endpoint.to_string()),
        static_credentials: Some(("testing".into(), "testing".into())),
        max_attempts: 2,
        operation_timeout: timeout,
        ..AwsOptions::default()
    }
}

fn collect(endpoint: &str) -> Collection {
    collect_with(endpoint, Duration::from_secs(60))
}

fn collect_with(endpoint: &str, timeout: Duration) -> Collection {
    collect_blocking(&options(endpoint, timeout), None).expect("collection starts")
}

/// `(code, status, resource)` of every finding. EC2 ids are random in moto, so EC2
/// resources are named by role instead: `default-vpc/acl` is the NACL of the region's
/// default VPC, `vpc/sg:workload` the scenario's workload group; SageMaker resources keep
/// their names. The region prefixes every label.
fn findings(c: &Collection) -> BTreeSet<(String, &'static str, String)> {
    let run = sagescan_checks::run(&c.model, CHECKS, &Options::default());
    run.findings
        .iter()
        .map(|f| {
            let status = match f.status {
                Status::Fail => "fail",
                Status::Inconclusive => "inconclusive",
                _ => "other",
            };
            (
                f.code.to_string(),
                status,
                label(&c.model, &f.resource.address),
            )
        })
        .collect()
}

fn label(m: &sagescan_model::Model, address: &str) -> String {
    let region = address.split(':').nth(3).unwrap_or_default();
    let vpc_label = |vpc: Option<&str>| {
        let default = m
            .vpcs
            .iter()
            .find(|v| Some(v.meta.aliases[0].as_str()) == vpc)
            .is_some_and(|v| v.is_default.get() == Some(&true));
        if default { "default-vpc" } else { "vpc" }
    };
    let key = |v: &sagescan_model::Value<sagescan_model::Ref<_>>| v.get().map(|r| r.key.clone());
    let role = if let Some(v) = m.vpcs.iter().find(|v| v.meta.address == address) {
        vpc_label(v.meta.aliases.first().map(String::as_str)).to_string()
    } else if let Some(s) = m.subnets.iter().find(|s| s.meta.address == address) {
        format!("{}/subnet", vpc_label(key(&s.vpc).as_deref()))
    } else if let Some(a) = m.network_acls.iter().find(|a| a.meta.address == address) {
        format!("{}/acl", vpc_label(key(&a.vpc).as_deref()))
    } else if let Some(g) = m.security_groups.iter().find(|g| g.meta.address == address) {
        let vpc = g.vpc.get().cloned().flatten().map(|r| r.key);
        let name = g.name.get().cloned().flatten().unwrap_or_default();
        format!("{}/sg:{name}", vpc_label(vpc.as_deref()))
    } else {
        address.rsplit(':').next().unwrap_or(address).to_string()
    };
    format!("{region} {role}")
}

fn seeded() -> Option<(Moto, Proxy)> {
    let moto = Moto::start()?;
    moto.seed("basic", &[]);
    let proxy = Proxy::start(&moto.endpoint, Rule::moto_gaps());
    Some((moto, proxy))
}

#[test]
fn two_regions_yield_exactly_the_expected_findings() {
    let Some((_moto, proxy)) = seeded() else {
        return;
    };
    let c = collect(&proxy.endpoint);
    assert!(
        c.model.gaps.is_empty(),
        "unexpected gaps: {:#?}",
        c.model.gaps
    );
    assert_eq!(c.model.configs.len(), 2);
    assert_eq!(c.model.notebook_instances.len(), 4);
    assert_eq!(c.model.models.len(), 4);
    let got = findings(&c);
    let mut expected = BTreeSet::new();
    for region in REGIONS {
        for (code, resource) in EXPECTED {
            expected.insert((code.to_string(), "fail", format!("{region} {resource}")));
        }
    }
    assert_eq!(got, expected);
    assert!(c.calls > 0);

    // A snapshot is the model's JSON: replayed, it yields byte-identical findings.
    let json = serde_json::to_string(&c.model).expect("the model serializes");
    let mut replayed: sagescan_model::Model = serde_json::from_str(&json).expect("and back");
    replayed.finish();
    let live = sagescan_checks::run(&c.model, CHECKS, &Options::default());
    let offline = sagescan_checks::run(&replayed, CHECKS, &Options::default());
    assert_eq!(
        serde_json::to_string(&live).unwrap(),
        serde_json::to_string(&offline).unwrap()
    );
}

/// Findings expected in each region (code, resource). Beyond the two seeded violations
/// (`open-notebook`, `open-model`), the "compliant" set is compliant only as far as moto
/// stores it: moto drops `EnableNetworkIsolation` (SM121, NET103 on `isolated-model`) and
/// `InstanceMetadataServiceConfiguration` (SM115 on `private-notebook`), exactly as a live
/// scan must report what the API returns. The scenario VPC has a single subnet, no VPC
/// endpoints, flow logs or DNS Firewall (VPC101, VPCE101, VPCE102, SM172, NET105); and moto's
/// default VPC brings its open default NACL and default security groups.
const EXPECTED: &[(&str, &str)] = &[
    ("NACL101", "default-vpc/acl"),
    ("NACL101", "vpc/acl"),
    ("NACL102", "vpc/acl"),
    ("NACL103", "vpc/subnet"),
    ("NET101", "model/open-model"),
    ("NET101", "notebook-instance/open-notebook"),
    ("NET103", "model/isolated-model"),
    ("NET105", "model/isolated-model"),
    ("NET105", "notebook-instance/private-notebook"),
    ("NET106", "model/open-model"),
    ("NET106", "notebook-instance/open-notebook"),
    ("SG101", "default-vpc/sg:default"),
    ("SG101", "vpc/sg:default"),
    ("SG106", "vpc/sg:workload"),
    ("SG107", "default-vpc/sg:default"),
    ("SG107", "vpc/sg:default"),
    ("SG107", "vpc/sg:workload"),
    ("SM111", "notebook-instance/open-notebook"),
    ("SM112", "notebook-instance/open-notebook"),
    ("SM113", "notebook-instance/open-notebook"),
    ("SM114", "notebook-instance/open-notebook"),
    ("SM115", "notebook-instance/open-notebook"),
    ("SM115", "notebook-instance/private-notebook"),
    ("SM121", "model/isolated-model"),
    ("SM121", "model/open-model"),
    ("SM122", "model/open-model"),
    ("SM172", "model/isolated-model"),
    ("VPC101", "vpc"),
    ("VPCE101", "vpc"),
    ("VPCE102", "model/isolated-model"),
    ("VPCE102", "notebook-instance/private-notebook"),
];

/// `(kind, service:operation, region)` of every gap.
fn gaps(c: &Collection) -> BTreeSet<(String, String, String)> {
    c.model
        .gaps
        .iter()
        .map(|g| match &g.origin {
            sagescan_model::Origin::Api {
                service,
                operation,
                region,
                ..
            } => (
                g.kind.clone(),
                format!("{service}:{operation}"),
                region.clone(),
            ),
            other => panic!("a live gap without an API origin: {other:?}"),
        })
        .collect()
}

#[test]
fn denied_throttled_and_silent_regions_are_gaps_and_nothing_passes_there() {
    let Some(moto) = Moto::start() else {
        return;
    };
    moto.seed("basic", &[]);
    let mut rules = vec![
        Rule::access_denied_json("sagemaker", "us-east-1"),
        Rule::throttled_ec2("us-east-1", "DescribeSecurityGroups"),
        Rule::hang("eu-west-1"),
    ];
    rules.extend(Rule::moto_gaps());
    let proxy = Proxy::start(&moto.endpoint, rules);
    // Long enough for a throttled call to exhaust its retries on a loaded machine, short
    // enough for the silent region's listings to time out within the test.
    let c = collect_with(&proxy.endpoint, Duration::from_secs(30));

    let gaps = gaps(&c);
    let east: BTreeSet<(String, String)> = gaps
        .iter()
        .filter(|(_, _, r)| r == "us-east-1")
        .map(|(k, op, _)| (k.clone(), op.clone()))
        .collect();
    let mut expected_east: BTreeSet<(String, String)> = [
        "ListNotebookInstances",
        "ListModels",
        "ListEndpointConfigs",
        "ListEndpoints",
        "ListDomains",
        "ListUserProfiles",
        "ListSpaces",
        "ListTrainingJobs",
        "ListProcessingJobs",
        "ListDataQualityJobDefinitions",
        "ListModelQualityJobDefinitions",
        "ListModelBiasJobDefinitions",
        "ListModelExplainabilityJobDefinitions",
        "ListMonitoringSchedules",
    ]
    .iter()
    .map(|op| ("access-denied".to_string(), format!("sagemaker:{op}")))
    .collect();
    expected_east.insert(("throttled".into(), "ec2:DescribeSecurityGroups".into()));
    assert_eq!(east, expected_east);

    // The silent region: every listing timed out, nothing else was attempted.
    let west: Vec<_> = gaps.iter().filter(|(_, _, r)| r == "eu-west-1").collect();
    assert_eq!(west.len(), 31, "{west:#?}");
    assert!(west.iter().all(|(k, _, _)| k == "timeout"), "{west:#?}");
    assert!(c.model.notebook_instances.is_empty() && c.model.models.is_empty());
    assert!(
        c.model
            .security_groups
            .iter()
            .all(|g| !g.meta.address.contains("us-east-1"))
    );

    let run = sagescan_checks::run(&c.model, CHECKS, &Options::default());
    assert_eq!(run.passed, 0, "nothing may pass in an incomplete scan");
    // Every check says "inconclusive" about the silent region's configuration.
    let west_config = c
        .model
        .configs
        .iter()
        .position(|k| k.name.ends_with("/eu-west-1"))
        .expect("a configuration per region") as u32;
    let inconclusive_west: BTreeSet<&str> = run
        .findings
        .iter()
        .filter(|f| f.resource.config == west_config && f.status == Status::Inconclusive)
        .map(|f| f.code)
        .collect();
    assert_eq!(inconclusive_west.len(), CHECKS.len());
}

#[test]
fn a_resource_deleted_between_list_and_describe_is_a_gap() {
    let Some(moto) = Moto::start() else {
        return;
    };
    moto.seed("basic", &[]);
    let mut rules = vec![Rule {
        service: "sagemaker",
        region: Some("us-east-1"),
        operation: Some("DescribeModel"),
        containing: None,
        fault: support::Fault::Reply {
            status: 400,
            content_type: "application/x-amz-json-1.1",
            body: r#"{"__type":"ValidationException","message":"Could not find model (injected)"}"#
                .into(),
        },
    }];
    rules.extend(Rule::moto_gaps());
    let proxy = Proxy::start(&moto.endpoint, rules);
    let c = collect(&proxy.endpoint);
    let gaps = gaps(&c);
    assert_eq!(
        gaps,
        [(
            "not-found".to_string(),
            "sagemaker:DescribeModel".to_string(),
            "us-east-1".to_string()
        )]
        .into()
    );
    // One gap per model that vanished, each naming where.
    assert_eq!(c.model.gaps.len(), 2);
    assert!(
        c.model.gaps[0]
            .message
            .contains("in 123456789012/us-east-1")
    );
    assert_eq!(c.model.models.len(), 2);
    // The other region is complete: its open model still fails, its isolated one passes.
    let run = sagescan_checks::run(&c.model, CHECKS, &Options::default());
    assert!(run.passed > 0);
    assert!(run.findings.iter().any(|f| {
        f.status == Status::Fail
            && f.resource
                .address
                .ends_with("eu-west-1:123456789012:model/open-model")
    }));
}

#[test]
fn sagemaker_tags_that_cannot_be_read_are_gaps_and_unknown() {
    let Some(moto) = Moto::start() else {
        return;
    };
    moto.seed("basic", &[]);
    let mut rules = vec![Rule {
        operation: Some("ListTags"),
        ..Rule::access_denied_json("sagemaker", "us-east-1")
    }];
    rules.extend(Rule::moto_gaps());
    let proxy = Proxy::start(&moto.endpoint, rules);
    let c = collect(&proxy.endpoint);
    // One gap per SageMaker resource of the region (2 notebooks, 2 models), nothing else.
    assert_eq!(
        gaps(&c),
        [(
            "access-denied".to_string(),
            "sagemaker:ListTags".to_string(),
            "us-east-1".to_string()
        )]
        .into()
    );
    assert_eq!(c.model.gaps.len(), 4);
    let tags_unknown = |region: &str| {
        c.model
            .notebook_instances
            .iter()
            .map(|n| &n.meta)
            .chain(c.model.models.iter().map(|m| &m.meta))
            .filter(|m| m.address.contains(region))
            .all(|m| m.tags.unknown_reason().is_some())
    };
    assert!(tags_unknown("us-east-1"));
    assert!(!tags_unknown("eu-west-1"));
    // Whether the VPC mixes environments is then unknown there, and known elsewhere.
    let run = sagescan_checks::run(&c.model, CHECKS, &Options::default());
    let ops104: BTreeSet<(&str, Status)> = run
        .findings
        .iter()
        .filter(|f| f.code == "OPS104" && f.resource.kind == "vpc")
        .map(|f| {
            (
                f.resource.address.split(':').nth(3).unwrap_or_default(),
                f.status,
            )
        })
        .collect();
    assert_eq!(ops104, [("us-east-1", Status::Inconclusive)].into());
}

/// Issue #7: Studio user profiles and spaces, which moto (5.2) does not implement, answered
/// by the proxy: a profile is read with its domain and its own groups, a private space with
/// its owner (named within the domain), and a describe that is refused is a gap, not a
/// missing profile that nobody notices.
#[test]
fn studio_user_profiles_and_spaces_are_collected_and_a_refused_describe_is_a_gap() {
    let Some(moto) = Moto::start() else {
        return;
    };
    moto.seed("basic", &[]);
    let east = |rule: Rule| Rule {
        region: Some("us-east-1"),
        ..rule
    };
    let arn = "arn:aws:sagemaker:us-east-1:123456789012";
    let mut rules = vec![
        east(Rule::answer(
            "sagemaker",
            "ListDomains",
            None,
            format!(
                r#"{{"Domains":[{{"DomainId":"d-canned","DomainArn":"{arn}:domain/d-canned","DomainName":"canned"}}]}}"#
            ),
        )),
        east(Rule::answer(
            "sagemaker",
            "DescribeDomain",
            None,
            format!(
                r#"{{"DomainId":"d-canned","DomainArn":"{arn}:domain/d-canned","DomainName":"canned",
                "AppNetworkAccessType":"VpcOnly","VpcId":"vpc-0canned","SubnetIds":["subnet-0canned"],
                "DefaultUserSettings":{{"SecurityGroups":["sg-0tight"]}},
                "DefaultSpaceSettings":{{"SecurityGroups":["sg-0space"]}}}}"#
            ),
        )),
        east(Rule::answer(
            "sagemaker",
            "ListTags",
            Some("d-canned"),
            r#"{"Tags":[]}"#.into(),
        )),
        east(Rule::answer(
            "sagemaker",
            "ListUserProfiles",
            None,
            r#"{"UserProfiles":[{"DomainId":"d-canned","UserProfileName":"alice"},
                {"DomainId":"d-canned","UserProfileName":"bob"}]}"#
                .into(),
        )),
        east(Rule::answer(
            "sagemaker",
            "DescribeUserProfile",
            Some("alice"),
            format!(
                r#"{{"DomainId":"d-canned","UserProfileName":"alice",
                "UserProfileArn":"{arn}:user-profile/d-canned/alice",
                "UserSettings":{{"SecurityGroups":["sg-0open"]}}}}"#
            ),
        )),
        Rule {
            operation: Some("DescribeUserProfile"),
            containing: Some("bob".into()),
            ..Rule::access_denied_json("sagemaker", "us-east-1")
        },
        east(Rule::answer(
            "sagemaker",
            "ListSpaces",
            None,
            r#"{"Spaces":[{"DomainId":"d-canned","SpaceName":"mine"}]}"#.into(),
        )),
        east(Rule::answer(
            "sagemaker",
            "DescribeSpace",
            Some("mine"),
            format!(
                r#"{{"DomainId":"d-canned","SpaceName":"mine","SpaceArn":"{arn}:space/d-canned/mine",
                "SpaceSharingSettings":{{"SharingType":"Private"}},
                "OwnershipSettings":{{"OwnerUserProfileName":"alice"}}}}"#
            ),
        )),
    ];
    rules.extend(Rule::moto_gaps());
    let proxy = Proxy::start(&moto.endpoint, rules);
    let c = collect(&proxy.endpoint);
    assert_eq!(
        gaps(&c),
        [(
            "access-denied".to_string(),
            "sagemaker:DescribeUserProfile".to_string(),
            "us-east-1".to_string()
        )]
        .into()
    );
    let m = &c.model;
    assert_eq!(m.user_profiles.len(), 1, "bob's describe was refused");
    let alice = &m.user_profiles[0];
    assert_eq!(
        alice.meta.address,
        format!("{arn}:user-profile/d-canned/alice")
    );
    let keys = |v: &sagescan_model::Value<Vec<sagescan_model::Ref<_>>>| -> Vec<String> {
        v.get().unwrap().iter().map(|r| r.key.clone()).collect()
    };
    assert_eq!(keys(&alice.security_groups), ["sg-0open"]);
    let config = alice.meta.config;
    let domain = m
        .get(config, alice.domain.get().unwrap())
        .expect("domain resolves");
    assert_eq!(keys(&domain.default_space_security_groups), ["sg-0space"]);
    // Her apps run with the domain's groups and hers.
    let apps = sagescan_model::studio::profile_apps(m, alice);
    assert_eq!(keys(&apps.security_groups), ["sg-0tight", "sg-0open"]);

    let mine = &m.spaces[0];
    assert_eq!(
        mine.sharing_type.get(),
        Some(&sagescan_model::sagemaker::SharingType::Private)
    );
    let owner = mine.owner.get().unwrap().as_ref().unwrap();
    assert_eq!(owner.key, "d-canned/alice");
    assert_eq!(
        m.get(config, owner).unwrap().meta.address,
        alice.meta.address
    );
    let apps = sagescan_model::studio::space_apps(m, mine);
    assert_eq!(keys(&apps.security_groups), ["sg-0tight", "sg-0open"]);
    // The synthesized text names the call and shows what was read.
    let text = m.source_text(&alice.meta.address).unwrap();
    assert!(
        text.starts_with("# sagemaker:DescribeUserProfile in 123456789012/us-east-1\n"),
        "{text}"
    );
    assert!(
        text.contains("UserSettings:\n  SecurityGroups: [sg-0open]"),
        "{text}"
    );
}

/// A listing whose `NextToken` never ends (a new token on every page) is given up, named
/// as a gap, and the scan finishes: the same page under a new token at once as a loop;
/// fresh empty pages at the page limit. Nothing passes in the scope it happened in.
#[test]
fn a_listing_whose_pagination_never_ends_is_a_gap_and_the_scan_finishes() {
    let Some(moto) = Moto::start() else {
        return;
    };
    moto.seed("basic", &[]);
    let notebook = r#"{"NotebookInstanceName":"nb-loop","NotebookInstanceArn":"arn:aws:sagemaker:us-east-1:123456789012:notebook-instance/nb-loop"}"#;
    let mut rules = vec![
        Rule::endless(
            "sagemaker",
            "ListNotebookInstances",
            &format!(r#"{{"NotebookInstances":[{notebook}],"NextToken":"{{token}}"}}"#),
        ),
        Rule::endless(
            "sagemaker",
            "ListModels",
            r#"{"Models":[],"NextToken":"{token}"}"#,
        ),
    ];
    rules.extend(Rule::moto_gaps());
    let proxy = Proxy::start(&moto.endpoint, rules);
    let c = collect_blocking(
        &AwsOptions {
            max_pages: 25,
            ..options(&proxy.endpoint, Duration::from_secs(60))
        },
        None,
    )
    .expect("collection starts");

    let mut expected = BTreeSet::new();
    for region in REGIONS {
        for (kind, op) in [
            ("pagination-loop", "ListNotebookInstances"),
            ("pagination-limit", "ListModels"),
        ] {
            expected.insert((
                kind.to_string(),
                format!("sagemaker:{op}"),
                region.to_string(),
            ));
        }
    }
    assert_eq!(gaps(&c), expected, "{:#?}", c.model.gaps);
    let loop_gap = c
        .model
        .gaps
        .iter()
        .find(|g| g.kind == "pagination-loop")
        .unwrap();
    assert!(
        loop_gap
            .message
            .contains("the same page came back under a new NextToken after 2 pages"),
        "{}",
        loop_gap.message
    );
    // Two pages per region to see the loop, 25 to reach the limit: no more.
    let calls = |op: &str| {
        c.calls_by_operation
            .iter()
            .filter(|(k, _)| k.ends_with(&format!(":{op}")))
            .map(|(_, n)| *n)
            .sum::<u64>()
    };
    assert_eq!(
        calls("ListNotebookInstances"),
        4,
        "{:?}",
        c.calls_by_operation
    );
    assert_eq!(calls("ListModels"), 50, "{:?}", c.calls_by_operation);
    // The incomplete listing is not used in part.
    assert!(c.model.notebook_instances.is_empty() && c.model.models.is_empty());

    let run = sagescan_checks::run(&c.model, CHECKS, &Options::default());
    assert_eq!(run.passed, 0, "nothing may pass in an incomplete scan");
}

/// The role the organization test assumes in each member account.
const ORG_ROLE: &str = "OrganizationAccountAccessRole";

#[test]
fn an_organization_is_collected_account_by_account_and_a_refused_role_is_a_gap() {
    let Some(moto) = Moto::start() else {
        return;
    };
    let printed = moto.seed("org", &[ORG_ROLE]);
    let members: Vec<String> =
        serde_json::from_str(printed.trim()).expect("the seed prints the member account ids");
    let [ml, blocked] = members.as_slice() else {
        panic!("two member accounts, got {members:?}");
    };
    let mut rules = vec![Rule::assume_role_denied(blocked)];
    rules.extend(Rule::moto_gaps());
    let proxy = Proxy::start(&moto.endpoint, rules);
    let c = collect_blocking(
        &AwsOptions {
            regions: Some(vec!["us-east-1".into()]),
            org_role: Some(ORG_ROLE.into()),
            ..options(&proxy.endpoint, Duration::from_secs(60))
        },
        None,
    )
    .expect("collection starts");

    // Every account of the organization (ListAccounts) has a configuration: the caller's
    // and the reachable member's per region, the refused member's as a whole.
    let configs: BTreeSet<String> = c.model.configs.iter().map(|k| k.name.clone()).collect();
    let expected: BTreeSet<String> = [
        "123456789012/us-east-1".to_string(),
        format!("{ml}/us-east-1"),
        blocked.clone(),
    ]
    .into();
    assert_eq!(configs, expected);

    // The refused role is the one gap, naming the account and the call.
    assert_eq!(c.model.gaps.len(), 1, "{:#?}", c.model.gaps);
    let gap = &c.model.gaps[0];
    assert_eq!(gap.kind, "assume-role-failed");
    assert!(gap.message.contains("AccessDenied"), "{}", gap.message);
    match &gap.origin {
        sagescan_model::Origin::Api {
            service,
            operation,
            account,
            ..
        } => assert_eq!(
            (service.as_str(), operation.as_str(), account.as_str()),
            ("sts", "AssumeRole", blocked.as_str())
        ),
        other => panic!("a live gap without an API origin: {other:?}"),
    }

    // Findings are per account: the reachable member's notebook fails where it lives; the
    // caller's account holds no notebook; the refused member's notebook was never seen, and
    // every check is inconclusive about that account instead of passing it.
    let run = sagescan_checks::run(&c.model, CHECKS, &Options::default());
    let open_notebooks: BTreeSet<&str> = run
        .findings
        .iter()
        .filter(|f| f.code == "SM111" && f.status == Status::Fail)
        .map(|f| f.resource.address.as_str())
        .collect();
    let ml_notebook = format!("arn:aws:sagemaker:us-east-1:{ml}:notebook-instance/ml-notebook");
    assert_eq!(open_notebooks, [ml_notebook.as_str()].into());
    let blocked_config = c
        .model
        .configs
        .iter()
        .position(|k| k.name == *blocked)
        .expect("a configuration for the refused account") as u32;
    let inconclusive: BTreeSet<&str> = run
        .findings
        .iter()
        .filter(|f| f.resource.config == blocked_config && f.status == Status::Inconclusive)
        .map(|f| f.code)
        .collect();
    assert_eq!(inconclusive.len(), CHECKS.len());
}

/// The acceptance benchmark: 100 notebooks and 100 models in each of two regions. Ignored
/// by default (seeding takes a while); run with
/// `cargo test -p sagescan-aws --test moto -- --ignored --nocapture bench`.
#[test]
#[ignore]
fn bench_100_notebooks_and_100_models_per_region() {
    let Some(moto) = Moto::start() else {
        return;
    };
    moto.seed("bench", &["100"]);
    let proxy = Proxy::start(&moto.endpoint, Rule::moto_gaps());
    let started = std::time::Instant::now();
    let c = collect(&proxy.endpoint);
    let elapsed = started.elapsed();
    assert!(c.model.gaps.is_empty(), "{:#?}", c.model.gaps);
    assert_eq!(c.model.notebook_instances.len(), 200);
    assert_eq!(c.model.models.len(), 200);
    let run = sagescan_checks::run(&c.model, CHECKS, &Options::default());
    // Half the notebooks have direct internet access, half the models no isolation (moto
    // stores no isolation at all, so every model fails SM121).
    let failing = |code: &str| {
        run.findings
            .iter()
            .filter(|f| f.code == code && f.status == Status::Fail)
            .count()
    };
    assert_eq!(failing("SM111"), 100);
    assert_eq!(failing("SM121"), 200);
    eprintln!(
        "bench: {} resources, {} API calls, collected in {:.2} s",
        c.model.all_meta().count(),
        c.calls,
        elapsed.as_secs_f64()
    );
    for (op, n) in &c.calls_by_operation {
        eprintln!("  {op}: {n}");
    }
}
