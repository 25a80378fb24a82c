//! Scan history: recording each scan (`scan`, unless `--no-store`), `sagescan history`,
//! `sagescan diff` and `scan --baseline`.
//!
//! Findings are compared by [`Finding::fingerprint`] (check, configuration, resource), so a
//! finding keeps its identity when lines move or messages improve. A scan's *target* is its
//! input paths, canonicalised and sorted: `diff` without scan ids compares the last two scans
//! of one target.
//!
//! Where the history lives: `--store`, else `SAGESCAN_STORE`, else `history.sqlite3` in the
//! user's data directory. A scan that cannot be recorded into that default store only warns
//! (a read-only home must not fail a CI job that never asked for history); one that cannot
//! be recorded into a store the user named is an error (exit 2), since the user relies on it.

use crate::commands::{EXIT_FINDINGS, write_stdout};
use crate::config::Config;
use anyhow::{Context as _, Result, anyhow, bail};
use clap::{Args, ValueEnum};
use sagescan_checks::{Check, CheckRun, Finding, Status};
use sagescan_model::Model;
use sagescan_report::origin_label;
use sagescan_store::{Gap, Location, NewScan, ScanRecord, Store, StoredFinding, format_utc};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// The environment variable naming the store, like `--store`.
pub const STORE_ENV: &str = "SAGESCAN_STORE";

/// `scan`'s history options.
#[derive(Debug, Args)]
pub struct ScanHistoryArgs {
    /// Record the scan into this store: an SQLite file or a `postgres://` URL (default:
    /// `$SAGESCAN_STORE`, else history.sqlite3 in the user's data directory).
    #[arg(long, value_name = "PATH|URL")]
    pub store: Option<String>,

    /// Do not record this scan.
    #[arg(long, conflicts_with = "store")]
    pub no_store: bool,

    /// Exit with 1 only for failed findings that are not in this baseline: a scan id from
    /// the store, or a report written by `scan --format json`.
    #[arg(long, value_name = "SCAN|FILE")]
    pub baseline: Option<String>,
}

/// `--store` for `history` and `diff`.
#[derive(Debug, Args)]
pub struct StoreArg {
    /// The store to read: an SQLite file or a `postgres://` URL (default: `$SAGESCAN_STORE`,
    /// else history.sqlite3 in the user's data directory).
    #[arg(long, value_name = "PATH|URL")]
    pub store: Option<String>,
}

#[derive(Debug, Args)]
pub struct HistoryArgs {
    /// Only scans of these input paths (the same set a scan was given).
    #[arg(long = "target", value_name = "PATH")]
    pub target: Vec<PathBuf>,

    /// Show at most this many scans, newest first.
    #[arg(long, default_value_t = 20, value_name = "N")]
    pub limit: u32,

    #[arg(long, value_enum, default_value_t = HistoryFormat::Text)]
    pub format: HistoryFormat,

    #[command(flatten)]
    pub store: StoreArg,
}

#[derive(Debug, Args)]
pub struct DiffArgs {
    /// The older scan (default: the second newest scan of the target).
    #[arg(value_name = "SCAN_A")]
    pub from: Option<i64>,

    /// The newer scan (default: the newest scan of SCAN_A's target).
    #[arg(value_name = "SCAN_B", requires = "from")]
    pub to: Option<i64>,

    /// Compare the last two scans of these input paths (default: the target of the newest
    /// scan recorded).
    #[arg(long = "target", value_name = "PATH", conflicts_with = "from")]
    pub target: Vec<PathBuf>,

    #[arg(long, value_enum, default_value_t = HistoryFormat::Text)]
    pub format: HistoryFormat,

    #[command(flatten)]
    pub store: StoreArg,
}

/// Output of `history` and `diff` (their own enum, so that formats added for scan reports
/// do not need an answer here).
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum HistoryFormat {
    Text,
    Json,
}

/// The store the user named: `--store`, else `SAGESCAN_STORE`.
fn named_store(flag: Option<&str>) -> Option<String> {
    flag.map(str::to_owned)
        .or_else(|| std::env::var(STORE_ENV).ok().filter(|v| !v.is_empty()))
}

/// The store to use: the one named, else the default file.
fn location(flag: Option<&str>) -> Result<Location> {
    Ok(match named_store(flag) {
        Some(s) => Location::parse(&s)?,
        None => Location::default_sqlite()?,
    })
}

fn open(location: &Location) -> Result<Store> {
    Store::open(location).with_context(|| format!("opening the history store {location}"))
}

/// A scan's target: its input paths, canonicalised (so `.` and `/repo` are one target) and
/// sorted. A path that cannot be canonicalised is kept as given.
pub fn target(paths: &[PathBuf]) -> Vec<String> {
    let mut target: Vec<String> = paths
        .iter()
        .map(|p| {
            std::fs::canonicalize(p)
                .unwrap_or_else(|_| p.clone())
                .to_string_lossy()
                .into_owned()
        })
        .collect();
    target.sort();
    target.dedup();
    target
}

fn status_str(status: Status) -> &'static str {
    match status {
        Status::Fail => "fail",
        Status::Inconclusive => "inconclusive",
        Status::Suppressed => "suppressed",
    }
}

/// Identifies the rules a scan ran with: the configuration file's bytes and the checks that
/// ran (FNV-1a, like fingerprints). Two scans with different hashes may differ in findings
/// only because of that.
fn config_hash(config: &Config, checks: &[&Check]) -> String {
    let file = config
        .file
        .as_deref()
        .and_then(|f| std::fs::read(f).ok())
        .unwrap_or_default();
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    let parts = std::iter::once(file.as_slice()).chain(checks.iter().map(|c| c.code.as_bytes()));
    for part in parts {
        for &byte in part.iter().chain(&[0u8]) {
            hash ^= u64::from(byte);
            hash = hash.wrapping_mul(0x0100_0000_01b3);
        }
    }
    format!("{hash:016x}")
}

/// Records a finished scan unless `--no-store`. Returns the error only for a store the user
/// named; a failure of the default store is a warning.
pub fn record(
    args: &ScanHistoryArgs,
    paths: &[PathBuf],
    config: &Config,
    checks: &[&Check],
    model: &Model,
    run: &CheckRun,
) -> Result<()> {
    if args.no_store {
        return Ok(());
    }
    let scan = NewScan {
        recorded_at: sagescan_store::unix_now(),
        target: target(paths),
        sources: model.sources.iter().map(|s| s.path.clone()).collect(),
        tool_version: env!("CARGO_PKG_VERSION").to_string(),
        config_hash: config_hash(config, checks),
        coverage_gaps: model
            .gaps
            .iter()
            .map(|g| Gap {
                configuration: g
                    .config
                    .and_then(|c| model.configs.get(c as usize))
                    .map(|c| c.name.clone()),
                kind: g.kind.clone(),
                message: g.message.clone(),
                location: origin_label(&g.origin),
            })
            .collect(),
        findings: run.findings.iter().map(|f| stored(f, model)).collect(),
    };
    let named = named_store(args.store.as_deref()).is_some();
    let result = location(args.store.as_deref()).and_then(|location| {
        let id = open(&location)?
            .record(&scan)
            .with_context(|| format!("recording the scan into {location}"))?;
        Ok((id, location))
    });
    match result {
        Ok((id, location)) => {
            eprintln!("recorded as scan {id} in {location}");
            Ok(())
        }
        Err(e) if named => Err(e),
        Err(e) => {
            eprintln!("warning: the scan was not recorded: {e:#}");
            Ok(())
        }
    }
}

fn stored(f: &Finding, model: &Model) -> StoredFinding {
    StoredFinding {
        fingerprint: f.fingerprint(model),
        code: f.code.to_string(),
        configuration: model
            .configs
            .get(f.resource.config as usize)
            .map_or_else(String::new, |c| c.name.clone()),
        resource: f.resource.address.clone(),
        status: status_str(f.status).to_string(),
        severity: f.severity.as_str().to_string(),
        message: f.message.clone(),
    }
}

/// The fingerprints of an accepted state: findings in them do not fail a scan.
pub struct Baseline {
    /// `scan 12` or the file name, for messages.
    name: String,
    fingerprints: HashSet<String>,
}

impl Baseline {
    /// Reads `--baseline`: an existing file is a JSON report, otherwise the value must be a
    /// scan id in the store.
    pub fn load(args: &ScanHistoryArgs) -> Result<Option<Baseline>> {
        let Some(arg) = args.baseline.as_deref() else {
            return Ok(None);
        };
        let path = Path::new(arg);
        if path.is_file() {
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("reading the baseline {arg}"))?;
            let fingerprints =
                report_fingerprints(&text).with_context(|| format!("baseline {arg}"))?;
            return Ok(Some(Baseline {
                name: arg.to_string(),
                fingerprints,
            }));
        }
        let Ok(id) = arg.parse::<i64>() else {
            bail!("baseline {arg}: no such file, and not a scan id");
        };
        let location = location(args.store.as_deref())?;
        let mut store = open(&location)?;
        if store.scan(id)?.is_none() {
            bail!("baseline: there is no scan {id} in {location} (see `sagescan history`)");
        }
        let fingerprints = store
            .findings(id)?
            .into_iter()
            .map(|f| f.fingerprint)
            .collect();
        Ok(Some(Baseline {
            name: format!("scan {id}"),
            fingerprints,
        }))
    }

    /// Says on stderr what the baseline accepted and lists the failed findings it did not;
    /// returns whether a finding it did not accept fails at `fail_on` or above.
    pub fn judge(&self, model: &Model, run: &CheckRun, fail_on: sagescan_checks::Severity) -> bool {
        let failing: Vec<&Finding> = run
            .findings
            .iter()
            .filter(|f| f.status == Status::Fail && f.severity >= fail_on)
            .collect();
        let new: Vec<&&Finding> = failing
            .iter()
            .filter(|f| !self.fingerprints.contains(&f.fingerprint(model)))
            .collect();
        eprintln!(
            "baseline {}: {} of {} failed findings are new",
            self.name,
            new.len(),
            failing.len()
        );
        for f in &new {
            eprintln!(
                "  new: {} {} {} ({})",
                f.code, f.severity, f.resource.address, f.message
            );
        }
        !new.is_empty()
    }
}

/// The fingerprints of a `scan --format json` report.
fn report_fingerprints(text: &str) -> Result<HashSet<String>> {
    let doc: serde_json::Value =
        serde_json::from_str(text).context("not a JSON report of `sagescan scan --format json`")?;
    let version = doc
        .get("schema_version")
        .and_then(serde_json::Value::as_u64);
    if version != Some(u64::from(sagescan_report::SCHEMA_VERSION)) {
        bail!(
            "not a sagescan JSON report of schema version {} (found {})",
            sagescan_report::SCHEMA_VERSION,
            version.map_or("none".to_string(), |v| v.to_string())
        );
    }
    let findings = doc
        .get("findings")
        .and_then(serde_json::Value::as_array)
        .ok_or_else(|| anyhow!("the report has no `findings` array"))?;
    findings
        .iter()
        .enumerate()
        .map(|(i, f)| {
            f.get("fingerprint")
                .and_then(serde_json::Value::as_str)
                .map(str::to_owned)
                .ok_or_else(|| {
                    anyhow!(
                        "finding {} has no `fingerprint` (a report from an older sagescan?); \
                         write the baseline again with this version",
                        i + 1
                    )
                })
        })
        .collect()
}

pub fn history(args: HistoryArgs) -> Result<ExitCode> {
    let location = location(args.store.store.as_deref())?;
    let mut store = open(&location)?;
    let target = (!args.target.is_empty()).then(|| target(&args.target));
    let scans = store.scans(target.as_deref(), Some(args.limit))?;
    let out = match args.format {
        HistoryFormat::Json => json(&scans.iter().map(ScanJson::of).collect::<Vec<_>>())?,
        HistoryFormat::Text => history_table(&scans),
    };
    write_stdout(out.as_bytes())?;
    Ok(ExitCode::SUCCESS)
}

fn history_table(scans: &[ScanRecord]) -> String {
    let header = [
        "ID",
        "TIME",
        "FAILED",
        "INCONCLUSIVE",
        "SUPPRESSED",
        "GAPS",
        "VERSION",
        "TARGET",
    ]
    .map(String::from);
    let rows: Vec<[String; 8]> = scans
        .iter()
        .map(|s| {
            [
                s.id.to_string(),
                format_utc(s.recorded_at),
                s.failed.to_string(),
                s.inconclusive.to_string(),
                s.suppressed.to_string(),
                s.coverage_gaps.len().to_string(),
                s.tool_version.clone(),
                s.target.join(" "),
            ]
        })
        .collect();
    table(&header, &rows)
}

/// Left-aligned columns two spaces apart, without trailing blanks.
fn table<const N: usize>(header: &[String; N], rows: &[[String; N]]) -> String {
    let mut widths = [0; N];
    for row in std::iter::once(header).chain(rows) {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let mut out = String::new();
    for row in std::iter::once(header).chain(rows) {
        let mut line = String::new();
        for (cell, w) in row.iter().zip(widths) {
            line.push_str(&format!("{cell:w$}  "));
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

/// A scan as `history --format json` and `diff --format json` show it.
#[derive(Serialize)]
struct ScanJson<'a> {
    id: i64,
    recorded_at: String,
    target: &'a [String],
    tool_version: &'a str,
    config_hash: &'a str,
    failed: u64,
    inconclusive: u64,
    suppressed: u64,
    coverage_gaps: &'a [Gap],
}

impl<'a> ScanJson<'a> {
    fn of(s: &'a ScanRecord) -> Self {
        ScanJson {
            id: s.id,
            recorded_at: format_utc(s.recorded_at),
            target: &s.target,
            tool_version: &s.tool_version,
            config_hash: &s.config_hash,
            failed: s.failed,
            inconclusive: s.inconclusive,
            suppressed: s.suppressed,
            coverage_gaps: &s.coverage_gaps,
        }
    }
}

fn json<T: Serialize + ?Sized>(value: &T) -> Result<String> {
    let mut s = serde_json::to_string_pretty(value).context("serializing JSON")?;
    s.push('\n');
    Ok(s)
}

/// What changed between two scans, by fingerprint.
#[derive(Debug, Default, PartialEq, Eq)]
struct Changes {
    new: Vec<StoredFinding>,
    resolved: Vec<StoredFinding>,
    /// In both scans: the newer finding and the older one's status.
    unchanged: Vec<(StoredFinding, String)>,
}

/// Compares two scans' findings. Every status takes part, so that a finding a waiver now
/// covers shows as unchanged with its status going to `suppressed` rather than as resolved.
fn compare(from: Vec<StoredFinding>, to: Vec<StoredFinding>) -> Changes {
    let key = |f: &StoredFinding| {
        (
            f.code.clone(),
            f.configuration.clone(),
            f.resource.clone(),
            f.fingerprint.clone(),
        )
    };
    let mut before: BTreeMap<String, StoredFinding> = BTreeMap::new();
    for f in from {
        before.entry(f.fingerprint.clone()).or_insert(f);
    }
    let mut seen = HashSet::new();
    let mut changes = Changes::default();
    for f in to {
        if !seen.insert(f.fingerprint.clone()) {
            continue;
        }
        match before.remove(&f.fingerprint) {
            Some(old) => changes.unchanged.push((f, old.status)),
            None => changes.new.push(f),
        }
    }
    changes.resolved = before.into_values().collect();
    changes.new.sort_by_key(key);
    changes.resolved.sort_by_key(key);
    changes.unchanged.sort_by_key(|(f, _)| key(f));
    changes
}

/// Facts that qualify a diff: findings may come and go for reasons other than fixes.
fn notes(from: &ScanRecord, to: &ScanRecord, changes: &Changes) -> Vec<String> {
    let mut notes = Vec::new();
    // Fingerprints include the configuration's name as the path was given (`.` or
    // `/repo/infra`): the same root named two ways shares no finding.
    let names = |findings: Vec<&StoredFinding>| -> BTreeSet<String> {
        findings
            .into_iter()
            .map(|f| f.configuration.clone())
            .collect()
    };
    let before = names(
        changes
            .resolved
            .iter()
            .chain(changes.unchanged.iter().map(|(f, _)| f))
            .collect(),
    );
    let after = names(
        changes
            .new
            .iter()
            .chain(changes.unchanged.iter().map(|(f, _)| f))
            .collect(),
    );
    if !before.is_empty() && !after.is_empty() && before.is_disjoint(&after) {
        notes.push(format!(
            "the configurations are named differently ({} vs {}): findings match only when a target is scanned under the same path spelling",
            before.into_iter().collect::<Vec<_>>().join(", "),
            after.into_iter().collect::<Vec<_>>().join(", ")
        ));
    }
    if from.target != to.target {
        notes.push(format!(
            "the scans have different targets ({} vs {})",
            from.target.join(" "),
            to.target.join(" ")
        ));
    }
    if from.config_hash != to.config_hash {
        notes.push(
            "the scans ran with different configurations or checks; findings may differ because of that"
                .into(),
        );
    }
    if from.tool_version != to.tool_version {
        notes.push(format!(
            "the scans ran different sagescan versions ({} vs {})",
            from.tool_version, to.tool_version
        ));
    }
    if !to.coverage_gaps.is_empty() {
        notes.push(format!(
            "scan {} has {} coverage gap(s): a finding may be resolved only because a file could not be read",
            to.id,
            to.coverage_gaps.len()
        ));
    }
    notes
}

/// The two scans `diff` compares, older first.
fn pick(store: &mut Store, args: &DiffArgs) -> Result<(ScanRecord, ScanRecord)> {
    let get = |store: &mut Store, id: i64| -> Result<ScanRecord> {
        store
            .scan(id)?
            .ok_or_else(|| anyhow!("there is no scan {id} (see `sagescan history`)"))
    };
    match (args.from, args.to) {
        (Some(a), Some(b)) => Ok((get(store, a)?, get(store, b)?)),
        (Some(a), None) => {
            let from = get(store, a)?;
            let newest = store.scans(Some(&from.target), Some(1))?.into_iter().next();
            match newest {
                Some(to) if to.id != from.id => Ok((from, to)),
                _ => bail!(
                    "scan {a} is the newest scan of its target; name the scan to compare it with"
                ),
            }
        }
        (None, _) => {
            let target = if args.target.is_empty() {
                let newest = store.scans(None, Some(1))?.into_iter().next();
                newest
                    .ok_or_else(|| anyhow!("no scan is recorded yet"))?
                    .target
            } else {
                target(&args.target)
            };
            let mut last = store.scans(Some(&target), Some(2))?;
            if last.len() < 2 {
                bail!(
                    "fewer than two scans of {} are recorded; scan again to compare",
                    target.join(" ")
                );
            }
            let to = last.remove(0);
            Ok((last.remove(0), to))
        }
    }
}

#[derive(Serialize)]
struct DiffJson<'a> {
    from: ScanJson<'a>,
    to: ScanJson<'a>,
    notes: &'a [String],
    new: &'a [StoredFinding],
    resolved: &'a [StoredFinding],
    unchanged: Vec<UnchangedJson<'a>>,
}

#[derive(Serialize)]
struct UnchangedJson<'a> {
    #[serde(flatten)]
    finding: &'a StoredFinding,
    previous_status: &'a str,
}

/// `sagescan diff`: exit 1 when the newer scan has a failed finding the older one did not.
pub fn diff(args: DiffArgs) -> Result<ExitCode> {
    let location = location(args.store.store.as_deref())?;
    let mut store = open(&location)?;
    let (from, to) = pick(&mut store, &args)?;
    let changes = compare(store.findings(from.id)?, store.findings(to.id)?);
    let notes = notes(&from, &to, &changes);
    let out = match args.format {
        HistoryFormat::Json => json(&DiffJson {
            from: ScanJson::of(&from),
            to: ScanJson::of(&to),
            notes: &notes,
            new: &changes.new,
            resolved: &changes.resolved,
            unchanged: changes
                .unchanged
                .iter()
                .map(|(finding, previous_status)| UnchangedJson {
                    finding,
                    previous_status,
                })
                .collect(),
        })?,
        HistoryFormat::Text => diff_text(&from, &to, &notes, &changes),
    };
    write_stdout(out.as_bytes())?;
    let new_failure = changes.new.iter().any(|f| f.status == "fail");
    Ok(ExitCode::from(if new_failure { EXIT_FINDINGS } else { 0 }))
}

fn diff_text(from: &ScanRecord, to: &ScanRecord, notes: &[String], c: &Changes) -> String {
    let mut out = format!(
        "scan {} ({}) -> scan {} ({})\ntarget: {}\n",
        from.id,
        format_utc(from.recorded_at),
        to.id,
        format_utc(to.recorded_at),
        sagescan_report::visible(&to.target.join(" "))
    );
    for note in notes {
        out.push_str(&format!("note: {note}\n"));
    }
    // Resource and configuration names come from the scanned repository: a line feed in
    // one would forge lines of this report.
    let line = |mark: char, f: &StoredFinding, extra: &str| {
        format!(
            "  {mark} {} [{}, {}{extra}] {} ({})\n",
            f.code,
            f.severity,
            f.status,
            sagescan_report::visible(&f.resource),
            sagescan_report::visible(&f.configuration)
        )
    };
    out.push_str(&format!("\nNew: {}\n", c.new.len()));
    for f in &c.new {
        out.push_str(&line('+', f, ""));
    }
    out.push_str(&format!("\nResolved: {}\n", c.resolved.len()));
    for f in &c.resolved {
        out.push_str(&line('-', f, ""));
    }
    out.push_str(&format!("\nUnchanged: {}\n", c.unchanged.len()));
    for (f, before) in &c.unchanged {
        let extra = if *before == f.status {
            String::new()
        } else {
            format!(", was {before}")
        };
        out.push_str(&line('=', f, &extra));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn f(code: &str, resource: &str, status: &str) -> StoredFinding {
        StoredFinding {
            fingerprint: format!("{code}|{resource}"),
            code: code.into(),
            configuration: "infra".into(),
            resource: resource.into(),
            status: status.into(),
            severity: "high".into(),
            message: String::new(),
        }
    }

    #[test]
    fn findings_are_matched_by_fingerprint_whatever_their_order() {
        let changes = compare(
            vec![
                f("SM111", "a", "fail"),
                f("SM113", "a", "fail"),
                f("SM102", "d", "fail"),
            ],
            vec![
                f("SM102", "d", "suppressed"),
                f("SM131", "m", "fail"),
                f("SM111", "a", "fail"),
            ],
        );
        assert_eq!(changes.new, [f("SM131", "m", "fail")]);
        assert_eq!(changes.resolved, [f("SM113", "a", "fail")]);
        assert_eq!(
            changes.unchanged,
            [
                (f("SM102", "d", "suppressed"), "fail".to_string()),
                (f("SM111", "a", "fail"), "fail".to_string()),
            ]
        );
    }

    fn record(id: i64, failed: u64, gaps: usize) -> ScanRecord {
        ScanRecord {
            id,
            recorded_at: 1_795_552_267 + id * 3_600,
            target: vec!["/repo/infra".into(), "/repo/stacks".into()],
            sources: vec![],
            tool_version: "0.1.0".into(),
            config_hash: "0011223344556677".into(),
            coverage_gaps: (0..gaps)
                .map(|_| Gap {
                    configuration: None,
                    kind: "parse-error".into(),
                    message: String::new(),
                    location: None,
                })
                .collect(),
            failed,
            inconclusive: 1,
            suppressed: 0,
        }
    }

    #[test]
    fn diff_text_matches_snapshot() {
        let (from, to) = (record(3, 3, 0), record(4, 2, 1));
        let changes = compare(
            vec![
                f("SM111", "a", "fail"),
                f("SM113", "a", "fail"),
                f("SM102", "d", "fail"),
            ],
            vec![
                f("SM102", "d", "suppressed"),
                f("SM131", "m", "inconclusive"),
                f("SM111", "a", "fail"),
            ],
        );
        let notes = notes(&from, &to, &changes);
        insta::assert_snapshot!(diff_text(&from, &to, &notes, &changes));
    }

    #[test]
    fn history_table_matches_snapshot() {
        insta::assert_snapshot!(history_table(&[record(12, 2, 1), record(9, 10, 0)]));
    }

    #[test]
    fn a_report_without_fingerprints_is_no_baseline() {
        let old = r#"{"schema_version": 1, "findings": [{"code": "SM111"}]}"#;
        let err = report_fingerprints(old).unwrap_err().to_string();
        assert!(err.contains("finding 1 has no `fingerprint`"), "{err}");
        let other = r#"{"schema_version": 7, "findings": []}"#;
        let err = report_fingerprints(other).unwrap_err().to_string();
        assert!(err.contains("found 7"), "{err}");
        let ok = r#"{"schema_version": 1, "findings": [{"fingerprint": "00ff"}]}"#;
        assert_eq!(
            report_fingerprints(ok).unwrap(),
            HashSet::from(["00ff".to_string()])
        );
    }
}
