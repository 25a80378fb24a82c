//! Runs the selected checks over a model and turns outcomes into sorted findings.
//!
//! This is also where coverage gaps take effect: a check cannot know about files that did
//! not parse, so a *pass* in an incomplete configuration is downgraded to inconclusive here,
//! and a check that found nothing to judge in such a configuration reports one
//! inconclusive finding on the configuration (the unread part may hold what it checks).

use crate::check::{Check, Context};
use crate::outcome::{Finding, Outcomes, ResourceRef, Status, Verdict};
use sagescan_model::{ConfigId, Model, Origin};
use serde::Serialize;
use std::collections::BTreeSet;

/// The result of a run.
#[derive(Clone, Debug, Default, Serialize)]
pub struct CheckRun {
    /// Fails and inconclusives, sorted by file, line, column, code, address.
    pub findings: Vec<Finding>,
    pub checks_run: usize,
    pub resources: usize,
    pub passed: usize,
    pub failed: usize,
    pub inconclusive: usize,
}

/// Runs `checks` over `model`.
pub fn run(model: &Model, checks: &[&'static Check]) -> CheckRun {
    let ctx = Context { model };
    let incomplete: BTreeSet<ConfigId> = model
        .gaps
        .iter()
        .flat_map(|g| match g.config {
            Some(c) => vec![c],
            None => (0..model.configs.len() as ConfigId).collect(),
        })
        .collect();

    let mut out = CheckRun { checks_run: checks.len(), resources: model.all_meta().count(), ..Default::default() };
    for check in checks {
        let mut outcomes = Outcomes::default();
        (check.run)(&ctx, &mut outcomes);
        let mut judged: BTreeSet<ConfigId> = BTreeSet::new();
        for o in outcomes.items {
            judged.insert(o.resource.config);
            let (status, location, message) = match o.verdict {
                Verdict::Fail { location, message } => (Status::Fail, location, message),
                Verdict::Inconclusive { location, message } => (Status::Inconclusive, location, message),
                Verdict::Pass if incomplete.contains(&o.resource.config) => (
                    Status::Inconclusive,
                    o.resource_origin.clone(),
                    format!("would pass, but {}", gap_summary(model, o.resource.config)),
                ),
                Verdict::Pass => {
                    out.passed += 1;
                    continue;
                }
            };
            out.findings.push(finding(check, o.resource, o.resource_origin, status, location, message));
        }
        for &config in incomplete.difference(&judged) {
            let c = &model.configs[config as usize];
            let resource = ResourceRef {
                kind: "configuration",
                address: c.name.clone(),
                source_type: c.source.clone(),
                config,
            };
            let origin = first_gap_origin(model, config);
            let message = format!("nothing to check was found, but {}", gap_summary(model, config));
            out.findings.push(finding(check, resource, origin.clone(), Status::Inconclusive, origin, message));
        }
    }
    out.findings.sort_by(|a, b| sort_key(a).cmp(&sort_key(b)));
    out.failed = out.findings.iter().filter(|f| f.status == Status::Fail).count();
    out.inconclusive = out.findings.len() - out.failed;
    out
}

fn finding(
    check: &'static Check,
    resource: ResourceRef,
    resource_origin: Origin,
    status: Status,
    location: Origin,
    message: String,
) -> Finding {
    Finding {
        code: check.code,
        name: check.name,
        severity: check.severity,
        status,
        resource,
        resource_origin,
        location,
        message,
        remediation: check.remediation,
    }
}

fn gap_summary(model: &Model, config: ConfigId) -> String {
    let gaps: Vec<_> = model.gaps_of(config).collect();
    let first = gaps.first().map(|g| match g.origin.file() {
        Some(f) => format!("{}:{}: {}", f.file, f.line, g.message),
        None => g.message.clone(),
    });
    match (gaps.len(), first) {
        (1, Some(first)) => format!("the configuration is incomplete ({first})"),
        (n, Some(first)) => format!("the configuration is incomplete ({first}; and {} more)", n - 1),
        _ => "the configuration is incomplete".to_string(),
    }
}

fn first_gap_origin(model: &Model, config: ConfigId) -> Origin {
    model.gaps_of(config).map(|g| g.origin.clone()).next().unwrap_or_default()
}

fn sort_key(f: &Finding) -> (String, u32, u32, &'static str, &str) {
    match f.location.file() {
        Some(s) => (s.file.to_string(), s.line, s.column, f.code, &f.resource.address),
        None => (String::new(), 0, 0, f.code, &f.resource.address),
    }
}
