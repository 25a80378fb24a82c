//! From a module instance to IR [`Instance`]s: expands `count` / `for_each`, evaluates
//! every resource body (with `dynamic` blocks expanded into plain blocks) and descends into
//! module calls. What cannot be expanded statically is kept as one stand-in instance plus a
//! coverage gap, so that a pass over it can only ever be inconclusive.

use super::eval::{Bind, Scope, entries, eval, unknown_reason};
use super::ir::{Attr, Body, Instance, Val};
use super::module::{Evaluator, Expansion, Item, META_ATTRS, ModInst, is_meta_block};
use super::parse::SourceText;
use hcl_edit::expr::Expression;
use hcl_edit::structure::{Block, Structure};
use sagescan_model::Origin;
use std::rc::Rc;

/// Appends the instances of every resource of `inst` and of its module calls to `out`.
pub(crate) fn collect<'a>(ev: &Evaluator<'a>, inst: &Rc<ModInst<'a>>, out: &mut Vec<Instance>) {
    for (i, decl) in inst.def.resources.iter().enumerate() {
        let base = format!("{}{}.{}", inst.prefix, decl.rtype, decl.name);
        let origin = decl.src.header_origin(decl.block);
        let expansion = ev.expansion(inst, i);
        if let Expansion::Unknown { arg, reason } = &*expansion {
            ev.gap(
                "unsupported",
                format!(
                    "{arg} of {base} is not statically known ({reason}); instances may be missing"
                ),
                origin.clone(),
            );
        }
        for (n, key) in expansion.keys(&base).into_iter().enumerate() {
            let sc = Scope {
                ev,
                inst,
                key: &key,
                binds: None,
            };
            let address = format!("{base}{}", key.suffix());
            let at = Place {
                address: &address,
                first: inst.first && n == 0,
            };
            let body = eval_items(
                decl.body.items.iter().copied(),
                &sc,
                origin.clone(),
                &at,
                true,
            );
            out.push(Instance {
                address,
                rtype: decl.rtype.to_string(),
                config: ev.config,
                origin: origin.clone(),
                body,
            });
        }
    }
    for (i, call) in inst.def.calls.iter().enumerate() {
        let origin = call.src.header_origin(call.block);
        let children = match ev.child_call_at(inst, i) {
            Ok(c) => c,
            Err(e) => {
                ev.gap("unsupported", e, origin);
                continue;
            }
        };
        if let Some((kind, reason)) = &children.unavailable {
            ev.gap(kind, reason.clone(), origin.clone());
        }
        if let Some(reason) = &children.unknown_keys {
            let address = format!("{}module.{}", inst.prefix, call.name);
            ev.gap(
                "unsupported",
                format!("count or for_each of {address} is not statically known ({reason}); instances may be missing"),
                origin,
            );
        }
        for (_, child) in &children.insts {
            collect(ev, child, out);
        }
    }
}

/// The resource instance a body belongs to: its address, and whether it is the first
/// instance of its resource and module (see [`Evaluator::frame`]).
struct Place<'p> {
    address: &'p str,
    first: bool,
}

/// Evaluates the items of a block body, each argument as an expression with a budget of
/// its own. `top` is true for a resource's own body, whose meta-arguments (`count`,
/// `depends_on`, `lifecycle`, …) are not resource attributes. Items carry their file: a
/// resource's body may be merged from override files.
fn eval_items<'a>(
    items: impl Iterator<Item = Item<'a>>,
    sc: &Scope,
    origin: Origin,
    at: &Place,
    top: bool,
) -> Body {
    let mut out = Body {
        attrs: Vec::new(),
        blocks: Vec::new(),
        origin,
    };
    for Item { structure, src } in items {
        if top && is_meta_block(structure) {
            continue;
        }
        match structure {
            Structure::Attribute(a) => {
                let name = a.key.as_str();
                if top && META_ATTRS.contains(&name) {
                    continue;
                }
                let value = sc
                    .ev
                    .frame(
                        &a.value,
                        at.first,
                        || (format!("{}.{name}", at.address), src.origin_of(a)),
                        || eval(&a.value, sc),
                    )
                    .unwrap_or_else(Val::Unknown);
                // HCL forbids duplicate attributes; hcl-edit keeps them, so the first wins
                // here to keep names unique as the IR promises.
                if out.attrs.iter().all(|(n, _)| n != name) {
                    out.attrs.push((
                        name.to_string(),
                        Attr {
                            value,
                            origin: src.origin_of(a),
                        },
                    ));
                }
            }
            Structure::Block(b) if b.ident.as_str() == "dynamic" => {
                dynamic(b, sc, src, at, &mut out.blocks)
            }
            Structure::Block(b) => {
                let inner = eval_body(&b.body, sc, src.header_origin(b), src, at);
                out.blocks.push((b.ident.as_str().to_string(), inner));
            }
        }
    }
    out
}

/// Evaluates a nested block's body, all of it written in `src`.
fn eval_body<'a>(
    body: &'a hcl_edit::structure::Body,
    sc: &Scope,
    origin: Origin,
    src: &'a SourceText,
    at: &Place,
) -> Body {
    let items = body.iter().map(|structure| Item { structure, src });
    eval_items(items, sc, origin, at, false)
}

/// Expands `dynamic "NAME" { for_each = …; iterator = it; content { … } }` into plain
/// `NAME` blocks, each evaluated with the iterator bound to `{ key, value }`.
fn dynamic(b: &Block, sc: &Scope, src: &SourceText, at: &Place, blocks: &mut Vec<(String, Body)>) {
    let address = at.address;
    let origin = src.header_origin(b);
    let Some(label) = b.labels.first().map(|l| l.as_str()) else {
        sc.ev.gap(
            "parse-error",
            format!("a dynamic block of {address} has no label"),
            origin,
        );
        return;
    };
    let iterator = match b.body.get_attribute("iterator").map(|a| &a.value) {
        Some(Expression::Variable(v)) => v.as_str(),
        _ => label,
    };
    let (Some(for_each), Some(content)) = (
        b.body.get_attribute("for_each"),
        b.body.get_blocks("content").next(),
    ) else {
        sc.ev.gap(
            "parse-error",
            format!("dynamic \"{label}\" of {address} needs for_each and content"),
            origin,
        );
        return;
    };
    let items = sc.ev.frame(
        &for_each.value,
        at.first,
        || {
            (
                format!("the for_each of dynamic \"{label}\" in {address}"),
                src.origin_of(for_each),
            )
        },
        || eval(&for_each.value, sc),
    );
    let items = match items {
        Ok(v) => match unknown_reason(&v) {
            // Only the collection's shape must be known; unknown elements are fine.
            Some(reason) if matches!(v, Val::Unknown(_) | Val::Ref { .. }) => Err(reason),
            _ => entries(v),
        },
        Err(e) => Err(e),
    };
    let items = match items {
        Ok(items) => items,
        Err(reason) => {
            sc.ev.gap(
                "unsupported",
                format!("dynamic \"{label}\" blocks of {address} are not statically known ({reason}); blocks may be missing"),
                origin,
            );
            return;
        }
    };
    for (key, value) in items {
        let bind = Bind {
            name: iterator,
            value: Val::Map(vec![("key".into(), key), ("value".into(), value)]),
            next: sc.binds,
        };
        let inner = sc.with(&bind);
        blocks.push((
            label.to_string(),
            eval_body(&content.body, &inner, origin.clone(), src, at),
        ));
    }
}
