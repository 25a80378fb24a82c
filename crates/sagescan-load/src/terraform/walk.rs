//! Finding Terraform files: walks a directory the way a developer's tools do (respecting
//! `.gitignore`, skipping hidden directories such as `.terraform/`) and groups the files
//! by directory. Walking only lists names; reading and parsing happen afterwards in
//! parallel.
//!
//! Two rules keep a pull request from hiding files or pulling others in. Ignore rules only
//! skip what git does not track: inside a work tree a tracked file is read whatever a
//! `.gitignore` says (Terraform deploys it all the same), and outside one, what ignore
//! rules skip is a coverage gap. And a link is followed only to a file inside the scanned
//! tree: one leading elsewhere on the machine is a gap naming the link, unread.
//!
//! Paths are the path the user gave joined with the relative part, never canonicalized, so
//! every origin reads the way the user typed it.

mod git;

use std::collections::{BTreeMap, HashMap, HashSet};
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

/// The result of a walk.
#[derive(Debug, Default)]
pub(crate) struct Walked {
    pub dirs: Vec<DirFiles>,
    /// Files another loader may read (CloudFormation templates, plan JSON), sorted: one
    /// walk serves every format.
    pub others: Vec<PathBuf>,
    /// Entries that could not be listed.
    pub errors: Vec<String>,
    /// Files found but deliberately not read, each a coverage gap of the whole input.
    pub gaps: Vec<WalkGap>,
}

/// A file the walk found and did not read, and why.
#[derive(Debug)]
pub(crate) struct WalkGap {
    /// `outside-tree` (a link leading out of the scanned tree) or `ignored` (skipped by
    /// ignore rules where git cannot say it is untracked).
    pub kind: &'static str,
    /// The file the gap points at.
    pub file: PathBuf,
    pub message: String,
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
    let real_root = root.canonicalize().ok();
    // The walker opens the ignore files of the root, of its parents and of every directory
    // it enters, and would wait forever on one that is a FIFO. Such a directory below the
    // root is left out, and said so; at the root or above, ignore files are not read at all.
    let root_guard = real_root
        .as_deref()
        .and_then(|a| a.ancestors().find_map(special_ignore_file));
    let mut errors = Vec::new();
    if let Some(file) = &root_guard {
        errors.push(format!(
            "{}: not a regular file; no ignore file was read",
            file.display()
        ));
    }
    let filtered = list(root, root_guard.is_none());
    errors.extend(filtered.errors);
    let mut files = filtered.files;
    let mut gaps = Vec::new();
    // Ignore rules may come from the root's parents and git's exclude files as well as
    // from the directories walked; only where none can apply is the second listing saved.
    let may_ignore = filtered.saw_ignore_file
        || real_root.as_deref().is_some_and(|r| {
            r.ancestors().any(|d| {
                [".gitignore", ".ignore", ".git"]
                    .iter()
                    .any(|f| d.join(f).exists())
            })
        })
        || !ignore::gitignore::Gitignore::global().0.is_empty();
    if root_guard.is_none() && may_ignore {
        let listed: HashSet<&Path> = files.iter().map(|f| f.path.as_path()).collect();
        // What ignore rules hid: in the listing without them, not in the one with them.
        // (The second listing's errors are in ignored directories, or were reported.)
        let ignored: Vec<Found> = list(root, false)
            .files
            .into_iter()
            .filter(|f| !listed.contains(f.path.as_path()))
            .collect();
        if !ignored.is_empty() {
            let (tracked, ignored_gaps) = keep_tracked(root, real_root.as_deref(), ignored);
            files.extend(tracked);
            gaps.extend(ignored_gaps);
        }
    }
    if let Some(real_root) = &real_root {
        files.retain(|f| {
            let Some(gap) = leaves_tree(f, real_root) else {
                return true;
            };
            gaps.push(gap);
            false
        });
    }
    let mut files: Vec<PathBuf> = files.into_iter().map(|f| f.path).collect();
    files.sort();
    files.dedup();
    errors.sort();
    gaps.sort_by(|a, b| a.file.cmp(&b.file));
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
        gaps,
    }
}

/// A file a loader may read, found by a listing.
#[derive(Debug)]
struct Found {
    path: PathBuf,
    /// Whether the entry itself is a symbolic link.
    link: bool,
}

/// One listing of the tree.
#[derive(Default)]
struct Listing {
    files: Vec<Found>,
    errors: Vec<String>,
    /// Whether some directory walked has an ignore file (or is a work tree's top, whose
    /// exclude file applies).
    saw_ignore_file: bool,
}

/// Lists the files under `root` that a loader may read, skipping hidden directories and,
/// with `ignores`, what ignore rules skip. Directories whose ignore files cannot be read
/// safely are left out with an error.
fn list(root: &Path, ignores: bool) -> Listing {
    let found: Mutex<Listing> = Mutex::new(Listing::default());
    let mut builder = ignore::WalkBuilder::new(root);
    if ignores {
        // `require_git(false)`: a `.gitignore` is honoured even in a copy outside a
        // repository (and what it hides is then a gap: see `keep_tracked`).
        builder.require_git(false);
    } else {
        builder.standard_filters(false).hidden(true);
    }
    // Even where ignore files are not read, a directory with one the walker could not read
    // is left out: the listings must agree on what was scanned at all.
    let skipped = std::sync::Arc::new(Mutex::new((Vec::new(), false)));
    {
        let skipped = skipped.clone();
        builder.filter_entry(move |e| {
            if !e.file_type().is_some_and(|t| t.is_dir()) {
                return true;
            }
            let dir = e.path();
            let has_ignore_file = [".gitignore", ".ignore", ".git"]
                .iter()
                .any(|f| std::fs::symlink_metadata(dir.join(f)).is_ok());
            let special = has_ignore_file.then(|| special_ignore_file(dir)).flatten();
            let mut skipped = skipped.lock().unwrap_or_else(|e| e.into_inner());
            skipped.1 |= has_ignore_file;
            let Some(file) = special else {
                return true;
            };
            skipped.0.push(format!(
                "{}: not a regular file; {} was not scanned",
                file.display(),
                dir.display()
            ));
            false
        });
    }
    builder.build_parallel().run(|| {
        Box::new(|entry| {
            let mut found = found.lock().unwrap_or_else(|e| e.into_inner());
            match entry {
                Ok(e) if e.file_type().is_some_and(|t| t.is_file()) => found.files.push(Found {
                    path: e.into_path(),
                    link: false,
                }),
                // A linked file is read through the link, as Terraform does (shared
                // `providers.tf` links are common), if it stays in the tree; and one that
                // leads nowhere (dangling, a loop) is kept so that reading it reports why,
                // in the configuration it belongs to; so is a FIFO, socket or device with
                // a loader's name, which reading refuses, unopened, with a diagnostic.
                // Linked directories are not walked, so a link back to a parent cannot
                // make the walk loop.
                Ok(e) if is_read(e.path()) => {
                    if std::fs::metadata(e.path()).map_or(true, |m| !m.is_dir()) {
                        let link = e.path_is_symlink();
                        found.files.push(Found {
                            path: e.into_path(),
                            link,
                        })
                    }
                }
                Ok(_) => {}
                Err(e) => found.errors.push(e.to_string()),
            }
            ignore::WalkState::Continue
        })
    });
    let mut listing = found.into_inner().unwrap_or_else(|e| e.into_inner());
    let (errors, saw) = std::mem::take(&mut *skipped.lock().unwrap_or_else(|e| e.into_inner()));
    listing.errors.extend(errors);
    listing.saw_ignore_file |= saw;
    listing
}

/// A gap for a link whose target is outside `real_root` (the scanned tree, canonical):
/// reading it would put a file from elsewhere on the machine (another team's template, a
/// secret) into the reports. A link that leads nowhere is left for reading to report.
fn leaves_tree(found: &Found, real_root: &Path) -> Option<WalkGap> {
    if !found.link {
        return None;
    }
    let target = found.path.canonicalize().ok()?;
    if target.starts_with(real_root) {
        return None;
    }
    let to = std::fs::read_link(&found.path)
        .map(|t| format!(" (to {})", t.display()))
        .unwrap_or_default();
    Some(WalkGap {
        kind: "outside-tree",
        file: found.path.clone(),
        message: format!(
            "{}: a link{to} that leads outside the scanned tree; not read",
            found.path.display()
        ),
    })
}

/// Of the files ignore rules hid, those git tracks, to be read after all; and gaps for
/// those that may be tracked but cannot be told to be: outside any work tree, or where the
/// index cannot be read. Files git does not track are skipped, as ignore rules intend
/// (build output, caches).
fn keep_tracked(
    root: &Path,
    real_root: Option<&Path>,
    ignored: Vec<Found>,
) -> (Vec<Found>, Vec<WalkGap>) {
    let mut repos = Repos::new(root, real_root);
    let mut keep = Vec::new();
    let mut unknown: BTreeMap<Option<usize>, Vec<PathBuf>> = BTreeMap::new();
    for f in ignored {
        let dir = f.path.parent().unwrap_or(Path::new(""));
        let repo = repos.of(dir);
        match repo.map(|r| (r, repos.is_tracked(r, &f.path))) {
            Some((_, Some(true))) => keep.push(f),
            Some((_, Some(false))) => {}
            Some((r, None)) => unknown.entry(Some(r)).or_default().push(f.path),
            None => unknown.entry(None).or_default().push(f.path),
        }
    }
    let gaps = unknown
        .into_iter()
        .map(|(repo, mut files)| {
            files.sort();
            let why = match repo {
                None => "this is not a git work tree, so whether they are committed (and \
                         deployed) cannot be told"
                    .to_string(),
                Some(r) => format!(
                    "whether they are committed cannot be told: {}",
                    repos.list[r].tracked.as_ref().err().map_or("", String::as_str)
                ),
            };
            let shown: Vec<String> = files.iter().take(5).map(|f| f.display().to_string()).collect();
            let more = match files.len() {
                n if n > 5 => format!(" and {} more", n - 5),
                _ => String::new(),
            };
            WalkGap {
                kind: "ignored",
                message: format!(
                    "{} skipped by ignore rules (.gitignore, .ignore, git's excludes), and {why}: {}{more}",
                    match files.len() {
                        1 => "1 file".to_string(),
                        n => format!("{n} files"),
                    },
                    shown.join(", "),
                ),
                file: files.swap_remove(0),
            }
        })
        .collect();
    (keep, gaps)
}

/// The git work trees the ignored files are in: the one holding the root (found upwards,
/// canonically), and any nested one (a submodule, a vendored clone) found by its `.git`.
struct Repos<'a> {
    root: &'a Path,
    real_root: Option<&'a Path>,
    list: Vec<Repo>,
    /// Each directory seen, and the work tree it is in.
    by_dir: HashMap<PathBuf, Option<usize>>,
}

struct Repo {
    /// Where the work tree's paths start, in the walk's spelling of paths.
    base: PathBuf,
    /// What the index prefixes to paths under `base` (the root's place in its work tree).
    prefix: PathBuf,
    tracked: Result<HashSet<Vec<u8>>, String>,
}

impl<'a> Repos<'a> {
    fn new(root: &'a Path, real_root: Option<&'a Path>) -> Self {
        Repos {
            root,
            real_root,
            list: Vec::new(),
            by_dir: HashMap::new(),
        }
    }

    fn add(&mut self, top: &Path, base: &Path, prefix: PathBuf) -> usize {
        let tracked = git::git_dir(top).and_then(|d| git::tracked(&d));
        self.list.push(Repo {
            base: base.to_path_buf(),
            prefix,
            tracked,
        });
        self.list.len() - 1
    }

    /// The work tree `dir` (a directory under the root) is in, if any.
    fn of(&mut self, dir: &Path) -> Option<usize> {
        if let Some(&r) = self.by_dir.get(dir) {
            return r;
        }
        let r = if std::fs::symlink_metadata(dir.join(".git")).is_ok() {
            Some(self.add(dir, dir, PathBuf::new()))
        } else if dir == self.root || !dir.starts_with(self.root) {
            self.of_root()
        } else {
            let parent = dir.parent().unwrap_or(Path::new("")).to_path_buf();
            self.of(&parent)
        };
        self.by_dir.insert(dir.to_path_buf(), r);
        r
    }

    /// The work tree holding the root: the nearest ancestor with a `.git`.
    fn of_root(&mut self) -> Option<usize> {
        let real_root = self.real_root?;
        let top = real_root
            .ancestors()
            .find(|d| std::fs::symlink_metadata(d.join(".git")).is_ok())?;
        let prefix = real_root
            .strip_prefix(top)
            .unwrap_or(Path::new(""))
            .to_path_buf();
        let root = self.root;
        Some(self.add(top, root, prefix))
    }

    /// Whether the index of work tree `r` tracks `file`; `None` when it cannot be read.
    fn is_tracked(&self, r: usize, file: &Path) -> Option<bool> {
        let repo = &self.list[r];
        let tracked = repo.tracked.as_ref().ok()?;
        let rel = repo.prefix.join(file.strip_prefix(&repo.base).ok()?);
        let mut key = Vec::new();
        for part in rel.components() {
            let std::path::Component::Normal(part) = part else {
                continue;
            };
            if !key.is_empty() {
                key.push(b'/');
            }
            key.extend_from_slice(part.as_encoded_bytes());
        }
        Some(tracked.contains(&key))
    }
}

/// The first file of `dir` that the walker would open to read ignore rules but that is
/// not a regular file of an ordinary file system (`.git` may be a directory), if any. A
/// `.gitignore` linked to `/proc/kmsg` is a "regular file" whose read never ends.
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
        .find(|f| match std::fs::symlink_metadata(f) {
            Err(_) => false,
            // Only this function's own refusal: an unreadable file is the walker's to report.
            Ok(m) if m.is_symlink() => sagescan_fs::ensure_ordinary(f)
                .is_err_and(|e| e.kind() == std::io::ErrorKind::InvalidInput),
            Ok(m) => !m.is_file(),
        })
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
