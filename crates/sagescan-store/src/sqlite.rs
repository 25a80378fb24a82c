//! The SQLite backend: one file, shared by every scan on the machine.
//!
//! Concurrency: the file is put in WAL mode, so readers never block the writer, and every
//! write transaction starts with `BEGIN IMMEDIATE`, taking the write lock up front. A second
//! writer then waits (up to [`BUSY_TIMEOUT`]) in SQLite's busy handler; a deferred
//! transaction would instead fail with `SQLITE_BUSY` when upgrading its read lock, which
//! the busy handler cannot retry in WAL mode (<https://sqlite.org/wal.html#sometimes_queries_return_sqlite_busy_in_wal_mode>).
//! The one step the busy handler does not cover, switching a new file to WAL, is retried by
//! [`enable_wal`].

use crate::migrate::{self, SCHEMA_VERSION_TABLE};
use crate::{
    Error, JsonColumns, NewScan, Result, SCAN_COLUMNS, ScanRecord, ScanRow, StoredFinding,
};
use rusqlite::{Connection, ErrorCode, OpenFlags, TransactionBehavior, params};
use std::path::Path;
use std::time::{Duration, Instant};

/// How long a writer waits for another one before giving up. A scan writes for
/// milliseconds; a minute covers dozens of parallel CI jobs on one runner.
const BUSY_TIMEOUT: Duration = Duration::from_secs(60);

pub struct Sqlite {
    conn: Connection,
}

impl Sqlite {
    pub(crate) fn open(path: &Path) -> Result<Sqlite> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|source| Error::CreateDir {
                path: dir.to_path_buf(),
                source,
            })?;
        }
        refuse_links(path)?;
        // NOFOLLOW: SQLite checks the database path itself too, between our look and its
        // open; the journal files are covered by `refuse_links`.
        let flags = OpenFlags::default() | OpenFlags::SQLITE_OPEN_NOFOLLOW;
        let mut conn = Connection::open_with_flags(path, flags)?;
        conn.busy_timeout(BUSY_TIMEOUT)?;
        enable_wal(&conn)?;
        conn.pragma_update(None, "foreign_keys", true)?;
        migrate(&mut conn)?;
        Ok(Sqlite { conn })
    }

    pub(crate) fn record(&mut self, scan: &NewScan) -> Result<i64> {
        let json = JsonColumns::of(scan);
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        tx.execute(
            "INSERT INTO scans (recorded_at, target, sources, tool_version, config_hash, coverage_gaps)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![
                scan.recorded_at,
                json.target,
                json.sources,
                scan.tool_version,
                scan.config_hash,
                json.coverage_gaps
            ],
        )?;
        let id = tx.last_insert_rowid();
        {
            let mut insert = tx.prepare(
                "INSERT INTO findings (scan_id, fingerprint, code, configuration, resource, status, severity, message)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            )?;
            for f in &scan.findings {
                insert.execute(params![
                    id,
                    f.fingerprint,
                    f.code,
                    f.configuration,
                    f.resource,
                    f.status,
                    f.severity,
                    f.message
                ])?;
            }
        }
        tx.commit()?;
        Ok(id)
    }

    /// Scans newest first, filtered by id or target key.
    pub(crate) fn scans(
        &mut self,
        id: Option<i64>,
        target: Option<&str>,
        limit: Option<u32>,
    ) -> Result<Vec<ScanRecord>> {
        let sql = format!(
            "SELECT {SCAN_COLUMNS} FROM scans s
             WHERE (?1 IS NULL OR s.id = ?1) AND (?2 IS NULL OR s.target = ?2)
             ORDER BY s.id DESC LIMIT ?3"
        );
        let limit = limit.map_or(-1, i64::from);
        let mut stmt = self.conn.prepare(&sql)?;
        let rows = stmt
            .query_map(params![id, target, limit], |r| {
                Ok(ScanRow {
                    id: r.get(0)?,
                    recorded_at: r.get(1)?,
                    target: r.get(2)?,
                    sources: r.get(3)?,
                    tool_version: r.get(4)?,
                    config_hash: r.get(5)?,
                    coverage_gaps: r.get(6)?,
                    failed: r.get(7)?,
                    inconclusive: r.get(8)?,
                    suppressed: r.get(9)?,
                })
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        rows.into_iter().map(ScanRow::decode).collect()
    }

    pub(crate) fn findings(&mut self, scan: i64) -> Result<Vec<StoredFinding>> {
        let mut stmt = self.conn.prepare(
            "SELECT fingerprint, code, configuration, resource, status, severity, message
             FROM findings WHERE scan_id = ?1 ORDER BY id",
        )?;
        let rows = stmt
            .query_map([scan], |r| {
                Ok(StoredFinding {
                    fingerprint: r.get(0)?,
                    code: r.get(1)?,
                    configuration: r.get(2)?,
                    resource: r.get(3)?,
                    status: r.get(4)?,
                    severity: r.get(5)?,
                    message: r.get(6)?,
                })
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(rows)
    }
}

/// Puts the file in WAL mode (persistent, so a no-op after the first time). While another
/// connection holds the write lock of a file not yet in WAL mode, SQLite refuses the switch
/// with "database is locked" at once, without its busy handler (CI met this when several
/// scans first opened one new store together), so the switch is retried here for as long as
/// a writer would wait.
fn enable_wal(conn: &Connection) -> Result<()> {
    let deadline = Instant::now() + BUSY_TIMEOUT;
    loop {
        // The pragma answers with the mode now in force.
        match conn.query_row("PRAGMA journal_mode = WAL", [], |r| r.get::<_, String>(0)) {
            Err(e)
                if e.sqlite_error_code() == Some(ErrorCode::DatabaseBusy)
                    && Instant::now() < deadline =>
            {
                std::thread::sleep(Duration::from_millis(10));
            }
            answer => return answer.map(drop).map_err(Into::into),
        }
    }
}

/// Applies the missing migrations in one immediate transaction (see [`crate::migrate`]).
/// An up-to-date store is only read: every scan opens the store, and a write transaction
/// costs a sync to disk.
fn migrate(conn: &mut Connection) -> Result<()> {
    if migrate::pending(applied(conn)?)?.next().is_none() {
        return Ok(());
    }
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    tx.execute(SCHEMA_VERSION_TABLE, [])?;
    // Read again under the write lock: another process may have migrated meanwhile.
    for m in migrate::pending(applied(&tx)?)? {
        tx.execute_batch(m.sqlite)?;
        tx.execute(
            "INSERT INTO schema_version (version, applied_at) VALUES (?1, ?2)",
            params![m.version, crate::unix_now()],
        )?;
    }
    tx.commit()?;
    Ok(())
}

/// The newest migration applied, 0 for a new file.
fn applied(conn: &Connection) -> Result<i64> {
    let exists: bool = conn.query_row(
        "SELECT COUNT(*) > 0 FROM sqlite_master WHERE type = 'table' AND name = 'schema_version'",
        [],
        |r| r.get(0),
    )?;
    if !exists {
        return Ok(0);
    }
    let version: Option<i64> =
        conn.query_row("SELECT MAX(version) FROM schema_version", [], |r| r.get(0))?;
    Ok(version.unwrap_or(0))
}

/// Refuses a store whose file, or one of the files SQLite keeps beside it, is a symbolic
/// link: a store under a checkout (`--store .sagescan/history.sqlite3`) is in reach of the
/// pull request, and SQLite would create or rewrite the file a link points to.
fn refuse_links(path: &Path) -> Result<()> {
    let mut names = vec![path.to_path_buf()];
    for suffix in ["-wal", "-shm", "-journal"] {
        let mut name = path.as_os_str().to_owned();
        name.push(suffix);
        names.push(name.into());
    }
    for name in names {
        if std::fs::symlink_metadata(&name).is_ok_and(|m| m.file_type().is_symlink()) {
            return Err(Error::Link { path: name });
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Gap, Location, Store};

    /// The r16 attack on the store: a link at the database or at a file SQLite keeps
    /// beside it. Each is refused, and the file it points to is left as it was.
    #[cfg(unix)]
    #[test]
    fn a_store_reached_through_a_link_is_refused() {
        for name in [
            "history.sqlite3",
            "history.sqlite3-wal",
            "history.sqlite3-journal",
        ] {
            let dir = tempfile::tempdir().unwrap();
            let victim = dir.path().join("victim");
            std::fs::write(&victim, "untouched").unwrap();
            std::os::unix::fs::symlink(&victim, dir.path().join(name)).unwrap();
            let path = dir.path().join("history.sqlite3");
            let err = Store::open(&Location::Sqlite(path)).err().expect("refused");
            assert!(matches!(err, Error::Link { .. }), "{name}: {err}");
            assert!(err.to_string().contains(name), "{err}");
            assert_eq!(std::fs::read_to_string(&victim).unwrap(), "untouched");
        }
    }

    fn finding(code: &str, resource: &str, status: &str) -> StoredFinding {
        StoredFinding {
            fingerprint: format!("{code}/{resource}"),
            code: code.into(),
            configuration: "infra".into(),
            resource: resource.into(),
            status: status.into(),
            severity: "high".into(),
            message: format!("{code} on {resource}"),
        }
    }

    fn scan(target: &str, findings: Vec<StoredFinding>) -> NewScan {
        NewScan {
            recorded_at: 1_795_552_267,
            target: vec![target.into()],
            sources: vec![format!("{target}/main.tf")],
            tool_version: "0.1.0".into(),
            config_hash: "abc".into(),
            coverage_gaps: vec![Gap {
                configuration: Some("infra".into()),
                kind: "parse-error".into(),
                message: "expected `}`".into(),
                location: Some("infra/bad.tf:3:5".into()),
            }],
            findings,
        }
    }

    fn open(dir: &tempfile::TempDir) -> Store {
        Store::open(&Location::Sqlite(dir.path().join("nested/history.sqlite3"))).unwrap()
    }

    #[test]
    fn a_recorded_scan_reads_back_with_its_findings_and_counts() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = open(&dir);
        let findings = vec![
            finding("SM111", "aws_sagemaker_notebook_instance.a", "fail"),
            finding("SM113", "aws_sagemaker_notebook_instance.a", "inconclusive"),
            finding("SM102", "aws_sagemaker_domain.d", "suppressed"),
            finding("SM131", "aws_sagemaker_model.m", "fail"),
        ];
        let id = store
            .record(&scan("/repo/infra", findings.clone()))
            .unwrap();
        let record = store.scan(id).unwrap().expect("the scan is there");
        assert_eq!(record.target, ["/repo/infra"]);
        assert_eq!(record.sources, ["/repo/infra/main.tf"]);
        assert_eq!(
            record.coverage_gaps[0].location.as_deref(),
            Some("infra/bad.tf:3:5")
        );
        assert_eq!(
            (record.failed, record.inconclusive, record.suppressed),
            (2, 1, 1)
        );
        assert_eq!(store.findings(id).unwrap(), findings);
        assert_eq!(store.scan(id + 1).unwrap(), None);
    }

    #[test]
    fn scans_are_listed_newest_first_and_filtered_by_target() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = open(&dir);
        let a1 = store.record(&scan("/a", vec![])).unwrap();
        let b1 = store.record(&scan("/b", vec![])).unwrap();
        let a2 = store.record(&scan("/a", vec![])).unwrap();
        let ids = |v: Vec<ScanRecord>| v.into_iter().map(|s| s.id).collect::<Vec<_>>();
        assert_eq!(ids(store.scans(None, None).unwrap()), [a2, b1, a1]);
        assert_eq!(
            ids(store.scans(Some(&["/a".into()]), None).unwrap()),
            [a2, a1]
        );
        assert_eq!(
            ids(store.scans(Some(&["/a".into()]), Some(1)).unwrap()),
            [a2]
        );
        assert!(store.scans(Some(&["/c".into()]), None).unwrap().is_empty());
    }

    #[test]
    fn reopening_keeps_the_rows_and_applies_no_migration_twice() {
        let dir = tempfile::tempdir().unwrap();
        let id = open(&dir)
            .record(&scan("/a", vec![finding("SM111", "x", "fail")]))
            .unwrap();
        assert_eq!(open(&dir).findings(id).unwrap().len(), 1);
        let raw = Connection::open(dir.path().join("nested/history.sqlite3")).unwrap();
        let versions: i64 = raw
            .query_row("SELECT COUNT(*) FROM schema_version", [], |r| r.get(0))
            .unwrap();
        assert_eq!(versions, migrate::latest());
        let mode: String = raw
            .query_row("PRAGMA journal_mode", [], |r| r.get(0))
            .unwrap();
        assert_eq!(mode, "wal");
    }

    #[test]
    fn a_store_from_a_newer_sagescan_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        drop(open(&dir));
        let path = dir.path().join("nested/history.sqlite3");
        Connection::open(&path)
            .unwrap()
            .execute("INSERT INTO schema_version VALUES (99, 0)", [])
            .unwrap();
        let err = Store::open(&Location::Sqlite(path)).err().expect("refused");
        assert!(matches!(err, Error::NewerSchema { found: 99, .. }), "{err}");
    }

    /// A new file is still in rollback mode, and while another connection holds its write
    /// lock SQLite refuses the switch to WAL at once, without waiting in its busy handler
    /// (CI met this when several scans first opened one new store together). Opening waits.
    #[test]
    fn opening_waits_for_a_writer_of_a_file_not_yet_in_wal_mode() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("history.sqlite3");
        let writer = Connection::open(&path).unwrap();
        writer
            .execute_batch("CREATE TABLE t (x); BEGIN IMMEDIATE;")
            .unwrap();
        let (opened, done) = std::sync::mpsc::channel();
        std::thread::scope(|s| {
            s.spawn(|| opened.send(Sqlite::open(&path).map(|_| ())).unwrap());
            // Whatever the scheduling, the writer holds its lock past the opener's first try.
            std::thread::sleep(Duration::from_millis(300));
            writer.execute_batch("COMMIT").unwrap();
        });
        done.recv()
            .unwrap()
            .expect("opened once the writer was done");
        drop(writer);
        let mode: String = Connection::open(&path)
            .unwrap()
            .query_row("PRAGMA journal_mode", [], |r| r.get(0))
            .unwrap();
        assert_eq!(mode, "wal");
    }

    /// Many writers at once, each on its own connection as separate processes would be:
    /// every scan and every finding row arrives, and a fresh file is migrated once.
    #[test]
    fn concurrent_writers_lose_nothing() {
        const WRITERS: usize = 8;
        const SCANS_EACH: usize = 5;
        const FINDINGS_EACH: usize = 40;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("nested/history.sqlite3");
        std::thread::scope(|s| {
            for w in 0..WRITERS {
                let path = &path;
                s.spawn(move || {
                    let mut store = Store::open(&Location::Sqlite(path.clone())).unwrap();
                    for n in 0..SCANS_EACH {
                        let findings = (0..FINDINGS_EACH)
                            .map(|i| finding("SM111", &format!("w{w}.s{n}.r{i}"), "fail"))
                            .collect();
                        store.record(&scan("/a", findings)).unwrap();
                    }
                });
            }
        });
        let mut store = Store::open(&Location::Sqlite(path)).unwrap();
        let scans = store.scans(None, None).unwrap();
        assert_eq!(scans.len(), WRITERS * SCANS_EACH);
        let rows: usize = scans
            .iter()
            .map(|s| store.findings(s.id).unwrap().len())
            .sum();
        assert_eq!(rows, WRITERS * SCANS_EACH * FINDINGS_EACH);
        assert!(scans.iter().all(|s| s.failed == FINDINGS_EACH as u64));
    }
}
