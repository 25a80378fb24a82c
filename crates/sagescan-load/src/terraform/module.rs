//! Modules and name resolution: the declarations of one module directory ([`ModuleDef`]),
//! its instances in a configuration ([`ModInst`], one per module call and key), and the
//! per-configuration [`Evaluator`] that resolves `var.*`, `local.*`, resource attributes and
//! `module.*` outputs lazily, caching each value and turning a reference cycle into Unknown.
//!
//! Laziness is what makes declaration order irrelevant (a local may use a module output
//! that uses a variable fed by another resource), exactly as in Terraform, without a
//! dependency graph of our own.

use super::eval::{EvalResult, Scope, as_number, eval, unknown_reason};
use super::ir::Val;
use super::parse::{FileGap, ParsedFile, SourceText};
use super::vars::{VarInput, convert};
use hcl_edit::expr::Expression;
use hcl_edit::structure::{Attribute, Block, Structure};
use sagescan_model::{ConfigId, CoverageGap, Origin};
use std::cell::{Cell, RefCell};
use std::collections::{BTreeSet, HashMap};
use std::path::{Component, Path, PathBuf};
use std::rc::Rc;

/// Nested evaluations (expression nesting plus chains of references) beyond this are
/// Unknown: no real configuration comes close, and it bounds the stack a hostile input can
/// use (hcl-edit already caps the nesting of a single expression at 64 levels).
const MAX_EVAL_DEPTH: u32 = 400;
/// Default of [`crate::Limits::max_module_depth`]: real module trees are a few levels deep.
pub const MAX_MODULE_DEPTH: usize = 32;
/// Default of [`crate::Limits::max_instances`]: `count = 1e9` must not exhaust memory. Also
/// the cap on the length of a list built by `range()`.
pub const MAX_INSTANCES: usize = 10_000;
/// How many bytes of values (approximately, see [`weight`]) one expression may build: a
/// local, a variable, an output, a resource attribute or a `count`. Values are built and
/// copied, not shared, so a few hundred bytes can ask for gigabytes (locals that each
/// double the last). Past it that expression is Unknown, and so is whatever uses it; every
/// other expression keeps its value, so a pull request cannot hide the literal values of a
/// configuration behind one expensive local. The 1,000-module benchmark corpus builds at
/// most 27 KB per configuration.
pub const MAX_EXPRESSION_BYTES: usize = 16 << 20;
/// How many bytes of values evaluating one configuration may build in all before it is
/// rationed: a resource with `count = 7569` whose instances each hold a splat of all 7,569
/// (the `hcl` fuzz target) stays under the budget of each expression but not under this.
/// Past it an expression is evaluated only in the first instance of its resource and
/// module, and only while its value stays about the size of its source text (see
/// [`RATIONED_BASE`]): literals keep their values, while nothing can grow any more; what
/// is built from then on is proportional to the size of the input.
pub const MAX_EVALUATED_BYTES: usize = 256 << 20;
/// An expression that began before [`MAX_EVALUATED_BYTES`] was spent may finish while the
/// total stays under this; past it, it is Unknown too. Without it, expressions nested in
/// one another (a local that first evaluates another local, and so on, 100 deep) could
/// each build a full [`MAX_EXPRESSION_BYTES`] after the budget was spent.
pub const MAX_EVALUATED_HARD: usize = 2 * MAX_EVALUATED_BYTES;
/// Past [`MAX_EVALUATED_BYTES`], an expression may build this many bytes plus
/// [`RATIONED_PER_BYTE`] per byte of its source text: enough for any literal (a string
/// value takes about 56 bytes more than its text), not enough to copy a large value.
pub const RATIONED_BASE: usize = 256;
pub const RATIONED_PER_BYTE: usize = 4;

/// Where a `module` block's code comes from.
#[derive(Clone, Debug)]
pub(crate) enum CallSource {
    /// `./x` or `../x`: the directory's key (lexically normalized path).
    Local(PathBuf),
    /// Registry, git, HTTP, S3, …: not loaded.
    Remote(String),
    /// Missing or not a literal string.
    Invalid(String),
}

pub(crate) struct ResourceDecl<'a> {
    pub rtype: &'a str,
    pub name: &'a str,
    /// The declaring block (its header is where findings about the resource point).
    pub block: &'a Block,
    pub src: &'a SourceText,
    /// Its body, with override files merged in.
    pub body: MergedBody<'a>,
}

pub(crate) struct CallDecl<'a> {
    pub name: &'a str,
    pub block: &'a Block,
    pub src: &'a SourceText,
    /// Its body, with override files merged in.
    pub body: MergedBody<'a>,
    pub source: CallSource,
}

pub(crate) struct VarDecl<'a> {
    pub default: Option<ExprAt<'a>>,
    pub ty: Option<&'a Expression>,
}

/// An expression and the file it is written in.
#[derive(Clone, Copy)]
pub(crate) struct ExprAt<'a> {
    pub expr: &'a Expression,
    pub src: &'a SourceText,
}

impl ExprAt<'_> {
    pub fn origin(&self) -> Origin {
        self.src.origin_of(self.expr)
    }
}

/// One argument or nested block of a top-level block, and the file it is written in.
#[derive(Clone, Copy)]
pub(crate) struct Item<'a> {
    pub structure: &'a Structure,
    pub src: &'a SourceText,
}

/// The body of a top-level block after Terraform's override merge: each argument of an
/// override block replaces the argument of that name, and its nested blocks of one type
/// replace all the nested blocks of that type. Items keep the file they come from, so that
/// a value points at the line that supplied it.
pub(crate) struct MergedBody<'a> {
    pub items: Vec<Item<'a>>,
}

/// The type a nested block stands for: a `dynamic "x"` block generates `x` blocks.
fn block_type(b: &Block) -> &str {
    match (b.ident.as_str(), b.labels.first()) {
        ("dynamic", Some(label)) => label.as_str(),
        (ident, _) => ident,
    }
}

impl<'a> MergedBody<'a> {
    fn new(block: &'a Block, src: &'a SourceText) -> Self {
        MergedBody {
            items: block
                .body
                .iter()
                .map(|structure| Item { structure, src })
                .collect(),
        }
    }

    /// Merges override block `over` into this body.
    fn merge(&mut self, over: &'a Block, src: &'a SourceText) {
        let replaced: BTreeSet<&str> = over.body.blocks().map(block_type).collect();
        self.items.retain(|i| match i.structure {
            Structure::Block(b) => !replaced.contains(block_type(b)),
            Structure::Attribute(_) => true,
        });
        for structure in over.body.iter() {
            let item = Item { structure, src };
            let Structure::Attribute(a) = structure else {
                self.items.push(item);
                continue;
            };
            let same = self.items.iter_mut().find(|i| {
                matches!(i.structure, Structure::Attribute(b) if b.key.as_str() == a.key.as_str())
            });
            match same {
                Some(slot) => *slot = item,
                None => self.items.push(item),
            }
        }
    }

    /// The argument `name` and its file.
    pub fn attribute(&self, name: &str) -> Option<(&'a Attribute, &'a SourceText)> {
        self.items.iter().find_map(|i| match i.structure {
            Structure::Attribute(a) if a.key.as_str() == name => Some((a, i.src)),
            _ => None,
        })
    }

    fn expr(&self, name: &str) -> Option<ExprAt<'a>> {
        self.attribute(name).map(|(a, src)| ExprAt {
            expr: &a.value,
            src,
        })
    }
}

/// Whether `path` names an override file (`override.tf`, `*_override.tf`, and their
/// `.tf.json` forms), which Terraform merges into the declarations of the other files.
pub(crate) fn is_override_file(path: &str) -> bool {
    let name = Path::new(path)
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or_default();
    let stem = name
        .strip_suffix(".tf.json")
        .or_else(|| name.strip_suffix(".tf"));
    matches!(stem, Some(s) if s == "override" || s.ends_with("_override"))
}

/// The declarations of one module (a directory of `.tf` files, or a single file named on
/// the command line).
pub(crate) struct ModuleDef<'a> {
    /// Lexically normalized path of the directory (or file): the identity of the module.
    pub key: PathBuf,
    /// `path.module`, as it appears in origins.
    pub display: String,
    pub variables: HashMap<&'a str, VarDecl<'a>>,
    pub locals: HashMap<&'a str, ExprAt<'a>>,
    pub outputs: HashMap<&'a str, ExprAt<'a>>,
    pub resources: Vec<ResourceDecl<'a>>,
    resource_index: HashMap<(&'a str, &'a str), usize>,
    pub calls: Vec<CallDecl<'a>>,
    call_index: HashMap<&'a str, usize>,
    /// Declarations Terraform would reject (duplicates), reported as gaps.
    pub problems: Vec<FileGap>,
}

/// Lexical normalization (`a/./b/../c` → `a/c`); never touches the file system, so a path
/// stays the path the user gave.
pub(crate) fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                if matches!(out.components().next_back(), Some(Component::Normal(_))) {
                    out.pop();
                } else if !matches!(
                    out.components().next_back(),
                    Some(Component::RootDir | Component::Prefix(_))
                ) {
                    out.push("..");
                }
            }
            other => out.push(other),
        }
    }
    if out.as_os_str().is_empty() {
        PathBuf::from(".")
    } else {
        out
    }
}

/// The source of a `module` block, resolved against the calling module's directory.
pub(crate) fn call_source(block: &Block, base_dir: &Path) -> CallSource {
    source_of(block.body.get_attribute("source"), base_dir)
}

fn source_of(attr: Option<&Attribute>, base_dir: &Path) -> CallSource {
    let Some(attr) = attr else {
        return CallSource::Invalid("has no source".to_string());
    };
    let Some(text) = attr.value.as_str() else {
        return CallSource::Invalid("source is not a literal string".to_string());
    };
    // Terraform treats only these prefixes as local paths; everything else goes to a
    // registry or a remote getter.
    if text.starts_with("./") || text.starts_with("../") {
        CallSource::Local(normalize(&base_dir.join(text)))
    } else {
        CallSource::Remote(text.to_string())
    }
}

impl<'a> ModuleDef<'a> {
    /// Collects the declarations of `files`. `base_dir` resolves local module sources.
    ///
    /// Override files are merged as Terraform merges them: after every other file, in
    /// lexical order of their names, each of their blocks into the declaration it names.
    pub fn new(key: PathBuf, display: String, base_dir: &Path, files: &'a [ParsedFile]) -> Self {
        let mut def = ModuleDef {
            key,
            display,
            variables: HashMap::new(),
            locals: HashMap::new(),
            outputs: HashMap::new(),
            resources: Vec::new(),
            resource_index: HashMap::new(),
            calls: Vec::new(),
            call_index: HashMap::new(),
            problems: Vec::new(),
        };
        let (mut overrides, primary): (Vec<&ParsedFile>, Vec<&ParsedFile>) =
            files.iter().partition(|f| is_override_file(&f.source.path));
        overrides.sort_by(|a, b| a.source.path.cmp(&b.source.path));
        let mut variables: Vec<(&'a str, MergedBody<'a>)> = Vec::new();
        let mut outputs: Vec<(&'a str, MergedBody<'a>)> = Vec::new();
        for file in primary {
            let Some(body) = &file.body else { continue };
            let src = &file.source;
            for block in body.blocks() {
                def.declare(block, src, base_dir, &mut variables, &mut outputs);
            }
        }
        for file in overrides {
            let Some(body) = &file.body else { continue };
            let src = &file.source;
            for block in body.blocks() {
                def.override_with(block, src, &mut variables, &mut outputs);
            }
        }
        for (name, body) in variables {
            let ty = body.attribute("type").map(|(a, _)| &a.value);
            def.variables.insert(
                name,
                VarDecl {
                    default: body.expr("default"),
                    ty,
                },
            );
        }
        for (name, body) in outputs {
            if let Some(value) = body.expr("value") {
                def.outputs.insert(name, value);
            }
        }
        for call in &mut def.calls {
            call.source = source_of(call.body.attribute("source").map(|(a, _)| a), base_dir);
        }
        def
    }

    /// Records a block of a file that is not an override file.
    fn declare(
        &mut self,
        block: &'a Block,
        src: &'a SourceText,
        base_dir: &Path,
        variables: &mut Vec<(&'a str, MergedBody<'a>)>,
        outputs: &mut Vec<(&'a str, MergedBody<'a>)>,
    ) {
        let label = |i: usize| block.labels.get(i).map(|l| l.as_str());
        match (block.ident.as_str(), label(0), label(1)) {
            ("resource", Some(rtype), Some(name)) => {
                if self.resource_index.contains_key(&(rtype, name)) {
                    self.duplicate(src, block, format!("resource {rtype}.{name}"));
                    return;
                }
                self.resource_index
                    .insert((rtype, name), self.resources.len());
                self.resources.push(ResourceDecl {
                    rtype,
                    name,
                    block,
                    src,
                    body: MergedBody::new(block, src),
                });
            }
            ("variable", Some(name), _) => {
                if variables.iter().any(|(n, _)| *n == name) {
                    self.duplicate(src, block, format!("variable {name}"));
                    return;
                }
                variables.push((name, MergedBody::new(block, src)));
            }
            ("locals", _, _) => {
                for attr in block.body.attributes() {
                    let value = ExprAt {
                        expr: &attr.value,
                        src,
                    };
                    if self.locals.insert(attr.key.as_str(), value).is_some() {
                        let what = format!("local value {}", attr.key.as_str());
                        self.problems.push(FileGap {
                            kind: "parse-error",
                            message: format!("duplicate {what}"),
                            origin: src.origin_of(attr),
                        });
                    }
                }
            }
            ("output", Some(name), _) => {
                if outputs.iter().any(|(n, _)| *n == name) {
                    self.duplicate(src, block, format!("output {name}"));
                    return;
                }
                outputs.push((name, MergedBody::new(block, src)));
            }
            ("module", Some(name), _) => {
                if self.call_index.contains_key(name) {
                    self.duplicate(src, block, format!("module {name}"));
                    return;
                }
                let source = call_source(block, base_dir);
                self.call_index.insert(name, self.calls.len());
                self.calls.push(CallDecl {
                    name,
                    block,
                    src,
                    body: MergedBody::new(block, src),
                    source,
                });
            }
            _ => {}
        }
    }

    /// Merges a block of an override file into the declaration it names. Terraform
    /// rejects an override of something not declared elsewhere: that is a gap.
    fn override_with(
        &mut self,
        block: &'a Block,
        src: &'a SourceText,
        variables: &mut [(&'a str, MergedBody<'a>)],
        outputs: &mut [(&'a str, MergedBody<'a>)],
    ) {
        let label = |i: usize| block.labels.get(i).map(|l| l.as_str());
        let target = match (block.ident.as_str(), label(0), label(1)) {
            ("resource", Some(rtype), Some(name)) => self
                .resource_index
                .get(&(rtype, name))
                .map(|&i| &mut self.resources[i].body)
                .ok_or_else(|| format!("resource {rtype}.{name}")),
            ("variable", Some(name), _) => variables
                .iter_mut()
                .find(|(n, _)| *n == name)
                .map(|(_, b)| b)
                .ok_or_else(|| format!("variable {name}")),
            ("output", Some(name), _) => outputs
                .iter_mut()
                .find(|(n, _)| *n == name)
                .map(|(_, b)| b)
                .ok_or_else(|| format!("output {name}")),
            ("module", Some(name), _) => self
                .call_index
                .get(name)
                .map(|&i| &mut self.calls[i].body)
                .ok_or_else(|| format!("module {name}")),
            ("locals", _, _) => {
                for attr in block.body.attributes() {
                    let name = attr.key.as_str();
                    let value = ExprAt {
                        expr: &attr.value,
                        src,
                    };
                    match self.locals.get_mut(name) {
                        Some(slot) => *slot = value,
                        None => self.problems.push(FileGap {
                            kind: "parse-error",
                            message: format!(
                                "override of local value {name}, which no other file declares"
                            ),
                            origin: src.origin_of(attr),
                        }),
                    }
                }
                return;
            }
            // Other blocks (`terraform`, `provider`, `data`, …) are not evaluated.
            _ => return,
        };
        match target {
            Ok(body) => body.merge(block, src),
            Err(what) => self.problems.push(FileGap {
                kind: "parse-error",
                message: format!("override of {what}, which no other file declares"),
                origin: src.header_origin(block),
            }),
        }
    }

    fn duplicate(&mut self, src: &SourceText, block: &Block, what: String) {
        self.problems.push(FileGap {
            kind: "parse-error",
            message: format!("duplicate {what}"),
            origin: src.header_origin(block),
        });
    }
}

/// Which instance of a resource or module call: the values of `count.index` / `each.*`.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum InstKey {
    /// No `count` / `for_each`.
    None,
    Index(usize),
    /// `each.key`, `each.value`.
    Key(String, Val),
    /// `count` / `for_each` not statically known: one stand-in instance whose
    /// `count.index` / `each.*` are Unknown with this reason.
    Unknown(String),
}

impl InstKey {
    /// The address suffix: `[0]`, `["a"]`, or nothing.
    pub fn suffix(&self) -> String {
        match self {
            InstKey::None | InstKey::Unknown(_) => String::new(),
            InstKey::Index(i) => format!("[{i}]"),
            InstKey::Key(k, _) => format!("[\"{}\"]", k.replace('\\', "\\\\").replace('"', "\\\"")),
        }
    }

    /// Whether an index value (`[0]`, `["a"]`) selects this instance.
    pub fn matches(&self, key: &Val) -> bool {
        match (self, key) {
            (InstKey::Index(i), k) => as_number(k) == Some(*i as f64),
            (InstKey::Key(s, _), Val::String(k)) => s == k,
            _ => false,
        }
    }
}

/// How many instances a `resource` or `module` block has.
#[derive(Debug)]
pub(crate) enum Expansion {
    Single,
    Count(usize),
    /// `for_each` keys (sorted, as Terraform orders instances) and values.
    Keys(Vec<(String, Val)>),
    /// `arg` (`count` or `for_each`) is not statically known, for `reason`.
    Unknown {
        arg: &'static str,
        reason: String,
    },
}

impl Expansion {
    pub fn keys(&self, what: &str) -> Vec<InstKey> {
        match self {
            Expansion::Single => vec![InstKey::None],
            Expansion::Count(n) => (0..*n).map(InstKey::Index).collect(),
            Expansion::Keys(keys) => keys
                .iter()
                .map(|(k, v)| InstKey::Key(k.clone(), v.clone()))
                .collect(),
            Expansion::Unknown { arg, .. } => {
                vec![InstKey::Unknown(format!(
                    "the {arg} of {what} is not statically known"
                ))]
            }
        }
    }
}

/// Where a module instance's input variables come from.
pub(crate) enum Inputs<'a> {
    /// The root module: tfvars, `--var-file` and `--var` values.
    Root(HashMap<String, VarInput>),
    /// A called module: the arguments of the `module` block, evaluated in the caller.
    Child {
        parent: Rc<ModInst<'a>>,
        call: usize,
        key: InstKey,
    },
}

enum Slot {
    Busy,
    Done(EvalResult),
}

type Cache = RefCell<HashMap<String, Slot>>;

/// One instance of a module in a configuration, with its lazily evaluated names.
pub(crate) struct ModInst<'a> {
    pub def: &'a ModuleDef<'a>,
    /// Address prefix of everything inside: `""`, `module.net.`, `module.az["a"].`.
    pub prefix: String,
    inputs: Inputs<'a>,
    depth: usize,
    /// The first instance of every module call on the way from the root: once the
    /// evaluation budget is spent, only first instances are evaluated.
    pub first: bool,
    vars: Cache,
    locals: Cache,
    outputs: Cache,
    expansions: RefCell<HashMap<usize, Rc<Expansion>>>,
    /// `None` while being computed (a call whose count depends on its own outputs).
    children: RefCell<HashMap<usize, Option<Rc<ChildCall<'a>>>>>,
}

/// The instances of one `module` block.
pub(crate) struct ChildCall<'a> {
    /// Why the module is not loaded (remote source, missing directory, recursion).
    pub unavailable: Option<(&'static str, String)>,
    /// Why its `count` / `for_each` is not known (then `insts` holds one stand-in).
    pub unknown_keys: Option<String>,
    /// Whether instances are addressed by key (`count` / `for_each`).
    pub keyed: bool,
    pub insts: Vec<(InstKey, Rc<ModInst<'a>>)>,
}

/// The per-configuration evaluation state. Single-threaded: configurations are evaluated
/// in parallel, each by its own evaluator.
pub(crate) struct Evaluator<'a> {
    defs: &'a HashMap<PathBuf, ModuleDef<'a>>,
    pub config: ConfigId,
    depth: Cell<u32>,
    root_display: String,
    /// Every resource instance address seen so far → where to evaluate its attributes.
    registry: RefCell<HashMap<String, Registered<'a>>>,
    attrs: Cache,
    gaps: RefCell<Vec<CoverageGap>>,
    used: RefCell<BTreeSet<PathBuf>>,
    limits: crate::Limits,
    /// Bytes of values built so far, against [`MAX_EVALUATED_BYTES`].
    built: Cell<usize>,
    /// The budget of the expression being evaluated (see [`Evaluator::frame`]).
    frame: Cell<Frame>,
    /// Whether the budget's gap has been recorded.
    over_budget_reported: Cell<bool>,
}

/// The budget of one expression evaluated on its own (a local, a resource attribute, …):
/// what it has built, what it may build, and why it may build no more.
#[derive(Clone, Copy)]
struct Frame {
    built: usize,
    cap: usize,
    /// Begun after [`MAX_EVALUATED_BYTES`] was spent: `cap` is a ration.
    rationed: bool,
    /// Stopped by [`MAX_EVALUATED_HARD`] rather than by `cap`.
    stopped_by_total: bool,
}

impl Frame {
    fn new(cap: usize, rationed: bool) -> Self {
        Frame {
            built: 0,
            cap,
            rationed,
            stopped_by_total: false,
        }
    }

    fn spent(&self) -> bool {
        self.built > self.cap || self.stopped_by_total
    }
}

/// Where a resource instance lives: its module instance, declaration index and key, and
/// whether it is the first instance of its resource in the first instance of its module.
type Registered<'a> = (Rc<ModInst<'a>>, usize, InstKey, bool);

fn over_budget() -> String {
    format!(
        "evaluating this configuration built more than {} MiB of values (a limit that bounds memory)",
        MAX_EVALUATED_BYTES >> 20
    )
}

fn over_expression_budget(what: &str) -> String {
    format!(
        "{what} builds more than {} MiB of values (a limit that bounds memory)",
        MAX_EXPRESSION_BYTES >> 20
    )
}

/// About how many bytes `v` occupies, counted up to just past `limit` (the rest is not
/// walked). It recurses as deep as the value nests, as dropping the value does.
pub(crate) fn weight(v: &Val, limit: usize) -> usize {
    const NODE: usize = std::mem::size_of::<Val>();
    match v {
        Val::Null | Val::Bool(_) | Val::Number(_) => NODE,
        Val::String(s) | Val::Unknown(s) => NODE + s.len(),
        Val::Ref { address, attribute } => NODE + address.len() + attribute.len(),
        Val::List(items) => {
            let mut total = NODE;
            for item in items {
                total += weight(item, limit.saturating_sub(total));
                if total > limit {
                    break;
                }
            }
            total
        }
        Val::Map(entries) => {
            let mut total = NODE;
            for (k, item) in entries {
                total += std::mem::size_of::<String>() + k.len();
                total += weight(item, limit.saturating_sub(total));
                if total > limit {
                    break;
                }
            }
            total
        }
    }
}

/// Decrements the evaluation depth when an evaluation step ends.
pub(crate) struct DepthGuard<'e>(&'e Cell<u32>);

impl Drop for DepthGuard<'_> {
    fn drop(&mut self) {
        self.0.set(self.0.get() - 1);
    }
}

/// The resource arguments that are Terraform meta-arguments, not resource attributes.
pub(crate) const META_ATTRS: &[&str] = &["count", "for_each", "depends_on", "provider"];

impl<'a> Evaluator<'a> {
    pub fn new(
        defs: &'a HashMap<PathBuf, ModuleDef<'a>>,
        config: ConfigId,
        root: &'a ModuleDef<'a>,
        limits: crate::Limits,
    ) -> Self {
        let mut used = BTreeSet::new();
        used.insert(root.key.clone());
        Evaluator {
            defs,
            config,
            limits,
            depth: Cell::new(0),
            root_display: root.display.clone(),
            registry: RefCell::new(HashMap::new()),
            attrs: RefCell::new(HashMap::new()),
            gaps: RefCell::new(Vec::new()),
            used: RefCell::new(used),
            built: Cell::new(0),
            frame: Cell::new(Frame::new(MAX_EXPRESSION_BYTES, false)),
            over_budget_reported: Cell::new(false),
        }
    }

    pub fn root_instance(
        def: &'a ModuleDef<'a>,
        vars: HashMap<String, VarInput>,
    ) -> Rc<ModInst<'a>> {
        Rc::new(ModInst::new(
            def,
            String::new(),
            Inputs::Root(vars),
            0,
            true,
        ))
    }

    /// Enters one level of evaluation; `Err` beyond [`MAX_EVAL_DEPTH`].
    pub fn enter(&self) -> Result<DepthGuard<'_>, String> {
        let d = self.depth.get();
        if d >= MAX_EVAL_DEPTH {
            return Err(format!(
                "expression nesting or reference chain deeper than {MAX_EVAL_DEPTH}"
            ));
        }
        self.depth.set(d + 1);
        Ok(DepthGuard(&self.depth))
    }

    /// Counts a value just built against the budget of the expression being evaluated
    /// and against [`MAX_EVALUATED_HARD`]; `Err` (the expression is to be Unknown) once
    /// either is spent.
    pub fn account(&self, v: &Val) -> Result<(), String> {
        let mut f = self.frame.get();
        let in_frame = f.cap.saturating_sub(f.built);
        // A rationed expression is bounded by its ration alone: the total it may add to
        // is proportional to the input.
        let in_total = if f.rationed {
            usize::MAX
        } else {
            MAX_EVALUATED_HARD.saturating_sub(self.built.get())
        };
        let left = in_frame.min(in_total);
        let w = weight(v, left);
        self.built.set(self.built.get().saturating_add(w));
        f.built = f.built.saturating_add(w);
        if w > left && w <= in_frame {
            f.stopped_by_total = true;
        }
        self.frame.set(f);
        if w > left {
            return Err(self.spent_reason());
        }
        Ok(())
    }

    /// `Err` when the budget of the expression being evaluated is already spent: nothing
    /// more of it is evaluated.
    pub fn within_budget(&self) -> Result<(), String> {
        if self.frame.get().spent() {
            return Err(self.spent_reason());
        }
        Ok(())
    }

    fn spent_reason(&self) -> String {
        let f = self.frame.get();
        if f.rationed || f.stopped_by_total {
            over_budget()
        } else {
            format!(
                "this expression builds more than {} MiB of values (a limit that bounds memory)",
                MAX_EXPRESSION_BYTES >> 20
            )
        }
    }

    /// Evaluates `expr` with `f`, as an expression with a budget of its own: past it, the
    /// result is Unknown naming the budget (and a `too-large` gap at `describe()`'s
    /// origin says which expression), while the expression that asked for it goes on.
    /// Once [`MAX_EVALUATED_BYTES`] is spent, only `first` instances are evaluated, and
    /// only within a ration proportional to `expr`'s source text.
    pub fn frame(
        &self,
        expr: &Expression,
        first: bool,
        describe: impl FnOnce() -> (String, Origin),
        f: impl FnOnce() -> EvalResult,
    ) -> EvalResult {
        use hcl_edit::Span;
        let rationed = self.built.get() > MAX_EVALUATED_BYTES;
        if rationed && !first {
            self.report_budget(&describe().1);
            return Ok(Val::Unknown(format!(
                "{}; past it only the first instance of each resource and module is evaluated",
                over_budget()
            )));
        }
        let cap = if rationed {
            let text = expr.span().map_or(0, |s| s.len());
            RATIONED_BASE
                .saturating_add(text.saturating_mul(RATIONED_PER_BYTE))
                .min(MAX_EXPRESSION_BYTES)
        } else {
            MAX_EXPRESSION_BYTES
        };
        let outer = self.frame.replace(Frame::new(cap, rationed));
        let result = f();
        let inner = self.frame.replace(outer);
        if !inner.spent() {
            return result;
        }
        let (what, origin) = describe();
        if inner.rationed || inner.stopped_by_total {
            self.report_budget(&origin);
            return Ok(Val::Unknown(format!("{what}: {}", over_budget())));
        }
        let reason = over_expression_budget(&what);
        self.gap(
            "too-large",
            format!("{reason}: it is unknown, and so is every value that uses it"),
            origin,
        );
        Ok(Val::Unknown(reason))
    }

    /// Records the gap of [`MAX_EVALUATED_BYTES`] at `origin` (where it was first felt),
    /// once.
    fn report_budget(&self, origin: &Origin) {
        if !self.over_budget_reported.replace(true) {
            self.gap(
                "too-large",
                format!(
                    "{}; from here on an expression is evaluated only in the first instance \
                     of its resource and module, and only while its value stays about the size \
                     of its text (the others are unknown)",
                    over_budget()
                ),
                origin.clone(),
            );
        }
    }

    pub fn gap(&self, kind: &str, message: String, origin: Origin) {
        self.gaps.borrow_mut().push(CoverageGap {
            config: Some(self.config),
            kind: kind.to_string(),
            message,
            origin,
        });
    }

    /// The gaps found while evaluating, and the module keys that were instantiated.
    pub fn finish(self) -> (Vec<CoverageGap>, BTreeSet<PathBuf>) {
        (self.gaps.into_inner(), self.used.into_inner())
    }

    pub fn path_of(&self, inst: &ModInst, attr: &str) -> String {
        if attr == "module" {
            inst.def.display.clone()
        } else {
            self.root_display.clone()
        }
    }

    pub fn var(&self, inst: &Rc<ModInst<'a>>, name: &str) -> EvalResult {
        let Some(decl) = inst.def.variables.get(name) else {
            return Err(format!("var.{name} is not declared"));
        };
        cached(
            &inst.vars,
            name,
            || format!("var.{name} refers to itself"),
            || {
                let what = || format!("{}var.{name}", inst.prefix);
                let input = match &inst.inputs {
                    Inputs::Root(values) => values.get(name).cloned(),
                    Inputs::Child { parent, call, key } => {
                        let call = &parent.def.calls[*call];
                        match call.body.attribute(name) {
                            Some((arg, src)) => {
                                let sc = Scope {
                                    ev: self,
                                    inst: parent,
                                    key,
                                    binds: None,
                                };
                                let v = self.frame(
                                    &arg.value,
                                    inst.first,
                                    || (what(), src.origin_of(arg)),
                                    || eval(&arg.value, &sc),
                                );
                                Some(VarInput::Value(v.unwrap_or_else(Val::Unknown)))
                            }
                            None => None,
                        }
                    }
                };
                let input = match (input, decl.default) {
                    (Some(v), _) => v,
                    (None, Some(default)) => {
                        let sc = Scope {
                            ev: self,
                            inst,
                            key: &InstKey::None,
                            binds: None,
                        };
                        VarInput::Value(self.frame(
                            default.expr,
                            inst.first,
                            || (what(), default.origin()),
                            || eval(default.expr, &sc),
                        )?)
                    }
                    (None, None) => return Ok(Val::Unknown(format!("var.{name} has no value"))),
                };
                Ok(convert(name, input, decl.ty))
            },
        )
    }

    pub fn local(&self, inst: &Rc<ModInst<'a>>, name: &str) -> EvalResult {
        let Some(&value) = inst.def.locals.get(name) else {
            return Err(format!("local.{name} is not declared"));
        };
        cached(
            &inst.locals,
            name,
            || format!("local.{name} refers to itself"),
            || self.eval_named(inst, value, || format!("{}local.{name}", inst.prefix)),
        )
    }

    pub fn output(&self, inst: &Rc<ModInst<'a>>, name: &str) -> EvalResult {
        let Some(&value) = inst.def.outputs.get(name) else {
            return Err(format!("module {} has no output {name}", inst.def.display));
        };
        cached(
            &inst.outputs,
            name,
            || format!("output {name} refers to itself"),
            || {
                self.eval_named(inst, value, || {
                    format!("output {name} of {}", inst.def.display)
                })
            },
        )
    }

    /// Evaluates a local or an output of `inst`, with a budget of its own.
    fn eval_named(
        &self,
        inst: &Rc<ModInst<'a>>,
        value: ExprAt<'a>,
        what: impl FnOnce() -> String,
    ) -> EvalResult {
        let sc = Scope {
            ev: self,
            inst,
            key: &InstKey::None,
            binds: None,
        };
        self.frame(
            value.expr,
            inst.first,
            || (what(), value.origin()),
            || eval(value.expr, &sc),
        )
    }

    /// `module.x` without an output name: an object of all its outputs.
    pub fn outputs_object(&self, inst: &Rc<ModInst<'a>>) -> EvalResult {
        let mut names: Vec<&str> = inst.def.outputs.keys().copied().collect();
        names.sort_unstable();
        let entries = names
            .into_iter()
            .map(|n| {
                (
                    n.to_string(),
                    self.output(inst, n).unwrap_or_else(Val::Unknown),
                )
            })
            .collect();
        Ok(Val::Map(entries))
    }

    /// `module.x` of a call with `count` / `for_each`: a list or map of output objects.
    pub fn module_instances_object(&self, call: &ChildCall<'a>) -> EvalResult {
        let mut list = Vec::new();
        let mut map = Vec::new();
        for (key, inst) in &call.insts {
            let object = self.outputs_object(inst)?;
            match key {
                InstKey::Key(k, _) => map.push((k.clone(), object)),
                _ => list.push(object),
            }
        }
        Ok(if map.is_empty() {
            Val::List(list)
        } else {
            Val::Map(map)
        })
    }

    /// The expansion of resource `decl` of `inst`, computed once; registers the addresses
    /// of its instances so that whole-instance references can be followed.
    pub fn expansion(&self, inst: &Rc<ModInst<'a>>, decl: usize) -> Rc<Expansion> {
        if let Some(e) = inst.expansions.borrow().get(&decl) {
            return e.clone();
        }
        let r = &inst.def.resources[decl];
        // Mark as unknown while computing, so that a count that depends on the resource
        // itself ends as Unknown instead of recursing.
        let busy = Rc::new(Expansion::Unknown {
            arg: "count",
            reason: format!("{}.{} depends on itself", r.rtype, r.name),
        });
        inst.expansions.borrow_mut().insert(decl, busy);
        let base = format!("{}{}.{}", inst.prefix, r.rtype, r.name);
        let e = Rc::new(self.expand(inst, &r.body, &base));
        inst.expansions.borrow_mut().insert(decl, e.clone());
        let mut registry = self.registry.borrow_mut();
        for (n, key) in e.keys(&base).into_iter().enumerate() {
            let first = inst.first && n == 0;
            registry.insert(
                format!("{base}{}", key.suffix()),
                (inst.clone(), decl, key, first),
            );
        }
        e
    }

    /// Evaluates the `count` / `for_each` of a resource or module block (`address`) in its
    /// module.
    pub fn expand(
        &self,
        inst: &Rc<ModInst<'a>>,
        body: &MergedBody<'a>,
        address: &str,
    ) -> Expansion {
        let sc = Scope {
            ev: self,
            inst,
            key: &InstKey::None,
            binds: None,
        };
        let (arg, (attr, src)) = match (body.attribute("count"), body.attribute("for_each")) {
            (Some(c), _) => ("count", c),
            (None, Some(f)) => ("for_each", f),
            (None, None) => return Expansion::Single,
        };
        let unknown = |reason: String| Expansion::Unknown { arg, reason };
        let max = self.limits.max_instances;
        let v = self.frame(
            &attr.value,
            inst.first,
            || (format!("the {arg} of {address}"), src.origin_of(attr)),
            || eval(&attr.value, &sc),
        );
        let v = match v {
            Ok(v) => v,
            Err(e) => return unknown(e),
        };
        if arg == "count" {
            if let Some(reason) = unknown_reason(&v) {
                return unknown(reason);
            }
            return match as_number(&v) {
                Some(n) if n >= 0.0 && n.fract() == 0.0 && n <= max as f64 => {
                    Expansion::Count(n as usize)
                }
                Some(n) if n > max as f64 => {
                    unknown(format!("more than {max} instances (--max-instances)"))
                }
                _ => unknown(format!("count must be a whole number, not {v:?}")),
            };
        }
        let mut keys: Vec<(String, Val)> = match v {
            // Only the keys must be known; unknown values become unknown `each.value`s.
            Val::Map(entries) => entries,
            Val::List(items) => {
                if let Some(reason) = items.iter().find_map(unknown_reason) {
                    return unknown(reason);
                }
                let mut keys = Vec::with_capacity(items.len());
                for item in items {
                    match item {
                        Val::String(s) => keys.push((s.clone(), Val::String(s))),
                        other => {
                            return unknown(format!(
                                "for_each needs a map or a set of strings, not a list of {other:?}"
                            ));
                        }
                    }
                }
                keys
            }
            other => match unknown_reason(&other) {
                Some(reason) => return unknown(reason),
                None => {
                    return unknown(format!(
                        "for_each needs a map or a set of strings, not {other:?}"
                    ));
                }
            },
        };
        if keys.len() > max {
            return unknown(format!("more than {max} instances (--max-instances)"));
        }
        keys.sort_by(|a, b| a.0.cmp(&b.0));
        keys.dedup_by(|a, b| a.0 == b.0);
        Expansion::Keys(keys)
    }

    /// `aws_x.y` as a value: a whole-instance reference (`Ref` with an empty attribute), or a
    /// list / map of them under `count` / `for_each`.
    pub fn resource_object(&self, inst: &Rc<ModInst<'a>>, rtype: &str, name: &str) -> EvalResult {
        let Some(&decl) = inst.def.resource_index.get(&(rtype, name)) else {
            return Err(format!("reference to undeclared resource {rtype}.{name}"));
        };
        let base = format!("{}{rtype}.{name}", inst.prefix);
        let whole = |suffix: String| Val::Ref {
            address: format!("{base}{suffix}"),
            attribute: String::new(),
        };
        Ok(match &*self.expansion(inst, decl) {
            Expansion::Single => whole(String::new()),
            Expansion::Count(n) => {
                Val::List((0..*n).map(|i| whole(InstKey::Index(i).suffix())).collect())
            }
            Expansion::Keys(keys) => Val::Map(
                keys.iter()
                    .map(|(k, v)| {
                        (
                            k.clone(),
                            whole(InstKey::Key(k.clone(), v.clone()).suffix()),
                        )
                    })
                    .collect(),
            ),
            Expansion::Unknown { arg, reason } => Val::Unknown(format!(
                "the instances of {base} are not statically known ({arg}: {reason})"
            )),
        })
    }

    /// Instance `key` of resource `rtype.name`: what indexing [`Self::resource_object`] with
    /// `key` gives, without building a reference to every instance first (a counted
    /// resource whose instances each index another made evaluation quadratic: the `hcl`
    /// fuzz target found 535 bytes that took 30 s). `None` for any other index (out of
    /// range, not an instance key, unknown); the caller then indexes the whole object.
    pub fn resource_instance(
        &self,
        inst: &Rc<ModInst<'a>>,
        rtype: &str,
        name: &str,
        key: &Val,
    ) -> Option<Val> {
        let &decl = inst.def.resource_index.get(&(rtype, name))?;
        let suffix = match (&*self.expansion(inst, decl), key) {
            (Expansion::Count(n), Val::Number(i))
                if i.fract() == 0.0 && *i >= 0.0 && *i < *n as f64 =>
            {
                InstKey::Index(*i as usize).suffix()
            }
            (Expansion::Keys(keys), Val::String(k)) => {
                let at = keys.binary_search_by(|(x, _)| x.as_str().cmp(k)).ok()?;
                let (k, v) = &keys[at];
                InstKey::Key(k.clone(), v.clone()).suffix()
            }
            _ => return None,
        };
        Some(Val::Ref {
            address: format!("{}{rtype}.{name}{suffix}", inst.prefix),
            attribute: String::new(),
        })
    }

    /// Attribute `name` of the resource instance at `address`: its value when the resource
    /// declares it (evaluated in that resource's scope), else a reference to it.
    pub fn resource_attr(&self, address: &str, name: &str) -> EvalResult {
        let target = self.registry.borrow().get(address).cloned();
        let Some((inst, decl, key, first)) = target else {
            return Ok(Val::Ref {
                address: address.to_string(),
                attribute: name.to_string(),
            });
        };
        let Some((attr, src)) = inst.def.resources[decl]
            .body
            .attribute(name)
            .filter(|_| !META_ATTRS.contains(&name))
        else {
            return Ok(Val::Ref {
                address: address.to_string(),
                attribute: name.to_string(),
            });
        };
        let cache_key = format!("{address}\u{0}{name}");
        cached(
            &self.attrs,
            &cache_key,
            || format!("{address}.{name} refers to itself"),
            || {
                let sc = Scope {
                    ev: self,
                    inst: &inst,
                    key: &key,
                    binds: None,
                };
                let v = self.frame(
                    &attr.value,
                    first,
                    || (format!("{address}.{name}"), src.origin_of(attr)),
                    || eval(&attr.value, &sc),
                );
                // An error inside another resource is that resource's problem; here it is
                // just a value we do not know.
                Ok(v.unwrap_or_else(|e| Val::Unknown(format!("{address}.{name}: {e}"))))
            },
        )
    }

    /// The instances of module call `name` of `inst`.
    pub fn child_call(
        &self,
        inst: &Rc<ModInst<'a>>,
        name: &str,
    ) -> Result<Rc<ChildCall<'a>>, String> {
        match inst.def.call_index.get(name) {
            Some(&i) => self.child_call_at(inst, i),
            None => Err(format!("module.{name} is not declared")),
        }
    }

    pub fn child_call_at(
        &self,
        inst: &Rc<ModInst<'a>>,
        i: usize,
    ) -> Result<Rc<ChildCall<'a>>, String> {
        let call = &inst.def.calls[i];
        match inst.children.borrow().get(&i) {
            Some(Some(c)) => return Ok(c.clone()),
            Some(None) => return Err(format!("module.{} depends on itself", call.name)),
            None => {}
        }
        inst.children.borrow_mut().insert(i, None);
        let c = Rc::new(self.instantiate(inst, i));
        inst.children.borrow_mut().insert(i, Some(c.clone()));
        Ok(c)
    }

    fn instantiate(&self, inst: &Rc<ModInst<'a>>, i: usize) -> ChildCall<'a> {
        let call = &inst.def.calls[i];
        let unavailable = |kind, reason| ChildCall {
            unavailable: Some((kind, reason)),
            unknown_keys: None,
            keyed: false,
            insts: Vec::new(),
        };
        let here = if inst.prefix.is_empty() {
            String::new()
        } else {
            format!(" in {}", inst.prefix.trim_end_matches('.'))
        };
        let def = match &call.source {
            CallSource::Remote(src) => {
                return unavailable(
                    "unsupported",
                    format!("module {}{here} (source {src}) is not loaded", call.name),
                );
            }
            CallSource::Invalid(why) => {
                return unavailable("unsupported", format!("module {}{here} {why}", call.name));
            }
            CallSource::Local(key) => match self.defs.get(key) {
                Some(def) => def,
                None => {
                    return unavailable(
                        "io-error",
                        format!(
                            "module {}{here}: no Terraform files in {}",
                            call.name,
                            key.display()
                        ),
                    );
                }
            },
        };
        if inst.depth >= self.limits.max_module_depth {
            return unavailable(
                "unsupported",
                format!(
                    "module {}{here} is nested more than {} modules deep (--max-module-depth)",
                    call.name, self.limits.max_module_depth
                ),
            );
        }
        if inst.ancestors().any(|a| a.def.key == def.key) {
            return unavailable(
                "unsupported",
                format!(
                    "module {}{here} calls its own source recursively",
                    call.name
                ),
            );
        }
        self.used.borrow_mut().insert(def.key.clone());
        let address = format!("{}module.{}", inst.prefix, call.name);
        let expansion = self.expand(inst, &call.body, &address);
        let unknown_keys = match &expansion {
            Expansion::Unknown { reason, .. } => Some(reason.clone()),
            _ => None,
        };
        let keyed = matches!(expansion, Expansion::Count(_) | Expansion::Keys(_));
        let insts = expansion
            .keys(&address)
            .into_iter()
            .enumerate()
            .map(|(n, key)| {
                let prefix = format!("{address}{}.", key.suffix());
                let inputs = Inputs::Child {
                    parent: inst.clone(),
                    call: i,
                    key: key.clone(),
                };
                (
                    key,
                    Rc::new(ModInst::new(
                        def,
                        prefix,
                        inputs,
                        inst.depth + 1,
                        inst.first && n == 0,
                    )),
                )
            })
            .collect();
        ChildCall {
            unavailable: None,
            unknown_keys,
            keyed,
            insts,
        }
    }
}

impl<'a> ModInst<'a> {
    fn new(
        def: &'a ModuleDef<'a>,
        prefix: String,
        inputs: Inputs<'a>,
        depth: usize,
        first: bool,
    ) -> Self {
        ModInst {
            def,
            prefix,
            inputs,
            depth,
            first,
            vars: RefCell::default(),
            locals: RefCell::default(),
            outputs: RefCell::default(),
            expansions: RefCell::default(),
            children: RefCell::default(),
        }
    }

    /// This instance and the instances that (transitively) called it.
    fn ancestors(&self) -> impl Iterator<Item = &ModInst<'a>> {
        std::iter::successors(Some(self), |i| match &i.inputs {
            Inputs::Child { parent, .. } => Some(parent.as_ref()),
            Inputs::Root(_) => None,
        })
    }
}

/// Looks `key` up in `cache`, computing it once; a lookup while it is being computed is a
/// reference cycle and yields Unknown with `cycle()` as the reason.
fn cached(
    cache: &Cache,
    key: &str,
    cycle: impl FnOnce() -> String,
    compute: impl FnOnce() -> EvalResult,
) -> EvalResult {
    match cache.borrow().get(key) {
        Some(Slot::Busy) => return Ok(Val::Unknown(cycle())),
        Some(Slot::Done(r)) => return r.clone(),
        None => {}
    }
    cache.borrow_mut().insert(key.to_string(), Slot::Busy);
    let r = compute();
    cache
        .borrow_mut()
        .insert(key.to_string(), Slot::Done(r.clone()));
    r
}

/// Evaluates an expression that may not refer to anything (a tfvars value, a `--var`).
pub(crate) fn eval_constant(expr: &Expression) -> EvalResult {
    let defs = HashMap::new();
    let def = ModuleDef::new(PathBuf::new(), String::new(), Path::new(""), &[]);
    let ev = Evaluator::new(&defs, 0, &def, crate::Limits::default());
    let inst = Evaluator::root_instance(&def, HashMap::new());
    eval(
        expr,
        &Scope {
            ev: &ev,
            inst: &inst,
            key: &InstKey::None,
            binds: None,
        },
    )
}

/// Whether `s` is a structure the evaluator skips in resource bodies: meta-argument blocks
/// that say how Terraform manages the resource, not what it is.
pub(crate) fn is_meta_block(s: &Structure) -> bool {
    matches!(s, Structure::Block(b) if matches!(b.ident.as_str(), "lifecycle" | "provisioner" | "connection"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalize_is_lexical() {
        assert_eq!(normalize(Path::new("a/./b/../c")), PathBuf::from("a/c"));
        assert_eq!(
            normalize(Path::new("../x/../../y")),
            PathBuf::from("../../y")
        );
        assert_eq!(normalize(Path::new("/a/../../b")), PathBuf::from("/b"));
        assert_eq!(normalize(Path::new("./")), PathBuf::from("."));
    }

    #[test]
    fn instance_key_suffix_escapes_quotes() {
        assert_eq!(
            InstKey::Key("a\"b".into(), Val::Null).suffix(),
            "[\"a\\\"b\"]"
        );
        assert_eq!(InstKey::Index(3).suffix(), "[3]");
        assert!(InstKey::Index(3).matches(&Val::Number(3.0)));
        assert!(!InstKey::Key("a".into(), Val::Null).matches(&Val::Number(0.0)));
    }
}
