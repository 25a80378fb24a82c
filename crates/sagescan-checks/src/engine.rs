//! Runs the selected checks over a model and turns outcomes into sorted findings.
//!
//! This is also where coverage gaps take effect: a check cannot know about files that did
//! not parse, so a *pass* in an incomplete configuration is downgraded to inconclusive here,
//! and a check that found nothing to judge in such a configuration reports one
//! inconclusive finding on the configuration (the unread part may hold what it checks).

use crate::check::{Check, Context};
use crate::options::Options;
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
pub fn run(model: &Model, checks: &[&'static Check], options: &Options) -> CheckRun {
    let ctx = Context::new(model, options);
    let incomplete: BTreeSet<ConfigId> = model
        .gaps
        .iter()
        .flat_map(|g| match g.config {
            Some(c) => vec![c],
            None => (0..model.configs.len() as ConfigId).collect(),
        })
        .collect();

    let mut out = CheckRun {
        checks_run: checks.len(),
        resources: model.all_meta().count(),
        ..Default::default()
    };
    for check in checks {
        let mut outcomes = Outcomes::default();
        (check.run)(&ctx, &mut outcomes);
        let mut judged: BTreeSet<ConfigId> = BTreeSet::new();
        for o in outcomes.items {
            judged.insert(o.resource.config);
            let downgraded = matches!(o.verdict, Verdict::Pass);
            let (status, location, message) = match o.verdict {
                Verdict::Fail { location, message } => (Status::Fail, location, message),
                Verdict::Inconclusive { location, message } => {
                    (Status::Inconclusive, location, message)
                }
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
            let mut f = finding(
                check,
                o.resource,
                o.resource_origin,
                status,
                location,
                message,
                downgraded,
            );
            f.path = o.path;
            f.fix = o.fix;
            out.findings.push(f);
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
            let message = format!(
                "nothing to check was found, but {}",
                gap_summary(model, config)
            );
            out.findings.push(finding(
                check,
                resource,
                origin.clone(),
                Status::Inconclusive,
                origin,
                message,
                true,
            ));
        }
    }
    out.findings.sort_by(|a, b| sort_key(a).cmp(&sort_key(b)));
    out.failed = out
        .findings
        .iter()
        .filter(|f| f.status == Status::Fail)
        .count();
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
    incomplete: bool,
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
        suppression: None,
        incomplete,
        path: Vec::new(),
        fix: None,
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
        (n, Some(first)) => format!(
            "the configuration is incomplete ({first}; and {} more)",
            n - 1
        ),
        _ => "the configuration is incomplete".to_string(),
    }
}

fn first_gap_origin(model: &Model, config: ConfigId) -> Origin {
    model
        .gaps_of(config)
        .map(|g| g.origin.clone())
        .next()
        .unwrap_or_default()
}

/// Borrows everything: the key is computed twice per comparison, and on a large scan
/// (16,000 findings for 1,000 roots) allocating a path each time would dominate sorting.
fn sort_key(f: &Finding) -> (&str, u32, u32, &'static str, &str) {
    match f.location.file() {
        Some(s) => (&s.file, s.line, s.column, f.code, &f.resource.address),
        None => ("", 0, 0, f.code, &f.resource.address),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sagemaker::{domain_public_internet_access, notebook_direct_internet_access};
    use sagescan_model::sagemaker::NotebookInstance;
    use sagescan_model::{CoverageGap, FileSpan, Meta, Toggle, Value};

    fn at(file: &str, line: u32) -> Origin {
        Origin::File(FileSpan {
            file: file.into(),
            start: 0,
            end: 1,
            line,
            column: 1,
        })
    }

    fn notebook(
        config: ConfigId,
        address: &str,
        access: Toggle,
        origin: Origin,
    ) -> NotebookInstance {
        NotebookInstance {
            meta: Meta::new(
                address,
                "aws_sagemaker_notebook_instance",
                config,
                origin.clone(),
            ),
            direct_internet_access: Value::set(access, origin.clone()),
            root_access: Value::set(Toggle::Disabled, origin.clone()),
            subnet: Value::set(None, origin.clone()),
            security_groups: Value::set(Vec::new(), origin.clone()),
            kms_key_id: Value::set(None, origin.clone()),
            min_imds_version: Value::set("2".into(), origin),
        }
    }

    fn gap(config: ConfigId) -> CoverageGap {
        CoverageGap {
            config: Some(config),
            kind: "parse-error".into(),
            message: "unexpected token".into(),
            origin: at("broken/main.tf", 7),
        }
    }

    #[test]
    fn pass_in_an_incomplete_configuration_is_inconclusive() {
        let mut m = Model::default();
        let complete = m.add_config("ok", "terraform");
        let broken = m.add_config("broken", "terraform");
        m.notebook_instances.push(notebook(
            complete,
            "aws_sagemaker_notebook_instance.a",
            Toggle::Disabled,
            at("ok/main.tf", 1),
        ));
        m.notebook_instances.push(notebook(
            broken,
            "aws_sagemaker_notebook_instance.b",
            Toggle::Disabled,
            at("broken/nb.tf", 3),
        ));
        m.gaps.push(gap(broken));
        m.finish();

        let got = run(
            &m,
            &[&notebook_direct_internet_access::CHECK],
            &Options::default(),
        );
        assert_eq!((got.passed, got.failed, got.inconclusive), (1, 0, 1));
        let f = &got.findings[0];
        assert_eq!(f.status, Status::Inconclusive);
        assert_eq!(f.resource.address, "aws_sagemaker_notebook_instance.b");
        assert!(
            f.incomplete,
            "a downgraded pass is marked as caused by the gap"
        );
        assert_eq!(
            f.message,
            "would pass, but the configuration is incomplete (broken/main.tf:7: unexpected token)"
        );
        assert_eq!(
            f.location.file().map(|s| s.line),
            Some(3),
            "points at the resource"
        );
    }

    #[test]
    fn nothing_to_judge_in_an_incomplete_configuration_is_one_inconclusive() {
        let mut m = Model::default();
        let complete = m.add_config("ok", "terraform");
        let broken = m.add_config("broken", "terraform");
        m.gaps.push(gap(broken));
        m.gaps.push(CoverageGap {
            message: "module net (source git::…) is not loaded".into(),
            ..gap(broken)
        });
        m.finish();

        let got = run(
            &m,
            &[&domain_public_internet_access::CHECK],
            &Options::default(),
        );
        assert_eq!(got.findings.len(), 1, "{:?}", got.findings);
        let f = &got.findings[0];
        assert_eq!((f.code, f.status), ("SM101", Status::Inconclusive));
        assert_eq!(f.resource.kind, "configuration");
        assert!(f.incomplete);
        assert_eq!(
            (f.resource.address.as_str(), f.resource.config),
            ("broken", broken)
        );
        assert_eq!(
            f.message,
            "nothing to check was found, but the configuration is incomplete \
             (broken/main.tf:7: unexpected token; and 1 more)"
        );
        assert_eq!(
            f.location.file().map(|s| s.line),
            Some(7),
            "points at the first gap"
        );
        assert_ne!(f.resource.config, complete);
    }

    #[test]
    fn global_gap_makes_every_configuration_incomplete() {
        let mut m = Model::default();
        let a = m.add_config("a", "terraform");
        m.notebook_instances.push(notebook(
            a,
            "aws_sagemaker_notebook_instance.a",
            Toggle::Disabled,
            Origin::None,
        ));
        m.gaps.push(CoverageGap {
            config: None,
            ..gap(a)
        });
        m.finish();
        let got = run(
            &m,
            &[&notebook_direct_internet_access::CHECK],
            &Options::default(),
        );
        assert_eq!((got.passed, got.inconclusive), (0, 1));
    }

    #[test]
    fn findings_are_sorted_and_counted() {
        let mut m = Model::default();
        let c = m.add_config("root", "terraform");
        // Declared out of order: b.tf:9, a.tf:20, a.tf:4, a complete pass, and one without a file.
        m.notebook_instances.push(notebook(
            c,
            "aws_sagemaker_notebook_instance.z",
            Toggle::Enabled,
            at("b.tf", 9),
        ));
        m.notebook_instances.push(notebook(
            c,
            "aws_sagemaker_notebook_instance.y",
            Toggle::Enabled,
            at("a.tf", 20),
        ));
        m.notebook_instances.push(notebook(
            c,
            "aws_sagemaker_notebook_instance.x",
            Toggle::Enabled,
            at("a.tf", 4),
        ));
        m.notebook_instances.push(notebook(
            c,
            "aws_sagemaker_notebook_instance.ok",
            Toggle::Disabled,
            at("a.tf", 1),
        ));
        m.notebook_instances.push(notebook(
            c,
            "aws_sagemaker_notebook_instance.live",
            Toggle::Enabled,
            Origin::None,
        ));
        m.finish();

        let checks: &[&'static Check] = &[
            &notebook_direct_internet_access::CHECK,
            &domain_public_internet_access::CHECK,
        ];
        let got = run(&m, checks, &Options::default());
        let order: Vec<&str> = got
            .findings
            .iter()
            .map(|f| f.resource.address.as_str())
            .collect();
        assert_eq!(
            order,
            [
                "aws_sagemaker_notebook_instance.live",
                "aws_sagemaker_notebook_instance.x",
                "aws_sagemaker_notebook_instance.y",
                "aws_sagemaker_notebook_instance.z",
            ]
        );
        assert_eq!(got.checks_run, 2);
        assert_eq!(got.resources, 5);
        assert_eq!((got.passed, got.failed, got.inconclusive), (1, 4, 0));
        assert!(
            got.findings
                .iter()
                .all(|f| f.code == "SM111" && f.status == Status::Fail)
        );
    }
}
