//! The sagescan check catalogue.
//!
//! One file per check under an area module (`sagemaker/…`); its doc comment is its
//! knowledge-base page. Checks are pure functions over the immutable model, written once
//! for every source format. [`registry::CHECKS`] lists them all, sorted by code.

mod check;
mod engine;
mod outcome;
pub mod registry;
pub mod sagemaker;
#[cfg(test)]
pub(crate) mod testing;

pub use check::{Check, Context, Severity};
pub use engine::{CheckRun, run};
pub use outcome::{Finding, Outcomes, ResourceRef, Status};
pub use registry::{CHECKS, find};
