//! Evaluation of a template's values: parameters, pseudo parameters, conditions, mappings
//! and the intrinsic functions, into [`Ev`] values that keep their origin.
//!
//! What cannot be known before deployment stays visible: a reference to a resource is a
//! [`V::Res`] (the mapper turns it into a model reference, keyed by the logical id), and
//! anything else undecidable is [`V::Unknown`] with the reason. Semantics follow the
//! "Intrinsic function reference" of the AWS CloudFormation User Guide.

use super::tree::{Kind, Node, Span};
use sagescan_model::{FileSpan, Origin};
use std::cell::RefCell;
use std::collections::HashMap;
use std::sync::Arc;

/// An evaluated value and where it was written.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Ev {
    pub v: V,
    pub origin: Origin,
}

#[derive(Clone, Debug, PartialEq)]
pub(crate) enum V {
    Null,
    Bool(bool),
    Num(String),
    Str(String),
    List(Vec<Ev>),
    Map(Vec<(String, Ev)>),
    /// `Ref` / `Fn::GetAtt` to a resource: `address` is its (prefixed) logical id.
    Res {
        address: String,
        attribute: Option<String>,
    },
    /// `Fn::Join` over resource references: kept apart so that a later `Fn::Split` on the
    /// same delimiter gives the references back (the usual way to pass subnet lists through
    /// a nested stack parameter or output).
    Joined {
        delimiter: String,
        parts: Vec<Ev>,
    },
    Unknown(String),
    /// Unknown, but one of these values: a `Ref` to a parameter that has no value and has
    /// `AllowedValues`. Everywhere but the mapper's readers it is just an unknown with the
    /// reason; anything computed from it is a plain [`V::Unknown`].
    OneOf(Vec<Ev>, String),
    /// `Ref: AWS::NoValue`: the property is removed.
    NoValue,
}

impl Ev {
    pub(crate) fn unknown(reason: impl Into<String>, origin: Origin) -> Ev {
        Ev {
            v: V::Unknown(reason.into()),
            origin,
        }
    }

    /// A literal scalar as text (what CloudFormation would pass as a string).
    pub(crate) fn text(&self) -> Option<String> {
        match &self.v {
            V::Str(s) | V::Num(s) => Some(s.clone()),
            V::Bool(b) => Some(b.to_string()),
            _ => None,
        }
    }

    /// The first reason this value (or a part of it) is not known, if any.
    pub(crate) fn unknown_part(&self) -> Option<String> {
        match &self.v {
            V::Unknown(r) | V::OneOf(_, r) => Some(r.clone()),
            V::Res { address, attribute } => Some(match attribute {
                Some(a) => format!("{address}.{a} is known only after deployment"),
                None => format!("Ref {address} is known only after deployment"),
            }),
            V::Joined { parts, .. } => parts.iter().find_map(Ev::unknown_part),
            V::List(items) => items.iter().find_map(Ev::unknown_part),
            V::Map(entries) => entries.iter().find_map(|(_, e)| e.unknown_part()),
            _ => None,
        }
    }
}

/// What the scanned templates export under one name (`Outputs.X.Export.Name`).
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Export {
    /// One exporter: its value.
    One(Ev),
    /// Several templates export the name, with different values or from different places:
    /// CloudFormation allows one export of a name per account and region, so which one an
    /// import reads depends on which is deployed there. The exporters, as `file:line`.
    Conflict(Vec<String>),
}

/// `file:line` of an origin, for naming a place in a reason.
pub(crate) fn place(origin: &Origin) -> String {
    match origin {
        Origin::File(f) => format!("{}:{}", f.file, f.line),
        _ => "(unknown place)".into(),
    }
}

/// The origin of `span` in `file`.
pub(crate) fn origin(file: &Arc<str>, span: Span) -> Origin {
    Origin::File(FileSpan {
        file: file.clone(),
        start: span.start,
        end: span.end,
        line: span.line,
        column: span.column,
    })
}

/// Pseudo parameters that evaluate to a stable token (`${AWS::Region}`) when not given with
/// `--parameter`: their exact value never decides a check, but equality between values
/// derived from them does.
const SYMBOLIC_PSEUDO: &[&str] = &[
    "AWS::Region",
    "AWS::AccountId",
    "AWS::Partition",
    "AWS::URLSuffix",
    "AWS::StackName",
    "AWS::StackId",
];

/// Whether `s` holds a token for a deployment-time value (a pseudo parameter or a zone
/// of `Fn::GetAZs`): such a string may equal a literal that it does not spell.
fn is_symbolic(s: &str) -> bool {
    s.contains("${AWS::") || s.contains("{zone ")
}

/// How many zones `Fn::GetAZs` is taken to return: every region offers an account at least
/// two (some, such as us-west-1, only two to newer accounts), so `!Select [0, …]` and
/// `!Select [1, …]` name distinct zones wherever the template deploys; a higher index is
/// unknown.
const KNOWN_AZ_COUNT: usize = 2;

/// Everything a template's values may refer to.
pub(crate) struct Scope<'t> {
    pub file: Arc<str>,
    /// Prepended to logical ids (`Network.` inside nested stack `Network`).
    pub prefix: String,
    pub params: HashMap<String, Ev>,
    /// Logical id → resource type, of this template's resources.
    pub resources: HashMap<String, String>,
    pub conditions: Option<&'t Node>,
    pub mappings: Option<&'t Node>,
    /// Nested stack logical id → its evaluated outputs.
    pub stack_outputs: HashMap<String, HashMap<String, Ev>>,
    /// Export name → what exports it, from every template of the scan.
    pub exports: &'t HashMap<String, Export>,
    decided: RefCell<HashMap<String, Option<bool>>>,
}

impl<'t> Scope<'t> {
    pub(crate) fn new(
        file: Arc<str>,
        prefix: String,
        exports: &'t HashMap<String, Export>,
    ) -> Self {
        Scope {
            file,
            prefix,
            params: HashMap::new(),
            resources: HashMap::new(),
            conditions: None,
            mappings: None,
            stack_outputs: HashMap::new(),
            exports,
            decided: RefCell::new(HashMap::new()),
        }
    }

    fn at(&self, span: Span) -> Origin {
        origin(&self.file, span)
    }

    /// Evaluates a node.
    pub(crate) fn eval(&self, node: &Node) -> Ev {
        let origin = self.at(node.span);
        let v = match &node.kind {
            Kind::Null => V::Null,
            Kind::Bool(b) => V::Bool(*b),
            Kind::Num(n) => V::Num(n.clone()),
            Kind::Str(s) => V::Str(s.clone()),
            Kind::Seq(items) => V::List(
                items
                    .iter()
                    .map(|i| self.eval(i))
                    .filter(|e| e.v != V::NoValue)
                    .collect(),
            ),
            Kind::Map(entries) => {
                // A macro rewrites the whole object it is written in, siblings included.
                if let Some(name) = super::transform::in_object(node) {
                    return Ev::unknown(
                        super::transform::rewritten_by(&name, "this object (Fn::Transform)"),
                        origin,
                    );
                }
                if let [e] = entries.as_slice()
                    && (e.key == "Ref" || e.key.starts_with("Fn::"))
                {
                    return self.function(&e.key, &e.value, origin);
                }
                V::Map(
                    entries
                        .iter()
                        .map(|e| (e.key.clone(), self.eval(&e.value)))
                        .filter(|(_, e)| e.v != V::NoValue)
                        .collect(),
                )
            }
        };
        Ev { v, origin }
    }

    fn function(&self, name: &str, arg: &Node, origin: Origin) -> Ev {
        let unknown = |r: String| Ev::unknown(r, origin.clone());
        match name {
            "Ref" => match arg.as_str() {
                Some(target) => self.reference(target, origin),
                None => unknown("Ref takes a name".into()),
            },
            "Fn::GetAtt" => {
                let (target, attribute) = match &arg.kind {
                    Kind::Str(s) => match s.split_once('.') {
                        Some((t, a)) => (t.to_owned(), Some(a.to_owned())),
                        None => (s.clone(), None),
                    },
                    Kind::Seq(items) if items.len() == 2 => {
                        let a = self.eval(&items[1]).text();
                        match (items[0].as_str(), a) {
                            (Some(t), a) => (t.to_owned(), a),
                            _ => return unknown("Fn::GetAtt takes [resource, attribute]".into()),
                        }
                    }
                    _ => return unknown("Fn::GetAtt takes [resource, attribute]".into()),
                };
                match attribute {
                    Some(a) => self.get_att(&target, &a, origin),
                    None => unknown(format!("Fn::GetAtt {target}: no attribute is named")),
                }
            }
            "Fn::Sub" => self.sub(arg, origin),
            "Fn::Join" => self.join(arg, origin),
            "Fn::Select" => self.select(arg, origin),
            "Fn::Split" => self.split(arg, origin),
            "Fn::If" => self.if_(arg, origin),
            "Fn::FindInMap" => self.find_in_map(arg, origin),
            "Fn::Equals" | "Fn::And" | "Fn::Or" | "Fn::Not" => {
                let mut node = arg.clone();
                node.kind = Kind::Map(vec![super::tree::Entry {
                    key: name.to_owned(),
                    key_span: arg.span,
                    value: arg.clone(),
                }]);
                match self.condition_value(&node, 0) {
                    Some(b) => Ev {
                        v: V::Bool(b),
                        origin,
                    },
                    None => unknown(format!("{name} cannot be decided before deployment")),
                }
            }
            "Fn::GetAZs" => {
                let region = match self.eval(arg).text() {
                    Some(r) if !r.is_empty() => r,
                    _ => "${AWS::Region}".to_string(),
                };
                // Stable tokens, one per zone: what matters to the checks is which values
                // are the same zone, not the zone's name.
                let zones = (1..=KNOWN_AZ_COUNT)
                    .map(|i| Ev {
                        v: V::Str(format!("{{zone {i} of {region}}}")),
                        origin: origin.clone(),
                    })
                    .collect();
                Ev {
                    v: V::List(zones),
                    origin,
                }
            }
            "Fn::ImportValue" => {
                let name = self.eval(arg);
                let Some(export) = name.text() else {
                    return unknown(format!(
                        "Fn::ImportValue: {}",
                        name.unknown_part()
                            .unwrap_or_else(|| "the export name is not a string".into())
                    ));
                };
                match self.exports.get(&export) {
                    Some(Export::Conflict(by)) => unknown(format!(
                        "Fn::ImportValue {export}: more than one output exports it ({}), and an account and region hold one export of a name, so which value this reads is unknown",
                        by.join(", ")
                    )),
                    // A resource of another stack: references do not cross configurations.
                    Some(Export::One(v)) if v.unknown_part().is_some() => unknown(format!(
                        "Fn::ImportValue {export}: exported by another stack ({})",
                        v.unknown_part().unwrap_or_default()
                    )),
                    Some(Export::One(v)) => Ev {
                        v: v.v.clone(),
                        origin,
                    },
                    None => unknown(format!(
                        "Fn::ImportValue {export}: no template in the scan exports it"
                    )),
                }
            }
            _ => unknown(format!("{name} is not evaluated by sagescan")),
        }
    }

    /// `Ref name`: a parameter, a pseudo parameter or a resource.
    pub(crate) fn reference(&self, target: &str, origin: Origin) -> Ev {
        if target == "AWS::NoValue" {
            return Ev {
                v: V::NoValue,
                origin,
            };
        }
        if let Some(p) = self.params.get(target) {
            return Ev {
                v: p.v.clone(),
                origin,
            };
        }
        if SYMBOLIC_PSEUDO.contains(&target) {
            // One deployment has one region, account and stack: a stable token stands for
            // the value, so derived names stay comparable (`${AWS::Region}a` differs from
            // `${AWS::Region}b`; `com.amazonaws.${AWS::Region}.sts` still ends in `.sts`).
            return Ev {
                v: V::Str(format!("${{{target}}}")),
                origin,
            };
        }
        if target.starts_with("AWS::") {
            return Ev::unknown(
                format!(
                    "pseudo parameter {target} is known only at deployment (give it with --parameter {target}=VALUE)"
                ),
                origin,
            );
        }
        if self.resources.contains_key(target) {
            return Ev {
                v: V::Res {
                    address: format!("{}{target}", self.prefix),
                    attribute: None,
                },
                origin,
            };
        }
        Ev::unknown(
            format!("Ref {target}: no such parameter or resource"),
            origin,
        )
    }

    fn get_att(&self, target: &str, attribute: &str, origin: Origin) -> Ev {
        if let Some(output) = attribute.strip_prefix("Outputs.")
            && self.resources.get(target).map(String::as_str) == Some("AWS::CloudFormation::Stack")
        {
            return match self.stack_outputs.get(target).map(|o| o.get(output)) {
                Some(Some(v)) => Ev {
                    v: v.v.clone(),
                    origin,
                },
                Some(None) => Ev::unknown(
                    format!("nested stack {target} has no output {output}"),
                    origin,
                ),
                None => Ev::unknown(
                    format!("nested stack {target} was not loaded, so its outputs are unknown"),
                    origin,
                ),
            };
        }
        if self.resources.contains_key(target) {
            return Ev {
                v: V::Res {
                    address: format!("{}{target}", self.prefix),
                    attribute: Some(attribute.to_owned()),
                },
                origin,
            };
        }
        Ev::unknown(
            format!("Fn::GetAtt {target}.{attribute}: no such resource"),
            origin,
        )
    }

    fn sub(&self, arg: &Node, origin: Origin) -> Ev {
        let (template, vars) = match &arg.kind {
            Kind::Str(s) => (s.as_str(), None),
            Kind::Seq(items) if items.len() == 2 => match items[0].as_str() {
                Some(s) => (s, Some(&items[1])),
                None => return Ev::unknown("Fn::Sub takes a string", origin),
            },
            _ => return Ev::unknown("Fn::Sub takes a string or [string, variables]", origin),
        };
        let var = |name: &str| -> Ev {
            if let Some(v) = vars.and_then(|m| m.get(name)) {
                return self.eval(v);
            }
            match name.split_once('.') {
                Some((t, a)) => self.get_att(t, a, origin.clone()),
                None => self.reference(name, origin.clone()),
            }
        };
        let mut out = String::new();
        let mut rest = template;
        let mut parts = Vec::new();
        while let Some(i) = rest.find("${") {
            out.push_str(&rest[..i]);
            let after = &rest[i + 2..];
            if let Some(literal) = after.strip_prefix('!') {
                // `${!Name}` is the literal text `${Name}`.
                out.push_str("${");
                rest = literal;
                continue;
            }
            let Some(end) = after.find('}') else {
                out.push_str(&rest[i..]);
                rest = "";
                break;
            };
            let value = var(after[..end].trim());
            parts.push(value.clone());
            match value.text() {
                Some(t) => out.push_str(&t),
                None => {
                    // The whole string is one variable: keep its value (a reference stays one).
                    if i == 0 && end + 3 == rest.len() && out.is_empty() && parts.len() == 1 {
                        return Ev { v: value.v, origin };
                    }
                    let why = value
                        .unknown_part()
                        .unwrap_or_else(|| format!("${{{}}} is not a string", &after[..end]));
                    return Ev::unknown(format!("Fn::Sub: {why}"), origin);
                }
            }
            rest = &after[end + 1..];
        }
        out.push_str(rest);
        Ev {
            v: V::Str(out),
            origin,
        }
    }

    fn join(&self, arg: &Node, origin: Origin) -> Ev {
        let Kind::Seq(items) = &arg.kind else {
            return Ev::unknown("Fn::Join takes [delimiter, list]", origin);
        };
        let (Some(delimiter), Some(list)) = (items.first().and_then(Node::as_str), items.get(1))
        else {
            return Ev::unknown("Fn::Join takes [delimiter, list]", origin);
        };
        let list = self.eval(list);
        let V::List(values) = list.v else {
            return Ev::unknown(
                format!(
                    "Fn::Join: {}",
                    list.unknown_part()
                        .unwrap_or_else(|| "the list is not a list".into())
                ),
                origin,
            );
        };
        if values.iter().all(|v| v.text().is_some()) {
            let texts: Vec<String> = values.iter().filter_map(Ev::text).collect();
            return Ev {
                v: V::Str(texts.join(delimiter)),
                origin,
            };
        }
        if let Some(reason) = values.iter().find_map(|v| match &v.v {
            V::Unknown(r) | V::OneOf(_, r) => Some(r.clone()),
            V::List(_) | V::Map(_) | V::Null | V::NoValue => {
                Some("Fn::Join: a list item is not a string".into())
            }
            _ => None,
        }) {
            return Ev::unknown(reason, origin);
        }
        Ev {
            v: V::Joined {
                delimiter: delimiter.to_owned(),
                parts: values,
            },
            origin,
        }
    }

    fn select(&self, arg: &Node, origin: Origin) -> Ev {
        let Kind::Seq(items) = &arg.kind else {
            return Ev::unknown("Fn::Select takes [index, list]", origin);
        };
        let (Some(index), Some(list)) = (items.first(), items.get(1)) else {
            return Ev::unknown("Fn::Select takes [index, list]", origin);
        };
        let index = self.eval(index);
        let list = self.eval(list);
        let Some(i) = index.text().and_then(|t| t.trim().parse::<usize>().ok()) else {
            return Ev::unknown(
                index
                    .unknown_part()
                    .unwrap_or_else(|| "Fn::Select: the index is not a number".into()),
                origin,
            );
        };
        match list.v {
            V::List(values) => match values.into_iter().nth(i) {
                Some(v) => Ev { v: v.v, origin },
                None => Ev::unknown(format!("Fn::Select: index {i} is out of range"), origin),
            },
            V::Unknown(r) | V::OneOf(_, r) => Ev::unknown(r, origin),
            // An element of a resource's list attribute (`!Select [0, !GetAtt Fw.EndpointIds]`)
            // is still an attribute of that resource: keep the reference, so a route to a
            // firewall endpoint is known to target a VPC endpoint.
            V::Res { address, attribute } => Ev {
                v: V::Res {
                    address,
                    attribute: Some(format!("{}[{i}]", attribute.unwrap_or_default())),
                },
                origin,
            },
            _ => Ev::unknown("Fn::Select: the list is not a list", origin),
        }
    }

    fn split(&self, arg: &Node, origin: Origin) -> Ev {
        let Kind::Seq(items) = &arg.kind else {
            return Ev::unknown("Fn::Split takes [delimiter, string]", origin);
        };
        let (Some(delimiter), Some(source)) = (items.first().and_then(Node::as_str), items.get(1))
        else {
            return Ev::unknown("Fn::Split takes [delimiter, string]", origin);
        };
        let source = self.eval(source);
        match source.v {
            V::Str(s) => Ev {
                v: V::List(
                    s.split(delimiter)
                        .map(|p| Ev {
                            v: V::Str(p.to_owned()),
                            origin: source.origin.clone(),
                        })
                        .collect(),
                ),
                origin,
            },
            V::Joined {
                delimiter: d,
                parts,
            } if d == delimiter
                && parts
                    .iter()
                    .all(|p| p.text().is_none_or(|t| !t.contains(delimiter))) =>
            {
                Ev {
                    v: V::List(parts),
                    origin,
                }
            }
            // Splitting a resource attribute (`az:vpce-id` endpoint strings) yields parts
            // of that attribute: still a reference to the resource.
            V::Res { address, attribute } => Ev {
                v: V::Res {
                    address,
                    attribute: Some(format!(
                        "{}.split({delimiter})",
                        attribute.unwrap_or_default()
                    )),
                },
                origin,
            },
            _ => Ev::unknown(
                format!(
                    "Fn::Split: {}",
                    source
                        .unknown_part()
                        .unwrap_or_else(|| "the value is not a string".into())
                ),
                origin,
            ),
        }
    }

    fn if_(&self, arg: &Node, origin: Origin) -> Ev {
        let Kind::Seq(items) = &arg.kind else {
            return Ev::unknown("Fn::If takes [condition, then, else]", origin);
        };
        let [cond, then, otherwise] = items.as_slice() else {
            return Ev::unknown("Fn::If takes [condition, then, else]", origin);
        };
        let Some(name) = cond.as_str() else {
            return Ev::unknown("Fn::If: the condition must be a name", origin);
        };
        match self.condition(name) {
            Some(true) => self.eval(then),
            Some(false) => self.eval(otherwise),
            None => {
                let (a, b) = (self.eval(then), self.eval(otherwise));
                if a.v == b.v {
                    return a;
                }
                Ev::unknown(
                    format!("condition {name} cannot be decided before deployment"),
                    origin,
                )
            }
        }
    }

    fn find_in_map(&self, arg: &Node, origin: Origin) -> Ev {
        let Kind::Seq(items) = &arg.kind else {
            return Ev::unknown("Fn::FindInMap takes [map, key, key]", origin);
        };
        let keys: Vec<Ev> = items.iter().take(3).map(|i| self.eval(i)).collect();
        let names: Option<Vec<String>> = keys.iter().map(Ev::text).collect();
        let Some(names) = names.filter(|n| n.len() == 3) else {
            let why = keys
                .iter()
                .find_map(Ev::unknown_part)
                .unwrap_or_else(|| "Fn::FindInMap takes [map, key, key]".into());
            return Ev::unknown(format!("Fn::FindInMap: {why}"), origin);
        };
        // A level holding a Fn::Transform (`AWS::Include` of mappings) is rewritten at
        // deployment: what it holds then is not what is written.
        let mut level = self.mappings;
        for name in &names {
            if let Some(macro_name) = level.and_then(super::transform::in_object) {
                return Ev::unknown(
                    format!(
                        "Fn::FindInMap: {}",
                        super::transform::rewritten_by(&macro_name, "the mapping")
                    ),
                    origin,
                );
            }
            level = level.and_then(|m| m.get(name));
        }
        match level {
            Some(node) => Ev {
                v: self.eval(node).v,
                origin,
            },
            None => Ev::unknown(
                format!(
                    "Fn::FindInMap: {}.{}.{} is not in Mappings",
                    names[0], names[1], names[2]
                ),
                origin,
            ),
        }
    }

    /// The value of the named condition; `None` when it cannot be decided before deployment.
    pub(crate) fn condition(&self, name: &str) -> Option<bool> {
        if let Some(known) = self.decided.borrow().get(name) {
            return *known;
        }
        // A macro over the Conditions section may define any condition any way.
        if self
            .conditions
            .and_then(super::transform::in_object)
            .is_some()
        {
            return None;
        }
        // Undecided while being evaluated, so that a cycle ends.
        self.decided.borrow_mut().insert(name.to_owned(), None);
        let value = self
            .conditions
            .and_then(|c| c.get(name))
            .and_then(|n| self.condition_value(n, 0));
        self.decided.borrow_mut().insert(name.to_owned(), value);
        value
    }

    fn condition_value(&self, node: &Node, depth: usize) -> Option<bool> {
        if depth > super::tree::MAX_DEPTH {
            return None;
        }
        match &node.kind {
            Kind::Bool(b) => Some(*b),
            Kind::Map(entries) if entries.len() == 1 => {
                let e = &entries[0];
                let args: &[Node] = match &e.value.kind {
                    Kind::Seq(items) => items,
                    _ => std::slice::from_ref(&e.value),
                };
                match e.key.as_str() {
                    "Condition" => self.condition(e.value.as_str()?),
                    "Fn::Equals" => {
                        let [a, b] = args else { return None };
                        let (a, b) = (self.eval(a), self.eval(b));
                        let (a, b) = (a.text()?, b.text()?);
                        // A token stands for a value known only at deployment: equal tokens
                        // are equal, but a token is not unequal to a literal.
                        if a != b && (is_symbolic(&a) || is_symbolic(&b)) {
                            return None;
                        }
                        Some(a == b)
                    }
                    "Fn::Not" => Some(!self.condition_value(args.first()?, depth + 1)?),
                    "Fn::And" | "Fn::Or" => {
                        let and = e.key == "Fn::And";
                        let mut undecided = false;
                        for a in args {
                            match self.condition_value(a, depth + 1) {
                                Some(v) if v != and => return Some(v),
                                Some(_) => {}
                                None => undecided = true,
                            }
                        }
                        (!undecided).then_some(and)
                    }
                    _ => None,
                }
            }
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::yaml;
    use super::*;

    fn eval_in(doc: &str, expr: &str) -> V {
        let parsed = yaml::parse(doc).unwrap();
        let exports = HashMap::new();
        let mut scope = Scope::new("t.yaml".into(), "N.".into(), &exports);
        scope.conditions = parsed.root.get("Conditions");
        scope.mappings = parsed.root.get("Mappings");
        scope.params.insert(
            "Env".into(),
            Ev {
                v: V::Str("prod".into()),
                origin: Origin::None,
            },
        );
        for name in ["A", "B"] {
            scope
                .resources
                .insert(name.into(), "AWS::EC2::Subnet".into());
        }
        let e = yaml::parse(expr).unwrap();
        scope.eval(&e.root).v
    }

    const DOC: &str = "Conditions:\n  Prod: !Equals [!Ref Env, prod]\n  Dev: !Not [!Condition Prod]\n  Region: !Equals [!Ref 'AWS::Region', x]\n  Either: !Or [!Condition Region, !Condition Prod]\nMappings:\n  M:\n    prod: {Cidr: 10.0.0.0/16}\n";

    fn s(v: &str) -> V {
        V::Str(v.into())
    }

    #[test]
    fn conditions_are_decided_where_possible() {
        assert_eq!(eval_in(DOC, "!If [Prod, a, b]"), s("a"));
        assert_eq!(eval_in(DOC, "!If [Dev, a, b]"), s("b"));
        assert_eq!(eval_in(DOC, "!If [Either, a, b]"), s("a"));
        assert!(
            matches!(eval_in(DOC, "!If [Region, a, b]"), V::Unknown(r) if r.contains("Region"))
        );
        assert_eq!(eval_in(DOC, "!If [Region, a, a]"), s("a"));
    }

    #[test]
    fn strings_lists_and_references() {
        assert_eq!(eval_in(DOC, "!Sub '${Env}-x-${!Lit}'"), s("prod-x-${Lit}"));
        assert_eq!(eval_in(DOC, "!Sub ['${X}.y', {X: !Ref Env}]"), s("prod.y"));
        assert_eq!(
            eval_in(DOC, "!Sub '${A}'"),
            V::Res {
                address: "N.A".into(),
                attribute: None
            }
        );
        assert!(matches!(eval_in(DOC, "!Sub 'x-${A}'"), V::Unknown(r) if r.contains("N.A")));
        assert_eq!(eval_in(DOC, "!Join ['-', [a, !Ref Env]]"), s("a-prod"));
        assert_eq!(eval_in(DOC, "!Select [1, !Split [',', 'a,b,c']]"), s("b"));
        assert_eq!(
            eval_in(DOC, "!FindInMap [M, !Ref Env, Cidr]"),
            s("10.0.0.0/16")
        );
        let V::List(items) = eval_in(DOC, "!Split [',', !Join [',', [!Ref A, !Ref B]]]") else {
            panic!("not a list")
        };
        assert_eq!(items.len(), 2);
        assert!(matches!(&items[1].v, V::Res { address, .. } if address == "N.B"));
        // Zones are stable tokens: the first two differ, a third is not promised.
        assert_eq!(
            eval_in(DOC, "!Select [0, !GetAZs '']"),
            s("{zone 1 of ${AWS::Region}}")
        );
        assert_ne!(
            eval_in(DOC, "!Select [0, !GetAZs '']"),
            eval_in(DOC, "!Select [1, !GetAZs '']")
        );
        assert!(matches!(
            eval_in(DOC, "!Select [2, !GetAZs '']"),
            V::Unknown(_)
        ));
        assert_eq!(eval_in(DOC, "!Sub '${AWS::Region}a'"), s("${AWS::Region}a"));
        assert!(
            matches!(eval_in(DOC, "!ImportValue Shared"), V::Unknown(r) if r.contains("no template"))
        );
        assert_eq!(
            eval_in(DOC, "{a: !Ref 'AWS::NoValue', b: 1}"),
            V::Map(vec![(
                "b".into(),
                Ev {
                    v: V::Num("1".into()),
                    origin: origin(
                        &"t.yaml".into(),
                        Span {
                            start: 28,
                            end: 29,
                            line: 1,
                            column: 29
                        }
                    )
                }
            )])
        );
    }
}
