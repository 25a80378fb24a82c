//! Security group checks (SG1xx): world-open rules, the default group, and what the groups on SageMaker workloads admit and emit.
