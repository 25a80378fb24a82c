//! Expression evaluation: HCL expressions to [`Val`]s, as far as they are statically known.
//!
//! `Ok(Val::Unknown(reason))` means "not knowable without applying" (an unset variable, a
//! data source, a function we do not evaluate); `Err(message)` means Terraform itself would
//! reject the expression (a missing attribute, an index out of range). The difference only
//! matters to `try()` and `can()`; at an attribute both end up as `Val::Unknown`, so an
//! error never turns into a value a check could pass on.
//!
//! Names (`var.*`, `local.*`, resources, modules) are resolved by the [`Evaluator`] of the
//! configuration, lazily and with cycle detection.

use super::funcs;
use super::ir::Val;
use super::module::{Evaluator, InstKey, ModInst};
use hcl_edit::Decorated;
use hcl_edit::expr::{
    BinaryOperator, Expression, ForExpr, ObjectKey, TraversalOperator, UnaryOperator,
};
use hcl_edit::template::{Directive, Element, Template};
use std::rc::Rc;

/// Result of evaluating an expression; `Err` = Terraform would report an error.
pub(crate) type EvalResult = Result<Val, String>;

/// Everything an expression can see: the module instance it is written in, the
/// `count.index` / `each.*` of the enclosing resource, and iteration variables.
#[derive(Clone, Copy)]
pub(crate) struct Scope<'s, 'a> {
    pub ev: &'s Evaluator<'a>,
    pub inst: &'s Rc<ModInst<'a>>,
    pub key: &'s InstKey,
    pub binds: Option<&'s Bind<'s>>,
}

/// A name bound by a `for` expression, a template `for` or a `dynamic` block iterator.
pub(crate) struct Bind<'s> {
    pub name: &'s str,
    pub value: Val,
    pub next: Option<&'s Bind<'s>>,
}

impl<'s, 'a> Scope<'s, 'a> {
    /// This scope with `bind` added (the innermost binding wins).
    pub fn with<'t>(&self, bind: &'t Bind<'t>) -> Scope<'t, 'a>
    where
        's: 't,
    {
        Scope {
            ev: self.ev,
            inst: self.inst,
            key: self.key,
            binds: Some(bind),
        }
    }

    fn lookup(&self, name: &str) -> Option<&'s Val> {
        let mut b = self.binds;
        while let Some(bind) = b {
            if bind.name == name {
                return Some(&bind.value);
            }
            b = bind.next;
        }
        None
    }
}

/// Why `v` is not fully known, if it is not: an Unknown anywhere inside, or a reference to
/// a value that exists only after apply.
pub(crate) fn unknown_reason(v: &Val) -> Option<String> {
    match v {
        Val::Unknown(r) => Some(r.clone()),
        Val::Ref { address, attribute } => Some(format!(
            "{} is known only after apply",
            ref_text(address, attribute)
        )),
        Val::List(items) => items.iter().find_map(unknown_reason),
        Val::Map(entries) => entries.iter().find_map(|(_, v)| unknown_reason(v)),
        Val::Null | Val::Bool(_) | Val::Number(_) | Val::String(_) => None,
    }
}

/// `aws_kms_key.k.arn`, `aws_subnet.a`, `aws_x.y.list[0]`.
pub(crate) fn ref_text(address: &str, attribute: &str) -> String {
    if attribute.is_empty() {
        address.to_string()
    } else if attribute.starts_with('[') {
        format!("{address}{attribute}")
    } else {
        format!("{address}.{attribute}")
    }
}

pub(crate) fn type_name(v: &Val) -> &'static str {
    match v {
        Val::Null => "null",
        Val::Bool(_) => "bool",
        Val::Number(_) => "number",
        Val::String(_) => "string",
        Val::List(_) => "list",
        Val::Map(_) => "object",
        Val::Ref { .. } => "reference",
        Val::Unknown(_) => "unknown value",
    }
}

/// Numbers print as Terraform prints them: whole numbers without a fraction.
pub(crate) fn number_text(n: f64) -> String {
    if n.fract() == 0.0 && n.abs() < 1e15 {
        format!("{}", n as i64)
    } else {
        format!("{n}")
    }
}

/// A primitive as a string (Terraform's automatic conversion); `None` for other types.
pub(crate) fn as_text(v: &Val) -> Option<String> {
    match v {
        Val::String(s) => Some(s.clone()),
        Val::Number(n) => Some(number_text(*n)),
        Val::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

pub(crate) fn as_bool(v: &Val) -> Option<bool> {
    match v {
        Val::Bool(b) => Some(*b),
        Val::String(s) if s == "true" => Some(true),
        Val::String(s) if s == "false" => Some(false),
        _ => None,
    }
}

pub(crate) fn as_number(v: &Val) -> Option<f64> {
    match v {
        Val::Number(n) => Some(*n),
        Val::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

/// Stops evaluation with the unknown-ness of `v`, if any, as the result.
macro_rules! known {
    ($v:expr) => {
        if let Some(reason) = unknown_reason(&$v) {
            return Ok(Val::Unknown(reason));
        }
    };
}

/// Evaluates an expression.
pub(crate) fn eval(expr: &Expression, sc: &Scope) -> EvalResult {
    sc.ev.within_budget()?;
    let v = eval_expr(expr, sc)?;
    sc.ev.account(&v)?;
    Ok(v)
}

fn eval_expr(expr: &Expression, sc: &Scope) -> EvalResult {
    let _depth = sc.ev.enter()?;
    match expr {
        Expression::Null(_) => Ok(Val::Null),
        Expression::Bool(b) => Ok(Val::Bool(*b.value())),
        Expression::Number(n) => n
            .value()
            .as_f64()
            .map(Val::Number)
            .ok_or_else(|| "number out of range".to_string()),
        Expression::String(s) => Ok(Val::String(s.value().clone())),
        Expression::Array(items) => items
            .iter()
            .map(|e| eval(e, sc))
            .collect::<Result<_, _>>()
            .map(Val::List),
        Expression::Object(obj) => {
            let mut entries: Vec<(String, Val)> = Vec::with_capacity(obj.len());
            for (key, value) in obj.iter() {
                let key = match key {
                    ObjectKey::Ident(id) => id.as_str().to_string(),
                    ObjectKey::Expression(e) => {
                        let k = eval(e, sc)?;
                        known!(k);
                        as_text(&k).ok_or_else(|| {
                            format!("object key must be a string, not {}", type_name(&k))
                        })?
                    }
                };
                let value = eval(value.expr(), sc)?;
                insert(&mut entries, key, value);
            }
            Ok(Val::Map(entries))
        }
        Expression::StringTemplate(t) => template(t, sc),
        Expression::HeredocTemplate(h) => template(&h.template, sc),
        Expression::Parenthesis(p) => eval(p.inner(), sc),
        Expression::Variable(v) => variable(v, sc),
        Expression::Conditional(c) => {
            let cond = eval(&c.cond_expr, sc)?;
            known!(cond);
            match as_bool(&cond) {
                Some(true) => eval(&c.true_expr, sc),
                Some(false) => eval(&c.false_expr, sc),
                None => Err(format!(
                    "condition must be a bool, not {}",
                    type_name(&cond)
                )),
            }
        }
        Expression::FuncCall(call) => funcs::call(call, sc),
        Expression::Traversal(t) => traversal(&t.expr, &t.operators, sc),
        Expression::UnaryOp(op) => {
            let v = eval(&op.expr, sc)?;
            known!(v);
            match op.operator.value() {
                UnaryOperator::Not => as_bool(&v).map(|b| Val::Bool(!b)),
                UnaryOperator::Neg => as_number(&v).map(|n| Val::Number(-n)),
            }
            .ok_or_else(|| {
                format!(
                    "invalid operand {} for {}",
                    type_name(&v),
                    op.operator.value().as_str()
                )
            })
        }
        Expression::BinaryOp(op) => binary(op.operator.value(), &op.lhs_expr, &op.rhs_expr, sc),
        Expression::ForExpr(f) => for_expr(f, sc),
    }
}

/// Later keys replace earlier ones but keep their position, as in an HCL object.
fn insert(entries: &mut Vec<(String, Val)>, key: String, value: Val) {
    match entries.iter_mut().find(|(k, _)| *k == key) {
        Some(slot) => slot.1 = value,
        None => entries.push((key, value)),
    }
}

fn variable(name: &Decorated<hcl_edit::Ident>, sc: &Scope) -> EvalResult {
    let name = name.as_str();
    match sc.lookup(name) {
        Some(v) => Ok(v.clone()),
        None => Err(format!("{name} cannot be used without an attribute")),
    }
}

/// `root.op.op…`: special roots (`var`, `local`, resources, …) are resolved by name; any
/// other expression is evaluated and the operators applied to its value.
fn traversal(root: &Expression, ops: &[Decorated<TraversalOperator>], sc: &Scope) -> EvalResult {
    let Expression::Variable(name) = root else {
        let base = eval(root, sc)?;
        return apply_ops(base, ops, sc);
    };
    let name = name.as_str();
    if let Some(v) = sc.lookup(name) {
        return apply_ops(v.clone(), ops, sc);
    }
    let Some((attr, rest)) = split_attr(ops) else {
        return Err(format!("{name} cannot be used without an attribute"));
    };
    let value = match name {
        "var" => sc.ev.var(sc.inst, attr),
        "local" => sc.ev.local(sc.inst, attr),
        "count" if attr == "index" => match sc.key {
            InstKey::Index(i) => Ok(Val::Number(*i as f64)),
            InstKey::Unknown(reason) => Ok(Val::Unknown(reason.clone())),
            _ => Err("count.index is used outside a resource with count".to_string()),
        },
        "each" if attr == "key" || attr == "value" => match sc.key {
            InstKey::Key(k, v) => Ok(if attr == "key" {
                Val::String(k.clone())
            } else {
                v.clone()
            }),
            InstKey::Unknown(reason) => Ok(Val::Unknown(reason.clone())),
            _ => Err(format!(
                "each.{attr} is used outside a resource with for_each"
            )),
        },
        "path" if matches!(attr, "module" | "root") => {
            Ok(Val::String(sc.ev.path_of(sc.inst, attr)))
        }
        "terraform" if attr == "workspace" => Ok(Val::String("default".to_string())),
        "data" => {
            let mut text = format!("data.{attr}");
            for op in rest.iter().take(2) {
                if let TraversalOperator::GetAttr(a) = op.value() {
                    text.push('.');
                    text.push_str(a.as_str());
                }
            }
            return Ok(Val::Unknown(format!(
                "{text} is known only after reading the data source"
            )));
        }
        "module" => return module_ref(attr, rest, sc),
        "self" | "count" | "each" | "path" | "terraform" => {
            return Ok(Val::Unknown(format!("{name}.{attr} is not evaluated")));
        }
        rtype => {
            if let Some((first, after)) = rest.split_first() {
                let key = match first.value() {
                    TraversalOperator::Index(e) => Some(eval(e, sc)?),
                    TraversalOperator::LegacyIndex(n) => Some(Val::Number(*n.value() as f64)),
                    _ => None,
                };
                if let Some(one) =
                    key.and_then(|k| sc.ev.resource_instance(sc.inst, rtype, attr, &k))
                {
                    return apply_ops(one, after, sc);
                }
            }
            let object = sc.ev.resource_object(sc.inst, rtype, attr)?;
            return apply_ops(object, rest, sc);
        }
    }?;
    apply_ops(value, rest, sc)
}

/// The first operator as an attribute name, and the rest.
fn split_attr(
    ops: &[Decorated<TraversalOperator>],
) -> Option<(&str, &[Decorated<TraversalOperator>])> {
    match ops.split_first() {
        Some((first, rest)) => match first.value() {
            TraversalOperator::GetAttr(a) => Some((a.as_str(), rest)),
            _ => None,
        },
        None => None,
    }
}

/// `module.NAME[key].OUTPUT…`
fn module_ref(name: &str, ops: &[Decorated<TraversalOperator>], sc: &Scope) -> EvalResult {
    let call = sc.ev.child_call(sc.inst, name)?;
    if let Some((_, reason)) = &call.unavailable {
        return Ok(Val::Unknown(reason.clone()));
    }
    if let Some(reason) = &call.unknown_keys {
        return Ok(Val::Unknown(format!(
            "the instances of module.{name} are not statically known ({reason})"
        )));
    }
    // Pick the instance first when the traversal indexes it, so that only the outputs
    // actually used are evaluated.
    let (inst, rest) = match (call.keyed, ops.split_first()) {
        (false, _) => (call.insts.first().map(|(_, i)| i), ops),
        (true, Some((first, rest))) => {
            let key = match first.value() {
                TraversalOperator::Index(e) => eval(e, sc)?,
                TraversalOperator::LegacyIndex(n) => Val::Number(*n.value() as f64),
                _ => return apply_ops(sc.ev.module_instances_object(&call)?, ops, sc),
            };
            known!(key);
            let found = call.insts.iter().find(|(k, _)| k.matches(&key));
            match found {
                Some((_, inst)) => (Some(inst), rest),
                None => return Err(format!("module.{name} has no instance {}", ref_key(&key))),
            }
        }
        (true, None) => return sc.ev.module_instances_object(&call),
    };
    let Some(inst) = inst else {
        return Err(format!("module.{name} has no instances"));
    };
    match split_attr(rest) {
        Some((output, rest)) => {
            let v = sc.ev.output(inst, output)?;
            apply_ops(v, rest, sc)
        }
        None => apply_ops(sc.ev.outputs_object(inst)?, rest, sc),
    }
}

fn ref_key(key: &Val) -> String {
    match key {
        Val::String(s) => format!("[{s:?}]"),
        other => format!("[{}]", as_text(other).unwrap_or_default()),
    }
}

/// Applies traversal operators to a value, splats included.
pub(crate) fn apply_ops(
    mut v: Val,
    ops: &[Decorated<TraversalOperator>],
    sc: &Scope,
) -> EvalResult {
    let mut i = 0;
    while i < ops.len() {
        match ops[i].value() {
            TraversalOperator::GetAttr(a) => v = get_attr(v, a.as_str(), sc)?,
            TraversalOperator::Index(e) => {
                let key = eval(e, sc)?;
                v = index(v, key)?;
            }
            TraversalOperator::LegacyIndex(n) => v = index(v, Val::Number(*n.value() as f64))?,
            // A full splat applies every following operator to each element.
            TraversalOperator::FullSplat(_) => return splat(v, &ops[i + 1..], sc),
            // An attribute splat applies only the attribute accesses right after it.
            TraversalOperator::AttrSplat(_) => {
                let end = ops[i + 1..]
                    .iter()
                    .position(|op| !matches!(op.value(), TraversalOperator::GetAttr(_)))
                    .map_or(ops.len(), |p| i + 1 + p);
                v = splat(v, &ops[i + 1..end], sc)?;
                i = end;
                continue;
            }
        }
        i += 1;
    }
    Ok(v)
}

fn splat(v: Val, ops: &[Decorated<TraversalOperator>], sc: &Scope) -> EvalResult {
    match v {
        Val::List(items) => items
            .into_iter()
            .map(|item| apply_ops(item, ops, sc))
            .collect::<Result<_, _>>()
            .map(Val::List),
        Val::Null => Ok(Val::List(Vec::new())),
        Val::Unknown(_) => Ok(v),
        Val::Ref { address, attribute } => apply_ops(
            Val::Ref {
                address,
                attribute: format!("{attribute}[*]"),
            },
            ops,
            sc,
        ),
        // A splat on a single value treats it as a one-element list.
        other => Ok(Val::List(vec![apply_ops(other, ops, sc)?])),
    }
}

pub(crate) fn get_attr(v: Val, name: &str, sc: &Scope) -> EvalResult {
    match v {
        Val::Map(entries) => entries
            .into_iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v)
            .ok_or_else(|| format!("object has no attribute \"{name}\"")),
        // A reference to a whole resource instance: look the attribute up in its body.
        Val::Ref { address, attribute } if attribute.is_empty() => {
            sc.ev.resource_attr(&address, name)
        }
        Val::Ref { address, attribute } => Ok(Val::Ref {
            address,
            attribute: format!("{attribute}.{name}"),
        }),
        Val::Unknown(_) => Ok(v),
        other => Err(format!(
            "cannot read attribute \"{name}\" of a {}",
            type_name(&other)
        )),
    }
}

pub(crate) fn index(v: Val, key: Val) -> EvalResult {
    if matches!(v, Val::Unknown(_)) {
        return Ok(v);
    }
    known!(key);
    match v {
        Val::List(mut items) => {
            let n = as_number(&key)
                .ok_or_else(|| format!("a list index must be a number, not {}", type_name(&key)))?;
            if n.fract() != 0.0 || n < 0.0 || n >= items.len() as f64 {
                return Err(format!(
                    "index {} out of range for a list of {} elements",
                    number_text(n),
                    items.len()
                ));
            }
            Ok(items.swap_remove(n as usize))
        }
        Val::Map(entries) => {
            let k = as_text(&key)
                .ok_or_else(|| format!("a map key must be a string, not {}", type_name(&key)))?;
            entries
                .into_iter()
                .find(|(name, _)| *name == k)
                .map(|(_, v)| v)
                .ok_or_else(|| format!("no element with key {k:?}"))
        }
        Val::Ref { address, attribute } => Ok(Val::Ref {
            address,
            attribute: format!("{attribute}{}", ref_key(&key)),
        }),
        other => Err(format!("cannot index a {}", type_name(&other))),
    }
}

fn template(t: &Template, sc: &Scope) -> EvalResult {
    // `"${x}"` is x itself, not its string form: Terraform keeps lists, references, ….
    if let Some(Element::Interpolation(i)) = t.as_single_element() {
        return eval(&i.expr, sc);
    }
    let mut out = String::new();
    match render(t, sc, &mut out)? {
        Some(reason) => Ok(Val::Unknown(reason)),
        None => Ok(Val::String(out)),
    }
}

/// Renders a template into `out`; `Ok(Some(reason))` when a part is unknown.
fn render(t: &Template, sc: &Scope, out: &mut String) -> Result<Option<String>, String> {
    // `~` strip markers trim the whitespace of the neighbouring literals.
    let mut strip_next = false;
    for element in t.iter() {
        let (strip_before, strip_after) = match element {
            Element::Literal(s) => {
                out.push_str(if strip_next {
                    s.trim_start()
                } else {
                    s.as_str()
                });
                strip_next = false;
                continue;
            }
            Element::Interpolation(i) => (i.strip.strip_start(), i.strip.strip_end()),
            Element::Directive(d) => match d.as_ref() {
                Directive::If(d) => (
                    d.if_expr.strip.strip_start(),
                    d.endif_expr.strip.strip_end(),
                ),
                Directive::For(d) => (
                    d.for_expr.strip.strip_start(),
                    d.endfor_expr.strip.strip_end(),
                ),
            },
        };
        if strip_before {
            out.truncate(out.trim_end().len());
        }
        let unknown = match element {
            Element::Literal(_) => None,
            Element::Interpolation(i) => {
                let v = eval(&i.expr, sc)?;
                match unknown_reason(&v) {
                    Some(reason) => Some(reason),
                    None => {
                        let s = as_text(&v)
                            .ok_or_else(|| format!("cannot interpolate a {}", type_name(&v)))?;
                        out.push_str(&s);
                        None
                    }
                }
            }
            Element::Directive(d) => match d.as_ref() {
                Directive::If(d) => {
                    let cond = eval(&d.if_expr.cond_expr, sc)?;
                    match unknown_reason(&cond) {
                        Some(reason) => Some(reason),
                        None => match as_bool(&cond) {
                            Some(true) => render(&d.if_expr.template, sc, out)?,
                            Some(false) => match &d.else_expr {
                                Some(e) => render(&e.template, sc, out)?,
                                None => None,
                            },
                            None => {
                                return Err(format!(
                                    "condition must be a bool, not {}",
                                    type_name(&cond)
                                ));
                            }
                        },
                    }
                }
                Directive::For(d) => {
                    let f = &d.for_expr;
                    let coll = eval(&f.collection_expr, sc)?;
                    match unknown_reason(&coll)
                        .filter(|_| matches!(coll, Val::Unknown(_) | Val::Ref { .. }))
                    {
                        Some(reason) => Some(reason),
                        None => {
                            let mut unknown = None;
                            for (k, v) in entries(coll)? {
                                let key_bind;
                                let val_bind;
                                let inner = match &f.key_var {
                                    Some(kv) => {
                                        key_bind = Bind {
                                            name: kv.as_str(),
                                            value: k,
                                            next: sc.binds,
                                        };
                                        val_bind = Bind {
                                            name: f.value_var.as_str(),
                                            value: v,
                                            next: Some(&key_bind),
                                        };
                                        sc.with(&val_bind)
                                    }
                                    None => {
                                        val_bind = Bind {
                                            name: f.value_var.as_str(),
                                            value: v,
                                            next: sc.binds,
                                        };
                                        sc.with(&val_bind)
                                    }
                                };
                                if let Some(reason) = render(&f.template, &inner, out)? {
                                    unknown = Some(reason);
                                    break;
                                }
                            }
                            unknown
                        }
                    }
                }
            },
        };
        if unknown.is_some() {
            return Ok(unknown);
        }
        strip_next = strip_after;
    }
    Ok(None)
}

/// The (key, value) pairs a `for` iterates: list index or map key, and the element.
pub(crate) fn entries(coll: Val) -> Result<Vec<(Val, Val)>, String> {
    match coll {
        Val::List(items) => Ok(items
            .into_iter()
            .enumerate()
            .map(|(i, v)| (Val::Number(i as f64), v))
            .collect()),
        Val::Map(entries) => Ok(entries
            .into_iter()
            .map(|(k, v)| (Val::String(k), v))
            .collect()),
        other => Err(format!("cannot iterate over a {}", type_name(&other))),
    }
}

fn for_expr(f: &ForExpr, sc: &Scope) -> EvalResult {
    let coll = eval(&f.intro.collection_expr, sc)?;
    // Only the collection's shape must be known: its elements may be references.
    if matches!(coll, Val::Unknown(_) | Val::Ref { .. }) {
        known!(coll);
    }
    let mut list = Vec::new();
    let mut map: Vec<(String, Val)> = Vec::new();
    for (k, v) in entries(coll)? {
        let key_bind;
        let val_bind;
        let inner = match &f.intro.key_var {
            Some(kv) => {
                key_bind = Bind {
                    name: kv.as_str(),
                    value: k,
                    next: sc.binds,
                };
                val_bind = Bind {
                    name: f.intro.value_var.as_str(),
                    value: v,
                    next: Some(&key_bind),
                };
                sc.with(&val_bind)
            }
            None => {
                val_bind = Bind {
                    name: f.intro.value_var.as_str(),
                    value: v,
                    next: sc.binds,
                };
                sc.with(&val_bind)
            }
        };
        if let Some(cond) = &f.cond {
            let c = eval(&cond.expr, &inner)?;
            known!(c);
            match as_bool(&c) {
                Some(true) => {}
                Some(false) => continue,
                None => {
                    return Err(format!(
                        "for condition must be a bool, not {}",
                        type_name(&c)
                    ));
                }
            }
        }
        let value = eval(&f.value_expr, &inner)?;
        match &f.key_expr {
            None => list.push(value),
            Some(key_expr) => {
                let key = eval(key_expr, &inner)?;
                known!(key);
                let key = as_text(&key)
                    .ok_or_else(|| format!("for key must be a string, not {}", type_name(&key)))?;
                match map.iter_mut().find(|(k, _)| *k == key) {
                    Some((_, Val::List(group))) if f.grouping => group.push(value),
                    Some(_) => {
                        return Err(format!(
                            "duplicate key {key:?} in for expression (use ... to group)"
                        ));
                    }
                    None if f.grouping => map.push((key, Val::List(vec![value]))),
                    None => map.push((key, value)),
                }
            }
        }
    }
    Ok(if f.key_expr.is_some() {
        Val::Map(map)
    } else {
        Val::List(list)
    })
}

fn binary(op: &BinaryOperator, lhs: &Expression, rhs: &Expression, sc: &Scope) -> EvalResult {
    let l = eval(lhs, sc)?;
    // `&&` and `||` decide on a known left side alone, so a guard such as
    // `var.enabled && var.x > 0` is not made unknown by its right side.
    match (op, as_bool(&l)) {
        (BinaryOperator::And, Some(false)) => return Ok(Val::Bool(false)),
        (BinaryOperator::Or, Some(true)) => return Ok(Val::Bool(true)),
        _ => {}
    }
    let r = eval(rhs, sc)?;
    known!(l);
    known!(r);
    let num = |v: &Val| {
        as_number(v).ok_or_else(|| format!("invalid operand {} for {}", type_name(v), op.as_str()))
    };
    let boolean = |v: &Val| {
        as_bool(v).ok_or_else(|| format!("invalid operand {} for {}", type_name(v), op.as_str()))
    };
    Ok(match op {
        BinaryOperator::Eq => Val::Bool(l == r),
        BinaryOperator::NotEq => Val::Bool(l != r),
        BinaryOperator::Less => Val::Bool(num(&l)? < num(&r)?),
        BinaryOperator::LessEq => Val::Bool(num(&l)? <= num(&r)?),
        BinaryOperator::Greater => Val::Bool(num(&l)? > num(&r)?),
        BinaryOperator::GreaterEq => Val::Bool(num(&l)? >= num(&r)?),
        BinaryOperator::Plus => Val::Number(num(&l)? + num(&r)?),
        BinaryOperator::Minus => Val::Number(num(&l)? - num(&r)?),
        BinaryOperator::Mul => Val::Number(num(&l)? * num(&r)?),
        BinaryOperator::Div | BinaryOperator::Mod => {
            let d = num(&r)?;
            if d == 0.0 {
                return Err("division by zero".to_string());
            }
            Val::Number(if *op == BinaryOperator::Div {
                num(&l)? / d
            } else {
                num(&l)? % d
            })
        }
        BinaryOperator::And => Val::Bool(boolean(&l)? && boolean(&r)?),
        BinaryOperator::Or => Val::Bool(boolean(&l)? || boolean(&r)?),
    })
}
