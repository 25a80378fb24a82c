//! Finding Terraform files: walks a directory the way a developer's tools do (respecting
//! `.gitignore`, skipping hidden directories such as `.terraform/`) and groups the files
//! by directory. Walking only lists names; reading and parsing happen afterwards in
//! parallel.
//!
//! Paths are the path the user gave joined with the relative part, never canonicalized, so
//! every origin reads the way the user typed it.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// The Terraform files of one directory, each list sorted by path.
#[derive(Debug, Default)]
pub(crate) struct DirFiles {
    pub dir: PathBuf,
    pub tf: Vec<PathBuf>,
    /// `terraform.tfvars`, `terraform.tfvars.json`, then `*.auto.tfvars(.json)` by name:
    /// Terraform's precedence order, lowest first.
    pub tfvars: Vec<PathBuf>,
    /// `*.tf.json` files, which this loader does not read.
    pub tf_json: Vec<PathBuf>,
}

/// The result of a walk; `errors` are entries that could not be listed.
#[derive(Debug, Default)]
pub(crate) struct Walked {
    pub dirs: Vec<DirFiles>,
    /// Files another loader may read (CloudFormation templates, plan JSON), sorted: one
    /// walk serves every format.
    pub others: Vec<PathBuf>,
    pub errors: Vec<String>,
}

/// Whether a file that is not Terraform may be a CloudFormation template or a plan.
pub(crate) fn is_other_candidate(name: &str) -> bool {
    [".json", ".yaml", ".yml", ".template"]
        .iter()
        .any(|ext| name.ends_with(ext))
        && kind(name).is_none()
}

enum Kind {
    Tf,
    TfJson,
    /// Precedence rank among variable files.
    Tfvars(u8),
}

fn kind(name: &str) -> Option<Kind> {
    if name.ends_with(".tf.json") {
        Some(Kind::TfJson)
    } else if name.ends_with(".tf") {
        Some(Kind::Tf)
    } else if name == "terraform.tfvars" {
        Some(Kind::Tfvars(0))
    } else if name == "terraform.tfvars.json" {
        Some(Kind::Tfvars(1))
    } else if name.ends_with(".auto.tfvars") || name.ends_with(".auto.tfvars.json") {
        Some(Kind::Tfvars(2))
    } else {
        None
    }
}

/// Directories being collected, each with its variable files and their precedence rank.
type Collecting = BTreeMap<PathBuf, (DirFiles, Vec<(u8, PathBuf)>)>;

fn add(dirs: &mut Collecting, path: PathBuf) {
    let Some(name) = path.file_name().and_then(|n| n.to_str()) else {
        return;
    };
    let Some(kind) = kind(name) else { return };
    let dir = path.parent().map(Path::to_path_buf).unwrap_or_default();
    let (entry, vars) = dirs.entry(dir.clone()).or_insert_with(|| {
        (
            DirFiles {
                dir,
                ..DirFiles::default()
            },
            Vec::new(),
        )
    });
    match kind {
        Kind::Tf => entry.tf.push(path),
        Kind::TfJson => entry.tf_json.push(path),
        Kind::Tfvars(rank) => vars.push((rank, path)),
    }
}

fn finish(dirs: Collecting) -> Vec<DirFiles> {
    dirs.into_values()
        .map(|(mut d, mut vars)| {
            d.tf.sort();
            d.tf_json.sort();
            vars.sort();
            d.tfvars = vars.into_iter().map(|(_, p)| p).collect();
            d
        })
        // A directory holding only variable files is not a module.
        .filter(|d| !d.tf.is_empty() || !d.tf_json.is_empty())
        .collect()
}

/// Walks `root` for Terraform files (and other formats' candidates), on several threads:
/// large monorepos spend noticeable time just listing directories. Results are sorted
/// afterwards, so the output does not depend on thread timing.
pub(crate) fn walk(root: &Path) -> Walked {
    let found: Mutex<(Vec<PathBuf>, Vec<String>)> = Mutex::new((Vec::new(), Vec::new()));
    let mut builder = ignore::WalkBuilder::new(root);
    // `require_git(false)`: a `.gitignore` is honoured even in a copy outside a repository.
    builder.require_git(false);
    // The walker opens the ignore files of the root, of its parents and of every directory
    // it enters, and would wait forever on one that is a FIFO. Such a directory below the
    // root is left out, and said so; at the root or above, ignore files are not read at all.
    let root_guard = root
        .canonicalize()
        .ok()
        .and_then(|a| a.ancestors().find_map(special_ignore_file));
    let mut unread = Vec::new();
    if let Some(file) = root_guard {
        builder.standard_filters(false).hidden(true);
        unread.push(format!(
            "{}: not a regular file; no ignore file was read",
            file.display()
        ));
    }
    let skipped = std::sync::Arc::new(Mutex::new(unread));
    let skipped_by_filter = skipped.clone();
    builder.filter_entry(move |e| {
        let Some(file) = e
            .file_type()
            .is_some_and(|t| t.is_dir())
            .then(|| special_ignore_file(e.path()))
            .flatten()
        else {
            return true;
        };
        let mut skipped = skipped_by_filter.lock().unwrap_or_else(|e| e.into_inner());
        skipped.push(format!(
            "{}: not a regular file; {} was not scanned",
            file.display(),
            e.path().display()
        ));
        false
    });
    builder.build_parallel().run(|| {
        Box::new(|entry| {
            let mut found = found.lock().unwrap_or_else(|e| e.into_inner());
            match entry {
                Ok(e) if e.file_type().is_some_and(|t| t.is_file()) => found.0.push(e.into_path()),
                // A linked file is read through the link, as Terraform does (shared
                // `providers.tf` links are common), and one that leads nowhere (dangling,
                // a loop) is kept so that reading it reports why, in the configuration it
                // belongs to; so is a FIFO, socket or device with a loader's name, which
                // reading refuses, unopened, with a diagnostic. Linked directories are not
                // walked, so a link back to a parent cannot make the walk loop.
                Ok(e) if is_read(e.path()) => {
                    if std::fs::metadata(e.path()).map_or(true, |m| !m.is_dir()) {
                        found.0.push(e.into_path())
                    }
                }
                Ok(_) => {}
                Err(e) => found.1.push(e.to_string()),
            }
            ignore::WalkState::Continue
        })
    });
    let (mut files, mut errors) = found.into_inner().unwrap_or_else(|e| e.into_inner());
    errors.extend(std::mem::take(
        &mut *skipped.lock().unwrap_or_else(|e| e.into_inner()),
    ));
    files.sort();
    errors.sort();
    let mut dirs = BTreeMap::new();
    let mut others = Vec::new();
    for path in files {
        match path.file_name().and_then(|n| n.to_str()) {
            Some(name) if is_other_candidate(name) => others.push(path),
            _ => add(&mut dirs, path),
        }
    }
    Walked {
        dirs: finish(dirs),
        others,
        errors,
    }
}

/// The first file of `dir` that the walker would open to read ignore rules but that is
/// not a regular file (`.git` may be a directory), if any.
fn special_ignore_file(dir: &Path) -> Option<PathBuf> {
    let git = dir.join(".git");
    let git_is_dir = std::fs::metadata(&git).is_ok_and(|m| m.is_dir());
    let mut files = vec![dir.join(".gitignore"), dir.join(".ignore")];
    // A repository's exclude file, or a worktree's `.git` file.
    files.push(if git_is_dir {
        git.join("info").join("exclude")
    } else {
        git
    });
    files
        .into_iter()
        .find(|f| std::fs::metadata(f).is_ok_and(|m| !m.is_file()))
}

/// Whether a file of this name is one a loader reads.
fn is_read(path: &Path) -> bool {
    path.file_name()
        .and_then(|n| n.to_str())
        .is_some_and(|name| kind(name).is_some() || is_other_candidate(name))
}

/// The Terraform files directly in `dir` (a module directory outside the walked paths).
pub(crate) fn list_dir(dir: &Path) -> std::io::Result<DirFiles> {
    let mut dirs = BTreeMap::new();
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        if entry.file_type()?.is_file() {
            add(&mut dirs, dir.join(entry.file_name()));
        }
    }
    let mut found = finish(dirs).pop().unwrap_or_default();
    found.dir = dir.to_path_buf();
    // Variable files belong to root modules only.
    found.tfvars.clear();
    Ok(found)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tfvars_precedence_order() {
        let mut dirs = BTreeMap::new();
        for name in [
            "b.auto.tfvars",
            "terraform.tfvars.json",
            "a.auto.tfvars.json",
            "terraform.tfvars",
            "main.tf",
        ] {
            add(&mut dirs, PathBuf::from("d").join(name));
        }
        let found = finish(dirs);
        let names: Vec<_> = found[0]
            .tfvars
            .iter()
            .map(|p| p.file_name().unwrap().to_str().unwrap())
            .collect();
        assert_eq!(
            names,
            [
                "terraform.tfvars",
                "terraform.tfvars.json",
                "a.auto.tfvars.json",
                "b.auto.tfvars"
            ]
        );
    }
}
