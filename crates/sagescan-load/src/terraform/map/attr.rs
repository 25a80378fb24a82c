//! Typed access to evaluated attributes and nested blocks.
//!
//! Every reader turns one attribute of an [`ir::Body`](Body) into a model [`Value`] with the
//! same three rules, so that the per-resource mappers only state names and defaults:
//! absent (or `null`) → the default the caller documents, with the enclosing block as origin;
//! `Val::Unknown` → `Value::Unknown` with the evaluator's reason; a known value of the wrong
//! shape → `Value::Unknown` saying so. A reference to another resource's computed attribute
//! is only a value where the model wants a reference (or a key name); elsewhere it is Unknown
//! ("known only after apply"), never a guess.

use super::super::ir::{Attr, Body, Val};
use sagescan_model::{Origin, Ref, Value};
use std::borrow::Cow;
use std::collections::BTreeMap;

/// What an absent attribute means.
pub(crate) enum Absent<T> {
    /// The documented AWS or provider default.
    Default(T),
    /// The provider requires the attribute; absent means the configuration is incomplete.
    Required,
    /// The value is decided elsewhere (by AWS at apply, by another attribute); the reason says where.
    Unknown(&'static str),
}

impl<T> Absent<T> {
    fn into_value(self, name: &str, block: &Origin) -> Value<T> {
        match self {
            Absent::Default(v) => Value::default_value(v, block.clone()),
            Absent::Required => Value::unknown(format!("{name} is not set"), block.clone()),
            Absent::Unknown(reason) => Value::unknown(reason, block.clone()),
        }
    }
}

/// The attribute `name`, unless absent or `null` (which Terraform treats as absent).
pub(crate) fn present<'a>(body: &'a Body, name: &str) -> Option<&'a Attr> {
    body.attr(name).filter(|a| a.value != Val::Null)
}

/// The generic reader: `parse` accepts a known value of the right shape.
pub(crate) fn value<T>(
    body: &Body,
    name: &str,
    absent: Absent<T>,
    parse: impl FnOnce(&Val) -> Option<T>,
) -> Value<T> {
    match present(body, name) {
        None => absent.into_value(name, &body.origin),
        Some(attr) => from_attr(name, attr, parse),
    }
}

/// Converts a present attribute; shared by [`value`] and readers with their own absent rule.
pub(crate) fn from_attr<T>(
    name: &str,
    attr: &Attr,
    parse: impl FnOnce(&Val) -> Option<T>,
) -> Value<T> {
    match parse(&attr.value) {
        Some(v) => Value::set(v, attr.origin.clone()),
        None => Value::unknown(why_not(name, &attr.value), attr.origin.clone()),
    }
}

/// Why a value could not be read: an unknown part, a computed reference, or a wrong shape.
pub(crate) fn why_not(name: &str, v: &Val) -> String {
    if let Some(reason) = first_unknown(v) {
        return reason.to_owned();
    }
    if let Some((address, attribute)) = first_ref(v) {
        return format!("{name} = {address}.{attribute} is known only after apply");
    }
    format!("{name} = {} is not a valid value", render(v))
}

fn first_unknown(v: &Val) -> Option<&str> {
    match v {
        Val::Unknown(r) => Some(r),
        Val::List(items) => items.iter().find_map(first_unknown),
        Val::Map(entries) => entries.iter().find_map(|(_, v)| first_unknown(v)),
        _ => None,
    }
}

fn first_ref(v: &Val) -> Option<(&str, &str)> {
    match v {
        Val::Ref { address, attribute } => Some((address, attribute)),
        Val::List(items) => items.iter().find_map(first_ref),
        Val::Map(entries) => entries.iter().find_map(|(_, v)| first_ref(v)),
        _ => None,
    }
}

/// HCL-like rendering of a value for messages.
pub(crate) fn render(v: &Val) -> String {
    match v {
        Val::Null => "null".into(),
        Val::Bool(b) => b.to_string(),
        Val::Number(n) => number(*n),
        Val::String(s) => format!("{s:?}"),
        Val::List(items) => {
            format!(
                "[{}]",
                items.iter().map(render).collect::<Vec<_>>().join(", ")
            )
        }
        Val::Map(entries) => {
            let inner: Vec<_> = entries
                .iter()
                .map(|(k, v)| format!("{k} = {}", render(v)))
                .collect();
            format!("{{{}}}", inner.join(", "))
        }
        Val::Ref { address, attribute } => format!("{address}.{attribute}"),
        Val::Unknown(reason) => format!("(unknown: {reason})"),
    }
}

fn number(n: f64) -> String {
    if n.fract() == 0.0 && n.abs() < 1e15 {
        format!("{}", n as i64)
    } else {
        n.to_string()
    }
}

// ---- Scalar parsers. Terraform converts between strings, numbers and bools on assignment,
// so the parsers accept the same conversions ("22" for a port, 443 for a string).

pub(crate) fn as_string(v: &Val) -> Option<String> {
    match v {
        Val::String(s) => Some(s.clone()),
        Val::Number(n) => Some(number(*n)),
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

pub(crate) fn as_int(v: &Val) -> Option<i64> {
    match v {
        Val::Number(n) if n.fract() == 0.0 && n.abs() < 9e15 => Some(*n as i64),
        Val::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

/// A reference key: the absolute address of a referenced instance, or a literal id/name
/// (which will simply not resolve unless some resource has it as an alias).
pub(crate) fn as_key(v: &Val) -> Option<String> {
    match v {
        Val::Ref { address, .. } => Some(address.clone()),
        Val::String(s) if !s.is_empty() => Some(s.clone()),
        _ => None,
    }
}

/// A string the model keeps as an opaque name (a KMS key): a reference counts as present
/// and is kept as `address.attribute`.
pub(crate) fn as_name(v: &Val) -> Option<String> {
    match v {
        Val::Ref { address, attribute } => Some(format!("{address}.{attribute}")),
        Val::String(s) if !s.is_empty() => Some(s.clone()),
        _ => None,
    }
}

pub(crate) fn list_of<T>(v: &Val, item: impl Fn(&Val) -> Option<T>) -> Option<Vec<T>> {
    match v {
        Val::List(items) => items.iter().map(item).collect(),
        _ => None,
    }
}

// ---- Readers for the shapes the model uses.

pub(crate) fn string(body: &Body, name: &str, absent: Absent<String>) -> Value<String> {
    value(body, name, absent, as_string)
}

pub(crate) fn boolean(body: &Body, name: &str, absent: Absent<bool>) -> Value<bool> {
    value(body, name, absent, as_bool)
}

pub(crate) fn int(body: &Body, name: &str, absent: Absent<i64>) -> Value<i64> {
    value(body, name, absent, as_int)
}

pub(crate) fn strings(body: &Body, name: &str, absent: Absent<Vec<String>>) -> Value<Vec<String>> {
    value(body, name, absent, |v| list_of(v, as_string))
}

/// An optional name-like string (KMS keys, policies): absent → `Default(None)`.
pub(crate) fn opt_name(body: &Body, name: &str) -> Value<Option<String>> {
    value(body, name, Absent::Default(None), |v| as_name(v).map(Some))
}

/// An optional free-text string (descriptions): absent → `Default(None)`.
pub(crate) fn opt_string(body: &Body, name: &str) -> Value<Option<String>> {
    value(body, name, Absent::Default(None), |v| {
        as_string(v).map(Some)
    })
}

pub(crate) fn reference<T>(body: &Body, name: &str, absent: Absent<Ref<T>>) -> Value<Ref<T>> {
    value(body, name, absent, |v| as_key(v).map(Ref::new))
}

/// An optional reference: absent → `Default(None)`.
pub(crate) fn opt_reference<T>(body: &Body, name: &str) -> Value<Option<Ref<T>>> {
    value(body, name, Absent::Default(None), |v| {
        as_key(v).map(|k| Some(Ref::new(k)))
    })
}

/// A list of references: absent → `Default(empty)`.
pub(crate) fn references<T>(body: &Body, name: &str) -> Value<Vec<Ref<T>>> {
    reference_list(body, name, Absent::Default(Vec::new()))
}

pub(crate) fn reference_list<T>(
    body: &Body,
    name: &str,
    absent: Absent<Vec<Ref<T>>>,
) -> Value<Vec<Ref<T>>> {
    value(body, name, absent, |v| {
        list_of(v, |i| as_key(i).map(Ref::new))
    })
}

/// A protocol, normalized: lower case, `all` → `-1`, and the common numbers to their names
/// (the EC2 API accepts either spelling and reports the name).
pub(crate) fn protocol(body: &Body, name: &str) -> Value<String> {
    value(body, name, Absent::Required, |v| {
        as_string(v).map(|s| normalize_protocol(&s))
    })
}

pub(crate) fn normalize_protocol(raw: &str) -> String {
    let p = raw.trim().to_ascii_lowercase();
    match p.as_str() {
        "-1" | "all" => "-1".into(),
        "6" => "tcp".into(),
        "17" => "udp".into(),
        "1" => "icmp".into(),
        "58" => "icmpv6".into(),
        _ => p,
    }
}

/// Ports of a rule resource where they are optional (`aws_vpc_security_group_*_rule`,
/// `aws_network_acl_rule`). With protocol `-1` AWS ignores ports and the rule covers all of
/// them: Default 0..65535. For ICMP the "ports" are type and code, and absent means all of
/// them: Default -1, AWS's spelling. For other protocols they are required.
pub(crate) fn optional_ports(body: &Body, protocol: &Value<String>) -> (Value<i64>, Value<i64>) {
    let (from, to) = match protocol.get().map(String::as_str) {
        Some("-1") => (Absent::Default(0), Absent::Default(65535)),
        Some("icmp" | "icmpv6") => (Absent::Default(-1), Absent::Default(-1)),
        _ => (Absent::Required, Absent::Required),
    };
    (int(body, "from_port", from), int(body, "to_port", to))
}

/// The `tags` map. Values must all be known: a tag map with an unknown entry is Unknown as
/// a whole, because checks compare tag sets.
pub(crate) fn tags(body: &Body) -> Value<BTreeMap<String, String>> {
    value(
        body,
        "tags",
        Absent::Default(BTreeMap::new()),
        |v| match v {
            Val::Map(entries) => entries
                .iter()
                .map(|(k, v)| as_string(v).map(|s| (k.clone(), s)))
                .collect(),
            _ => None,
        },
    )
}

// ---- Nested blocks.

/// A nested block (or list of blocks) that cannot be enumerated, e.g. `ingress = var.rules`
/// with an unknown value.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Unknowable {
    pub reason: String,
    pub origin: Origin,
}

impl Unknowable {
    pub fn value<T>(&self) -> Value<T> {
        Value::unknown(self.reason.clone(), self.origin.clone())
    }
}

/// The nested blocks called `name`. Besides block syntax, the provider accepts some nested
/// blocks in attribute syntax (`ingress = [{ … }]`, `route = []`), which the evaluator leaves
/// as attributes; those are read as blocks whose origin is the attribute, so that
/// `ingress = []` means "no rules" and `ingress = var.unknown` means "unknown rules".
pub(crate) fn blocks<'a>(body: &'a Body, name: &str) -> Result<Vec<Cow<'a, Body>>, Unknowable> {
    let declared: Vec<_> = body
        .blocks
        .iter()
        .filter(|(n, _)| n == name)
        .map(|(_, b)| Cow::Borrowed(b))
        .collect();
    if !declared.is_empty() {
        return Ok(declared);
    }
    let Some(attr) = present(body, name) else {
        return Ok(Vec::new());
    };
    let items: &[Val] = match &attr.value {
        Val::List(items) => items,
        single @ Val::Map(_) => std::slice::from_ref(single),
        other => {
            return Err(Unknowable {
                reason: why_not(name, other),
                origin: attr.origin.clone(),
            });
        }
    };
    items
        .iter()
        .map(|item| match item {
            Val::Map(entries) => Ok(Cow::Owned(Body {
                attrs: entries
                    .iter()
                    .map(|(k, v)| {
                        (
                            k.clone(),
                            Attr {
                                value: v.clone(),
                                origin: attr.origin.clone(),
                            },
                        )
                    })
                    .collect(),
                blocks: Vec::new(),
                origin: attr.origin.clone(),
            })),
            other => Err(Unknowable {
                reason: why_not(name, other),
                origin: attr.origin.clone(),
            }),
        })
        .collect()
}

/// The first nested block called `name`, if any.
pub(crate) fn block<'a>(body: &'a Body, name: &str) -> Result<Option<Cow<'a, Body>>, Unknowable> {
    Ok(blocks(body, name)?.into_iter().next())
}

/// The nested block `name`, which the provider requires: absent → why it is missing.
pub(crate) fn required_block<'a>(body: &'a Body, name: &str) -> Result<Cow<'a, Body>, Unknowable> {
    block(body, name)?.ok_or_else(|| Unknowable {
        reason: format!("{name} is not set"),
        origin: body.origin.clone(),
    })
}

/// The subtree `path` of single nested blocks (`a.b.c`): `Ok(None)` as soon as one is absent.
pub(crate) fn path<'a>(body: &'a Body, path: &[&str]) -> Result<Option<Cow<'a, Body>>, Unknowable> {
    let mut current = Cow::Borrowed(body);
    for name in path {
        let next = match current {
            Cow::Borrowed(b) => block(b, name)?,
            Cow::Owned(ref b) => block(b, name)?.map(|c| Cow::Owned(c.into_owned())),
        };
        match next {
            Some(n) => current = n,
            None => return Ok(None),
        }
    }
    Ok(Some(current))
}

/// One item per nested block `name`: absent blocks → `absent`; an item that is Unknown, or
/// blocks that cannot be enumerated, make the whole list Unknown.
pub(crate) fn collect<T>(
    body: &Body,
    name: &str,
    absent: Absent<Vec<T>>,
    item: impl Fn(&Body) -> Value<T>,
) -> Value<Vec<T>> {
    match blocks(body, name) {
        Err(u) => u.value(),
        Ok(found) if found.is_empty() => absent.into_value(name, &body.origin),
        Ok(found) => {
            let mut list = Value::set(Vec::new(), found[0].origin.clone());
            for b in &found {
                push(&mut list, item(b), &body.origin);
            }
            list
        }
    }
}

/// Both values, or the first Unknown of them; the pair takes `a`'s state and origin.
pub(crate) fn zip<A, B>(a: Value<A>, b: Value<B>) -> Value<(A, B)> {
    match (a, b) {
        (Value::Unknown { reason, origin, .. }, _) | (_, Value::Unknown { reason, origin, .. }) => {
            Value::unknown(reason, origin)
        }
        (
            Value::Set { value: x, origin },
            Value::Set { value, .. } | Value::Default { value, .. },
        ) => Value::set((x, value), origin),
        (
            Value::Default { value: x, origin },
            Value::Set { value, .. } | Value::Default { value, .. },
        ) => Value::default_value((x, value), origin),
    }
}

/// Appends `item` to a list value that another resource extends (a standalone association
/// or rule): a defaulted list becomes stated, an unknown list stays unknown.
pub(crate) fn push<T>(list: &mut Value<Vec<T>>, item: Value<T>, origin: &Origin) {
    let taken = std::mem::replace(list, Value::unknown(String::new(), Origin::None));
    *list = match (taken, item) {
        (unknown @ Value::Unknown { .. }, _) => unknown,
        (_, Value::Unknown { reason, origin, .. }) => Value::unknown(reason, origin),
        (
            Value::Set {
                mut value,
                origin: o,
            },
            Value::Set { value: v, .. } | Value::Default { value: v, .. },
        ) => {
            value.push(v);
            Value::Set { value, origin: o }
        }
        (
            Value::Default { mut value, .. },
            Value::Set { value: v, .. } | Value::Default { value: v, .. },
        ) => {
            value.push(v);
            Value::Set {
                value,
                origin: origin.clone(),
            }
        }
    };
}

/// The resource type in an absolute address (`module.a["x"].aws_subnet.b[0]` → `aws_subnet`).
pub(crate) fn address_type(address: &str) -> &str {
    let mut rest = address;
    while let Some(after) = rest.strip_prefix("module.") {
        // Skip the module name and its optional instance key, which may contain dots.
        let mut end = after.find(['.', '[']).unwrap_or(after.len());
        if after[end..].starts_with('[') {
            end += closing_bracket(&after[end..]).unwrap_or(after.len() - end);
        }
        rest = after[end..].strip_prefix('.').unwrap_or("");
    }
    rest.split('.').next().unwrap_or("")
}

/// Length up to and including the `]` that closes the `[` at the start of `s`.
fn closing_bracket(s: &str) -> Option<usize> {
    let mut in_string = false;
    let mut escaped = false;
    for (i, c) in s.char_indices() {
        match c {
            _ if escaped => escaped = false,
            '\\' if in_string => escaped = true,
            '"' => in_string = !in_string,
            ']' if !in_string => return Some(i + 1),
            _ => {}
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::terraform::map::test_support::*;

    #[test]
    fn absent_null_unknown_and_wrong_shape() {
        let b = blk(1)
            .a("null", Val::Null)
            .a("unknown", unk("var.x has no value"))
            .a("maybe", s("maybe"))
            .a("yes", Val::Bool(true))
            .a("text", s("false"))
            .body();
        assert_eq!(
            boolean(&b, "absent", Absent::Default(true)),
            Value::default_value(true, at(1))
        );
        assert_eq!(
            boolean(&b, "null", Absent::Default(false)),
            Value::default_value(false, at(1))
        );
        assert_eq!(
            boolean(&b, "unknown", Absent::Default(true)),
            Value::unknown("var.x has no value", at(3))
        );
        assert_eq!(
            boolean(&b, "maybe", Absent::Default(true)),
            Value::unknown("maybe = \"maybe\" is not a valid value", at(4))
        );
        assert_eq!(
            boolean(&b, "yes", Absent::Required),
            Value::set(true, at(5))
        );
        assert_eq!(boolean(&b, "text", Absent::Required).get(), Some(&false));
        assert_eq!(
            boolean(&b, "absent", Absent::Required).unknown_reason(),
            Some("absent is not set")
        );
    }

    #[test]
    fn references_are_keys_only_where_a_key_is_wanted() {
        let b = blk(1)
            .a("cidr_block", r("aws_vpc.main", "cidr_block"))
            .a("kms_key_id", r("aws_kms_key.k", "arn"))
            .a(
                "subnet_ids",
                Val::List(vec![r("aws_subnet.a", "id"), s("subnet-0abc")]),
            )
            .a(
                "security_groups",
                Val::List(vec![unk("var.sg has no value")]),
            )
            .body();
        assert_eq!(
            string(&b, "cidr_block", Absent::Required).unknown_reason(),
            Some("cidr_block = aws_vpc.main.cidr_block is known only after apply")
        );
        assert_eq!(
            opt_name(&b, "kms_key_id").get(),
            Some(&Some("aws_kms_key.k.arn".to_string()))
        );
        assert_eq!(
            keys(&references::<()>(&b, "subnet_ids")),
            ["aws_subnet.a", "subnet-0abc"]
        );
        assert_eq!(
            references::<()>(&b, "security_groups").unknown_reason(),
            Some("var.sg has no value")
        );
        assert_eq!(
            references::<()>(&b, "absent"),
            Value::default_value(Vec::new(), at(1))
        );
    }

    #[test]
    fn protocols_are_normalized() {
        let cases = [
            ("-1", "-1"),
            ("all", "-1"),
            ("TCP", "tcp"),
            ("6", "tcp"),
            ("17", "udp"),
            ("1", "icmp"),
            ("58", "icmpv6"),
            ("50", "50"),
        ];
        for (raw, want) in cases {
            assert_eq!(normalize_protocol(raw), want);
        }
        let b = blk(1).a("protocol", n(6.0)).body();
        assert_eq!(
            protocol(&b, "protocol").get().map(String::as_str),
            Some("tcp")
        );
    }

    #[test]
    fn blocks_in_attribute_syntax() {
        let b = blk(1)
            .a(
                "ingress",
                Val::List(vec![Val::Map(vec![("from_port".into(), n(443.0))])]),
            )
            .a("egress", Val::List(vec![]))
            .a("route", unk("var.routes has no value"))
            .body();
        let ingress = blocks(&b, "ingress").unwrap();
        assert_eq!(ingress.len(), 1);
        assert_eq!(
            int(&ingress[0], "from_port", Absent::Required),
            Value::set(443, at(2))
        );
        assert!(blocks(&b, "egress").unwrap().is_empty());
        assert_eq!(
            blocks(&b, "route").unwrap_err().reason,
            "var.routes has no value"
        );
    }

    #[test]
    fn address_types() {
        assert_eq!(address_type("aws_vpc.main"), "aws_vpc");
        assert_eq!(address_type("module.net.aws_subnet.x[0]"), "aws_subnet");
        assert_eq!(
            address_type("module.a[\"x.y\"].module.b.aws_igw.g"),
            "aws_igw"
        );
        assert_eq!(address_type("data.aws_vpc.x"), "data");
    }
}
