//! What a firewall policy does, as far as the allow-list checks need it: its rule groups
//! resolved and in evaluation order, the domain allow-lists in effect, and whether a class
//! of traffic an allow-list is meant to stop (TLS or HTTP to another name, other TCP, QUIC)
//! is dropped, passed, or cannot be told.
//!
//! Semantics (reachability-semantics §6.2–§6.5; AWS Network Firewall developer guide):
//! - Stateless groups first, by priority, rules by priority, first match wins; unmatched
//!   packets get the stateless default action (full packets) or the fragment default
//!   action (fragmented UDP). `aws:pass` skips the stateful engine entirely
//!   (<https://docs.aws.amazon.com/network-firewall/latest/developerguide/firewall-policy-processing.html>).
//! - Stateful, `DEFAULT_ACTION_ORDER`: every pass rule before every drop/reject rule,
//!   whatever its group; traffic matching no rule passes. `STRICT_ORDER`: groups by
//!   priority, rules as written, first match wins; unmatched traffic gets the stateful
//!   default actions, where `aws:drop_strict` drops every unmatched packet and
//!   `aws:drop_established` drops unmatched established client packets and every unmatched
//!   UDP packet
//!   (<https://docs.aws.amazon.com/network-firewall/latest/developerguide/suricata-rule-evaluation-order.html>).
//! - A domain `ALLOWLIST` becomes, per target type, pass rules for its names plus a
//!   catch-all drop *for that protocol only* (`drop tls` / `drop http`); other protocols
//!   are not touched
//!   (<https://docs.aws.amazon.com/network-firewall/latest/developerguide/stateful-rule-groups-domain-names.html>).
//!
//! AWS-managed rule groups (ARNs containing `:aws-managed/`) are skipped: their contents are
//! hidden, but they only add drops and alerts for threat lists (§6.10), so they can neither
//! open an allow-list nor enforce one.

use super::suricata::{self, Action, Buffer, Direction, DomainMatch};
use ipnet::IpNet;
use sagescan_model::network::{
    FirewallPolicy, RuleGroup, RuleGroupRef, RulesSource, StatefulRule, StatelessRule,
};
use sagescan_model::{Model, Origin, Value};

/// Why something cannot be told, and the value that made it so.
#[derive(Clone, Debug, PartialEq)]
pub struct Gap {
    pub reason: String,
    pub origin: Origin,
}

impl Gap {
    pub(crate) fn new(reason: impl Into<String>, origin: &Origin) -> Gap {
        Gap {
            reason: reason.into(),
            origin: origin.clone(),
        }
    }

    /// The gap of an Unknown value; `what` names the attribute.
    pub(crate) fn of<T>(what: &str, v: &Value<T>) -> Option<Gap> {
        v.unknown_reason()
            .map(|r| Gap::new(format!("{what}: {r}"), v.origin()))
    }

    /// [`Gap::of`] for a value already known to have no effective value.
    pub(crate) fn unknown<T>(what: &str, v: &Value<T>) -> Gap {
        Gap::of(what, v).unwrap_or_else(|| Gap::new(format!("{what} is unknown"), v.origin()))
    }
}

/// A rule group a policy references, resolved.
pub struct Member<'m> {
    pub group: &'m RuleGroup,
    pub reference: &'m RuleGroupRef,
}

/// A policy's rule groups in evaluation order (by priority; in action order the stateful
/// order does not matter), plus what could not be resolved.
pub struct Groups<'m> {
    pub stateless: Vec<Member<'m>>,
    pub stateful: Vec<Member<'m>>,
    pub stateless_gaps: Vec<Gap>,
    pub stateful_gaps: Vec<Gap>,
}

/// Resolves a policy's rule groups. An unresolved reference (other than an AWS-managed
/// group) or an Unknown list is a gap: the group could hold anything.
pub fn groups<'m>(model: &'m Model, policy: &'m FirewallPolicy) -> Groups<'m> {
    let config = policy.meta.config;
    let resolve = |list: &'m Value<Vec<RuleGroupRef>>, what: &str| {
        let mut members = Vec::new();
        let mut gaps = Vec::new();
        let Some(refs) = list.get() else {
            gaps.extend(Gap::of(what, list));
            return (members, gaps);
        };
        for r in refs {
            match model.get(config, &r.group) {
                Some(group) => members.push(Member {
                    group,
                    reference: r,
                }),
                None if r.group.key.contains(":aws-managed/") => {}
                None => gaps.push(Gap::new(
                    format!(
                        "rule group {} is not in the scanned configuration",
                        r.group.key
                    ),
                    &r.origin,
                )),
            }
        }
        // Stable: groups with an unknown priority keep their place after the known ones.
        members.sort_by_key(|m| match m.reference.priority.get() {
            Some(Some(p)) => (0, *p),
            _ => (1, 0),
        });
        (members, gaps)
    };
    let (stateless, stateless_gaps) =
        resolve(&policy.stateless_rule_groups, "stateless rule groups");
    let (stateful, stateful_gaps) = resolve(&policy.stateful_rule_groups, "stateful rule groups");
    Groups {
        stateless,
        stateful,
        stateless_gaps,
        stateful_gaps,
    }
}

/// How an allow-list entry matches names.
#[derive(Clone, Debug, PartialEq)]
pub enum DomainPattern {
    /// Exactly this name.
    Exact(String),
    /// `.example.com`: the name after the dot and every subdomain (a leading-dot target,
    /// or `dotprefix; content:".example.com"; endswith`).
    Subdomains(String),
    /// Any name ending in this string, not at a label boundary (`content:"example.com";
    /// endswith` also matches `badexample.com`).
    StringSuffix(String),
    /// Any name containing (or, with `startswith` only, starting with) this string.
    Substring(String),
    /// Every name except this one (`content:!"…"`).
    AllBut(String),
}

impl DomainPattern {
    /// A domain-list target (§6.5: a leading dot matches the domain and its subdomains).
    pub fn from_target(t: &str) -> DomainPattern {
        let t = normalize(t);
        if t.starts_with('.') {
            DomainPattern::Subdomains(t)
        } else {
            DomainPattern::Exact(t)
        }
    }

    /// A Suricata `content` match on `tls.sni` / `http.host`.
    pub fn from_match(d: &DomainMatch) -> DomainPattern {
        let c = normalize(&d.content);
        if d.negated {
            DomainPattern::AllBut(c)
        } else if d.startswith && d.endswith {
            DomainPattern::Exact(c.trim_start_matches('.').to_string())
        } else if d.endswith && (d.dotprefix || c.starts_with('.')) {
            // Without dotprefix `.example.com` misses the apex, which is narrower still.
            DomainPattern::Subdomains(if c.starts_with('.') {
                c
            } else {
                format!(".{c}")
            })
        } else if d.endswith {
            DomainPattern::StringSuffix(c)
        } else {
            DomainPattern::Substring(c)
        }
    }

    /// Whether a TLS SNI / HTTP Host `name` matches (case-insensitively, as AWS's generated
    /// rules use `nocase`).
    pub fn matches(&self, name: &str) -> bool {
        let n = normalize(name);
        match self {
            DomainPattern::Exact(s) => n == *s,
            DomainPattern::Subdomains(s) => n.ends_with(s.as_str()) || n == s[1..],
            DomainPattern::StringSuffix(s) => n.ends_with(s.as_str()),
            DomainPattern::Substring(s) => n.contains(s.as_str()),
            DomainPattern::AllBut(s) => !n.contains(s.as_str()),
        }
    }

    /// A name this pattern matches, to probe a firewall with (`None` for `AllBut`, which
    /// matches almost everything anyway).
    pub fn example(&self) -> Option<String> {
        match self {
            DomainPattern::Exact(s) => Some(s.clone()),
            DomainPattern::Subdomains(s) => Some(format!("host{s}")),
            DomainPattern::StringSuffix(s) | DomainPattern::Substring(s) => {
                Some(format!("host.{}", s.trim_start_matches('.')))
            }
            DomainPattern::AllBut(_) => None,
        }
    }

    /// As a user would write it in messages.
    pub fn describe(&self) -> String {
        match self {
            DomainPattern::Exact(s) | DomainPattern::Subdomains(s) => s.clone(),
            DomainPattern::StringSuffix(s) => format!("any name ending in \"{s}\""),
            DomainPattern::Substring(s) => format!("any name containing \"{s}\""),
            DomainPattern::AllBut(s) => format!("every name but \"{s}\""),
        }
    }
}

fn normalize(s: &str) -> String {
    s.trim().trim_end_matches('.').to_ascii_lowercase()
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Protocol {
    /// `TLS_SNI`
    Tls,
    /// `HTTP_HOST`
    Http,
}

/// One name an allow-list admits.
#[derive(Clone, Debug, PartialEq)]
pub struct Entry {
    pub pattern: DomainPattern,
    pub protocol: Protocol,
    pub origin: Origin,
}

/// A rule group's domain allow-list: a `rules_source_list` ALLOWLIST, or the pass rules
/// of a Suricata rules string that match on `tls.sni` / `http.host`.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct AllowList {
    pub entries: Vec<Entry>,
    /// Whether TLS (SNI) / HTTP (Host) names are checked; `None` when unknown.
    pub tls: Option<bool>,
    pub http: Option<bool>,
    /// Where the inspected protocols are stated (`target_types`), for findings.
    pub types_origin: Origin,
    /// Parts that could not be read: entries may be missing.
    pub gaps: Vec<Gap>,
}

/// Whether a rule group is an allow-list.
pub enum IsAllowList {
    No,
    Yes(AllowList),
    /// It may be; the gap says why it cannot be told.
    Maybe(Gap),
}

/// The allow-list a rule group holds, if any.
pub fn allow_list(group: &RuleGroup) -> IsAllowList {
    let source = match &group.source {
        Value::Unknown { reason, origin, .. } => {
            return IsAllowList::Maybe(Gap::new(format!("rules source: {reason}"), origin));
        }
        Value::Set { value, .. } | Value::Default { value, .. } => value,
    };
    match source {
        RulesSource::DomainList {
            generated_rules_type,
            target_types,
            targets,
        } => {
            match generated_rules_type.get() {
                None => {
                    return IsAllowList::Maybe(Gap::unknown(
                        "generated_rules_type",
                        generated_rules_type,
                    ));
                }
                Some(t) if t != "ALLOWLIST" => return IsAllowList::No,
                Some(_) => {}
            }
            let mut list = AllowList {
                types_origin: target_types.origin().clone(),
                ..AllowList::default()
            };
            list.gaps.extend(Gap::of("target_types", target_types));
            list.gaps.extend(Gap::of("targets", targets));
            let protocols: Vec<Protocol> = match target_types.get() {
                Some(types) => {
                    list.tls = Some(types.iter().any(|t| t == "TLS_SNI"));
                    list.http = Some(types.iter().any(|t| t == "HTTP_HOST"));
                    [(list.tls, Protocol::Tls), (list.http, Protocol::Http)]
                        .into_iter()
                        .filter(|(on, _)| *on == Some(true))
                        .map(|(_, p)| p)
                        .collect()
                }
                // Unknown types: judge the names as if both were inspected.
                None => vec![Protocol::Tls],
            };
            for t in targets.get().into_iter().flatten() {
                for &protocol in &protocols {
                    list.entries.push(Entry {
                        pattern: DomainPattern::from_target(t),
                        protocol,
                        origin: targets.origin().clone(),
                    });
                }
            }
            IsAllowList::Yes(list)
        }
        RulesSource::RulesString(text) => {
            let Some(text) = text.get() else {
                return IsAllowList::Maybe(Gap::unknown("rules_string", text));
            };
            let origin = group_text_origin(group);
            let parsed = suricata::parse(text);
            let mut list = AllowList {
                types_origin: origin.clone(),
                tls: Some(false),
                http: Some(false),
                ..AllowList::default()
            };
            for e in &parsed.errors {
                list.gaps.push(Gap::new(
                    format!("rules_string byte {}: {}", e.offset, e.message),
                    &origin,
                ));
            }
            for rule in parsed.rules.iter().filter(|r| r.action == Action::Pass) {
                let m = rule.interpret();
                if !m.uninterpreted.is_empty() {
                    list.gaps.push(Gap::new(
                        format!(
                            "pass rule `{}` uses {} (not interpreted)",
                            rule.header(),
                            m.uninterpreted.join(", ")
                        ),
                        &origin,
                    ));
                }
                for d in &m.domains {
                    let protocol = match d.buffer {
                        Buffer::TlsSni => {
                            list.tls = Some(true);
                            Protocol::Tls
                        }
                        Buffer::HttpHost => {
                            list.http = Some(true);
                            Protocol::Http
                        }
                    };
                    list.entries.push(Entry {
                        pattern: DomainPattern::from_match(d),
                        protocol,
                        origin: origin.clone(),
                    });
                }
            }
            match (list.entries.is_empty(), list.gaps.first()) {
                (false, _) => IsAllowList::Yes(list),
                (true, Some(gap)) => IsAllowList::Maybe(gap.clone()),
                (true, None) => IsAllowList::No,
            }
        }
        RulesSource::StatefulRules(_) | RulesSource::StatelessRules(_) => IsAllowList::No,
    }
}

/// Where a group's rules are written: the rules source, else the group.
fn group_text_origin(group: &RuleGroup) -> Origin {
    match &group.source {
        Value::Set {
            value: RulesSource::RulesString(text),
            ..
        } => text.origin().clone(),
        other => other.origin().clone(),
    }
}

/// The allow-lists of a policy's stateful groups.
pub struct PolicyAllowLists<'m> {
    pub lists: Vec<(&'m RuleGroup, AllowList)>,
    /// Groups that may be allow-lists, and unresolved groups.
    pub maybe: Vec<Gap>,
}

pub fn policy_allow_lists<'m>(groups: &Groups<'m>) -> PolicyAllowLists<'m> {
    let mut lists = Vec::new();
    let mut maybe = groups.stateful_gaps.clone();
    for m in &groups.stateful {
        match allow_list(m.group) {
            IsAllowList::Yes(l) => lists.push((m.group, l)),
            IsAllowList::Maybe(g) => maybe.push(g),
            IsAllowList::No => {}
        }
    }
    PolicyAllowLists { lists, maybe }
}

/// Traffic an allow-list is meant to stop, from a workload to an arbitrary internet host.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Class {
    /// TLS on tcp/443 with a name not on the list.
    Tls,
    /// HTTP on tcp/80 with a host not on the list.
    Http,
    /// TCP that is neither TLS nor HTTP, on any port.
    OtherTcp,
    /// QUIC / HTTP/3: udp/443.
    Quic,
}

impl Class {
    fn ip_protocol(self) -> i64 {
        match self {
            Class::Quic => 17,
            _ => 6,
        }
    }

    fn port(self) -> Option<i64> {
        match self {
            Class::Tls | Class::Quic => Some(443),
            Class::Http => Some(80),
            Class::OtherTcp => None,
        }
    }

    /// Whether a stateful rule of this protocol keyword can see the class.
    fn seen_by(self, proto: &str) -> bool {
        match proto {
            "ip" => true,
            "tcp" => self != Class::Quic,
            "tls" => self == Class::Tls,
            "http" | "http1" | "http2" => self == Class::Http,
            "udp" | "quic" => self == Class::Quic,
            _ => false,
        }
    }

    pub fn describe(self) -> &'static str {
        match self {
            Class::Tls => "TLS to a name not on the allow-list",
            Class::Http => "plain HTTP to a host not on the allow-list",
            Class::OtherTcp => "TCP that is neither TLS nor HTTP",
            Class::Quic => "QUIC (udp/443)",
        }
    }
}

/// What the policy does with a class of traffic.
#[derive(Clone, Debug, PartialEq)]
pub enum Fate {
    Dropped,
    /// Passed; why, and the deciding attribute or rule.
    Passes(String, Origin),
    Unknown(Gap),
}

/// Three-valued "does it match".
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Tri {
    No,
    Unknown,
    Yes,
}

fn tri(b: bool) -> Tri {
    if b { Tri::Yes } else { Tri::No }
}

/// How a rule's addresses relate to "any internet host" / "the workloads".
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Reach {
    /// No address of the kind.
    None,
    /// Some addresses of the kind.
    Some,
    /// All of them.
    All,
    Unknown,
}

fn combine_any(items: impl Iterator<Item = Reach>) -> Reach {
    let mut best = Reach::None;
    for r in items {
        best = match (best, r) {
            (Reach::All, _) | (_, Reach::All) => Reach::All,
            (Reach::Some, _) | (_, Reach::Some) => Reach::Some,
            (Reach::Unknown, _) | (_, Reach::Unknown) => Reach::Unknown,
            _ => Reach::None,
        };
    }
    best
}

/// Private and shared address space (RFC 1918, RFC 6598, link-local, ULA): not the
/// internet an allow-list guards.
pub(crate) fn is_private(net: &IpNet) -> bool {
    const PRIVATE: &[&str] = &[
        "10.0.0.0/8",
        "172.16.0.0/12",
        "192.168.0.0/16",
        "100.64.0.0/10",
        "169.254.0.0/16",
        "127.0.0.0/8",
        "fc00::/7",
        "fe80::/10",
    ];
    PRIVATE
        .iter()
        .filter_map(|p| p.parse::<IpNet>().ok())
        .any(|p| p.contains(net))
}

/// A CIDR (host bits dropped, as AWS does) or a single address.
pub(crate) fn parse_net(s: &str) -> Option<IpNet> {
    let s = s.trim();
    s.parse::<IpNet>()
        .map(|n| n.trunc())
        .ok()
        .or_else(|| s.parse::<std::net::IpAddr>().ok().map(IpNet::from))
}

/// A Suricata / 5-tuple address as a destination: how much of the internet it covers.
/// `$HOME_NET` defaults to the inspection VPC's CIDR and `$EXTERNAL_NET` to its negation
/// (§6.6).
fn internet(addr: &str) -> Reach {
    let a = addr.trim();
    if let Some(inner) = a.strip_prefix('[').and_then(|x| x.strip_suffix(']')) {
        return combine_any(split_list(inner).into_iter().map(internet));
    }
    if let Some(neg) = a.strip_prefix('!') {
        return match internet(neg) {
            Reach::All => Reach::None,
            Reach::None => Reach::All,
            Reach::Some => Reach::Some,
            Reach::Unknown => Reach::Unknown,
        };
    }
    match a.to_ascii_lowercase().as_str() {
        "any" | "$external_net" => return Reach::All,
        "$home_net" => return Reach::None,
        v if v.starts_with('$') => return Reach::Unknown,
        _ => {}
    }
    match parse_net(a) {
        Some(n) if n.prefix_len() == 0 => Reach::All,
        Some(n) if is_private(&n) => Reach::None,
        Some(_) => Reach::Some,
        None => Reach::Unknown,
    }
}

/// A Suricata / 5-tuple address as a source: how much of the workloads (inside
/// `$HOME_NET`, private addresses) it covers.
fn workloads(addr: &str) -> Reach {
    let a = addr.trim();
    if let Some(inner) = a.strip_prefix('[').and_then(|x| x.strip_suffix(']')) {
        return combine_any(split_list(inner).into_iter().map(workloads));
    }
    if let Some(neg) = a.strip_prefix('!') {
        return match workloads(neg) {
            Reach::All => Reach::None,
            Reach::None => Reach::All,
            other => other,
        };
    }
    match a.to_ascii_lowercase().as_str() {
        "any" | "$home_net" => return Reach::All,
        "$external_net" => return Reach::None,
        v if v.starts_with('$') => return Reach::Unknown,
        _ => {}
    }
    match parse_net(a) {
        Some(n) if n.prefix_len() == 0 => Reach::All,
        Some(n) if is_private(&n) => Reach::Some,
        Some(_) => Reach::None,
        None => Reach::Unknown,
    }
}

pub(crate) fn split_list(inner: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let (mut depth, mut start) = (0usize, 0usize);
    for (i, c) in inner.char_indices() {
        match c {
            '[' => depth += 1,
            ']' => depth = depth.saturating_sub(1),
            ',' if depth == 0 => {
                out.push(&inner[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    out.push(&inner[start..]);
    out
}

/// A port spec against a class's port: All when every port of the class is covered.
fn ports(spec: &str, class: Class) -> Reach {
    let s = spec.trim();
    if s.eq_ignore_ascii_case("any") {
        return Reach::All;
    }
    if let Some(inner) = s.strip_prefix('[').and_then(|x| x.strip_suffix(']')) {
        let items = split_list(inner);
        let (neg, pos): (Vec<&str>, Vec<&str>) =
            items.iter().partition(|i| i.trim().starts_with('!'));
        let mut r = if pos.is_empty() {
            Reach::All
        } else {
            combine_any(pos.iter().map(|p| ports(p, class)))
        };
        for n in neg {
            r = match (r, ports(n.trim().trim_start_matches('!'), class)) {
                (Reach::Unknown, _) | (_, Reach::Unknown) => Reach::Unknown,
                (_, Reach::All) => Reach::None,
                (Reach::All, Reach::Some) => Reach::Some,
                (r, _) => r,
            };
        }
        return r;
    }
    if let Some(neg) = s.strip_prefix('!') {
        return match ports(neg, class) {
            Reach::All => Reach::None,
            Reach::None => Reach::All,
            other => other,
        };
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
        None => s.parse::<i64>().ok().map(|p| (p, p)),
    };
    match (range, class.port()) {
        (None, _) => Reach::Unknown,
        (Some((0, 65535)), _) => Reach::All,
        (Some(_), None) => Reach::Some,
        (Some((lo, hi)), Some(p)) => {
            if lo <= p && p <= hi {
                Reach::All
            } else {
                Reach::None
            }
        }
    }
}

/// A stateful rule reduced to what decides a class's (or a flow's) fate.
#[derive(Clone, Debug)]
pub struct RuleView {
    pub(crate) action: Action,
    pub(crate) protocol: String,
    pub(crate) source: String,
    pub(crate) destination: String,
    pub(crate) destination_port: String,
    pub(crate) both_ways: bool,
    /// Matches only allow-listed names (a `tls.sni` / `http.host` content match).
    pub(crate) domain_keyed: bool,
    /// The names it matches on, when `domain_keyed` or negated (`content:!"…"`).
    pub(crate) names: Vec<(Protocol, DomainPattern)>,
    /// Other options narrow what it matches (payload content, `flow:to_client`).
    pub(crate) narrowed: bool,
    /// `flow:not_established` / `stateless`: handshake packets only.
    pub(crate) setup_only: bool,
    pub(crate) uninterpreted: Vec<String>,
    pub(crate) label: String,
    pub(crate) origin: Origin,
}

impl RuleView {
    /// Does the rule match some of the class's traffic (for pass rules: to *any*
    /// internet host, which is what makes it a bypass rather than a deliberate IP
    /// exception)? And does it match all of it (for drops)?
    fn matches(&self, class: Class, order: Order) -> (Tri, Tri) {
        if !class.seen_by(&self.protocol) || self.domain_keyed {
            return (Tri::No, Tri::No);
        }
        // In strict order a handshake-only pass lets the handshake through and leaves
        // the rest of the flow to later rules (AWS's pattern for `aws:drop_strict`); in
        // action order a pass on any packet passes the whole flow (§6.4).
        if self.setup_only && order == Order::Strict {
            return (Tri::No, Tri::No);
        }
        let one_way = |src: &str, dst: &str| {
            let parts = [
                workloads(src),
                internet(dst),
                ports(&self.destination_port, class),
            ];
            let some = if parts.contains(&Reach::None) {
                Tri::No
            } else if parts.contains(&Reach::Unknown) {
                Tri::Unknown
            } else if parts[1] == Reach::All {
                Tri::Yes
            } else {
                Tri::No
            };
            let all = if parts.iter().all(|p| *p == Reach::All) {
                Tri::Yes
            } else if parts.contains(&Reach::Unknown) {
                Tri::Unknown
            } else {
                Tri::No
            };
            (some, all)
        };
        let (mut some, mut all) = one_way(&self.source, &self.destination);
        if self.both_ways {
            let (s2, a2) = one_way(&self.destination, &self.source);
            some = some.max(s2);
            all = all.max(a2);
        }
        if self.narrowed || self.setup_only {
            all = all.min(Tri::No);
        }
        if !self.uninterpreted.is_empty() && some != Tri::No {
            // A keyword we do not read may narrow the rule to nothing, or be a pass.
            return (Tri::Unknown, Tri::Unknown);
        }
        (some, all)
    }

    fn gap(&self, class: Class) -> Gap {
        let why = if self.uninterpreted.is_empty() {
            "an address, port or variable that cannot be resolved".to_string()
        } else {
            format!("{} (not interpreted)", self.uninterpreted.join(", "))
        };
        Gap::new(
            format!(
                "whether `{}` matches {} depends on {why}",
                self.label,
                class.describe()
            ),
            &self.origin,
        )
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Order {
    Strict,
    Action,
}

/// The stateful rules of a group, as written (domain lists expanded to the rules AWS
/// generates), or why they cannot be read.
pub(crate) fn rule_views(group: &RuleGroup) -> (Vec<RuleView>, Vec<Gap>) {
    let mut gaps = Vec::new();
    let source = match &group.source {
        Value::Unknown { reason, origin, .. } => {
            return (
                Vec::new(),
                vec![Gap::new(
                    format!("rules source of {}: {reason}", group.meta.address),
                    origin,
                )],
            );
        }
        Value::Set { value, .. } | Value::Default { value, .. } => value,
    };
    let mut views = Vec::new();
    match source {
        RulesSource::DomainList {
            generated_rules_type,
            ..
        } => match allow_list(group) {
            IsAllowList::Maybe(g) => gaps.push(g),
            IsAllowList::No => views.extend(generated_list_rules(group, generated_rules_type)),
            IsAllowList::Yes(list) => {
                // The rules AWS generates (§6.5): a pass per name and inspected protocol,
                // then a catch-all `drop tls|http` per inspected protocol. Class verdicts
                // ignore the name-keyed passes (they match no name off the list); flow
                // verdicts need them.
                for e in &list.entries {
                    let proto = match e.protocol {
                        Protocol::Tls => "tls",
                        Protocol::Http => "http",
                    };
                    views.push(RuleView {
                        action: Action::Pass,
                        protocol: proto.into(),
                        source: "$HOME_NET".into(),
                        destination: "$EXTERNAL_NET".into(),
                        destination_port: "any".into(),
                        both_ways: false,
                        domain_keyed: true,
                        names: vec![(e.protocol, e.pattern.clone())],
                        narrowed: false,
                        setup_only: false,
                        uninterpreted: Vec::new(),
                        label: format!(
                            "allow-list {} pass {proto} {}",
                            group.meta.address,
                            e.pattern.describe()
                        ),
                        origin: e.origin.clone(),
                    });
                }
                for (on, proto) in [(list.tls, "tls"), (list.http, "http")] {
                    if on == Some(true) {
                        views.push(RuleView {
                            action: Action::Drop,
                            protocol: proto.into(),
                            source: "$HOME_NET".into(),
                            destination: "$EXTERNAL_NET".into(),
                            destination_port: "any".into(),
                            both_ways: false,
                            domain_keyed: false,
                            names: Vec::new(),
                            narrowed: false,
                            setup_only: false,
                            uninterpreted: Vec::new(),
                            label: format!(
                                "allow-list {} catch-all drop {proto}",
                                group.meta.address
                            ),
                            origin: list.types_origin.clone(),
                        });
                    }
                }
                if list.tls.is_none() {
                    // Which catch-all drops exist depends on the unknown target types.
                    gaps.extend(list.gaps.first().cloned());
                }
            }
        },
        RulesSource::RulesString(text) => match text.get() {
            None => gaps.extend(Gap::of("rules_string", text)),
            Some(t) => {
                let origin = text.origin();
                let parsed = suricata::parse(t);
                for e in &parsed.errors {
                    gaps.push(Gap::new(
                        format!("rules_string byte {}: {}", e.offset, e.message),
                        origin,
                    ));
                }
                for r in &parsed.rules {
                    let m = r.interpret();
                    views.push(RuleView {
                        action: r.action,
                        protocol: r.protocol.clone(),
                        source: r.source.clone(),
                        destination: r.destination.clone(),
                        destination_port: r.destination_port.clone(),
                        both_ways: r.direction == Direction::Both,
                        domain_keyed: m.domains.iter().any(|d| !d.negated),
                        names: m
                            .domains
                            .iter()
                            .map(|d| {
                                let p = match d.buffer {
                                    Buffer::TlsSni => Protocol::Tls,
                                    Buffer::HttpHost => Protocol::Http,
                                };
                                (p, DomainPattern::from_match(d))
                            })
                            .collect(),
                        narrowed: m.payload_content
                            || m.to_client_only()
                            || m.domains.iter().any(|d| d.negated),
                        setup_only: m.setup_only(),
                        uninterpreted: m.uninterpreted,
                        label: match m.sid {
                            Some(sid) => format!("{} (sid {sid})", r.header()),
                            None => r.header(),
                        },
                        origin: origin.clone(),
                    });
                }
            }
        },
        RulesSource::StatefulRules(rules) => {
            for r in rules {
                match stateful_view(r) {
                    Ok(v) => views.push(v),
                    Err(g) => gaps.push(g),
                }
            }
        }
        RulesSource::StatelessRules(_) => {}
    }
    (views, gaps)
}

/// The rules a `DENYLIST` / `REJECTLIST` / `ALERTLIST` domain list generates: one rule per
/// name and inspected protocol with the list's action, and no catch-all, so names off the
/// list are not acted on (§6.5). Unknown parts yield no rules; the group's gaps say so.
fn generated_list_rules(group: &RuleGroup, kind: &Value<String>) -> Vec<RuleView> {
    let Some(RulesSource::DomainList {
        target_types,
        targets,
        ..
    }) = group.source.get()
    else {
        return Vec::new();
    };
    let action = match kind.get().map(String::as_str) {
        Some("DENYLIST") => Action::Drop,
        Some("REJECTLIST") => Action::Reject,
        Some("ALERTLIST") => Action::Alert,
        _ => return Vec::new(),
    };
    let (Some(types), Some(names)) = (target_types.get(), targets.get()) else {
        return Vec::new();
    };
    let mut views = Vec::new();
    for t in types {
        let (protocol, proto) = match t.as_str() {
            "TLS_SNI" => (Protocol::Tls, "tls"),
            "HTTP_HOST" => (Protocol::Http, "http"),
            _ => continue,
        };
        for n in names {
            let pattern = DomainPattern::from_target(n);
            views.push(RuleView {
                action,
                protocol: proto.into(),
                source: "$HOME_NET".into(),
                destination: "$EXTERNAL_NET".into(),
                destination_port: "any".into(),
                both_ways: false,
                domain_keyed: true,
                label: format!(
                    "{} {} {} {proto} {}",
                    kind.get()
                        .map(String::as_str)
                        .unwrap_or_default()
                        .to_ascii_lowercase(),
                    group.meta.address,
                    action_name(action),
                    pattern.describe()
                ),
                names: vec![(protocol, pattern)],
                narrowed: false,
                setup_only: false,
                uninterpreted: Vec::new(),
                origin: targets.origin().clone(),
            });
        }
    }
    views
}

fn stateful_view(r: &StatefulRule) -> Result<RuleView, Gap> {
    let field =
        |what: &str, v: &Value<String>| v.get().cloned().ok_or_else(|| Gap::unknown(what, v));
    let action = match field("stateful rule action", &r.action)?
        .to_ascii_uppercase()
        .as_str()
    {
        "PASS" => Action::Pass,
        "DROP" => Action::Drop,
        "REJECT" => Action::Reject,
        "ALERT" => Action::Alert,
        other => {
            return Err(Gap::new(
                format!("stateful rule action {other} is not understood"),
                &r.origin,
            ));
        }
    };
    let protocol = field("stateful rule protocol", &r.protocol)?.to_ascii_lowercase();
    let source = field("stateful rule source", &r.source)?;
    let destination = field("stateful rule destination", &r.destination)?;
    let destination_port = field("stateful rule destination port", &r.destination_port)?;
    let direction = field("stateful rule direction", &r.direction)?;
    let label = format!(
        "{} {protocol} {source} -> {destination} {destination_port}",
        action_name(action)
    );
    Ok(RuleView {
        action,
        protocol,
        source,
        destination,
        destination_port,
        both_ways: direction.eq_ignore_ascii_case("ANY"),
        domain_keyed: false,
        names: Vec::new(),
        narrowed: false,
        setup_only: false,
        uninterpreted: Vec::new(),
        label,
        origin: r.origin.clone(),
    })
}

fn action_name(a: Action) -> &'static str {
    match a {
        Action::Pass => "pass",
        Action::Drop => "drop",
        Action::Alert => "alert",
        Action::Reject => "reject",
    }
}

/// A policy's decision procedure for classes of traffic.
pub struct Evaluator<'m> {
    policy: &'m FirewallPolicy,
    groups: Groups<'m>,
}

impl<'m> Evaluator<'m> {
    pub fn new(model: &'m Model, policy: &'m FirewallPolicy) -> Evaluator<'m> {
        Evaluator {
            policy,
            groups: groups(model, policy),
        }
    }

    pub fn groups(&self) -> &Groups<'m> {
        &self.groups
    }

    /// What happens to `class`: the stateless stage, then the stateful one.
    pub fn fate(&self, class: Class) -> Fate {
        match self.stateless(class) {
            Some(f) => f,
            None => self.stateful(class),
        }
    }

    /// What the stateful rules alone do with `class`, whatever the stateless stage does
    /// before them (a stateless bypass is a finding of its own).
    pub fn stateful_fate(&self, class: Class) -> Fate {
        self.stateful(class)
    }

    /// `Some` when the stateless stage decides (drop or pass); `None` when the traffic
    /// is forwarded to the stateful engine.
    fn stateless(&self, class: Class) -> Option<Fate> {
        if let Some(g) = self.groups.stateless_gaps.first() {
            return Some(Fate::Unknown(g.clone()));
        }
        for m in &self.groups.stateless {
            if m.reference.priority.get().is_none() {
                return Some(Fate::Unknown(Gap::unknown(
                    "stateless rule group priority",
                    &m.reference.priority,
                )));
            }
            let rules = match m.group.source.get() {
                Some(RulesSource::StatelessRules(rules)) => rules,
                Some(_) => continue,
                None => {
                    return Some(Fate::Unknown(Gap::unknown(
                        &format!("rules of {}", m.group.meta.address),
                        &m.group.source,
                    )));
                }
            };
            let mut ordered: Vec<&StatelessRule> = rules.iter().collect();
            ordered.sort_by_key(|r| r.priority.get().copied().unwrap_or(i64::MAX));
            for r in ordered {
                match stateless_rule(r, class) {
                    Err(g) => return Some(Fate::Unknown(g)),
                    Ok(None) => {}
                    Ok(Some(fate)) => return Some(fate),
                }
            }
        }
        // A QUIC datagram may be fragmented: the fragment default action applies to it.
        let defaults: &[(&str, &Value<Vec<String>>)] = if class == Class::Quic {
            &[
                (
                    "stateless default action",
                    &self.policy.stateless_default_actions,
                ),
                (
                    "stateless fragment default action",
                    &self.policy.stateless_fragment_default_actions,
                ),
            ]
        } else {
            &[(
                "stateless default action",
                &self.policy.stateless_default_actions,
            )]
        };
        for (what, v) in defaults {
            match v.get() {
                None => return Some(Fate::Unknown(Gap::unknown(what, v))),
                Some(a) if a.iter().any(|x| x == "aws:pass") => {
                    return Some(Fate::Passes(
                        format!("{what} aws:pass skips stateful inspection"),
                        v.origin().clone(),
                    ));
                }
                Some(a)
                    if a.iter().any(|x| x == "aws:drop") && *what == "stateless default action" =>
                {
                    return Some(Fate::Dropped);
                }
                Some(_) => {}
            }
        }
        None
    }

    fn stateful(&self, class: Class) -> Fate {
        let order = match self.policy.stateful_rule_order.get().map(String::as_str) {
            Some("STRICT_ORDER") => Order::Strict,
            Some("DEFAULT_ACTION_ORDER") => Order::Action,
            Some(other) => {
                return Fate::Unknown(Gap::new(
                    format!("rule order {other} is not understood"),
                    self.policy.stateful_rule_order.origin(),
                ));
            }
            None => {
                return Fate::Unknown(Gap::unknown(
                    "stateful rule order",
                    &self.policy.stateful_rule_order,
                ));
            }
        };
        let mut gaps = self.groups.stateful_gaps.clone();
        let mut rules = Vec::new();
        for m in &self.groups.stateful {
            if order == Order::Strict && m.reference.priority.get().is_none() {
                gaps.extend(Gap::of(
                    "stateful rule group priority",
                    &m.reference.priority,
                ));
            }
            let (views, g) = rule_views(m.group);
            rules.extend(views);
            gaps.extend(g);
        }
        let order_origin = self.policy.stateful_rule_order.origin();
        if order == Order::Action {
            // Pass rules come first whatever group they sit in, so a pass we can see
            // decides even when other groups cannot be read.
            if let Some(f) = action_order_pass(class, &rules) {
                return f;
            }
        }
        if let Some(g) = gaps.into_iter().next() {
            // Unread rules may pass what we saw dropped, or drop what we saw pass.
            return Fate::Unknown(g);
        }
        match order {
            Order::Strict => self.strict(class, &rules),
            Order::Action => action_order_rest(class, &rules, order_origin),
        }
    }

    fn strict(&self, class: Class, rules: &[RuleView]) -> Fate {
        for r in rules {
            let (some, all) = r.matches(class, Order::Strict);
            match r.action {
                Action::Pass if some == Tri::Yes => return passes_by(r, class),
                Action::Pass if some == Tri::Unknown => return Fate::Unknown(r.gap(class)),
                Action::Drop | Action::Reject if all == Tri::Yes => return Fate::Dropped,
                Action::Drop | Action::Reject if all == Tri::Unknown => {
                    return Fate::Unknown(r.gap(class));
                }
                _ => {}
            }
        }
        let defaults = &self.policy.stateful_default_actions;
        match defaults.get() {
            None => Fate::Unknown(Gap::unknown("stateful default actions", defaults)),
            // §6.4: drop_strict drops every unmatched packet; drop_established drops
            // unmatched established client packets (the ClientHello, the request, any
            // payload) and, UDP being connectionless, every unmatched UDP packet.
            Some(a)
                if a.iter()
                    .any(|x| x == "aws:drop_strict" || x == "aws:drop_established") =>
            {
                Fate::Dropped
            }
            Some(a) => match a.iter().find(|x| x.starts_with("aws:drop")) {
                Some(x) => Fate::Unknown(Gap::new(
                    format!("stateful default action {x} is not modelled"),
                    defaults.origin(),
                )),
                None => Fate::Passes(
                    "strict order without a drop default action passes what no rule matches".into(),
                    defaults.origin().clone(),
                ),
            },
        }
    }
}

fn passes_by(r: &RuleView, class: Class) -> Fate {
    Fate::Passes(
        format!(
            "pass rule `{}` admits {} to any host",
            r.label,
            class.describe()
        ),
        r.origin.clone(),
    )
}

/// Action order, first step: a pass rule that admits the class decides (§6.4: every
/// pass rule is evaluated before any drop). `None` when no pass rule matches.
fn action_order_pass(class: Class, rules: &[RuleView]) -> Option<Fate> {
    let mut unknown = None;
    for r in rules.iter().filter(|r| r.action == Action::Pass) {
        match r.matches(class, Order::Action).0 {
            Tri::Yes => return Some(passes_by(r, class)),
            Tri::Unknown => {
                unknown.get_or_insert_with(|| Fate::Unknown(r.gap(class)));
            }
            Tri::No => {}
        }
    }
    unknown
}

/// Action order, second step: drops and rejects; what no rule matches passes.
fn action_order_rest(class: Class, rules: &[RuleView], order_origin: &Origin) -> Fate {
    let mut unknown = None;
    for r in rules
        .iter()
        .filter(|r| matches!(r.action, Action::Drop | Action::Reject))
    {
        match r.matches(class, Order::Action).1 {
            Tri::Yes => return Fate::Dropped,
            Tri::Unknown => {
                unknown.get_or_insert_with(|| r.gap(class));
            }
            Tri::No => {}
        }
    }
    match unknown {
        Some(g) => Fate::Unknown(g),
        None => Fate::Passes(
            "default action order passes what no rule matches".into(),
            order_origin.clone(),
        ),
    }
}

/// One stateless rule against a class: `Ok(Some)` when it decides, `Ok(None)` when it
/// does not match or forwards to the stateful engine.
fn stateless_rule(r: &StatelessRule, class: Class) -> Result<Option<Fate>, Gap> {
    let get =
        |what: &str, v: &Value<Vec<String>>| v.get().cloned().ok_or_else(|| Gap::unknown(what, v));
    let actions = get("stateless rule actions", &r.actions)?;
    let sources = get("stateless rule sources", &r.sources)?;
    let destinations = get("stateless rule destinations", &r.destinations)?;
    let protocols = r
        .protocols
        .get()
        .ok_or_else(|| Gap::unknown("stateless rule protocols", &r.protocols))?;
    let dports = r
        .destination_ports
        .get()
        .ok_or_else(|| Gap::unknown("stateless rule destination ports", &r.destination_ports))?;
    // Absent match attributes match anything (API `MatchAttributes`).
    let proto = tri(protocols.is_empty() || protocols.contains(&class.ip_protocol()));
    let src = if sources.is_empty() {
        Reach::All
    } else {
        combine_any(sources.iter().map(|s| workloads(s)))
    };
    let dst = if destinations.is_empty() {
        Reach::All
    } else {
        combine_any(destinations.iter().map(|s| internet(s)))
    };
    let port = if dports.is_empty() {
        Reach::All
    } else {
        combine_any(dports.iter().map(|(lo, hi)| match class.port() {
            _ if *lo <= 0 && *hi >= 65535 => Reach::All,
            Some(p) if *lo <= p && p <= *hi => Reach::All,
            Some(_) => Reach::None,
            None => Reach::Some,
        }))
    };
    let parts = [src, dst, port];
    if proto == Tri::No || parts.contains(&Reach::None) {
        return Ok(None);
    }
    if parts.contains(&Reach::Unknown) {
        return Err(Gap::new(
            "a stateless rule's addresses cannot be resolved",
            &r.origin,
        ));
    }
    if actions.iter().any(|a| a == "aws:pass") && dst == Reach::All {
        return Ok(Some(Fate::Passes(
            format!(
                "stateless rule (priority {}) passes {} without stateful inspection",
                r.priority.get().copied().unwrap_or_default(),
                class.describe()
            ),
            r.origin.clone(),
        )));
    }
    if actions.iter().any(|a| a == "aws:drop") && parts.iter().all(|p| *p == Reach::All) {
        return Ok(Some(Fate::Dropped));
    }
    Ok(None)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_relative_to_the_internet() {
        assert_eq!(internet("any"), Reach::All);
        assert_eq!(internet("$EXTERNAL_NET"), Reach::All);
        assert_eq!(internet("!$HOME_NET"), Reach::All);
        assert_eq!(internet("$HOME_NET"), Reach::None);
        assert_eq!(internet("10.0.0.0/8"), Reach::None);
        assert_eq!(internet("[10.0.0.0/8,52.94.0.0/16]"), Reach::Some);
        assert_eq!(internet("0.0.0.0/0"), Reach::All);
        assert_eq!(internet("$PROXY"), Reach::Unknown);
        assert_eq!(workloads("$HOME_NET"), Reach::All);
        assert_eq!(workloads("10.1.0.0/16"), Reach::Some);
        assert_eq!(workloads("$EXTERNAL_NET"), Reach::None);
    }

    #[test]
    fn ports_relative_to_a_class() {
        assert_eq!(ports("any", Class::Quic), Reach::All);
        assert_eq!(ports("443", Class::Quic), Reach::All);
        assert_eq!(ports("80", Class::Quic), Reach::None);
        assert_eq!(ports("[80,443]", Class::Tls), Reach::All);
        assert_eq!(ports("400:500", Class::Tls), Reach::All);
        assert_eq!(ports("!443", Class::Tls), Reach::None);
        assert_eq!(ports("22", Class::OtherTcp), Reach::Some);
        assert_eq!(ports("[1:65535,!443]", Class::Tls), Reach::None);
        assert_eq!(ports("$HTTP_PORTS", Class::Http), Reach::Unknown);
    }

    #[test]
    fn leading_dot_targets_cover_subdomains() {
        assert_eq!(
            DomainPattern::from_target(".Example.com."),
            DomainPattern::Subdomains(".example.com".into())
        );
        assert_eq!(
            DomainPattern::from_target("pypi.org"),
            DomainPattern::Exact("pypi.org".into())
        );
    }

    #[test]
    fn suricata_content_matches_become_patterns() {
        let rules = suricata::parse(
            "pass tls any any -> any any (tls.sni; content:\"github.com\"; endswith; sid:1;)\n\
             pass tls any any -> any any (tls.sni; content:\"pypi.org\"; startswith; endswith; sid:2;)\n\
             pass tls any any -> any any (tls.sni; dotprefix; content:\".example.com\"; endswith; sid:3;)\n\
             pass tls any any -> any any (tls.sni; content:\"amazonaws\"; sid:4;)",
        );
        let pats: Vec<_> = rules
            .rules
            .iter()
            .map(|r| DomainPattern::from_match(&r.interpret().domains[0]))
            .collect();
        assert_eq!(
            pats,
            [
                DomainPattern::StringSuffix("github.com".into()),
                DomainPattern::Exact("pypi.org".into()),
                DomainPattern::Subdomains(".example.com".into()),
                DomainPattern::Substring("amazonaws".into()),
            ]
        );
    }
}
