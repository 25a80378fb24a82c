//! The schema, as ordered migrations.
//!
//! A store records the migrations it has applied in `schema_version`. Opening a store applies
//! the missing ones in order, all in one transaction that first takes the database's write
//! lock (SQLite `BEGIN IMMEDIATE`, a PostgreSQL advisory lock), so that two scans opening a
//! fresh store at once do not both create it. A store migrated by a newer sagescan is refused
//! rather than written with rows it may not expect.
//!
//! A migration is never edited once released: a change of schema is a new migration. Each
//! has one text per dialect, since column types differ (`INTEGER PRIMARY KEY` vs
//! `BIGSERIAL`); the backends share every query besides these.

pub(crate) struct Migration {
    pub version: i64,
    pub sqlite: &'static str,
    // Kept in every build, so that a migration cannot be written for one dialect only.
    #[cfg_attr(not(feature = "postgres"), allow(dead_code))]
    pub postgres: &'static str,
}

pub(crate) const MIGRATIONS: &[Migration] = &[Migration {
    version: 1,
    sqlite: "
        CREATE TABLE scans (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            recorded_at INTEGER NOT NULL,
            target TEXT NOT NULL,
            sources TEXT NOT NULL,
            tool_version TEXT NOT NULL,
            config_hash TEXT NOT NULL,
            coverage_gaps TEXT NOT NULL
        );
        CREATE INDEX scans_by_target ON scans (target, id);
        CREATE TABLE findings (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            scan_id INTEGER NOT NULL REFERENCES scans (id) ON DELETE CASCADE,
            fingerprint TEXT NOT NULL,
            code TEXT NOT NULL,
            configuration TEXT NOT NULL,
            resource TEXT NOT NULL,
            status TEXT NOT NULL,
            severity TEXT NOT NULL,
            message TEXT NOT NULL
        );
        CREATE INDEX findings_by_scan ON findings (scan_id, status);
    ",
    postgres: "
        CREATE TABLE scans (
            id BIGSERIAL PRIMARY KEY,
            recorded_at BIGINT NOT NULL,
            target TEXT NOT NULL,
            sources TEXT NOT NULL,
            tool_version TEXT NOT NULL,
            config_hash TEXT NOT NULL,
            coverage_gaps TEXT NOT NULL
        );
        CREATE INDEX scans_by_target ON scans (target, id);
        CREATE TABLE findings (
            id BIGSERIAL PRIMARY KEY,
            scan_id BIGINT NOT NULL REFERENCES scans (id) ON DELETE CASCADE,
            fingerprint TEXT NOT NULL,
            code TEXT NOT NULL,
            configuration TEXT NOT NULL,
            resource TEXT NOT NULL,
            status TEXT NOT NULL,
            severity TEXT NOT NULL,
            message TEXT NOT NULL
        );
        CREATE INDEX findings_by_scan ON findings (scan_id, status);
    ",
}];

/// The table that records applied migrations; the same text works in both dialects.
pub(crate) const SCHEMA_VERSION_TABLE: &str = "CREATE TABLE IF NOT EXISTS schema_version (
    version BIGINT PRIMARY KEY,
    applied_at BIGINT NOT NULL
)";

/// The newest schema this build knows.
pub(crate) fn latest() -> i64 {
    MIGRATIONS.last().map_or(0, |m| m.version)
}

/// The migrations a store at `current` still needs, or the error for a newer store.
pub(crate) fn pending(current: i64) -> crate::Result<impl Iterator<Item = &'static Migration>> {
    if current > latest() {
        return Err(crate::Error::NewerSchema {
            found: current,
            known: latest(),
        });
    }
    Ok(MIGRATIONS.iter().filter(move |m| m.version > current))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The dialects differ in column types only: both create the same tables and indexes.
    #[test]
    fn both_dialects_create_the_same_objects() {
        let objects = |sql: &str| -> Vec<String> {
            sql.split_whitespace()
                .collect::<Vec<_>>()
                .windows(3)
                .filter(|w| w[0] == "CREATE" && (w[1] == "TABLE" || w[1] == "INDEX"))
                .map(|w| w[2].to_string())
                .collect()
        };
        for m in MIGRATIONS {
            assert_eq!(
                objects(m.sqlite),
                objects(m.postgres),
                "migration {}",
                m.version
            );
            assert!(!objects(m.sqlite).is_empty());
        }
    }

    #[test]
    fn versions_increase_by_one_from_one() {
        for (i, m) in MIGRATIONS.iter().enumerate() {
            assert_eq!(m.version, i as i64 + 1);
        }
    }
}
