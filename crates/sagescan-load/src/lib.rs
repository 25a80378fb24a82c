//! Loaders: the only code that knows a source syntax.
//!
//! [`load`] takes the paths the user named and returns one [`Model`] with a configuration
//! per Terraform root directory. What cannot be read becomes a coverage gap in the model,
//! never an error, so that one broken file does not hide the rest; only a path that does
//! not exist (or cannot be listed at all) is an error.

pub mod cloudformation;
pub mod plan;
pub mod terraform;

use sagescan_model::Model;
use std::path::PathBuf;

/// Inputs that change how sources are evaluated.
#[derive(Clone, Debug, Default)]
pub struct LoadOptions {
    /// `--var-file`: extra `.tfvars` files, applied after `terraform.tfvars` and
    /// `*.auto.tfvars`, in order.
    pub var_files: Vec<PathBuf>,
    /// `--var NAME=VALUE`, applied last (the value is an HCL expression or a bare string).
    pub vars: Vec<(String, String)>,
}

#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{0}: no Terraform files found")]
    NothingToScan(PathBuf),
}

/// Loads every path (a directory is walked for Terraform roots; a `.tf` file is a
/// configuration of its own) into one finished model.
///
/// Errors only when a path does not exist or a directory holds no Terraform file at all;
/// unreadable or malformed files, unsupported constructs and remote modules are coverage
/// gaps of the configurations they affect.
pub fn load(paths: &[PathBuf], options: &LoadOptions) -> Result<Model, LoadError> {
    let terraform::Evaluation {
        mut model,
        instances,
    } = terraform::evaluate(paths, options)?;
    for config in &instances {
        terraform::map::map_instances(&mut model, config);
    }
    model.finish();
    Ok(model)
}
