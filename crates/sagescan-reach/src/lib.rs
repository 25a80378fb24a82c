//! The reachability engine: from a SageMaker workload (or a subnet and security groups) to
//! a destination class, evaluated hop by hop over the immutable model, following
//! `reachability-semantics` (security groups, network ACLs both ways, route tables, NAT and
//! internet gateways, VPC endpoints, Network Firewall, and SageMaker's own network planes).
//!
//! Also home of the rule semantics the checks share with it (security group and network ACL
//! rules, Suricata and firewall policies), so that a check and a reachability verdict can
//! never disagree on what a rule admits.

pub mod answer;
pub mod dns;
pub mod engine;
pub mod nfw;
pub mod query;
pub mod rules;
pub mod source;

pub use answer::{Admitted, Answer, Decision, Hop, Verdict};
pub use engine::Engine;
pub use query::{Destination, Direction};
pub use source::Workload;
