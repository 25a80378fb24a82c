//! A PostgreSQL store that never answers must not hold a scan: opening it fails with a
//! timeout naming the step it waited on.
//!
//! The servers here are fakes on 127.0.0.1: one accepts connections and never says a word
//! (a dead pooler, a firewall that drops replies); one completes the startup handshake and
//! then goes silent, so that the bound on each statement's round trip is what stops the
//! wait. The timeouts are short and the assertions are on the outcome, never on how long
//! it took.

#![cfg(feature = "postgres")]

use sagescan_store::{Error, Location, Store, Timeouts};
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::time::Duration;

/// A server on a free port that accepts every connection and then runs `serve` on it in a
/// thread of its own. Connections stay open as long as `serve` holds them.
fn server(serve: fn(TcpStream)) -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1");
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            std::thread::spawn(move || serve(stream));
        }
    });
    port
}

/// Reads and discards whatever the client sends, answering nothing, until it hangs up.
fn silent(mut stream: TcpStream) {
    let mut buf = [0u8; 4096];
    while matches!(stream.read(&mut buf), Ok(n) if n > 0) {}
}

/// Reads the client's StartupMessage, answers AuthenticationOk and ReadyForQuery (the
/// whole of a trust login in the v3 protocol), then is [`silent`].
fn ready_then_silent(mut stream: TcpStream) {
    let mut len = [0u8; 4];
    if stream.read_exact(&mut len).is_err() {
        return;
    }
    let mut startup = vec![0u8; (u32::from_be_bytes(len) as usize).saturating_sub(4)];
    if stream.read_exact(&mut startup).is_err() {
        return;
    }
    let mut hello = Vec::new();
    hello.extend_from_slice(b"R\0\0\0\x08\0\0\0\0"); // AuthenticationOk
    hello.extend_from_slice(b"Z\0\0\0\x05I"); // ReadyForQuery, idle
    if stream.write_all(&hello).is_err() {
        return;
    }
    silent(stream);
}

fn open(url: &str, timeouts: Timeouts) -> Error {
    let location = Location::parse(url).unwrap();
    match Store::open_with(&location, timeouts) {
        Ok(_) => panic!("a silent server was opened as a store"),
        Err(e) => e,
    }
}

const SHORT: Timeouts = Timeouts {
    connect: Duration::from_millis(300),
    statement: Duration::from_millis(300),
};

#[test]
fn a_server_that_never_answers_the_startup_times_out() {
    let port = server(silent);
    let e = open(&format!("postgres://ci@127.0.0.1:{port}/sagescan"), SHORT);
    assert!(
        matches!(e, Error::Timeout { during, .. } if during.contains("connecting")),
        "{e:?}"
    );
    let message = e.to_string();
    assert!(
        message.contains("did not answer while connecting"),
        "{message}"
    );
    assert!(message.contains("connect_timeout="), "{message}");
}

#[test]
fn the_urls_connect_timeout_bounds_the_whole_connection() {
    // The default connect limit is 10 s; the URL's (1 s) is the one that applies. Were it
    // only a TCP-connect limit, as tokio-postgres alone makes it, this would wait forever.
    let port = server(silent);
    let url = format!("postgres://ci@127.0.0.1:{port}/sagescan?connect_timeout=1");
    let e = open(
        &url,
        Timeouts {
            connect: Duration::from_secs(3_600),
            ..SHORT
        },
    );
    match e {
        Error::Timeout { during, after } => {
            assert!(during.contains("connecting"), "{during}");
            assert_eq!(after, Duration::from_secs(1));
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_server_that_goes_silent_after_the_startup_times_out_on_the_first_statement() {
    let port = server(ready_then_silent);
    let e = open(&format!("postgres://ci@127.0.0.1:{port}/sagescan"), SHORT);
    match &e {
        // The first round trip after the login sets the server-side statement_timeout.
        Error::Timeout { during, after } => {
            assert_eq!(*during, "to SET statement_timeout");
            assert!(
                *after > SHORT.statement,
                "the client waits past the server's bound"
            );
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_statement_timeout_in_the_url_is_left_to_the_user_but_the_client_still_bounds_it() {
    let port = server(ready_then_silent);
    let url = format!("postgres://ci@127.0.0.1:{port}/sagescan?options=-c%20statement_timeout%3D0");
    // No SET of ours: the first statement is the migration's BEGIN, and it is bounded too.
    match open(&url, SHORT) {
        Error::Timeout { during, .. } => assert_eq!(during, "to BEGIN"),
        other => panic!("{other:?}"),
    }
}
