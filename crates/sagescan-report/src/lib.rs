//! Report emitters: turn one check run over one model into the text a user reads.
//!
//! Every format is an [`Emitter`] in a file of its own ([`text`], [`json`], [`sarif`],
//! [`junit`], [`html`], [`csv`], [`markdown`]) and is fed the
//! same [`Report`]: the complete, sorted findings, the run's metadata and the coverage gaps.
//! Emitters do no I/O besides writing to the sink they are given and depend on nothing but
//! the report, so their output is deterministic: the same model yields the same bytes.

pub mod csv;
mod escape;
pub mod graph;
pub mod html;
pub mod json;
pub mod junit;
pub mod markdown;
pub mod reach;
pub mod sarif;
pub mod text;

#[cfg(test)]
mod hostile;

use sagescan_checks::{CheckRun, Finding, Severity, Status, WaiverReport};
use sagescan_model::{CoverageGap, Model, Origin};
use serde::Serialize;
use std::collections::BTreeSet;
use std::io;

pub use csv::Csv;
/// Untrusted text (a name, a path) made safe for one terminal or log line: line breaks,
/// control characters and bidi overrides written as `\n`, `\u{202e}`….
pub use escape::visible;
pub use html::Html;
pub use json::{Json, SCHEMA_VERSION};
pub use junit::Junit;
pub use markdown::Markdown;
pub use sarif::Sarif;
pub use text::Text;

/// Writes a report in one format.
pub trait Emitter {
    fn emit(&self, report: &Report<'_>, out: &mut dyn io::Write) -> io::Result<()>;
}

/// The tool that produced a report.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Tool<'a> {
    pub name: &'a str,
    pub version: &'a str,
}

/// Everything an emitter may show.
#[derive(Debug)]
pub struct Report<'a> {
    pub tool: Tool<'a>,
    pub model: &'a Model,
    /// Findings sorted by location, as [`sagescan_checks::run`] returns them.
    pub findings: &'a [Finding],
    /// Coverage gaps in a stable order (the loader may record them in any order, since
    /// files are parsed in parallel).
    pub gaps: Vec<&'a CoverageGap>,
    pub summary: Summary,
    /// Waivers that did not apply (expired) or matched nothing (unused).
    pub waivers: WaiverReport,
}

impl<'a> Report<'a> {
    pub fn new(tool: Tool<'a>, model: &'a Model, run: &'a CheckRun) -> Self {
        let mut gaps: Vec<&CoverageGap> = model.gaps.iter().collect();
        gaps.sort_by(|a, b| gap_key(a).cmp(&gap_key(b)));
        Report {
            tool,
            model,
            findings: &run.findings,
            gaps,
            summary: Summary::new(model, run),
            waivers: WaiverReport::default(),
        }
    }

    /// Adds what applying the waivers reported (see [`sagescan_checks::policy::apply`]).
    pub fn with_waivers(mut self, waivers: WaiverReport) -> Self {
        self.waivers = waivers;
        self
    }

    /// The configuration name a gap belongs to, if any.
    pub fn gap_configuration(&self, gap: &CoverageGap) -> Option<&'a str> {
        let config = gap.config?;
        self.model
            .configs
            .get(config as usize)
            .map(|c| c.name.as_str())
    }
}

fn gap_key(g: &CoverageGap) -> (Option<(&str, u32, u32)>, &str, &str) {
    let at = g.origin.file().map(|f| (&*f.file, f.line, f.column));
    (at, g.kind.as_str(), g.message.as_str())
}

/// Counts for the closing line of a text report and the `summary` object of JSON.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Summary {
    pub configurations: usize,
    /// Distinct files read: those kept for snippets plus those only known from a gap.
    pub files: usize,
    pub resources: usize,
    pub checks_run: usize,
    pub passed: usize,
    pub failed: usize,
    pub inconclusive: usize,
    /// Findings a waiver covers; they do not count as failed or inconclusive.
    pub suppressed: usize,
    /// Failed findings per severity.
    pub by_severity: BySeverity,
}

/// Failed findings per severity, most severe first (the order readers scan for).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct BySeverity {
    pub critical: usize,
    pub high: usize,
    pub medium: usize,
    pub low: usize,
}

impl BySeverity {
    fn slot(&mut self, s: Severity) -> &mut usize {
        match s {
            Severity::Critical => &mut self.critical,
            Severity::High => &mut self.high,
            Severity::Medium => &mut self.medium,
            Severity::Low => &mut self.low,
        }
    }

    /// Non-zero counts, most severe first.
    pub fn nonzero(&self) -> Vec<(Severity, usize)> {
        [
            (Severity::Critical, self.critical),
            (Severity::High, self.high),
            (Severity::Medium, self.medium),
            (Severity::Low, self.low),
        ]
        .into_iter()
        .filter(|&(_, n)| n > 0)
        .collect()
    }
}

impl Summary {
    pub fn new(model: &Model, run: &CheckRun) -> Self {
        let mut by_severity = BySeverity::default();
        for f in run.findings.iter().filter(|f| f.status == Status::Fail) {
            *by_severity.slot(f.severity) += 1;
        }
        let files: BTreeSet<&str> = model
            .sources
            .iter()
            .map(|s| s.path.as_str())
            .chain(
                model
                    .gaps
                    .iter()
                    .filter_map(|g| g.origin.file().map(|f| &*f.file)),
            )
            .collect();
        Summary {
            configurations: model.configs.len(),
            files: files.len(),
            resources: run.resources,
            checks_run: run.checks_run,
            passed: run.passed,
            failed: run.failed,
            inconclusive: run.inconclusive,
            suppressed: run
                .findings
                .iter()
                .filter(|f| f.status == Status::Suppressed)
                .count(),
            by_severity,
        }
    }
}

/// `file:line:column` for a file origin, a readable API call for a live one.
pub fn origin_label(origin: &Origin) -> Option<String> {
    match origin {
        Origin::None => None,
        Origin::File(f) => Some(format!("{}:{}:{}", f.file, f.line, f.column)),
        Origin::Api {
            service,
            operation,
            region,
            account,
        } => Some(format!("{service}:{operation} in {account}/{region}")),
    }
}

#[cfg(test)]
pub(crate) mod fixtures;
