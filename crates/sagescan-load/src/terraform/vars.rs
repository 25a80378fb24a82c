//! Values of a root module's input variables from outside the configuration:
//! `terraform.tfvars`, `terraform.tfvars.json`, `*.auto.tfvars(.json)`, `--var-file` and
//! `--var`, merged in Terraform's precedence order, and the conversion of a value to the
//! variable's declared primitive type.

use super::eval::{as_bool, as_number, as_text};
use super::ir::Val;
use super::module::eval_constant;
use super::parse::{FileGap, SourceText, file_origin, parse_text};
use hcl_edit::expr::Expression;
use std::collections::HashMap;
use std::sync::Arc;

/// A value given for a variable from outside the configuration.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum VarInput {
    Value(Val),
    /// A `--var NAME=VALUE` string, interpreted once the variable's type is known (a
    /// primitive takes it verbatim, a collection parses it as HCL), as Terraform does.
    Raw(String),
}

/// The variable values of one tfvars file, in file order, or the reason it has none.
#[derive(Debug)]
pub(crate) struct VarFile {
    pub source: SourceText,
    pub values: Vec<(String, Val)>,
    pub gap: Option<FileGap>,
}

/// Parses tfvars text: JSON when the name ends in `.json`, HCL otherwise. Values must be
/// constants; a value that refers to anything is Unknown, as Terraform rejects it.
pub(crate) fn parse_var_file(display: Arc<str>, text: String) -> VarFile {
    if display.ends_with(".json") {
        let source = SourceText::new(display, text);
        return match serde_json::from_str::<serde_json::Value>(&source.text) {
            Ok(serde_json::Value::Object(map)) => {
                let values = map.into_iter().map(|(k, v)| (k, from_json(v))).collect();
                VarFile {
                    source,
                    values,
                    gap: None,
                }
            }
            Ok(_) => {
                let gap = FileGap {
                    kind: "parse-error",
                    message: "a variables file must hold a JSON object".to_string(),
                    origin: file_origin(&source.path),
                };
                VarFile {
                    source,
                    values: Vec::new(),
                    gap: Some(gap),
                }
            }
            Err(e) => {
                let origin = json_error_origin(&source, e.line(), e.column());
                let gap = FileGap {
                    kind: "parse-error",
                    message: e.to_string(),
                    origin,
                };
                VarFile {
                    source,
                    values: Vec::new(),
                    gap: Some(gap),
                }
            }
        };
    }
    let parsed = parse_text(display, text);
    let values = parsed
        .body
        .iter()
        .flat_map(|b| b.attributes())
        .map(|a| {
            (
                a.key.as_str().to_string(),
                eval_constant(&a.value).unwrap_or_else(Val::Unknown),
            )
        })
        .collect();
    VarFile {
        source: parsed.source,
        values,
        gap: parsed.gap,
    }
}

fn json_error_origin(source: &SourceText, line: usize, column: usize) -> sagescan_model::Origin {
    let offset = source
        .text
        .split_inclusive('\n')
        .take(line.saturating_sub(1))
        .map(str::len)
        .sum::<usize>()
        + column.saturating_sub(1);
    let offset = (0..=offset.min(source.text.len()))
        .rev()
        .find(|&i| source.text.is_char_boundary(i))
        .unwrap_or(0);
    source.origin(offset..offset)
}

fn from_json(v: serde_json::Value) -> Val {
    match v {
        serde_json::Value::Null => Val::Null,
        serde_json::Value::Bool(b) => Val::Bool(b),
        serde_json::Value::Number(n) => n.as_f64().map_or(
            Val::Unknown(format!("number {n} out of range")),
            Val::Number,
        ),
        serde_json::Value::String(s) => Val::String(s),
        serde_json::Value::Array(items) => Val::List(items.into_iter().map(from_json).collect()),
        serde_json::Value::Object(map) => {
            Val::Map(map.into_iter().map(|(k, v)| (k, from_json(v))).collect())
        }
    }
}

/// Merges variable files and `--var`s; later sources win.
pub(crate) fn merge<'f>(
    files: impl IntoIterator<Item = &'f VarFile>,
    vars: &[(String, String)],
) -> HashMap<String, VarInput> {
    let mut out = HashMap::new();
    for file in files {
        for (name, value) in &file.values {
            out.insert(name.clone(), VarInput::Value(value.clone()));
        }
    }
    for (name, value) in vars {
        out.insert(name.clone(), VarInput::Raw(value.clone()));
    }
    out
}

/// The declared type, as far as conversion cares.
enum Type {
    String,
    Number,
    Bool,
    /// `list(…)`, `map(…)`, `object(…)`, `any`, …: values are taken as they are.
    Other,
}

fn declared(ty: Option<&Expression>) -> Option<Type> {
    match ty? {
        Expression::Variable(v) => Some(match v.as_str() {
            "string" => Type::String,
            "number" => Type::Number,
            "bool" => Type::Bool,
            _ => Type::Other,
        }),
        _ => Some(Type::Other),
    }
}

/// Converts an input to variable `name`'s declared type, as Terraform does on assignment.
/// A value that cannot convert is Unknown (Terraform would stop with an error).
pub(crate) fn convert(name: &str, input: VarInput, ty: Option<&Expression>) -> Val {
    let ty = declared(ty);
    let value = match input {
        VarInput::Value(v) => v,
        VarInput::Raw(raw) => match ty {
            Some(Type::Other) => match hcl_edit::parser::parse_expr(&raw) {
                Ok(expr) => eval_constant(&expr)
                    .unwrap_or_else(|e| Val::Unknown(format!("--var {name}: {e}"))),
                Err(e) => return Val::Unknown(format!("--var {name}: {}", e.message())),
            },
            _ => Val::String(raw),
        },
    };
    if matches!(value, Val::Unknown(_) | Val::Ref { .. } | Val::Null) {
        return value;
    }
    let converted = match ty {
        Some(Type::String) => as_text(&value).map(Val::String),
        Some(Type::Number) => as_number(&value).map(Val::Number),
        Some(Type::Bool) => as_bool(&value).map(Val::Bool),
        Some(Type::Other) | None => Some(value.clone()),
    };
    converted.unwrap_or_else(|| {
        Val::Unknown(format!(
            "var.{name}: {value:?} does not match the declared type"
        ))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ty(src: &str) -> Expression {
        hcl_edit::parser::parse_expr(src).expect("a type expression")
    }

    #[test]
    fn raw_var_is_verbatim_for_primitives_and_hcl_for_collections() {
        let s = ty("string");
        assert_eq!(
            convert("r", VarInput::Raw("us-east-1".into()), Some(&s)),
            Val::String("us-east-1".into())
        );
        assert_eq!(
            convert("r", VarInput::Raw("us-east-1".into()), None),
            Val::String("us-east-1".into())
        );
        let b = ty("bool");
        assert_eq!(
            convert("b", VarInput::Raw("true".into()), Some(&b)),
            Val::Bool(true)
        );
        let l = ty("list(string)");
        assert_eq!(
            convert("l", VarInput::Raw("[\"a\", \"b\"]".into()), Some(&l)),
            Val::List(vec![Val::String("a".into()), Val::String("b".into())])
        );
    }

    #[test]
    fn a_value_of_the_wrong_type_is_unknown_not_coerced() {
        let n = ty("number");
        let v = convert("n", VarInput::Value(Val::String("many".into())), Some(&n));
        assert!(matches!(v, Val::Unknown(r) if r.contains("var.n")));
        assert_eq!(
            convert("n", VarInput::Value(Val::String("3".into())), Some(&n)),
            Val::Number(3.0)
        );
    }

    #[test]
    fn json_var_file_error_points_at_its_line() {
        let f = parse_var_file("t.tfvars.json".into(), "{\n  \"a\": 1,\n  oops\n}".into());
        let gap = f.gap.expect("a gap");
        assert_eq!(gap.origin.file().map(|s| s.line), Some(3));
    }

    #[test]
    fn hcl_var_file_values_are_constants() {
        let f = parse_var_file(
            "t.tfvars".into(),
            "a = \"x\"\nb = [1, 2]\nc = var.other\n".into(),
        );
        assert_eq!(f.values[0], ("a".to_string(), Val::String("x".into())));
        assert_eq!(
            f.values[1].1,
            Val::List(vec![Val::Number(1.0), Val::Number(2.0)])
        );
        assert!(matches!(&f.values[2].1, Val::Unknown(_)));
    }
}
