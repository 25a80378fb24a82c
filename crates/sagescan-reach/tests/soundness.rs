//! Soundness of "not reachable" (issue 18): configurations on which the engine once
//! answered "not reachable" although traffic gets out, one fixture each under
//! `tests/fixtures/`. Each test asserts the verdict and the hop or note that names why:
//! a coverage gap, a name the firewall cannot see, a main route table only named through
//! its VPC, the internet routed in pieces, a firewall placed before the NAT gateway,
//! routes a virtual private gateway propagates, and IPv6.

mod common;

use common::*;
use sagescan_reach::{Decision, Verdict};

const NOTEBOOK: &str = "aws_sagemaker_notebook_instance.nb";

// ---------------------------------------------------------------------------------------
// A coverage gap may hide the hop that opens the path.
// ---------------------------------------------------------------------------------------

#[test]
fn a_file_that_does_not_parse_makes_not_reachable_unknown_and_names_the_file() {
    let dir = fixture("gap_hides_route");
    let mut m = sagescan_load::load(&[dir], &Default::default()).expect("loads");
    assert!(!m.gaps.is_empty(), "routes.tf is expected to be a gap");
    let a = ask(&m, NOTEBOOK, "internet");
    assert_eq!(a.verdict, Verdict::Unknown, "{}", explain(&a));
    let gap = a
        .unknown_because
        .iter()
        .find(|h| h.kind == "coverage_gap")
        .unwrap_or_else(|| panic!("no coverage gap named: {}", explain(&a)));
    assert_eq!(gap.decision, Decision::Unknown);
    assert_eq!(
        file_name(gap),
        "routes.tf",
        "{}",
        render(&a.unknown_because)
    );
    assert!(gap.resource.contains("routes.tf"), "{}", gap.resource);
    assert!(gap.rule.contains("coverage gap"), "{}", gap.rule);
    // The gap, not the network, is why: without it the same model is not reachable.
    m.gaps.clear();
    let a = ask(&m, NOTEBOOK, "internet");
    assert_eq!(a.verdict, Verdict::NotReachable, "{}", explain(&a));
}

// ---------------------------------------------------------------------------------------
// A domain is reached by any traffic to its address that carries no name.
// ---------------------------------------------------------------------------------------

#[test]
fn a_domain_is_reached_by_traffic_without_sni_or_host_where_the_internet_is() {
    let m = load_fixture("domain_unnamed_traffic");
    let internet = ask(&m, "Notebook", "internet:22");
    assert_eq!(
        internet.verdict,
        Verdict::Reachable,
        "{}",
        explain(&internet)
    );
    let a = ask(&m, "Notebook", "domain:evil.example:22");
    assert_eq!(a.verdict, Verdict::Reachable, "{}", explain(&a));
    let apps: Vec<&str> = a.admitted.iter().map(|x| x.application.as_str()).collect();
    assert!(apps.contains(&"other"), "{apps:?}");
    // The allow-list still stops the name itself where the firewall sees it.
    assert!(!apps.iter().any(|x| x.contains("evil.example")), "{apps:?}");
    find(&a.path, "network_firewall", "");
    // On 443, non-TLS TCP passes in the default action order too.
    let a = ask(&m, "Notebook", "domain:evil.example:443");
    assert_eq!(a.verdict, Verdict::Reachable, "{}", explain(&a));
    assert!(
        a.admitted.iter().all(|x| x.application == "other"),
        "{}",
        explain(&a)
    );
}

// ---------------------------------------------------------------------------------------
// Routes added to the VPC's main table through `aws_vpc.x.main_route_table_id`.
// ---------------------------------------------------------------------------------------

#[test]
fn a_route_on_the_vpcs_undeclared_main_table_is_followed_for_implicit_subnets() {
    let m = load_fixture("main_table_standalone_route");
    let a = ask(&m, NOTEBOOK, "internet");
    assert_eq!(a.verdict, Verdict::Reachable, "{}", explain(&a));
    let rt = find(&a.path, "route_table", "0.0.0.0/0 → aws_nat_gateway.nat");
    assert_eq!(&*rt.resource, "aws_vpc.net.main_route_table_id");
    assert_eq!(
        line(rt),
        line_of(
            "main_table_standalone_route",
            "resource \"aws_route\" \"main_default\""
        )
    );
    position(&a.path, "internet_gateway");
}

// ---------------------------------------------------------------------------------------
// "The internet" is every public address, not the default route.
// ---------------------------------------------------------------------------------------

#[test]
fn the_internet_routed_in_two_halves_is_reachable_and_the_answer_says_where() {
    let m = load_fixture("split_default_route");
    let a = ask(&m, NOTEBOOK, "internet");
    assert_eq!(a.verdict, Verdict::Reachable, "{}", explain(&a));
    let note = a
        .notes
        .iter()
        .find(|n| n.contains("only part of the internet"))
        .unwrap_or_else(|| panic!("no note says which part: {}", explain(&a)));
    assert!(
        note.contains("0.0.0.0/1") && note.contains("128.0.0.0/1"),
        "{note}"
    );
    let rt = find(&a.path, "route_table", "→ aws_nat_gateway.nat");
    assert!(rt.rule.contains("/1"), "{}", rt.rule);
    let a = ask(&m, NOTEBOOK, "internet:443");
    assert_eq!(a.verdict, Verdict::Reachable, "{}", explain(&a));
}

#[test]
fn one_public_prefix_routed_out_is_part_of_the_internet_reached() {
    let m = load_fixture("partial_internet_route");
    let a = ask(&m, NOTEBOOK, "internet");
    assert_eq!(a.verdict, Verdict::Reachable, "{}", explain(&a));
    assert!(
        a.notes.iter().any(|n| n.contains("8.8.8.0/24")),
        "{}",
        explain(&a)
    );
    find(&a.path, "internet", "8.8.8.0/24");
    let a = ask(&m, NOTEBOOK, "cidr:8.8.8.8/32:53");
    assert_eq!(a.verdict, Verdict::Reachable, "{}", explain(&a));
    // A name's address is not in the configuration: reached only if it lies there.
    let a = ask(&m, NOTEBOOK, "domain:evil.example:443");
    assert_eq!(a.verdict, Verdict::Unknown, "{}", explain(&a));
    let h = find(&a.unknown_because, "internet", "8.8.8.0/24");
    assert!(h.rule.contains("evil.example"), "{}", h.rule);
    // Elsewhere on the internet nothing gets out.
    let a = ask(&m, NOTEBOOK, "cidr:9.9.9.9/32:53");
    assert_eq!(a.verdict, Verdict::NotReachable, "{}", explain(&a));
}

#[test]
fn an_ingress_rule_for_one_public_prefix_is_not_proven_closed() {
    let m = load_fixture("ingress_from_one_prefix");
    let a = ask_dir(
        &m,
        NOTEBOOK,
        "internet",
        sagescan_reach::Direction::Ingress,
        false,
    );
    // The group admits 198.51.100.0/24, and whether SageMaker gives the interface a
    // public IP is not documented: unknown, not "not reachable" because the sample of the
    // internet no rule names is blocked.
    assert_eq!(a.verdict, Verdict::Unknown, "{}", explain(&a));
    find(&a.unknown_because, "internet_gateway", "maps public IPs");
    // From an address outside the /24 the group blocks for sure.
    let a = ask_dir(
        &m,
        NOTEBOOK,
        "cidr:203.0.113.0/24",
        sagescan_reach::Direction::Ingress,
        false,
    );
    assert_eq!(a.verdict, Verdict::NotReachable, "{}", explain(&a));
    find(&a.blocked_by, "security_group", "no ingress rule admits");
}

// ---------------------------------------------------------------------------------------
// A firewall between the workload and the NAT gateway is symmetric.
// ---------------------------------------------------------------------------------------

#[test]
fn a_firewall_before_the_nat_gateway_with_the_nat_subnet_routing_back_through_it_is_symmetric() {
    let m = load_fixture("firewall_before_nat");
    let a = ask(&m, NOTEBOOK, "internet:443");
    assert_eq!(a.verdict, Verdict::Reachable, "{}", explain(&a));
    assert!(a.asymmetric.is_empty(), "{}", render(&a.asymmetric));
    let p = &a.path;
    assert!(
        position(p, "network_firewall") < position(p, "nat_gateway"),
        "{}",
        render(p)
    );
    let fw = find(p, "network_firewall", "pass");
    assert_eq!(&*fw.resource, "aws_networkfirewall_firewall.fw");
    // The reply's way back through the same endpoint is on the path, with its route.
    let back = find(p, "route_table", "reply: 10.20.1.0/24");
    assert_eq!(&*back.resource, "aws_route_table.edge");
    find(p, "network_firewall", "reply (same endpoint)");
    // The strict policy still drops what it does not pass.
    let a = ask(&m, NOTEBOOK, "internet:22");
    assert_eq!(a.verdict, Verdict::NotReachable, "{}", explain(&a));
    find(&a.blocked_by, "network_firewall", "");
}

#[test]
fn a_firewall_before_the_nat_gateway_without_the_route_back_is_still_asymmetric() {
    let mut m = load_fixture("firewall_before_nat");
    for rt in &mut m.route_tables {
        if rt.meta.address == "aws_route_table.edge" {
            rt.routes.retain(|r| {
                !matches!(
                    r.destination.get(),
                    Some(sagescan_model::network::RouteDestination::Cidr(c)) if c == "10.20.1.0/24"
                )
            });
        }
    }
    let a = ask(&m, NOTEBOOK, "internet:443");
    assert_ne!(a.verdict, Verdict::Reachable, "{}", explain(&a));
    let h = find(&a.asymmetric, "network_firewall", "asymmetric path");
    assert_eq!(&*h.resource, "aws_networkfirewall_firewall.fw");
}

// ---------------------------------------------------------------------------------------
// Routes nobody wrote down: VGW propagation, IPv6.
// ---------------------------------------------------------------------------------------

#[test]
fn routes_propagated_by_a_virtual_private_gateway_make_the_internet_unknown() {
    for name in ["vgw_propagation", "vgw_propagation_resource"] {
        let m = load_fixture(name);
        let a = ask(&m, NOTEBOOK, "internet");
        assert_eq!(a.verdict, Verdict::Unknown, "{name}: {}", explain(&a));
        let h = find(
            &a.unknown_because,
            "route_table",
            "propagated by aws_vpn_gateway.vgw",
        );
        assert_eq!(&*h.resource, "aws_route_table.work", "{name}");
    }
}

#[test]
fn cloudformation_route_propagation_makes_the_internet_unknown() {
    let m = load_fixture("vgw_propagation_cfn");
    let a = ask(&m, "Notebook", "internet");
    assert_eq!(a.verdict, Verdict::Unknown, "{}", explain(&a));
    let h = find(&a.unknown_because, "route_table", "propagated by Vgw");
    assert_eq!(&*h.resource, "WorkTable");
    assert_eq!(file_name(h), "net.yaml");
}

#[test]
fn ipv6_egress_through_an_egress_only_gateway_is_not_proven_closed() {
    let m = load_fixture("ipv6_egress_only_gateway");
    let a = ask(&m, NOTEBOOK, "internet");
    assert_eq!(a.verdict, Verdict::Unknown, "{}", explain(&a));
    let h = find(&a.unknown_because, "route_table", "IPv6 route ::/0");
    assert!(
        h.rule.contains("aws_egress_only_internet_gateway.v6"),
        "{}",
        h.rule
    );
    // The route block, whose first line is its destination.
    assert_eq!(
        line(h) + 1,
        line_of("ipv6_egress_only_gateway", "ipv6_cidr_block ")
    );
    // Without an IPv6 egress rule the IPv4 answer stands.
    let mut m = m;
    for sg in &mut m.security_groups {
        sg.rules
            .retain(|r| !matches!(r.peer.get(), Some(sagescan_model::network::SgPeer::Ipv6(_))));
    }
    let a = ask(&m, NOTEBOOK, "internet");
    assert_eq!(a.verdict, Verdict::NotReachable, "{}", explain(&a));
}

// ---------------------------------------------------------------------------------------
// The guard: a file that cannot be read never proves isolation.
// ---------------------------------------------------------------------------------------

/// The top-level blocks of a Terraform file, each with the comment lines before it.
/// Fixtures write every block from column 0 to a closing `}` alone on its line.
fn blocks(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut inside = false;
    for line in text.lines() {
        cur.push_str(line);
        cur.push('\n');
        if !inside && !line.is_empty() && !line.starts_with([' ', '#', '}']) {
            inside = !line.trim_end().ends_with('}');
            if !inside {
                out.push(std::mem::take(&mut cur));
            }
        } else if inside && line == "}" {
            inside = false;
            out.push(std::mem::take(&mut cur));
        }
    }
    assert!(!inside, "unterminated block in a fixture");
    out
}

const GUARDED: &[&str] = &[
    "internet",
    "internet:443",
    "internet:22",
    "domain:evil.example:443",
    "service:s3",
];

/// Every workload's verdict for every guarded destination, by `(workload, destination)`.
fn verdicts(m: &sagescan_model::Model) -> Vec<((String, &'static str), Verdict)> {
    let mut out = Vec::new();
    for w in sagescan_reach::Workload::all(m) {
        let address = w.meta(m).address.clone();
        for to in GUARDED {
            out.push(((address.clone(), *to), ask(m, &address, to).verdict));
        }
    }
    out
}

#[test]
fn no_fixture_becomes_not_reachable_when_any_one_of_its_blocks_cannot_be_read() {
    let scratch = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("gap_guard");
    let mut checked = 0;
    let mut fixtures: Vec<_> = std::fs::read_dir(fixture(""))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.join("main.tf").is_file() && !p.join("routes.tf").exists())
        .collect();
    fixtures.sort();
    for dir in fixtures {
        let name = dir.file_name().unwrap().to_string_lossy().into_owned();
        let text = std::fs::read_to_string(dir.join("main.tf")).unwrap();
        let parts = blocks(&text);
        let before = verdicts(&load(&dir));
        for broken in 0..parts.len() {
            let case = scratch.join(format!("{name}-{broken}"));
            let _ = std::fs::remove_dir_all(&case);
            std::fs::create_dir_all(&case).unwrap();
            for (i, p) in parts.iter().enumerate() {
                // The broken block loses its closing brace: a parse error, a coverage gap.
                let body = if i == broken {
                    p.trim_end().trim_end_matches('}').to_string()
                } else {
                    p.clone()
                };
                std::fs::write(case.join(format!("b{i:02}.tf")), body).unwrap();
            }
            let m = sagescan_load::load(std::slice::from_ref(&case), &Default::default())
                .unwrap_or_else(|e| panic!("{name}-{broken}: {e}"));
            assert!(
                !m.gaps.is_empty(),
                "{name}-{broken}: the broken block is no gap"
            );
            let after: std::collections::HashMap<_, _> = verdicts(&m).into_iter().collect();
            for (key, was) in &before {
                // The workload itself may be what did not parse.
                let Some(now) = after.get(key) else { continue };
                checked += 1;
                assert!(
                    !(*was != Verdict::NotReachable && *now == Verdict::NotReachable),
                    "{name}: with block {broken} unreadable, {key:?} went from {was:?} to not reachable:\n{}",
                    parts[broken]
                );
                assert_ne!(
                    *now,
                    Verdict::NotReachable,
                    "{name}: with block {broken} unreadable, {key:?} is proven not reachable:\n{}",
                    parts[broken]
                );
            }
        }
    }
    assert!(checked > 1000, "only {checked} verdicts were guarded");
}

#[test]
fn the_guard_splits_fixtures_without_changing_them() {
    // The guard's premise: one file per block loads the same model as the original.
    let scratch = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("gap_guard_split");
    for name in ["seed", "firewall_before_nat", "split_default_route"] {
        let dir = fixture(name);
        let parts = blocks(&std::fs::read_to_string(dir.join("main.tf")).unwrap());
        assert!(parts.len() > 10, "{name}: {} blocks", parts.len());
        let case = scratch.join(name);
        let _ = std::fs::remove_dir_all(&case);
        std::fs::create_dir_all(&case).unwrap();
        for (i, p) in parts.iter().enumerate() {
            std::fs::write(case.join(format!("b{i:02}.tf")), p).unwrap();
        }
        assert_eq!(verdicts(&load(&case)), verdicts(&load(&dir)), "{name}");
    }
}
