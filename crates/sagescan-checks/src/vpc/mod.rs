//! VPC and subnet checks (VPC1xx): flow logs, DNS attributes, public IP assignment, the default VPC and peering routes around SageMaker workloads.
