//! The CloudFormation loader end to end: templates (fixtures or inline text) → model.

use sagescan_load::cloudformation::{CfnOptions, Template, load_templates};
use sagescan_model::network::{Direction, SgPeer};
use sagescan_model::sagemaker::{AppNetworkAccessType, SharingType};
use sagescan_model::{Model, Ref, Value};
use std::path::{Path, PathBuf};

fn fixture(rel: &str) -> Template {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/cloudformation")
        .join(rel);
    Template {
        text: std::fs::read_to_string(&path).unwrap(),
        display: format!("cloudformation/{rel}"),
        path,
    }
}

fn inline(name: &str, text: &str) -> Template {
    Template {
        path: PathBuf::from(name),
        display: name.into(),
        text: text.into(),
    }
}

fn load(templates: &[Template], options: &CfnOptions) -> Model {
    let mut m = Model::default();
    load_templates(&mut m, templates, options);
    m.finish();
    m
}

fn line<T>(v: &Value<T>) -> u32 {
    v.origin().file().map_or(0, |f| f.line)
}

#[test]
fn nested_stack_outputs_join_the_parent_and_the_child_is_not_loaded_twice() {
    let m = load(
        &[fixture("nested/root.yaml"), fixture("nested/network.yaml")],
        &CfnOptions::default(),
    );
    assert_eq!(m.configs.len(), 1, "{:?}", m.configs);
    let d = &m.domains[0];
    let subnets: Vec<_> = d
        .subnets
        .get()
        .unwrap()
        .iter()
        .map(|r| r.key.clone())
        .collect();
    assert_eq!(subnets, ["Network.SubnetA", "Network.SubnetB"]);
    for s in d.subnets.get().unwrap() {
        assert!(m.get(0, s).is_some(), "{} does not resolve", s.key);
    }
    assert!(m.get(0, d.vpc.get().unwrap().as_ref().unwrap()).is_some());
    assert_eq!(d.security_groups.get().unwrap()[0].key, "Network.Group");
    // The parent's parameter flowed into the child.
    assert_eq!(
        m.vpcs[0].cidr_block.get().map(String::as_str),
        Some("10.1.0.0/16")
    );
    // Fn::GetAZs gives a stable zone token (the region is known only at deployment),
    // Fn::Cidr is unknown; both keep a line in the child file.
    let a = &m.subnets[0];
    assert_eq!(
        a.availability_zone.get().map(String::as_str),
        Some("{zone 1 of ${AWS::Region}}")
    );
    assert_eq!(
        a.availability_zone.origin().file().unwrap().file.as_ref(),
        "cloudformation/nested/network.yaml"
    );
    assert!(a.cidr_block.unknown_reason().is_some());
    // A parameter without a value keeps its AllowedValues in the reason ...
    let reason = d.app_network_access_type.unknown_reason().unwrap();
    assert!(reason.contains("parameter Access has no value"), "{reason}");
    assert!(reason.contains("VpcOnly, PublicInternetOnly"), "{reason}");
    // ... and as the candidates a check judges one by one.
    assert_eq!(d.app_network_access_type.candidates().len(), 2);
    assert_eq!(m.sources.len(), 2);
    assert!(m.gaps.is_empty(), "{:?}", m.gaps);
}

#[test]
fn parameters_come_from_the_command_line_and_parameter_files() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let list = dir.join("list.json");
    std::fs::write(
        &list,
        r#"[{"ParameterKey": "Access", "ParameterValue": "PublicInternetOnly"}]"#,
    )
    .unwrap();
    let object = dir.join("object.json");
    std::fs::write(&object, r#"{"Parameters": {"Cidr": "10.9.0.0/16"}}"#).unwrap();
    let templates = [fixture("nested/root.yaml")];
    let m = load(
        &templates,
        &CfnOptions {
            parameters: vec![],
            parameter_files: vec![list.clone(), object.clone()],
        },
    );
    assert_eq!(
        m.domains[0].app_network_access_type.get(),
        Some(&AppNetworkAccessType::PublicInternetOnly)
    );
    assert_eq!(
        m.vpcs[0].cidr_block.get().map(String::as_str),
        Some("10.9.0.0/16")
    );
    let m = load(
        &templates,
        &CfnOptions {
            parameters: vec![("Access".into(), "VpcOnly".into())],
            parameter_files: vec![list, dir.join("missing.json")],
        },
    );
    assert_eq!(
        m.domains[0].app_network_access_type,
        Value::set(
            AppNetworkAccessType::VpcOnly,
            m.domains[0].app_network_access_type.origin().clone()
        )
    );
    assert_eq!(line(&m.domains[0].app_network_access_type), 23);
    assert_eq!(m.gaps.len(), 1);
    assert_eq!(m.gaps[0].kind, "io-error");
}

const GROUPS: &str = "\
Resources:
  Open:
    Type: AWS::EC2::SecurityGroup
    Properties:
      GroupDescription: no egress listed
      VpcId: vpc-1
      SecurityGroupIngress:
        - {IpProtocol: tcp, FromPort: 22, ToPort: 22, CidrIp: 10.0.0.0/8}
  Closed:
    Type: AWS::EC2::SecurityGroup
    Properties:
      GroupDescription: egress listed
      VpcId: vpc-1
      SecurityGroupEgress:
        - {IpProtocol: tcp, FromPort: 443, ToPort: 443, CidrIp: 10.0.0.0/8}
  Extra:
    Type: AWS::EC2::SecurityGroupEgress
    Properties:
      GroupId: !GetAtt Closed.GroupId
      IpProtocol: udp
      FromPort: 53
      ToPort: 53
      CidrIpv6: ::/0
";

#[test]
fn a_group_without_egress_keeps_the_default_allow_all_rule() {
    let m = load(&[inline("sg.yaml", GROUPS)], &CfnOptions::default());
    let open = &m.security_groups[0];
    let egress: Vec<_> = open
        .rules
        .iter()
        .filter(|r| r.direction == Direction::Egress)
        .collect();
    assert_eq!(egress.len(), 1);
    assert!(egress[0].peer.is_default());
    assert_eq!(
        egress[0].peer.get(),
        Some(&SgPeer::Ipv4("0.0.0.0/0".into()))
    );
    assert_eq!(egress[0].protocol.get().map(String::as_str), Some("-1"));
    assert_eq!(
        open.rules[0].from_port,
        Value::set(22, open.rules[0].from_port.origin().clone())
    );
    assert_eq!(line(&open.rules[0].peer), 8);

    let closed = &m.security_groups[1];
    assert_eq!(closed.rules.len(), 2);
    assert!(closed.rules.iter().all(|r| r.peer.is_set()));
    assert_eq!(closed.rules[1].declared_by.as_deref(), Some("Extra"));
    assert_eq!(
        closed.rules[1].peer.get(),
        Some(&SgPeer::Ipv6("::/0".into()))
    );
}

#[test]
fn duplicate_keys_are_reported_in_yaml_and_json() {
    let yaml = "Resources:\n  Vpc:\n    Type: AWS::EC2::VPC\n    Properties:\n      CidrBlock: 10.0.0.0/16\n      CidrBlock: 10.1.0.0/16\n";
    let json = "{\"Resources\": {\n \"Vpc\": {\"Type\": \"AWS::EC2::VPC\",\n  \"Properties\": {\"CidrBlock\": \"10.0.0.0/16\",\n  \"CidrBlock\": \"10.1.0.0/16\"}}}}";
    let m = load(
        &[inline("a.yaml", yaml), inline("b.json", json)],
        &CfnOptions::default(),
    );
    let found: Vec<_> = m
        .gaps
        .iter()
        .map(|g| {
            (
                g.kind.as_str(),
                g.origin.file().unwrap().file.to_string(),
                g.origin.file().unwrap().line,
            )
        })
        .collect();
    assert_eq!(
        found,
        [
            ("duplicate-key", "a.yaml".to_string(), 6),
            ("duplicate-key", "b.json".to_string(), 4)
        ]
    );
    assert_eq!(m.vpcs.len(), 2);
    assert_eq!(
        m.vpcs[0].cidr_block.get().map(String::as_str),
        Some("10.1.0.0/16")
    );
}

#[test]
fn malformed_templates_are_gaps_with_a_line_and_other_files_are_skipped() {
    let m = load(
        &[
            inline(
                "broken.yaml",
                "Resources:\n  Vpc:\n    Type: [AWS::EC2::VPC\n  x: 1\n",
            ),
            inline(
                "broken.json",
                "{\"Resources\": {\n  \"Vpc\": {\"Type\": \"AWS::EC2::VPC\",}\n}}",
            ),
            inline("ci.yaml", "jobs:\n  build: {runs-on: ubuntu}\n"),
            inline("package.json", "{\"name\": \"x\"}"),
            inline(
                "deep.json",
                &format!(
                    "{{\"Resources\": {}{}}}",
                    "[".repeat(100_000),
                    "]".repeat(100_000)
                ),
            ),
        ],
        &CfnOptions::default(),
    );
    let names: Vec<_> = m.configs.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names, ["broken.yaml", "broken.json", "deep.json"]);
    let lines: Vec<_> = m
        .gaps
        .iter()
        .map(|g| (g.kind.as_str(), g.origin.file().unwrap().line))
        .collect();
    assert_eq!(lines[1], ("parse-error", 2));
    assert!(lines[0].1 >= 3, "{lines:?}");
    assert!(
        m.gaps[2].message.contains("nesting deeper"),
        "{}",
        m.gaps[2].message
    );
}

const CONDITIONS: &str = "\
Parameters:
  Env: {Type: String, Default: prod}
Conditions:
  IsProd: !Equals [!Ref Env, prod]
  InRegion: !Equals [!Ref 'AWS::Region', eu-west-1]
Resources:
  Notebook:
    Type: AWS::SageMaker::NotebookInstance
    Properties:
      DirectInternetAccess: !If [IsProd, Disabled, Enabled]
      RootAccess: !If [InRegion, Disabled, Enabled]
      SubnetId: !If [IsProd, subnet-1, !Ref 'AWS::NoValue']
  DevOnly:
    Type: AWS::EC2::VPC
    Condition: IsDev
    Properties: {CidrBlock: 10.0.0.0/16}
  ProdOnly:
    Type: AWS::EC2::VPC
    Condition: IsProd
    Properties: {CidrBlock: 10.0.0.0/16}
";

#[test]
fn conditions_decide_values_and_resources() {
    let m = load(
        &[inline(
            "c.yaml",
            &CONDITIONS.replace(
                "  InRegion",
                "  IsDev: !Not [!Condition IsProd]\n  InRegion",
            ),
        )],
        &CfnOptions::default(),
    );
    let nb = &m.notebook_instances[0];
    assert_eq!(
        nb.direct_internet_access.get().map(|t| t.as_str()),
        Some("Disabled")
    );
    assert!(
        nb.root_access
            .unknown_reason()
            .unwrap()
            .contains("InRegion")
    );
    assert_eq!(nb.subnet.get(), Some(&Some(Ref::new("subnet-1"))));
    let vpcs: Vec<_> = m.vpcs.iter().map(|v| v.meta.address.as_str()).collect();
    assert_eq!(vpcs, ["ProdOnly"]);

    let m = load(
        &[inline("c.yaml", CONDITIONS)],
        &CfnOptions {
            parameters: vec![
                ("Env".into(), "dev".into()),
                ("AWS::Region".into(), "eu-west-1".into()),
            ],
            parameter_files: vec![],
        },
    );
    let nb = &m.notebook_instances[0];
    assert_eq!(nb.root_access.get().map(|t| t.as_str()), Some("Disabled"));
    // AWS::NoValue removes the property: the default applies.
    assert!(nb.subnet.is_default());
    assert_eq!(nb.subnet.get(), Some(&None));
}

#[test]
fn firewall_area_from_json() {
    let m = load(&[fixture("firewall.json")], &CfnOptions::default());
    let fw = &m.firewalls[0];
    assert_eq!(fw.meta.aliases, ["egress"]);
    assert!(m.get(0, fw.policy.get().unwrap()).is_some());
    assert_eq!(fw.delete_protection.get(), Some(&true));
    assert!(fw.subnet_change_protection.is_default());
    assert!(fw.kms_key_id.is_default());
    let policy = &m.firewall_policies[0];
    assert_eq!(
        policy.stateful_rule_order.get().map(String::as_str),
        Some("STRICT_ORDER")
    );
    let groups = policy.stateful_rule_groups.get().unwrap();
    assert!(m.get(0, &groups[0].group).is_some());
    assert_eq!(groups[0].priority.get(), Some(&Some(1)));
    assert!(matches!(
        m.rule_groups[0].source.get(),
        Some(sagescan_model::network::RulesSource::DomainList { .. })
    ));
    let logging = &m.firewall_logging[0];
    assert!(m.get(0, logging.firewall.get().unwrap()).is_some());
    assert_eq!(
        logging.destinations.get().unwrap(),
        &[("ALERT".to_string(), "S3".to_string())]
    );
    assert_eq!(line(&fw.delete_protection), 10);
}

/// The shape of AWS's public "Studio in a private VPC with Network Firewall" sample: a
/// sibling stack's single-resource outputs feed `List<…::Id>` parameters, and a route
/// targets a firewall endpoint picked out of `EndpointIds` with Select/Split.
#[test]
fn sibling_stack_outputs_feed_list_parameters_and_firewall_routes_keep_their_kind() {
    let m = load(&[fixture("siblings/root.yaml")], &CfnOptions::default());
    assert!(m.gaps.is_empty(), "{:?}", m.gaps);
    let d = &m.domains[0];
    assert_eq!(d.meta.address, "Studio.Domain");
    let subnets = d.subnets.get().expect("subnets known");
    assert_eq!(subnets.len(), 1);
    assert!(
        m.get(0, &subnets[0]).is_some(),
        "{} does not resolve",
        subnets[0].key
    );
    let groups = d.security_groups.get().expect("groups known");
    assert_eq!(groups[0].key, "Net.Group");
    assert!(m.get(0, &groups[0]).is_some());
    let route = &m.route_tables[0].routes[0];
    assert!(
        matches!(route.target.get(), Some(sagescan_model::network::RouteTarget::VpcEndpoint(k)) if k == "Net.Firewall"),
        "{:?}",
        route.target
    );
}

#[test]
fn a_nested_template_outside_the_scan_and_the_parent_directory_is_not_read() {
    let m = load(&[fixture("escape/stack/root.yaml")], &CfnOptions::default());
    let gaps: Vec<(&str, &str)> = m
        .gaps
        .iter()
        .map(|g| (g.kind.as_str(), g.message.as_str()))
        .collect();
    assert_eq!(gaps.len(), 1, "{gaps:?}");
    assert_eq!(gaps[0].0, "unsupported");
    assert!(
        gaps[0]
            .1
            .starts_with("nested stack Leak (TemplateURL ../credentials) was not loaded: ")
            && gaps[0]
                .1
                .ends_with("is neither a scanned file nor under the parent template's directory"),
        "{}",
        gaps[0].1
    );
    // Nothing of the file was kept to be quoted in a report.
    assert!(
        m.sources
            .iter()
            .all(|s| !s.text.contains("aws_secret_access_key")),
        "{:?}",
        m.sources.iter().map(|s| &s.path).collect::<Vec<_>>()
    );
}

#[test]
fn user_profiles_and_spaces_reference_their_domain_and_owner() {
    let m = load(&[fixture("studio/profiles.yaml")], &CfnOptions::default());
    assert!(m.gaps.is_empty(), "{:?}", m.gaps);
    let keys = |v: &Value<Vec<Ref<_>>>| -> Vec<String> {
        v.get().unwrap().iter().map(|r| r.key.clone()).collect()
    };
    let d = &m.domains[0];
    assert_eq!(keys(&d.security_groups), ["sg-0tight"]);
    assert_eq!(keys(&d.default_space_security_groups), ["sg-0space"]);
    assert_eq!(line(&d.default_space_security_groups), 17);

    let alice = &m.user_profiles[0];
    assert_eq!(alice.meta.aliases, ["alice"]);
    assert_eq!(
        m.get(0, alice.domain.get().unwrap()).unwrap().meta.address,
        "Domain"
    );
    assert_eq!(keys(&alice.security_groups), ["sg-0open"]);
    assert_eq!(line(&alice.security_groups), 24);

    let (mine, team) = (&m.spaces[0], &m.spaces[1]);
    assert_eq!(mine.sharing_type.get(), Some(&SharingType::Private));
    let owner = mine.owner.get().unwrap().as_ref().unwrap();
    assert_eq!(m.get(0, owner).unwrap().meta.address, "Alice");
    assert!(m.get(0, team.domain.get().unwrap()).is_some());
    assert_eq!(team.sharing_type.get(), Some(&SharingType::Shared));
    assert_eq!(team.owner.get(), Some(&None));
}
