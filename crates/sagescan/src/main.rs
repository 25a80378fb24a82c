//! The `sagescan` binary: parses the command line, runs one command and maps its outcome
//! to an exit code. All work lives in the library crates; this file only wires them up.
//!
//! Exit codes: 0 no failed finding at or above `--fail-on`, 1 there is one, 2 a tool error
//! (bad arguments, unreadable paths, nothing could be scanned). Only the report goes to
//! stdout; errors go to stderr, so that `--format json` output is always parseable.

mod cli;
mod commands;
mod config;
mod fix;
mod history;
mod live;
mod output;
mod reach;
mod select;
mod snapshot;

use clap::Parser;
use std::process::ExitCode;

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let cli = cli::Cli::parse();
    match commands::run(cli.command) {
        Ok(code) => code,
        Err(err) => {
            eprintln!("error: {err:#}");
            ExitCode::from(commands::EXIT_ERROR)
        }
    }
}
