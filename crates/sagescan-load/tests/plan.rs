//! The plan JSON loader against hand-written `terraform show -json` fixtures, most of them
//! twins of HCL fixtures: both sources must give the same model (effective values).

use sagescan_load::plan::{is_plan, load_plan};
use sagescan_load::{LoadOptions, load};
use sagescan_model::network::{AssociationTarget, Subnet};
use sagescan_model::sagemaker::Endpoint;
use sagescan_model::{Model, Ref, Value};
use serde_json::{Value as Json, json};
use std::path::PathBuf;

fn fixture(path: &str) -> String {
    std::fs::read_to_string(format!("tests/fixtures/{path}")).expect("fixture")
}

fn plan_model(display: &str, text: &str) -> Model {
    let mut model = Model::default();
    load_plan(&mut model, display, text);
    model.finish();
    model
}

fn hcl_model(dir: &str) -> Model {
    load(&[PathBuf::from(dir)], &LoadOptions::default()).expect("HCL loads")
}

/// A resource collection as JSON with every value reduced to its effective value: Set and
/// Default alike become the value, Unknown becomes `"<unknown>"`, origins are dropped.
/// Security group rules are sorted. Endpoints name their configuration by the key each source uses (an address in HCL, the
/// configuration's name in a plan), so that reference is replaced by what it resolves to.
fn effective<T: serde::Serialize>(model: &Model, items: &[T]) -> Json {
    fn reduce(v: Json) -> Json {
        match v {
            Json::Object(mut o) => {
                for state in ["set", "default"] {
                    if o.len() == 1
                        && let Some(inner) = o.remove(state)
                    {
                        return reduce(inner.get("value").cloned().unwrap_or(Json::Null));
                    }
                }
                if o.len() == 1 && o.contains_key("unknown") {
                    return json!("<unknown>");
                }
                o.remove("origin");
                let mut o: serde_json::Map<_, _> =
                    o.into_iter().map(|(k, v)| (k, reduce(v))).collect();
                // Security group rules are a set in AWS; a plan prints them in hash order.
                if let Some(Json::Array(rules)) = o.get_mut("rules") {
                    rules.sort_by_key(Json::to_string);
                }
                Json::Object(o)
            }
            Json::Array(a) => Json::Array(a.into_iter().map(reduce).collect()),
            other => other,
        }
    }
    let mut list: Vec<Json> = items
        .iter()
        .map(|i| reduce(serde_json::to_value(i).unwrap()))
        .collect();
    for item in &mut list {
        if let Some(key) = item.pointer("/endpoint_config").and_then(Json::as_str) {
            let resolved = model
                .get::<sagescan_model::sagemaker::EndpointConfig>(0, &Ref::new(key))
                .map(|c| c.meta.address.clone());
            item["endpoint_config"] = json!(resolved);
        }
    }
    list.sort_by_key(|i| i.pointer("/meta/address").map(Json::to_string));
    Json::Array(list)
}

fn key<T>(v: &Value<Ref<T>>) -> Option<String> {
    v.get().map(|r| r.key.clone())
}

fn line_of<T>(v: &Value<T>) -> Option<u32> {
    v.origin().file().map(|f| f.line)
}

#[test]
fn sniff_tells_plans_from_other_json() {
    assert!(is_plan(&fixture("plan/notebook.plan.json")));
    assert!(is_plan(&fixture("parity/plan/studio.plan.json")));
    assert!(!is_plan(
        r#"{"format_version":"1.0","values":{"root_module":{}}}"#
    ));
    assert!(!is_plan(
        r#"resource "aws_vpc" "x" { cidr_block = "10.0.0.0/16" }"#
    ));
    assert!(!is_plan(r#"{"Resources":{"planned_values":1}}"#));
}

#[test]
fn notebook_subnet_and_security_group_match_their_hcl_twin() {
    let plan = plan_model("notebook.plan.json", &fixture("plan/notebook.plan.json"));
    let hcl = hcl_model("tests/fixtures/plan/notebook");
    assert!(plan.gaps.is_empty(), "{:?}", plan.gaps);
    assert_eq!(plan.configs[0].source, "terraform-plan");
    assert_eq!(plan.sources[0].path, "notebook.plan.json");
    assert_eq!(effective(&plan, &plan.vpcs), effective(&hcl, &hcl.vpcs));
    assert_eq!(
        effective(&plan, &plan.subnets),
        effective(&hcl, &hcl.subnets)
    );
    assert_eq!(
        effective(&plan, &plan.security_groups),
        effective(&hcl, &hcl.security_groups)
    );
    assert_eq!(
        effective(&plan, &plan.notebook_instances),
        effective(&hcl, &hcl.notebook_instances)
    );
}

#[test]
fn unknown_after_apply_id_resolves_through_the_configuration() {
    let text = fixture("plan/notebook.plan.json");
    let model = plan_model("notebook.plan.json", &text);
    let nb = &model.notebook_instances[0];
    let subnet = nb
        .subnet
        .get()
        .cloned()
        .flatten()
        .expect("subnet_id resolves");
    let target: &Subnet = model.get(0, &subnet).expect("to a subnet of the plan");
    assert_eq!(target.meta.address, "aws_subnet.a");
    // Values point at the line of the instance's planned `"address"`.
    let want = text
        .lines()
        .position(|l| l.contains("\"address\": \"aws_sagemaker_notebook_instance.nb\""))
        .map(|i| i as u32 + 1);
    assert_eq!(line_of(&nb.subnet), want);
    assert_eq!(nb.meta.origin.file().map(|f| f.line), want);

    // Without the configuration section, nothing says what the id will be.
    let mut bare: Json = serde_json::from_str(&text).unwrap();
    bare.as_object_mut().unwrap().remove("configuration");
    let model = plan_model("bare.plan.json", &bare.to_string());
    assert_eq!(
        model.notebook_instances[0].subnet.unknown_reason(),
        Some("aws_sagemaker_notebook_instance.nb.subnet_id is known only after apply")
    );
}

#[test]
fn security_group_nested_ingress_blocks_become_rules() {
    use sagescan_model::network::SgPeer;
    let model = plan_model("notebook.plan.json", &fixture("plan/notebook.plan.json"));
    let nb = model
        .security_groups
        .iter()
        .find(|g| g.meta.address == "aws_security_group.nb")
        .unwrap();
    let mut peers: Vec<String> = nb
        .rules
        .iter()
        .map(|r| match r.peer.get() {
            Some(SgPeer::Ipv4(c)) => c.clone(),
            Some(SgPeer::SecurityGroup(g)) => g.key.clone(),
            other => format!("{other:?}"),
        })
        .collect();
    peers.sort();
    // The set's unknown element (the other group's id) was paired with its source block by
    // its constant arguments, whatever order the plan printed the set in.
    assert_eq!(peers, ["10.0.0.0/16", "aws_security_group.ep"]);
    // `egress` is not in the source: no egress rule, as for HCL.
    assert!(
        nb.rules
            .iter()
            .all(|r| r.direction == sagescan_model::network::Direction::Ingress)
    );
}

#[test]
fn module_with_count_resolves_relative_references_per_instance() {
    let model = plan_model(
        "module_count.plan.json",
        &fixture("plan/module_count.plan.json"),
    );
    assert!(model.gaps.is_empty(), "{:?}", model.gaps);
    let assoc = model
        .route_table_associations
        .iter()
        .find(|a| a.meta.address == "module.net[0].aws_route_table_association.a[1]")
        .unwrap();
    let AssociationTarget::Subnet(subnet) = &assoc.target else {
        panic!("a subnet association: {:?}", assoc.target);
    };
    assert_eq!(
        key(subnet),
        Some("module.net[0].aws_subnet.s[1]".into()),
        "count.index picks the instance with the same key, in the same module instance"
    );
    let subnet = model
        .subnets
        .iter()
        .find(|s| s.meta.address == "module.net[1].aws_subnet.s[0]")
        .unwrap();
    assert_eq!(key(&subnet.vpc), Some("module.net[1].aws_vpc.v".into()));
    // A module output, followed into the module instance it names.
    let nb = &model.notebook_instances[0];
    let subnet_key = nb.subnet.get().cloned().flatten().map(|r| r.key);
    assert_eq!(subnet_key.as_deref(), Some("module.net[1].aws_subnet.s[0]"));
    // A module variable, followed to the calling module's argument.
    let ep = model
        .vpc_endpoints
        .iter()
        .find(|e| e.meta.address == "module.net[0].aws_vpc_endpoint.e")
        .unwrap();
    let sgs: Vec<String> = ep
        .security_groups
        .get()
        .unwrap()
        .iter()
        .map(|r| r.key.clone())
        .collect();
    assert_eq!(sgs, ["aws_security_group.root"]);
    let subnets: Vec<String> = ep
        .subnets
        .get()
        .unwrap()
        .iter()
        .map(|r| r.key.clone())
        .collect();
    assert_eq!(
        subnets,
        [
            "module.net[0].aws_subnet.s[0]",
            "module.net[0].aws_subnet.s[1]"
        ],
        "a key-less reference to an expanded resource is a splat"
    );
}

#[test]
fn malformed_json_is_a_gap_with_its_line() {
    let mut model = Model::default();
    load_plan(
        &mut model,
        "bad.plan.json",
        &fixture("plan/malformed.plan.json"),
    );
    assert_eq!(model.configs.len(), 1);
    assert_eq!(model.sources.len(), 1, "the text is kept for snippets");
    let gap = &model.gaps[0];
    assert_eq!(gap.kind, "parse-error");
    assert_eq!(gap.config, Some(0));
    let at = gap.origin.file().unwrap();
    assert_eq!((&*at.file, at.line), ("bad.plan.json", 6));
    assert!(
        gap.message.starts_with("bad.plan.json: invalid JSON"),
        "{}",
        gap.message
    );

    for (text, kind) in [
        ("[1, 2]", "parse-error"),
        (
            r#"{"format_version": "2.0", "planned_values": {}}"#,
            "unsupported",
        ),
        (&"[".repeat(10_000), "parse-error"),
    ] {
        let mut model = Model::default();
        load_plan(&mut model, "x.json", text);
        assert_eq!(model.gaps.len(), 1, "{text:.20}");
        assert_eq!(model.gaps[0].kind, kind);
    }
}

#[test]
fn parity_studio_plan_and_hcl_give_the_same_sagemaker_resources() {
    let plan = plan_model("studio.plan.json", &fixture("parity/plan/studio.plan.json"));
    let hcl = hcl_model("../../examples/studio");
    assert!(plan.gaps.is_empty(), "{:?}", plan.gaps);
    assert_eq!(
        effective(&plan, &plan.domains),
        effective(&hcl, &hcl.domains)
    );
    assert_eq!(
        effective(&plan, &plan.notebook_instances),
        effective(&hcl, &hcl.notebook_instances)
    );
    assert_eq!(effective(&plan, &plan.models), effective(&hcl, &hcl.models));
    assert_eq!(
        effective(&plan, &plan.endpoint_configs),
        effective(&hcl, &hcl.endpoint_configs)
    );
    assert_eq!(
        effective(&plan, &plan.endpoints),
        effective(&hcl, &hcl.endpoints)
    );
    let e: &Endpoint = &plan.endpoints[0];
    assert!(plan.get(0, e.endpoint_config.get().unwrap()).is_some());
    // The network the workloads sit in, too.
    assert_eq!(
        effective(&plan, &plan.subnets),
        effective(&hcl, &hcl.subnets)
    );
    assert_eq!(
        effective(&plan, &plan.security_groups),
        effective(&hcl, &hcl.security_groups)
    );
    assert_eq!(
        effective(&plan, &plan.vpc_endpoints),
        effective(&hcl, &hcl.vpc_endpoints)
    );
    assert_eq!(
        effective(&plan, &plan.route_table_associations),
        effective(&hcl, &hcl.route_table_associations)
    );
    assert_eq!(
        effective(&plan, &plan.network_acls),
        effective(&hcl, &hcl.network_acls)
    );
}

/// A user profile and a space planned together with their domain: every id is known only
/// after apply, so the references come from the configuration section, as in HCL.
#[test]
fn user_profile_and_space_reach_their_domain_and_owner_through_the_configuration() {
    let planned = |address: &str, rtype: &str, values: Json| {
        json!({"address": address, "mode": "managed", "type": rtype,
               "name": address.split('.').nth(1), "values": values})
    };
    let change = |address: &str, rtype: &str, after_unknown: Json| {
        json!({"address": address, "mode": "managed", "type": rtype,
               "change": {"actions": ["create"], "before": null, "after_unknown": after_unknown}})
    };
    let configured = |address: &str, rtype: &str, expressions: Json| {
        json!({"address": address, "mode": "managed", "type": rtype,
               "name": address.split('.').nth(1), "expressions": expressions})
    };
    let refs = |to: &str| json!({"references": [format!("{to}.id"), to]});
    let plan = json!({
        "format_version": "1.2",
        "planned_values": {"root_module": {"resources": [
            planned("aws_security_group.open", "aws_security_group", json!({"name": "open"})),
            planned("aws_sagemaker_domain.d", "aws_sagemaker_domain",
                    json!({"domain_name": "d", "app_network_access_type": "VpcOnly"})),
            planned("aws_sagemaker_user_profile.alice", "aws_sagemaker_user_profile",
                    json!({"user_profile_name": "alice", "user_settings": [{}]})),
            planned("aws_sagemaker_space.mine", "aws_sagemaker_space",
                    json!({"space_name": "mine",
                           "space_sharing_settings": [{"sharing_type": "Private"}],
                           "ownership_settings": [{"owner_user_profile_name": "alice"}]})),
        ]}},
        "resource_changes": [
            change("aws_security_group.open", "aws_security_group", json!({"id": true})),
            change("aws_sagemaker_domain.d", "aws_sagemaker_domain", json!({"id": true})),
            change("aws_sagemaker_user_profile.alice", "aws_sagemaker_user_profile",
                   json!({"domain_id": true, "user_settings": [{"security_groups": true}]})),
            change("aws_sagemaker_space.mine", "aws_sagemaker_space",
                   json!({"domain_id": true})),
        ],
        "configuration": {"root_module": {"resources": [
            configured("aws_sagemaker_user_profile.alice", "aws_sagemaker_user_profile",
                       json!({"domain_id": refs("aws_sagemaker_domain.d"),
                              "user_settings": [{"security_groups": refs("aws_security_group.open")}]})),
            configured("aws_sagemaker_space.mine", "aws_sagemaker_space",
                       json!({"domain_id": refs("aws_sagemaker_domain.d")})),
        ]}},
    });
    let m = plan_model("studio.plan.json", &plan.to_string());
    assert!(m.gaps.is_empty(), "{:?}", m.gaps);
    let alice = &m.user_profiles[0];
    let domain = m.get(0, alice.domain.get().expect("domain_id resolves"));
    assert_eq!(domain.unwrap().meta.address, "aws_sagemaker_domain.d");
    let groups = alice
        .security_groups
        .get()
        .unwrap_or_else(|| panic!("{:?}", alice.security_groups));
    assert_eq!(groups.len(), 1);
    assert_eq!(
        m.get(0, &groups[0]).unwrap().meta.address,
        "aws_security_group.open"
    );
    let mine = &m.spaces[0];
    assert!(m.get(0, mine.domain.get().unwrap()).is_some());
    let owner = mine.owner.get().unwrap().as_ref().unwrap();
    assert_eq!(m.get(0, owner).unwrap().meta.address, alice.meta.address);
}
