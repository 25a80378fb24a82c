//! Reachability checks (NET): verdicts of the reachability engine on every SageMaker
//! workload — can it reach the internet, which domains, is it reachable from the internet,
//! can it reach the AWS services it needs, and is DNS a way out.

pub mod dns_exfiltration_open;
pub mod firewall_asymmetric_route;
pub mod workload_internet_egress_uninspected;
pub mod workload_internet_egress_unrestricted;
pub mod workload_internet_ingress;
pub mod workload_required_service_unreachable;
