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
use hcl_edit::structure::{Block, Structure};
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
/// How many bytes of values (approximately, see [`weight`]) evaluating one configuration
/// may build in all. Values are built and copied, not shared, so a few hundred bytes can ask
/// for gigabytes: a resource with `count = 7569` whose instances each hold a splat of all
/// 7,569 (the `hcl` fuzz target), or locals that each double the last. Every value counts
/// once per expression that yields it, so this is an upper bound on what is held at once.
/// The 1,000-module benchmark corpus builds at most 27 KB per configuration.
pub const MAX_EVALUATED_BYTES: usize = 256 << 20;

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
    pub block: &'a Block,
    pub src: &'a SourceText,
}

pub(crate) struct CallDecl<'a> {
    pub name: &'a str,
    pub block: &'a Block,
    pub src: &'a SourceText,
    pub source: CallSource,
}

pub(crate) struct VarDecl<'a> {
    pub default: Option<&'a Expression>,
    pub ty: Option<&'a Expression>,
}

/// The declarations of one module (a directory of `.tf` files, or a single file named on
/// the command line).
pub(crate) struct ModuleDef<'a> {
    /// Lexically normalized path of the directory (or file): the identity of the module.
    pub key: PathBuf,
    /// `path.module`, as it appears in origins.
    pub display: String,
    pub variables: HashMap<&'a str, VarDecl<'a>>,
    pub locals: HashMap<&'a str, &'a Expression>,
    pub outputs: HashMap<&'a str, &'a Expression>,
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
    let Some(attr) = block.body.get_attribute("source") else {
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
        for file in files {
            let Some(body) = &file.body else { continue };
            let src = &file.source;
            for block in body.blocks() {
                let label = |i: usize| block.labels.get(i).map(|l| l.as_str());
                match (block.ident.as_str(), label(0), label(1)) {
                    ("resource", Some(rtype), Some(name)) => {
                        if def.resource_index.contains_key(&(rtype, name)) {
                            def.duplicate(src, block, format!("resource {rtype}.{name}"));
                            continue;
                        }
                        def.resource_index
                            .insert((rtype, name), def.resources.len());
                        def.resources.push(ResourceDecl {
                            rtype,
                            name,
                            block,
                            src,
                        });
                    }
                    ("variable", Some(name), _) => {
                        let default = block.body.get_attribute("default").map(|a| &a.value);
                        let ty = block.body.get_attribute("type").map(|a| &a.value);
                        if def
                            .variables
                            .insert(name, VarDecl { default, ty })
                            .is_some()
                        {
                            def.duplicate(src, block, format!("variable {name}"));
                        }
                    }
                    ("locals", _, _) => {
                        for attr in block.body.attributes() {
                            if def.locals.insert(attr.key.as_str(), &attr.value).is_some() {
                                let what = format!("local value {}", attr.key.as_str());
                                def.problems.push(FileGap {
                                    kind: "parse-error",
                                    message: format!("duplicate {what}"),
                                    origin: src.origin_of(attr),
                                });
                            }
                        }
                    }
                    ("output", Some(name), _) => {
                        if let Some(attr) = block.body.get_attribute("value") {
                            def.outputs.insert(name, &attr.value);
                        }
                    }
                    ("module", Some(name), _) => {
                        if def.call_index.contains_key(name) {
                            def.duplicate(src, block, format!("module {name}"));
                            continue;
                        }
                        let source = call_source(block, base_dir);
                        def.call_index.insert(name, def.calls.len());
                        def.calls.push(CallDecl {
                            name,
                            block,
                            src,
                            source,
                        });
                    }
                    _ => {}
                }
            }
        }
        def
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
    /// Whether the budget's gap has been recorded.
    over_budget_reported: Cell<bool>,
}

/// Where a resource instance lives: its module instance, declaration index and key.
type Registered<'a> = (Rc<ModInst<'a>>, usize, InstKey);

fn over_budget() -> String {
    format!(
        "evaluating this configuration built more than {} MiB of values (a limit that bounds memory)",
        MAX_EVALUATED_BYTES >> 20
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
            over_budget_reported: Cell::new(false),
        }
    }

    pub fn root_instance(
        def: &'a ModuleDef<'a>,
        vars: HashMap<String, VarInput>,
    ) -> Rc<ModInst<'a>> {
        Rc::new(ModInst::new(def, String::new(), Inputs::Root(vars), 0))
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

    /// Counts a value just built against [`MAX_EVALUATED_BYTES`]; `Err` (the value is to
    /// be Unknown) once the budget is spent.
    pub fn account(&self, v: &Val) -> Result<(), String> {
        let left = MAX_EVALUATED_BYTES.saturating_sub(self.built.get());
        let w = weight(v, left);
        self.built.set(self.built.get().saturating_add(w));
        if w > left {
            return Err(over_budget());
        }
        Ok(())
    }

    /// `Err` when the budget is already spent: nothing more is evaluated.
    pub fn within_budget(&self) -> Result<(), String> {
        if self.built.get() > MAX_EVALUATED_BYTES {
            return Err(over_budget());
        }
        Ok(())
    }

    /// Records the budget's gap at `origin` (where it was first felt), once.
    pub fn report_budget(&self, origin: &Origin) {
        if self.built.get() > MAX_EVALUATED_BYTES && !self.over_budget_reported.replace(true) {
            self.gap(
                "too-large",
                format!("{}; values from here on are unknown", over_budget()),
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
                let input = match &inst.inputs {
                    Inputs::Root(values) => values.get(name).cloned(),
                    Inputs::Child { parent, call, key } => {
                        let call = &parent.def.calls[*call];
                        match call.block.body.get_attribute(name) {
                            Some(arg) => {
                                let sc = Scope {
                                    ev: self,
                                    inst: parent,
                                    key,
                                    binds: None,
                                };
                                Some(VarInput::Value(
                                    eval(&arg.value, &sc).unwrap_or_else(Val::Unknown),
                                ))
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
                        VarInput::Value(eval(default, &sc)?)
                    }
                    (None, None) => return Ok(Val::Unknown(format!("var.{name} has no value"))),
                };
                Ok(convert(name, input, decl.ty))
            },
        )
    }

    pub fn local(&self, inst: &Rc<ModInst<'a>>, name: &str) -> EvalResult {
        let Some(expr) = inst.def.locals.get(name) else {
            return Err(format!("local.{name} is not declared"));
        };
        cached(
            &inst.locals,
            name,
            || format!("local.{name} refers to itself"),
            || {
                eval(
                    expr,
                    &Scope {
                        ev: self,
                        inst,
                        key: &InstKey::None,
                        binds: None,
                    },
                )
            },
        )
    }

    pub fn output(&self, inst: &Rc<ModInst<'a>>, name: &str) -> EvalResult {
        let Some(expr) = inst.def.outputs.get(name) else {
            return Err(format!("module {} has no output {name}", inst.def.display));
        };
        cached(
            &inst.outputs,
            name,
            || format!("output {name} refers to itself"),
            || {
                eval(
                    expr,
                    &Scope {
                        ev: self,
                        inst,
                        key: &InstKey::None,
                        binds: None,
                    },
                )
            },
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
        let e = Rc::new(self.expand(inst, r.block));
        inst.expansions.borrow_mut().insert(decl, e.clone());
        let base = format!("{}{}.{}", inst.prefix, r.rtype, r.name);
        let mut registry = self.registry.borrow_mut();
        for key in e.keys(&base) {
            registry.insert(format!("{base}{}", key.suffix()), (inst.clone(), decl, key));
        }
        e
    }

    /// Evaluates the `count` / `for_each` of a resource or module block in its module.
    pub fn expand(&self, inst: &Rc<ModInst<'a>>, block: &Block) -> Expansion {
        let sc = Scope {
            ev: self,
            inst,
            key: &InstKey::None,
            binds: None,
        };
        let (arg, attr) = match (
            block.body.get_attribute("count"),
            block.body.get_attribute("for_each"),
        ) {
            (Some(c), _) => ("count", c),
            (None, Some(f)) => ("for_each", f),
            (None, None) => return Expansion::Single,
        };
        let unknown = |reason: String| Expansion::Unknown { arg, reason };
        let max = self.limits.max_instances;
        let v = match eval(&attr.value, &sc) {
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
        let Some((inst, decl, key)) = target else {
            return Ok(Val::Ref {
                address: address.to_string(),
                attribute: name.to_string(),
            });
        };
        let block = inst.def.resources[decl].block;
        let Some(attr) = block
            .body
            .get_attribute(name)
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
                // An error inside another resource is that resource's problem; here it is
                // just a value we do not know.
                Ok(eval(&attr.value, &sc)
                    .unwrap_or_else(|e| Val::Unknown(format!("{address}.{name}: {e}"))))
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
        let expansion = self.expand(inst, call.block);
        let unknown_keys = match &expansion {
            Expansion::Unknown { reason, .. } => Some(reason.clone()),
            _ => None,
        };
        let keyed = matches!(expansion, Expansion::Count(_) | Expansion::Keys(_));
        let insts = expansion
            .keys(&address)
            .into_iter()
            .map(|key| {
                let prefix = format!("{address}{}.", key.suffix());
                let inputs = Inputs::Child {
                    parent: inst.clone(),
                    call: i,
                    key: key.clone(),
                };
                (
                    key,
                    Rc::new(ModInst::new(def, prefix, inputs, inst.depth + 1)),
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
    fn new(def: &'a ModuleDef<'a>, prefix: String, inputs: Inputs<'a>, depth: usize) -> Self {
        ModInst {
            def,
            prefix,
            inputs,
            depth,
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
