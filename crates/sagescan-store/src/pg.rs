//! The PostgreSQL backend: one database shared by many CI jobs.
//!
//! Each scan is one transaction, and its findings go in with a single `INSERT … SELECT FROM
//! UNNEST(…)`, so a scan costs a handful of round trips whatever its size. Concurrent
//! writers need nothing more than PostgreSQL's own isolation: ids come from a sequence and
//! no row is ever updated. The connection is unencrypted (`NoTls`): use a local server, a
//! private network or a TLS-terminating proxy.
//!
//! Nothing here waits unbounded, because a store named by a CI configuration may be a
//! server that accepts the connection and then never answers (a dead pooler, a firewall
//! that drops replies, a hostile endpoint). Connecting (DNS, TCP, startup, authentication)
//! is bounded by [`Timeouts::connect`](crate::Timeouts), or the URL's `connect_timeout=`
//! as libpq reads it: for the whole connection, not only the TCP handshake as
//! tokio-postgres alone would. Every statement is bounded twice: by the server, through
//! `statement_timeout`, so that a live server waiting on a lock answers with an error of
//! its own; and by the client, a little later, so that a silent server cannot hold the
//! scan. The client is tokio-postgres on a current-thread runtime owned by the store,
//! because the blocking `postgres` crate offers no bound on a round trip.

use crate::migrate::{self, SCHEMA_VERSION_TABLE};
use crate::{
    Error, JsonColumns, NewScan, Result, SCAN_COLUMNS, ScanRecord, ScanRow, StoredFinding, Timeouts,
};
use std::future::Future;
use std::time::Duration;
use tokio::runtime::Runtime;
use tokio_postgres::{Client, Config, NoTls};

/// The advisory lock held while migrating ("SageScan" in ASCII): concurrent first runs
/// against an empty database would otherwise race on `CREATE TABLE`.
const MIGRATION_LOCK: i64 = 0x5361_6765_5363_616e;

/// How much longer than the server's `statement_timeout` the client waits for an answer, at
/// most (a tenth of the statement limit when that is shorter): enough for a live server's
/// cancellation error to arrive first, so that the user reads the server's reason rather
/// than ours.
const GRACE: Duration = Duration::from_secs(5);

pub struct Postgres {
    runtime: Runtime,
    client: Client,
    /// The client-side bound on one round trip.
    round_trip: Duration,
    /// Set once a round trip timed out: the connection is then in an unknown state (a
    /// statement may still be running, a transaction half done), so it is not used again.
    abandoned: bool,
}

impl Postgres {
    pub(crate) fn open(url: &str, timeouts: Timeouts) -> Result<Postgres> {
        let mut config: Config = url.parse()?;
        let connect = config
            .get_connect_timeout()
            .copied()
            .unwrap_or(timeouts.connect);
        config.connect_timeout(connect);
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(Error::Runtime)?;
        let (client, connection) = bounded(
            &runtime,
            connect,
            "while connecting (TCP, startup and authentication)",
            config.connect(NoTls),
        )?;
        // The connection task reads and writes the socket; on a current-thread runtime it
        // runs whenever a call below blocks on the runtime, and dies with the runtime. Its
        // own failure reaches the client's pending call as a closed connection.
        runtime.spawn(connection);
        let mut pg = Postgres {
            runtime,
            client,
            round_trip: timeouts.statement + GRACE.min(timeouts.statement / 10),
            abandoned: false,
        };
        // A statement_timeout the URL sets (`options=-c statement_timeout=…`) is the
        // user's choice; the client-side bound applies either way. A session `SET` rather
        // than a startup option, since poolers such as PgBouncer refuse unknown startup
        // parameters.
        let user_set = config
            .get_options()
            .is_some_and(|o| o.contains("statement_timeout"));
        if !user_set {
            let set = format!(
                "SET statement_timeout = {}",
                timeouts.statement.as_millis().max(1)
            );
            pg.run(async |c, limit| {
                step(limit, "to SET statement_timeout", c.batch_execute(&set)).await
            })?;
        }
        pg.run(async |c, limit| migrate(c, limit).await)?;
        Ok(pg)
    }

    /// Runs `work`, whose every round trip is bounded by `limit` through [`step`], on the
    /// store's runtime. After a timeout the connection is abandoned.
    fn run<T>(&mut self, work: impl AsyncFnOnce(&mut Client, Duration) -> Result<T>) -> Result<T> {
        if self.abandoned {
            return Err(Error::Abandoned);
        }
        let limit = self.round_trip;
        let result = self.runtime.block_on(work(&mut self.client, limit));
        if matches!(result, Err(Error::Timeout { .. })) {
            self.abandoned = true;
        }
        result
    }

    pub(crate) fn record(&mut self, scan: &NewScan) -> Result<i64> {
        let json = JsonColumns::of(scan);
        let column = |get: fn(&StoredFinding) -> &str| -> Vec<&str> {
            scan.findings.iter().map(get).collect()
        };
        let columns = [
            column(|f| &f.fingerprint),
            column(|f| &f.code),
            column(|f| &f.configuration),
            column(|f| &f.resource),
            column(|f| &f.status),
            column(|f| &f.severity),
            column(|f| &f.message),
        ];
        self.run(async |c, limit| {
            let tx = step(limit, "to BEGIN", c.transaction()).await?;
            let row = step(
                limit,
                "to INSERT INTO scans",
                tx.query_one(
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
                ),
            )
            .await?;
            let id: i64 = row.try_get(0)?;
            step(
                limit,
                "to INSERT INTO findings",
                tx.execute(
                    "INSERT INTO findings (scan_id, fingerprint, code, configuration, resource, status, severity, message)
                     SELECT $1, u.fingerprint, u.code, u.configuration, u.resource, u.status, u.severity, u.message
                     FROM UNNEST($2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[])
                          WITH ORDINALITY
                          AS u (fingerprint, code, configuration, resource, status, severity, message, n)
                     ORDER BY u.n",
                    &[
                        &id,
                        &columns[0],
                        &columns[1],
                        &columns[2],
                        &columns[3],
                        &columns[4],
                        &columns[5],
                        &columns[6],
                    ],
                ),
            )
            .await?;
            step(limit, "to COMMIT", tx.commit()).await?;
            Ok(id)
        })
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
        let count = limit.map(i64::from);
        let rows = self.run(async |c, limit| {
            step(
                limit,
                "to SELECT FROM scans",
                c.query(&sql, &[&id, &target, &count]),
            )
            .await
        })?;
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
        let rows = self.run(async |c, limit| {
            step(
                limit,
                "to SELECT FROM findings",
                c.query(
                    "SELECT fingerprint, code, configuration, resource, status, severity, message
                     FROM findings WHERE scan_id = $1 ORDER BY id",
                    &[&scan],
                ),
            )
            .await
        })?;
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

/// One round trip, given up after `limit` with [`Error::Timeout`] naming `during`.
async fn step<T>(
    limit: Duration,
    during: &'static str,
    call: impl Future<Output = std::result::Result<T, tokio_postgres::Error>>,
) -> Result<T> {
    match tokio::time::timeout(limit, call).await {
        Ok(result) => result.map_err(Error::from),
        Err(_) => Err(Error::Timeout {
            during,
            after: limit,
        }),
    }
}

/// [`step`] outside any async context, for the connection itself.
fn bounded<T>(
    runtime: &Runtime,
    limit: Duration,
    during: &'static str,
    call: impl Future<Output = std::result::Result<T, tokio_postgres::Error>>,
) -> Result<T> {
    runtime.block_on(step(limit, during, call))
}

/// Applies the missing migrations in one transaction under [`MIGRATION_LOCK`]. The lock
/// wait is a statement like any other, so `statement_timeout` bounds it too.
async fn migrate(client: &mut Client, limit: Duration) -> Result<()> {
    let tx = step(limit, "to BEGIN", client.transaction()).await?;
    step(
        limit,
        "to take the migration lock",
        tx.execute("SELECT pg_advisory_xact_lock($1)", &[&MIGRATION_LOCK]),
    )
    .await?;
    step(
        limit,
        "to CREATE TABLE schema_version",
        tx.batch_execute(SCHEMA_VERSION_TABLE),
    )
    .await?;
    let current: Option<i64> = step(
        limit,
        "to SELECT FROM schema_version",
        tx.query_one("SELECT MAX(version) FROM schema_version", &[]),
    )
    .await?
    .try_get(0)?;
    for m in migrate::pending(current.unwrap_or(0))? {
        step(limit, "to a migration", tx.batch_execute(m.postgres)).await?;
        step(
            limit,
            "to INSERT INTO schema_version",
            tx.execute(
                "INSERT INTO schema_version (version, applied_at) VALUES ($1, $2)",
                &[&m.version, &crate::unix_now()],
            ),
        )
        .await?;
    }
    step(limit, "to COMMIT", tx.commit()).await?;
    Ok(())
}
