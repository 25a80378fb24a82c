//! The sagescan check catalogue.
//!
//! One file per check under an area module (`sagemaker/…`); its doc comment is its
//! knowledge-base page. Checks are pure functions over the immutable model, written once
//! for every source format. [`registry::CHECKS`] lists them all, sorted by code.

mod check;
mod engine;
pub mod fix;
pub mod nacl;
pub mod net;
pub mod nfw;
pub mod ops;
mod options;
mod outcome;
pub mod policy;
pub mod registry;
pub mod sagemaker;
pub mod sg;
#[cfg(test)]
mod soundness;
#[cfg(test)]
pub(crate) mod testing;
pub mod vpc;
pub mod vpce;
pub mod workload;
mod zones;

pub use check::{Check, Context, Severity};
pub use engine::{CheckRun, run};
pub use fix::{Edit, Fix, FixValue, Safety};
pub use options::{EndpointRequirements, Options};
pub use outcome::{Finding, Outcomes, ResourceRef, Status, Subject, Suppression};
pub use policy::{Date, Policy, Scope, Waiver, WaiverNotice, WaiverReport};
pub use registry::{CHECKS, find};
