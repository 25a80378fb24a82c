//! The command line, declared with clap's derive API: raw arguments in, typed arguments out.
//! Validation that needs the check registry (codes, prefixes) happens in [`crate::select`].

use clap::{Args, Parser, Subcommand, ValueEnum};
use sagescan_checks::Severity;
use std::path::PathBuf;

/// Prove whether Amazon SageMaker workloads are network-isolated.
///
/// Exit codes: 0 no failed finding at or above --fail-on; 1 there is one; 2 tool error,
/// including "nothing could be scanned".
#[derive(Debug, Parser)]
#[command(name = "sagescan", version, about, long_about)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Scan Terraform, CloudFormation and plan JSON (directories are walked) and report findings.
    Scan(ScanArgs),
    /// Print a check's knowledge-base page.
    Explain {
        /// The check's code (`SM111`) or name (`notebook-direct-internet-access`).
        code: String,
    },
    /// List every check.
    Checks {
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
    },
    /// Write a commented `sagescan.toml` template in the current directory.
    Init {
        /// Overwrite an existing `sagescan.toml`.
        #[arg(long)]
        force: bool,
    },
}

#[derive(Debug, Args)]
pub struct ScanArgs {
    /// Directories (walked for Terraform roots, CloudFormation templates and `terraform show
    /// -json` plans) or files. Paths in the report stay as given here.
    #[arg(required = true, value_name = "PATH")]
    pub paths: Vec<PathBuf>,

    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,

    /// Exit with 1 when a finding fails at or above this severity.
    #[arg(long, value_enum, default_value_t = FailOn::Low, value_name = "SEVERITY")]
    pub fail_on: FailOn,

    /// Run only these checks: comma-separated codes, names or code prefixes (`SM1`).
    /// Replaces the configuration's `enable` and `disable` lists.
    #[arg(long, value_delimiter = ',', value_name = "CODES")]
    pub checks: Vec<String>,

    /// Do not run these checks: comma-separated codes, names or code prefixes.
    /// Adds to the configuration's `disable` list.
    #[arg(long, value_delimiter = ',', value_name = "CODES")]
    pub skip_checks: Vec<String>,

    /// A `.tfvars` file applied after `terraform.tfvars` and `*.auto.tfvars` (repeatable).
    #[arg(long = "var-file", value_name = "FILE")]
    pub var_files: Vec<PathBuf>,

    /// Set a Terraform variable, applied last (repeatable).
    #[arg(long = "var", value_name = "NAME=VALUE", value_parser = parse_var)]
    pub vars: Vec<(String, String)>,

    /// Set a CloudFormation parameter (or a pseudo parameter such as `AWS::Region`); wins
    /// over parameter files and defaults (repeatable).
    #[arg(long = "parameter", value_name = "KEY=VALUE", value_parser = parse_var)]
    pub parameters: Vec<(String, String)>,

    /// A CloudFormation parameter file: `[{"ParameterKey": …, "ParameterValue": …}]` or
    /// `{"Parameters": {…}}` (repeatable).
    #[arg(long = "parameter-file", value_name = "FILE")]
    pub parameter_files: Vec<PathBuf>,

    /// Use this configuration file instead of the nearest `sagescan.toml` (found by walking
    /// up from the first PATH).
    #[arg(long, value_name = "FILE", conflicts_with = "no_config")]
    pub config: Option<PathBuf>,

    /// Ignore any `sagescan.toml` (inline `sagescan:ignore` waivers still apply).
    #[arg(long)]
    pub no_config: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Text,
    Json,
}

/// `--fail-on`, mirroring [`Severity`] (which lives in a crate that does not know clap).
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum FailOn {
    Low,
    Medium,
    High,
    Critical,
}

impl From<FailOn> for Severity {
    fn from(f: FailOn) -> Severity {
        match f {
            FailOn::Low => Severity::Low,
            FailOn::Medium => Severity::Medium,
            FailOn::High => Severity::High,
            FailOn::Critical => Severity::Critical,
        }
    }
}

fn parse_var(s: &str) -> Result<(String, String), String> {
    match s.split_once('=') {
        Some((name, value)) if !name.trim().is_empty() => {
            Ok((name.trim().to_string(), value.to_string()))
        }
        _ => Err(format!("expected NAME=VALUE, got `{s}`")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn var_splits_at_the_first_equals_sign() {
        assert_eq!(
            parse_var("tags={a=\"b\"}"),
            Ok(("tags".into(), "{a=\"b\"}".into()))
        );
        assert!(parse_var("novalue").is_err());
        assert!(parse_var("=x").is_err());
    }

    #[test]
    fn clap_definition_is_consistent() {
        use clap::CommandFactory;
        Cli::command().debug_assert();
    }
}
