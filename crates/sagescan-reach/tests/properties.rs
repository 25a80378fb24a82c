//! Property tests of the engine (the acceptance), over generated variations of the
//! compliant seed fixture: security group egress rules, network ACL entries, routes, NAT
//! type and firewall policy settings are varied on the loaded model, then
//!
//! * adding a deny (a network ACL deny entry numbered below every other, a firewall drop
//!   rule first in strict order, or removing a security group egress rule) never admits a
//!   flow that was not admitted before, so never turns "not reachable" into "reachable";
//! * removing the only route on the way out (the private subnets' default route, the NAT
//!   subnet's route to the firewall, or the firewall subnet's route to the internet
//!   gateway) never leaves the internet reachable;
//! * verdicts and admitted flows do not depend on the order of resources, rules, entries
//!   or routes in the model.
//!
//! Variations come from a small seeded xorshift generator (no property-testing crate is
//! available to the workspace); a failure names the case number and every mutation made,
//! which is enough to replay it.

mod common;

use common::*;
use sagescan_model::network::{
    Direction as SgDirection, NaclEntry, RouteDestination, RouteTarget, RuleGroup, RuleGroupRef,
    RulesSource, SecurityGroup, SgPeer, SgRule,
};
use sagescan_model::{Meta, Model, Origin, Ref, Value};
use sagescan_reach::{Answer, Verdict};
use std::collections::BTreeSet;

/// Cases per property; `SAGESCAN_PROPERTY_CASES` raises it for a longer hunt.
fn cases() -> u64 {
    std::env::var("SAGESCAN_PROPERTY_CASES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(200)
}
const NOTEBOOK: &str = "aws_sagemaker_notebook_instance.main";
/// The destination classes every variation is asked about.
const DESTINATIONS: &[&str] = &[
    "internet",
    "internet:443",
    "internet:22",
    "domain:evil.example:443",
    "domain:pypi.org:443",
    "service:s3",
    "service:sagemaker.api",
    "cidr:10.0.11.0/24:443",
];
/// Those that leave the VPC for the internet (property b).
const INTERNET: &[&str] = &[
    "internet",
    "internet:443",
    "internet:22",
    "domain:evil.example:443",
    "domain:pypi.org:443",
];

/// xorshift64*: deterministic, dependency-free, good enough to pick variations.
struct Rng(u64);

impl Rng {
    fn new(case: u64, property: u64) -> Rng {
        Rng((case + 1).wrapping_mul(0x9E37_79B9_7F4A_7C15)
            ^ property.wrapping_mul(0xD1B5_4A32_D192_ED03)
            | 1)
    }

    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    /// True with probability `percent`/100.
    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }

    fn pick<'a, T>(&mut self, xs: &'a [T]) -> &'a T {
        &xs[self.below(xs.len())]
    }

    fn shuffle<T>(&mut self, xs: &mut [T]) {
        for i in (1..xs.len()).rev() {
            xs.swap(i, self.below(i + 1));
        }
    }
}

fn set<T>(v: T) -> Value<T> {
    Value::set(v, Origin::None)
}

const PROTOCOLS: &[&str] = &["tcp", "udp", "-1", "icmp"];
const PORTS: &[(i64, i64)] = &[
    (443, 443),
    (22, 22),
    (80, 80),
    (1024, 65535),
    (32768, 60999),
    (0, 65535),
];
const CIDRS: &[&str] = &[
    "0.0.0.0/0",
    "10.0.0.0/16",
    "10.0.10.0/24",
    "10.0.0.0/24",
    "0.0.0.0/1",
];

/// The compliant seed fixture, which every variation starts from.
fn seed() -> Model {
    load_fixture("seed")
}

fn sg<'m>(m: &'m mut Model, address: &str) -> &'m mut SecurityGroup {
    m.security_groups
        .iter_mut()
        .find(|g| g.meta.address == address)
        .expect("security group")
}

fn nacl_entries(m: &mut Model) -> &mut Vec<NaclEntry> {
    &mut m
        .network_acls
        .iter_mut()
        .find(|a| a.meta.address == "aws_network_acl.private")
        .expect("private ACL")
        .entries
}

fn nacl_entry(rng: &mut Rng, egress: bool, number: i64, allow: bool) -> NaclEntry {
    let protocol = *rng.pick(PROTOCOLS);
    let (from, to) = if matches!(protocol, "tcp" | "udp") {
        *rng.pick(PORTS)
    } else {
        (0, 0)
    };
    NaclEntry {
        egress,
        rule_number: set(number),
        protocol: set(protocol.to_string()),
        allow: set(allow),
        cidr_block: set(rng.pick(CIDRS).to_string()),
        from_port: set(from),
        to_port: set(to),
        declared_by: None,
        origin: Origin::None,
    }
}

/// A rule number not yet used in that direction, within `lo..=hi`.
fn free_number(entries: &[NaclEntry], egress: bool, rng: &mut Rng, lo: i64, hi: i64) -> i64 {
    loop {
        let n = lo + rng.below((hi - lo + 1) as usize) as i64;
        if !entries
            .iter()
            .any(|e| e.egress == egress && e.rule_number.get() == Some(&n))
        {
            return n;
        }
    }
}

/// Adds a stateful rule group holding `rule` (Suricata) to the firewall policy.
fn add_rule_group(m: &mut Model, name: &str, rule: String, priority: Option<i64>) {
    let config = m.firewall_policies[0].meta.config;
    let address = format!("test_rule_group.{name}");
    let order = m.firewall_policies[0].stateful_rule_order.clone();
    m.rule_groups.push(RuleGroup {
        meta: Meta::new(&address, "test_rule_group", config, Origin::None),
        kind: set("STATEFUL".into()),
        rule_order: order,
        source: set(RulesSource::RulesString(set(rule))),
        kms_key_id: set(None),
    });
    if let Value::Set { value, .. } = &mut m.firewall_policies[0].stateful_rule_groups {
        value.push(RuleGroupRef {
            group: Ref::new(address),
            priority: set(priority),
            origin: Origin::None,
        });
    }
    m.finish();
}

fn strict(m: &Model) -> bool {
    m.firewall_policies[0]
        .stateful_rule_order
        .get()
        .map(String::as_str)
        == Some("STRICT_ORDER")
}

/// A random variation of the seed; `log` records what was changed.
fn vary(m: &mut Model, rng: &mut Rng, log: &mut Vec<String>) {
    // Security group egress: drop some rules, add some.
    let g = sg(m, "aws_security_group.sagemaker");
    let before = g.rules.len();
    let mut keep = Vec::new();
    for r in g.rules.drain(..) {
        if r.direction != SgDirection::Egress || rng.chance(80) {
            keep.push(r);
        }
    }
    g.rules = keep;
    if g.rules.len() != before {
        log.push(format!("removed {} egress rule(s)", before - g.rules.len()));
    }
    for _ in 0..rng.below(3) {
        let protocol = *rng.pick(&["tcp", "udp", "-1"]);
        let (from, to) = if protocol == "-1" {
            (0, 0)
        } else {
            *rng.pick(PORTS)
        };
        let cidr = *rng.pick(CIDRS);
        log.push(format!("sg egress {protocol} {from}-{to} {cidr}"));
        sg(m, "aws_security_group.sagemaker").rules.push(SgRule {
            direction: SgDirection::Egress,
            protocol: set(protocol.into()),
            from_port: set(from),
            to_port: set(to),
            peer: set(SgPeer::Ipv4(cidr.into())),
            description: set(None),
            declared_by: None,
            origin: Origin::None,
        });
    }
    // Network ACL entries numbered 50..=400, leaving 1..=49 for the denies of property (a).
    for _ in 0..rng.below(4) {
        let egress = rng.chance(50);
        let n = free_number(nacl_entries(m), egress, rng, 50, 400);
        let allow = rng.chance(50);
        let e = nacl_entry(rng, egress, n, allow);
        log.push(format!(
            "nacl {} #{n} {} {:?} {:?} {:?}-{:?}",
            if egress { "out" } else { "in" },
            if allow { "allow" } else { "deny" },
            e.protocol.get(),
            e.cidr_block.get(),
            e.from_port.get(),
            e.to_port.get()
        ));
        nacl_entries(m).push(e);
    }
    // Routes: the private subnets straight to the internet gateway now and then.
    if rng.chance(10) {
        log.push("private default route -> igw".into());
        for rt in m
            .route_tables
            .iter_mut()
            .filter(|t| t.meta.address == "aws_route_table.private")
        {
            for r in &mut rt.routes {
                r.target = set(RouteTarget::InternetGateway(Ref::new(
                    "aws_internet_gateway.igw",
                )));
            }
        }
    }
    if rng.chance(8) {
        log.push("private NAT gateway".into());
        m.nat_gateways[0].connectivity_type = set("private".into());
    }
    if rng.chance(5) {
        log.push("private_a maps public IPs".into());
        for s in m
            .subnets
            .iter_mut()
            .filter(|s| s.meta.address == "aws_subnet.private_a")
        {
            s.map_public_ip_on_launch = set(true);
        }
    }
    // Firewall policy settings.
    let p = &mut m.firewall_policies[0];
    let stateless = *rng.pick(&[
        "aws:forward_to_sfe",
        "aws:forward_to_sfe",
        "aws:forward_to_sfe",
        "aws:forward_to_sfe",
        "aws:pass",
        "aws:drop",
    ]);
    p.stateless_default_actions = set(vec![stateless.into()]);
    let order = if rng.chance(80) {
        "STRICT_ORDER"
    } else {
        "DEFAULT_ACTION_ORDER"
    };
    p.stateful_rule_order = set(order.into());
    const STRICT_DEFAULTS: &[&[&str]] = &[
        &["aws:drop_established"],
        &["aws:drop_established"],
        &["aws:drop_strict"],
        &[],
        &["aws:alert_established"],
    ];
    let defaults: &[&str] = if order == "STRICT_ORDER" {
        STRICT_DEFAULTS[rng.below(STRICT_DEFAULTS.len())]
    } else {
        &[]
    };
    p.stateful_default_actions = set(defaults.iter().map(|s| s.to_string()).collect());
    log.push(format!(
        "policy stateless {stateless}, {order}, defaults {defaults:?}"
    ));
    for g in &mut m.rule_groups {
        g.rule_order = set(order.into());
    }
    if rng.chance(15) {
        let port = *rng.pick(&["443", "any", "80"]);
        log.push(format!("pass group tcp -> {port}"));
        add_rule_group(
            m,
            "broad_pass",
            format!("pass tcp any any -> any {port} (sid:7;)"),
            Some(200),
        );
    }
    m.finish();
}

/// One comparable line per admitted flow class.
fn admitted(a: &Answer) -> BTreeSet<String> {
    a.admitted
        .iter()
        .map(|x| {
            format!(
                "{} {:?} {} inspected={}",
                x.protocol, x.port, x.application, x.inspected
            )
        })
        .collect()
}

fn answers(m: &Model) -> Vec<Answer> {
    DESTINATIONS.iter().map(|to| ask(m, NOTEBOOK, to)).collect()
}

/// Adds one deny; returns what it was.
fn add_deny(m: &mut Model, rng: &mut Rng) -> String {
    match rng.below(3) {
        0 => {
            let egress = rng.chance(50);
            let n = free_number(nacl_entries(m), egress, rng, 1, 49);
            let e = nacl_entry(rng, egress, n, false);
            let what = format!(
                "nacl {} #{n} deny {:?} {:?} {:?}-{:?}",
                if egress { "out" } else { "in" },
                e.protocol.get(),
                e.cidr_block.get(),
                e.from_port.get(),
                e.to_port.get()
            );
            nacl_entries(m).push(e);
            what
        }
        1 => {
            let proto = *rng.pick(&["tcp", "ip", "udp", "tls", "http"]);
            let port = if matches!(proto, "tcp" | "udp") {
                *rng.pick(&["443", "any", "22"])
            } else {
                "any"
            };
            let rule = format!("drop {proto} any any -> any {port} (sid:9;)");
            // First in strict order; in action order a drop never precedes a pass anyway.
            let priority = strict(m).then_some(1);
            add_rule_group(m, "deny_first", rule.clone(), priority);
            format!("firewall {rule} priority {priority:?}")
        }
        _ => {
            let g = sg(m, "aws_security_group.sagemaker");
            let egress: Vec<usize> = (0..g.rules.len())
                .filter(|&i| g.rules[i].direction == SgDirection::Egress)
                .collect();
            if egress.is_empty() {
                return "no egress rule to remove".into();
            }
            let i = egress[rng.below(egress.len())];
            let r = g.rules.remove(i);
            format!(
                "removed sg egress {:?} {:?}-{:?} {:?}",
                r.protocol.get(),
                r.from_port.get(),
                r.to_port.get(),
                r.peer.get()
            )
        }
    }
}

#[test]
fn adding_a_deny_never_admits_anything_new() {
    let base = seed();
    let mut newly_blocked = 0;
    for case in 0..cases() {
        let mut rng = Rng::new(case, 1);
        let mut log = Vec::new();
        let mut m = base.clone();
        vary(&mut m, &mut rng, &mut log);
        let before = answers(&m);
        let deny = add_deny(&mut m, &mut rng);
        let after = answers(&m);
        for ((to, b), a) in DESTINATIONS.iter().zip(&before).zip(&after) {
            let ctx = || {
                format!(
                    "case {case} {to}\nvariation: {log:#?}\nadded: {deny}\nbefore:\n{}\nafter:\n{}",
                    explain(b),
                    explain(a)
                )
            };
            if b.verdict != Verdict::Reachable {
                assert_ne!(a.verdict, Verdict::Reachable, "{}", ctx());
            }
            let (ba, aa) = (admitted(b), admitted(a));
            assert!(
                aa.is_subset(&ba),
                "newly admitted {:?}\n{}",
                aa.difference(&ba).collect::<Vec<_>>(),
                ctx()
            );
            if b.verdict == Verdict::Reachable && a.verdict != Verdict::Reachable {
                newly_blocked += 1;
            }
        }
    }
    // The denies must bite sometimes, or the property was never exercised.
    assert!(newly_blocked > 0, "no added deny ever changed a verdict");
}

#[test]
fn removing_the_only_route_out_never_leaves_the_internet_reachable() {
    let base = seed();
    let mut was_reachable = 0;
    for case in 0..cases() {
        let mut rng = Rng::new(case, 2);
        let mut log = Vec::new();
        let mut m = base.clone();
        vary(&mut m, &mut rng, &mut log);
        let direct_to_igw = log.iter().any(|l| l.contains("-> igw"));
        let before: Vec<Verdict> = INTERNET
            .iter()
            .map(|to| ask(&m, NOTEBOOK, to).verdict)
            .collect();
        // The tables on the way out: private -> NAT -> (public) -> firewall -> (firewall) -> IGW.
        let table = if direct_to_igw {
            "aws_route_table.private"
        } else {
            *rng.pick(&[
                "aws_route_table.private",
                "aws_route_table.public",
                "aws_route_table.firewall",
            ])
        };
        let rt = m
            .route_tables
            .iter_mut()
            .find(|t| t.meta.address == table)
            .expect("table");
        let n = rt.routes.len();
        rt.routes
            .retain(|r| r.destination.get() != Some(&RouteDestination::Cidr("0.0.0.0/0".into())));
        assert!(rt.routes.len() < n, "{table} had no default route");
        for (to, b) in INTERNET.iter().zip(before) {
            let a = ask(&m, NOTEBOOK, to);
            assert_ne!(
                a.verdict,
                Verdict::Reachable,
                "case {case} {to}: reachable without {table}'s default route\nvariation: {log:#?}\n{}",
                explain(&a)
            );
            was_reachable += usize::from(b == Verdict::Reachable);
        }
    }
    assert!(
        was_reachable > 0,
        "no variation was reachable before the route was removed"
    );
}

/// Shuffles every collection and rule list the engine reads, then rebuilds the index.
fn shuffle(m: &mut Model, rng: &mut Rng) {
    rng.shuffle(&mut m.subnets);
    rng.shuffle(&mut m.route_tables);
    for t in &mut m.route_tables {
        rng.shuffle(&mut t.routes);
    }
    rng.shuffle(&mut m.route_table_associations);
    rng.shuffle(&mut m.internet_gateways);
    rng.shuffle(&mut m.nat_gateways);
    rng.shuffle(&mut m.security_groups);
    for g in &mut m.security_groups {
        rng.shuffle(&mut g.rules);
    }
    rng.shuffle(&mut m.network_acls);
    for a in &mut m.network_acls {
        rng.shuffle(&mut a.entries);
    }
    rng.shuffle(&mut m.nacl_associations);
    rng.shuffle(&mut m.vpc_endpoints);
    rng.shuffle(&mut m.firewalls);
    rng.shuffle(&mut m.rule_groups);
    for p in &mut m.firewall_policies {
        if let Value::Set { value, .. } = &mut p.stateful_rule_groups {
            rng.shuffle(value);
        }
    }
    rng.shuffle(&mut m.firewall_policies);
    m.finish();
}

#[test]
fn verdicts_do_not_depend_on_resource_order() {
    let base = seed();
    let mut seen = BTreeSet::new();
    for case in 0..cases() {
        let mut rng = Rng::new(case, 3);
        let mut log = Vec::new();
        let mut m = base.clone();
        vary(&mut m, &mut rng, &mut log);
        let before = answers(&m);
        shuffle(&mut m, &mut rng);
        let after = answers(&m);
        for ((to, b), a) in DESTINATIONS.iter().zip(&before).zip(&after) {
            let ctx = || {
                format!(
                    "case {case} {to}\nvariation: {log:#?}\nbefore:\n{}\nafter:\n{}",
                    explain(b),
                    explain(a)
                )
            };
            assert_eq!(b.verdict, a.verdict, "{}", ctx());
            assert_eq!(admitted(b), admitted(a), "{}", ctx());
            seen.insert(b.verdict);
        }
    }
    // The variations must reach every verdict, or the comparison proves little.
    assert_eq!(seen.len(), 3, "verdicts seen: {seen:?}");
}
