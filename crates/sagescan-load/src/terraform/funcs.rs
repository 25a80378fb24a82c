//! Terraform built-in functions that matter for network posture and are pure: collection
//! and string helpers, type conversions, `jsonencode`, `try` / `can` and `cidrsubnet`.
//!
//! Any other function (file I/O, time, crypto, provider functions) yields
//! `Unknown("function NAME() is not evaluated")` without evaluating its arguments: a value
//! we do not compute must never look like one we did.

use super::eval::{
    EvalResult, Scope, as_bool, as_number, as_text, eval, number_text, type_name, unknown_reason,
};
use super::ir::Val;
use super::module::MAX_INSTANCES;
use hcl_edit::expr::FuncCall;

/// Why a function stopped: an argument is not known (the result is Unknown), or Terraform
/// would reject the call (an evaluation error).
enum Halt {
    Unknown(String),
    Error(String),
}

type R<T> = Result<T, Halt>;

const EVALUATED: &[&str] = &[
    "abs",
    "cidrsubnet",
    "coalesce",
    "coalescelist",
    "compact",
    "concat",
    "contains",
    "distinct",
    "element",
    "endswith",
    "flatten",
    "format",
    "join",
    "jsonencode",
    "keys",
    "length",
    "lookup",
    "lower",
    "max",
    "merge",
    "min",
    "one",
    "range",
    "replace",
    "sort",
    "split",
    "startswith",
    "tobool",
    "tolist",
    "tomap",
    "tonumber",
    "toset",
    "tostring",
    "trimspace",
    "upper",
    "values",
    "zipmap",
];

pub(crate) fn call(call: &FuncCall, sc: &Scope) -> EvalResult {
    let name = call.name.name.as_str();
    if call.name.is_namespaced() {
        let ns: Vec<&str> = call.name.namespace.iter().map(|n| n.as_str()).collect();
        return Ok(Val::Unknown(format!(
            "function {}::{name}() is not evaluated",
            ns.join("::")
        )));
    }
    match name {
        "try" => return try_(call, sc),
        "can" => {
            let [arg] = call.args.iter().collect::<Vec<_>>()[..] else {
                return Err("can() takes one argument".to_string());
            };
            return Ok(match eval(arg, sc) {
                Err(_) => Val::Bool(false),
                Ok(Val::Unknown(r)) => Val::Unknown(r),
                Ok(_) => Val::Bool(true),
            });
        }
        _ if !EVALUATED.contains(&name) => {
            return Ok(Val::Unknown(format!("function {name}() is not evaluated")));
        }
        _ => {}
    }
    let mut args = call
        .args
        .iter()
        .map(|a| eval(a, sc))
        .collect::<Result<Vec<_>, _>>()?;
    if call.args.expand_final() {
        match args.pop() {
            Some(Val::List(items)) => args.extend(items),
            Some(other) => match unknown_reason(&other) {
                Some(r) => return Ok(Val::Unknown(r)),
                None => return Err(format!("{name}(): the expanded argument must be a list")),
            },
            None => {}
        }
    }
    match apply(name, args) {
        Ok(v) => Ok(v),
        Err(Halt::Unknown(r)) => Ok(Val::Unknown(r)),
        Err(Halt::Error(e)) => Err(format!("{name}(): {e}")),
    }
}

/// `try(a, b, …)`: the first argument that evaluates without error. An unknown argument
/// decides nothing (it might fail once known), so the result is then unknown.
fn try_(call: &FuncCall, sc: &Scope) -> EvalResult {
    let mut last = "no arguments".to_string();
    for arg in call.args.iter() {
        match eval(arg, sc) {
            Ok(v) => return Ok(v),
            Err(e) => last = e,
        }
    }
    Err(format!("try(): no argument could be evaluated ({last})"))
}

fn err<T>(msg: impl Into<String>) -> R<T> {
    Err(Halt::Error(msg.into()))
}

fn known(v: &Val) -> R<()> {
    match unknown_reason(v) {
        Some(r) => Err(Halt::Unknown(r)),
        None => Ok(()),
    }
}

/// A top-level known value: its elements may still be unknown.
fn shallow(v: &Val) -> R<()> {
    match v {
        Val::Unknown(_) | Val::Ref { .. } => known(v),
        _ => Ok(()),
    }
}

fn text(v: &Val) -> R<String> {
    known(v)?;
    as_text(v).map_or_else(
        || err(format!("expected a string, got {}", type_name(v))),
        Ok,
    )
}

fn num(v: &Val) -> R<f64> {
    known(v)?;
    as_number(v).map_or_else(
        || err(format!("expected a number, got {}", type_name(v))),
        Ok,
    )
}

fn list(v: Val) -> R<Vec<Val>> {
    shallow(&v)?;
    match v {
        Val::List(items) => Ok(items),
        other => err(format!("expected a list, got {}", type_name(&other))),
    }
}

fn map(v: Val) -> R<Vec<(String, Val)>> {
    shallow(&v)?;
    match v {
        Val::Map(entries) => Ok(entries),
        other => err(format!("expected a map, got {}", type_name(&other))),
    }
}

fn arity(args: &[Val], min: usize, max: usize) -> R<()> {
    if args.len() < min || args.len() > max {
        return err(format!("takes {min}..={max} arguments, got {}", args.len()));
    }
    Ok(())
}

/// Removes structural duplicates, keeping the first; unknown elements are kept as they are
/// because they cannot be compared.
fn dedup(items: Vec<Val>) -> Vec<Val> {
    let mut out: Vec<Val> = Vec::with_capacity(items.len());
    for item in items {
        if unknown_reason(&item).is_some() || !out.contains(&item) {
            out.push(item);
        }
    }
    out
}

fn apply(name: &str, mut args: Vec<Val>) -> R<Val> {
    let one = |args: &mut Vec<Val>| -> R<Val> {
        arity(args, 1, 1)?;
        Ok(args.pop().unwrap_or(Val::Null))
    };
    match name {
        "tolist" | "toset" => {
            let v = one(&mut args)?;
            match v {
                // A conversion does not change what a reference points at.
                Val::Ref { .. } | Val::Unknown(_) | Val::Null => Ok(v),
                Val::List(items) if name == "toset" => {
                    let mut items = dedup(items);
                    // Terraform orders a set of strings lexically.
                    if items.iter().all(|i| matches!(i, Val::String(_))) {
                        items.sort_by_key(as_text);
                    }
                    Ok(Val::List(items))
                }
                Val::List(_) => Ok(v),
                other => err(format!("cannot convert a {} to a list", type_name(&other))),
            }
        }
        "tomap" => {
            let v = one(&mut args)?;
            match v {
                Val::Ref { .. } | Val::Unknown(_) | Val::Null | Val::Map(_) => Ok(v),
                other => err(format!("cannot convert a {} to a map", type_name(&other))),
            }
        }
        "tostring" | "tonumber" | "tobool" => {
            let v = one(&mut args)?;
            if matches!(v, Val::Ref { .. } | Val::Unknown(_) | Val::Null) {
                return Ok(v);
            }
            let converted = match name {
                "tostring" => as_text(&v).map(Val::String),
                "tonumber" => as_number(&v).map(Val::Number),
                _ => as_bool(&v).map(Val::Bool),
            };
            converted.map_or_else(|| err(format!("cannot convert {v:?}")), Ok)
        }
        "concat" => {
            let mut out = Vec::new();
            for a in args {
                out.extend(list(a)?);
            }
            Ok(Val::List(out))
        }
        "merge" => {
            let mut out: Vec<(String, Val)> = Vec::new();
            for a in args {
                if a == Val::Null {
                    continue;
                }
                for (k, v) in map(a)? {
                    match out.iter_mut().find(|(key, _)| *key == k) {
                        Some(slot) => slot.1 = v,
                        None => out.push((k, v)),
                    }
                }
            }
            Ok(Val::Map(out))
        }
        "lookup" => {
            arity(&args, 2, 3)?;
            let default = if args.len() == 3 { args.pop() } else { None };
            let key = text(&args[1])?;
            let entries = map(args.swap_remove(0))?;
            match entries.into_iter().find(|(k, _)| *k == key) {
                Some((_, v)) => Ok(v),
                None => default.map_or_else(|| err(format!("no key {key:?} and no default")), Ok),
            }
        }
        "element" => {
            arity(&args, 2, 2)?;
            let i = num(&args[1])?;
            let items = list(args.swap_remove(0))?;
            if items.is_empty() || i < 0.0 || i.fract() != 0.0 {
                return err("needs a non-empty list and a whole, non-negative index");
            }
            let n = items.len();
            Ok(items.into_iter().nth(i as usize % n).unwrap_or(Val::Null))
        }
        "length" => {
            let v = one(&mut args)?;
            shallow(&v)?;
            match v {
                Val::List(items) => Ok(Val::Number(items.len() as f64)),
                Val::Map(entries) => Ok(Val::Number(entries.len() as f64)),
                Val::String(s) => Ok(Val::Number(s.chars().count() as f64)),
                other => err(format!("cannot take the length of a {}", type_name(&other))),
            }
        }
        "join" => {
            if args.is_empty() {
                return err("needs a separator");
            }
            let sep = text(&args[0])?;
            let mut parts = Vec::new();
            for a in args.drain(1..) {
                for item in list(a)? {
                    parts.push(text(&item)?);
                }
            }
            Ok(Val::String(parts.join(&sep)))
        }
        "split" => {
            arity(&args, 2, 2)?;
            let (sep, s) = (text(&args[0])?, text(&args[1])?);
            if s.is_empty() {
                return Ok(Val::List(Vec::new()));
            }
            Ok(Val::List(
                s.split(sep.as_str())
                    .map(|p| Val::String(p.to_string()))
                    .collect(),
            ))
        }
        "format" => {
            if args.is_empty() {
                return err("needs a format string");
            }
            let spec = text(&args[0])?;
            format(&spec, &args[1..]).map(Val::String)
        }
        "lower" | "upper" | "trimspace" => {
            let s = text(&one(&mut args)?)?;
            Ok(Val::String(match name {
                "lower" => s.to_lowercase(),
                "upper" => s.to_uppercase(),
                _ => s.trim().to_string(),
            }))
        }
        "startswith" | "endswith" => {
            arity(&args, 2, 2)?;
            let (s, affix) = (text(&args[0])?, text(&args[1])?);
            Ok(Val::Bool(if name == "startswith" {
                s.starts_with(&affix)
            } else {
                s.ends_with(&affix)
            }))
        }
        "replace" => {
            arity(&args, 3, 3)?;
            let (s, from, to) = (text(&args[0])?, text(&args[1])?, text(&args[2])?);
            if from.len() > 1 && from.starts_with('/') && from.ends_with('/') {
                return Err(Halt::Unknown(
                    "replace() with a regular expression is not evaluated".to_string(),
                ));
            }
            Ok(Val::String(s.replace(&from, &to)))
        }
        "coalesce" => {
            for a in args {
                known(&a)?;
                if a != Val::Null && a != Val::String(String::new()) {
                    return Ok(a);
                }
            }
            err("no non-null, non-empty argument")
        }
        "coalescelist" => {
            for a in args {
                let items = list(a)?;
                if !items.is_empty() {
                    return Ok(Val::List(items));
                }
            }
            Ok(Val::List(Vec::new()))
        }
        "flatten" => {
            fn flat(items: Vec<Val>, out: &mut Vec<Val>) -> R<()> {
                for item in items {
                    match item {
                        Val::List(inner) => flat(inner, out)?,
                        // Might be a list once known, so the shape is not known.
                        Val::Unknown(_) | Val::Ref { .. } => known(&item)?,
                        other => out.push(other),
                    }
                }
                Ok(())
            }
            let mut out = Vec::new();
            flat(list(one(&mut args)?)?, &mut out)?;
            Ok(Val::List(out))
        }
        "distinct" => Ok(Val::List(dedup(list(one(&mut args)?)?))),
        "compact" => {
            let items = list(one(&mut args)?)?;
            let mut out = Vec::new();
            for item in items {
                known(&item)?;
                if item != Val::Null && item != Val::String(String::new()) {
                    out.push(item);
                }
            }
            Ok(Val::List(out))
        }
        "contains" => {
            arity(&args, 2, 2)?;
            known(&args[0])?;
            known(&args[1])?;
            let items = list(args.swap_remove(0))?;
            Ok(Val::Bool(items.contains(&args[0])))
        }
        "keys" | "values" => {
            let mut entries = map(one(&mut args)?)?;
            // Terraform returns both in lexical key order.
            entries.sort_by(|a, b| a.0.cmp(&b.0));
            Ok(Val::List(if name == "keys" {
                entries.into_iter().map(|(k, _)| Val::String(k)).collect()
            } else {
                entries.into_iter().map(|(_, v)| v).collect()
            }))
        }
        "zipmap" => {
            arity(&args, 2, 2)?;
            let values = list(args.pop().unwrap_or(Val::Null))?;
            let keys = list(args.pop().unwrap_or(Val::Null))?;
            if keys.len() != values.len() {
                return err("keys and values differ in length");
            }
            let mut out = Vec::with_capacity(keys.len());
            for (k, v) in keys.iter().zip(values) {
                out.push((text(k)?, v));
            }
            Ok(Val::Map(out))
        }
        "one" => {
            let items = list(one(&mut args)?)?;
            match items.len() {
                0 => Ok(Val::Null),
                1 => Ok(items.into_iter().next().unwrap_or(Val::Null)),
                n => err(format!("needs at most one element, got {n}")),
            }
        }
        "range" => {
            arity(&args, 1, 3)?;
            let nums = args.iter().map(num).collect::<R<Vec<f64>>>()?;
            let (start, end, step) = match nums[..] {
                [end] => (0.0, end, 1.0),
                [start, end] => (start, end, if end >= start { 1.0 } else { -1.0 }),
                [start, end, step] => (start, end, step),
                _ => return err("takes 1..=3 arguments"),
            };
            if step == 0.0 || (end - start) / step > MAX_INSTANCES as f64 {
                return err(format!("step 0 or more than {MAX_INSTANCES} elements"));
            }
            let mut out = Vec::new();
            let mut x = start;
            while (step > 0.0 && x < end) || (step < 0.0 && x > end) {
                out.push(Val::Number(x));
                x += step;
            }
            Ok(Val::List(out))
        }
        "min" | "max" | "abs" => {
            let nums = args.iter().map(num).collect::<R<Vec<f64>>>()?;
            let pick = match name {
                "abs" if nums.len() == 1 => Some(nums[0].abs()),
                "min" => nums.iter().copied().reduce(f64::min),
                "max" => nums.iter().copied().reduce(f64::max),
                _ => None,
            };
            pick.map(Val::Number)
                .map_or_else(|| err("wrong number of arguments"), Ok)
        }
        "sort" => {
            let items = list(one(&mut args)?)?;
            let mut texts = items.iter().map(text).collect::<R<Vec<String>>>()?;
            texts.sort();
            Ok(Val::List(texts.into_iter().map(Val::String).collect()))
        }
        "jsonencode" => {
            let v = one(&mut args)?;
            known(&v)?;
            Ok(Val::String(to_json(&v).to_string()))
        }
        "cidrsubnet" => {
            arity(&args, 3, 3)?;
            let (prefix, newbits, netnum) = (text(&args[0])?, num(&args[1])?, num(&args[2])?);
            cidrsubnet(&prefix, newbits, netnum).map(Val::String)
        }
        _ => Err(Halt::Unknown(format!("function {name}() is not evaluated"))),
    }
}

/// `jsonencode`: object keys in lexical order and whole numbers without a fraction, as
/// Terraform renders them.
fn to_json(v: &Val) -> serde_json::Value {
    match v {
        Val::Null | Val::Unknown(_) | Val::Ref { .. } => serde_json::Value::Null,
        Val::Bool(b) => serde_json::Value::Bool(*b),
        Val::Number(n) if n.fract() == 0.0 && n.abs() < 9e15 => serde_json::Value::from(*n as i64),
        Val::Number(n) => serde_json::Number::from_f64(*n)
            .map_or(serde_json::Value::Null, serde_json::Value::Number),
        Val::String(s) => serde_json::Value::String(s.clone()),
        Val::List(items) => serde_json::Value::Array(items.iter().map(to_json).collect()),
        Val::Map(entries) => {
            let sorted: std::collections::BTreeMap<&str, serde_json::Value> = entries
                .iter()
                .map(|(k, v)| (k.as_str(), to_json(v)))
                .collect();
            serde_json::Value::Object(
                sorted
                    .into_iter()
                    .map(|(k, v)| (k.to_string(), v))
                    .collect(),
            )
        }
    }
}

/// `format` with the verbs configurations use: `%s`, `%d`, `%v`, `%q`, `%%`.
fn format(spec: &str, args: &[Val]) -> R<String> {
    let mut out = String::new();
    let mut args = args.iter();
    let mut chars = spec.chars();
    while let Some(c) = chars.next() {
        if c != '%' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('%') => out.push('%'),
            Some(verb @ ('s' | 'd' | 'v' | 'q')) => {
                let Some(arg) = args.next() else {
                    return err("too few arguments");
                };
                let s = text(arg)?;
                match verb {
                    'd' => out.push_str(&number_text(num(arg)?.trunc())),
                    'q' => out.push_str(&format!("{s:?}")),
                    _ => out.push_str(&s),
                }
            }
            other => {
                let verb = other.map(String::from).unwrap_or_default();
                return Err(Halt::Unknown(format!(
                    "format verb %{verb} is not evaluated"
                )));
            }
        }
    }
    Ok(out)
}

/// IPv4 `cidrsubnet(prefix, newbits, netnum)`.
fn cidrsubnet(prefix: &str, newbits: f64, netnum: f64) -> R<String> {
    let Some((addr, len)) = prefix.split_once('/') else {
        return err(format!("{prefix:?} is not a CIDR block"));
    };
    if addr.contains(':') {
        return Err(Halt::Unknown(
            "cidrsubnet() of an IPv6 prefix is not evaluated".to_string(),
        ));
    }
    let ip: std::net::Ipv4Addr = addr
        .parse()
        .map_err(|_| Halt::Error(format!("{prefix:?} is not a CIDR block")))?;
    let len: u32 = len
        .parse()
        .map_err(|_| Halt::Error(format!("{prefix:?} is not a CIDR block")))?;
    if newbits < 0.0 || newbits.fract() != 0.0 || netnum < 0.0 || netnum.fract() != 0.0 {
        return err("newbits and netnum must be whole, non-negative numbers");
    }
    // Compared as numbers before any cast: a huge `newbits` saturates to `u32::MAX`, and
    // adding that to the prefix length overflowed (found by the `hcl` fuzz target).
    if len > 32 || newbits > f64::from(32 - len) {
        return err(format!("{prefix:?} has no room for {newbits} more bits"));
    }
    let new_len = len + newbits as u32;
    if netnum >= 2f64.powi(newbits as i32) {
        return err(format!("netnum {netnum} does not fit in {newbits} bits"));
    }
    let mask = if len == 0 { 0 } else { u32::MAX << (32 - len) };
    let shift = 32 - new_len;
    let net = (u32::from(ip) & mask) | ((netnum as u64) << shift) as u32;
    Ok(format!("{}/{new_len}", std::net::Ipv4Addr::from(net)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cidrsubnet_matches_terraform() {
        assert_eq!(
            cidrsubnet("10.1.0.0/16", 8.0, 2.0).ok(),
            Some("10.1.2.0/24".to_string())
        );
        assert_eq!(
            cidrsubnet("10.1.0.0/16", 4.0, 15.0).ok(),
            Some("10.1.240.0/20".to_string())
        );
        assert!(matches!(
            cidrsubnet("10.1.0.0/16", 8.0, 256.0),
            Err(Halt::Error(_))
        ));
        assert!(matches!(
            cidrsubnet("fd00::/8", 8.0, 1.0),
            Err(Halt::Unknown(_))
        ));
    }

    /// Found by the `hcl` fuzz target: `cidrsubnet("11.0.0.0/16", 333…31, 3)` overflowed
    /// adding the saturated bit count to the prefix length (and computed a wrong block in a
    /// release build, where the addition wraps).
    #[test]
    fn cidrsubnet_with_a_huge_bit_count_is_an_error_not_an_overflow() {
        for newbits in [17.0, 3.3e30, f64::MAX] {
            assert!(
                matches!(cidrsubnet("11.0.0.0/16", newbits, 3.0), Err(Halt::Error(_))),
                "{newbits}"
            );
        }
        assert_eq!(
            cidrsubnet("11.0.0.0/16", 16.0, 3.0).ok(),
            Some("11.0.0.3/32".to_string())
        );
    }

    #[test]
    fn format_verbs() {
        let args = [Val::String("a".into()), Val::Number(3.0)];
        assert_eq!(format("%s-%d%%", &args).ok(), Some("a-3%".to_string()));
        assert!(matches!(format("%x", &args), Err(Halt::Unknown(_))));
    }

    #[test]
    fn jsonencode_sorts_keys() {
        let v = Val::Map(vec![
            ("b".into(), Val::Number(1.0)),
            ("a".into(), Val::Bool(true)),
        ]);
        assert_eq!(to_json(&v).to_string(), r#"{"a":true,"b":1}"#);
    }
}
