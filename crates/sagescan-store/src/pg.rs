//! The PostgreSQL backend: one database shared by many CI jobs.
//!
//! Each scan is one transaction, and its findings go in with a single `INSERT … SELECT FROM
//! UNNEST(…)`, so a scan costs a handful of round trips whatever its size. Concurrent
//! writers need nothing more than PostgreSQL's own isolation: ids come from a sequence and
//! no row is ever updated. The connection is unencrypted (`NoTls`): use a local server, a
//! private network or a TLS-terminating proxy.

use crate::migrate::{self, SCHEMA_VERSION_TABLE};
use crate::{JsonColumns, NewScan, Result, SCAN_COLUMNS, ScanRecord, ScanRow, StoredFinding};
use postgres::{Client, NoTls};

/// The advisory lock held while migrating ("SageScan" in ASCII): concurrent first runs
/// against an empty database would otherwise race on `CREATE TABLE`.
const MIGRATION_LOCK: i64 = 0x5361_6765_5363_616e;

pub struct Postgres {
    client: Client,
}

impl Postgres {
    pub(crate) fn open(url: &str) -> Result<Postgres> {
        let mut client = Client::connect(url, NoTls)?;
        migrate(&mut client)?;
        Ok(Postgres { client })
    }

    pub(crate) fn record(&mut self, scan: &NewScan) -> Result<i64> {
        let json = JsonColumns::of(scan);
        let mut tx = self.client.transaction()?;
        let id: i64 = tx
            .query_one(
                "INSERT INTO scans (recorded_at, target, sources, tool_version, config_hash, coverage_gaps)
                 VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
                &[
                    &scan.recorded_at,
                    &json.target,
                    &json.sources,
                    &scan.tool_version,
                    &scan.config_hash,
                    &json.coverage_gaps,
                ],
            )?
            .get(0);
        let column = |get: fn(&StoredFinding) -> &str| -> Vec<&str> {
            scan.findings.iter().map(get).collect()
        };
        tx.execute(
            "INSERT INTO findings (scan_id, fingerprint, code, configuration, resource, status, severity, message)
             SELECT $1, u.fingerprint, u.code, u.configuration, u.resource, u.status, u.severity, u.message
             FROM UNNEST($2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[])
                  WITH ORDINALITY
                  AS u (fingerprint, code, configuration, resource, status, severity, message, n)
             ORDER BY u.n",
            &[
                &id,
                &column(|f| &f.fingerprint),
                &column(|f| &f.code),
                &column(|f| &f.configuration),
                &column(|f| &f.resource),
                &column(|f| &f.status),
                &column(|f| &f.severity),
                &column(|f| &f.message),
            ],
        )?;
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
             WHERE ($1::bigint IS NULL OR s.id = $1) AND ($2::text IS NULL OR s.target = $2)
             ORDER BY s.id DESC LIMIT $3"
        );
        let limit = limit.map(i64::from);
        let rows = self.client.query(&sql, &[&id, &target, &limit])?;
        rows.iter()
            .map(|r| {
                ScanRow {
                    id: r.try_get(0)?,
                    recorded_at: r.try_get(1)?,
                    target: r.try_get(2)?,
                    sources: r.try_get(3)?,
                    tool_version: r.try_get(4)?,
                    config_hash: r.try_get(5)?,
                    coverage_gaps: r.try_get(6)?,
                    failed: r.try_get(7)?,
                    inconclusive: r.try_get(8)?,
                    suppressed: r.try_get(9)?,
                }
                .decode()
            })
            .collect()
    }

    pub(crate) fn findings(&mut self, scan: i64) -> Result<Vec<StoredFinding>> {
        let rows = self.client.query(
            "SELECT fingerprint, code, configuration, resource, status, severity, message
             FROM findings WHERE scan_id = $1 ORDER BY id",
            &[&scan],
        )?;
        rows.iter()
            .map(|r| {
                Ok(StoredFinding {
                    fingerprint: r.try_get(0)?,
                    code: r.try_get(1)?,
                    configuration: r.try_get(2)?,
                    resource: r.try_get(3)?,
                    status: r.try_get(4)?,
                    severity: r.try_get(5)?,
                    message: r.try_get(6)?,
                })
            })
            .collect()
    }
}

/// Applies the missing migrations in one transaction under [`MIGRATION_LOCK`].
fn migrate(client: &mut Client) -> Result<()> {
    let mut tx = client.transaction()?;
    tx.execute("SELECT pg_advisory_xact_lock($1)", &[&MIGRATION_LOCK])?;
    tx.batch_execute(SCHEMA_VERSION_TABLE)?;
    let current: Option<i64> = tx
        .query_one("SELECT MAX(version) FROM schema_version", &[])?
        .try_get(0)?;
    for m in migrate::pending(current.unwrap_or(0))? {
        tx.batch_execute(m.postgres)?;
        tx.execute(
            "INSERT INTO schema_version (version, applied_at) VALUES ($1, $2)",
            &[&m.version, &crate::unix_now()],
        )?;
    }
    tx.commit()?;
    Ok(())
}
