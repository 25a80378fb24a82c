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
    /// `list(…)`, `set(…)`: each element converts to the element type.
    List(Box<Type>),
    /// `map(…)`: each value converts to the element type.
    Map(Box<Type>),
    /// `object({…})`: the declared attributes, each with its `optional()` default.
    Object(Vec<Field>),
    /// `any`, `tuple(…)`, anything else: values are taken as they are.
    Other,
}

struct Field {
    name: String,
    ty: Type,
    /// `None`: required. `Some(None)`: `optional(T)`, null when omitted.
    /// `Some(Some(v))`: `optional(T, v)`.
    optional: Option<Option<Val>>,
}

fn declared(ty: Option<&Expression>) -> Option<Type> {
    ty.map(type_of)
}

fn type_of(expr: &Expression) -> Type {
    match expr {
        Expression::Variable(v) => match v.as_str() {
            "string" => Type::String,
            "number" => Type::Number,
            "bool" => Type::Bool,
            _ => Type::Other,
        },
        Expression::FuncCall(call) if !call.name.is_namespaced() => {
            let args: Vec<&Expression> = call.args.iter().collect();
            match (call.name.name.as_str(), &args[..]) {
                ("list" | "set", [elem]) => Type::List(Box::new(type_of(elem))),
                ("map", [elem]) => Type::Map(Box::new(type_of(elem))),
                ("object", [Expression::Object(attrs)]) => {
                    let mut fields = Vec::new();
                    for (key, value) in attrs.iter() {
                        let name = match key {
                            hcl_edit::expr::ObjectKey::Ident(id) => id.as_str().to_string(),
                            hcl_edit::expr::ObjectKey::Expression(e) => match e {
                                Expression::Variable(v) => v.as_str().to_string(),
                                Expression::String(s) => s.value().to_string(),
                                // A key we cannot read: convert nothing rather than guess.
                                _ => return Type::Other,
                            },
                        };
                        fields.push(field(name, value.expr()));
                    }
                    Type::Object(fields)
                }
                _ => Type::Other,
            }
        }
        _ => Type::Other,
    }
}

/// An attribute of an object type: `T`, `optional(T)` or `optional(T, default)`.
fn field(name: String, expr: &Expression) -> Field {
    if let Expression::FuncCall(call) = expr
        && !call.name.is_namespaced()
        && call.name.name.as_str() == "optional"
    {
        let args: Vec<&Expression> = call.args.iter().collect();
        let ty = args.first().map_or(Type::Other, |t| type_of(t));
        let default = args.get(1).map(|d| {
            let v = eval_constant(d).unwrap_or_else(Val::Unknown);
            // The default converts to the attribute's type, nested defaults included.
            conform(v, &ty).unwrap_or_else(Val::Unknown)
        });
        return Field {
            name,
            ty,
            optional: Some(default),
        };
    }
    Field {
        name,
        ty: type_of(expr),
        optional: None,
    }
}

/// Converts `value` to `ty` as Terraform does on assignment; `Err` where Terraform would
/// reject it. An unknown or reference value stays as it is: nothing is known to convert.
fn conform(value: Val, ty: &Type) -> Result<Val, String> {
    if matches!(value, Val::Unknown(_) | Val::Ref { .. } | Val::Null) {
        return Ok(value);
    }
    let mismatch = |v: &Val| format!("{v:?} does not match the declared type");
    match ty {
        Type::String => as_text(&value)
            .map(Val::String)
            .ok_or_else(|| mismatch(&value)),
        Type::Number => as_number(&value)
            .map(Val::Number)
            .ok_or_else(|| mismatch(&value)),
        Type::Bool => as_bool(&value)
            .map(Val::Bool)
            .ok_or_else(|| mismatch(&value)),
        Type::Other => Ok(value),
        Type::List(elem) => match value {
            Val::List(items) => items
                .into_iter()
                .map(|v| conform(v, elem))
                .collect::<Result<_, _>>()
                .map(Val::List),
            other => Err(mismatch(&other)),
        },
        Type::Map(elem) => match value {
            Val::Map(entries) => entries
                .into_iter()
                .map(|(k, v)| conform(v, elem).map(|v| (k, v)))
                .collect::<Result<_, _>>()
                .map(Val::Map),
            other => Err(mismatch(&other)),
        },
        Type::Object(fields) => {
            let Val::Map(mut entries) = value else {
                return Err(mismatch(&value));
            };
            // Attributes the type does not declare are dropped, as Terraform drops them.
            entries.retain(|(k, _)| fields.iter().any(|f| f.name == *k));
            for f in fields {
                let slot = entries.iter_mut().find(|(k, _)| *k == f.name);
                match (slot, &f.optional) {
                    // An optional attribute set to null takes its default.
                    (Some((_, v)), Some(Some(default))) if *v == Val::Null => *v = default.clone(),
                    (Some((_, v)), _) => *v = conform(std::mem::replace(v, Val::Null), &f.ty)?,
                    (None, Some(default)) => {
                        entries.push((f.name.clone(), default.clone().unwrap_or(Val::Null)))
                    }
                    (None, None) => {
                        return Err(format!("attribute \"{}\" is required", f.name));
                    }
                }
            }
            Ok(Val::Map(entries))
        }
    }
}

/// Converts an input to variable `name`'s declared type, as Terraform does on assignment,
/// `optional()` attributes of object types filled with their defaults (or null). A value
/// that cannot convert is Unknown (Terraform would stop with an error).
pub(crate) fn convert(name: &str, input: VarInput, ty: Option<&Expression>) -> Val {
    let ty = declared(ty);
    let value = match input {
        VarInput::Value(v) => v,
        VarInput::Raw(raw) => match ty {
            Some(Type::String | Type::Number | Type::Bool) | None => Val::String(raw),
            Some(_) => match hcl_edit::parser::parse_expr(&raw) {
                Ok(expr) => eval_constant(&expr)
                    .unwrap_or_else(|e| Val::Unknown(format!("--var {name}: {e}"))),
                Err(e) => return Val::Unknown(format!("--var {name}: {}", e.message())),
            },
        },
    };
    match ty {
        None => value,
        Some(ty) => {
            conform(value, &ty).unwrap_or_else(|e| Val::Unknown(format!("var.{name}: {e}")))
        }
    }
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

    fn obj(entries: &[(&str, Val)]) -> Val {
        Val::Map(
            entries
                .iter()
                .map(|(k, v)| (k.to_string(), v.clone()))
                .collect(),
        )
    }

    fn text(v: &str) -> Val {
        Val::String(v.into())
    }

    /// Terraform 1.3: omitted `optional()` attributes are null or their default, nested
    /// objects included; undeclared attributes are dropped; a missing required one is an
    /// error (Unknown here).
    #[test]
    fn optional_object_attributes_take_their_defaults() {
        let t = ty(r#"object({
            name   = string
            access = optional(string, "Enabled")
            image  = optional(string)
            port   = optional(number, 8080)
            inner  = optional(object({ mode = optional(string, "Platform") }), {})
        })"#);
        let v = convert(
            "nb",
            VarInput::Value(obj(&[("name", text("lab")), ("extra", text("x"))])),
            Some(&t),
        );
        assert_eq!(
            v,
            obj(&[
                ("name", text("lab")),
                ("access", text("Enabled")),
                ("image", Val::Null),
                ("port", Val::Number(8080.0)),
                ("inner", obj(&[("mode", text("Platform"))])),
            ])
        );
        // A value given wins; null takes the default; a string converts to the number.
        let v = convert(
            "nb",
            VarInput::Value(obj(&[
                ("name", text("lab")),
                ("access", Val::Null),
                ("port", text("443")),
                ("inner", obj(&[("mode", text("Vpc"))])),
            ])),
            Some(&t),
        );
        assert_eq!(
            v,
            obj(&[
                ("name", text("lab")),
                ("access", text("Enabled")),
                ("port", Val::Number(443.0)),
                ("inner", obj(&[("mode", text("Vpc"))])),
                ("image", Val::Null),
            ])
        );
        let missing = convert("nb", VarInput::Value(obj(&[])), Some(&t));
        assert!(
            matches!(&missing, Val::Unknown(r) if r == "var.nb: attribute \"name\" is required"),
            "{missing:?}"
        );
        // In a list, each element converts; an unknown element stays unknown.
        let l = ty("list(object({ a = optional(bool, true) }))");
        assert_eq!(
            convert(
                "l",
                VarInput::Value(Val::List(vec![obj(&[]), Val::Unknown("u".into())])),
                Some(&l)
            ),
            Val::List(vec![
                obj(&[("a", Val::Bool(true))]),
                Val::Unknown("u".into())
            ])
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
