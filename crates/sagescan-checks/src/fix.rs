//! Fixes: what a check proposes to change so that its finding goes away.
//!
//! A fix is source-independent, like the check that makes it. It says *what* to change on
//! the finding's resource in API terms (`EnableNetworkIsolation` = `true`, the
//! `InstanceMetadataServiceConfiguration.MinimumInstanceMetadataServiceVersion` path), and
//! carries the origin of the value it replaces. How that maps to Terraform attribute names
//! or CloudFormation properties, and how the text is edited, is the applier's business
//! (`sagescan-fix`), exactly as only loaders know syntax.
//!
//! A fix is [`Safety::Safe`] when applying it can only remove the hazard (a switch turned
//! off, a protection turned on) and [`Safety::Unsafe`] when it needs a human decision
//! (which subnets, which KMS key): unsafe fixes carry placeholders and are offered as
//! suggestions, never applied by default.

use sagescan_model::{Origin, Value};
use serde::Serialize;
use std::fmt;

/// One proposed change, titled imperatively (`Enable network isolation`).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Fix {
    pub title: &'static str,
    pub safety: Safety,
    pub edits: Vec<Edit>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Safety {
    /// Applying it removes the hazard and needs no decision.
    Safe,
    /// It needs a human decision; the value holds a placeholder.
    Unsafe,
}

impl Safety {
    pub fn as_str(self) -> &'static str {
        match self {
            Safety::Safe => "safe",
            Safety::Unsafe => "unsafe",
        }
    }
}

/// A change to the finding's resource.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "op", rename_all = "snake_case")]
pub enum Edit {
    /// Set the property at `path` (API / CloudFormation names, outermost first) to `value`,
    /// adding it, and the objects on its way, when absent.
    Set {
        path: &'static [&'static str],
        value: FixValue,
        /// Where the current value comes from: the value itself when it is set, the
        /// enclosing object when it is absent (see [`Value::Default`]). For appliers and
        /// SARIF locations; reports name the finding's location instead.
        #[serde(skip)]
        current: Origin,
        /// Whether the current value is written in the source (else it is a default).
        #[serde(skip)]
        present: bool,
    },
}

/// The value a fix writes.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "type", content = "value", rename_all = "snake_case")]
pub enum FixValue {
    Bool(bool),
    String(&'static str),
    /// A value only a human can choose; the text describes it (`KMS key ARN`).
    Placeholder(&'static str),
}

impl fmt::Display for FixValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FixValue::Bool(b) => write!(f, "{b}"),
            FixValue::String(s) => write!(f, "{s}"),
            FixValue::Placeholder(what) => write!(f, "<{what}>"),
        }
    }
}

impl Fix {
    /// The common fix: set one property, whose current state is `current`.
    pub fn set<T>(
        title: &'static str,
        safety: Safety,
        path: &'static [&'static str],
        value: FixValue,
        current: &Value<T>,
    ) -> Fix {
        Fix {
            title,
            safety,
            edits: vec![Edit::Set {
                path,
                value,
                current: current.origin().clone(),
                present: !current.is_default(),
            }],
        }
    }
}
