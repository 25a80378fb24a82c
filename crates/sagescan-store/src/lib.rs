//! Scan history: every scan's metadata and findings, kept so that two scans can be compared
//! (`sagescan diff`) and a new scan judged against an accepted one (`--baseline`).
//!
//! A [`Store`] is an SQLite file (the default, under the user's data directory) or, with the
//! `postgres` feature, a PostgreSQL database shared by many CI jobs. Both backends expose the
//! same small API and the same schema, created and upgraded by ordered migrations (see
//! [`migrate`]). Writers never lose each other's rows: SQLite runs in WAL mode and waits for
//! the write lock instead of failing, and each scan is written in one transaction.
//!
//! The store knows nothing of checks or models: findings arrive as plain strings, identified
//! by their fingerprint (`Finding::fingerprint` in sagescan-checks).

mod migrate;
#[cfg(feature = "postgres")]
mod pg;
mod sqlite;

use serde::{Deserialize, Serialize};
use std::fmt;
use std::path::PathBuf;
use std::time::Duration;

/// A failure to open, migrate, read or write the store.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Sqlite(#[from] rusqlite::Error),
    #[cfg(feature = "postgres")]
    #[error(transparent)]
    Postgres(#[from] tokio_postgres::Error),
    #[error(
        "the PostgreSQL server did not answer {during} within {after:?}; giving up (set the connect limit with `connect_timeout=SECONDS` in the URL)"
    )]
    Timeout {
        during: &'static str,
        after: std::time::Duration,
    },
    #[error("the PostgreSQL connection was abandoned after a round trip timed out")]
    Abandoned,
    #[error("cannot start the PostgreSQL client's runtime: {0}")]
    Runtime(#[source] std::io::Error),
    #[error("creating {}: {source}", path.display())]
    CreateDir {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error(
        "the store's schema is version {found}, newer than this sagescan knows ({known}); upgrade sagescan"
    )]
    NewerSchema { found: i64, known: i64 },
    #[error(
        "this sagescan was built without PostgreSQL support (cargo feature `postgres`); use an SQLite path"
    )]
    NoPostgres,
    #[error(
        "no data directory is known for this user; name a store with --store or SAGESCAN_STORE"
    )]
    NoDataDir,
    #[error("an empty store location")]
    EmptyLocation,
    #[error(
        "{}: is a symbolic link; the store is never opened through a link (name the file it points to)",
        path.display()
    )]
    Link { path: PathBuf },
    #[error("scan {scan}: unreadable {column}: {source}")]
    Corrupt {
        scan: i64,
        column: &'static str,
        source: serde_json::Error,
    },
}

pub type Result<T> = std::result::Result<T, Error>;

/// Where the history lives.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Location {
    Sqlite(PathBuf),
    /// A `postgres://` or `postgresql://` connection URL.
    Postgres(String),
}

impl Location {
    /// `postgres://…` or `postgresql://…` is PostgreSQL; `sqlite://PATH`, `sqlite:PATH` or any
    /// other text is the path of an SQLite file.
    pub fn parse(s: &str) -> Result<Location> {
        if s.trim().is_empty() {
            return Err(Error::EmptyLocation);
        }
        if s.starts_with("postgres://") || s.starts_with("postgresql://") {
            return Ok(Location::Postgres(s.to_string()));
        }
        let path = s
            .strip_prefix("sqlite://")
            .or_else(|| s.strip_prefix("sqlite:"))
            .unwrap_or(s);
        Ok(Location::Sqlite(PathBuf::from(path)))
    }

    /// `history.sqlite3` in the user's data directory (`$XDG_DATA_HOME/sagescan`, else
    /// `~/.local/share/sagescan` on Linux; the platform's equivalent elsewhere).
    pub fn default_sqlite() -> Result<Location> {
        let dir = dirs::data_dir().ok_or(Error::NoDataDir)?;
        Ok(Location::Sqlite(
            dir.join("sagescan").join("history.sqlite3"),
        ))
    }
}

/// Shows the location without a password, so that it can go into messages and logs.
impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Location::Sqlite(path) => write!(f, "{}", path.display()),
            Location::Postgres(url) => f.write_str(&redact(url)),
        }
    }
}

/// `postgres://user:secret@host/db` → `postgres://user:***@host/db`.
fn redact(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_string();
    };
    let authority_end = rest.find('/').unwrap_or(rest.len());
    let Some(at) = rest[..authority_end].rfind('@') else {
        return url.to_string();
    };
    match rest[..at].split_once(':') {
        Some((user, _password)) => format!("{scheme}://{user}:***{}", &rest[at..]),
        None => url.to_string(),
    }
}

/// How long a PostgreSQL store waits for its server before the scan gives up with
/// [`Error::Timeout`]: a server that accepts the connection and never answers must not hold
/// a CI job forever. (SQLite, a local file, waits only for other writers, up to a minute.)
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Timeouts {
    /// The whole connection: DNS, TCP, startup and authentication. A `connect_timeout=`
    /// (seconds) in the URL wins, as it does for libpq.
    pub connect: Duration,
    /// One statement: the server's `statement_timeout` (unless the URL's `options` set one),
    /// and, a few seconds later, the client's bound on every round trip.
    pub statement: Duration,
}

impl Default for Timeouts {
    /// 10 s to connect, as a CI job should fail fast on an unreachable store; 60 s per
    /// statement, hundreds of times what recording even a large scan takes, and the same
    /// minute SQLite waits for the write lock.
    fn default() -> Self {
        Timeouts {
            connect: Duration::from_secs(10),
            statement: Duration::from_secs(60),
        }
    }
}

/// A coverage gap of a scan, as the reports show it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Gap {
    pub configuration: Option<String>,
    pub kind: String,
    pub message: String,
    /// `file:line:column`, when the gap has a place.
    pub location: Option<String>,
}

/// One finding of a scan. Statuses and severities are kept as the reports spell them
/// (`fail`, `inconclusive`, `suppressed`; `low` … `critical`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredFinding {
    pub fingerprint: String,
    pub code: String,
    pub configuration: String,
    /// The resource address.
    pub resource: String,
    pub status: String,
    pub severity: String,
    pub message: String,
}

/// A scan to record.
#[derive(Clone, Debug)]
pub struct NewScan {
    /// Seconds since the Unix epoch.
    pub recorded_at: i64,
    /// What was scanned: the canonical input paths, sorted. Scans of the same target are
    /// the ones compared by default.
    pub target: Vec<String>,
    /// The files read.
    pub sources: Vec<String>,
    pub tool_version: String,
    /// Identifies the configuration the scan ran with, so that a diff can warn when two
    /// scans were judged by different rules.
    pub config_hash: String,
    pub coverage_gaps: Vec<Gap>,
    pub findings: Vec<StoredFinding>,
}

/// A recorded scan, without its findings.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ScanRecord {
    pub id: i64,
    pub recorded_at: i64,
    pub target: Vec<String>,
    pub sources: Vec<String>,
    pub tool_version: String,
    pub config_hash: String,
    pub coverage_gaps: Vec<Gap>,
    /// Finding rows per status.
    pub failed: u64,
    pub inconclusive: u64,
    pub suppressed: u64,
}

/// An open store. Each scan is written in one transaction, so concurrent writers (two
/// scans at once, many CI jobs) each get all or none of their rows in.
pub enum Store {
    Sqlite(sqlite::Sqlite),
    #[cfg(feature = "postgres")]
    Postgres(pg::Postgres),
}

impl Store {
    /// Opens (creating it if needed) and migrates the store, with the default [`Timeouts`].
    pub fn open(location: &Location) -> Result<Store> {
        Store::open_with(location, Timeouts::default())
    }

    /// [`Store::open`] with other bounds on the wait for a PostgreSQL server.
    #[cfg_attr(not(feature = "postgres"), allow(unused_variables))]
    pub fn open_with(location: &Location, timeouts: Timeouts) -> Result<Store> {
        match location {
            Location::Sqlite(path) => Ok(Store::Sqlite(sqlite::Sqlite::open(path)?)),
            #[cfg(feature = "postgres")]
            Location::Postgres(url) => Ok(Store::Postgres(pg::Postgres::open(url, timeouts)?)),
            #[cfg(not(feature = "postgres"))]
            Location::Postgres(_) => Err(Error::NoPostgres),
        }
    }

    /// Records a scan and its findings; returns the scan's id.
    pub fn record(&mut self, scan: &NewScan) -> Result<i64> {
        match self {
            Store::Sqlite(s) => s.record(scan),
            #[cfg(feature = "postgres")]
            Store::Postgres(s) => s.record(scan),
        }
    }

    /// Recorded scans, newest first: all of them, or those of one target; at most `limit`.
    pub fn scans(
        &mut self,
        target: Option<&[String]>,
        limit: Option<u32>,
    ) -> Result<Vec<ScanRecord>> {
        let target = target.map(target_key);
        match self {
            Store::Sqlite(s) => s.scans(None, target.as_deref(), limit),
            #[cfg(feature = "postgres")]
            Store::Postgres(s) => s.scans(None, target.as_deref(), limit),
        }
    }

    /// One scan, if it exists.
    pub fn scan(&mut self, id: i64) -> Result<Option<ScanRecord>> {
        let found = match self {
            Store::Sqlite(s) => s.scans(Some(id), None, None)?,
            #[cfg(feature = "postgres")]
            Store::Postgres(s) => s.scans(Some(id), None, None)?,
        };
        Ok(found.into_iter().next())
    }

    /// A scan's findings, in the order they were recorded.
    pub fn findings(&mut self, scan: i64) -> Result<Vec<StoredFinding>> {
        match self {
            Store::Sqlite(s) => s.findings(scan),
            #[cfg(feature = "postgres")]
            Store::Postgres(s) => s.findings(scan),
        }
    }
}

/// How a target is stored and matched: its paths as a JSON array.
fn target_key(target: &[String]) -> String {
    serde_json::Value::from(target.to_vec()).to_string()
}

/// A row of `scans` as both backends read it, before its JSON columns are decoded.
struct ScanRow {
    id: i64,
    recorded_at: i64,
    target: String,
    sources: String,
    tool_version: String,
    config_hash: String,
    coverage_gaps: String,
    failed: i64,
    inconclusive: i64,
    suppressed: i64,
}

impl ScanRow {
    fn decode(self) -> Result<ScanRecord> {
        let id = self.id;
        let count = |n: i64| u64::try_from(n).unwrap_or(0);
        Ok(ScanRecord {
            id,
            recorded_at: self.recorded_at,
            target: decode_json(id, "target", &self.target)?,
            sources: decode_json(id, "sources", &self.sources)?,
            tool_version: self.tool_version,
            config_hash: self.config_hash,
            coverage_gaps: decode_json(id, "coverage_gaps", &self.coverage_gaps)?,
            failed: count(self.failed),
            inconclusive: count(self.inconclusive),
            suppressed: count(self.suppressed),
        })
    }
}

fn decode_json<T: serde::de::DeserializeOwned>(
    scan: i64,
    column: &'static str,
    text: &str,
) -> Result<T> {
    serde_json::from_str(text).map_err(|source| Error::Corrupt {
        scan,
        column,
        source,
    })
}

/// The JSON columns of a scan to write.
struct JsonColumns {
    target: String,
    sources: String,
    coverage_gaps: String,
}

impl JsonColumns {
    fn of(scan: &NewScan) -> JsonColumns {
        JsonColumns {
            target: target_key(&scan.target),
            sources: serde_json::Value::from(scan.sources.clone()).to_string(),
            // Serializing plain strings and options cannot fail.
            coverage_gaps: serde_json::to_string(&scan.coverage_gaps)
                .unwrap_or_else(|_| "[]".into()),
        }
    }
}

/// The select list shared by both backends: a scan's columns and its finding counts.
const SCAN_COLUMNS: &str = "s.id, s.recorded_at, s.target, s.sources, s.tool_version, \
     s.config_hash, s.coverage_gaps, \
     (SELECT COUNT(*) FROM findings f WHERE f.scan_id = s.id AND f.status = 'fail'), \
     (SELECT COUNT(*) FROM findings f WHERE f.scan_id = s.id AND f.status = 'inconclusive'), \
     (SELECT COUNT(*) FROM findings f WHERE f.scan_id = s.id AND f.status = 'suppressed')";

/// Seconds since the Unix epoch, as `recorded_at` holds them.
pub fn unix_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}

/// `2026-11-24T20:31:07Z` for seconds since the Unix epoch (UTC, proleptic Gregorian).
pub fn format_utc(secs: i64) -> String {
    let (days, rem) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    // Howard Hinnant's days-to-civil algorithm (http://howardhinnant.github.io/date_algorithms.html).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        rem / 3_600,
        rem % 3_600 / 60,
        rem % 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locations_are_told_apart_by_scheme() {
        assert_eq!(
            Location::parse("postgres://u@h/db").unwrap(),
            Location::Postgres("postgres://u@h/db".into())
        );
        assert_eq!(
            Location::parse("postgresql://h/db").unwrap(),
            Location::Postgres("postgresql://h/db".into())
        );
        assert_eq!(
            Location::parse("sqlite:///tmp/h.db").unwrap(),
            Location::Sqlite("/tmp/h.db".into())
        );
        assert_eq!(
            Location::parse("sqlite:h.db").unwrap(),
            Location::Sqlite("h.db".into())
        );
        assert_eq!(
            Location::parse("dir/h.sqlite3").unwrap(),
            Location::Sqlite("dir/h.sqlite3".into())
        );
        assert!(matches!(Location::parse(" "), Err(Error::EmptyLocation)));
    }

    #[test]
    fn a_postgres_password_never_reaches_a_message() {
        let loc = Location::parse("postgres://ci:s3cret@db.internal:5432/history").unwrap();
        assert_eq!(
            loc.to_string(),
            "postgres://ci:***@db.internal:5432/history"
        );
        let no_password = Location::parse("postgres://ci@db/history").unwrap();
        assert_eq!(no_password.to_string(), "postgres://ci@db/history");
        // An `@` in the path is not a user part.
        assert_eq!(redact("postgres://h/db@x"), "postgres://h/db@x");
    }

    #[test]
    fn utc_times_are_formatted_as_rfc3339() {
        assert_eq!(format_utc(0), "1970-01-01T00:00:00Z");
        assert_eq!(format_utc(951_782_400), "2000-02-29T00:00:00Z");
        assert_eq!(format_utc(1_795_552_267), "2026-11-24T20:31:07Z");
        assert_eq!(format_utc(-1), "1969-12-31T23:59:59Z");
    }
}
