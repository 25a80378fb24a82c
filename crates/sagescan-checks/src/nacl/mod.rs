//! Network ACL checks (NACL1xx): world-open entries, default ACLs on SageMaker subnets, shadowed entries.
