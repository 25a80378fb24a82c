//! Outcomes and findings.
//!
//! A check reports, for every resource it applies to, exactly one outcome: fail,
//! inconclusive or pass (resources it does not apply to get none: "not applicable").
//! Fails and inconclusives become [`Finding`]s; passes are only counted. `judge` covers the
//! common shape "one attribute decides", so that no check can forget the Unknown case.

use crate::check::Severity;
use crate::fix::Fix;
use sagescan_model::{ConfigId, Meta, Model, Origin, Resource, Value};
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
    /// Inconclusive only because the configuration has coverage gaps: the check itself
    /// passed, or found nothing to judge, in what could be read.
    pub incomplete: bool,
    /// For reachability findings: the path, one labelled hop per control.
    pub path: Vec<sagescan_reach::Hop>,
    /// What would make a fail go away, when the check knows.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fix: Option<Fix>,
}

impl Finding {
    /// A stable identity for "this check on this resource", the same across runs, machines
    /// and tool versions: SARIF's `partialFingerprints`, history and baselines use it to tell
    /// a new finding from an old one. It hashes the check code, the configuration's name and
    /// the resource address; not the line, so editing elsewhere in a file keeps it, and not
    /// the message, which may improve between versions.
    pub fn fingerprint(&self, model: &Model) -> String {
        let config = model
            .configs
            .get(self.resource.config as usize)
            .map_or("", |c| c.name.as_str());
        // FNV-1a, written out: std's hasher is not guaranteed stable across releases.
        let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
        for part in [self.code, config, &self.resource.address] {
            for &byte in part.as_bytes().iter().chain(&[0u8]) {
                hash ^= u64::from(byte);
                hash = hash.wrapping_mul(0x0100_0000_01b3);
            }
        }
        format!("{hash:016x}")
    }
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
    pub path: Vec<sagescan_reach::Hop>,
    pub fix: Option<Fix>,
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
            path: Vec::new(),
            fix: None,
        });
    }

    /// Attaches a reachability path to the outcome written last.
    pub fn with_path(&mut self, path: Vec<sagescan_reach::Hop>) {
        if let Some(o) = self.items.last_mut() {
            o.path = path;
        }
    }

    /// Attaches a fix to the outcome written last, if it is a fail: a check can call
    /// `judge` and offer the fix without repeating the verdict's logic.
    pub fn with_fix(&mut self, fix: Fix) {
        if let Some(o) = self.items.last_mut()
            && matches!(o.verdict, Verdict::Fail { .. })
        {
            o.fix = Some(fix);
        }
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
    ///
    /// An Unknown that names its candidates (a CloudFormation parameter's `AllowedValues`)
    /// is judged once per candidate: it passes or fails when they all agree, and is
    /// inconclusive otherwise, naming the candidates that would fail.
    pub fn judge<R, T>(
        &mut self,
        r: &R,
        what: &str,
        value: &Value<T>,
        fails: impl Fn(&T) -> Option<String>,
    ) where
        R: Subject + ?Sized,
        T: Serialize,
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
            Value::Unknown {
                reason,
                origin,
                candidates,
            } if !candidates.is_empty() => {
                let failing: Vec<(&T, String)> = candidates
                    .iter()
                    .filter_map(|c| fails(c).map(|msg| (c, msg)))
                    .collect();
                let names = |items: &mut dyn Iterator<Item = &T>| {
                    items.map(label).collect::<Vec<_>>().join(", ")
                };
                match failing.first() {
                    None => self.pass(r),
                    Some((_, msg)) if failing.len() == candidates.len() => {
                        let all = names(&mut candidates.iter());
                        self.fail(r, origin, format!("{msg} (for every allowed value: {all})"))
                    }
                    Some(_) => {
                        let bad = names(&mut failing.iter().map(|(c, _)| *c));
                        self.inconclusive(
                            r,
                            origin,
                            format!("cannot tell {what}: {reason}; it fails if {what} is {bad}"),
                        )
                    }
                }
            }
            Value::Unknown { reason, origin, .. } => {
                self.inconclusive(r, origin, format!("cannot tell {what}: {reason}"))
            }
        }
    }
}

/// A candidate value as the user wrote it: the API spelling of a string or enum, `none` for
/// an absent optional value, JSON for anything else.
fn label<T: Serialize>(value: &T) -> String {
    match serde_json::to_value(value) {
        Ok(serde_json::Value::String(s)) => s,
        Ok(serde_json::Value::Null) => "none".to_string(),
        Ok(other) => other.to_string(),
        // Only a map with non-string keys fails to serialize; no candidate is one.
        Err(e) => format!("(unprintable: {e})"),
    }
}

/// A value's origin, or the resource's when the value has none (hand-built models).
fn or_resource(location: &Origin, meta: &Meta) -> Origin {
    match location {
        Origin::None => meta.origin.clone(),
        other => other.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sagescan_model::Toggle;
    use sagescan_model::sagemaker::NotebookInstance;

    fn notebook(access: Value<Toggle>) -> NotebookInstance {
        let config = Model::default().add_config("t", "cloudformation");
        NotebookInstance {
            meta: Meta::new(
                "Nb",
                "AWS::SageMaker::NotebookInstance",
                config,
                Origin::None,
            ),
            direct_internet_access: access,
            root_access: Value::set(Toggle::Disabled, Origin::None),
            subnet: Value::set(None, Origin::None),
            security_groups: Value::set(Vec::new(), Origin::None),
            kms_key_id: Value::set(None, Origin::None),
            min_imds_version: Value::set("2".into(), Origin::None),
        }
    }

    /// The verdict of "DirectInternetAccess must not be Enabled" on `access`.
    fn judged(access: Value<Toggle>) -> Verdict {
        let nb = notebook(access);
        let mut out = Outcomes::default();
        out.judge(
            &nb,
            "DirectInternetAccess",
            &nb.direct_internet_access,
            |v| (*v == Toggle::Enabled).then(|| "direct internet access Enabled".to_string()),
        );
        assert_eq!(out.items.len(), 1);
        out.items.remove(0).verdict
    }

    fn one_of(candidates: Vec<Toggle>) -> Value<Toggle> {
        Value::one_of(candidates, "parameter Access has no value", Origin::None)
    }

    #[test]
    fn every_allowed_value_passing_passes() {
        assert!(matches!(
            judged(one_of(vec![Toggle::Disabled])),
            Verdict::Pass
        ));
    }

    #[test]
    fn every_allowed_value_failing_fails_and_says_so() {
        let Verdict::Fail { message, .. } = judged(one_of(vec![Toggle::Enabled])) else {
            panic!("not a fail")
        };
        assert_eq!(
            message,
            "direct internet access Enabled (for every allowed value: Enabled)"
        );
    }

    #[test]
    fn mixed_allowed_values_are_inconclusive_naming_the_failing_ones() {
        let Verdict::Inconclusive { message, .. } =
            judged(one_of(vec![Toggle::Disabled, Toggle::Enabled]))
        else {
            panic!("not inconclusive")
        };
        assert_eq!(
            message,
            "cannot tell DirectInternetAccess: parameter Access has no value; \
             it fails if DirectInternetAccess is Enabled"
        );
    }

    #[test]
    fn unknown_without_candidates_stays_inconclusive() {
        assert!(matches!(
            judged(Value::unknown(
                "parameter Access has no value",
                Origin::None
            )),
            Verdict::Inconclusive { .. }
        ));
    }

    fn finding(code: &'static str, address: &str, line: u32) -> Finding {
        Finding {
            code,
            name: "n",
            severity: Severity::High,
            status: Status::Fail,
            resource: ResourceRef {
                kind: "k",
                address: address.into(),
                source_type: "t".into(),
                config: 0,
            },
            resource_origin: Origin::None,
            location: Origin::File(sagescan_model::FileSpan {
                file: "main.tf".into(),
                start: 0,
                end: 1,
                line,
                column: 1,
            }),
            message: format!("message at {line}"),
            remediation: "",
            suppression: None,
            incomplete: false,
            path: Vec::new(),
            fix: None,
        }
    }

    #[test]
    fn fingerprint_ignores_line_and_message_but_not_identity() {
        let mut model = Model::default();
        model.add_config("infra", "terraform");
        let a = finding("SM111", "aws_sagemaker_notebook_instance.a", 3).fingerprint(&model);
        let moved = finding("SM111", "aws_sagemaker_notebook_instance.a", 40).fingerprint(&model);
        let other = finding("SM111", "aws_sagemaker_notebook_instance.b", 3).fingerprint(&model);
        let check = finding("SM112", "aws_sagemaker_notebook_instance.a", 3).fingerprint(&model);
        assert_eq!(a, moved);
        assert_ne!(a, other);
        assert_ne!(a, check);
        // Pinned: a change here silently turns every stored finding into a new one.
        assert_eq!(a, "7fcc17de0347dabb");
    }
}
