//! VPC endpoint checks (VPCE1xx): the PrivateLink and gateway endpoints private SageMaker workloads need, and how they are exposed.
