//! CloudFormation (YAML and JSON): one property set, as a text edit at the model's spans.
//!
//! The loader records the span of every value and, for an absent property, of the object
//! that would hold it. A present scalar is replaced in place, keeping its quotes; an absent
//! property becomes one new line (or a nested mapping) before the object's first key, with
//! that key's indentation. Nothing else is touched, so comments, short-form tags (`!Ref`,
//! `!Sub`) and the author's layout survive. A value written as an intrinsic function
//! (`!Ref Param`, `{"Ref": …}`) is refused: the parameter's value is decided at deploy time,
//! and rewriting its default would silently change every other use of it.

use crate::text::{indent_at, line_start};
use sagescan_checks::FixValue;
use std::ops::Range;

/// One replacement in the original text.
pub(crate) type Splice = (Range<usize>, String);

/// Sets the property at `path` whose current state is at `span` of `text`: the value's own
/// span when `present`, the enclosing object's otherwise. `None` when it already has `value`.
pub(crate) fn set(
    text: &str,
    json: bool,
    path: &[&str],
    value: &FixValue,
    span: Range<usize>,
    present: bool,
) -> Result<Option<Splice>, String> {
    let written = text
        .get(span.clone())
        .ok_or("the file changed since it was scanned")?;
    if present {
        let token = scalar_token(written, json).ok_or_else(|| not_scalar(written))?;
        let new = scalar(value, json, token.chars().next());
        if token == new {
            return Ok(None);
        }
        return Ok(Some((span.start..span.start + token.len(), new)));
    }
    let (parents, key) = match path.split_last() {
        Some((key, parents)) => (parents, *key),
        None => return Err("empty property path".into()),
    };
    if json {
        insert_json(text, span, parents, key, value).map(Some)
    } else {
        insert_yaml(text, span.start, parents, key, value).map(Some)
    }
}

/// The scalar at the start of `written` (a span may run on to a trailing comment), or
/// `None` when the value is not a scalar (an intrinsic function, a list, a mapping).
fn scalar_token(written: &str, json: bool) -> Option<&str> {
    let first = written.chars().next()?;
    match first {
        '"' | '\'' => {
            // Quotes inside are escaped by doubling (YAML single) or a backslash; the
            // values sagescan replaces never contain them, so the first match closes.
            let close = written[1..].find(first)?;
            Some(&written[..close + 2])
        }
        '!' | '{' | '[' | '&' | '*' | '|' | '>' => None,
        _ if json => {
            let end = written
                .find(|c: char| c == ',' || c == '}' || c.is_whitespace())
                .unwrap_or(written.len());
            Some(&written[..end])
        }
        _ => {
            let line = first_line(written);
            let end = line.find(" #").unwrap_or(line.len());
            Some(line[..end].trim_end())
        }
    }
}

/// Why a non-scalar value is left alone; a parameter is named, since that is where the
/// value is decided (its `Default`, or what is passed at deploy time).
fn not_scalar(written: &str) -> String {
    let line = first_line(written);
    let shown = line[..line.find(" #").unwrap_or(line.len())].trim();
    // Parameter names are alphanumeric (CloudFormation's rule for logical ids).
    let parameter = shown
        .strip_prefix("!Ref ")
        .or_else(|| shown.strip_prefix("{\"Ref\":"))
        .map(|r| r.trim_start().trim_start_matches('"'))
        .map(|r| {
            &r[..r
                .find(|c: char| !c.is_ascii_alphanumeric())
                .unwrap_or(r.len())]
        })
        .filter(|p| !p.is_empty());
    match parameter {
        Some(p) => format!(
            "the value is `{shown}`: change parameter {p}'s Default, or the value passed at \
             deploy time, by hand"
        ),
        None => format!("the value is `{shown}`; change it by hand"),
    }
}

fn first_line(s: &str) -> &str {
    s.lines().next().unwrap_or("")
}

/// The value as written: JSON literal, or YAML keeping the replaced scalar's quote style.
fn scalar(value: &FixValue, json: bool, quote: Option<char>) -> String {
    let text = value.to_string();
    match value {
        FixValue::Bool(_) => text,
        _ if json => format!("\"{text}\""),
        _ => match quote {
            Some(q @ ('"' | '\'')) => format!("{q}{text}{q}"),
            _ if plain_yaml(&text) => text,
            _ => format!("\"{text}\""),
        },
    }
}

/// Whether a string can be written unquoted in YAML and still read back as that string.
fn plain_yaml(s: &str) -> bool {
    let reserved = [
        "true", "false", "yes", "no", "on", "off", "null", "y", "n", "~",
    ];
    !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        && !s.starts_with(|c: char| c.is_ascii_digit() || c == '-')
        && !reserved.contains(&s.to_ascii_lowercase().as_str())
}

/// A new `key: value` line (or nested mapping) before the object's first key at `at`.
fn insert_yaml(
    text: &str,
    at: usize,
    parents: &[&str],
    key: &str,
    value: &FixValue,
) -> Result<Splice, String> {
    if text[at..].starts_with('{') {
        return Err("the object is written in flow style; change it by hand".into());
    }
    let indent = indent_at(text, at);
    if line_start(text, at) + indent.len() != at {
        return Err("the object does not start its own line; change it by hand".into());
    }
    let mut lines = String::new();
    for (depth, parent) in parents.iter().enumerate() {
        lines.push_str(&format!("{indent}{}{parent}:\n", "  ".repeat(depth)));
    }
    let v = scalar(value, false, None);
    lines.push_str(&format!(
        "{indent}{}{key}: {v}\n",
        "  ".repeat(parents.len())
    ));
    let start = line_start(text, at);
    Ok((start..start, lines))
}

/// A new `"key": value,` member before the object's first member.
fn insert_json(
    text: &str,
    span: Range<usize>,
    parents: &[&str],
    key: &str,
    value: &FixValue,
) -> Result<Splice, String> {
    let object = &text[span.clone()];
    let inner = object
        .strip_prefix('{')
        .ok_or("the enclosing value is not an object")?;
    let first = span.start
        + 1
        + inner
            .find(|c: char| !c.is_whitespace())
            .ok_or("unterminated object")?;
    if text[first..].starts_with('}') {
        return Err("the object is empty; add the property by hand".into());
    }
    let mut member = format!("\"{key}\": {}", scalar(value, true, None));
    for parent in parents.iter().rev() {
        member = format!("\"{parent}\": {{ {member} }}");
    }
    let indent = indent_at(text, first);
    let own_line = line_start(text, first) + indent.len() == first;
    let sep = if own_line {
        format!(",\n{indent}")
    } else {
        ", ".to_string()
    };
    Ok((first..first, format!("{member}{sep}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn yaml_scalars_keep_their_quotes_and_comments() {
        assert_eq!(scalar_token("'Enabled'  # why", false), Some("'Enabled'"));
        assert_eq!(scalar_token("Enabled # why", false), Some("Enabled"));
        assert_eq!(scalar_token("!Ref Access", false), None);
        assert_eq!(
            scalar(&FixValue::String("Disabled"), false, Some('\'')),
            "'Disabled'"
        );
        assert_eq!(scalar(&FixValue::String("2"), false, None), "\"2\"");
        assert_eq!(
            scalar(&FixValue::String("Disabled"), false, None),
            "Disabled"
        );
    }

    #[test]
    fn a_parameter_reference_is_named_in_the_refusal() {
        assert_eq!(
            not_scalar("!Ref Access # per env"),
            "the value is `!Ref Access`: change parameter Access's Default, or the value passed \
             at deploy time, by hand"
        );
        assert_eq!(
            not_scalar("{\"Ref\": \"Access\"}"),
            "the value is `{\"Ref\": \"Access\"}`: change parameter Access's Default, or the \
             value passed at deploy time, by hand"
        );
        assert_eq!(
            not_scalar("!If [Prod, Disabled, Enabled]"),
            "the value is `!If [Prod, Disabled, Enabled]`; change it by hand"
        );
    }

    #[test]
    fn json_members_follow_the_first_members_layout() {
        let text = "{\n  \"A\": 1\n}";
        let (at, new) = insert_json(text, 0..text.len(), &[], "B", &FixValue::Bool(true)).unwrap();
        assert_eq!(at, 4..4);
        assert_eq!(new, "\"B\": true,\n  ");
        let compact = "{\"A\": 1}";
        let (_, new) = insert_json(
            compact,
            0..compact.len(),
            &["O"],
            "B",
            &FixValue::String("2"),
        )
        .unwrap();
        assert_eq!(new, "\"O\": { \"B\": \"2\" }, ");
    }
}
