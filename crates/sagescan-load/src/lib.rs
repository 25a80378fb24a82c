//! Loaders: the only code that knows a source syntax.
//!
//! [`load`] takes the paths the user named and returns one [`Model`]: a configuration per
//! Terraform root directory, per CloudFormation root stack (with its nested stacks) and per
//! Terraform plan file. Formats mix freely in one run; files are told apart by content, not
//! by name. What cannot be read becomes a coverage gap in the model, never an error, so
//! that one broken file does not hide the rest; only a path that does not exist (or cannot
//! be listed at all) is an error.

pub mod cloudformation;
mod fold;
pub mod plan;
pub mod terraform;

use cloudformation::Template;
use rayon::prelude::*;
use sagescan_fs::{Named, read_text};
use sagescan_model::{CoverageGap, FileSpan, Model, Origin};
use std::path::PathBuf;

/// Inputs that change how sources are evaluated.
#[derive(Clone, Debug, Default)]
pub struct LoadOptions {
    /// `--var-file`: extra `.tfvars` files, applied after `terraform.tfvars` and
    /// `*.auto.tfvars`, in order.
    pub var_files: Vec<PathBuf>,
    /// `--var NAME=VALUE`, applied last (the value is an HCL expression or a bare string).
    pub vars: Vec<(String, String)>,
    /// `--parameter KEY=VALUE`: CloudFormation parameter values; they win over files.
    pub parameters: Vec<(String, String)>,
    /// `--parameter-file`: CloudFormation parameter files (`[{"ParameterKey", …}]` or
    /// `{"Parameters": {…}}`).
    pub parameter_files: Vec<PathBuf>,
    /// `--max-file-size`, `--max-module-depth`, `--max-instances`.
    pub limits: Limits,
}

/// Bounds on what one load reads and expands, so that hostile input costs bounded time and
/// memory. Reaching one is a coverage gap (or an Unknown value) of the configuration it
/// affects, never an error of the load. Nesting depth is not among them: the parsers' own
/// fixed caps (64 levels for HCL, 128 for JSON and templates) are what keeps recursion
/// within the stack, so they are not for raising.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    /// Largest file read, in bytes, whatever its format. `None`: each format's default,
    /// [`terraform::MAX_FILE_SIZE`] for `.tf` and tfvars files and [`plan::MAX_PLAN_SIZE`]
    /// for JSON and YAML files (of which a CloudFormation template may use 16 MiB).
    pub max_file_size: Option<u64>,
    /// Terraform module calls nested deeper than this are not loaded.
    pub max_module_depth: usize,
    /// A `count` or `for_each` that expands to more instances than this is treated as not
    /// statically known (its instances are Unknown) rather than materialized.
    pub max_instances: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_file_size: None,
            max_module_depth: terraform::MAX_MODULE_DEPTH,
            max_instances: terraform::MAX_INSTANCES,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    /// The cause is the error's source, so that `{:#}` chains print it once.
    #[error("cannot read {path}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{0}: no Terraform, CloudFormation or plan files found")]
    NothingToScan(PathBuf),
}

/// Loads every path into one finished model. A directory is walked (respecting
/// `.gitignore`) for Terraform roots, CloudFormation templates and plan JSON files; a file
/// is loaded by what its content is.
///
/// Errors only when a path does not exist or a directory holds nothing loadable at all;
/// unreadable or malformed files, unsupported constructs and remote modules are coverage
/// gaps of the configurations they affect.
pub fn load(paths: &[PathBuf], options: &LoadOptions) -> Result<Model, LoadError> {
    let terraform::Evaluation {
        mut model,
        instances,
        other_files,
    } = terraform::evaluate(paths, options)?;
    for config in &instances {
        terraform::map::map_instances(&mut model, config);
    }

    let max_size = options
        .limits
        .max_file_size
        .unwrap_or(plan::MAX_PLAN_SIZE as u64);
    let (plans, templates) = read_others(&other_files, max_size, &mut model);
    for (display, text) in &plans {
        plan::load_plan(&mut model, display, text);
    }
    let cfn_options = cloudformation::CfnOptions {
        parameters: options.parameters.clone(),
        parameter_files: options.parameter_files.clone(),
    };
    cloudformation::load_templates(&mut model, &templates, &cfn_options);
    model.finish();
    Ok(model)
}

/// Reads the non-Terraform candidates in parallel and sorts them into plans and possible
/// CloudFormation templates (the CloudFormation loader itself skips, silently, documents
/// without `Resources`: package.json and friends are not templates). A file that cannot be
/// read is a coverage gap, not an error.
fn read_others(
    paths: &[PathBuf],
    max_size: u64,
    model: &mut Model,
) -> (Vec<(String, String)>, Vec<Template>) {
    let read: Vec<(PathBuf, String, std::io::Result<String>)> = paths
        .par_iter()
        .map(|p| {
            (
                p.clone(),
                p.display().to_string(),
                // A multi-gigabyte data file that happens to end in `.json` must not be
                // read into memory only to be rejected.
                read_text(p, max_size, Named::ByInput),
            )
        })
        .collect();
    let mut plans = Vec::new();
    let mut templates = Vec::new();
    for (path, display, text) in read {
        match text {
            Ok(text) if plan::is_plan(&text) => plans.push((display, text)),
            Ok(text) => templates.push(Template {
                path,
                display,
                text,
            }),
            Err(e) => model.gaps.push(CoverageGap {
                config: None,
                // Our own refusal of an oversized file is not an I/O failure.
                kind: if e.kind() == std::io::ErrorKind::FileTooLarge {
                    "too-large".into()
                } else {
                    "io-error".into()
                },
                message: format!("{display}: {e}"),
                origin: Origin::File(FileSpan {
                    file: display.as_str().into(),
                    start: 0,
                    end: 0,
                    line: 1,
                    column: 1,
                }),
            }),
        }
    }
    (plans, templates)
}

/// Loads one Terraform root module given as texts (`.tf` files and tfvars files, each
/// `(name, text)`) into a finished model, without reading anything from disk: see
/// [`terraform::evaluate_texts`]. For fuzzing and for tests that build their input.
pub fn load_terraform_texts(tf: &[(&str, &str)], tfvars: &[(&str, &str)]) -> Model {
    let terraform::Evaluation {
        mut model,
        instances,
        ..
    } = terraform::evaluate_texts(tf, tfvars);
    for config in &instances {
        terraform::map::map_instances(&mut model, config);
    }
    model.finish();
    model
}
