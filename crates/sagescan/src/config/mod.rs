//! The configuration file `sagescan.toml` and the waivers written in source comments.
//!
//! [`discover`] finds the file (walking up from the first scanned path), [`parse`] validates
//! it in one pass that reports every problem with its position, and [`policy`] turns it,
//! together with the model's inline waivers (validated by [`inline_problems`]), into the
//! [`Policy`] that `sagescan_checks::policy::apply` applies. [`template`] is what
//! `sagescan init` writes.

mod parse;
pub mod template;

use globset::GlobMatcher;
use sagescan_checks::policy::{AddressPattern, Scope, Waiver};
use sagescan_checks::{Date, Options, Policy, Severity, find};
use sagescan_model::model::InlineWaiver;
use sagescan_model::{FileSpan, Model, Origin};
use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

pub use parse::parse;

/// The file name looked for.
pub const FILE_NAME: &str = "sagescan.toml";

/// A validated configuration. `Default` is "no file": every check, catalogue options.
#[derive(Debug, Default)]
pub struct Config {
    /// The file it came from (as shown in messages), if any.
    pub file: Option<String>,
    /// Codes, names or prefixes to run (all when empty).
    pub enable: Vec<String>,
    /// Codes, names or prefixes not to run.
    pub disable: Vec<String>,
    /// Check code → severity override.
    pub severity: BTreeMap<String, Severity>,
    pub options: Options,
    pub waivers: Vec<ConfigWaiver>,
}

/// A `[[waivers]]` entry.
#[derive(Debug)]
pub struct ConfigWaiver {
    pub code: String,
    /// The glob as written.
    pub resource: String,
    pub matcher: GlobMatcher,
    pub reason: String,
    pub expires: Option<Date>,
    /// The line of the entry.
    pub line: u32,
}

/// A problem in the configuration or in an inline waiver: `file:line:column: message`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    pub file: String,
    pub line: u32,
    pub column: u32,
    pub message: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Inline waivers are read from the repository: its text is shown escaped.
        write!(
            f,
            "{}:{}:{}: {}",
            sagescan_report::visible(&self.file),
            self.line,
            self.column,
            sagescan_report::visible(&self.message)
        )
    }
}

/// The nearest `sagescan.toml` in the directory of `start` (itself when a directory) or any
/// parent. Shown relative to the working directory when it lies below it.
pub fn discover(start: &Path) -> Option<PathBuf> {
    let absolute = std::path::absolute(start).ok()?;
    let dir = if absolute.is_file() {
        absolute.parent()?.to_path_buf()
    } else {
        absolute
    };
    let found = dir
        .ancestors()
        .map(|d| d.join(FILE_NAME))
        .find(|p| p.is_file())?;
    let cwd = std::env::current_dir().ok();
    Some(
        cwd.and_then(|c| found.strip_prefix(c).ok().map(Path::to_path_buf))
            .unwrap_or(found),
    )
}

/// Reads and validates a configuration file. `Err(Ok(problems))` when it is invalid,
/// `Err(Err(e))` when it cannot be read.
pub fn load(path: &Path) -> Result<Config, Result<Vec<Problem>, std::io::Error>> {
    let text = std::fs::read_to_string(path).map_err(Err)?;
    let file = path.display().to_string();
    let mut config = parse(&file, &text).map_err(Ok)?;
    config.file = Some(file);
    Ok(config)
}

/// The problems of the model's inline waivers: not attached to a resource, no code, an
/// unknown code, or no reason (a waiver without a reason is an error, as in the config).
pub fn inline_problems(model: &Model) -> Vec<Problem> {
    let mut out = Vec::new();
    for w in &model.inline_waivers {
        let problem = |message: String| {
            let (file, line, column) = w.origin.file().map_or((String::new(), 0, 0), |f| {
                (f.file.to_string(), f.line, f.column)
            });
            Problem {
                file,
                line,
                column,
                message,
            }
        };
        if w.resource.is_empty() {
            out.push(problem(
                "`sagescan:ignore` must be inside a resource block or on the comment lines \
                 directly above one"
                    .into(),
            ));
        }
        if w.codes.is_empty() {
            out.push(problem("`sagescan:ignore` names no check code".into()));
        }
        for code in w.codes.iter().filter(|c| find(c).is_none()) {
            out.push(problem(format!(
                "unknown check `{code}` in `sagescan:ignore`; `sagescan checks` lists them"
            )));
        }
        if w.reason.is_empty() {
            out.push(problem(format!(
                "waiver for {} has no reason; write `sagescan:ignore {} <why it is accepted>`",
                w.codes.join(","),
                w.codes.join(",")
            )));
        }
    }
    out
}

/// A config glob, matched against resource addresses.
#[derive(Debug)]
struct GlobPattern(GlobMatcher);

impl AddressPattern for GlobPattern {
    fn matches(&self, address: &str) -> bool {
        self.0.is_match(address)
    }
}

/// The severity overrides and every waiver, config file first, then inline ones. Call only
/// when [`inline_problems`] found none.
pub fn policy(config: &Config, inline: &[InlineWaiver]) -> Policy {
    let file = config.file.clone().unwrap_or_default();
    let mut waivers: Vec<Waiver> = config
        .waivers
        .iter()
        .map(|w| Waiver {
            code: w.code.clone(),
            scope: Scope::Addresses(Box::new(GlobPattern(w.matcher.clone()))),
            resource: w.resource.clone(),
            reason: w.reason.clone(),
            source: line_origin(&file, w.line),
            expires: w.expires,
        })
        .collect();
    for w in inline {
        let Some(decl) = w.resource_origin.file() else {
            continue;
        };
        for code in w.codes.iter().filter_map(|c| find(c)).map(|c| c.code) {
            waivers.push(Waiver {
                code: code.to_string(),
                scope: Scope::Declaration {
                    file: decl.file.clone(),
                    start: decl.start,
                },
                resource: w.resource.clone(),
                reason: w.reason.clone(),
                source: w.origin.clone(),
                expires: None,
            });
        }
    }
    Policy {
        severity: config.severity.clone(),
        waivers,
    }
}

fn line_origin(file: &str, line: u32) -> Origin {
    Origin::File(FileSpan {
        file: file.into(),
        start: 0,
        end: 0,
        line,
        column: 1,
    })
}

/// Today's date in UTC, from the system clock.
pub fn today() -> Date {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    Date::from_unix_days((secs / 86_400) as i64)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn problems(text: &str) -> Vec<String> {
        match parse("sagescan.toml", text) {
            Ok(_) => Vec::new(),
            Err(p) => p.iter().map(ToString::to_string).collect(),
        }
    }

    #[test]
    fn every_problem_is_reported_with_its_position() {
        let got = problems(
            "[checks]\n\
             disable = [\"SM111\", \"XX999\"]\n\
             \n\
             [severity]\n\
             SM113 = \"urgent\"\n\
             \n\
             [options]\n\
             admin_ports = [22, 70000]\n\
             flow_logs = true\n\
             \n\
             [[waivers]]\n\
             code = \"SM111\"\n\
             resource = \"aws_x.{a\"\n\
             reason = \"  \"\n\
             expires = \"2025-02-30\"\n",
        );
        assert_eq!(
            got,
            [
                "sagescan.toml:2:21: unknown check `XX999`; `sagescan checks` lists them",
                "sagescan.toml:5:9: unknown severity `urgent`; expected low, medium, high or critical",
                "sagescan.toml:8:20: each item of `options.admin_ports` must be a port number (0-65535)",
                "sagescan.toml:9:1: unknown key `flow_logs` in [options]; expected one of \
                 `required_endpoints`, `too_broad_domains`, `required_tags`, `environment_tag`, \
                 `authorized_ingress_ports`, `admin_ports`, `flow_logs_require_all`",
                "sagescan.toml:13:12: invalid glob `aws_x.{a`: unclosed alternate group; missing '}' (maybe escape '{' with '[{]'?)",
                "sagescan.toml:14:10: waiver `reason` is empty; say why the finding is accepted",
                "sagescan.toml:15:11: invalid date `2025-02-30`; expected an existing day as YYYY-MM-DD",
            ]
        );
    }

    #[test]
    fn syntax_errors_and_duplicate_keys_come_with_schema_errors() {
        let got = problems("[checks]\nenable = [\"SM1\"]\nenable = []\n[bogus]\nx = \n");
        assert!(got.len() >= 3, "{got:?}");
        assert!(
            got.iter().any(|p| p.starts_with("sagescan.toml:3:")),
            "{got:?}"
        );
        assert!(
            got.iter()
                .any(|p| p.starts_with("sagescan.toml:4:2: unknown key `bogus` in the top level")),
            "{got:?}"
        );
        assert!(
            got.iter().any(|p| p.starts_with("sagescan.toml:5:")),
            "{got:?}"
        );
    }

    #[test]
    fn wrong_types_and_missing_waiver_fields_are_named() {
        let got = problems(
            "checks = 1\n[options]\nenvironment_tag = 3\nflow_logs_require_all = \"yes\"\n\
             [[waivers]]\ncode = \"SM111\"\n",
        );
        assert_eq!(
            got,
            [
                "sagescan.toml:1:10: `checks` must be a table, found an integer",
                "sagescan.toml:3:19: `options.environment_tag` must be a string, found an integer",
                "sagescan.toml:4:25: `options.flow_logs_require_all` must be a boolean, found a string",
                "sagescan.toml:5:1: waiver has no `resource`",
                "sagescan.toml:5:1: waiver has no `reason`",
            ]
        );
    }

    #[test]
    fn a_valid_file_maps_to_options_severities_and_waivers() {
        let config = parse(
            "x.toml",
            "[checks]\nenable = [\"SM1\", \"notebook-root-access\"]\n\
             [severity]\nSM111 = \"low\"\n\
             [options]\nadmin_ports = [22]\nrequired_endpoints.any_workload = [\"s3\"]\n\
             [[waivers]]\ncode = \"sm111\"\nresource = \"aws_sagemaker_notebook_instance.*\"\n\
             reason = \"lab\"\nexpires = 2030-01-31\n",
        )
        .expect("valid");
        assert_eq!(config.enable, ["SM1", "notebook-root-access"]);
        assert_eq!(config.severity.get("SM111"), Some(&Severity::Low));
        assert_eq!(config.options.admin_ports, [22]);
        assert_eq!(config.options.required_endpoints.any_workload, ["s3"]);
        assert_eq!(
            config.options.required_endpoints.private_ecr,
            Options::default().required_endpoints.private_ecr
        );
        let w = &config.waivers[0];
        assert_eq!((w.code.as_str(), w.line), ("SM111", 8));
        assert_eq!(
            w.expires.map(|d| d.to_string()).as_deref(),
            Some("2030-01-31")
        );
        assert!(w.matcher.is_match("aws_sagemaker_notebook_instance.lab"));
    }
}
