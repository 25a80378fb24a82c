//! The normalized model of SageMaker network posture.
//!
//! Loaders (Terraform, CloudFormation, plan JSON, live AWS) are the only code that knows a
//! syntax; they produce this model. Checks and the reachability engine read only this
//! model, which is why the same scenario yields the same findings from any source.
//! Every attribute is a [`Value`]: set, defaulted or unknown, with its [`Origin`].

pub mod dns;
pub mod model;
pub mod network;
pub mod resource;
pub mod sagemaker;
pub mod studio;
pub mod topology;
pub mod value;

pub use model::{Configuration, CoverageGap, Model, Resource, SourceFile};
pub use resource::{ConfigId, Meta, Ref};
pub use topology::{Link, Topology};
pub use value::{FileSpan, Origin, Toggle, Value};
