//! The CloudFormation loader: JSON and YAML templates (hand-written or CDK's
//! `cdk.out/*.template.json`) → model resources.
//!
//! Reading goes text → [`tree::Node`] (with spans; [`json`] or [`yaml`], chosen by content)
//! → evaluated values ([`intrinsics`]) → model resources ([`map`]). A template without a
//! top-level `Resources` is not CloudFormation and is skipped silently; one that has it but
//! cannot be read becomes a coverage gap at the offending line.
//!
//! **Nested stacks.** An `AWS::CloudFormation::Stack` whose `TemplateURL` is a local path
//! (relative to the parent file), or an S3 URL naming a file asset of a scanned CDK cloud
//! assembly ([`cdk`]), is evaluated with the `Parameters` the parent passes, and
//! its `Outputs` flow back through `!GetAtt Child.Outputs.X`. A root stack and all its
//! nested stacks form ONE configuration, the nested resources' addresses prefixed with the
//! stack's logical id (`Network.PrivateSubnetA`), so that references between them resolve
//! (a Studio domain in the parent and its subnets in a child join). A template that some
//! other scanned template loads as a nested stack is not loaded on its own as well; every
//! other one is a root, including one that nests itself or that only a cycle of templates
//! nests (a circular nesting that would be deployed is a gap where it is declared). A
//! nested stack whose template is not in the scan is an `unsupported` coverage gap of the
//! configuration.
//!
//! **Parameters.** A root template's parameter takes, in order of precedence, the value of
//! `--parameter Key=Value`, of a parameter file (the `[{"ParameterKey", "ParameterValue"}]`
//! form or `{"Parameters": {…}}`), its `Default`; otherwise it is Unknown ("parameter X has no
//! value"). A parameter without a value that has `AllowedValues` is Unknown with those values
//! as candidates ([`intrinsics::V::OneOf`], then `Value::one_of`), so that a check passes or
//! fails when every allowed value does; only a direct `Ref` keeps them. Pseudo parameters (`AWS::Region`, `AWS::AccountId`, …) are Unknown unless
//! given the same way (`--parameter AWS::Region=eu-west-1`); `AWS::NoValue` removes the
//! property. `Fn::ImportValue` resolves to a literal exported by a template of the same
//! scan; an export that is a resource reference stays Unknown, because references do not
//! cross configurations, and so does a name that several templates export (naming each
//! exporter's file and line): one account and region holds one export of a name, so which
//! one is imported depends on where each is deployed.
//!
//! **Macros.** A template-level `Transform` and `Fn::Transform` are gaps, and the values
//! they may rewrite are Unknown naming them ([`transform`]).

mod cdk;
pub(crate) mod intrinsics;
pub(crate) mod json;
pub(crate) mod map;
pub(crate) mod transform;
pub(crate) mod tree;
pub(crate) mod yaml;

use intrinsics::{Ev, Export, Scope, V, origin, place};
use map::Res;
use sagescan_model::{ConfigId, CoverageGap, Model, Origin, SourceFile};
use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use tree::{Kind, Node, Parsed, Span};

/// Largest template read. CloudFormation accepts at most 1 MB (S3-hosted templates); a
/// much larger file is not a template anyone deploys, and reading it would only cost time.
const MAX_TEMPLATE_BYTES: usize = 16 * 1024 * 1024;

/// Deepest chain of nested stacks followed.
const MAX_NESTING: usize = 16;

/// One template as given to the loader.
#[derive(Clone, Debug)]
pub struct Template {
    /// Where the file is, for reading nested stacks relative to it.
    pub path: PathBuf,
    /// The path as the user gave it: used in origins and as the configuration's name.
    pub display: String,
    pub text: String,
}

/// Inputs that change how templates are evaluated.
#[derive(Clone, Debug, Default)]
pub struct CfnOptions {
    /// `--parameter Key=Value`, applied last.
    pub parameters: Vec<(String, String)>,
    /// Parameter files, applied in order before `parameters`.
    pub parameter_files: Vec<PathBuf>,
}

/// Why an input around the templates could not be read.
#[derive(Debug, thiserror::Error)]
pub(crate) enum CfnError {
    #[error("{}: {source}", path.display())]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{}: not a CloudFormation parameter file: {message}", path.display())]
    ParameterFile { path: PathBuf, message: String },
}

/// Loads every CloudFormation template of `templates` into `model`: one configuration per
/// root template (nested stacks included), its sources, and its coverage gaps. Does not
/// call [`Model::finish`].
pub fn load_templates(model: &mut Model, templates: &[Template], options: &CfnOptions) {
    let mut given: HashMap<String, String> = HashMap::new();
    for path in &options.parameter_files {
        match parameter_file(path) {
            Ok(values) => given.extend(values),
            Err(e) => model.gaps.push(CoverageGap {
                config: None,
                kind: match e {
                    CfnError::Io { .. } => "io-error",
                    CfnError::ParameterFile { .. } => "parse-error",
                }
                .into(),
                message: e.to_string(),
                origin: Origin::None,
            }),
        }
    }
    given.extend(options.parameters.iter().cloned());

    let assets = cdk::assemblies(model, templates);
    let scanned: HashSet<PathBuf> = templates.iter().map(|t| canonical(&t.path)).collect();
    let mut roots = Vec::new();
    for t in templates {
        let file: Arc<str> = t.display.as_str().into();
        match read(&t.text) {
            Read::NotCloudFormation => {}
            Read::Broken(issue) => {
                let config = model.add_config(&t.display, "cloudformation");
                model.sources.push(SourceFile {
                    path: t.display.clone(),
                    text: t.text.clone(),
                });
                model.gaps.push(gap(config, &file, &issue));
            }
            Read::Template(parsed) => roots.push((t, file, parsed)),
        }
    }
    // Templates nested by another scanned template are loaded as part of it, not on their
    // own as well: a first guess from the files alone (each_root corrects it).
    let paths: Vec<PathBuf> = roots.iter().map(|(t, _, _)| canonical(&t.path)).collect();
    let nested: HashSet<PathBuf> = roots
        .iter()
        .flat_map(|(t, _, p)| {
            let own = canonical(&t.path);
            nested_stacks(&t.path, &p.root, &assets)
                .into_iter()
                .filter_map(|(_, path)| path.map(|p| canonical(&p)))
                // A template nesting itself is not thereby nested by another.
                .filter(move |p| *p != own)
        })
        .collect();
    let first: Vec<bool> = paths.iter().map(|p| !nested.contains(p)).collect();

    // Exports first (a dry run), so that `Fn::ImportValue` sees every template's.
    let mut exporters = Exporters::new();
    let none = HashMap::new();
    let is_root = each_root(&paths, &first, |i| {
        let (t, file, parsed) = &roots[i];
        let mut dry = Stacks::new(0, &none, &assets, &scanned);
        dry.stack(parsed, t, file, String::new(), Inputs::Root(&given), 0);
        for (name, mut by) in dry.exports {
            exporters.entry(name).or_default().append(&mut by);
        }
        dry.loaded
    });
    let exports = resolve_exports(exporters);
    // The same choice again with the imports known (a condition on an import may now be
    // false, so a template may no longer be loaded where the dry run loaded it).
    each_root(&paths, &is_root, |i| {
        let (t, file, parsed) = &roots[i];
        let config = model.add_config(&t.display, "cloudformation");
        let mut stacks = Stacks::new(config, &exports, &assets, &scanned);
        model.sources.push(SourceFile {
            path: t.display.clone(),
            text: t.text.clone(),
        });
        stacks.stack(parsed, t, file, String::new(), Inputs::Root(&given), 0);
        model.sources.append(&mut stacks.sources);
        model.gaps.append(&mut stacks.gaps);
        map::map_resources(model, &stacks.resources);
        stacks.loaded
    });
}

/// Runs `run` on each template that must be loaded as a root, and says which those were:
/// first, in order, those marked in `first`; then, one at a time in order, any that no run
/// so far has loaded as a nested stack. So a template that nests itself, two that nest
/// each other, or one nested only under a condition that is false, are still judged, each in
/// a configuration of its own or in its parent's: a template is never dropped because some
/// file names it. `paths` are the templates' canonical paths; `run` returns those of the
/// nested stacks it loaded.
fn each_root(
    paths: &[PathBuf],
    first: &[bool],
    mut run: impl FnMut(usize) -> HashSet<PathBuf>,
) -> Vec<bool> {
    let mut is_root = vec![false; paths.len()];
    let mut covered = HashSet::new();
    let mut visit = |i: usize, covered: &mut HashSet<PathBuf>| {
        is_root[i] = true;
        covered.insert(paths[i].clone());
        covered.extend(run(i));
    };
    for i in (0..paths.len()).filter(|&i| first[i]) {
        visit(i, &mut covered);
    }
    while let Some(i) = (0..paths.len()).find(|&i| !covered.contains(&paths[i])) {
        visit(i, &mut covered);
    }
    is_root
}

/// Export name → every output exporting it: its value and where the name is written.
type Exporters = HashMap<String, Vec<(Ev, String)>>;

/// What `Fn::ImportValue` reads under each name: the value where one output exports it,
/// a conflict naming every exporter otherwise. The same output read twice (a template
/// loaded on its own and as a nested stack) with the same value is one exporter.
fn resolve_exports(exporters: Exporters) -> HashMap<String, Export> {
    exporters
        .into_iter()
        .map(|(name, by)| {
            let mut distinct: Vec<(Ev, String)> = Vec::new();
            for (value, at) in by {
                if !distinct.iter().any(|(v, a)| *a == at && v.v == value.v) {
                    distinct.push((value, at));
                }
            }
            let export = if distinct.len() == 1 {
                Export::One(distinct.remove(0).0)
            } else {
                let mut places: Vec<String> = distinct.into_iter().map(|(_, at)| at).collect();
                places.sort();
                places.dedup();
                Export::Conflict(places)
            };
            (name, export)
        })
        .collect()
}

enum Read {
    NotCloudFormation,
    Broken(tree::Issue),
    Template(Parsed),
}

/// Parses by content: JSON when the first non-blank character opens an object.
fn read(text: &str) -> Read {
    let head = text.trim_start_matches('\u{feff}').trim_start();
    if text.len() > MAX_TEMPLATE_BYTES {
        if !text.contains("Resources") {
            return Read::NotCloudFormation;
        }
        return Read::Broken(tree::Issue {
            kind: "unsupported",
            message: format!(
                "the file is larger than {} MiB, far above CloudFormation's template limit; not read",
                MAX_TEMPLATE_BYTES >> 20
            ),
            span: Span {
                line: 1,
                column: 1,
                ..Span::default()
            },
        });
    }
    let parsed = if head.starts_with('{') {
        json::parse(text)
    } else {
        yaml::parse(text)
    };
    match parsed {
        Ok(p) if p.root.get("Resources").is_some() => Read::Template(p),
        Ok(_) => Read::NotCloudFormation,
        // Unreadable: only a diagnostic when it looks like a template.
        Err(issue) if text.contains("Resources") => Read::Broken(issue),
        Err(_) => Read::NotCloudFormation,
    }
}

fn gap(config: ConfigId, file: &Arc<str>, issue: &tree::Issue) -> CoverageGap {
    CoverageGap {
        config: Some(config),
        kind: issue.kind.into(),
        message: issue.message.clone(),
        origin: origin(file, issue.span),
    }
}

fn canonical(path: &Path) -> PathBuf {
    path.canonicalize().unwrap_or_else(|_| path.to_path_buf())
}

/// The nested stacks of `root` and their templates' local paths: a local `TemplateURL`
/// (relative to the parent file), or an S3 URL whose object is a file asset of a scanned
/// CDK assembly. `None` when the template is nowhere in the scan.
fn nested_stacks(
    parent: &Path,
    root: &Node,
    assets: &cdk::Assets,
) -> Vec<(String, Option<PathBuf>)> {
    let dir = parent.parent().unwrap_or(Path::new(""));
    root.get("Resources")
        .map(Node::entries)
        .unwrap_or_default()
        .iter()
        .filter(|e| {
            e.value.get("Type").and_then(Node::as_str) == Some("AWS::CloudFormation::Stack")
        })
        .map(|e| {
            let url = e.value.get("Properties").and_then(|p| p.get("TemplateURL"));
            let local = url
                .and_then(Node::as_str)
                .map(|u| u.strip_prefix("file://").unwrap_or(u))
                .filter(|u| !u.contains("://"));
            let path = match local {
                Some(local) => Some(dir.join(local)),
                None => url
                    .and_then(object_name)
                    .and_then(|name| assets.find(name))
                    .map(Path::to_path_buf),
            };
            (e.key.clone(), path)
        })
        .collect()
}

/// The S3 object's name (the URL's last segment) where it is a literal: CDK writes
/// `Fn::Join` of `https://s3.`, the region, the bucket and `/<hash>.json`; `Fn::Sub` puts
/// it at the end of the string.
fn object_name(url: &Node) -> Option<&str> {
    let last = match (&url.kind, url.entries()) {
        (Kind::Str(s), _) => s.as_str(),
        (_, [e]) if e.key == "Fn::Join" => match &e.value.kind {
            Kind::Seq(args) => match args.get(1).map(|l| &l.kind) {
                Some(Kind::Seq(parts)) => parts.last()?.as_str()?,
                _ => return None,
            },
            _ => return None,
        },
        (_, [e]) if e.key == "Fn::Sub" => match &e.value.kind {
            Kind::Str(s) => s.as_str(),
            Kind::Seq(args) => args.first()?.as_str()?,
            _ => return None,
        },
        _ => return None,
    };
    let name = last.rsplit('/').next()?;
    (!name.is_empty() && !name.contains("${")).then_some(name)
}

/// Where a stack's parameter values come from.
enum Inputs<'a> {
    /// A root template: `--parameter` and parameter files, by name.
    Root(&'a HashMap<String, String>),
    /// A nested stack: what its parent passes; with a reason, the parent's `Parameters`
    /// cannot be read (an undecidable `Fn::If`, a macro) and a parameter it does not pass
    /// visibly is unknown for that reason rather than its `Default`.
    Nested(HashMap<String, Ev>, Option<String>),
}

/// The evaluation of one configuration: a root stack and its nested stacks.
struct Stacks<'e> {
    config: ConfigId,
    exports_in: &'e HashMap<String, Export>,
    /// File assets of the scanned CDK assemblies, for nested stacks' S3 `TemplateURL`s.
    assets: &'e cdk::Assets,
    /// Canonical paths of the scanned templates.
    scanned: &'e HashSet<PathBuf>,
    /// Exports this configuration declares (`Outputs.X.Export.Name`), with where.
    exports: Exporters,
    /// Canonical paths of the nested stacks' templates read.
    loaded: HashSet<PathBuf>,
    /// Why every value being evaluated is unknown: a macro over the template (or over a
    /// parent, which may rewrite what it passes to its nested stacks).
    rewritten: Option<String>,
    resources: Vec<Res>,
    gaps: Vec<CoverageGap>,
    sources: Vec<SourceFile>,
    /// Canonical paths of the stacks being evaluated, to stop a template nesting itself.
    open: Vec<PathBuf>,
}

impl<'e> Stacks<'e> {
    fn new(
        config: ConfigId,
        exports_in: &'e HashMap<String, Export>,
        assets: &'e cdk::Assets,
        scanned: &'e HashSet<PathBuf>,
    ) -> Self {
        Stacks {
            config,
            exports_in,
            assets,
            scanned,
            exports: HashMap::new(),
            loaded: HashSet::new(),
            rewritten: None,
            resources: Vec::new(),
            gaps: Vec::new(),
            sources: Vec::new(),
            open: Vec::new(),
        }
    }

    fn gap(&mut self, kind: &str, message: String, origin: Origin) {
        self.gaps.push(CoverageGap {
            config: Some(self.config),
            kind: kind.into(),
            message,
            origin,
        });
    }

    /// Evaluates one template (resources into `self.resources`) and returns its outputs.
    /// Under a macro ([`transform`]) the values it may rewrite are Unknown naming it.
    fn stack(
        &mut self,
        parsed: &Parsed,
        t: &Template,
        file: &Arc<str>,
        prefix: String,
        inputs: Inputs,
        depth: usize,
    ) -> HashMap<String, Ev> {
        for issue in &parsed.issues {
            self.gaps.push(gap(self.config, file, issue));
        }
        let root = &parsed.root;
        let mut scope = Scope::new(file.clone(), prefix.clone(), self.exports_in);
        scope.conditions = root.get("Conditions");
        scope.mappings = root.get("Mappings");
        let resources = root.get("Resources").map(Node::entries).unwrap_or_default();
        let Some(Kind::Map(_)) = root.get("Resources").map(|r| &r.kind) else {
            let span = root.entry("Resources").map_or(root.span, |e| e.key_span);
            self.gap(
                "parse-error",
                "Resources is not an object".into(),
                origin(file, span),
            );
            return HashMap::new();
        };
        scope.resources = resources
            .iter()
            .map(|e| {
                let rtype = e.value.get("Type").and_then(Node::as_str).unwrap_or("");
                (e.key.clone(), rtype.to_owned())
            })
            .collect();
        scope.params = parameters(root, &scope, inputs, file);

        // Macros: each is a gap (it may add anything); a template-level one, or one over the
        // Resources section, makes every resource's values unknown, in nested stacks too
        // (the macro may rewrite what is passed to them, or which template they are).
        let outer = self.rewritten.clone();
        let mut language_extensions = false;
        for d in transform::declared(root) {
            if d.name == transform::LANGUAGE_EXTENSIONS {
                language_extensions = true;
                continue;
            }
            self.gap(
                "unsupported",
                format!(
                    "Transform {}: a macro rewrites the whole template at deployment and sagescan does not run it, so every value of {file} is unknown",
                    d.name
                ),
                origin(file, d.span),
            );
            if self.rewritten.is_none() {
                self.rewritten = Some(transform::rewritten_by(&d.name, &format!("{file}")));
            }
        }
        for (name, span) in transform::every_fn_transform(root) {
            self.gap(
                "unsupported",
                format!(
                    "Fn::Transform {name}: a macro rewrites the object it is written in at deployment and sagescan does not run it, so that object's values are unknown"
                ),
                origin(file, span),
            );
        }
        if self.rewritten.is_none() {
            let section = transform::in_object(root)
                .map(|n| (n, file.to_string()))
                .or_else(|| {
                    transform::in_object(root.get("Resources")?)
                        .map(|n| (n, format!("the Resources section of {file}")))
                });
            self.rewritten = section.map(|(n, what)| transform::rewritten_by(&n, &what));
        }

        // Nested stacks first, each once the stacks its parameters read are done.
        self.open.push(canonical(&t.path));
        let mut children = Vec::new();
        for (id, path) in nested_stacks(&t.path, root, self.assets) {
            match path {
                Some(path) if self.may_read(&t.path, &path) => children.push((id, path)),
                Some(path) => {
                    let why = format!(
                        "{} is neither a scanned file nor under the parent template's directory",
                        path.display()
                    );
                    self.not_loaded(&scope, resources, &id, file, &prefix, &why)
                }
                None => self.not_loaded(&scope, resources, &id, file, &prefix, "not in the scan"),
            }
        }
        let mut pending: Vec<&(String, PathBuf)> = children.iter().collect();
        while !pending.is_empty() {
            let ready = pending.iter().position(|(id, _)| {
                let mut needs = Vec::new();
                if let Some(p) = resources
                    .iter()
                    .find(|e| &e.key == id)
                    .and_then(|e| e.value.get("Properties"))
                {
                    referenced(p, &mut needs, 0);
                }
                needs.iter().all(|n| {
                    !children.iter().any(|(c, _)| c == n) || scope.stack_outputs.contains_key(n)
                })
            });
            // A cycle: evaluate the first anyway; what it reads of the others is unknown.
            let (id, path) = pending.remove(ready.unwrap_or(0));
            let outputs = self.child(&scope, resources, id, path, file, &prefix, depth);
            if let Some(outputs) = outputs {
                scope.stack_outputs.insert(id.clone(), outputs);
            }
        }
        self.open.pop();

        for e in resources {
            let rtype = scope.resources.get(&e.key).cloned().unwrap_or_default();
            let decl = Span {
                end: e.value.span.end.max(e.key_span.end),
                ..e.key_span
            };
            if e.key == "Fn::Transform" {
                continue; // its gap is above, and it makes every resource unknown
            }
            if language_extensions && e.key.starts_with(transform::FOR_EACH) {
                self.gap(
                    "unsupported",
                    format!(
                        "{prefix}{}: sagescan does not expand Fn::ForEach ({}), so the resources it creates are not read",
                        e.key,
                        transform::LANGUAGE_EXTENSIONS
                    ),
                    origin(file, e.key_span),
                );
                continue;
            }
            let own_macro = transform::in_object(&e.value);
            if rtype.is_empty() && own_macro.is_some() {
                continue; // the macro's gap names it; what it becomes is unknown
            }
            if rtype.is_empty() {
                self.gap(
                    "parse-error",
                    format!("resource {}{} has no Type", prefix, e.key),
                    origin(file, decl),
                );
                continue;
            }
            if rtype == "AWS::CloudFormation::Stack" || !included(&scope, &e.value) {
                continue;
            }
            let unknown = self.rewritten.clone().or_else(|| {
                own_macro
                    .map(|n| transform::rewritten_by(&n, &format!("resource {prefix}{}", e.key)))
            });
            let props = match unknown {
                // Present and unknown, not absent: absent would read as the AWS defaults.
                Some(reason) => Some(Ev::unknown(reason, origin(file, decl))),
                None => e.value.get("Properties").map(|p| scope.eval(p)),
            };
            self.resources.push(Res {
                address: format!("{prefix}{}", e.key),
                rtype,
                config: self.config,
                origin: origin(file, decl),
                props,
            });
        }

        let mut outputs = HashMap::new();
        let section = root.get("Outputs");
        let section_macro = section.and_then(transform::in_object);
        for o in section.map(Node::entries).unwrap_or_default() {
            if o.key == "Fn::Transform" || o.key.starts_with(transform::FOR_EACH) {
                continue;
            }
            if !included(&scope, &o.value) {
                continue;
            }
            let Some(value) = o.value.get("Value") else {
                continue;
            };
            let unknown = self.rewritten.clone().or_else(|| {
                let name = section_macro
                    .clone()
                    .or_else(|| transform::in_object(&o.value))?;
                Some(transform::rewritten_by(&name, &format!("output {}", o.key)))
            });
            let value = match unknown {
                Some(reason) => Ev::unknown(reason, origin(file, o.key_span)),
                None => scope.eval(value),
            };
            let export = o.value.get("Export").and_then(|x| x.get("Name"));
            if let Some((name, at)) = export.and_then(|n| Some((scope.eval(n).text()?, n.span))) {
                let at = place(&origin(file, at));
                self.exports
                    .entry(name)
                    .or_default()
                    .push((value.clone(), at));
            }
            outputs.insert(o.key.clone(), value);
        }
        self.rewritten = outer;
        outputs
    }

    /// A nested stack whose template is not in the scan (an S3 URL with no local CDK
    /// asset, a computed URL): its resources are missing from the configuration, so this
    /// is a gap that makes its passes inconclusive, not only Unknown outputs.
    /// Whether a nested template may be read: it is one of the scanned files, or it lies
    /// under its parent's directory. A `TemplateURL` comes from the scanned repository, so
    /// it must not make sagescan read (and quote in a report) any other file of the
    /// machine, such as credentials; symbolic links are resolved before the test.
    fn may_read(&self, parent: &Path, path: &Path) -> bool {
        let path = canonical(path);
        let dir = canonical(parent.parent().unwrap_or(Path::new(".")));
        self.scanned.contains(&path) || (path.starts_with(&dir) && path != dir)
    }

    fn not_loaded(
        &mut self,
        scope: &Scope,
        resources: &[tree::Entry],
        id: &str,
        file: &Arc<str>,
        prefix: &str,
        why: &str,
    ) {
        let Some(entry) = resources.iter().find(|e| e.key == id) else {
            return;
        };
        if !included(scope, &entry.value) {
            return;
        }
        let url = match entry
            .value
            .get("Properties")
            .and_then(|p| p.get("TemplateURL"))
        {
            Some(u) => scope
                .eval(u)
                .text()
                .unwrap_or_else(|| "computed at deployment".into()),
            None => "missing".into(),
        };
        self.gap(
            "unsupported",
            format!("nested stack {prefix}{id} (TemplateURL {url}) was not loaded: {why}"),
            origin(file, entry.key_span),
        );
    }

    /// Loads and evaluates the nested stack `id`; `None` when it cannot be read.
    #[allow(clippy::too_many_arguments)]
    fn child(
        &mut self,
        scope: &Scope,
        resources: &[tree::Entry],
        id: &str,
        path: &Path,
        file: &Arc<str>,
        prefix: &str,
        depth: usize,
    ) -> Option<HashMap<String, Ev>> {
        let entry = resources.iter().find(|e| e.key == id)?;
        let at = origin(file, entry.key_span);
        if !included(scope, &entry.value) {
            return None;
        }
        if depth >= MAX_NESTING || self.open.contains(&canonical(path)) {
            self.gap(
                "unsupported",
                format!("nested stack {prefix}{id}: nesting too deep or circular; not loaded"),
                at,
            );
            return None;
        }
        // The parent names the file, so it may name anything: a FIFO, `/dev/zero`.
        let text = match sagescan_fs::read_text(
            path,
            MAX_TEMPLATE_BYTES as u64,
            sagescan_fs::Named::ByInput,
        ) {
            Ok(text) => text,
            Err(source) => {
                let e = CfnError::Io {
                    path: path.to_path_buf(),
                    source,
                };
                self.gap("io-error", format!("nested stack {prefix}{id}: {e}"), at);
                return None;
            }
        };
        let display = Path::new(&*file.to_string())
            .parent()
            .unwrap_or(Path::new(""))
            .join(path.file_name().unwrap_or_default())
            .to_string_lossy()
            .into_owned();
        let child_file: Arc<str> = display.as_str().into();
        let parsed = match read(&text) {
            Read::Template(p) => {
                self.loaded.insert(canonical(path));
                p
            }
            Read::Broken(issue) => {
                self.gaps.push(gap(self.config, &child_file, &issue));
                self.sources.push(SourceFile {
                    path: display,
                    text,
                });
                return None;
            }
            Read::NotCloudFormation => {
                self.gap(
                    "parse-error",
                    format!(
                        "nested stack {prefix}{id}: {} has no Resources",
                        path.display()
                    ),
                    at,
                );
                return None;
            }
        };
        // A macro on the stack's declaration may rewrite what it passes, or the template.
        let own_macro = transform::in_object(&entry.value)
            .map(|n| transform::rewritten_by(&n, &format!("nested stack {prefix}{id}")));
        let params = entry
            .value
            .get("Properties")
            .and_then(|p| p.get("Parameters"))
            .map(|p| scope.eval(p));
        let inputs = match (params, own_macro.clone().or_else(|| self.rewritten.clone())) {
            (_, Some(reason)) => Inputs::Nested(HashMap::new(), Some(reason)),
            (None, None) => Inputs::Nested(HashMap::new(), None),
            (Some(p), None) => match p.v {
                V::Map(entries) => Inputs::Nested(entries.into_iter().collect(), None),
                V::Null => Inputs::Nested(HashMap::new(), None),
                _ => Inputs::Nested(
                    HashMap::new(),
                    Some(format!(
                        "the Parameters of nested stack {prefix}{id} cannot be read ({})",
                        p.unknown_part()
                            .unwrap_or_else(|| "Parameters is not an object".into())
                    )),
                ),
            },
        };
        let template = Template {
            path: path.to_path_buf(),
            display: display.clone(),
            text: String::new(),
        };
        let outer = self.rewritten.clone();
        if self.rewritten.is_none() {
            self.rewritten = own_macro;
        }
        let outputs = self.stack(
            &parsed,
            &template,
            &child_file,
            format!("{prefix}{id}."),
            inputs,
            depth + 1,
        );
        self.rewritten = outer;
        if !self.sources.iter().any(|s| s.path == display) {
            self.sources.push(SourceFile {
                path: display,
                text,
            });
        }
        Some(outputs)
    }
}

/// Whether a resource or output is deployed: its `Condition` is true or undecidable (then
/// it may exist, so it is kept).
fn included(scope: &Scope, decl: &Node) -> bool {
    match decl.get("Condition").and_then(Node::as_str) {
        Some(name) => scope.condition(name) != Some(false),
        None => true,
    }
}

/// Logical ids a node reads through `Ref`, `Fn::GetAtt` or `Fn::Sub` (depth-bounded by the
/// tree readers).
fn referenced(node: &Node, out: &mut Vec<String>, depth: usize) {
    if depth > tree::MAX_DEPTH {
        return;
    }
    match &node.kind {
        Kind::Seq(items) => items.iter().for_each(|i| referenced(i, out, depth + 1)),
        Kind::Map(entries) => {
            for e in entries {
                match (e.key.as_str(), &e.value.kind) {
                    ("Ref" | "Fn::GetAtt", Kind::Str(s)) => {
                        out.push(s.split('.').next().unwrap_or("").to_owned())
                    }
                    ("Fn::GetAtt", Kind::Seq(items)) => {
                        out.extend(items.first().and_then(Node::as_str).map(str::to_owned))
                    }
                    ("Fn::Sub", _) => {
                        let text = match &e.value.kind {
                            Kind::Str(s) => Some(s.as_str()),
                            Kind::Seq(items) => items.first().and_then(Node::as_str),
                            _ => None,
                        };
                        for part in text.unwrap_or("").split("${").skip(1) {
                            let name = part.split(['}', '.']).next().unwrap_or("");
                            out.push(name.to_owned());
                        }
                    }
                    _ => {}
                }
                referenced(&e.value, out, depth + 1);
            }
        }
        _ => {}
    }
}

/// The value of every declared parameter.
fn parameters(root: &Node, scope: &Scope, inputs: Inputs, file: &Arc<str>) -> HashMap<String, Ev> {
    let mut out = HashMap::new();
    if let Inputs::Root(given) = &inputs {
        // Pseudo parameters given on the command line.
        for (k, v) in given.iter().filter(|(k, _)| k.starts_with("AWS::")) {
            out.insert(
                k.clone(),
                Ev {
                    v: V::Str(v.clone()),
                    origin: Origin::None,
                },
            );
        }
    }
    let section = root.get("Parameters");
    let section_macro = section.and_then(transform::in_object);
    for p in section.map(Node::entries).unwrap_or_default() {
        if p.key == "Fn::Transform" {
            continue;
        }
        let at = origin(file, p.key_span);
        let ptype = p
            .value
            .get("Type")
            .and_then(Node::as_str)
            .unwrap_or("String");
        let list = ptype.starts_with("List<") || ptype == "CommaDelimitedList";
        let supplied = match &inputs {
            Inputs::Root(given) => given.get(&p.key).map(|s| Ev {
                v: V::Str(s.clone()),
                origin: at.clone(),
            }),
            Inputs::Nested(values, unread) => values.get(&p.key).cloned().or_else(|| {
                unread
                    .as_ref()
                    .map(|reason| Ev::unknown(reason.clone(), at.clone()))
            }),
        };
        let rewritten = section_macro
            .clone()
            .or_else(|| transform::in_object(&p.value));
        let value = if let Some(name) = rewritten {
            Ev::unknown(
                transform::rewritten_by(&name, &format!("parameter {}", p.key)),
                at,
            )
        } else if ptype.starts_with("AWS::SSM::Parameter::Value<") {
            Ev::unknown(
                format!(
                    "parameter {} is read from SSM Parameter Store at deployment",
                    p.key
                ),
                at,
            )
        } else if let Some(v) = supplied.or_else(|| p.value.get("Default").map(|d| scope.eval(d))) {
            if list { as_list(v) } else { v }
        } else {
            // CloudFormation passes every parameter as a string, so each allowed value is
            // one; a non-scalar item leaves the set unknown rather than guessed.
            let allowed: Option<Vec<Ev>> = match p.value.get("AllowedValues").map(|a| &a.kind) {
                Some(Kind::Seq(items)) if !items.is_empty() => items
                    .iter()
                    .map(|i| {
                        let text = match &i.kind {
                            Kind::Str(s) | Kind::Num(s) => s.clone(),
                            Kind::Bool(b) => b.to_string(),
                            _ => return None,
                        };
                        Some(Ev {
                            v: V::Str(text),
                            origin: origin(file, i.span),
                        })
                    })
                    .collect(),
                _ => None,
            };
            let mut reason = format!("parameter {} has no value", p.key);
            if let Some(candidates) = &allowed {
                let names: Vec<String> = candidates.iter().filter_map(Ev::text).collect();
                reason.push_str(&format!(" (AllowedValues: {})", names.join(", ")));
            }
            match allowed {
                // A list parameter's AllowedValues bound each item, not the list.
                Some(candidates) if !list => Ev {
                    v: V::OneOf(candidates, reason),
                    origin: at,
                },
                _ => Ev::unknown(reason, at),
            }
        };
        out.insert(p.key.clone(), value);
    }
    out
}

/// A list-typed parameter's value: a comma-separated string becomes a list; a join of
/// references on `,` gives the references back.
fn as_list(v: Ev) -> Ev {
    match v.v {
        V::Str(s) => Ev {
            v: V::List(
                s.split(',')
                    .map(|p| Ev {
                        v: V::Str(p.trim().to_owned()),
                        origin: v.origin.clone(),
                    })
                    .collect(),
            ),
            origin: v.origin,
        },
        V::Joined { delimiter, parts } if delimiter == "," => Ev {
            v: V::List(parts),
            origin: v.origin,
        },
        // One resource passed where a list is expected (`!GetAtt Net.Outputs.SubnetId` into
        // a `List<AWS::EC2::Subnet::Id>`): a list of that one reference.
        res @ V::Res { .. } => Ev {
            v: V::List(vec![Ev {
                v: res,
                origin: v.origin.clone(),
            }]),
            origin: v.origin,
        },
        other => Ev {
            v: other,
            origin: v.origin,
        },
    }
}

/// Reads a parameter file: `[{"ParameterKey": k, "ParameterValue": v}]` (the AWS CLI's
/// form) or `{"Parameters": {k: v}}` (CodePipeline's template configuration form).
fn parameter_file(path: &Path) -> Result<Vec<(String, String)>, CfnError> {
    let text = std::fs::read_to_string(path).map_err(|source| CfnError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    let bad = |message: String| CfnError::ParameterFile {
        path: path.to_path_buf(),
        message,
    };
    let parsed =
        json::parse(&text).map_err(|i| bad(format!("line {}: {}", i.span.line, i.message)))?;
    let scalar = |n: &Node| match &n.kind {
        Kind::Str(s) | Kind::Num(s) => Some(s.clone()),
        Kind::Bool(b) => Some(b.to_string()),
        Kind::Seq(items) => items
            .iter()
            .map(|i| i.as_str().map(str::to_owned))
            .collect::<Option<Vec<_>>>()
            .map(|v| v.join(",")),
        _ => None,
    };
    match &parsed.root.kind {
        Kind::Seq(items) => items
            .iter()
            .map(|i| {
                let key = i.get("ParameterKey").and_then(Node::as_str);
                let value = i.get("ParameterValue").and_then(scalar);
                match (key, value) {
                    (Some(k), Some(v)) => Ok((k.to_owned(), v)),
                    _ => Err(bad(format!(
                        "line {}: expected ParameterKey and ParameterValue",
                        i.span.line
                    ))),
                }
            })
            .collect(),
        Kind::Map(_) => match parsed.root.get("Parameters") {
            Some(Node {
                kind: Kind::Map(entries),
                ..
            }) => entries
                .iter()
                .map(|e| match scalar(&e.value) {
                    Some(v) => Ok((e.key.clone(), v)),
                    None => Err(bad(format!(
                        "line {}: {} is not a string",
                        e.value.span.line, e.key
                    ))),
                })
                .collect(),
            _ => Err(bad("expected a Parameters object".into())),
        },
        _ => Err(bad("expected a list or an object".into())),
    }
}
