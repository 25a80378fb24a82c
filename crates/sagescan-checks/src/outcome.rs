//! Outcomes and findings.
//!
//! A check reports, for every resource it applies to, exactly one outcome: fail,
//! inconclusive or pass (resources it does not apply to get none: "not applicable").
//! Fails and inconclusives become [`Finding`]s; passes are only counted. `judge` covers the
//! common shape "one attribute decides", so that no check can forget the Unknown case.

use crate::check::Severity;
use sagescan_model::{ConfigId, Meta, Origin, Resource, Value};
use serde::Serialize;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Fail,
    /// The verdict needed a value that is unknown, or the configuration is incomplete.
    Inconclusive,
    /// A fail or inconclusive finding that an active waiver covers; see
    /// [`Finding::suppression`]. It does not count towards the exit code.
    Suppressed,
}

/// Why a finding is suppressed: the waiver that covers it.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Suppression {
    pub reason: String,
    /// The waiver: its `[[waivers]]` entry in the config file, or the inline comment.
    pub source: Origin,
    /// The last day the waiver applies, `YYYY-MM-DD`.
    pub expires: Option<String>,
}

/// The resource a finding is about.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct ResourceRef {
    /// Source-independent kind (`sagemaker_notebook_instance`), or
    /// `configuration` for findings about a whole configuration.
    pub kind: &'static str,
    /// Terraform address, CloudFormation logical id, ARN, or the configuration's name.
    pub address: String,
    /// The source's type name (`aws_sagemaker_notebook_instance`).
    pub source_type: String,
    pub config: ConfigId,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Finding {
    pub code: &'static str,
    pub name: &'static str,
    pub severity: Severity,
    pub status: Status,
    pub resource: ResourceRef,
    /// Where the resource is declared.
    pub resource_origin: Origin,
    /// The attribute that decided (or the resource, when the attribute is absent).
    pub location: Origin,
    pub message: String,
    pub remediation: &'static str,
    /// Set when the status is [`Status::Suppressed`].
    pub suppression: Option<Suppression>,
}

/// What an outcome is about: a model resource, or a view of one (a SageMaker workload).
pub trait Subject {
    /// Source-independent kind, as in [`Resource::KIND`].
    fn kind(&self) -> &'static str;
    fn meta(&self) -> &Meta;
}

impl<R: Resource> Subject for R {
    fn kind(&self) -> &'static str {
        R::KIND
    }
    fn meta(&self) -> &Meta {
        Resource::meta(self)
    }
}

/// One resource's verdict, before findings are made.
#[derive(Clone, Debug)]
pub(crate) enum Verdict {
    Pass,
    Fail { location: Origin, message: String },
    Inconclusive { location: Origin, message: String },
}

#[derive(Clone, Debug)]
pub(crate) struct Outcome {
    pub resource: ResourceRef,
    pub resource_origin: Origin,
    pub verdict: Verdict,
}

/// Where a check writes its outcomes.
#[derive(Default)]
pub struct Outcomes {
    pub(crate) items: Vec<Outcome>,
}

impl Outcomes {
    fn push(&mut self, meta: &Meta, kind: &'static str, verdict: Verdict) {
        self.items.push(Outcome {
            resource: ResourceRef {
                kind,
                address: meta.address.clone(),
                source_type: meta.source_type.clone(),
                config: meta.config,
            },
            resource_origin: meta.origin.clone(),
            verdict,
        });
    }

    pub fn pass<R: Subject + ?Sized>(&mut self, r: &R) {
        self.push(r.meta(), r.kind(), Verdict::Pass);
    }

    pub fn fail<R: Subject + ?Sized>(
        &mut self,
        r: &R,
        location: &Origin,
        message: impl Into<String>,
    ) {
        let location = or_resource(location, r.meta());
        self.push(
            r.meta(),
            r.kind(),
            Verdict::Fail {
                location,
                message: message.into(),
            },
        );
    }

    pub fn inconclusive<R: Subject + ?Sized>(
        &mut self,
        r: &R,
        location: &Origin,
        message: impl Into<String>,
    ) {
        let location = or_resource(location, r.meta());
        self.push(
            r.meta(),
            r.kind(),
            Verdict::Inconclusive {
                location,
                message: message.into(),
            },
        );
    }

    /// The common case: one value decides. `fails` returns the failure message for a known
    /// value, or `None` when it passes. An Unknown value is inconclusive, with its reason;
    /// `what` names the attribute in API terms for that message (`DirectInternetAccess`).
    pub fn judge<R, T>(
        &mut self,
        r: &R,
        what: &str,
        value: &Value<T>,
        fails: impl FnOnce(&T) -> Option<String>,
    ) where
        R: Subject + ?Sized,
    {
        match value {
            Value::Set { value: v, origin } => match fails(v) {
                Some(msg) => self.fail(r, origin, msg),
                None => self.pass(r),
            },
            Value::Default { value: v, origin } => match fails(v) {
                Some(msg) => self.fail(
                    r,
                    origin,
                    format!("{msg} ({what} is not set; AWS default applies)"),
                ),
                None => self.pass(r),
            },
            Value::Unknown { reason, origin } => {
                self.inconclusive(r, origin, format!("cannot tell {what}: {reason}"))
            }
        }
    }
}

/// A value's origin, or the resource's when the value has none (hand-built models).
fn or_resource(location: &Origin, meta: &Meta) -> Origin {
    match location {
        Origin::None => meta.origin.clone(),
        other => other.clone(),
    }
}
