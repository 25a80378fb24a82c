//! The user's policy applied to a finished check run: severity overrides and waivers.
//!
//! This is pure: the caller builds a [`Policy`] (from `sagescan.toml` and inline comments)
//! and passes today's date, so that expiry is testable. A waiver suppresses the findings of
//! its check on the resources it names; a suppressed finding keeps its place in the run
//! with [`Status::Suppressed`] and the waiver's reason, so reports still show it. A waiver
//! past its expiry date does not apply and is reported, and so is an active waiver that
//! matched nothing (it is stale, or names a resource wrongly), as cargo-deny does.

use crate::check::{Check, Severity};
use crate::engine::CheckRun;
use crate::outcome::{Finding, Status, Suppression};
use sagescan_model::Origin;
use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::sync::Arc;

/// Severity overrides and waivers, already validated.
#[derive(Debug, Default)]
pub struct Policy {
    /// Check code → the severity its findings get instead of the catalogue's.
    pub severity: BTreeMap<String, Severity>,
    pub waivers: Vec<Waiver>,
}

/// One waiver: the findings of check `code` on the resources `scope` names.
#[derive(Debug)]
pub struct Waiver {
    pub code: String,
    pub scope: Scope,
    /// How the user named the resources: the glob, or the declared address.
    pub resource: String,
    pub reason: String,
    /// The `[[waivers]]` entry or the inline comment.
    pub source: Origin,
    /// The last day the waiver applies.
    pub expires: Option<Date>,
}

/// Which resources a waiver covers.
#[derive(Debug)]
pub enum Scope {
    /// Resources whose address matches the pattern (a config file glob). An instance
    /// address (`aws_x.y[0]`, `module.m["a"].aws_x.y`) also matches when the address
    /// without instance keys does, so a pattern naming a resource covers all its instances.
    Addresses(Box<dyn AddressPattern>),
    /// The resource declared at this file offset (an inline comment's resource): every
    /// instance points its declaration there.
    Declaration { file: Arc<str>, start: u32 },
}

/// An address matcher. The binary implements it with a glob library, which this crate
/// does not need to depend on.
pub trait AddressPattern: fmt::Debug + Send + Sync {
    fn matches(&self, address: &str) -> bool;
}

/// A waiver as reports show it (expired or unused).
#[derive(Clone, Debug, PartialEq)]
pub struct WaiverNotice {
    pub code: String,
    pub resource: String,
    pub reason: String,
    pub source: Origin,
    pub expires: Option<Date>,
}

/// What applying the waivers found besides suppressions.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct WaiverReport {
    /// Past their expiry date: not applied.
    pub expired: Vec<WaiverNotice>,
    /// Active, for a check that ran, yet matched no finding.
    pub unused: Vec<WaiverNotice>,
}

/// A calendar date (proleptic Gregorian), ordered chronologically.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date {
    year: i32,
    month: u8,
    day: u8,
}

impl Date {
    /// Parses `YYYY-MM-DD`, rejecting days that do not exist (`2025-02-29`).
    pub fn parse(s: &str) -> Option<Date> {
        let b = s.as_bytes();
        let digits = |r: std::ops::Range<usize>| {
            b[r.clone()]
                .iter()
                .all(u8::is_ascii_digit)
                .then(|| s[r].parse::<u32>().ok())
                .flatten()
        };
        if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
            return None;
        }
        let (year, month, day) = (digits(0..4)?, digits(5..7)?, digits(8..10)?);
        let date = Date {
            year: year as i32,
            month: u8::try_from(month).ok()?,
            day: u8::try_from(day).ok()?,
        };
        ((1..=12).contains(&month)
            && day >= 1
            && day <= u32::from(days_in_month(date.year, date.month)))
        .then_some(date)
    }

    /// The date `days` after 1970-01-01 (Howard Hinnant's `civil_from_days`).
    pub fn from_unix_days(days: i64) -> Date {
        let z = days + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z.rem_euclid(146_097);
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let day = (doy - (153 * mp + 2) / 5 + 1) as u8;
        let month = if mp < 10 { mp + 3 } else { mp - 9 } as u8;
        let year = (yoe + era * 400 + i64::from(month <= 2)) as i32;
        Date { year, month, day }
    }
}

fn days_in_month(year: i32, month: u8) -> u8 {
    match month {
        2 if year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

impl Waiver {
    fn notice(&self) -> WaiverNotice {
        WaiverNotice {
            code: self.code.clone(),
            resource: self.resource.clone(),
            reason: self.reason.clone(),
            source: self.source.clone(),
            expires: self.expires,
        }
    }

    fn covers(&self, f: &Finding) -> bool {
        match &self.scope {
            Scope::Addresses(p) => {
                let address = &f.resource.address;
                p.matches(address) || p.matches(&declared_address(address))
            }
            Scope::Declaration { file, start } => f
                .resource_origin
                .file()
                .is_some_and(|s| s.file == *file && s.start == *start),
        }
    }
}

/// Applies `policy` to `run` (the result of running `checks`) as of `today`: overrides
/// severities, suppresses waived findings and recounts failed and inconclusive findings.
pub fn apply(
    run: &mut CheckRun,
    checks: &[&'static Check],
    policy: &Policy,
    today: Date,
) -> WaiverReport {
    let mut report = WaiverReport::default();
    // Waivers by code, so that each finding is compared only with its own check's waivers.
    let mut active: HashMap<&str, Vec<usize>> = HashMap::new();
    for (i, w) in policy.waivers.iter().enumerate() {
        if w.expires.is_some_and(|e| e < today) {
            report.expired.push(w.notice());
        } else {
            active.entry(w.code.as_str()).or_default().push(i);
        }
    }
    let mut used = vec![false; policy.waivers.len()];
    for f in &mut run.findings {
        if let Some(&severity) = policy.severity.get(f.code) {
            f.severity = severity;
        }
        let Some(candidates) = active.get(f.code) else {
            continue;
        };
        let mut covering = candidates
            .iter()
            .copied()
            .filter(|&i| policy.waivers[i].covers(f));
        let Some(first) = covering.next() else {
            continue;
        };
        used[first] = true;
        // Every waiver that covers the finding is in use, not only the one shown.
        covering.for_each(|i| used[i] = true);
        let w = &policy.waivers[first];
        f.status = Status::Suppressed;
        f.suppression = Some(Suppression {
            reason: w.reason.clone(),
            source: w.source.clone(),
            expires: w.expires.map(|d| d.to_string()),
        });
    }
    // A waiver for a check that did not run (deselected) cannot be judged unused.
    for i in active.values().flatten().copied() {
        let w = &policy.waivers[i];
        if !used[i] && checks.iter().any(|c| c.code == w.code) {
            report.unused.push(w.notice());
        }
    }
    report
        .unused
        .sort_by_key(|n| n.source.file().map(|s| (s.file.clone(), s.start)));
    run.failed = count(run, Status::Fail);
    run.inconclusive = count(run, Status::Inconclusive);
    report
}

fn count(run: &CheckRun, status: Status) -> usize {
    run.findings.iter().filter(|f| f.status == status).count()
}

/// The address without instance keys: `module.m["a"].aws_x.y[0]` → `module.m.aws_x.y`.
/// Keys are skipped as whole bracketed strings, so a `]` inside a quoted key does not end one.
pub fn declared_address(address: &str) -> String {
    let mut out = String::with_capacity(address.len());
    let mut chars = address.chars();
    while let Some(c) = chars.next() {
        if c != '[' {
            out.push(c);
            continue;
        }
        let mut quoted = false;
        let mut escaped = false;
        for k in chars.by_ref() {
            match k {
                _ if escaped => escaped = false,
                '\\' if quoted => escaped = true,
                '"' => quoted = !quoted,
                ']' if !quoted => break,
                _ => {}
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::outcome::ResourceRef;
    use crate::sagemaker::{notebook_direct_internet_access, notebook_outside_vpc};
    use sagescan_model::FileSpan;

    /// Exact match or `prefix*`, enough to exercise scopes without a glob library.
    #[derive(Debug)]
    struct Pat(&'static str);

    impl AddressPattern for Pat {
        fn matches(&self, address: &str) -> bool {
            match self.0.strip_suffix('*') {
                Some(prefix) => address.starts_with(prefix),
                None => address == self.0,
            }
        }
    }

    fn at(file: &str, start: u32, line: u32) -> Origin {
        Origin::File(FileSpan {
            file: file.into(),
            start,
            end: start + 1,
            line,
            column: 1,
        })
    }

    fn finding(code: &'static str, address: &str, status: Status, decl: Origin) -> Finding {
        Finding {
            code,
            name: "n",
            severity: Severity::High,
            status,
            resource: ResourceRef {
                kind: "sagemaker_notebook_instance",
                address: address.into(),
                source_type: "aws_sagemaker_notebook_instance".into(),
                config: 0,
            },
            resource_origin: decl.clone(),
            location: decl,
            message: "m".into(),
            remediation: "r",
            suppression: None,
            path: Vec::new(),
            incomplete: false,
            fix: None,
        }
    }

    fn run_of(findings: Vec<Finding>) -> CheckRun {
        let failed = findings.iter().filter(|f| f.status == Status::Fail).count();
        CheckRun {
            inconclusive: findings.len() - failed,
            failed,
            findings,
            ..CheckRun::default()
        }
    }

    fn waiver(code: &str, scope: Scope, expires: Option<&str>, line: u32) -> Waiver {
        Waiver {
            code: code.into(),
            scope,
            resource: "r".into(),
            reason: format!("reason {line}"),
            source: at("sagescan.toml", line * 10, line),
            expires: expires.and_then(Date::parse),
        }
    }

    const CHECKS: &[&Check] = &[
        &notebook_direct_internet_access::CHECK,
        &notebook_outside_vpc::CHECK,
    ];
    const NB: &str = "aws_sagemaker_notebook_instance";

    fn today() -> Date {
        Date::parse("2025-06-15").unwrap()
    }

    #[test]
    fn a_waiver_suppresses_every_instance_and_recounts() {
        let decl = at("main.tf", 40, 3);
        let mut run = run_of(vec![
            finding("SM111", &format!("{NB}.lab[0]"), Status::Fail, decl.clone()),
            finding(
                "SM111",
                &format!("{NB}.lab[1]"),
                Status::Inconclusive,
                decl.clone(),
            ),
            finding(
                "SM111",
                &format!("{NB}.prod"),
                Status::Fail,
                at("main.tf", 90, 9),
            ),
            finding("SM112", &format!("{NB}.lab[0]"), Status::Fail, decl),
        ]);
        let policy = Policy {
            waivers: vec![waiver(
                "SM111",
                Scope::Addresses(Box::new(Pat("aws_sagemaker_notebook_instance.lab"))),
                Some("2025-06-15"),
                4,
            )],
            ..Policy::default()
        };
        let report = apply(&mut run, CHECKS, &policy, today());
        let statuses: Vec<Status> = run.findings.iter().map(|f| f.status).collect();
        use Status::*;
        assert_eq!(statuses, [Suppressed, Suppressed, Fail, Fail]);
        let s = run.findings[0].suppression.as_ref().unwrap();
        assert_eq!(s.reason, "reason 4");
        assert_eq!(
            s.expires.as_deref(),
            Some("2025-06-15"),
            "active on its last day"
        );
        assert_eq!(s.source.file().map(|f| f.line), Some(4));
        assert_eq!((run.failed, run.inconclusive), (2, 0));
        assert_eq!(report, WaiverReport::default());
    }

    #[test]
    fn a_declaration_waiver_matches_by_where_the_resource_is_declared() {
        let mut run = run_of(vec![
            finding(
                "SM111",
                "module.a.x.y",
                Status::Fail,
                at("mod/main.tf", 7, 2),
            ),
            finding(
                "SM111",
                "module.b.x.y",
                Status::Fail,
                at("mod/main.tf", 7, 2),
            ),
            finding("SM111", "x.z", Status::Fail, at("mod/main.tf", 70, 9)),
        ]);
        let scope = Scope::Declaration {
            file: "mod/main.tf".into(),
            start: 7,
        };
        let policy = Policy {
            waivers: vec![waiver("SM111", scope, None, 1)],
            ..Policy::default()
        };
        apply(&mut run, CHECKS, &policy, today());
        assert_eq!(run.failed, 1);
        assert_eq!(run.findings[2].status, Status::Fail);
    }

    #[test]
    fn expired_and_unused_waivers_are_reported_not_applied() {
        let mut run = run_of(vec![finding(
            "SM111",
            "a.b",
            Status::Fail,
            at("m.tf", 0, 1),
        )]);
        let all = || Scope::Addresses(Box::new(Pat("*")));
        let policy = Policy {
            waivers: vec![
                waiver("SM111", all(), Some("2025-06-14"), 1),
                waiver("SM112", all(), None, 2),
                // A check that did not run: nothing can be said about this one.
                waiver("SM999", all(), None, 3),
            ],
            ..Policy::default()
        };
        let report = apply(&mut run, CHECKS, &policy, today());
        assert_eq!(run.findings[0].status, Status::Fail);
        assert_eq!(run.failed, 1);
        assert_eq!(report.expired.len(), 1);
        assert_eq!(
            report.expired[0].expires.map(|d| d.to_string()).as_deref(),
            Some("2025-06-14")
        );
        let unused: Vec<&str> = report.unused.iter().map(|n| n.code.as_str()).collect();
        assert_eq!(unused, ["SM112"]);
    }

    #[test]
    fn severity_overrides_apply_to_waived_and_unwaived_findings() {
        let mut run = run_of(vec![finding("SM111", "a.b", Status::Fail, Origin::None)]);
        let policy = Policy {
            severity: BTreeMap::from([("SM111".to_string(), Severity::Low)]),
            ..Policy::default()
        };
        apply(&mut run, CHECKS, &policy, today());
        assert_eq!(run.findings[0].severity, Severity::Low);
    }

    #[test]
    fn instance_keys_are_stripped_even_with_brackets_in_quotes() {
        assert_eq!(declared_address(r#"module.m["a]"].x.y[0]"#), "module.m.x.y");
        assert_eq!(declared_address(r#"x.y["a\"]b"]"#), "x.y");
        assert_eq!(declared_address("x.y"), "x.y");
    }

    #[test]
    fn dates_parse_strictly_and_count_from_the_epoch() {
        assert_eq!(
            Date::parse("2024-02-29").map(|d| d.to_string()).as_deref(),
            Some("2024-02-29")
        );
        for bad in [
            "2025-02-29",
            "2025-13-01",
            "2025-1-01",
            "2025/01/01",
            "20250101xx",
            "+025-01-01",
        ] {
            assert_eq!(Date::parse(bad), None, "{bad}");
        }
        assert_eq!(Date::from_unix_days(0).to_string(), "1970-01-01");
        assert_eq!(Date::from_unix_days(19_782).to_string(), "2024-02-29");
        assert_eq!(Date::from_unix_days(-1).to_string(), "1969-12-31");
        assert!(Date::parse("2025-01-31") < Date::parse("2025-02-01"));
    }
}
