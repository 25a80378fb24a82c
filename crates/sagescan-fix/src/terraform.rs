//! Terraform: one property set on one `resource` block, as a minimal text edit.
//!
//! The file is parsed with hcl-edit, which keeps every byte's position; the edit then
//! replaces exactly one expression, or inserts one line (or one nested block) into the
//! block's body. Nothing else is re-rendered, so comments, ordering and blank lines survive.
//! The one exception is `terraform fmt`'s alignment: an attribute inserted into a run of
//! single-line attributes gets the run's `=` column, and when its name is the longest the
//! run's other `=` signs move with it, as `terraform fmt` would move them.
//!
//! A value written as `var.NAME` is not replaced by a literal (that would silently change
//! the module's interface): the caller is told to edit the variable's default instead.

use crate::text::{indent_at, line_of, line_start};
use hcl_edit::expr::{Expression, TraversalOperator};
use hcl_edit::structure::{Attribute, Block, Body, Structure};
use hcl_edit::{Ident, Span};

/// What setting the property requires.
#[derive(Debug, PartialEq)]
pub(crate) enum Planned {
    /// The file's new text.
    Text(String),
    /// Already the wanted value: nothing to do.
    Unchanged,
    /// The value is `var.NAME`: the variable's default is what must change.
    Variable(String),
}

/// Sets `path` (Terraform names; all but the last are nested blocks) to `value` (HCL text)
/// in `resource "rtype" "name"` of `text`.
pub(crate) fn set(
    text: &str,
    rtype: &str,
    name: &str,
    path: &[&str],
    value: &str,
) -> Result<Planned, String> {
    let body = parse(text)?;
    let block = body
        .blocks()
        .find(|b| is_block(b, "resource", &[rtype, name]))
        .ok_or_else(|| format!("resource \"{rtype}\" \"{name}\" is not in the file"))?;
    set_in_block(text, block, path, value)
}

/// Sets the `default` of `variable "name"` in `text`, when it is a literal.
pub(crate) fn set_variable_default(
    text: &str,
    name: &str,
    value: &str,
) -> Result<Option<Planned>, String> {
    let body = parse(text)?;
    let Some(block) = body.blocks().find(|b| is_block(b, "variable", &[name])) else {
        return Ok(None);
    };
    let Some(attr) = attribute(&block.body, "default") else {
        return Err(format!(
            "var.{name} has no default: it is set where the configuration is applied"
        ));
    };
    replace_literal(text, attr, value).map(Some)
}

fn parse(text: &str) -> Result<Body, String> {
    hcl_edit::parser::parse_body(text).map_err(|e| format!("cannot parse: {e}"))
}

fn is_block(block: &Block, ident: &str, labels: &[&str]) -> bool {
    block.ident.as_str() == ident
        && block.labels.len() == labels.len()
        && block
            .labels
            .iter()
            .zip(labels)
            .all(|(l, want)| l.as_str() == *want)
}

fn attribute<'b>(body: &'b Body, key: &str) -> Option<&'b Attribute> {
    body.attributes().find(|a| a.key.as_str() == key)
}

fn set_in_block(text: &str, block: &Block, path: &[&str], value: &str) -> Result<Planned, String> {
    let (key, parents) = path.split_last().ok_or("empty attribute path")?;
    let span = block.span().ok_or("block without a position")?;
    if line_of(text, span.start) == line_of(text, span.end) {
        return Err("the block is written on one line; change it by hand".into());
    }
    let Some((first, rest)) = parents.split_first() else {
        return match attribute(&block.body, key) {
            Some(attr) => replace_literal(text, attr, value),
            None => insert_attribute(text, block, key, value).map(Planned::Text),
        };
    };
    // A `dynamic` block generates the nested block: adding a static one would duplicate it.
    if block
        .body
        .blocks()
        .any(|b| b.ident.as_str() == "dynamic" && b.labels.iter().any(|l| l.as_str() == *first))
    {
        return Err(format!(
            "`{first}` comes from a dynamic block; change it by hand"
        ));
    }
    let mut nested = block.body.blocks().filter(|b| b.ident.as_str() == *first);
    match (nested.next(), nested.next()) {
        (Some(inner), None) => {
            let mut inner_path = rest.to_vec();
            inner_path.push(key);
            set_in_block(text, inner, &inner_path, value)
        }
        (Some(_), Some(_)) => Err(format!("several `{first}` blocks: which one is meant")),
        (None, _) => insert_block(text, block, parents, key, value).map(Planned::Text),
    }
}

/// Replaces the attribute's expression when it is a literal; `var.NAME` is redirected.
fn replace_literal(text: &str, attr: &Attribute, value: &str) -> Result<Planned, String> {
    let expr = &attr.value;
    match expr {
        Expression::Bool(_)
        | Expression::Number(_)
        | Expression::String(_)
        | Expression::Null(_) => {
            let span = expr.span().ok_or("expression without a position")?;
            if text[span.clone()].trim() == value {
                return Ok(Planned::Unchanged);
            }
            let mut out = String::with_capacity(text.len() + value.len());
            out.push_str(&text[..span.start]);
            out.push_str(value);
            out.push_str(&text[span.end..]);
            Ok(Planned::Text(out))
        }
        Expression::Traversal(t) => match (&t.expr, t.operators.as_slice()) {
            (Expression::Variable(root), [op]) if root.as_str() == "var" => match op.value() {
                TraversalOperator::GetAttr(name) => Ok(Planned::Variable(name.to_string())),
                _ => Err(not_literal(text, expr)),
            },
            _ => Err(not_literal(text, expr)),
        },
        _ => Err(not_literal(text, expr)),
    }
}

fn not_literal(text: &str, expr: &Expression) -> String {
    let written = expr.span().and_then(|s| text.get(s)).unwrap_or("?").trim();
    format!("the value is the expression `{written}`; change it by hand")
}

/// The body's structures in order, with their spans (parsed input always has them).
fn spans(body: &Body) -> Vec<(&Structure, std::ops::Range<usize>)> {
    body.iter()
        .filter_map(|s| s.span().map(|span| (s, span)))
        .collect()
}

/// Inserts `key = value` after the body's leading attributes, aligned like its neighbours.
fn insert_attribute(text: &str, block: &Block, key: &str, value: &str) -> Result<String, String> {
    let items = spans(&block.body);
    let leading: Vec<(&Attribute, std::ops::Range<usize>)> = items
        .iter()
        .map_while(|(s, span)| s.as_attribute().map(|a| (a, span.clone())))
        .collect();
    let indent = match items.first() {
        Some((_, span)) => indent_at(text, span.start).to_string(),
        None => format!("{}  ", indent_at(text, block_start(block)?)),
    };
    // After the last single-line leading attribute: a new line after a multi-line value
    // (`tags = { … }`) would sit apart from the attributes it belongs with.
    let single =
        |span: &std::ops::Range<usize>| line_of(text, span.start) == line_of(text, span.end);
    let anchor = leading
        .iter()
        .rposition(|(_, span)| single(span))
        .or(leading.len().checked_sub(1));
    let Some(anchor) = anchor else {
        // No attribute precedes the first nested block (or the body is empty): the new line
        // opens the body, separated from a following block by a blank line.
        let at = match items.first() {
            Some((_, span)) => line_start(text, span.start),
            None => closing_line(text, block)?,
        };
        let gap = if items.is_empty() { "" } else { "\n" };
        return Ok(splice(
            text,
            at..at,
            &format!("{indent}{key} = {value}\n{gap}"),
        ));
    };
    // The alignment run `terraform fmt` would see: consecutive single-line attributes
    // ending with the last leading one.
    let last = &leading[anchor].1;
    let mut run: Vec<(&Attribute, std::ops::Range<usize>)> = Vec::new();
    for (attr, span) in leading[..=anchor].iter().rev() {
        let adjacent = match run.last() {
            None => single(span),
            Some((_, next)) => {
                single(span) && line_of(text, span.end) + 1 == line_of(text, next.start)
            }
        };
        if !adjacent {
            break;
        }
        run.push((attr, span.clone()));
    }
    run.reverse();
    let width = run
        .iter()
        .map(|(a, _)| a.key.as_str().chars().count())
        .chain([key.chars().count()])
        .max()
        .unwrap_or(0);
    // Edits from the end backwards, so earlier offsets stay valid.
    let at = line_end_after(text, last.end);
    let mut out = splice(text, at..at, &format!("{indent}{key:width$} = {value}\n"));
    for (attr, span) in run.iter().rev() {
        let key_end = attr.key.span().map_or(span.start, |s| s.end);
        let eq = key_end
            + text[key_end..span.end]
                .find('=')
                .ok_or("attribute without `=`")?;
        let pad = width - attr.key.as_str().chars().count() + 1;
        out = splice(&out, key_end..eq, &" ".repeat(pad));
    }
    Ok(out)
}

/// Inserts the nested blocks `parents` holding `key = value`, at the end of the body.
fn insert_block(
    text: &str,
    block: &Block,
    parents: &[&str],
    key: &str,
    value: &str,
) -> Result<String, String> {
    let at = closing_line(text, block)?;
    let base = format!("{}  ", indent_at(text, block_start(block)?));
    let mut lines = Vec::new();
    for (depth, ident) in parents.iter().enumerate() {
        lines.push(format!(
            "{base}{}{} {{",
            "  ".repeat(depth),
            Ident::new(*ident)
        ));
    }
    lines.push(format!(
        "{base}{}{key} = {value}",
        "  ".repeat(parents.len())
    ));
    for depth in (0..parents.len()).rev() {
        lines.push(format!("{base}{}}}", "  ".repeat(depth)));
    }
    let gap = if block.body.is_empty() { "" } else { "\n" };
    Ok(splice(
        text,
        at..at,
        &format!("{gap}{}\n", lines.join("\n")),
    ))
}

fn block_start(block: &Block) -> Result<usize, String> {
    block
        .span()
        .map(|s| s.start)
        .ok_or_else(|| "block without a position".to_string())
}

/// The start of the line holding the block's closing brace, which must be on its own line.
fn closing_line(text: &str, block: &Block) -> Result<usize, String> {
    let end = block.span().ok_or("block without a position")?.end;
    let brace = text[..end]
        .rfind('}')
        .ok_or("block without a closing brace")?;
    let start = line_start(text, brace);
    if !text[start..brace].trim().is_empty() {
        return Err("the closing brace follows other text; change it by hand".into());
    }
    Ok(start)
}

/// The offset just past the newline that ends the line holding `pos`.
fn line_end_after(text: &str, pos: usize) -> usize {
    text[pos..].find('\n').map_or(text.len(), |i| pos + i + 1)
}

fn splice(text: &str, range: std::ops::Range<usize>, with: &str) -> String {
    let mut out = String::with_capacity(text.len() + with.len());
    out.push_str(&text[..range.start]);
    out.push_str(with);
    out.push_str(&text[range.end..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set_one(text: &str, path: &[&str], value: &str) -> Result<Planned, String> {
        set(text, "aws_x", "y", path, value)
    }

    #[test]
    fn a_one_line_block_is_refused() {
        let err = set_one("resource \"aws_x\" \"y\" { a = 1 }\n", &["b"], "true").unwrap_err();
        assert!(err.contains("one line"), "{err}");
    }

    #[test]
    fn a_dynamic_block_is_not_duplicated() {
        let text = "resource \"aws_x\" \"y\" {\n  dynamic \"c\" {\n    for_each = [1]\n    content {\n      k = 1\n    }\n  }\n}\n";
        let err = set_one(text, &["c", "k"], "2").unwrap_err();
        assert!(err.contains("dynamic block"), "{err}");
    }

    #[test]
    fn expressions_are_refused_and_variables_redirected() {
        let text = "resource \"aws_x\" \"y\" {\n  a = local.a\n  b = var.b\n  c = true\n}\n";
        let err = set_one(text, &["a"], "true").unwrap_err();
        assert_eq!(
            err,
            "the value is the expression `local.a`; change it by hand"
        );
        assert_eq!(
            set_one(text, &["b"], "true"),
            Ok(Planned::Variable("b".into()))
        );
        assert_eq!(set_one(text, &["c"], "true"), Ok(Planned::Unchanged));
    }

    #[test]
    fn an_empty_body_gets_the_attribute_inside() {
        let text = "resource \"aws_x\" \"y\" {\n}\n";
        assert_eq!(
            set_one(text, &["a"], "true"),
            Ok(Planned::Text(
                "resource \"aws_x\" \"y\" {\n  a = true\n}\n".into()
            ))
        );
    }

    #[test]
    fn a_body_opening_with_a_block_gets_the_attribute_first() {
        let text = "resource \"aws_x\" \"y\" {\n  c {\n    k = 1\n  }\n}\n";
        assert_eq!(
            set_one(text, &["a"], "true"),
            Ok(Planned::Text(
                "resource \"aws_x\" \"y\" {\n  a = true\n\n  c {\n    k = 1\n  }\n}\n".into()
            ))
        );
    }
}
