//! AWS Network Firewall: the Suricata subset sagescan reads, and what a firewall policy
//! does with a class of traffic or a single flow.

pub mod flow;
pub mod policy;
pub mod suricata;
