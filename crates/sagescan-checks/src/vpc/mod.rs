//! VPC and subnet checks (VPC1xx): flow logs, DNS attributes, public IP assignment, the default VPC and peering routes around SageMaker workloads.
//!
//! [`hosting`] answers "which VPCs host SageMaker workloads, and which subnets do they use"
//! once per run; the VPC, endpoint and SageMaker placement checks share it.

pub mod default_vpc_used;
pub mod dns_resolution_disabled;
pub mod flow_logs_missing;
pub(crate) mod hosting;
pub mod peering_route_too_broad;
pub mod subnet_auto_public_ip;
