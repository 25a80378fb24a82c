//! The command line, declared with clap's derive API: raw arguments in, typed arguments out.
//! Validation that needs the check registry (codes, prefixes) happens in [`crate::select`].

use clap::{Args, Parser, Subcommand, ValueEnum};
use sagescan_checks::Severity;
use std::path::PathBuf;

/// Prove whether Amazon SageMaker workloads are network-isolated.
///
/// Exit codes: 0 no failed finding at or above --fail-on; 1 there is one; 2 tool error,
/// including "nothing could be scanned" (and, with `scan --strict`, an incomplete scan).
#[derive(Debug, Parser)]
#[command(name = "sagescan", version, about, long_about)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Scan Terraform, CloudFormation and plan JSON (directories are walked), a live AWS
    /// account (`--aws`) or a snapshot of one, and report findings.
    Scan(ScanArgs),
    /// Read a live AWS account (read-only) and write the model as a snapshot, which
    /// `sagescan scan SNAPSHOT.json` replays offline with the same findings.
    Collect(CollectArgs),
    /// Can a workload reach a destination? Prints the path that allows it or every control
    /// that blocks it. Exit 0 not reachable, 1 reachable, 2 error; unknown exits 1 too
    /// (nothing is proven isolated).
    Reach(ReachArgs),
    /// Draw the VPCs (subnets, route tables, gateways, firewall, endpoints, workloads) as
    /// Graphviz DOT or Mermaid, optionally with a reachability path highlighted.
    Graph(GraphArgs),
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
    /// List recorded scans, newest first.
    History(crate::history::HistoryArgs),
    /// Compare two recorded scans: new, resolved and unchanged findings. Exit 1 when the
    /// newer scan has a failed finding the older one did not.
    Diff(crate::history::DiffArgs),
    /// Apply the fixes of failed findings: print a unified diff, write the files
    /// atomically and re-scan to confirm. Fixes that need a decision are only suggested.
    /// Exit 0 nothing left to fix, 1 something is (or `--dry-run` would change files),
    /// 2 error.
    Fix(crate::fix::FixArgs),
}

#[derive(Debug, Args)]
pub struct ScanArgs {
    #[command(flatten)]
    pub inputs: Inputs,

    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,

    /// Print each reachability finding's path hop by hop.
    #[arg(long)]
    pub explain_paths: bool,

    /// Also write a report: FORMAT is text, json, sarif, junit, html, csv or markdown;
    /// without `:FILE` it goes to stdout instead of --format's (at most one may).
    /// Repeatable, so one scan writes several reports.
    #[arg(short = 'o', long = "output", value_name = "FORMAT[:FILE]", value_parser = crate::output::parse)]
    pub outputs: Vec<crate::output::Output>,

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

    /// Use this configuration file instead of the nearest `sagescan.toml` (found by walking
    /// up from the first PATH).
    #[arg(long, value_name = "FILE", conflicts_with = "no_config")]
    pub config: Option<PathBuf>,

    /// Ignore any `sagescan.toml` (inline `sagescan:ignore` waivers still apply).
    #[arg(long)]
    pub no_config: bool,

    /// Exit with 2 when the scan is incomplete: any coverage gap (a file that could not be
    /// read or understood, a limit reached, an AWS call that was denied, throttled or timed
    /// out) means some checks could not judge everything.
    #[arg(long)]
    pub strict: bool,

    #[command(flatten)]
    pub history: crate::history::ScanHistoryArgs,
}

#[derive(Debug, Args)]
pub struct CollectArgs {
    #[command(flatten)]
    pub live: LiveArgs,

    /// Write the snapshot here instead of to stdout.
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
}

/// Live AWS collection, shared by every command that loads inputs.
#[derive(Debug, Args)]
pub struct LiveArgs {
    /// Read the live AWS account (read-only: only Describe*, List* and Get* calls) with the
    /// standard credential chain.
    #[arg(long)]
    pub aws: bool,

    /// Use this named profile of the AWS shared config files.
    #[arg(long, value_name = "PROFILE", requires = "aws")]
    pub profile: Option<String>,

    /// `all` (every region enabled for the account) or a comma-separated list.
    #[arg(
        long,
        value_delimiter = ',',
        value_name = "all|REGION,…",
        requires = "aws"
    )]
    pub regions: Vec<String>,

    /// Scan every active account of the organization by assuming this IAM role in each
    /// (needs organizations:ListAccounts unless --accounts is given).
    #[arg(long, value_name = "ROLE_NAME", requires = "aws")]
    pub org_role: Option<String>,

    /// With --org-role: only these accounts (comma-separated ids).
    #[arg(
        long,
        value_delimiter = ',',
        value_name = "ID,…",
        requires = "org_role"
    )]
    pub accounts: Vec<String>,

    /// Send every AWS call to this endpoint (an emulator). `AWS_ENDPOINT_URL` and
    /// `AWS_ENDPOINT_URL_<SERVICE>` are honoured too.
    #[arg(long, value_name = "URL", requires = "aws")]
    pub endpoint_url: Option<String>,

    /// Training and processing jobs created in the last this many days.
    #[arg(long, value_name = "DAYS", default_value_t = 30, requires = "aws")]
    pub job_days: u32,

    /// AWS calls in flight per account and region.
    #[arg(long, value_name = "N", default_value_t = 8, requires = "aws")]
    pub concurrency: usize,

    /// Pages read from one listing before it is given up as endless (a `pagination-limit`
    /// coverage gap naming the API and region). A repeated token or page ends it at once.
    #[arg(long, value_name = "N", default_value_t = 1000, requires = "aws")]
    pub max_pages: usize,

    /// The whole collection's time budget, in seconds: calls still running when it runs
    /// out are `deadline` coverage gaps, and the scan goes on with what was read.
    #[arg(long, value_name = "SECONDS", default_value_t = 3600, requires = "aws")]
    pub aws_deadline: u64,
}

/// What to load, shared by `scan`, `reach` and `graph`.
#[derive(Debug, Args)]
pub struct Inputs {
    /// Directories (walked for Terraform roots, CloudFormation templates and `terraform show
    /// -json` plans) or files. Paths in the report stay as given here.
    /// A snapshot written by `sagescan collect` is replayed as the live scan it records.
    #[arg(required_unless_present = "aws", value_name = "PATH")]
    pub paths: Vec<PathBuf>,

    #[command(flatten)]
    pub live: LiveArgs,

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

    /// Do not read files larger than this many bytes, whatever their format; each is a
    /// coverage gap (default: 8 MiB for `.tf` and tfvars, 256 MiB for JSON and YAML).
    #[arg(long, value_name = "BYTES")]
    pub max_file_size: Option<u64>,

    /// Do not load Terraform modules nested deeper than this; each is a coverage gap.
    #[arg(long, value_name = "N", default_value_t = sagescan_load::Limits::default().max_module_depth)]
    pub max_module_depth: usize,

    /// Treat a `count` or `for_each` expanding to more instances than this as unknown
    /// (its resources are inconclusive) instead of expanding it.
    #[arg(long, value_name = "N", default_value_t = sagescan_load::Limits::default().max_instances)]
    pub max_instances: usize,
}

impl Inputs {
    /// The loader limits these arguments set.
    pub fn limits(&self) -> sagescan_load::Limits {
        sagescan_load::Limits {
            max_file_size: self.max_file_size,
            max_module_depth: self.max_module_depth,
            max_instances: self.max_instances,
        }
    }
}

#[derive(Debug, Args)]
pub struct ReachArgs {
    /// The workload (`aws_sagemaker_notebook_instance.main`, a logical id, an ARN), or a
    /// subnet together with `--security-group`.
    #[arg(long, value_name = "ADDRESS")]
    pub from: String,

    /// Security groups of the interface when `--from` is a subnet (repeatable).
    #[arg(long = "security-group", value_name = "ADDRESS")]
    pub security_groups: Vec<String>,

    /// internet[:PORT], domain:NAME[:PORT], service:NAME (s3, sagemaker.api, …) or
    /// cidr:A.B.C.D/N[:PORT].
    #[arg(long, value_name = "DESTINATION")]
    pub to: String,

    /// Ask the other way: can the destination open connections to the workload?
    #[arg(long)]
    pub ingress: bool,

    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,

    #[command(flatten)]
    pub inputs: Inputs,
}

#[derive(Debug, Args)]
pub struct GraphArgs {
    #[arg(long, value_enum, default_value_t = GraphFormat::Dot)]
    pub format: GraphFormat,

    /// Highlight the path from this workload (with `--to`).
    #[arg(long, value_name = "ADDRESS", requires = "to")]
    pub from: Option<String>,

    /// The destination whose path to highlight (see `reach --to`).
    #[arg(long, value_name = "DESTINATION", requires = "from")]
    pub to: Option<String>,

    #[command(flatten)]
    pub inputs: Inputs,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum GraphFormat {
    Dot,
    Mermaid,
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
