//! Applies the fixes that checks attach to their findings to the source files.
//!
//! Checks say *what* to change in API terms ([`sagescan_checks::Fix`]); this crate knows
//! *how* it is written: Terraform through hcl-edit spans (`terraform.rs`), CloudFormation
//! YAML and JSON as text edits at the spans the loader recorded (`cloudformation.rs`). A
//! [`Plan`] is computed in memory first, one [`FixResult`] per fix (applied, unchanged,
//! suggested or refused with the reason), so that `--dry-run` and a real run print the
//! same diff; [`Plan::write`] then replaces each changed file atomically.
//!
//! Live resources (a `--aws` scan, a snapshot of one) are never changed: their fixes
//! become [`Plan::script`], AWS CLI commands for a human to review (`aws.rs`).
//!
//! Refusing is a result, not an error: a fix that would have to guess (a value computed by
//! an expression, a variable set by a module call) is reported with the reason and left to
//! a human, never applied somewhere else.

mod aws;
mod cloudformation;
mod names;
mod terraform;
mod text;

use sagescan_checks::{Edit, Finding, Fix, FixValue, Safety};
use sagescan_model::{FileSpan, Model};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// What the user allows.
#[derive(Clone, Debug, Default)]
pub struct Options {
    /// Apply fixes that need a decision (placeholders included), not only suggest them.
    pub unsafe_fixes: bool,
    /// Terraform variables were set on the command line (`--var`, `--var-file`): a
    /// variable's default is then not what was scanned, so it is not edited.
    pub variables_overridden: bool,
    /// The scanned paths. Only files under one of them (every link on the way resolved)
    /// are read or written: a module call such as `source = "../../shared"` reaches files
    /// the user did not ask to change, and a pull request can point a directory link
    /// anywhere. With none, nothing is written.
    pub roots: Vec<PathBuf>,
    /// The largest file read (`--max-file-size`; by default [`MAX_FILE_SIZE`]).
    pub max_file_size: Option<u64>,
}

/// The largest file `fix` reads by default: the largest template CloudFormation accepts
/// is far smaller, and a `.tf` file this big is not written by hand.
pub const MAX_FILE_SIZE: u64 = 16 << 20;

/// Why a file is not touched though a fix is in it; the text after `not fixed … :`.
const OUTSIDE: &str = "outside the scanned tree";

/// What became of one finding's fix.
#[derive(Clone, Debug, PartialEq)]
pub struct FixResult<'f> {
    pub finding: &'f Finding,
    pub fix: &'f Fix,
    pub status: Status,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Status {
    /// The files below change (listed by path).
    Applied(Vec<String>),
    /// The source already has the value (another finding's fix set it).
    Unchanged,
    /// Unsafe, and unsafe fixes were not asked for.
    Suggested,
    /// A live resource: the fix is in [`Plan::script`].
    Scripted,
    /// Cannot be applied safely; the reason says why and what to do.
    Refused(String),
}

/// One file's text before and after.
#[derive(Clone, Debug, PartialEq)]
pub struct FileChange {
    pub path: String,
    pub before: String,
    pub after: String,
}

impl FileChange {
    /// A unified diff with three lines of context, `a/` and `b/` prefixed like git's.
    /// (`git apply` takes it; a leading `./` is dropped so the names are git's.)
    pub fn diff(&self) -> String {
        let name = self.path.strip_prefix("./").unwrap_or(&self.path);
        similar::TextDiff::from_lines(&self.before, &self.after)
            .unified_diff()
            .context_radius(3)
            .header(&git_quoted("a/", name), &git_quoted("b/", name))
            .to_string()
    }
}

/// `prefix` + `name` as git writes a path in a diff header: as is when plain, else in
/// double quotes with C escapes and every other byte outside printable ASCII in octal
/// (git's `core.quotePath`). A path comes from the repository, and a raw line feed in a
/// header would end it and forge diff lines; `git apply` reads the quoted form back.
fn git_quoted(prefix: &str, name: &str) -> String {
    let plain = |b: u8| (0x20..0x7f).contains(&b) && b != b'"' && b != b'\\';
    if name.bytes().all(plain) {
        return format!("{prefix}{name}");
    }
    let mut out = format!("\"{prefix}");
    for b in name.bytes() {
        match b {
            b'\n' => out.push_str("\\n"),
            b'\t' => out.push_str("\\t"),
            b'"' => out.push_str("\\\""),
            b'\\' => out.push_str("\\\\"),
            b if plain(b) => out.push(char::from(b)),
            b => out.push_str(&format!("\\{b:03o}")),
        }
    }
    out.push('"');
    out
}

/// One contiguous replacement that turns a file's `before` into its `after`: what a SARIF
/// `fixes[].artifactChanges[].replacements[]` entry holds (byte offsets, 1-based lines and
/// columns of the deleted region in `before`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Replacement {
    pub start: usize,
    pub end: usize,
    pub start_line: usize,
    pub start_column: usize,
    pub end_line: usize,
    pub end_column: usize,
    pub inserted: String,
}

impl FileChange {
    /// The smallest single region replacement, by common prefix and suffix of whole lines.
    /// For one finding's fix (plan it alone) this is exactly its edit.
    pub fn replacement(&self) -> Replacement {
        let (before, after) = (self.before.as_str(), self.after.as_str());
        let mut start = before
            .bytes()
            .zip(after.bytes())
            .take_while(|(a, b)| a == b)
            .count();
        // Back to the start of its line, in bytes: the common prefix may end inside a
        // multi-byte character.
        start = before.as_bytes()[..start]
            .iter()
            .rposition(|&b| b == b'\n')
            .map_or(0, |i| i + 1);
        let max_suffix = (before.len() - start).min(after.len() - start);
        let mut suffix = before
            .bytes()
            .rev()
            .zip(after.bytes().rev())
            .take(max_suffix)
            .take_while(|(a, b)| a == b)
            .count();
        // Keep whole lines: back the suffix off to just after a newline.
        // (Bytes: an offset inside a multi-byte character must not be sliced at.)
        while suffix > 0 && !before.as_bytes()[..before.len() - suffix].ends_with(b"\n") {
            suffix -= 1;
        }
        let end = before.len() - suffix;
        let position = |pos: usize| {
            let line = text::line_of(before, pos) + 1;
            (line, pos - text::line_start(before, pos) + 1)
        };
        let ((start_line, start_column), (end_line, end_column)) = (position(start), position(end));
        Replacement {
            start,
            end,
            start_line,
            start_column,
            end_line,
            end_column,
            inserted: after[start..after.len() - suffix].to_string(),
        }
    }
}

/// Every fix's result and the files they change, in path order.
#[derive(Debug)]
pub struct Plan<'f> {
    pub results: Vec<FixResult<'f>>,
    pub files: Vec<FileChange>,
    /// AWS CLI commands for the fixes of live resources, when there are any.
    pub script: Option<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("writing {path}: {source}")]
    Write {
        path: String,
        source: sagescan_fs::WriteError,
    },
}

/// The state of one file while fixes are planned.
struct Working {
    before: String,
    /// Terraform: the text with every edit so far (each edit re-parses it).
    after: String,
    /// CloudFormation: replacements in `before`, applied at the end.
    splices: Vec<cloudformation::Splice>,
}

struct Planner<'o> {
    options: &'o Options,
    files: BTreeMap<String, Working>,
}

/// Plans the fixes of `findings` (those without one are skipped) against the files on disk.
pub fn plan<'f>(model: &Model, findings: &'f [Finding], options: &Options) -> Plan<'f> {
    let mut planner = Planner {
        options,
        files: BTreeMap::new(),
    };
    let mut results = Vec::new();
    let mut live = Vec::new();
    for finding in findings {
        let Some(fix) = &finding.fix else { continue };
        let source = model
            .configs
            .get(finding.resource.config as usize)
            .map_or("", |c| c.source.as_str());
        let status = if matches!(source, "aws" | "snapshot") {
            live.push((finding, fix));
            Status::Scripted
        } else if fix.safety == Safety::Unsafe && !options.unsafe_fixes {
            Status::Suggested
        } else {
            planner.apply(model, finding, fix)
        };
        results.push(FixResult {
            finding,
            fix,
            status,
        });
    }
    let files = planner
        .files
        .into_iter()
        .filter_map(|(path, w)| {
            let after = if w.splices.is_empty() {
                w.after
            } else {
                splice_all(&w.before, w.splices)
            };
            (after != w.before).then_some(FileChange {
                path,
                before: w.before,
                after,
            })
        })
        .collect();
    let script = (!live.is_empty()).then(|| aws::script(&live, options.unsafe_fixes));
    Plan {
        results,
        files,
        script,
    }
}

impl Planner<'_> {
    fn apply(&mut self, model: &Model, finding: &Finding, fix: &Fix) -> Status {
        let source = model
            .configs
            .get(finding.resource.config as usize)
            .map_or("", |c| c.source.as_str());
        let mut touched = Vec::new();
        for edit in &fix.edits {
            let outcome = match source {
                "terraform" => self.terraform(finding, edit),
                "cloudformation" => self.cloudformation(finding, edit),
                other => Err(format!(
                    "a {other} source is not edited; fix the configuration it comes from"
                )),
            };
            match outcome {
                Ok(Some(path)) => touched.push(path),
                Ok(None) => {}
                Err(reason) => return Status::Refused(reason),
            }
        }
        if touched.is_empty() {
            Status::Unchanged
        } else {
            Status::Applied(touched)
        }
    }

    /// The working copy of `path`, read on first use: only under the scanned roots, and
    /// through the reader `scan` uses (a FIFO or `/dev/zero` in a module is refused, not
    /// waited on or read without end).
    fn file(&mut self, path: &str) -> Result<&mut Working, String> {
        if !self.files.contains_key(path) {
            if !within_roots(&self.options.roots, Path::new(path)) {
                return Err(format!("{path} is {OUTSIDE}"));
            }
            // Refused before reading: the diff would quote the file the link points to,
            // and the write would refuse it anyway.
            if std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink()) {
                return Err(format!(
                    "{path} is a symbolic link; edit the file it points to"
                ));
            }
            let text = self.read(Path::new(path))?;
            self.files.insert(
                path.to_string(),
                Working {
                    before: text.clone(),
                    after: text,
                    splices: Vec::new(),
                },
            );
        }
        Ok(self.files.get_mut(path).expect("inserted above"))
    }

    fn read(&self, path: &Path) -> Result<String, String> {
        let max = self.options.max_file_size.unwrap_or(MAX_FILE_SIZE);
        sagescan_fs::read_text(path, max, sagescan_fs::Named::ByInput)
            .map_err(|e| format!("reading {}: {e}", path.display()))
    }

    fn terraform(&mut self, finding: &Finding, edit: &Edit) -> Result<Option<String>, String> {
        let Edit::Set { path, value, .. } = edit;
        let rtype = finding.resource.source_type.as_str();
        let tf_path = names::terraform(rtype, path)
            .ok_or_else(|| format!("no Terraform name is known for {}", path.join(".")))?;
        let file = finding
            .resource_origin
            .file()
            .ok_or("the resource has no source file")?;
        let name = resource_name(&finding.resource.address, rtype)
            .ok_or_else(|| format!("cannot read the name of {}", finding.resource.address))?;
        let hcl = hcl_value(value);
        let working = self.file(&file.file)?;
        match terraform::set(&working.after, rtype, name, tf_path, &hcl)? {
            terraform::Planned::Text(after) => {
                working.after = after;
                Ok(Some(file.file.to_string()))
            }
            terraform::Planned::Unchanged => Ok(None),
            terraform::Planned::Variable(var) => self.variable(finding, &file.file, &var, &hcl),
        }
    }

    /// Sets `var.NAME`'s default in the resource's module, when that is exactly what
    /// decides the value: a root module, no value from a `.tfvars` file or the command
    /// line, and no other use of the variable that the new default would change too.
    fn variable(
        &mut self,
        finding: &Finding,
        resource_file: &str,
        var: &str,
        hcl: &str,
    ) -> Result<Option<String>, String> {
        let refuse = |why: &str| Err(format!("the value is var.{var}, {why}; change it by hand"));
        if finding.resource.address.starts_with("module.") {
            return refuse("set by the module call");
        }
        if self.options.variables_overridden {
            return refuse("and variables were set on the command line");
        }
        let dir = Path::new(resource_file)
            .parent()
            .unwrap_or(Path::new(""))
            .to_path_buf();
        let (tf_files, var_files) = module_files(&dir);
        // A file that cannot be read could hold another use or a value: refuse, never
        // count it as empty.
        let mut uses = 0;
        for p in &tf_files {
            uses += count_uses(&self.read(p)?, var);
        }
        if uses > 1 {
            return refuse(&format!("used {uses} times in the module"));
        }
        for p in &var_files {
            let text = self.read(p)?;
            if text.lines().any(|l| {
                l.trim_start()
                    .strip_prefix(var)
                    .is_some_and(|r| r.trim_start().starts_with('=') || r.starts_with("\":"))
            }) {
                return refuse(&format!("set in {}", p.display()));
            }
        }
        for p in tf_files {
            let path = p.to_string_lossy().into_owned();
            let working = self.file(&path)?;
            match terraform::set_variable_default(&working.after, var, hcl)? {
                None => continue,
                Some(terraform::Planned::Text(after)) => {
                    working.after = after;
                    return Ok(Some(path));
                }
                Some(terraform::Planned::Unchanged) => return Ok(None),
                Some(terraform::Planned::Variable(other)) => {
                    return refuse(&format!("whose default is var.{other}"));
                }
            }
        }
        refuse("declared in no file of the module")
    }

    fn cloudformation(&mut self, finding: &Finding, edit: &Edit) -> Result<Option<String>, String> {
        let Edit::Set {
            path,
            value,
            current,
            present,
        } = edit;
        let span: &FileSpan = current.file().ok_or("the value has no position")?;
        // An absent property of a resource without `Properties` has the resource itself as
        // its origin: a line inserted there would land beside the resource, not in it.
        if !present && finding.resource_origin.file().map(|r| r.start) == Some(span.start) {
            return Err("the resource has no Properties; add them by hand".into());
        }
        let working = self.file(&span.file)?;
        let json = span.file.ends_with(".json") || working.before.trim_start().starts_with('{');
        let range = span.start as usize..span.end as usize;
        match cloudformation::set(&working.before, json, path, value, range, *present)? {
            None => Ok(None),
            Some(splice) => {
                if working.splices.iter().any(|(r, _)| overlaps(r, &splice.0)) {
                    return Err("overlaps another fix; run `sagescan fix` again".into());
                }
                if !working.splices.contains(&splice) {
                    working.splices.push(splice);
                }
                Ok(Some(span.file.to_string()))
            }
        }
    }
}

impl Plan<'_> {
    /// Writes every changed file with [`sagescan_fs::write_atomic`]: atomically, never
    /// through a link, mode and owner kept, and only under a scanned root (checked again
    /// here, not only when the file was read).
    pub fn write(&self, options: &Options) -> Result<(), Error> {
        for change in &self.files {
            let path = Path::new(&change.path);
            let error = |source| Error::Write {
                path: change.path.clone(),
                source,
            };
            if !within_roots(&options.roots, path) {
                return Err(error(sagescan_fs::WriteError::Outside {
                    path: path.to_path_buf(),
                    root: options.roots.first().cloned().unwrap_or_default(),
                }));
            }
            sagescan_fs::write_atomic(path, change.after.as_bytes()).map_err(error)?;
        }
        Ok(())
    }
}

/// Whether `path` lies under one of `roots`, links resolved.
fn within_roots(roots: &[PathBuf], path: &Path) -> bool {
    roots
        .iter()
        .any(|root| sagescan_fs::ensure_within(root, path).is_ok())
}

/// `main` of `aws_subnet.main`, `module.net.aws_subnet.main["a"]` or `…main[0]`.
fn resource_name<'a>(address: &'a str, rtype: &str) -> Option<&'a str> {
    let at = address.rfind(&format!("{rtype}."))? + rtype.len() + 1;
    let rest = &address[at..];
    Some(rest.split('[').next().unwrap_or(rest)).filter(|n| !n.is_empty())
}

fn hcl_value(value: &FixValue) -> String {
    match value {
        FixValue::Bool(b) => b.to_string(),
        other => format!("\"{other}\""),
    }
}

/// The module's `.tf` files and the variable files Terraform reads automatically.
fn module_files(dir: &Path) -> (Vec<PathBuf>, Vec<PathBuf>) {
    let mut tf = Vec::new();
    let mut vars = Vec::new();
    let dir = if dir.as_os_str().is_empty() {
        Path::new(".")
    } else {
        dir
    };
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let path = entry.path();
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.ends_with(".tf") {
            tf.push(path);
        } else if name == "terraform.tfvars"
            || name == "terraform.tfvars.json"
            || name.ends_with(".auto.tfvars")
            || name.ends_with(".auto.tfvars.json")
        {
            vars.push(path);
        }
    }
    // Report paths as the scan named them (`dir/x.tf`, not `./x.tf` for a bare file name).
    let strip = |p: PathBuf| p.strip_prefix(".").map(Path::to_path_buf).unwrap_or(p);
    tf.sort();
    vars.sort();
    (
        tf.into_iter().map(strip).collect(),
        vars.into_iter().map(strip).collect(),
    )
}

/// How often `var.NAME` appears as a whole reference.
fn count_uses(text: &str, var: &str) -> usize {
    let needle = format!("var.{var}");
    text.match_indices(&needle)
        .filter(|(i, _)| {
            let after = text[i + needle.len()..].chars().next();
            let before = text[..*i].chars().next_back();
            !after.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == '-')
                && !before.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == '.')
        })
        .count()
}

fn overlaps(a: &std::ops::Range<usize>, b: &std::ops::Range<usize>) -> bool {
    a.start < b.end && b.start < a.end
}

/// Applies non-overlapping replacements, last first so earlier offsets stay valid.
fn splice_all(text: &str, mut splices: Vec<cloudformation::Splice>) -> String {
    splices.sort_by_key(|(r, _)| std::cmp::Reverse((r.start, r.end)));
    let mut out = text.to_string();
    for (range, with) in splices {
        out.replace_range(range, &with);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resource_names_come_from_any_address_form() {
        assert_eq!(resource_name("aws_subnet.a", "aws_subnet"), Some("a"));
        assert_eq!(
            resource_name("module.net.aws_subnet.a[\"x\"]", "aws_subnet"),
            Some("a")
        );
        assert_eq!(resource_name("aws_vpc.a", "aws_subnet"), None);
    }

    #[test]
    fn a_replacement_covers_the_changed_lines_only() {
        let change = FileChange {
            path: "main.tf".into(),
            before: "a {\n  x = 1\n  y = 2\n}\n".into(),
            after: "a {\n  x = 1\n  y = 3\n  z = 4\n}\n".into(),
        };
        let r = change.replacement();
        assert_eq!(
            (r.start_line, r.start_column, r.end_line, r.end_column),
            (3, 1, 4, 1)
        );
        assert_eq!(&change.before[r.start..r.end], "  y = 2\n");
        assert_eq!(r.inserted, "  y = 3\n  z = 4\n");
    }

    #[test]
    fn a_replacement_never_splits_a_character() {
        let change = FileChange {
            path: "t.yaml".into(),
            before: "A: é\nB: 1\n".into(),
            after: "A: è\nB: 1\n".into(),
        };
        let r = change.replacement();
        assert_eq!((r.start, r.end), (0, "A: é\n".len()));
        assert_eq!(r.inserted, "A: è\n");
    }

    #[test]
    fn diff_headers_quote_paths_as_git_does() {
        assert_eq!(git_quoted("a/", "infra/main.tf"), "a/infra/main.tf");
        assert_eq!(
            git_quoted("a/", "x\ny \"q\"\\é/main.tf"),
            r#""a/x\ny \"q\"\\\303\251/main.tf""#
        );
    }

    #[test]
    fn variable_uses_are_whole_references() {
        let text = "a = var.x\nb = var.xy\nc = \"${var.x}\"\nd = local.var.x\n";
        assert_eq!(count_uses(text, "x"), 2);
    }
}
