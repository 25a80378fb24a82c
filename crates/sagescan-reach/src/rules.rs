//! Rule evaluation shared by the security group, network ACL and endpoint checks: what
//! traffic a rule admits (protocol and ports), who the peer is (CIDRs, prefix lists,
//! referenced groups), and a three-state answer for questions that may hinge on an
//! Unknown value.
//!
//! Semantics follow the EC2 API (`IpPermission`, `CreateNetworkAclEntry`): protocol `-1`
//! means every protocol, and with `-1` or any protocol number other than tcp, udp, icmp
//! and icmpv6 a rule covers every port whatever `FromPort`/`ToPort` say
//! (<https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_IpPermission.html>).
//! A prefix list expands to its entries; one whose entries are not known is Unknown, never
//! open (<https://docs.aws.amazon.com/vpc/latest/userguide/managed-prefix-lists.html>).

use ipnet::IpNet;
use sagescan_model::network::{ManagedPrefixList, SgPeer, SgRule, Vpc};
use sagescan_model::{ConfigId, Model, Origin, Ref, Value};
use std::fmt;

/// Why an answer is unknown, and where the value that made it so is.
#[derive(Clone, Debug, PartialEq)]
pub struct Why {
    pub reason: String,
    pub origin: Origin,
}

impl Why {
    pub fn new(reason: impl Into<String>, origin: &Origin) -> Self {
        Why {
            reason: reason.into(),
            origin: origin.clone(),
        }
    }

    /// Why `value`, which the caller found Unknown, is so: `{what} is unknown ({reason})`.
    pub fn of<T>(what: &str, value: &Value<T>) -> Why {
        let reason = value.unknown_reason().unwrap_or("no reason given");
        Why::new(format!("{what} is unknown ({reason})"), value.origin())
    }
}

/// A yes/no answer that may be unknown.
#[derive(Clone, Debug, PartialEq)]
pub enum Tri {
    Yes,
    No,
    Unknown(Why),
}

impl Tri {
    pub fn from_bool(b: bool) -> Tri {
        if b { Tri::Yes } else { Tri::No }
    }

    /// Three-valued "and": No wins over Unknown, so `other` is not even asked after a No.
    pub fn and(self, other: impl FnOnce() -> Tri) -> Tri {
        match self {
            Tri::No => Tri::No,
            Tri::Yes => other(),
            Tri::Unknown(w) => match other() {
                Tri::No => Tri::No,
                _ => Tri::Unknown(w),
            },
        }
    }

    /// Three-valued "or": Yes wins over Unknown.
    pub fn or(self, other: impl FnOnce() -> Tri) -> Tri {
        match self {
            Tri::Yes => Tri::Yes,
            Tri::No => other(),
            Tri::Unknown(w) => match other() {
                Tri::Yes => Tri::Yes,
                _ => Tri::Unknown(w),
            },
        }
    }
}

/// An IP protocol as the model spells it (the loaders lower-case and map 6/17/1/58).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Proto {
    /// `-1`: every protocol.
    All,
    Tcp,
    Udp,
    Icmp,
    Icmpv6,
    /// Any other protocol number: AWS applies the rule to all of its traffic.
    Number(u8),
}

impl Proto {
    pub fn parse(s: &str) -> Option<Proto> {
        Some(match s.trim().to_ascii_lowercase().as_str() {
            "-1" | "all" => Proto::All,
            "tcp" | "6" => Proto::Tcp,
            "udp" | "17" => Proto::Udp,
            "icmp" | "1" => Proto::Icmp,
            "icmpv6" | "58" => Proto::Icmpv6,
            n => Proto::Number(n.parse().ok()?),
        })
    }

    /// Whether ports mean something for this protocol (tcp and udp; ICMP's "ports" are the
    /// type and code).
    fn has_ports(self) -> bool {
        matches!(self, Proto::Tcp | Proto::Udp)
    }
}

impl fmt::Display for Proto {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Proto::All => f.write_str("all protocols"),
            Proto::Tcp => f.write_str("tcp"),
            Proto::Udp => f.write_str("udp"),
            Proto::Icmp => f.write_str("icmp"),
            Proto::Icmpv6 => f.write_str("icmpv6"),
            Proto::Number(n) => write!(f, "protocol {n}"),
        }
    }
}

/// The highest port number.
pub const MAX_PORT: i64 = 65535;

/// What a rule or entry matches, apart from the peer: a protocol and, for tcp and udp, an
/// inclusive destination port range. For every other protocol `lo..=hi` is `0..=65535`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Traffic {
    pub proto: Proto,
    pub lo: i64,
    pub hi: i64,
}

impl Traffic {
    /// Reads protocol and ports; ports are only needed (and only read) for tcp and udp.
    pub fn read(
        protocol: &Value<String>,
        from: &Value<i64>,
        to: &Value<i64>,
    ) -> Result<Traffic, Why> {
        let raw = protocol
            .get()
            .ok_or_else(|| Why::of("the protocol", protocol))?;
        let proto = Proto::parse(raw).ok_or_else(|| {
            Why::new(
                format!("protocol {raw:?} is not a protocol name or number"),
                protocol.origin(),
            )
        })?;
        if !proto.has_ports() {
            return Ok(Traffic {
                proto,
                lo: 0,
                hi: MAX_PORT,
            });
        }
        let port = |v: &Value<i64>, what: &str| -> Result<i64, Why> {
            v.get().copied().ok_or_else(|| Why::of(what, v))
        };
        let (lo, hi) = (port(from, "the from port")?, port(to, "the to port")?);
        // `-1` as a tcp/udp port is how some sources say "all ports".
        if lo == -1 && hi == -1 {
            return Ok(Traffic {
                proto,
                lo: 0,
                hi: MAX_PORT,
            });
        }
        Ok(Traffic { proto, lo, hi })
    }

    /// Reads a security group rule's traffic.
    pub fn of_rule(rule: &SgRule) -> Result<Traffic, Why> {
        Traffic::read(&rule.protocol, &rule.from_port, &rule.to_port)
    }

    /// Every protocol.
    pub fn is_all_traffic(&self) -> bool {
        self.proto == Proto::All
    }

    /// Every port of its protocol: protocol `-1` or a port-less protocol number, or a tcp
    /// or udp range spanning 1–65535 (port 0 is reserved and never used).
    pub fn is_all_ports(&self) -> bool {
        match self.proto {
            Proto::All | Proto::Number(_) => true,
            Proto::Tcp | Proto::Udp => self.lo <= 1 && self.hi >= MAX_PORT,
            Proto::Icmp | Proto::Icmpv6 => false,
        }
    }

    /// Whether it admits `proto` traffic to `port`.
    pub fn admits(&self, proto: Proto, port: u16) -> bool {
        match self.proto {
            Proto::All => true,
            p if p == proto && p.has_ports() => (self.lo..=self.hi).contains(&i64::from(port)),
            p => p == proto,
        }
    }

    /// Whether everything it admits is tcp to one of `ports`.
    pub fn only_tcp_ports(&self, ports: &[u16]) -> bool {
        self.proto == Proto::Tcp
            && self.lo <= self.hi
            && (self.lo..=self.hi).all(|p| u16::try_from(p).is_ok_and(|p| ports.contains(&p)))
    }

    /// Whether it admits everything `other` admits.
    pub fn covers(&self, other: &Traffic) -> bool {
        match (self.proto, other.proto) {
            (Proto::All, _) => true,
            (a, b) if a == b => !a.has_ports() || (self.lo <= other.lo && other.hi <= self.hi),
            _ => false,
        }
    }
}

impl fmt::Display for Traffic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.proto {
            Proto::All => f.write_str("all traffic"),
            p if !p.has_ports() => write!(f, "{p}"),
            p if self.is_all_ports() => write!(f, "{p} all ports"),
            p if self.lo == self.hi => write!(f, "{p} {}", self.lo),
            p => write!(f, "{p} {}-{}", self.lo, self.hi),
        }
    }
}

/// Parses an IPv4 or IPv6 CIDR; host bits are dropped as AWS does.
pub fn parse_cidr(s: &str) -> Option<IpNet> {
    s.trim().parse::<IpNet>().ok().map(|n| n.trunc())
}

/// Reads a CIDR value.
pub fn cidr(value: &Value<String>) -> Result<IpNet, Why> {
    let s = value.get().ok_or_else(|| Why::of("the CIDR", value))?;
    parse_cidr(s).ok_or_else(|| Why::new(format!("{s:?} is not a CIDR"), value.origin()))
}

/// `0.0.0.0/0` or `::/0`: every address of its family.
pub fn is_world(net: &IpNet) -> bool {
    net.prefix_len() == 0
}

/// Whether `net` lies inside one of `within`.
pub fn inside(net: &IpNet, within: &[IpNet]) -> bool {
    within.iter().any(|w| w.contains(net))
}

/// A rule's peer, resolved.
#[derive(Clone, Debug)]
pub enum Peer {
    /// Addresses: a CIDR, or a prefix list's entries.
    Cidrs(Vec<IpNet>),
    /// Another security group: its position in `model.security_groups`, `None` when it is
    /// not in the model.
    Group(Option<usize>),
    /// The rule's own group (`self = true`).
    SelfGroup,
}

/// Resolves a rule's peer in configuration `config`.
pub fn peer<'m>(model: &'m Model, config: ConfigId, value: &'m Value<SgPeer>) -> Result<Peer, Why> {
    let p = value
        .get()
        .ok_or_else(|| Why::of("the rule's peer", value))?;
    let origin = value.origin();
    Ok(match p {
        SgPeer::Ipv4(c) | SgPeer::Ipv6(c) => Peer::Cidrs(vec![
            parse_cidr(c).ok_or_else(|| Why::new(format!("{c:?} is not a CIDR"), origin))?,
        ]),
        SgPeer::PrefixList(r) => Peer::Cidrs(prefix_list(model, config, r, origin)?),
        SgPeer::SecurityGroup(r) => Peer::Group(model.position(config, r)),
        SgPeer::SelfGroup => Peer::SelfGroup,
    })
}

/// The entries of a managed prefix list: Unknown when the list is not in the model (an
/// AWS-managed list, a gateway endpoint's `prefix_list_id`) or its entries are unknown.
pub fn prefix_list(
    model: &Model,
    config: ConfigId,
    r: &Ref<ManagedPrefixList>,
    origin: &Origin,
) -> Result<Vec<IpNet>, Why> {
    let list = model.get(config, r).ok_or_else(|| {
        Why::new(
            format!(
                "prefix list {} is not in the scanned configuration, so its entries are unknown",
                r.key
            ),
            origin,
        )
    })?;
    let entries = list.entries.get().ok_or_else(|| {
        Why::of(
            &format!("the entries of prefix list {}", r.key),
            &list.entries,
        )
    })?;
    entries
        .iter()
        .map(|e| {
            parse_cidr(e).ok_or_else(|| {
                Why::new(
                    format!("prefix list {} entry {e:?} is not a CIDR", r.key),
                    list.entries.origin(),
                )
            })
        })
        .collect()
}

/// Whether a peer includes the whole internet of a family (`0.0.0.0/0`, `::/0`, or a
/// prefix list with such an entry). Group peers never do: a group reference matches
/// private addresses only.
pub fn peer_is_world(peer: &Result<Peer, Why>) -> Tri {
    match peer {
        Ok(Peer::Cidrs(nets)) => Tri::from_bool(nets.iter().any(is_world)),
        Ok(_) => Tri::No,
        Err(w) => Tri::Unknown(w.clone()),
    }
}

/// Every CIDR of a VPC (primary and extra blocks). The group's VPC is `None` when the
/// group names no VPC: then it lives in the region's default VPC.
pub fn vpc_cidrs(
    model: &Model,
    config: ConfigId,
    vpc: &Value<Option<Ref<Vpc>>>,
) -> Result<Vec<IpNet>, Why> {
    let r = vpc.get().ok_or_else(|| Why::of("the VPC", vpc))?;
    let found = match r {
        Some(r) => model.get(config, r).ok_or_else(|| {
            Why::new(
                format!("VPC {} is not in the scanned configuration", r.key),
                vpc.origin(),
            )
        })?,
        None => model
            .vpcs
            .iter()
            .find(|v| v.meta.config == config && v.is_default.get() == Some(&true))
            .ok_or_else(|| {
                Why::new(
                    "the group names no VPC and the default VPC is not in the scanned configuration",
                    vpc.origin(),
                )
            })?,
    };
    std::iter::once(&found.cidr_block)
        .chain(&found.extra_cidr_blocks)
        .map(cidr)
        .collect()
}

/// A short description of a rule for messages: `ingress tcp 22 from 0.0.0.0/0`.
pub fn describe(rule: &SgRule) -> String {
    let traffic = match Traffic::of_rule(rule) {
        Ok(t) => t.to_string(),
        Err(_) => "unknown traffic".to_string(),
    };
    let peer = match rule.peer.get() {
        Some(SgPeer::Ipv4(c) | SgPeer::Ipv6(c)) => c.clone(),
        Some(SgPeer::PrefixList(r)) => format!("prefix list {}", r.key),
        Some(SgPeer::SecurityGroup(r)) => format!("security group {}", r.key),
        Some(SgPeer::SelfGroup) => "itself".to_string(),
        None => "an unknown peer".to_string(),
    };
    match rule.direction {
        sagescan_model::network::Direction::Ingress => format!("ingress {traffic} from {peer}"),
        sagescan_model::network::Direction::Egress => format!("egress {traffic} to {peer}"),
    }
}

/// A rule's origin with where it is declared: `aws_security_group_rule.x` or `line 12`.
pub fn declared_at(rule: &SgRule) -> String {
    match (&rule.declared_by, rule.origin.file()) {
        (Some(address), _) => address.clone(),
        (None, Some(span)) => format!("line {}", span.line),
        (None, None) => "inline".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(p: &str, lo: i64, hi: i64) -> Traffic {
        Traffic::read(
            &Value::set(p.to_string(), Origin::None),
            &Value::set(lo, Origin::None),
            &Value::set(hi, Origin::None),
        )
        .unwrap()
    }

    #[test]
    fn minus_one_and_other_protocol_numbers_cover_all_ports() {
        assert!(t("-1", 0, 0).is_all_ports() && t("-1", 0, 0).is_all_traffic());
        assert!(t("50", 0, 0).is_all_ports() && !t("50", 0, 0).is_all_traffic());
        assert!(t("tcp", 0, 65535).is_all_ports());
        assert!(!t("tcp", 1024, 65535).is_all_ports());
        assert!(t("-1", 0, 0).admits(Proto::Tcp, 22));
        assert!(!t("50", 0, 0).admits(Proto::Tcp, 22));
        assert!(t("6", 20, 25).admits(Proto::Tcp, 22));
        assert!(!t("udp", 20, 25).admits(Proto::Tcp, 22));
    }

    #[test]
    fn containment_and_overlap() {
        assert!(t("-1", 0, 0).covers(&t("tcp", 22, 22)));
        assert!(t("tcp", 0, 1024).covers(&t("tcp", 22, 22)));
        assert!(!t("tcp", 22, 22).covers(&t("tcp", 0, 1024)));
        assert!(!t("tcp", 0, 65535).covers(&t("udp", 53, 53)));
        assert!(t("tcp", 443, 443).only_tcp_ports(&[443]));
        assert!(!t("tcp", 442, 443).only_tcp_ports(&[443]));
        assert_eq!(t("tcp", 1024, 65535).to_string(), "tcp 1024-65535");
        assert_eq!(t("-1", 0, 0).to_string(), "all traffic");
    }

    #[test]
    fn unknown_ports_only_matter_for_tcp_and_udp() {
        let unknown = Value::unknown("var.port has no value", Origin::None);
        let all = Value::set("-1".to_string(), Origin::None);
        assert!(Traffic::read(&all, &unknown, &unknown).is_ok());
        let tcp = Value::set("tcp".to_string(), Origin::None);
        let err = Traffic::read(&tcp, &unknown, &unknown).unwrap_err();
        assert!(err.reason.contains("var.port"), "{}", err.reason);
    }

    #[test]
    fn cidrs_world_and_containment() {
        let vpc = [parse_cidr("10.1.0.0/16").unwrap()];
        assert!(is_world(&parse_cidr("0.0.0.0/0").unwrap()));
        assert!(is_world(&parse_cidr("::/0").unwrap()));
        assert!(inside(&parse_cidr("10.1.2.0/24").unwrap(), &vpc));
        assert!(!inside(&parse_cidr("10.0.0.0/8").unwrap(), &vpc));
        assert_eq!(parse_cidr("10.1.2.3/16"), parse_cidr("10.1.0.0/16"));
        assert!(parse_cidr("var.cidr").is_none());
    }

    #[test]
    fn three_valued_logic() {
        let u = || Tri::Unknown(Why::new("x", &Origin::None));
        assert_eq!(u().and(|| Tri::No), Tri::No);
        assert_eq!(u().or(|| Tri::Yes), Tri::Yes);
        assert!(matches!(u().and(|| Tri::Yes), Tri::Unknown(_)));
    }
}
