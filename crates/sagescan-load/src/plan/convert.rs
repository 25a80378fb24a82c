//! One planned resource instance → the Terraform loader's evaluated form ([`Instance`]).
//!
//! Known JSON values become the [`Val`] the HCL evaluator would have produced; arrays under
//! the nested block names of [`schema`] become [`Body`] blocks. A value marked in
//! `after_unknown` is resolved through the configuration:
//! - the configuration does not state the attribute: the provider computes it, and the
//!   attribute is left out, exactly as absent from HCL, so the mapper applies the same
//!   documented default (the plan cannot tell more before apply);
//! - it is stated and its references name planned instances: [`Val::Ref`]s, as the HCL
//!   evaluator gives for `aws_subnet.a.id`;
//! - otherwise `Val::Unknown("… is known only after apply")`.
//!
//! Nested blocks of set type (a security group's `ingress`) are printed in hash order, so a
//! planned block is paired with the configuration block whose constant arguments all equal
//! its values; a block that matches none or several keeps its unknown values Unknown.

use super::config::{Resolver, Site, strings};
use super::schema;
use crate::terraform::ir::{Attr, Body, Instance, Val};
use sagescan_model::{ConfigId, Origin};
use serde_json::{Map, Value as Json};
use std::collections::BTreeSet;

/// A planned resource instance, located in the plan.
pub(super) struct Planned<'p> {
    pub address: String,
    pub rtype: String,
    /// `type.name`, the configuration's module-relative address.
    pub resource: String,
    pub module: Vec<(String, String)>,
    /// The instance key (`[0]`, `["a"]`) or empty.
    pub key: String,
    pub values: &'p Map<String, Json>,
    pub unknown: Option<&'p Json>,
}

/// What the configuration says about a body's attributes.
#[derive(Clone, Copy)]
enum Stated<'p> {
    /// These expressions (an attribute absent from them is not in the source).
    In(&'p Map<String, Json>),
    /// The source states nothing in this body.
    Nothing,
    /// Not knowable: no configuration section, or a block not matched to its source.
    Unread,
}

struct Ctx<'a, 'p> {
    planned: &'a Planned<'p>,
    resolver: &'a Resolver<'p>,
    site: Site<'a>,
    origin: &'a Origin,
}

pub(super) fn instance(
    planned: &Planned,
    resolver: &Resolver,
    config: ConfigId,
    origin: Origin,
) -> Instance {
    let peers = resolver.keys_of(&format!(
        "{}{}",
        super::config::prefix(&planned.module),
        planned.resource
    ));
    let ctx = Ctx {
        planned,
        resolver,
        site: Site {
            module: &planned.module,
            key: &planned.key,
            peers,
        },
        origin: &origin,
    };
    let stated = if !resolver.has_config() {
        Stated::Unread
    } else {
        match resolver
            .expressions(&planned.module, &planned.resource)
            .and_then(Json::as_object)
        {
            Some(exprs) => Stated::In(exprs),
            // A resource without `expressions` states no argument.
            None => Stated::Nothing,
        }
    };
    let body = body(&ctx, planned.values, planned.unknown, stated, "");
    Instance {
        address: planned.address.clone(),
        rtype: planned.rtype.clone(),
        config,
        origin: origin.clone(),
        body,
    }
}

fn body(
    ctx: &Ctx,
    values: &Map<String, Json>,
    unknown: Option<&Json>,
    stated: Stated,
    path: &str,
) -> Body {
    let unknown_keys = unknown
        .and_then(Json::as_object)
        .into_iter()
        .flatten()
        .filter(|(_, u)| **u == Json::Bool(true))
        .map(|(k, _)| k);
    let keys: BTreeSet<&String> = values.keys().chain(unknown_keys).collect();
    let mut out = Body {
        origin: ctx.origin.clone(),
        ..Body::default()
    };
    for key in keys {
        let name = if path.is_empty() {
            key.clone()
        } else {
            format!("{path}.{key}")
        };
        let unk = unknown.and_then(|u| u.get(key));
        let expr = match stated {
            Stated::In(exprs) => Some(exprs.get(key)),
            Stated::Nothing => Some(None),
            Stated::Unread => None,
        };
        let block = schema::is_block(&ctx.planned.rtype, key);
        let value = if unk == Some(&Json::Bool(true)) {
            match expr {
                // Not in the source: computed by the provider, absent to the mapper.
                Some(None) => continue,
                Some(Some(e)) if !block => resolve(ctx, e, key, &name),
                _ => after_apply(ctx, &name),
            }
        } else {
            let v = values.get(key).unwrap_or(&Json::Null);
            match v {
                Json::Array(items) if block && items.iter().all(Json::is_object) => {
                    for (i, item) in items.iter().filter_map(Json::as_object).enumerate() {
                        let item_unknown = unk.and_then(|u| u.get(i));
                        let stated = match_block(expr, item);
                        let b = body(ctx, item, item_unknown, stated, &name);
                        out.blocks.push((key.clone(), b));
                    }
                    continue;
                }
                Json::Object(item) if block => {
                    let b = body(ctx, item, unk, match_block(expr, item), &name);
                    out.blocks.push((key.clone(), b));
                    continue;
                }
                _ => value(ctx, v, unk, expr.flatten(), &name),
            }
        };
        out.attrs.push((
            key.clone(),
            Attr {
                value,
                origin: ctx.origin.clone(),
            },
        ));
    }
    out
}

/// A known JSON value; `unknown` is its `after_unknown` counterpart.
fn value(ctx: &Ctx, v: &Json, unknown: Option<&Json>, expr: Option<&Json>, name: &str) -> Val {
    if unknown == Some(&Json::Bool(true)) {
        return after_apply(ctx, name);
    }
    match v {
        Json::Null => Val::Null,
        Json::Bool(b) => Val::Bool(*b),
        Json::Number(n) => n
            .as_f64()
            .map_or_else(|| after_apply(ctx, name), Val::Number),
        Json::String(s) => Val::String(s.clone()),
        Json::Array(items) => {
            let flags: Vec<bool> = (0..items.len())
                .map(|i| unknown.and_then(|u| u.get(i)) == Some(&Json::Bool(true)))
                .collect();
            // Unknown elements (printed as `null`) take the expression's references in
            // order, when there are exactly as many.
            let wanted = flags.iter().filter(|f| **f).count();
            let mut refs = list_targets(ctx, expr)
                .filter(|t| wanted > 0 && t.len() == wanted)
                .unwrap_or_default()
                .into_iter();
            let items = items.iter().enumerate().map(|(i, item)| {
                if flags[i] {
                    refs.next().unwrap_or_else(|| after_apply(ctx, name))
                } else {
                    value(ctx, item, unknown.and_then(|u| u.get(i)), None, name)
                }
            });
            Val::List(items.collect())
        }
        Json::Object(entries) => {
            let unknown_keys = unknown
                .and_then(Json::as_object)
                .into_iter()
                .flatten()
                .filter(|(k, u)| **u == Json::Bool(true) && !entries.contains_key(*k))
                .map(|(k, _)| (k.clone(), after_apply(ctx, &format!("{name}.{k}"))));
            let entries = entries
                .iter()
                .map(|(k, v)| {
                    let u = unknown.and_then(|u| u.get(k));
                    (k.clone(), value(ctx, v, u, None, &format!("{name}.{k}")))
                })
                .chain(unknown_keys);
            Val::Map(entries.collect())
        }
    }
}

/// A wholly unknown, stated attribute: the references of its expression.
fn resolve(ctx: &Ctx, expr: &Json, key: &str, name: &str) -> Val {
    let Some(targets) = list_targets(ctx, Some(expr)) else {
        return after_apply(ctx, name);
    };
    if schema::is_id_list(key) {
        return Val::List(targets);
    }
    match <[Val; 1]>::try_from(targets) {
        Ok([single]) => single,
        // Several resources feed one scalar (a conditional, a function of two ids).
        Err(_) => after_apply(ctx, name),
    }
}

/// The expression's references as [`Val::Ref`]s; `None` when they cannot be followed.
fn list_targets(ctx: &Ctx, expr: Option<&Json>) -> Option<Vec<Val>> {
    let refs = strings(expr?.get("references"))?;
    let targets = ctx.resolver.targets(&refs, &ctx.site)?;
    if targets.is_empty() {
        return None;
    }
    Some(
        targets
            .into_iter()
            .map(|(address, attribute)| Val::Ref { address, attribute })
            .collect(),
    )
}

fn after_apply(ctx: &Ctx, name: &str) -> Val {
    Val::Unknown(format!(
        "{}.{name} is known only after apply",
        ctx.planned.address
    ))
}

/// The configuration block a planned block came from. `expr` is `None` when nothing can be
/// known, `Some(None)` when the source states no such block (the provider computed it).
fn match_block<'p>(expr: Option<Option<&'p Json>>, item: &Map<String, Json>) -> Stated<'p> {
    let candidates: Vec<&Map<String, Json>> = match expr {
        None => return Stated::Unread,
        Some(None) => return Stated::Nothing,
        Some(Some(Json::Array(blocks))) => blocks.iter().filter_map(Json::as_object).collect(),
        Some(Some(Json::Object(single))) => vec![single],
        Some(Some(_)) => return Stated::Unread,
    };
    let mut matching = candidates.into_iter().filter(|b| {
        b.iter().all(|(k, e)| match e.get("constant_value") {
            Some(c) => item.get(k).is_some_and(|v| same(c, v)),
            None => true,
        })
    });
    match (matching.next(), matching.next()) {
        (Some(one), None) => Stated::In(one),
        _ => Stated::Unread,
    }
}

/// Equality as Terraform's type conversion sees it (`"443"` in the source, `443` planned).
fn same(a: &Json, b: &Json) -> bool {
    match (a, b) {
        (Json::String(s), Json::Number(n)) | (Json::Number(n), Json::String(s)) => {
            s.parse::<f64>().ok() == n.as_f64()
        }
        (Json::String(s), Json::Bool(v)) | (Json::Bool(v), Json::String(s)) => *s == v.to_string(),
        _ => a == b,
    }
}
