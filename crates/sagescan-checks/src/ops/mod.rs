//! Operations checks (OPS1xx) that apply to every source: required tags, NAT gateway sprawl, mixed environments.
