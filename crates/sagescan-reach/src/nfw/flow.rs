//! What a firewall policy does with one flow (reachability-semantics §6, §8.6): the
//! stateless stage on the forward packet (and on the reply, which stateless rules re-check),
//! then the stateful stage in the policy's rule order with its default actions, domain lists
//! expanded to the rules AWS generates. A policy is read once ([`PolicyRules::new`]) and
//! then asked about many flows.
//!
//! Addresses are classes, not packets: a workload or NAT gateway is "some address of its
//! subnet", the internet is "a public address no rule names" (or one a rule names), and an
//! AWS service is "an address of the service" whose ranges the model does not hold. A rule
//! that may or may not cover such a class answers unknown, never a guess.

use super::policy::{
    Gap, Groups, Order, Protocol, RuleView, groups, is_private, parse_net, rule_views, split_list,
};
use super::suricata::Action;
use ipnet::IpNet;
use sagescan_model::network::{FirewallPolicy, RulesSource, StatelessRule};
use sagescan_model::{Model, Origin, Value};
use std::net::IpAddr;

/// A transport protocol the engine walks.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum L4 {
    Tcp,
    Udp,
    Icmp,
}

impl L4 {
    pub fn number(self) -> i64 {
        match self {
            L4::Tcp => 6,
            L4::Udp => 17,
            L4::Icmp => 1,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            L4::Tcp => "tcp",
            L4::Udp => "udp",
            L4::Icmp => "icmp",
        }
    }
}

/// What a flow carries above TCP, as far as Network Firewall can tell.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum App {
    /// UDP, ICMP: nothing the engine distinguishes.
    None,
    /// TLS with this SNI (`None`: a ClientHello without SNI).
    Tls(Option<String>),
    /// HTTP with this Host header.
    Http(String),
    /// TCP that is neither TLS nor HTTP (SSH, a database protocol, raw bytes).
    OtherTcp,
}

/// An address class (see the module doc).
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Addr {
    /// Some address inside this network (a subnet's CIDR).
    Inside(IpNet),
    /// A public address no rule names.
    AnyPublic,
    /// This address.
    Exactly(IpAddr),
    /// A public address of an AWS service.
    Service,
    /// An address the model cannot tell (a subnet whose CIDR is unknown): it may be
    /// anywhere, so only a rule covering every address matches it for sure.
    Unknown,
}

/// Three-valued match.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum M {
    No,
    Unknown,
    Yes,
}

impl M {
    pub fn of(b: bool) -> M {
        if b { M::Yes } else { M::No }
    }
    fn not(self) -> M {
        match self {
            M::Yes => M::No,
            M::No => M::Yes,
            M::Unknown => M::Unknown,
        }
    }
    /// Three-valued "and".
    pub fn and(self, o: M) -> M {
        self.min(o)
    }
    /// Three-valued "or".
    pub fn or(self, o: M) -> M {
        self.max(o)
    }
}

/// Whether CIDR `c` covers the address class `a`.
pub fn cidr_covers(c: &IpNet, a: Addr) -> M {
    match a {
        Addr::Inside(n) => {
            if c.contains(&n) {
                M::Yes
            } else if n.contains(c) || c.contains(&n.network()) || n.contains(&c.network()) {
                M::Unknown
            } else {
                M::No
            }
        }
        Addr::Exactly(ip) => M::of(c.contains(&ip)),
        Addr::AnyPublic => M::of(c.prefix_len() == 0 && c.network().is_ipv4()),
        Addr::Service => {
            if c.prefix_len() == 0 {
                M::Yes
            } else if is_private(c) {
                M::No
            } else {
                M::Unknown
            }
        }
        // Subnet CIDRs are IPv4 (§1.1), so an IPv4 /0 holds any of them.
        Addr::Unknown => {
            if c.prefix_len() == 0 && c.network().is_ipv4() {
                M::Yes
            } else {
                M::Unknown
            }
        }
    }
}

/// The policy's variables as the engine resolves them.
pub struct Vars<'a> {
    /// `HOME_NET`: the inspection VPC's CIDRs unless overridden (§6.6).
    pub home_net: &'a [IpNet],
    /// Whether `home_net` is all of them: a VPC CIDR the model does not know may hold
    /// any address that the known ones do not.
    pub home_complete: bool,
}

/// A Suricata / 5-tuple address spec against an address class.
fn spec_covers(spec: &str, a: Addr, vars: &Vars<'_>) -> M {
    let s = spec.trim();
    if let Some(inner) = s.strip_prefix('[').and_then(|x| x.strip_suffix(']')) {
        let items = split_list(inner);
        let (neg, pos): (Vec<&str>, Vec<&str>) =
            items.iter().partition(|i| i.trim().starts_with('!'));
        let mut m = if pos.is_empty() {
            M::Yes
        } else {
            pos.iter().fold(M::No, |m, p| m.or(spec_covers(p, a, vars)))
        };
        for n in neg {
            m = m.and(spec_covers(n.trim().trim_start_matches('!'), a, vars).not());
        }
        return m;
    }
    if let Some(neg) = s.strip_prefix('!') {
        return spec_covers(neg, a, vars).not();
    }
    match s.to_ascii_lowercase().as_str() {
        "any" => M::Yes,
        "$home_net" => home(a, vars),
        "$external_net" => home(a, vars).not(),
        v if v.starts_with('$') => M::Unknown,
        _ => match parse_net(s) {
            Some(n) => cidr_covers(&n, a),
            None => M::Unknown,
        },
    }
}

fn home(a: Addr, vars: &Vars<'_>) -> M {
    let known = vars
        .home_net
        .iter()
        .fold(M::No, |m, n| m.or(cidr_covers(n, a)));
    if known == M::No && !vars.home_complete {
        M::Unknown
    } else {
        known
    }
}

/// A port spec against a port (`None`: some port of the client's ephemeral range).
fn port_covers(spec: &str, port: Option<u16>) -> M {
    let s = spec.trim();
    if s.eq_ignore_ascii_case("any") {
        return M::Yes;
    }
    if let Some(inner) = s.strip_prefix('[').and_then(|x| x.strip_suffix(']')) {
        let items = split_list(inner);
        let (neg, pos): (Vec<&str>, Vec<&str>) =
            items.iter().partition(|i| i.trim().starts_with('!'));
        let mut m = if pos.is_empty() {
            M::Yes
        } else {
            pos.iter().fold(M::No, |m, p| m.or(port_covers(p, port)))
        };
        for n in neg {
            m = m.and(port_covers(n.trim().trim_start_matches('!'), port).not());
        }
        return m;
    }
    if let Some(neg) = s.strip_prefix('!') {
        return port_covers(neg, port).not();
    }
    let range = match s.split_once(':') {
        Some((a, b)) => {
            let lo = if a.is_empty() {
                Some(0)
            } else {
                a.parse().ok()
            };
            let hi = if b.is_empty() {
                Some(65535)
            } else {
                b.parse().ok()
            };
            lo.zip(hi)
        }
        None => s.parse::<u32>().ok().map(|p| (p, p)),
    };
    match (range, port) {
        (None, _) => M::Unknown,
        (Some((lo, hi)), Some(p)) => M::of(lo <= u32::from(p) && u32::from(p) <= hi),
        (Some((lo, hi)), None) => range_vs_ephemeral(i64::from(lo), i64::from(hi)),
    }
}

/// A range against "some ephemeral port" (1024–65535).
fn range_vs_ephemeral(lo: i64, hi: i64) -> M {
    if lo <= 1024 && hi >= 65535 {
        M::Yes
    } else if hi < 1024 {
        M::No
    } else {
        M::Unknown
    }
}

/// One packet direction of a flow, as a rule sees it.
pub struct Packet<'a> {
    pub l4: L4,
    pub src: Addr,
    pub dst: Addr,
    /// Destination port; `None` = some port of the ephemeral range (replies).
    pub dst_port: Option<u16>,
    pub app: &'a App,
}

/// What the firewall does with a flow.
#[derive(Clone, Debug, PartialEq)]
pub enum Fate {
    /// Passed; `inspected` is false when a stateless `aws:pass` skipped the stateful engine.
    Pass {
        rule: String,
        origin: Origin,
        inspected: bool,
    },
    Drop {
        rule: String,
        origin: Origin,
    },
    Unknown {
        why: String,
        origin: Origin,
    },
}

fn gap(g: &Gap) -> Fate {
    Fate::Unknown {
        why: g.reason.clone(),
        origin: g.origin.clone(),
    }
}

/// A policy read once for many flows.
pub struct PolicyRules<'m> {
    policy: &'m FirewallPolicy,
    groups: Groups<'m>,
    stateful: Vec<RuleView>,
    stateful_gaps: Vec<Gap>,
    order: Result<Order, Gap>,
}

impl<'m> PolicyRules<'m> {
    pub fn new(model: &'m Model, policy: &'m FirewallPolicy) -> Self {
        let groups = groups(model, policy);
        let mut stateful = Vec::new();
        let mut stateful_gaps = groups.stateful_gaps.clone();
        let order = match policy.stateful_rule_order.get().map(String::as_str) {
            Some("STRICT_ORDER") => Ok(Order::Strict),
            Some("DEFAULT_ACTION_ORDER") => Ok(Order::Action),
            Some(other) => Err(Gap::new(
                format!("stateful rule order {other} is not understood"),
                policy.stateful_rule_order.origin(),
            )),
            None => Err(Gap::unknown(
                "stateful rule order",
                &policy.stateful_rule_order,
            )),
        };
        for m in &groups.stateful {
            if order == Ok(Order::Strict) && m.reference.priority.get().is_none() {
                stateful_gaps.extend(Gap::of(
                    "stateful rule group priority",
                    &m.reference.priority,
                ));
            }
            let (views, g) = rule_views(m.group);
            stateful.extend(views);
            stateful_gaps.extend(g);
            // An allow-list whose names are unknown may admit any name a flow carries.
            if let super::policy::IsAllowList::Yes(list) = super::policy::allow_list(m.group) {
                stateful_gaps.extend(list.gaps.first().cloned());
            }
        }
        PolicyRules {
            policy,
            groups,
            stateful,
            stateful_gaps,
            order,
        }
    }

    /// Every domain name pattern the policy's stateful rules match on.
    pub fn names(&self) -> impl Iterator<Item = &super::policy::DomainPattern> {
        self.stateful
            .iter()
            .flat_map(|r| r.names.iter().map(|(_, p)| p))
    }

    /// The fate of a flow whose first packet is `fwd`.
    pub fn forward(&self, fwd: &Packet<'_>, vars: &Vars<'_>) -> Fate {
        match self.stateless(fwd, vars) {
            Stateless::Decided(f) => f,
            Stateless::ToStateful => self.stateful(fwd, vars),
        }
    }

    /// Whether the stateless stage lets the reply packets of an admitted flow through
    /// (stateful state admits them otherwise: §8.5).
    pub fn reply(&self, reply: &Packet<'_>, vars: &Vars<'_>) -> Fate {
        match self.stateless(reply, vars) {
            Stateless::Decided(f) => f,
            Stateless::ToStateful => Fate::Pass {
                rule: "reply of an admitted flow (stateful)".into(),
                origin: self.policy.meta.origin.clone(),
                inspected: true,
            },
        }
    }

    fn stateless(&self, p: &Packet<'_>, vars: &Vars<'_>) -> Stateless {
        if let Some(g) = self.groups.stateless_gaps.first() {
            return Stateless::Decided(gap(g));
        }
        for m in &self.groups.stateless {
            if m.reference.priority.get().is_none() {
                return Stateless::Decided(gap(&Gap::unknown(
                    "stateless rule group priority",
                    &m.reference.priority,
                )));
            }
            let rules = match m.group.source.get() {
                Some(RulesSource::StatelessRules(rules)) => rules,
                Some(_) => continue,
                None => {
                    return Stateless::Decided(gap(&Gap::unknown(
                        &format!("rules of {}", m.group.meta.address),
                        &m.group.source,
                    )));
                }
            };
            let mut ordered: Vec<&StatelessRule> = rules.iter().collect();
            ordered.sort_by_key(|r| r.priority.get().copied().unwrap_or(i64::MAX));
            for r in ordered {
                match stateless_match(r, p, vars) {
                    M::No => {}
                    M::Unknown => {
                        return Stateless::Decided(Fate::Unknown {
                            why: format!(
                                "whether stateless rule priority {} of {} matches cannot be told",
                                r.priority.get().copied().unwrap_or_default(),
                                m.group.meta.address
                            ),
                            origin: r.origin.clone(),
                        });
                    }
                    M::Yes => {
                        let label = format!(
                            "stateless rule priority {} of {}",
                            r.priority.get().copied().unwrap_or_default(),
                            m.group.meta.address
                        );
                        return actions(&r.actions, label, &r.origin);
                    }
                }
            }
        }
        actions(
            &self.policy.stateless_default_actions,
            "stateless default action".into(),
            self.policy.stateless_default_actions.origin(),
        )
    }

    fn stateful(&self, p: &Packet<'_>, vars: &Vars<'_>) -> Fate {
        let order = match &self.order {
            Ok(o) => *o,
            Err(g) => return gap(g),
        };
        let views: Vec<(&RuleView, M)> = self
            .stateful
            .iter()
            .map(|r| (r, rule_match(r, p, vars)))
            .filter(|(_, m)| *m != M::No)
            .collect();
        let fate = match order {
            Order::Action => self.action_order(&views),
            Order::Strict => self.strict_order(&views, p),
        };
        // Rules we could not read may decide otherwise, unless a visible pass already
        // decided in action order (pass rules come first whatever their group).
        match (&fate, self.stateful_gaps.first()) {
            (Fate::Pass { .. }, Some(_)) if order == Order::Action => fate,
            (_, Some(g)) => gap(g),
            _ => fate,
        }
    }

    fn action_order(&self, views: &[(&RuleView, M)]) -> Fate {
        let mut unknown: Option<&RuleView> = None;
        for (r, m) in views.iter().filter(|(r, _)| r.action == Action::Pass) {
            match m {
                M::Yes => return pass(r),
                _ => {
                    unknown.get_or_insert(r);
                }
            }
        }
        // Then drops and rejects: one that surely matches decides, unless a pass rule
        // that may match comes first (pass rules win in action order).
        let drops = || {
            views
                .iter()
                .filter(|(r, _)| matches!(r.action, Action::Drop | Action::Reject))
        };
        if let Some((r, _)) = drops().find(|(_, m)| *m == M::Yes) {
            return match unknown {
                Some(u) => undecided(u),
                None => drop(r),
            };
        }
        if let Some((r, _)) = drops().next() {
            return undecided(unknown.unwrap_or(r));
        }
        if let Some(u) = unknown {
            return undecided(u);
        }
        Fate::Pass {
            rule: "no stateful rule matches; in action order unmatched traffic passes".into(),
            origin: self.policy.stateful_rule_order.origin().clone(),
            inspected: true,
        }
    }

    fn strict_order(&self, views: &[(&RuleView, M)], p: &Packet<'_>) -> Fate {
        let defaults = &self.policy.stateful_default_actions;
        let drop_strict = defaults
            .get()
            .is_some_and(|a| a.iter().any(|x| x == "aws:drop_strict"));
        // Under drop_strict an unmatched SYN is dropped, so a TCP flow needs an L4 rule
        // that passes its handshake before an application-layer pass can ever match (§6.7).
        let mut handshake_passed = false;
        for (r, m) in views {
            if r.setup_only {
                match (r.action, m) {
                    (Action::Pass, M::Yes) => handshake_passed = true,
                    (Action::Drop | Action::Reject, M::Yes) => return drop(r),
                    (Action::Alert, _) => {}
                    _ => return undecided(r),
                }
                continue;
            }
            match (r.action, m) {
                (Action::Alert, _) => {}
                (_, M::Unknown) => return undecided(r),
                (Action::Pass, _) => {
                    if drop_strict && p.l4 == L4::Tcp && app_layer(r) && !handshake_passed {
                        return Fate::Drop {
                            rule: format!(
                                "aws:drop_strict drops the TCP handshake before `{}` can match",
                                r.label
                            ),
                            origin: defaults.origin().clone(),
                        };
                    }
                    return pass(r);
                }
                (Action::Drop | Action::Reject, _) => return drop(r),
            }
        }
        match defaults.get() {
            None => gap(&Gap::unknown("stateful default actions", defaults)),
            Some(a)
                if a.iter()
                    .any(|x| x == "aws:drop_strict" || x == "aws:drop_established") =>
            {
                let which = if drop_strict {
                    "aws:drop_strict"
                } else {
                    "aws:drop_established"
                };
                Fate::Drop {
                    rule: format!("stateful default action {which} (no rule matches)"),
                    origin: defaults.origin().clone(),
                }
            }
            Some(a) => match a.iter().find(|x| x.starts_with("aws:drop")) {
                Some(x) => Fate::Unknown {
                    why: format!("stateful default action {x} is not modelled"),
                    origin: defaults.origin().clone(),
                },
                None => Fate::Pass {
                    rule: "no stateful rule matches and no drop default action".into(),
                    origin: defaults.origin().clone(),
                    inspected: true,
                },
            },
        }
    }
}

enum Stateless {
    Decided(Fate),
    ToStateful,
}

fn actions(v: &Value<Vec<String>>, label: String, origin: &Origin) -> Stateless {
    match v.get() {
        None => Stateless::Decided(Fate::Unknown {
            why: format!(
                "{label} is unknown ({})",
                v.unknown_reason().unwrap_or("no reason given")
            ),
            origin: v.origin().clone(),
        }),
        Some(a) if a.iter().any(|x| x == "aws:pass") => Stateless::Decided(Fate::Pass {
            rule: format!("{label} aws:pass (skips stateful inspection)"),
            origin: origin.clone(),
            inspected: false,
        }),
        Some(a) if a.iter().any(|x| x == "aws:drop") => Stateless::Decided(Fate::Drop {
            rule: format!("{label} aws:drop"),
            origin: origin.clone(),
        }),
        Some(a) if a.iter().any(|x| x == "aws:forward_to_sfe") => Stateless::ToStateful,
        Some(a) => Stateless::Decided(Fate::Unknown {
            why: format!("{label} {a:?} has no standard action"),
            origin: origin.clone(),
        }),
    }
}

fn pass(r: &RuleView) -> Fate {
    Fate::Pass {
        rule: r.label.clone(),
        origin: r.origin.clone(),
        inspected: true,
    }
}

fn drop(r: &RuleView) -> Fate {
    Fate::Drop {
        rule: r.label.clone(),
        origin: r.origin.clone(),
    }
}

fn undecided(r: &RuleView) -> Fate {
    let why = if r.uninterpreted.is_empty() {
        format!("whether `{}` matches cannot be told", r.label)
    } else {
        format!(
            "`{}` uses {} (not interpreted)",
            r.label,
            r.uninterpreted.join(", ")
        )
    };
    Fate::Unknown {
        why,
        origin: r.origin.clone(),
    }
}

fn app_layer(r: &RuleView) -> bool {
    !r.names.is_empty() || !matches!(r.protocol.as_str(), "ip" | "tcp" | "udp" | "icmp")
}

fn stateless_match(r: &StatelessRule, p: &Packet<'_>, vars: &Vars<'_>) -> M {
    let _ = vars;
    let (Some(protocols), Some(sources), Some(destinations), Some(ports)) = (
        r.protocols.get(),
        r.sources.get(),
        r.destinations.get(),
        r.destination_ports.get(),
    ) else {
        return M::Unknown;
    };
    let proto = M::of(protocols.is_empty() || protocols.contains(&p.l4.number()));
    let addrs = |list: &[String], a: Addr| {
        if list.is_empty() {
            M::Yes
        } else {
            list.iter().fold(M::No, |m, s| {
                m.or(parse_net(s).map_or(M::Unknown, |n| cidr_covers(&n, a)))
            })
        }
    };
    let port = if ports.is_empty() || p.l4 == L4::Icmp {
        M::Yes
    } else {
        ports.iter().fold(M::No, |m, (lo, hi)| {
            m.or(match p.dst_port {
                Some(x) => M::of(*lo <= i64::from(x) && i64::from(x) <= *hi),
                None => range_vs_ephemeral(*lo, *hi),
            })
        })
    };
    proto
        .and(addrs(sources, p.src))
        .and(addrs(destinations, p.dst))
        .and(port)
}

/// Whether a stateful rule matches the packet's flow.
fn rule_match(r: &RuleView, p: &Packet<'_>, vars: &Vars<'_>) -> M {
    let proto = match (r.protocol.as_str(), p.l4, p.app) {
        ("ip", _, _) => M::Yes,
        ("tcp", l, _) => M::of(l == L4::Tcp),
        ("udp", l, _) => M::of(l == L4::Udp),
        ("icmp", l, _) => M::of(l == L4::Icmp),
        ("tls", L4::Tcp, App::Tls(_)) => M::Yes,
        ("http" | "http1" | "http2", L4::Tcp, App::Http(_)) => M::Yes,
        ("tls" | "http" | "http1" | "http2", _, _) => M::No,
        // Other application protocols (ssh, dns, smtp, …) may be what "other TCP" or a UDP
        // flow carries; TLS and HTTP flows are not them.
        (_, L4::Tcp, App::OtherTcp) | (_, L4::Udp, _) => M::Unknown,
        _ => M::No,
    };
    if proto == M::No {
        return M::No;
    }
    let one_way = |src: &str, dst: &str| {
        spec_covers(src, p.src, vars)
            .and(spec_covers(dst, p.dst, vars))
            .and(if p.l4 == L4::Icmp {
                M::Yes
            } else {
                port_covers(&r.destination_port, p.dst_port)
            })
    };
    let mut m = proto.and(one_way(&r.source, &r.destination));
    if r.both_ways {
        m = m.or(proto.and(one_way(&r.destination, &r.source)));
    }
    if m == M::No {
        return M::No;
    }
    if !r.names.is_empty() {
        let names = r.names.iter().fold(M::Yes, |acc, (proto, pattern)| {
            acc.and(match (proto, p.app) {
                (Protocol::Tls, App::Tls(Some(n))) | (Protocol::Http, App::Http(n)) => {
                    M::of(pattern.matches(n))
                }
                _ => M::No,
            })
        });
        m = m.and(names);
    } else if r.narrowed {
        m = m.and(M::Unknown);
    }
    if !r.uninterpreted.is_empty() && m != M::No {
        return M::Unknown;
    }
    m
}

#[cfg(test)]
mod tests {
    use super::*;

    fn net(s: &str) -> IpNet {
        s.parse().unwrap()
    }

    #[test]
    fn address_classes_against_cidrs() {
        let subnet = Addr::Inside(net("10.0.10.0/24"));
        assert_eq!(cidr_covers(&net("10.0.0.0/16"), subnet), M::Yes);
        assert_eq!(cidr_covers(&net("10.0.10.128/25"), subnet), M::Unknown);
        assert_eq!(cidr_covers(&net("10.1.0.0/16"), subnet), M::No);
        assert_eq!(cidr_covers(&net("0.0.0.0/0"), Addr::AnyPublic), M::Yes);
        assert_eq!(cidr_covers(&net("8.8.8.0/24"), Addr::AnyPublic), M::No);
        assert_eq!(cidr_covers(&net("52.0.0.0/8"), Addr::Service), M::Unknown);
        assert_eq!(cidr_covers(&net("10.0.0.0/8"), Addr::Service), M::No);
    }

    #[test]
    fn variables_lists_and_negation() {
        let home = [net("10.0.0.0/16")];
        let vars = Vars {
            home_net: &home,
            home_complete: true,
        };
        let nat = Addr::Inside(net("10.0.0.0/24"));
        assert_eq!(spec_covers("$HOME_NET", nat, &vars), M::Yes);
        assert_eq!(spec_covers("$EXTERNAL_NET", Addr::AnyPublic, &vars), M::Yes);
        assert_eq!(spec_covers("[10.0.0.0/8,!10.0.0.0/24]", nat, &vars), M::No);
        assert_eq!(spec_covers("$SPOKES", nat, &vars), M::Unknown);
        assert_eq!(port_covers("[80,443]", Some(443)), M::Yes);
        assert_eq!(port_covers("!443", Some(443)), M::No);
        assert_eq!(port_covers("1024:", None), M::Yes);
        assert_eq!(port_covers("8080", None), M::Unknown);
    }
}
