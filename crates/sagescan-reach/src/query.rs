//! What a reachability question asks: a destination class, as users write it on the
//! command line (`internet`, `internet:443`, `domain:pypi.org:443`, `service:s3`,
//! `cidr:10.1.0.0/16:5432`) and as checks build it.

use ipnet::Ipv4Net;
use serde::Serialize;
use std::fmt;

/// A destination class (reachability-semantics §8.3). Serialized in its command-line form.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Destination {
    /// Any public address; `port: None` = any protocol and port.
    Internet { port: Option<u16> },
    /// A host name over TLS (SNI) or HTTP (Host) on `port` (443 unless given).
    Domain { name: String, port: u16 },
    /// An AWS service of the workload's region by its endpoint suffix (`s3`,
    /// `sagemaker.api`, `sts`, …), on 443.
    Service { name: String },
    /// Addresses of a CIDR, on `port` (any when `None`).
    Cidr { net: Ipv4Net, port: Option<u16> },
}

/// Which way traffic is initiated.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    /// The workload opens the connection.
    Egress,
    /// The destination class opens a connection to the workload (`--to internet` with
    /// `--ingress`: can the internet reach it).
    Ingress,
}

impl Destination {
    /// Parses the command-line form; the error says what is accepted.
    pub fn parse(s: &str) -> Result<Destination, String> {
        let bad = |why: &str| {
            Err(format!(
                "`{s}`: {why}; expected internet[:PORT], domain:NAME[:PORT], service:NAME or cidr:A.B.C.D/N[:PORT]"
            ))
        };
        let port = |p: &str| p.parse::<u16>().ok().filter(|p| *p > 0);
        let (kind, rest) = s.split_once(':').unwrap_or((s, ""));
        match kind {
            "internet" if rest.is_empty() => Ok(Destination::Internet { port: None }),
            "internet" => match port(rest) {
                Some(p) => Ok(Destination::Internet { port: Some(p) }),
                None => bad("not a port number"),
            },
            "domain" => {
                let (name, p) = match rest.rsplit_once(':') {
                    Some((n, p)) => match port(p) {
                        Some(p) => (n, p),
                        None => return bad("not a port number"),
                    },
                    None => (rest, 443),
                };
                let name = name.trim().trim_end_matches('.').to_ascii_lowercase();
                if name.is_empty()
                    || !name
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '.')
                {
                    return bad("not a host name");
                }
                Ok(Destination::Domain { name, port: p })
            }
            "service" if !rest.is_empty() => Ok(Destination::Service {
                name: rest.trim().to_ascii_lowercase(),
            }),
            "cidr" => {
                let (net, p) = match rest.matches(':').count() {
                    0 => (rest, None),
                    _ => {
                        let (n, p) = rest.rsplit_once(':').unwrap_or((rest, ""));
                        match port(p) {
                            Some(p) => (n, Some(p)),
                            None => return bad("not a port number"),
                        }
                    }
                };
                match net
                    .parse::<Ipv4Net>()
                    .or_else(|_| net.parse().map(|a| Ipv4Net::new(a, 32).expect("/32")))
                {
                    Ok(n) => Ok(Destination::Cidr {
                        net: n.trunc(),
                        port: p,
                    }),
                    Err(_) => bad("not an IPv4 CIDR"),
                }
            }
            _ => bad("unknown destination"),
        }
    }

    /// The one port the class is about, when it names one.
    pub fn port(&self) -> Option<u16> {
        match self {
            Destination::Internet { port } | Destination::Cidr { port, .. } => *port,
            Destination::Domain { port, .. } => Some(*port),
            Destination::Service { .. } => Some(443),
        }
    }
}

impl Serialize for Destination {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl fmt::Display for Destination {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Destination::Internet { port: None } => f.write_str("internet"),
            Destination::Internet { port: Some(p) } => write!(f, "internet:{p}"),
            Destination::Domain { name, port } => write!(f, "domain:{name}:{port}"),
            Destination::Service { name } => write!(f, "service:{name}"),
            Destination::Cidr { net, port: None } => write!(f, "cidr:{net}"),
            Destination::Cidr { net, port: Some(p) } => write!(f, "cidr:{net}:{p}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_every_form_and_round_trips() {
        for s in [
            "internet",
            "internet:443",
            "domain:pypi.org:443",
            "service:sagemaker.api",
            "cidr:10.1.0.0/16",
            "cidr:10.1.2.3/32:5432",
        ] {
            assert_eq!(Destination::parse(s).unwrap().to_string(), s);
        }
        assert_eq!(
            Destination::parse("domain:Evil.Example").unwrap(),
            Destination::Domain {
                name: "evil.example".into(),
                port: 443
            }
        );
    }

    #[test]
    fn rejects_what_it_cannot_read_with_the_accepted_forms() {
        for s in [
            "internet:http",
            "domain:",
            "cidr:10.0.0.0/33",
            "moon",
            "domain:a b",
        ] {
            let e = Destination::parse(s).unwrap_err();
            assert!(e.contains("expected internet[:PORT]"), "{e}");
        }
    }
}
