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
use sagescan_model::{CoverageGap, FileSpan, Model, Origin};
use std::path::{Path, PathBuf};

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

/// [`read_limited`], as UTF-8 text.
pub(crate) fn read_text(path: &Path, max: u64, named: Named) -> std::io::Result<String> {
    String::from_utf8(read_limited(path, max, named)?).map_err(|_| {
        std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            "stream did not contain valid UTF-8",
        )
    })
}

/// Who named a file to read, which decides what it may be.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Named {
    /// The user, on the command line: what they name is read, a pipe included
    /// (`--var-file <(…)`).
    ByUser,
    /// The scanned input: a file found in the tree, or a path a file names (a template's
    /// `TemplateURL`, a CDK manifest's asset). Only a regular file is read.
    ByInput,
}

/// Reads a file of at most `max` bytes. The input can point anywhere: a FIFO would block
/// the open until some writer came, and a device such as `/dev/zero` never ends, so what
/// the input names must be a regular file, refused unopened otherwise; and the read stops
/// after `max` bytes even if the file grew since it was measured, lies about its size (as
/// files under `/proc` do) or is a pipe. Errors name the problem, not the path.
pub(crate) fn read_limited(path: &Path, max: u64, named: Named) -> std::io::Result<Vec<u8>> {
    use std::io::{Error, ErrorKind, Read};
    let meta = std::fs::metadata(path)?;
    if named == Named::ByInput && !meta.is_file() {
        return Err(Error::new(
            ErrorKind::InvalidInput,
            format!("not a regular file ({}); not read", file_kind(&meta)),
        ));
    }
    let too_large = |len: u64| {
        Error::new(
            ErrorKind::FileTooLarge,
            format!("{len} bytes exceeds the {max}-byte limit (--max-file-size)"),
        )
    };
    if meta.len() > max {
        return Err(too_large(meta.len()));
    }
    let mut bytes = Vec::with_capacity(meta.len() as usize);
    std::fs::File::open(path)?
        .take(max.saturating_add(1))
        .read_to_end(&mut bytes)?;
    if bytes.len() as u64 > max {
        return Err(too_large(bytes.len() as u64));
    }
    Ok(bytes)
}

/// What a file that is not a regular file is, for messages.
fn file_kind(meta: &std::fs::Metadata) -> &'static str {
    let t = meta.file_type();
    if t.is_dir() {
        return "a directory";
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if t.is_fifo() {
            return "a FIFO";
        }
        if t.is_socket() {
            return "a socket";
        }
        if t.is_block_device() || t.is_char_device() {
            return "a device";
        }
    }
    "a special file"
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

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use std::io::ErrorKind;

    #[test]
    fn what_the_input_names_is_read_only_if_it_is_a_regular_file() {
        // `/dev/zero` never ends.
        let e = read_limited(Path::new("/dev/zero"), 1 << 20, Named::ByInput).unwrap_err();
        assert_eq!(e.to_string(), "not a regular file (a device); not read");
        let e = read_limited(Path::new("/"), 1 << 20, Named::ByInput).unwrap_err();
        assert_eq!(e.to_string(), "not a regular file (a directory); not read");
        // A FIFO would block the open until a writer came: refused before opening.
        let fifo = std::env::temp_dir().join(format!("sagescan-fifo-{}", std::process::id()));
        let _ = std::fs::remove_file(&fifo);
        let made = std::process::Command::new("mkfifo").arg(&fifo).status();
        assert!(made.is_ok_and(|s| s.success()), "mkfifo");
        let e = read_limited(&fifo, 1 << 20, Named::ByInput).unwrap_err();
        std::fs::remove_file(&fifo).unwrap();
        assert_eq!(e.to_string(), "not a regular file (a FIFO); not read");
    }

    #[test]
    fn what_the_user_names_is_read_whatever_it_is_but_never_past_the_limit() {
        // A pipe or device reports no size; the read stops at the limit all the same.
        let e = read_limited(Path::new("/dev/zero"), 1000, Named::ByUser).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::FileTooLarge);
        assert_eq!(
            e.to_string(),
            "1001 bytes exceeds the 1000-byte limit (--max-file-size)"
        );
        assert_eq!(
            read_limited(Path::new("/dev/null"), 1000, Named::ByUser).unwrap(),
            b""
        );
    }
}
