//! Three-state values with provenance.
//!
//! Every attribute a check can read is a [`Value`]: stated in the source ([`Value::Set`]),
//! absent so that the loader applied the documented AWS or provider default
//! ([`Value::Default`]), or not knowable from what was read ([`Value::Unknown`]: an unresolved
//! variable, a value computed at apply time, an API call that was denied). Checks never get
//! to collapse Unknown into a boolean: [`Value::get`] returns `None` for it, and the check
//! must say *inconclusive*.

use serde::{Deserialize, Serialize};
use std::sync::Arc;

/// Where a value or resource came from.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Origin {
    /// Nothing better is known (hand-built models, synthesized values).
    #[default]
    None,
    /// A span of a source file. `file` is the path as given on the command line.
    File(FileSpan),
    /// A live API response.
    Api {
        service: String,
        operation: String,
        region: String,
        account: String,
    },
}

/// A byte range of a file plus the 1-based line and column of its start.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct FileSpan {
    pub file: Arc<str>,
    pub start: u32,
    pub end: u32,
    pub line: u32,
    pub column: u32,
}

impl Origin {
    pub fn file(&self) -> Option<&FileSpan> {
        match self {
            Origin::File(span) => Some(span),
            _ => None,
        }
    }

    /// This origin, or `fallback` when nothing better is known: a finding should point
    /// somewhere, and the enclosing resource beats nowhere.
    pub fn or(self, fallback: &Origin) -> Origin {
        match self {
            Origin::None => fallback.clone(),
            known => known,
        }
    }
}

/// An attribute value in one of three states, each with its origin.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Value<T> {
    /// Stated explicitly in the source.
    Set {
        value: T,
        #[serde(default)]
        origin: Origin,
    },
    /// Absent from the source; the loader applied the documented default. The origin is the
    /// enclosing resource or block, which is where a fix would add the attribute.
    Default {
        value: T,
        #[serde(default)]
        origin: Origin,
    },
    /// Cannot be known from what was read; `reason` says why, for the user. `candidates`
    /// are the values it may take when the source bounds them (a CloudFormation parameter's
    /// `AllowedValues`), so that a check can still decide when every candidate agrees;
    /// empty means anything.
    Unknown {
        reason: String,
        #[serde(default)]
        origin: Origin,
        #[serde(default = "Vec::new", skip_serializing_if = "Vec::is_empty")]
        candidates: Vec<T>,
    },
}

impl<T> Value<T> {
    pub fn set(value: T, origin: Origin) -> Self {
        Value::Set { value, origin }
    }

    pub fn default_value(value: T, origin: Origin) -> Self {
        Value::Default { value, origin }
    }

    pub fn unknown(reason: impl Into<String>, origin: Origin) -> Self {
        Value::Unknown {
            reason: reason.into(),
            origin,
            candidates: Vec::new(),
        }
    }

    /// Unknown, but one of `candidates` (none given means anything, as [`Value::unknown`]).
    pub fn one_of(candidates: Vec<T>, reason: impl Into<String>, origin: Origin) -> Self {
        Value::Unknown {
            reason: reason.into(),
            origin,
            candidates,
        }
    }

    /// The effective value, whether stated or defaulted; `None` when unknown.
    pub fn get(&self) -> Option<&T> {
        match self {
            Value::Set { value, .. } | Value::Default { value, .. } => Some(value),
            Value::Unknown { .. } => None,
        }
    }

    pub fn origin(&self) -> &Origin {
        match self {
            Value::Set { origin, .. }
            | Value::Default { origin, .. }
            | Value::Unknown { origin, .. } => origin,
        }
    }

    pub fn is_set(&self) -> bool {
        matches!(self, Value::Set { .. })
    }

    pub fn is_default(&self) -> bool {
        matches!(self, Value::Default { .. })
    }

    pub fn unknown_reason(&self) -> Option<&str> {
        match self {
            Value::Unknown { reason, .. } => Some(reason),
            _ => None,
        }
    }

    /// The values an Unknown may take; empty when anything is possible or it is known.
    pub fn candidates(&self) -> &[T] {
        match self {
            Value::Unknown { candidates, .. } => candidates,
            _ => &[],
        }
    }

    /// Maps the value (or every candidate of an Unknown), keeping its state and origin.
    pub fn map<U>(self, mut f: impl FnMut(T) -> U) -> Value<U> {
        match self {
            Value::Set { value, origin } => Value::Set {
                value: f(value),
                origin,
            },
            Value::Default { value, origin } => Value::Default {
                value: f(value),
                origin,
            },
            Value::Unknown {
                reason,
                origin,
                candidates,
            } => Value::Unknown {
                reason,
                origin,
                candidates: candidates.into_iter().map(f).collect(),
            },
        }
    }

    pub fn as_ref(&self) -> Value<&T> {
        match self {
            Value::Set { value, origin } => Value::Set {
                value,
                origin: origin.clone(),
            },
            Value::Default { value, origin } => Value::Default {
                value,
                origin: origin.clone(),
            },
            Value::Unknown {
                reason,
                origin,
                candidates,
            } => Value::Unknown {
                reason: reason.clone(),
                origin: origin.clone(),
                candidates: candidates.iter().collect(),
            },
        }
    }
}

/// `Enabled` / `Disabled` switches as the SageMaker API spells them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Toggle {
    Enabled,
    Disabled,
}

impl Toggle {
    /// Parses the API spelling; anything else is not a valid value and the loader should
    /// make the attribute Unknown rather than guess.
    pub fn parse(s: &str) -> Option<Toggle> {
        match s {
            "Enabled" => Some(Toggle::Enabled),
            "Disabled" => Some(Toggle::Disabled),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Toggle::Enabled => "Enabled",
            Toggle::Disabled => "Disabled",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_has_no_effective_value() {
        let v: Value<bool> = Value::unknown("var.x has no value", Origin::None);
        assert_eq!(v.get(), None);
        assert_eq!(v.unknown_reason(), Some("var.x has no value"));
        let d = Value::default_value(true, Origin::None);
        assert_eq!(d.get(), Some(&true));
        assert!(d.is_default());
    }

    #[test]
    fn values_round_trip_through_json() {
        let v = Value::set(
            "VpcOnly".to_string(),
            Origin::File(FileSpan {
                file: "main.tf".into(),
                start: 3,
                end: 12,
                line: 2,
                column: 5,
            }),
        );
        let json = serde_json::to_string(&v).unwrap();
        assert_eq!(serde_json::from_str::<Value<String>>(&json).unwrap(), v);
    }

    #[test]
    fn candidates_survive_map_as_ref_and_json() {
        let v = Value::one_of(
            vec![Toggle::Enabled, Toggle::Disabled],
            "parameter P has no value",
            Origin::None,
        );
        assert_eq!(v.get(), None);
        assert_eq!(
            v.as_ref().candidates(),
            &[&Toggle::Enabled, &Toggle::Disabled]
        );
        assert_eq!(
            v.clone().map(Toggle::as_str).candidates(),
            &["Enabled", "Disabled"]
        );
        let json = serde_json::to_string(&v).unwrap();
        assert!(json.contains("candidates"));
        assert_eq!(serde_json::from_str::<Value<Toggle>>(&json).unwrap(), v);
        // A plain Unknown serializes as before: no empty candidates list.
        let plain: Value<Toggle> = Value::unknown("x", Origin::None);
        assert!(
            !serde_json::to_string(&plain)
                .unwrap()
                .contains("candidates")
        );
    }
}
