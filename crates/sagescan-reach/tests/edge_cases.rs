//! The edge cases of reachability-semantics §8.8 that the engine models, one small
//! Terraform fixture each (under `tests/fixtures/`), asserting the verdict and the hop that
//! decided it — its kind, its rule text and, where it matters, its file and line.

mod common;

use common::*;
use sagescan_model::network::AssociationTarget;
use sagescan_model::{Origin, Value};
use sagescan_reach::{Decision, Direction, Verdict};

const NOTEBOOK: &str = "aws_sagemaker_notebook_instance.main";

/// The blocking hops other than the firewall's: a domain query also carries the traffic
/// to the name's address that shows no name (SSH, TLS without SNI), which the seed's
/// allow-list drops; the tests below are about what stops the named flow.
fn beyond_the_firewall(hops: &[sagescan_reach::Hop]) -> Vec<&sagescan_reach::Hop> {
    hops.iter()
        .filter(|h| h.kind != "network_firewall")
        .collect()
}

// ---------------------------------------------------------------------------------------
// The compliant seed (the acceptance): reachable only for allow-listed names on
// tcp/443, through NAT -> firewall -> IGW; anything else stopped by the allow-list.
// ---------------------------------------------------------------------------------------

#[test]
fn seed_reaches_only_allow_listed_names_on_443_through_nat_firewall_and_igw() {
    let m = load_fixture("seed");
    let a = ask(&m, NOTEBOOK, "internet");
    assert_eq!(a.verdict, Verdict::Reachable, "{}", explain(&a));
    assert!(!a.admitted.is_empty());
    for x in &a.admitted {
        assert_eq!((x.protocol, x.port), ("tcp", Some(443)), "{}", explain(&a));
        assert!(x.inspected, "uninspected flow admitted: {}", explain(&a));
        assert!(
            x.name_pattern.is_some(),
            "admitted whatever the name: {}",
            explain(&a)
        );
    }
    let apps: Vec<&str> = a.admitted.iter().map(|x| x.application.as_str()).collect();
    for want in ["tls sni pypi.org", "tls sni .pythonhosted.org"] {
        assert!(apps.contains(&want), "{want} not admitted: {apps:?}");
    }
    assert!(
        !apps
            .iter()
            .any(|x| x.contains("any name") || *x == "other" || *x == "tls without sni"),
        "{apps:?}"
    );
    // The witness goes NAT -> firewall -> IGW, and the reply comes back through the same
    // firewall endpoint by the IGW's edge route table.
    let p = &a.path;
    assert!(
        position(p, "nat_gateway") < position(p, "network_firewall"),
        "{}",
        render(p)
    );
    assert!(
        position(p, "network_firewall") < position(p, "internet_gateway"),
        "{}",
        render(p)
    );
    let fw = find(p, "network_firewall", "pass tls");
    assert_eq!(&*fw.resource, "aws_networkfirewall_firewall.main");
    assert_eq!(line(fw), line_of("seed", "targets "));
    let edge = find(p, "route_table", "reply: edge route 10.0.0.0/24");
    assert_eq!(&*edge.resource, "aws_route_table.igw_ingress");
    assert!(a.asymmetric.is_empty(), "{}", render(&a.asymmetric));
}

#[test]
fn seed_blocks_an_unlisted_domain_at_the_allow_list_catch_all_with_its_line() {
    let m = load_fixture("seed");
    let a = ask(&m, NOTEBOOK, "domain:evil.example:443");
    assert_eq!(a.verdict, Verdict::NotReachable, "{}", explain(&a));
    assert!(a.admitted.is_empty());
    // Every blocking control is the allow-list (TLS and HTTP variants of the name).
    assert!(
        a.blocked_by.iter().all(|h| h.kind == "network_firewall"),
        "{}",
        render(&a.blocked_by)
    );
    let tls = find(&a.blocked_by, "network_firewall", "catch-all drop tls");
    assert!(
        tls.rule.contains("aws_networkfirewall_rule_group.domains"),
        "{}",
        tls.rule
    );
    assert_eq!(file_name(tls), "main.tf");
    assert_eq!(line(tls), line_of("seed", "target_types"));
    // The blocked path names the same hop as its first block, after NAT.
    let first_block = first(&a.path, Decision::Block);
    assert_eq!(first_block, tls);
    assert!(position(&a.path, "nat_gateway") < position(&a.path, "network_firewall"));
}

#[test]
fn seed_reaches_an_allow_listed_domain_and_s3_through_the_gateway_endpoint() {
    let m = load_fixture("seed");
    let a = ask(&m, NOTEBOOK, "domain:pypi.org:443");
    assert_eq!(a.verdict, Verdict::Reachable, "{}", explain(&a));
    assert!(a.admitted.iter().all(|x| x.inspected));

    let s3 = ask(&m, NOTEBOOK, "service:s3");
    assert_eq!(s3.verdict, Verdict::Reachable, "{}", explain(&s3));
    let last = s3.path.last().expect("a path");
    assert_eq!(
        (last.kind, &*last.resource),
        ("vpc_endpoint", "aws_vpc_endpoint.s3")
    );
    assert!(last.rule.contains("gateway endpoint"), "{}", last.rule);
    let rt = find(
        &s3.path,
        "route_table",
        "prefix list of com.amazonaws.us-east-1.s3",
    );
    assert_eq!(&*rt.resource, "aws_route_table.private");
    // Straight to the endpoint: no NAT, no firewall on the way.
    assert!(
        !s3.path
            .iter()
            .any(|h| matches!(h.kind, "nat_gateway" | "network_firewall"))
    );
}

#[test]
fn interface_endpoint_with_private_dns_answers_for_the_service_name() {
    let mut m = load_fixture("seed");
    let a = ask(&m, NOTEBOOK, "service:sagemaker.api");
    assert_eq!(a.verdict, Verdict::Reachable, "{}", explain(&a));
    let last = a.path.last().expect("a path");
    assert_eq!(&*last.resource, "aws_vpc_endpoint.sagemaker_api");
    assert_eq!(last.decision, Decision::Allow);
    let sg = find(
        &a.path,
        "security_group",
        "ingress tcp 443 from security group",
    );
    assert_eq!(&*sg.resource, "aws_security_group.endpoints");
    // The endpoint sits in another subnet: the request crosses the private ACL in.
    find(&a.path, "network_acl", "in #100 allow");
    assert!(
        a.notes.iter().any(|n| n.contains("private DNS")),
        "{:?}",
        a.notes
    );

    // Without private DNS the name resolves to public addresses: out through NAT to the
    // firewall, whose allow-list does not list the SageMaker API.
    let ep = m
        .vpc_endpoints
        .iter_mut()
        .find(|e| e.meta.address == "aws_vpc_endpoint.sagemaker_api")
        .expect("endpoint");
    ep.private_dns_enabled = Value::set(false, Origin::None);
    let b = ask(&m, NOTEBOOK, "service:sagemaker.api");
    assert_eq!(b.verdict, Verdict::NotReachable, "{}", explain(&b));
    find(&b.blocked_by, "network_firewall", "catch-all drop tls");
    assert!(
        !b.path
            .iter()
            .any(|h| &*h.resource == "aws_vpc_endpoint.sagemaker_api")
    );
}

// ---------------------------------------------------------------------------------------
// Route tables.
// ---------------------------------------------------------------------------------------

#[test]
fn subnet_without_association_uses_the_main_route_table_then_aws_s_implicit_one() {
    let mut m = load_fixture("main_table_fallback");
    let a = ask(&m, NOTEBOOK, "domain:pypi.org:443");
    assert_eq!(a.verdict, Verdict::Reachable, "{}", explain(&a));
    let rt = find(&a.path, "route_table", "0.0.0.0/0 → aws_nat_gateway.nat");
    assert_eq!(&*rt.resource, "aws_route_table.private");

    // Without the main-table association AWS's own main table applies: local route only.
    m.route_table_associations
        .retain(|x| !matches!(x.target, AssociationTarget::MainOf(_)));
    m.finish();
    let b = ask(&m, NOTEBOOK, "domain:pypi.org:443");
    assert_eq!(b.verdict, Verdict::NotReachable, "{}", explain(&b));
    let block = first(&b.path, Decision::Block);
    assert_eq!(block.kind, "route_table");
    assert_eq!(&*block.resource, "main route table of aws_subnet.private_a");
    assert!(block.rule.contains("no route matches"), "{}", block.rule);
}

#[test]
fn route_to_the_igw_without_a_public_ip_is_not_reachable_but_through_nat_it_is() {
    let mut m = load_fixture("igw_direct");
    let a = ask(&m, NOTEBOOK, "domain:pypi.org:443");
    assert_eq!(a.verdict, Verdict::NotReachable, "{}", explain(&a));
    assert_eq!(a.blocked_by.len(), 1, "{}", render(&a.blocked_by));
    let igw = &a.blocked_by[0];
    assert_eq!(
        (igw.kind, &*igw.resource),
        ("internet_gateway", "aws_internet_gateway.igw")
    );
    assert!(igw.rule.contains("no public IP"), "{}", igw.rule);
    assert!(igw.rule.contains("aws_subnet.private_a"), "{}", igw.rule);
    assert_eq!(
        line(igw),
        line_of("igw_direct", "resource \"aws_subnet\" \"private_a\"")
    );

    // The seed's same subnet goes through the NAT gateway and gets out.
    let seed = load_fixture("seed");
    assert_eq!(
        ask(&seed, NOTEBOOK, "domain:pypi.org:443").verdict,
        Verdict::Reachable
    );

    // A subnet that maps public IPs on launch: whether SageMaker's interfaces get one is
    // not documented, so the engine must not claim either way.
    let s = m
        .subnets
        .iter_mut()
        .find(|s| s.meta.address == "aws_subnet.private_a")
        .expect("subnet");
    s.map_public_ip_on_launch = Value::set(true, Origin::None);
    let b = ask(&m, NOTEBOOK, "domain:pypi.org:443");
    assert_eq!(b.verdict, Verdict::Unknown, "{}", explain(&b));
    assert_eq!(b.unknown_because[0].kind, "internet_gateway");
}

#[test]
fn route_to_an_unidentifiable_endpoint_is_unknown_not_blocked() {
    let m = load_fixture("unknown_route_target");
    for to in ["internet", "domain:pypi.org:443"] {
        let a = ask(&m, NOTEBOOK, to);
        assert_eq!(a.verdict, Verdict::Unknown, "{to}: {}", explain(&a));
        // Only the security group's own refusals (other ports) block anything.
        assert!(
            a.blocked_by.iter().all(|h| h.kind == "security_group"),
            "{}",
            render(&a.blocked_by)
        );
        let u = &a.unknown_because[0];
        assert_eq!(
            (u.kind, &*u.resource),
            ("route_table", "aws_route_table.private")
        );
        assert!(u.rule.contains("var.appliance_endpoint_id"), "{}", u.rule);
        let route = line_of(
            "unknown_route_target",
            "vpc_endpoint_id = var.appliance_endpoint_id",
        );
        assert!(
            line(u) == route || line(u) + 2 == route,
            "line {} vs {route}",
            line(u)
        );
    }
}

// ---------------------------------------------------------------------------------------
// NAT gateways (§8.8 item 6).
// ---------------------------------------------------------------------------------------

#[test]
fn private_nat_gateway_routed_to_the_igw_is_dropped() {
    let m = load_fixture("private_nat");
    let a = ask(&m, NOTEBOOK, "domain:pypi.org:443");
    assert_eq!(a.verdict, Verdict::NotReachable, "{}", explain(&a));
    let blocked = beyond_the_firewall(&a.blocked_by);
    assert_eq!(blocked.len(), 1, "{}", render(&a.blocked_by));
    let nat = blocked[0];
    assert_eq!(
        (nat.kind, &*nat.resource),
        ("nat_gateway", "aws_nat_gateway.nat")
    );
    assert!(nat.rule.contains("private NAT gateway"), "{}", nat.rule);
    assert_eq!(line(nat), line_of("private_nat", "connectivity_type"));
    assert_eq!(ask(&m, NOTEBOOK, "internet").verdict, Verdict::NotReachable);
}

#[test]
fn nat_subnet_without_a_default_route_goes_nowhere() {
    let m = load_fixture("nat_subnet_no_igw_route");
    let a = ask(&m, NOTEBOOK, "domain:pypi.org:443");
    assert_eq!(a.verdict, Verdict::NotReachable, "{}", explain(&a));
    assert_eq!(a.blocked_by.len(), 1, "{}", render(&a.blocked_by));
    let rt = &a.blocked_by[0];
    assert_eq!(
        (rt.kind, &*rt.resource),
        ("route_table", "aws_route_table.public")
    );
    assert!(rt.rule.contains("no route matches"), "{}", rt.rule);
    // The walk got through the NAT gateway before it stopped.
    assert!(position(&a.path, "nat_gateway") < a.path.iter().position(|h| h == rt).unwrap());
}

#[test]
fn nat_subnet_acl_denying_high_ports_inbound_breaks_the_reply() {
    let m = load_fixture("nat_nacl_blocks_replies");
    let a = ask(&m, NOTEBOOK, "domain:pypi.org:443");
    assert_eq!(a.verdict, Verdict::NotReachable, "{}", explain(&a));
    // The request itself gets in (rule 100 admits the VPC) ...
    let req = find(&a.path, "network_acl", "in #100 allow");
    assert_eq!(&*req.resource, "aws_network_acl.public");
    // ... and only the reply is stopped, at the NAT subnet's ACL.
    let blocked = beyond_the_firewall(&a.blocked_by);
    assert_eq!(blocked.len(), 1, "{}", render(&a.blocked_by));
    let b = blocked[0];
    assert_eq!(
        (b.kind, &*b.resource),
        ("network_acl", "aws_network_acl.public")
    );
    assert!(b.rule.starts_with("reply in"), "{}", b.rule);
    assert!(b.rule.contains("1024-65535"), "{}", b.rule);
    assert_eq!(ask(&m, NOTEBOOK, "internet").verdict, Verdict::NotReachable);
}

#[test]
fn nat_subnet_acl_reply_block_names_the_deny_entry_and_its_line() {
    let m = load_fixture("nat_nacl_blocks_replies");
    let a = ask(&m, NOTEBOOK, "domain:pypi.org:443");
    let b = &a.blocked_by[0];
    assert!(b.rule.contains("#200 deny"), "{}", b.rule);
    assert_eq!(
        line(b),
        line_of("nat_nacl_blocks_replies", "rule_no    = 200") - 2
    );
}

// ---------------------------------------------------------------------------------------
// Network Firewall.
// ---------------------------------------------------------------------------------------

#[test]
fn firewall_subnet_without_an_igw_route_stops_what_the_firewall_passes() {
    let m = load_fixture("firewall_no_igw_route");
    let a = ask(&m, NOTEBOOK, "domain:pypi.org:443");
    assert_eq!(a.verdict, Verdict::NotReachable, "{}", explain(&a));
    let blocked = beyond_the_firewall(&a.blocked_by);
    assert_eq!(blocked.len(), 1, "{}", render(&a.blocked_by));
    let rt = blocked[0];
    assert_eq!(
        (rt.kind, &*rt.resource),
        ("route_table", "aws_route_table.firewall")
    );
    assert!(rt.rule.contains("no route matches"), "{}", rt.rule);
    // The firewall itself passed the allow-listed name.
    let fw = find(&a.path, "network_firewall", "pass tls pypi.org");
    assert_eq!(fw.decision, Decision::Allow);
}

#[test]
fn strict_order_with_drop_strict_breaks_allow_listed_tls() {
    let m = load_fixture("strict_drop_strict");
    let a = ask(&m, NOTEBOOK, "domain:pypi.org:443");
    assert_eq!(a.verdict, Verdict::NotReachable, "{}", explain(&a));
    let b = find(
        &a.blocked_by,
        "network_firewall",
        "aws:drop_strict drops the TCP handshake",
    );
    assert!(b.rule.contains("pass tls pypi.org"), "{}", b.rule);
    assert_eq!(
        line(b),
        line_of("strict_drop_strict", "stateful_default_actions")
    );
    assert!(a.blocked_by.iter().all(|h| h.kind == "network_firewall"));
    // Nothing at all gets out, allow-listed or not.
    let all = ask(&m, NOTEBOOK, "internet");
    assert_eq!(all.verdict, Verdict::NotReachable, "{}", explain(&all));
}

#[test]
fn action_order_broad_pass_rule_defeats_the_allow_list() {
    let m = load_fixture("action_order_broad_pass");
    let a = ask(&m, NOTEBOOK, "domain:evil.example:443");
    assert_eq!(a.verdict, Verdict::Reachable, "{}", explain(&a));
    let fw = find(&a.path, "network_firewall", "pass tcp any any -> any 443");
    assert_eq!(fw.decision, Decision::Allow);
    assert_eq!(line(fw), line_of("action_order_broad_pass", "rules_string"));

    let all = ask(&m, NOTEBOOK, "internet");
    assert_eq!(all.verdict, Verdict::Reachable, "{}", explain(&all));
    assert!(
        all.admitted
            .iter()
            .any(|x| x.any_name() && x.application.starts_with("tls sni")),
        "{}",
        explain(&all)
    );
}

#[test]
fn stateless_default_pass_reaches_the_internet_uninspected() {
    let m = load_fixture("stateless_pass");
    let a = ask(&m, NOTEBOOK, "internet");
    assert_eq!(a.verdict, Verdict::Reachable, "{}", explain(&a));
    assert!(a.admitted.iter().all(|x| !x.inspected), "{}", explain(&a));
    assert!(a.admitted.iter().any(|x| x.any_name()), "{}", explain(&a));
    let fw = find(
        &a.path,
        "network_firewall",
        "stateless default action aws:pass",
    );
    assert_eq!(
        line(fw),
        line_of("stateless_pass", "stateless_default_actions")
    );
    assert_eq!(
        ask(&m, NOTEBOOK, "domain:evil.example:443").verdict,
        Verdict::Reachable
    );
}

// ---------------------------------------------------------------------------------------
// SageMaker's planes (§8.8 items 15–17, 22).
// ---------------------------------------------------------------------------------------

#[test]
fn notebook_direct_internet_access_reaches_the_internet_whatever_the_vpc_says() {
    let m = load_fixture("planes");
    // The same subnet is closed to a notebook without direct internet access.
    let closed = ask(&m, "aws_sagemaker_notebook_instance.closed", "internet");
    assert_eq!(
        closed.verdict,
        Verdict::NotReachable,
        "{}",
        explain(&closed)
    );
    let rt = first(&closed.path, Decision::Block);
    assert_eq!(
        (rt.kind, &*rt.resource),
        ("route_table", "aws_route_table.closed")
    );

    for nb in ["direct", "no_subnet"] {
        let a = ask(
            &m,
            &format!("aws_sagemaker_notebook_instance.{nb}"),
            "internet",
        );
        assert_eq!(a.verdict, Verdict::Reachable, "{nb}: {}", explain(&a));
        assert_eq!(a.path[0].kind, "sagemaker");
        assert!(a.admitted.iter().all(|x| x.any_name() && !x.inspected));
    }
    let a = ask(&m, "aws_sagemaker_notebook_instance.direct", "internet");
    assert!(
        a.path[0].rule.contains("DirectInternetAccess = Enabled"),
        "{}",
        a.path[0].rule
    );
    assert_eq!(
        line(&a.path[0]),
        line_of("planes", "direct_internet_access = \"Enabled\"")
    );

    // S3 goes through SageMaker's interface too, bypassing the VPC's gateway endpoint,
    // which the closed notebook uses.
    let s3 = ask(&m, "aws_sagemaker_notebook_instance.direct", "service:s3");
    assert_eq!(s3.verdict, Verdict::Reachable);
    assert!(
        !s3.path.iter().any(|h| h.kind == "vpc_endpoint"),
        "{}",
        render(&s3.path)
    );
    let s3 = ask(&m, "aws_sagemaker_notebook_instance.closed", "service:s3");
    assert_eq!(s3.verdict, Verdict::Reachable, "{}", explain(&s3));
    assert_eq!(&*s3.path.last().unwrap().resource, "aws_vpc_endpoint.s3");
}

#[test]
fn studio_public_internet_only_reaches_the_internet_and_vpc_only_follows_the_vpc() {
    let m = load_fixture("planes");
    let a = ask(&m, "aws_sagemaker_domain.public", "internet");
    assert_eq!(a.verdict, Verdict::Reachable, "{}", explain(&a));
    assert!(
        a.path[0].rule.contains("PublicInternetOnly"),
        "{}",
        a.path[0].rule
    );
    assert_eq!(
        line(&a.path[0]),
        line_of("planes", "\"PublicInternetOnly\"")
    );

    let b = ask(&m, "aws_sagemaker_domain.vpc_only", "internet");
    assert_eq!(b.verdict, Verdict::NotReachable, "{}", explain(&b));
    assert_eq!(
        &*first(&b.path, Decision::Block).resource,
        "aws_route_table.closed"
    );
}

#[test]
fn network_isolation_blocks_the_container_but_platform_s3_follows_the_vpc() {
    let m = load_fixture("planes");
    let a = ask(&m, "aws_sagemaker_model.isolated", "internet");
    assert_eq!(a.verdict, Verdict::NotReachable, "{}", explain(&a));
    assert_eq!(a.blocked_by.len(), 1);
    let iso = &a.blocked_by[0];
    assert_eq!(iso.kind, "sagemaker");
    assert!(
        iso.rule.contains("EnableNetworkIsolation = true"),
        "{}",
        iso.rule
    );
    assert_eq!(
        line(iso),
        line_of("planes", "enable_network_isolation = true")
    );

    // SageMaker's own S3 I/O on the model's behalf is not isolated: it takes the subnet's
    // gateway endpoint ...
    let s3 = ask_dir(
        &m,
        "aws_sagemaker_model.isolated",
        "service:s3",
        Direction::Egress,
        true,
    );
    assert_eq!(s3.verdict, Verdict::Reachable, "{}", explain(&s3));
    assert_eq!(&*s3.path.last().unwrap().resource, "aws_vpc_endpoint.s3");
    // ... and the subnet's routes decide the rest: closed here, open through NAT there.
    let closed = ask_dir(
        &m,
        "aws_sagemaker_model.isolated",
        "internet",
        Direction::Egress,
        true,
    );
    assert_eq!(
        closed.verdict,
        Verdict::NotReachable,
        "{}",
        explain(&closed)
    );
    let open = ask_dir(
        &m,
        "aws_sagemaker_model.isolated_open",
        "internet",
        Direction::Egress,
        true,
    );
    assert_eq!(open.verdict, Verdict::Reachable, "{}", explain(&open));
    find(&open.path, "nat_gateway", "public NAT");
}

#[test]
fn model_without_vpc_config_reaches_the_internet_through_sagemaker() {
    let m = load_fixture("planes");
    let a = ask(&m, "aws_sagemaker_model.no_vpc", "internet");
    assert_eq!(a.verdict, Verdict::Reachable, "{}", explain(&a));
    assert!(
        a.path[0].rule.contains("no VpcConfig"),
        "{}",
        a.path[0].rule
    );
}

#[test]
fn multi_subnet_job_is_reachable_if_any_subnet_is() {
    let m = load_fixture("planes");
    let any = ask(&m, "aws_sagemaker_model.any_subnet", "internet");
    assert_eq!(any.verdict, Verdict::Reachable, "{}", explain(&any));
    // The witness is the open subnet's path; the closed subnet's block is still listed.
    find(&any.path, "route_table", "0.0.0.0/0 → aws_nat_gateway.nat");
    assert!(
        any.blocked_by
            .iter()
            .any(|h| &*h.resource == "aws_route_table.closed")
    );

    let all = ask(&m, "aws_sagemaker_model.all_closed", "internet");
    assert_eq!(all.verdict, Verdict::NotReachable, "{}", explain(&all));
    // One block per subnet: each names the association that ties it to the closed table.
    let closed: Vec<u32> = all
        .blocked_by
        .iter()
        .filter(|h| &*h.resource == "aws_route_table.closed")
        .map(line)
        .collect();
    assert_eq!(
        closed,
        vec![
            line_of(
                "planes",
                "resource \"aws_route_table_association\" \"closed_a\""
            ),
            line_of(
                "planes",
                "resource \"aws_route_table_association\" \"closed_b\""
            ),
        ]
    );
}

// ---------------------------------------------------------------------------------------
// Unknown associations are never read as "no association".
// ---------------------------------------------------------------------------------------

#[test]
fn a_gateway_endpoint_with_unknown_route_tables_makes_its_service_unknown_not_blocked() {
    let mut m = load_fixture("seed");
    let s3 = m
        .vpc_endpoints
        .iter_mut()
        .find(|e| e.meta.address == "aws_vpc_endpoint.s3")
        .expect("the seed has an S3 gateway endpoint");
    s3.route_tables = Value::unknown("var.route_tables has no value", Origin::None);
    m.finish();
    let a = ask(&m, NOTEBOOK, "service:s3");
    assert_eq!(a.verdict, Verdict::Unknown, "{}", explain(&a));
    let u = first(&a.unknown_because, Decision::Unknown);
    assert!(u.rule.contains("aws_vpc_endpoint.s3"), "{}", u.rule);
}

#[test]
fn an_edge_association_with_an_unknown_table_makes_the_reply_unknown_not_asymmetric() {
    let mut m = load_fixture("seed");
    let edge = m
        .route_table_associations
        .iter_mut()
        .find(|a| matches!(a.target, AssociationTarget::Gateway(_)))
        .expect("the seed has an IGW edge association");
    edge.route_table = Value::unknown("var.edge_table has no value", Origin::None);
    m.finish();
    let a = ask(&m, NOTEBOOK, "domain:pypi.org:443");
    assert_eq!(a.verdict, Verdict::Unknown, "{}", explain(&a));
    assert!(a.asymmetric.is_empty(), "{:?}", a.asymmetric);
    assert!(
        a.unknown_because
            .iter()
            .any(|h| h.rule.contains("edge route table association")),
        "{}",
        explain(&a)
    );
}

#[test]
fn a_nat_subnet_of_unknown_cidr_makes_the_edge_route_back_unknown_not_asymmetric() {
    let mut m = load_fixture("seed");
    let public = m
        .subnets
        .iter_mut()
        .find(|s| s.meta.address == "aws_subnet.public")
        .expect("the seed has the NAT gateway's subnet");
    public.cidr_block = Value::unknown("var.public_cidr has no value", Origin::None);
    m.finish();
    let a = ask(&m, NOTEBOOK, "domain:pypi.org:443");
    // The NAT gateway's address is somewhere in the VPC's 10.0.0.0/16: whether the edge
    // route for 10.0.0.0/24 steers the reply through the firewall cannot be told.
    assert_eq!(a.verdict, Verdict::Unknown, "{}", explain(&a));
    assert!(a.asymmetric.is_empty(), "{}", render(&a.asymmetric));
    let u = find(
        &a.unknown_because,
        "route_table",
        "reply: whether edge route",
    );
    assert_eq!(
        &*u.rule,
        "reply: whether edge route 10.0.0.0/24 covers 10.0.0.0/16 cannot be told"
    );
}

#[test]
fn a_vpc_of_unknown_cidr_leaves_home_net_open() {
    let mut m = load_fixture("seed");
    m.vpcs[0].cidr_block = Value::unknown("var.vpc_cidr has no value", Origin::None);
    m.finish();
    // The allow-list rules match on $HOME_NET: the source may or may not be in it.
    let a = ask(&m, NOTEBOOK, "domain:pypi.org:443");
    assert_eq!(a.verdict, Verdict::Unknown, "{}", explain(&a));
    let u = find(&a.unknown_because, "network_firewall", "pass tls pypi.org");
    assert!(u.rule.contains("matches cannot be told"), "{}", u.rule);
}
