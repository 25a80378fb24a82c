//! A throwaway PostgreSQL server for the history tests.
//!
//! `SAGESCAN_TEST_POSTGRES=postgres://user@host:port/db` names a server to use. Otherwise the
//! first test that asks starts one: `initdb` into a temporary directory (as the `postgres`
//! user when running as root, since PostgreSQL refuses to run as root), then `postgres` on a
//! free port on 127.0.0.1, trusting local connections. A shell watchdog stops the server and
//! deletes its directory once this test process has exited, as a test binary has no hook
//! that runs after its last test.
//!
//! When no server can be had, the tests skip with a message written straight to stderr (the
//! test harness only captures `print!`-style output, so the message shows); with
//! `SAGESCAN_REQUIRE_POSTGRES=1` (set by `.ci/run`) they fail instead.

use std::io::Write as _;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

/// The server's base URL, or why there is none.
fn server() -> &'static Result<String, String> {
    static SERVER: OnceLock<Result<String, String>> = OnceLock::new();
    SERVER.get_or_init(|| match std::env::var("SAGESCAN_TEST_POSTGRES") {
        Ok(url) if !url.is_empty() => Ok(url),
        _ => start(),
    })
}

/// A fresh, empty database on the test server for one test, or `None` (after saying so)
/// when no server can be started.
pub fn database(name: &str) -> Option<String> {
    match server() {
        Ok(base) => {
            let mut client = connect(base);
            // Two statements: in one simple query they would form a transaction, which
            // `CREATE DATABASE` refuses.
            for sql in [
                format!("DROP DATABASE IF EXISTS {name}"),
                format!("CREATE DATABASE {name}"),
            ] {
                client
                    .batch_execute(&sql)
                    .unwrap_or_else(|e| panic!("{sql}: {e:?}"));
            }
            Some(with_database(base, name))
        }
        Err(why) if std::env::var("SAGESCAN_REQUIRE_POSTGRES").as_deref() == Ok("1") => {
            panic!("PostgreSQL is required (SAGESCAN_REQUIRE_POSTGRES=1) but: {why}")
        }
        Err(why) => {
            let _ = writeln!(std::io::stderr(), "SKIPPED (no PostgreSQL): {name}: {why}");
            None
        }
    }
}

fn connect(url: &str) -> postgres::Client {
    postgres::Client::connect(url, postgres::NoTls)
        .unwrap_or_else(|e| panic!("connecting to {url}: {e:?}"))
}

/// `url` with its database replaced by `db`.
fn with_database(url: &str, db: &str) -> String {
    let (scheme, rest) = url.split_once("://").expect("a URL");
    let authority = rest.find('/').map_or(rest, |i| &rest[..i]);
    let query = rest.find('?').map_or("", |i| &rest[i..]);
    format!("{scheme}://{authority}/{db}{query}")
}

/// The newest `initdb` among Debian's versioned directories, else the one on PATH.
fn bindir() -> Option<PathBuf> {
    let mut dirs: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| {
            let version = e.file_name().to_str()?.parse().ok()?;
            let bin = e.path().join("bin");
            bin.join("initdb").is_file().then_some((version, bin))
        })
        .collect();
    dirs.sort();
    if let Some((_, bin)) = dirs.pop() {
        return Some(bin);
    }
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .find(|d| d.join("initdb").is_file() && d.join("postgres").is_file())
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| o.stdout.trim_ascii() == b"0")
}

/// A command that runs as the `postgres` user when we are root.
fn as_server_user(program: &Path, root: bool) -> Command {
    if root {
        let mut c = Command::new("runuser");
        c.args(["-u", "postgres", "--"]).arg(program);
        c
    } else {
        Command::new(program)
    }
}

fn start() -> Result<String, String> {
    let bin = bindir().ok_or("no initdb found (install the `postgresql` package)")?;
    let root = is_root();
    let dir = std::env::temp_dir().join(format!("sagescan-pg-{}", std::process::id()));
    let data = dir.join("data");
    std::fs::create_dir_all(&dir).map_err(|e| format!("creating {}: {e}", dir.display()))?;
    if root {
        let chown = Command::new("chown")
            .args(["postgres:"])
            .arg(&dir)
            .status()
            .map_err(|e| format!("chown: {e}"))?;
        if !chown.success() {
            return Err("cannot hand the data directory to the `postgres` user".into());
        }
    }
    let initdb = as_server_user(&bin.join("initdb"), root)
        .current_dir(&dir)
        .args([
            "-A",
            "trust",
            "-U",
            "sagescan",
            "-E",
            "UTF8",
            "--no-sync",
            "-D",
        ])
        .arg(&data)
        .stdout(Stdio::null())
        .output()
        .map_err(|e| format!("running initdb: {e}"))?;
    if !initdb.status.success() {
        return Err(format!(
            "initdb failed: {}",
            String::from_utf8_lossy(&initdb.stderr).trim()
        ));
    }
    let port = TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map_err(|e| format!("finding a free port: {e}"))?
        .port();
    // Runs the server until this test process is gone, then stops it and cleans up.
    let watchdog = r#"
        "$1" -D "$2" -p "$3" -k "$2" -c listen_addresses=127.0.0.1 -c fsync=off >"$5/log" 2>&1 &
        server=$!
        while [ -d "/proc/$4" ]; do sleep 1; done
        kill -INT "$server"; wait "$server"; rm -rf "$5"
    "#;
    as_server_user(Path::new("sh"), root)
        .current_dir(&dir)
        .arg("-c")
        .arg(watchdog)
        .arg("sh")
        .arg(bin.join("postgres"))
        .arg(&data)
        .arg(port.to_string())
        .arg(std::process::id().to_string())
        .arg(&dir)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| format!("starting postgres: {e}"))?;
    let url = format!("postgres://sagescan@127.0.0.1:{port}/postgres");
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        match postgres::Client::connect(&url, postgres::NoTls) {
            Ok(_) => return Ok(url),
            Err(e) if Instant::now() > deadline => {
                let log = std::fs::read_to_string(dir.join("log")).unwrap_or_default();
                return Err(format!("the server did not come up: {e}\n{log}"));
            }
            Err(_) => std::thread::sleep(Duration::from_millis(100)),
        }
    }
}
