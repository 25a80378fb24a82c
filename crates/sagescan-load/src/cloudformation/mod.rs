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
//! other scanned template nests is not loaded on its own as well. A nested stack whose
//! template is not in the scan is an `unsupported` coverage gap of the configuration.
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
//! cross configurations.

mod cdk;
pub(crate) mod intrinsics;
pub(crate) mod json;
pub(crate) mod map;
pub(crate) mod tree;
pub(crate) mod yaml;

use intrinsics::{Ev, Scope, V, origin};
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
    // Templates nested by another scanned template are loaded as part of it.
    let nested: HashSet<PathBuf> = roots
        .iter()
        .flat_map(|(t, _, p)| nested_stacks(&t.path, &p.root, &assets))
        .filter_map(|(_, path)| path.map(|p| canonical(&p)))
        .collect();
    roots.retain(|(t, _, _)| !nested.contains(&canonical(&t.path)));

    // Exports first (a dry run), so that `Fn::ImportValue` sees every template's.
    let mut exports = HashMap::new();
    let none = HashMap::new();
    for (t, file, parsed) in &roots {
        let mut dry = Stacks::new(0, &none, &assets, &scanned);
        dry.stack(parsed, t, file, String::new(), Inputs::Root(&given), 0);
        exports.extend(dry.exports);
    }
    for (t, file, parsed) in &roots {
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
    }
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
    /// A nested stack: what its parent passes.
    Nested(HashMap<String, Ev>),
}

/// The evaluation of one configuration: a root stack and its nested stacks.
struct Stacks<'e> {
    config: ConfigId,
    exports_in: &'e HashMap<String, Ev>,
    /// File assets of the scanned CDK assemblies, for nested stacks' S3 `TemplateURL`s.
    assets: &'e cdk::Assets,
    /// Canonical paths of the scanned templates.
    scanned: &'e HashSet<PathBuf>,
    /// Exports this configuration declares (`Outputs.X.Export.Name`).
    exports: HashMap<String, Ev>,
    resources: Vec<Res>,
    gaps: Vec<CoverageGap>,
    sources: Vec<SourceFile>,
    /// Canonical paths of the stacks being evaluated, to stop a template nesting itself.
    open: Vec<PathBuf>,
}

impl<'e> Stacks<'e> {
    fn new(
        config: ConfigId,
        exports_in: &'e HashMap<String, Ev>,
        assets: &'e cdk::Assets,
        scanned: &'e HashSet<PathBuf>,
    ) -> Self {
        Stacks {
            config,
            exports_in,
            assets,
            scanned,
            exports: HashMap::new(),
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
            let props = e.value.get("Properties").map(|p| scope.eval(p));
            self.resources.push(Res {
                address: format!("{prefix}{}", e.key),
                rtype,
                config: self.config,
                origin: origin(file, decl),
                props,
            });
        }

        let mut outputs = HashMap::new();
        for o in root.get("Outputs").map(Node::entries).unwrap_or_default() {
            if !included(&scope, &o.value) {
                continue;
            }
            let Some(value) = o.value.get("Value") else {
                continue;
            };
            let value = scope.eval(value);
            if let Some(name) = o
                .value
                .get("Export")
                .and_then(|x| x.get("Name"))
                .and_then(|n| scope.eval(n).text())
            {
                self.exports.insert(name, value.clone());
            }
            outputs.insert(o.key.clone(), value);
        }
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
            Read::Template(p) => p,
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
        let params = entry
            .value
            .get("Properties")
            .and_then(|p| p.get("Parameters"))
            .map(|p| scope.eval(p));
        let params = match params.map(|p| p.v) {
            Some(V::Map(entries)) => entries.into_iter().collect(),
            _ => HashMap::new(),
        };
        let template = Template {
            path: path.to_path_buf(),
            display: display.clone(),
            text: String::new(),
        };
        let outputs = self.stack(
            &parsed,
            &template,
            &child_file,
            format!("{prefix}{id}."),
            Inputs::Nested(params),
            depth + 1,
        );
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
    for p in root
        .get("Parameters")
        .map(Node::entries)
        .unwrap_or_default()
    {
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
            Inputs::Nested(values) => values.get(&p.key).cloned(),
        };
        let value = if ptype.starts_with("AWS::SSM::Parameter::Value<") {
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
