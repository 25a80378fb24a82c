//! Typed access to evaluated properties, with the same three rules as the Terraform
//! mapper's readers: absent (or `null`) → the default the caller documents, with the
//! enclosing object as origin; unknown → `Value::Unknown` with the evaluator's reason; a known
//! value of the wrong shape → `Value::Unknown` saying so. A resource reference is a value only
//! where the model wants a reference (or an opaque name).

use super::super::intrinsics::{Ev, V};
use sagescan_model::{Origin, Ref, Value};
use std::collections::BTreeMap;

/// What an absent property means.
pub(crate) enum Absent<T> {
    /// The documented AWS default.
    Default(T),
    /// CloudFormation requires the property.
    Required,
    /// Decided elsewhere (by AWS at deployment); the reason says where.
    Unknown(&'static str),
}

/// An evaluated object (a resource's `Properties`, or a nested property) and its origin.
#[derive(Clone, Copy)]
pub(crate) struct Props<'a> {
    pub entries: &'a [(String, Ev)],
    pub origin: &'a Origin,
}

/// A nested object or list that cannot be read.
#[derive(Clone, Debug)]
pub(crate) struct Unknowable {
    pub reason: String,
    pub origin: Origin,
}

impl Unknowable {
    pub(crate) fn value<T>(&self) -> Value<T> {
        Value::unknown(self.reason.clone(), self.origin.clone())
    }
}

const EMPTY: &[(String, Ev)] = &[];

impl<'a> Props<'a> {
    pub(crate) fn of(ev: Option<&'a Ev>, origin: &'a Origin) -> Result<Props<'a>, Unknowable> {
        let empty = Props {
            entries: EMPTY,
            origin,
        };
        match ev {
            None => Ok(empty),
            Some(e) => match &e.v {
                V::Null => Ok(empty),
                V::Map(entries) => Ok(Props {
                    entries,
                    origin: &e.origin,
                }),
                _ => Err(not_an_object("Properties", e)),
            },
        }
    }

    /// The property `name`, unless absent or `null`.
    pub(crate) fn get(&self, name: &str) -> Option<&'a Ev> {
        self.entries
            .iter()
            .find(|(k, e)| k == name && e.v != V::Null)
            .map(|(_, e)| e)
    }

    pub(crate) fn value<T>(
        &self,
        name: &str,
        absent: Absent<T>,
        parse: impl Fn(&V) -> Option<T>,
    ) -> Value<T> {
        match self.get(name) {
            None => match absent {
                Absent::Default(v) => Value::default_value(v, self.origin.clone()),
                Absent::Required => {
                    Value::unknown(format!("{name} is not set"), self.origin.clone())
                }
                Absent::Unknown(reason) => Value::unknown(reason, self.origin.clone()),
            },
            Some(e) => from_ev(name, e, parse),
        }
    }

    pub(crate) fn string(&self, name: &str, absent: Absent<String>) -> Value<String> {
        self.value(name, absent, as_string)
    }

    pub(crate) fn boolean(&self, name: &str, absent: Absent<bool>) -> Value<bool> {
        self.value(name, absent, as_bool)
    }

    pub(crate) fn int(&self, name: &str, absent: Absent<i64>) -> Value<i64> {
        self.value(name, absent, as_int)
    }

    pub(crate) fn strings(&self, name: &str, absent: Absent<Vec<String>>) -> Value<Vec<String>> {
        self.value(name, absent, |v| list_of(v, as_string))
    }

    pub(crate) fn opt_string(&self, name: &str) -> Value<Option<String>> {
        self.value(name, Absent::Default(None), |v| as_string(v).map(Some))
    }

    /// An opaque name (a KMS key): a reference counts as present.
    pub(crate) fn opt_name(&self, name: &str) -> Value<Option<String>> {
        self.value(name, Absent::Default(None), |v| as_name(v).map(Some))
    }

    pub(crate) fn reference<T>(&self, name: &str, absent: Absent<Ref<T>>) -> Value<Ref<T>> {
        self.value(name, absent, |v| as_key(v).map(Ref::new))
    }

    pub(crate) fn opt_reference<T>(&self, name: &str) -> Value<Option<Ref<T>>> {
        self.value(name, Absent::Default(None), |v| {
            as_key(v).map(|k| Some(Ref::new(k)))
        })
    }

    pub(crate) fn references<T>(
        &self,
        name: &str,
        absent: Absent<Vec<Ref<T>>>,
    ) -> Value<Vec<Ref<T>>> {
        self.value(name, absent, |v| list_of(v, |i| as_key(i).map(Ref::new)))
    }

    /// The nested object `name`; `Ok(None)` when absent.
    pub(crate) fn object(&self, name: &str) -> Result<Option<Props<'a>>, Unknowable> {
        match self.get(name) {
            None => Ok(None),
            Some(Ev {
                v: V::Map(entries),
                origin,
            }) => Ok(Some(Props { entries, origin })),
            Some(other) => Err(not_an_object(name, other)),
        }
    }

    /// The objects of the list `name`; absent → empty.
    pub(crate) fn objects(&self, name: &str) -> Result<Vec<Props<'a>>, Unknowable> {
        match self.get(name) {
            None => Ok(Vec::new()),
            Some(Ev {
                v: V::List(items), ..
            }) => items
                .iter()
                .map(|i| match &i.v {
                    V::Map(entries) => Ok(Props {
                        entries,
                        origin: &i.origin,
                    }),
                    _ => Err(not_an_object(name, i)),
                })
                .collect(),
            Some(other) => Err(not_an_object(name, other)),
        }
    }

    /// One item per object of the list `name`: absent → `absent`; an unknown item or list
    /// makes the whole list unknown.
    pub(crate) fn collect<T>(
        &self,
        name: &str,
        absent: Absent<Vec<T>>,
        item: impl Fn(Props) -> Value<T>,
    ) -> Value<Vec<T>> {
        match self.objects(name) {
            Err(u) => u.value(),
            Ok(found) if found.is_empty() => {
                let origin = self.get(name).map_or(self.origin, |e| &e.origin);
                match (self.get(name), absent) {
                    (Some(_), _) => Value::set(Vec::new(), origin.clone()),
                    (None, a) => Props {
                        entries: EMPTY,
                        origin,
                    }
                    .value(name, a, |_| None),
                }
            }
            Ok(found) => {
                let origin = self.get(name).map_or(self.origin, |e| &e.origin);
                let mut out = Vec::new();
                for p in found {
                    match item(p) {
                        Value::Unknown { reason, origin, .. } => {
                            return Value::unknown(reason, origin);
                        }
                        Value::Set { value, .. } | Value::Default { value, .. } => out.push(value),
                    }
                }
                Value::set(out, origin.clone())
            }
        }
    }

    /// CloudFormation `Tags: [{Key, Value}]` as a map; unknown entries make it unknown.
    pub(crate) fn tags(&self) -> Value<BTreeMap<String, String>> {
        self.value("Tags", Absent::Default(BTreeMap::new()), |v| match v {
            V::List(items) => items
                .iter()
                .map(|i| match &i.v {
                    V::Map(e) => {
                        let p = Props {
                            entries: e,
                            origin: &i.origin,
                        };
                        Some((p.get("Key")?.text()?, p.get("Value")?.text()?))
                    }
                    _ => None,
                })
                .collect(),
            _ => None,
        })
    }
}

fn not_an_object(name: &str, e: &Ev) -> Unknowable {
    Unknowable {
        reason: e
            .unknown_part()
            .unwrap_or_else(|| format!("{name} is not an object")),
        origin: e.origin.clone(),
    }
}

/// `e` read with `parse`. A parameter restricted to `AllowedValues` keeps them as candidates,
/// each read the same way as a known value; if any of them does not read, the candidates
/// are dropped, because a set missing a value the parameter may take would decide wrongly.
pub(crate) fn from_ev<T>(name: &str, e: &Ev, parse: impl Fn(&V) -> Option<T>) -> Value<T> {
    match (parse(&e.v), &e.v) {
        (Some(v), _) => Value::set(v, e.origin.clone()),
        (None, V::OneOf(candidates, reason)) => {
            match candidates.iter().map(|c| parse(&c.v)).collect() {
                Some(values) => Value::one_of(values, reason.clone(), e.origin.clone()),
                None => Value::unknown(reason.clone(), e.origin.clone()),
            }
        }
        (None, _) => Value::unknown(why_not(name, e), e.origin.clone()),
    }
}

pub(crate) fn why_not(name: &str, e: &Ev) -> String {
    match e.unknown_part() {
        Some(r) => r,
        None => format!("{name} is not a valid value"),
    }
}

pub(crate) fn as_string(v: &V) -> Option<String> {
    match v {
        V::Str(s) | V::Num(s) => Some(s.clone()),
        V::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

pub(crate) fn as_bool(v: &V) -> Option<bool> {
    match v {
        V::Bool(b) => Some(*b),
        V::Str(s) if s.eq_ignore_ascii_case("true") => Some(true),
        V::Str(s) if s.eq_ignore_ascii_case("false") => Some(false),
        _ => None,
    }
}

pub(crate) fn as_int(v: &V) -> Option<i64> {
    match v {
        V::Num(s) | V::Str(s) => s.trim().parse().ok(),
        _ => None,
    }
}

/// A reference key: the (prefixed) logical id of a referenced resource, or a literal id/name.
pub(crate) fn as_key(v: &V) -> Option<String> {
    match v {
        V::Res { address, .. } => Some(address.clone()),
        V::Str(s) if !s.is_empty() => Some(s.clone()),
        _ => None,
    }
}

/// An opaque name: a reference is kept as `address.attribute`.
pub(crate) fn as_name(v: &V) -> Option<String> {
    match v {
        V::Res {
            address,
            attribute: Some(a),
        } => Some(format!("{address}.{a}")),
        V::Res { address, .. } => Some(address.clone()),
        V::Str(s) if !s.is_empty() => Some(s.clone()),
        _ => None,
    }
}

pub(crate) fn list_of<T>(v: &V, item: impl Fn(&V) -> Option<T>) -> Option<Vec<T>> {
    match v {
        V::List(items) => items.iter().map(|i| item(&i.v)).collect(),
        _ => None,
    }
}
