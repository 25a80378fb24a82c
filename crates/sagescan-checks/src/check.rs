//! What a check is: static identity and documentation plus a pure function over the model
//! that reports one outcome per resource it applies to.

use crate::options::Options;
use crate::outcome::Outcomes;
use crate::workload::{Workload, workloads};
use sagescan_model::{Model, Topology};
use serde::{Deserialize, Serialize};
use std::fmt;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Low,
    Medium,
    High,
    Critical,
}

impl Severity {
    pub const ALL: [Severity; 4] = [
        Severity::Low,
        Severity::Medium,
        Severity::High,
        Severity::Critical,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
            Severity::Critical => "critical",
        }
    }

    pub fn parse(s: &str) -> Option<Severity> {
        Severity::ALL
            .into_iter()
            .find(|v| v.as_str().eq_ignore_ascii_case(s))
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Everything a check may read, built once per run. Pure data: checks do no I/O.
pub struct Context<'m> {
    pub model: &'m Model,
    pub options: &'m Options,
    /// Subnet → route table / network ACL / VPC.
    pub topology: Topology,
    /// Every SageMaker workload with its subnets and security groups.
    pub workloads: Vec<Workload<'m>>,
    /// The reachability engine over the same model (answers are memoized per interface).
    pub reach: sagescan_reach::Engine<'m>,
}

impl<'m> Context<'m> {
    pub fn new(model: &'m Model, options: &'m Options) -> Self {
        let topology = Topology::new(model);
        Context {
            model,
            options,
            reach: sagescan_reach::Engine::new(model, &topology),
            topology,
            workloads: workloads(model),
        }
    }

    /// `f` of every workload, in workload order, computed in parallel. Reachability
    /// questions are independent of each other and dominate a scan's time; the engine
    /// memoizes answers, so later checks asking the same question read them back.
    pub fn per_workload<T: Send>(&self, f: impl Fn(&Workload<'m>) -> T + Sync + Send) -> Vec<T> {
        use rayon::prelude::*;
        self.workloads.par_iter().map(f).collect()
    }
}

/// A check: its identity, its knowledge-base page, and its function.
pub struct Check {
    /// Stable code, never reused (`SM111`).
    pub code: &'static str,
    /// Kebab-case name of the hazard (`notebook-direct-internet-access`).
    pub name: &'static str,
    pub severity: Severity,
    /// One line: what fails.
    pub summary: &'static str,
    /// Imperative, terse: what to do about a finding.
    pub remediation: &'static str,
    /// The knowledge-base page (the check's doc comment, Markdown).
    pub doc: &'static str,
    /// The check file, for "where is this implemented".
    pub file: &'static str,
    pub run: fn(&Context<'_>, &mut Outcomes),
}

impl fmt::Debug for Check {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Check")
            .field("code", &self.code)
            .field("name", &self.name)
            .finish()
    }
}

impl Check {
    /// The knowledge-base page as Markdown, without the one-space indent rustdoc lines carry.
    pub fn page(&self) -> String {
        let mut out = String::with_capacity(self.doc.len());
        for line in self.doc.lines() {
            out.push_str(line.strip_prefix(' ').unwrap_or(line));
            out.push('\n');
        }
        out
    }
}

/// Declares a check. The doc comment becomes both rustdoc and `sagescan explain CODE`.
///
/// ```ignore
/// check! {
///     /// ## What it checks
///     /// …
///     pub static CHECK = {
///         code: "SM111",
///         name: "notebook-direct-internet-access",
///         severity: High,
///         summary: "notebook instance has direct internet access",
///         remediation: "Set DirectInternetAccess to Disabled and place the notebook in a private subnet",
///         run: run,
///     };
/// }
/// ```
#[macro_export]
macro_rules! check {
    (
        $(#[doc = $doc:expr])*
        pub static $ident:ident = {
            code: $code:literal,
            name: $name:literal,
            severity: $sev:ident,
            summary: $summary:literal,
            remediation: $remediation:literal,
            run: $run:path $(,)?
        };
    ) => {
        $(#[doc = $doc])*
        pub static $ident: $crate::Check = $crate::Check {
            code: $code,
            name: $name,
            severity: $crate::Severity::$sev,
            summary: $summary,
            remediation: $remediation,
            doc: concat!($($doc, "\n"),*),
            file: file!(),
            run: $run,
        };
    };
}
