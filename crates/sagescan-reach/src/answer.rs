//! What the engine answers: a verdict, one witness path when reachable, every blocking
//! control when not, what was missing when unknown — each hop naming the resource and the
//! rule that decided it, with its origin.

use crate::nfw::policy::DomainPattern;
use crate::query::{Destination, Direction};
use sagescan_model::Origin;
use serde::{Serialize, Serializer};
use std::sync::Arc;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    NotReachable,
    Unknown,
    Reachable,
}

impl Verdict {
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Reachable => "reachable",
            Verdict::NotReachable => "not_reachable",
            Verdict::Unknown => "unknown",
        }
    }
}

/// What a hop did to the traffic.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Decision {
    /// Admitted (a rule allows it, a route forwards it, a gateway translates it).
    Allow,
    /// Dropped here.
    Block,
    /// Cannot be decided here.
    Unknown,
}

/// One step of a path. Walks copy paths at every branch, so the texts are shared, not
/// copied.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Hop {
    /// The resource's address (`aws_security_group.sagemaker`, a logical id, an ARN), or a
    /// name for what is not a resource (`internet`, `SageMaker-managed network`).
    pub resource: Arc<str>,
    /// Source-independent kind (`security_group`, `route_table`, `network_firewall`, …).
    pub kind: &'static str,
    pub decision: Decision,
    /// The rule or route that decided, as a user reads it.
    pub rule: Arc<str>,
    #[serde(rename = "location", serialize_with = "location")]
    pub origin: Origin,
}

/// A flow class the path admits end to end (forward and return).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Admitted {
    /// `tcp`, `udp`, `icmp`, or `any` for SageMaker-managed paths that no customer control
    /// filters.
    pub protocol: &'static str,
    /// Destination port (none for icmp and `any`).
    pub port: Option<u16>,
    /// What the application layer must look like: `any`, `tls sni pypi.org`, `http host
    /// *.example.com`, `tls without sni`, `other`.
    pub application: String,
    /// The allow-listed name pattern admission depends on, when it does.
    #[serde(skip)]
    pub name_pattern: Option<DomainPattern>,
    /// Whether a Network Firewall inspected it statefully on the way (an `aws:pass`
    /// stateless action or a path without a firewall is uninspected).
    pub inspected: bool,
}

impl Admitted {
    /// Admitted whatever the name: no domain allow-list decided it.
    pub fn any_name(&self) -> bool {
        self.name_pattern.is_none()
    }
}

/// The answer to one question.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Answer {
    pub verdict: Verdict,
    pub from: String,
    pub to: Destination,
    pub direction: Direction,
    /// The witness (reachable) or, otherwise, the most informative blocked path.
    pub path: Vec<Hop>,
    /// Every control that blocks some candidate path (not_reachable, or the parts of a
    /// reachable class that are blocked).
    pub blocked_by: Vec<Hop>,
    /// What could not be decided.
    pub unknown_because: Vec<Hop>,
    /// Flow classes admitted end to end (empty unless reachable).
    pub admitted: Vec<Admitted>,
    /// Firewall endpoints crossed one way but not the other (NET104).
    pub asymmetric: Vec<Hop>,
    /// Unknowns that stopped a walk before the reply's way back from the internet was
    /// known: whether that traffic crosses a firewall one way only is open (NET104).
    #[serde(skip)]
    pub return_unknown: Vec<Hop>,
    /// Facts a reader needs to trust the verdict (assumptions, sampled ports).
    pub notes: Vec<String>,
}

fn location<S: Serializer>(origin: &Origin, s: S) -> Result<S::Ok, S::Error> {
    #[derive(Serialize)]
    struct File<'a> {
        file: &'a str,
        line: u32,
        column: u32,
    }
    #[derive(Serialize)]
    struct Api<'a> {
        service: &'a str,
        operation: &'a str,
        region: &'a str,
        account: &'a str,
    }
    match origin {
        Origin::File(f) => File {
            file: &f.file,
            line: f.line,
            column: f.column,
        }
        .serialize(s),
        Origin::Api {
            service,
            operation,
            region,
            account,
        } => Api {
            service,
            operation,
            region,
            account,
        }
        .serialize(s),
        Origin::None => s.serialize_none(),
    }
}
