//! The Terraform HCL loader: walks for root modules ([`walk`]), parses files with spans
//! ([`parse`], hcl-edit), evaluates what is statically known ([`eval`], [`module`],
//! [`expand`]) and maps resource instances to the model ([`map`]).
//!
//! Every directory holding `.tf` files is a configuration (a root module) unless another
//! directory found in the walk calls it as a local module; a `.tf` file named on the
//! command line is a configuration of its own. Files are read and parsed once, in
//! parallel, and configurations are evaluated in parallel.

mod eval;
mod expand;
mod funcs;
pub mod ir;
pub mod map;
mod module;
mod parse;
mod vars;
mod waivers;
mod walk;

use crate::{LoadError, LoadOptions};
use module::{CallSource, Evaluator, ModuleDef, call_source, normalize};
pub use module::{MAX_INSTANCES, MAX_MODULE_DEPTH};
pub use parse::MAX_FILE_SIZE;
use parse::{FileGap, ParsedFile, file_origin};
use rayon::prelude::*;
use sagescan_fs::Named;
use sagescan_model::{ConfigId, CoverageGap, Model, SourceFile};
use std::collections::{BTreeSet, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use vars::VarFile;

/// Stack size of the threads that parse and evaluate. The parser (nesting capped at 64 by
/// hcl-edit) and the evaluator (depth capped by `module::MAX_EVAL_DEPTH`) recurse; this
/// leaves a wide margin over their worst case even in unoptimized builds.
const STACK_SIZE: usize = 64 << 20;

/// Everything loaded, evaluated but not yet mapped: `model` holds the configurations, the
/// source texts and the coverage gaps (no resources); `instances[i]` are the resource
/// instances of configuration `i`.
#[derive(Debug)]
pub struct Evaluation {
    pub model: Model,
    pub instances: Vec<Vec<ir::Instance>>,
    /// Files found on the way that other loaders may read (templates, plans).
    pub other_files: Vec<PathBuf>,
}

/// A module: a directory's `.tf` files, or one file named on the command line.
struct Unit {
    /// Lexically normalized path: the module's identity, what local sources resolve to.
    key: PathBuf,
    /// The path as given (joined with the walked relative part): the configuration name.
    display: String,
    /// Directory that relative module sources start from.
    base_dir: PathBuf,
    tf_paths: Vec<PathBuf>,
    tfvars_paths: Vec<PathBuf>,
    files: Vec<ParsedFile>,
    tfvars: Vec<VarFile>,
    /// Problems with the unit as a whole (`.tf.json` files that are not read).
    gaps: Vec<FileGap>,
    /// Found by the walk or named by the user (a module loaded only because it is called
    /// is never a root).
    candidate: bool,
    /// Named on the command line as a file: always a root.
    named: bool,
}

impl Unit {
    fn new(key: PathBuf, display: String, base_dir: PathBuf, candidate: bool, named: bool) -> Self {
        Unit {
            key,
            display,
            base_dir,
            tf_paths: Vec::new(),
            tfvars_paths: Vec::new(),
            files: Vec::new(),
            tfvars: Vec::new(),
            gaps: Vec::new(),
            candidate,
            named,
        }
    }

    fn from_dir(found: walk::DirFiles, candidate: bool) -> Self {
        let key = normalize(&found.dir);
        let display = if candidate {
            found.dir.display().to_string()
        } else {
            key.display().to_string()
        };
        let mut unit = Unit::new(key.clone(), display, key, candidate, false);
        unit.tf_paths = found.tf;
        unit.tfvars_paths = found.tfvars;
        unit.gaps = found.tf_json.iter().map(|p| tf_json_gap(p)).collect();
        unit
    }

    /// The local module directories this unit calls.
    fn local_calls(&self) -> impl Iterator<Item = PathBuf> + '_ {
        self.files
            .iter()
            .filter_map(|f| f.body.as_ref())
            .flat_map(|b| b.blocks())
            .filter(|b| b.ident.as_str() == "module")
            .filter_map(|b| match call_source(b, &self.base_dir) {
                CallSource::Local(key) => Some(key),
                _ => None,
            })
    }
}

fn tf_json_gap(path: &Path) -> FileGap {
    let display: Arc<str> = path.display().to_string().into();
    FileGap {
        kind: "unsupported",
        message: format!("{display}: Terraform JSON syntax (.tf.json) is not loaded"),
        origin: file_origin(&display),
    }
}

/// Reads and evaluates every path; see [`crate::load`].
pub fn evaluate(paths: &[PathBuf], options: &LoadOptions) -> Result<Evaluation, LoadError> {
    on_deep_stacks(|| evaluate_here(paths, options))
}

/// Runs `f` on a thread pool whose threads have [`STACK_SIZE`] stacks, built once per
/// process (a fuzz target calls the loader millions of times).
fn on_deep_stacks<R: Send>(f: impl FnOnce() -> R + Send) -> R {
    static POOL: std::sync::OnceLock<Option<rayon::ThreadPool>> = std::sync::OnceLock::new();
    let pool = POOL.get_or_init(|| {
        rayon::ThreadPoolBuilder::new()
            .stack_size(STACK_SIZE)
            .build()
            .ok()
    });
    match pool {
        Some(pool) => pool.install(f),
        // Without threads of our own (a restricted environment), run on the caller's.
        None => f(),
    }
}

fn evaluate_here(paths: &[PathBuf], options: &LoadOptions) -> Result<Evaluation, LoadError> {
    let mut global_gaps = Vec::new();
    let mut other_files = Vec::new();
    let mut units = discover(paths, &mut global_gaps, &mut other_files)?;
    let max_size = options.limits.max_file_size.unwrap_or(MAX_FILE_SIZE);
    read_units(&mut units, max_size);
    load_called_modules(&mut units, max_size);
    let var_files = read_var_files(&options.var_files, max_size, &mut global_gaps)?;
    let (model, instances) = evaluate_units(&mut units, &var_files, global_gaps, options);
    Ok(Evaluation {
        model,
        instances,
        other_files,
    })
}

/// Evaluates one root module given as texts, `(name, text)` for its `.tf` files and its
/// tfvars files, without touching the filesystem: local module calls are not followed
/// (each is a coverage gap) and nothing else is read. The entry point of the fuzz targets,
/// where the input must be the only input.
pub fn evaluate_texts(tf: &[(&str, &str)], tfvars: &[(&str, &str)]) -> Evaluation {
    on_deep_stacks(|| evaluate_texts_here(tf, tfvars))
}

fn evaluate_texts_here(tf: &[(&str, &str)], tfvars: &[(&str, &str)]) -> Evaluation {
    let key = PathBuf::from("(memory)");
    let mut unit = Unit::new(key.clone(), "(memory)".into(), key, true, true);
    unit.files = tf
        .iter()
        .map(|&(name, text)| parse::parse_text(name.into(), text.to_string()))
        .collect();
    unit.tfvars = tfvars
        .iter()
        .map(|&(name, text)| vars::parse_var_file(name.into(), text.to_string()))
        .collect();
    let options = LoadOptions::default();
    let (model, instances) = evaluate_units(&mut [unit], &[], Vec::new(), &options);
    Evaluation {
        model,
        instances,
        other_files: Vec::new(),
    }
}

/// Evaluates every root among `units` (read, and parsed where they may call modules) in
/// parallel.
///
/// A root that calls no local module and that no unit calls is parsed, evaluated and
/// dropped within its own task, so that a scan of many configurations never holds every
/// syntax tree at once (a tree takes about ten times its text). Every other unit is
/// parsed up front: a module's declarations serve each configuration that calls it.
fn evaluate_units(
    units: &mut [Unit],
    var_files: &[VarFile],
    global_gaps: Vec<FileGap>,
    options: &LoadOptions,
) -> (Model, Vec<Vec<ir::Instance>>) {
    let (mut roots, standalone) = {
        let index = index_of(units);
        let roots = find_roots(units, &index);
        let standalone = standalone(units, &index, &roots);
        (roots, standalone)
    };
    units
        .par_iter_mut()
        .zip(&standalone)
        .filter(|(_, alone)| !**alone)
        .for_each(|(u, _)| u.files.iter_mut().for_each(ParsedFile::parse));
    let units: &[Unit] = units;
    let index = index_of(units);
    roots.sort_by(|&a, &b| units[a].display.cmp(&units[b].display));

    let mut model = Model::default();
    let configs: Vec<(ConfigId, usize)> = roots
        .iter()
        .map(|&r| (model.add_config(units[r].display.clone(), "terraform"), r))
        .collect();
    model.gaps = global_gaps.into_iter().map(|g| gap(None, g)).collect();

    let defs: HashMap<PathBuf, ModuleDef> = units
        .iter()
        .zip(&standalone)
        .filter(|(_, alone)| !**alone)
        .map(|(u, _)| {
            (
                u.key.clone(),
                ModuleDef::new(u.key.clone(), u.display.clone(), &u.base_dir, &u.files),
            )
        })
        .collect();
    let results: Vec<Evaluated> = configs
        .par_iter()
        .map(|&(id, r)| {
            let unit = &units[r];
            if standalone[r] {
                let files: Vec<ParsedFile> =
                    unit.files.iter().map(ParsedFile::parsed_copy).collect();
                let def = ModuleDef::new(
                    unit.key.clone(),
                    unit.display.clone(),
                    &unit.base_dir,
                    &files,
                );
                // It calls no local module: no other declarations are needed.
                let mut e = evaluate_root(&HashMap::new(), &def, id, unit, var_files, options);
                let mut gaps = file_gaps(id, unit, [(unit, files.as_slice(), Some(&def))]);
                gaps.append(&mut e.gaps);
                e.gaps = gaps;
                e.waivers = files.iter().flat_map(waivers::extract).collect();
                e
            } else {
                let root = &defs[&unit.key];
                let mut e = evaluate_root(&defs, root, id, unit, var_files, options);
                let used = e.used.iter().filter_map(|k| index.get(k.as_path()));
                let modules = used.map(|&u| {
                    (
                        &units[u],
                        units[u].files.as_slice(),
                        defs.get(&units[u].key),
                    )
                });
                let mut gaps = file_gaps(id, unit, modules);
                gaps.append(&mut e.gaps);
                e.gaps = gaps;
                e
            }
        })
        .collect();

    let mut instances = Vec::with_capacity(results.len());
    let mut waivers = Vec::new();
    for e in results {
        model.gaps.extend(e.gaps);
        instances.push(e.instances);
        waivers.extend(e.waivers);
    }
    model.sources = sources(units, var_files);
    model.inline_waivers = inline_waivers(units, waivers);
    (model, instances)
}

/// One configuration evaluated.
struct Evaluated {
    instances: Vec<ir::Instance>,
    gaps: Vec<CoverageGap>,
    /// The modules it used.
    used: BTreeSet<PathBuf>,
    /// The inline waivers of its files, when they were parsed for it alone.
    waivers: Vec<sagescan_model::model::InlineWaiver>,
}

fn evaluate_root<'a>(
    defs: &'a HashMap<PathBuf, ModuleDef<'a>>,
    root: &'a ModuleDef<'a>,
    id: ConfigId,
    unit: &Unit,
    var_files: &[VarFile],
    options: &LoadOptions,
) -> Evaluated {
    let values = vars::merge(unit.tfvars.iter().chain(var_files), &options.vars);
    let ev = Evaluator::new(defs, id, root, options.limits);
    let mut instances = Vec::new();
    expand::collect(&ev, &Evaluator::root_instance(root, values), &mut instances);
    let (gaps, used) = ev.finish();
    Evaluated {
        instances,
        gaps,
        used,
        waivers: Vec::new(),
    }
}

fn index_of(units: &[Unit]) -> HashMap<&Path, usize> {
    units
        .iter()
        .enumerate()
        .map(|(i, u)| (u.key.as_path(), i))
        .collect()
}

/// Which units are roots that call no local module and that no unit calls. A file that
/// may call a module was parsed when read, so a root none of whose files was parsed calls
/// nothing.
fn standalone(units: &[Unit], index: &HashMap<&Path, usize>, roots: &[usize]) -> Vec<bool> {
    let mut out = vec![false; units.len()];
    for &r in roots {
        out[r] = units[r].files.iter().all(|f| f.body.is_none());
    }
    for u in units {
        for key in u.local_calls() {
            if let Some(&t) = index.get(key.as_path()) {
                out[t] = false;
            }
        }
    }
    out
}

fn gap(config: Option<ConfigId>, g: FileGap) -> CoverageGap {
    CoverageGap {
        config,
        kind: g.kind.to_string(),
        message: g.message,
        origin: g.origin,
    }
}

/// The units named or found under `paths`, deduplicated by identity.
fn discover(
    paths: &[PathBuf],
    gaps: &mut Vec<FileGap>,
    others: &mut Vec<PathBuf>,
) -> Result<Vec<Unit>, LoadError> {
    let mut units: Vec<Unit> = Vec::new();
    let mut seen = HashSet::new();
    for path in paths {
        let meta = std::fs::metadata(path).map_err(|source| LoadError::Io {
            path: path.clone(),
            source,
        })?;
        if meta.is_file() {
            let name = path
                .file_name()
                .and_then(|n| n.to_str())
                .unwrap_or_default();
            if walk::is_other_candidate(name) {
                others.push(path.clone());
                continue;
            }
            let key = normalize(path);
            if !seen.insert(key.clone()) {
                continue;
            }
            let base = normalize(path.parent().unwrap_or(Path::new("")));
            let mut unit = Unit::new(key, path.display().to_string(), base, true, true);
            if path.to_string_lossy().ends_with(".tf.json") {
                unit.gaps.push(tf_json_gap(path));
            } else {
                unit.tf_paths.push(path.clone());
            }
            units.push(unit);
            continue;
        }
        let walked = walk::walk(path);
        if walked.dirs.is_empty() && walked.others.is_empty() && walked.gaps.is_empty() {
            // Nothing found: when something could not be listed, that is why.
            return Err(match walked.errors.into_iter().next() {
                Some(message) => LoadError::Io {
                    path: path.clone(),
                    source: std::io::Error::other(message),
                },
                None => LoadError::NothingToScan(path.clone()),
            });
        }
        for message in walked.errors {
            let display: Arc<str> = path.display().to_string().into();
            gaps.push(FileGap {
                kind: "io-error",
                message,
                origin: file_origin(&display),
            });
        }
        for g in walked.gaps {
            let display: Arc<str> = g.file.display().to_string().into();
            gaps.push(FileGap {
                kind: g.kind,
                message: g.message,
                origin: file_origin(&display),
            });
        }
        others.extend(walked.others);
        for dir in walked.dirs {
            let unit = Unit::from_dir(dir, true);
            if seen.insert(unit.key.clone()) {
                units.push(unit);
            }
        }
    }
    Ok(units)
}

/// Reads the files of `units` in parallel, and parses those that may call a module (their
/// text holds `module`): which units call which must be known before anything is
/// evaluated. The others wait for [`evaluate_units`].
fn read_units(units: &mut [Unit], max_size: u64) {
    units.par_iter_mut().for_each(|u| {
        u.files = u
            .tf_paths
            .par_iter()
            .map(|p| {
                let mut file = parse::read_file(p, p.display().to_string().into(), max_size);
                if file.source.text.contains("module") {
                    file.parse();
                }
                file
            })
            .collect();
        u.tfvars = u
            .tfvars_paths
            .iter()
            .map(|p| read_var_file(p, max_size, Named::ByInput))
            .collect();
    });
}

fn read_var_file(path: &Path, max_size: u64, named: Named) -> VarFile {
    let display: Arc<str> = path.display().to_string().into();
    match parse::read(path, &display, max_size, named) {
        Ok(text) => vars::parse_var_file(display, text),
        Err(gap) => VarFile {
            source: parse::SourceText::new(display, String::new()),
            values: Vec::new(),
            gap: Some(*gap),
        },
    }
}

/// Loads, round by round, the local module directories called by loaded units that the
/// walk did not find (e.g. `../modules/net` outside the scanned path). Each directory is
/// loaded once however often it is called; a missing one is reported when evaluated.
fn load_called_modules(units: &mut Vec<Unit>, max_size: u64) {
    let mut tried: HashSet<PathBuf> = units.iter().map(|u| u.key.clone()).collect();
    let mut from = 0;
    while from < units.len() {
        let wanted: BTreeSet<PathBuf> = units[from..]
            .iter()
            .flat_map(Unit::local_calls)
            .filter(|k| !tried.contains(k))
            .collect();
        from = units.len();
        for key in wanted {
            tried.insert(key.clone());
            if let Ok(found) = walk::list_dir(&key)
                && !found.tf.is_empty()
            {
                units.push(Unit::from_dir(found, false));
            }
        }
        read_units(&mut units[from..], max_size);
    }
}

/// The units that are configurations: named files, and walked directories that no other
/// unit calls. Directories that call each other in a cycle that no root reaches would be
/// lost that way, so the first of each such group becomes a root too.
fn find_roots(units: &[Unit], index: &HashMap<&Path, usize>) -> Vec<usize> {
    let calls: Vec<Vec<usize>> = units
        .iter()
        .map(|u| {
            u.local_calls()
                .filter_map(|k| index.get(k.as_path()).copied())
                .collect()
        })
        .collect();
    let mut called = vec![false; units.len()];
    for (i, targets) in calls.iter().enumerate() {
        for &t in targets {
            if t != i {
                called[t] = true;
            }
        }
    }
    let mut roots: Vec<usize> = (0..units.len())
        .filter(|&i| units[i].candidate && (units[i].named || !called[i]))
        .collect();
    let mut reached = vec![false; units.len()];
    let mut stack = roots.clone();
    let mut order: Vec<usize> = (0..units.len()).filter(|&i| units[i].candidate).collect();
    order.sort_by(|&a, &b| units[a].key.cmp(&units[b].key));
    let mut next = order.into_iter();
    loop {
        while let Some(i) = stack.pop() {
            if !std::mem::replace(&mut reached[i], true) {
                stack.extend(&calls[i]);
            }
        }
        match next.by_ref().find(|&i| !reached[i]) {
            Some(i) => {
                roots.push(i);
                stack.push(i);
            }
            None => break,
        }
    }
    roots
}

fn read_var_files(
    paths: &[PathBuf],
    max_size: u64,
    gaps: &mut Vec<FileGap>,
) -> Result<Vec<VarFile>, LoadError> {
    let mut out = Vec::with_capacity(paths.len());
    for path in paths {
        // A variables file the user named must exist, like any other path they named.
        std::fs::metadata(path).map_err(|source| LoadError::Io {
            path: path.clone(),
            source,
        })?;
        let file = read_var_file(path, max_size, Named::ByUser);
        if let Some(g) = &file.gap {
            gaps.push(g.clone());
        }
        out.push(file);
    }
    Ok(out)
}

/// The gaps of a configuration: those of its own tfvars files, and of the files and the
/// declarations of every module it uses (`(unit, its parsed files, its declarations)`).
fn file_gaps<'u>(
    id: ConfigId,
    root: &Unit,
    modules: impl IntoIterator<Item = (&'u Unit, &'u [ParsedFile], Option<&'u ModuleDef<'u>>)>,
) -> Vec<CoverageGap> {
    let mut out: Vec<CoverageGap> = root
        .tfvars
        .iter()
        .filter_map(|f| f.gap.clone())
        .map(|g| gap(Some(id), g))
        .collect();
    for (unit, files, def) in modules {
        let file_gaps = files.iter().filter_map(|f| f.gap.clone());
        let problems = def.into_iter().flat_map(|d| d.problems.iter().cloned());
        out.extend(
            unit.gaps
                .iter()
                .cloned()
                .chain(file_gaps)
                .chain(problems)
                .map(|g| gap(Some(id), g)),
        );
    }
    out
}

/// The inline waivers of every `.tf` file parsed up front, and `more` (of files parsed for
/// one configuration), sorted by file and line (files are parsed in parallel, so their
/// order is not a stable order).
fn inline_waivers(
    units: &[Unit],
    more: Vec<sagescan_model::model::InlineWaiver>,
) -> Vec<sagescan_model::model::InlineWaiver> {
    let mut out: Vec<_> = units
        .iter()
        .flat_map(|u| &u.files)
        .flat_map(waivers::extract)
        .chain(more)
        .collect();
    out.sort_by_key(|w| w.origin.file().map(|f| (f.file.clone(), f.start)));
    out
}

/// The text of every file read, sorted by path, for snippets.
fn sources(units: &[Unit], var_files: &[VarFile]) -> Vec<SourceFile> {
    let read_ok = |g: &Option<FileGap>| !matches!(g, Some(g) if g.kind != "parse-error");
    let mut out: Vec<SourceFile> = units
        .iter()
        .flat_map(|u| {
            let tf = u
                .files
                .iter()
                .filter(|f| read_ok(&f.gap))
                .map(|f| &f.source);
            let vars = u
                .tfvars
                .iter()
                .filter(|f| read_ok(&f.gap))
                .map(|f| &f.source);
            tf.chain(vars)
        })
        .chain(
            var_files
                .iter()
                .filter(|f| read_ok(&f.gap))
                .map(|f| &f.source),
        )
        .map(|s| SourceFile {
            path: s.path.to_string(),
            text: s.text.clone(),
        })
        .collect();
    out.sort_by(|a, b| a.path.cmp(&b.path));
    out.dedup_by(|a, b| a.path == b.path);
    out
}
