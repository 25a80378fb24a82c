//! The commands: `scan`, `explain`, `checks`, `init` (`history` and `diff` are in
//! [`crate::history`]).
//!
//! Each renders its whole output into memory and writes it to stdout once. A closed pipe
//! (`sagescan scan . | head`) is not an error: the reader has what it wanted, so the
//! command still exits with the code its result calls for.

use crate::cli::{CollectArgs, Command, Format, ScanArgs};
use crate::config::{self, Config, Problem};
use crate::select;
use anyhow::{Context as _, Result};
use sagescan_checks::{CHECKS, Severity, Status};
use sagescan_load::LoadOptions;
use sagescan_model::{ConfigId, Model};
use sagescan_report::{Report, Tool};
use serde::Serialize;
use std::collections::HashSet;
use std::io::{self, IsTerminal, Write};
use std::process::ExitCode;

pub const EXIT_FINDINGS: u8 = 1;
pub const EXIT_ERROR: u8 = 2;

const TOOL: Tool<'static> = Tool {
    name: "sagescan",
    version: env!("CARGO_PKG_VERSION"),
};

pub fn run(command: Command) -> Result<ExitCode> {
    match command {
        Command::Scan(args) => scan(args),
        Command::Collect(args) => collect(args),
        Command::Reach(args) => crate::reach::reach(args),
        Command::Graph(args) => crate::reach::graph(args),
        Command::Explain { code } => explain(&code),
        Command::Checks { format } => checks(format),
        Command::Init { force } => init(force),
        Command::History(args) => crate::history::history(args),
        Command::Diff(args) => crate::history::diff(args),
        Command::Fix(args) => crate::fix::fix(args),
    }
}

/// Loads every input into one model.
pub(crate) fn load(inputs: &crate::cli::Inputs) -> Result<Model> {
    if inputs.live.aws {
        if !inputs.paths.is_empty() {
            anyhow::bail!("--aws scans the live account; scan PATHs in a separate run");
        }
        return crate::live::collect(&inputs.live);
    }
    if let Some(model) = crate::snapshot::load_if_snapshot(&inputs.paths)? {
        return Ok(model);
    }
    let options = LoadOptions {
        var_files: inputs.var_files.clone(),
        vars: inputs.vars.clone(),
        parameters: inputs.parameters.clone(),
        parameter_files: inputs.parameter_files.clone(),
        limits: inputs.limits(),
    };
    Ok(sagescan_load::load(&inputs.paths, &options)?)
}

/// The configuration to use: `--config`, else the nearest `sagescan.toml`, else none.
/// `Ok(Err(problems))` when the file is invalid.
fn configuration(args: &ScanArgs) -> Result<Result<Config, Vec<Problem>>> {
    let path = match (&args.config, args.no_config) {
        (_, true) => None,
        (Some(path), false) => Some(path.clone()),
        (None, false) => args.inputs.paths.first().and_then(|p| config::discover(p)),
    };
    let Some(path) = path else {
        return Ok(Ok(Config::default()));
    };
    match config::load(&path) {
        Ok(config) => Ok(Ok(config)),
        Err(Ok(problems)) => Ok(Err(problems)),
        Err(Err(e)) => Err(e).with_context(|| format!("reading {}", path.display())),
    }
}

/// Prints configuration problems the way the rest of the output names places, and the
/// exit code that says the tool could not run as asked.
fn rejected(problems: &[Problem], what: &str) -> ExitCode {
    for p in problems {
        eprintln!("{p}");
    }
    let n = problems.len();
    let s = if n == 1 { "" } else { "s" };
    eprintln!("error: {n} problem{s} in {what}; nothing was scanned");
    ExitCode::from(EXIT_ERROR)
}

fn scan(args: ScanArgs) -> Result<ExitCode> {
    crate::output::check(&args.outputs)?;
    let config = match configuration(&args)? {
        Ok(config) => config,
        Err(problems) => return Ok(rejected(&problems, "the configuration")),
    };
    // `--checks` replaces the file's lists (the command line wins); `--skip-checks` adds.
    let (only, mut skip) = if args.checks.is_empty() {
        (config.enable.clone(), config.disable.clone())
    } else {
        (args.checks.clone(), Vec::new())
    };
    skip.extend(args.skip_checks.iter().cloned());
    let checks = select::select(&only, &skip)?;
    let baseline = crate::history::Baseline::load(&args.history)?;
    let model = load(&args.inputs)?;
    // A waiver without a reason (or for no resource, or an unknown check) is an error like
    // one in the configuration file: acting on a malformed waiver, or ignoring it, would
    // both misreport what the user accepted.
    let inline = config::inline_problems(&model);
    if !inline.is_empty() {
        return Ok(rejected(&inline, "inline waivers"));
    }
    let mut run = sagescan_checks::run(&model, &checks, &config.options);
    let policy = config::policy(&config, &model.inline_waivers);
    let waivers = sagescan_checks::policy::apply(&mut run, &checks, &policy, config::today());
    let report = Report::new(TOOL, &model, &run).with_waivers(waivers);

    let style = crate::output::TextStyle {
        color: use_color(),
        explain_paths: args.explain_paths,
    };
    let out = crate::output::write(&report, &args.outputs, args.format, style)?;
    write_stdout(&out)?;

    if let Some(why) = nothing_scanned(&model) {
        // The report above still lists every gap; this says why the scan proves nothing.
        eprintln!("error: nothing could be scanned: {why}");
        return Ok(ExitCode::from(EXIT_ERROR));
    }
    crate::history::record(
        &args.history,
        &args.inputs.paths,
        &config,
        &checks,
        &model,
        &run,
    )?;
    if args.strict && !model.gaps.is_empty() {
        let n = model.gaps.len();
        let s = if n == 1 { "" } else { "s" };
        eprintln!("error: the scan is incomplete ({n} coverage gap{s}) and --strict was given");
        return Ok(ExitCode::from(EXIT_ERROR));
    }
    let fail_on = Severity::from(args.fail_on);
    let failed = match &baseline {
        Some(baseline) => baseline.judge(&model, &run, fail_on),
        None => run
            .findings
            .iter()
            .any(|f| f.status == Status::Fail && f.severity >= fail_on),
    };
    Ok(if failed {
        ExitCode::from(EXIT_FINDINGS)
    } else {
        ExitCode::SUCCESS
    })
}

/// `collect`: the live model as a snapshot, to a file or stdout.
fn collect(args: CollectArgs) -> Result<ExitCode> {
    if !args.live.aws {
        anyhow::bail!("collect reads a live account: pass --aws");
    }
    let model = crate::live::collect(&args.live)?;
    let text = crate::snapshot::to_json(&model)?;
    match &args.output {
        Some(path) => sagescan_fs::write_atomic(path, text.as_bytes())?,
        None => write_stdout(text.as_bytes())?,
    }
    Ok(ExitCode::SUCCESS)
}

/// Why nothing was read, if so: every configuration has a coverage gap and yielded no
/// resource (every file failed to parse). A configuration that parsed but declares nothing
/// sagescan checks *was* scanned.
fn nothing_scanned(model: &Model) -> Option<&'static str> {
    if model.configs.is_empty() {
        return Some("no Terraform root, CloudFormation template or plan was found");
    }
    let with_resources: HashSet<ConfigId> = model.all_meta().map(|m| m.config).collect();
    let gap_only = (0..model.configs.len() as ConfigId)
        .all(|c| !with_resources.contains(&c) && model.gaps_of(c).next().is_some());
    gap_only.then_some("every configuration failed to load (see the coverage gaps)")
}

/// Colour only on a terminal, and never when `NO_COLOR` is set to a non-empty value
/// (<https://no-color.org>).
fn use_color() -> bool {
    io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
}

fn explain(code: &str) -> Result<ExitCode> {
    let check = select::lookup(code)?;
    let text = format!(
        "{} {} (severity: {})\n{}\n\n{}",
        check.code,
        check.name,
        check.severity,
        check.summary,
        check.page()
    );
    write_stdout(text.as_bytes())?;
    Ok(ExitCode::SUCCESS)
}

#[derive(Serialize)]
struct CheckEntry {
    code: &'static str,
    name: &'static str,
    severity: Severity,
    summary: &'static str,
    remediation: &'static str,
}

fn checks(format: Format) -> Result<ExitCode> {
    let out = match format {
        Format::Json => {
            let entries: Vec<CheckEntry> = CHECKS
                .iter()
                .map(|c| CheckEntry {
                    code: c.code,
                    name: c.name,
                    severity: c.severity,
                    summary: c.summary,
                    remediation: c.remediation,
                })
                .collect();
            let mut s =
                serde_json::to_string_pretty(&entries).context("serializing the check list")?;
            s.push('\n');
            s
        }
        Format::Text => check_table(),
    };
    write_stdout(out.as_bytes())?;
    Ok(ExitCode::SUCCESS)
}

fn check_table() -> String {
    let rows: Vec<[&str; 4]> = CHECKS
        .iter()
        .map(|c| [c.code, c.severity.as_str(), c.name, c.summary])
        .collect();
    let header = ["CODE", "SEVERITY", "NAME", "SUMMARY"];
    let mut widths = header.map(str::len);
    for row in &rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.len());
        }
    }
    let mut out = String::new();
    for row in std::iter::once(&header).chain(&rows) {
        let line = format!(
            "{:w0$}  {:w1$}  {:w2$}  {}",
            row[0],
            row[1],
            row[2],
            row[3],
            w0 = widths[0],
            w1 = widths[1],
            w2 = widths[2]
        );
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

/// Writes the template configuration into the current directory.
fn init(force: bool) -> Result<ExitCode> {
    let path = std::path::Path::new(config::FILE_NAME);
    if path.exists() && !force {
        eprintln!(
            "error: {} already exists; use --force to overwrite it",
            path.display()
        );
        return Ok(ExitCode::from(EXIT_ERROR));
    }
    sagescan_fs::write_atomic(path, config::template::TEMPLATE.as_bytes())?;
    eprintln!("wrote {}", path.display());
    Ok(ExitCode::SUCCESS)
}

/// Writes `bytes` to stdout; a reader that went away is not an error.
pub(crate) fn write_stdout(bytes: &[u8]) -> Result<()> {
    let mut stdout = io::stdout().lock();
    match stdout.write_all(bytes).and_then(|()| stdout.flush()) {
        Err(e) if e.kind() != io::ErrorKind::BrokenPipe => Err(e).context("writing to stdout"),
        _ => Ok(()),
    }
}
