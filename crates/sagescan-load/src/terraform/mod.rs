//! The Terraform HCL loader: walks for root modules, parses files with spans (hcl-edit),
//! evaluates what is statically known ([`eval`]) and maps resource instances to the model
//! ([`map`]).

pub mod ir;
