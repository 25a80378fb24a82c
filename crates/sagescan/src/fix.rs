//! `sagescan fix`: scan, apply the fixes the failed findings carry, re-scan to confirm.
//!
//! The unified diff is the report and goes to stdout; what became of each fix (applied,
//! suggested, refused and why) goes to stderr. Without `--dry-run` the files are written
//! atomically and the inputs are scanned again: a fix whose finding is still there is a
//! tool error, never a silent success.
//!
//! Live resources are never changed: their fixes become an AWS CLI script (stdout, or
//! `--aws-script FILE`) for a human to review and run.
//!
//! Exit codes: 0 nothing is left to fix; 1 something is (a dry run that would change
//! files, or suggestions and refusals for a human); 2 error, including a re-scan that
//! still shows a finding a fix claimed to remove.

use crate::cli::Inputs;
use crate::commands::{EXIT_ERROR, EXIT_FINDINGS, write_stdout};
use crate::config::{self, Config};
use crate::select;
use anyhow::{Context as _, Result};
use clap::Args;
use sagescan_checks::{Check, Finding, Status};
use sagescan_fix::{Plan, Status as FixStatus};
use sagescan_model::Model;
use std::collections::BTreeSet;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Debug, Args)]
pub struct FixArgs {
    #[command(flatten)]
    pub inputs: Inputs,

    /// Fix only these checks: comma-separated codes, names or code prefixes (`SM1`).
    #[arg(long, value_delimiter = ',', value_name = "CODES")]
    pub checks: Vec<String>,

    /// Print the diff, change nothing.
    #[arg(long)]
    pub dry_run: bool,

    /// Also apply fixes that need a decision (they write placeholders such as
    /// `<KMS key ARN>` that must be replaced before deploying).
    #[arg(long)]
    pub unsafe_fixes: bool,

    /// Write the AWS CLI script for live resources (a `--aws` scan or a snapshot) to this
    /// file instead of stdout. sagescan itself never changes an account.
    #[arg(long, value_name = "FILE")]
    pub aws_script: Option<PathBuf>,

    /// Use this configuration file (waivers, options) instead of the nearest `sagescan.toml`.
    #[arg(long, value_name = "FILE", conflicts_with = "no_config")]
    pub config: Option<PathBuf>,

    /// Ignore any `sagescan.toml`.
    #[arg(long)]
    pub no_config: bool,
}

pub fn fix(args: FixArgs) -> Result<ExitCode> {
    let config = configuration(&args)?;
    let (only, skip) = if args.checks.is_empty() {
        (config.enable.clone(), config.disable.clone())
    } else {
        (args.checks.clone(), Vec::new())
    };
    let checks = select::select(&only, &skip)?;
    let model = crate::commands::load(&args.inputs)?;
    // As in `scan`: a malformed inline waiver is an error, not a finding to fix anyway.
    let inline = config::inline_problems(&model);
    if !inline.is_empty() {
        for p in &inline {
            eprintln!("{p}");
        }
        anyhow::bail!(
            "{} problem(s) in inline waivers; nothing was fixed",
            inline.len()
        );
    }
    let findings = failed(&model, &checks, &config);
    let options = sagescan_fix::Options {
        unsafe_fixes: args.unsafe_fixes,
        variables_overridden: !args.inputs.vars.is_empty() || !args.inputs.var_files.is_empty(),
        roots: args.inputs.paths.clone(),
        max_file_size: args.inputs.max_file_size,
    };
    let plan = sagescan_fix::plan(&model, &findings, &options);

    let diff: String = plan.files.iter().map(|f| f.diff()).collect();
    write_stdout(diff.as_bytes())?;
    let left = summarize(&plan);
    if let Some(script) = &plan.script {
        match &args.aws_script {
            Some(path) => {
                sagescan_fs::write_atomic(path, script.as_bytes())?;
                eprintln!(
                    "wrote the AWS CLI script for live resources to {}; review it before running it",
                    path.display()
                );
            }
            None => write_stdout(script.as_bytes())?,
        }
    }
    if args.dry_run || plan.files.is_empty() {
        let pending = !plan.files.is_empty() || left > 0;
        return Ok(exit(pending));
    }
    plan.write(&options)?;
    eprintln!("wrote {} file(s)", plan.files.len());

    // Re-scan: every applied fix's finding must be gone. Findings are matched by their
    // fingerprint (check, configuration, address): many roots reuse the same addresses.
    let rescanned = crate::commands::load(&args.inputs).context("re-scanning after the fix")?;
    let still: BTreeSet<String> = failed(&rescanned, &checks, &config)
        .iter()
        .map(|f| f.fingerprint(&rescanned))
        .collect();
    let mut broken = 0;
    for r in &plan.results {
        if matches!(r.status, FixStatus::Applied(_))
            && still.contains(&r.finding.fingerprint(&model))
        {
            eprintln!(
                "error: {} still fails after `{}`",
                subject(r.finding),
                r.fix.title
            );
            broken += 1;
        }
    }
    if broken > 0 {
        return Ok(ExitCode::from(EXIT_ERROR));
    }
    eprintln!("re-scan: every applied fix removed its finding");
    Ok(exit(left > 0))
}

fn exit(pending: bool) -> ExitCode {
    if pending {
        ExitCode::from(EXIT_FINDINGS)
    } else {
        ExitCode::SUCCESS
    }
}

/// Failed findings after waivers: a waived finding is an accepted risk, not a thing to fix.
fn failed(model: &Model, checks: &[&'static Check], config: &Config) -> Vec<Finding> {
    let mut run = sagescan_checks::run(model, checks, &config.options);
    let policy = config::policy(config, &model.inline_waivers);
    sagescan_checks::policy::apply(&mut run, checks, &policy, config::today());
    run.findings
        .into_iter()
        .filter(|f| f.status == Status::Fail)
        .collect()
}

/// One stderr line per fix; returns how many are left for a human.
fn summarize(plan: &Plan<'_>) -> usize {
    let mut left = 0;
    for r in &plan.results {
        let what = format!("{}: {}", subject(r.finding), r.fix.title);
        match &r.status {
            FixStatus::Applied(_) => eprintln!("fixed      {what}"),
            FixStatus::Unchanged => eprintln!("unchanged  {what}"),
            FixStatus::Scripted => {
                left += 1;
                eprintln!("scripted   {what}");
            }
            FixStatus::Suggested => {
                left += 1;
                let edits: Vec<String> = r
                    .fix
                    .edits
                    .iter()
                    .map(|sagescan_checks::Edit::Set { path, value, .. }| {
                        format!("{} = {value}", path.join("."))
                    })
                    .collect();
                eprintln!(
                    "suggested  {what} ({}; needs a decision: --unsafe-fixes applies it)",
                    edits.join(", ")
                );
            }
            FixStatus::Refused(why) => {
                left += 1;
                eprintln!("not fixed  {what}: {}", sagescan_report::visible(why));
            }
        }
    }
    left
}

/// `main.tf:12: SM121 aws_sagemaker_model.m`: where, which check, which resource.
fn subject(f: &Finding) -> String {
    // Paths and addresses come from the repository: shown visibly escaped, so that a
    // line feed in a name cannot forge a `fixed` line.
    let at = f.resource_origin.file().map_or(String::new(), |s| {
        format!("{}:{}: ", sagescan_report::visible(&s.file), s.line)
    });
    format!(
        "{at}{} {}",
        f.code,
        sagescan_report::visible(&f.resource.address)
    )
}

/// `--config`, else the nearest `sagescan.toml`, else the defaults. An invalid file is an
/// error: fixing under a misread configuration could edit what a waiver accepted.
fn configuration(args: &FixArgs) -> Result<Config> {
    let path = match (&args.config, args.no_config) {
        (_, true) => None,
        (Some(path), false) => Some(path.clone()),
        (None, false) => args.inputs.paths.first().and_then(|p| config::discover(p)),
    };
    let Some(path) = path else {
        return Ok(Config::default());
    };
    match config::load(&path) {
        Ok(config) => Ok(config),
        Err(Ok(problems)) => {
            for p in &problems {
                eprintln!("{p}");
            }
            anyhow::bail!("{} problem(s) in {}", problems.len(), path.display())
        }
        Err(Err(e)) => Err(e).with_context(|| format!("reading {}", path.display())),
    }
}
