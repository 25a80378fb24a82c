//! The plan's `configuration` section: which attributes the source states, and what their
//! expressions reference, so that a value known only after apply can still name the
//! resource it comes from.
//!
//! `terraform show -json` prints no value for `subnet_id = aws_subnet.a.id` before apply,
//! only `after_unknown: true`; the configuration gives the expression's `references`
//! (`["aws_subnet.a.id", "aws_subnet.a"]`, module-relative). [`Resolver::targets`] turns
//! them into absolute instance addresses, the keys the HCL loader's `Val::Ref` uses:
//! module-relative addresses get the referring instance's module path, `var.x` inside a
//! module follows the module call's argument, `module.m.out` follows the output's
//! expression. Where the configuration alone cannot say which instance is meant
//! (`aws_subnet.a[count.index]` referred to from a resource with a different `count`, or
//! an index computed from a local), there is no target and the value stays Unknown.

use serde_json::{Map, Value as Json};
use std::collections::HashMap;

/// How deep `var.x` / `module.m.out` indirections are followed (module nesting is shallow
/// in practice; the bound keeps a hostile plan from looping).
const MAX_DEPTH: usize = 32;

/// A module instance path: `(call name, instance key)` from the root, e.g.
/// `module.net[0].module.sg` → `[("net", "[0]"), ("sg", "")]`.
pub(super) type ModulePath = Vec<(String, String)>;

/// The referring instance: its module and its own instance key (`[0]`, `["a"]`, or empty),
/// plus the keys of all instances of its resource, to match `count.index` / `each.key`.
pub(super) struct Site<'a> {
    pub module: &'a [(String, String)],
    pub key: &'a str,
    pub peers: &'a [String],
}

pub(super) struct Resolver<'p> {
    /// Configuration module path (`"net.sg"`, root `""`) → the module object.
    modules: HashMap<String, &'p Map<String, Json>>,
    /// (configuration module path, `type.name`) → the resource's configuration.
    resources: HashMap<(String, String), &'p Map<String, Json>>,
    /// Absolute address without instance key (`module.net[0].aws_subnet.a`, `module.net`)
    /// → the keys of its planned instances (`[""]` for a single instance).
    instances: HashMap<String, Vec<String>>,
    has_config: bool,
}

impl<'p> Resolver<'p> {
    /// Indexes `configuration.root_module`, if any, and the planned instances' keys.
    pub fn new(plan: &'p Map<String, Json>, instances: HashMap<String, Vec<String>>) -> Self {
        let mut r = Resolver {
            modules: HashMap::new(),
            resources: HashMap::new(),
            instances,
            has_config: false,
        };
        let root = plan
            .get("configuration")
            .and_then(|c| c.get("root_module"))
            .and_then(Json::as_object);
        if let Some(root) = root {
            r.has_config = true;
            r.index_module(String::new(), root);
        }
        r
    }

    fn index_module(&mut self, path: String, module: &'p Map<String, Json>) {
        for res in array(module.get("resources")) {
            let Some(res) = res.as_object() else { continue };
            if res.get("mode").and_then(Json::as_str) == Some("data") {
                continue;
            }
            if let Some(address) = res.get("address").and_then(Json::as_str) {
                self.resources
                    .insert((path.clone(), address.to_owned()), res);
            }
        }
        if let Some(calls) = module.get("module_calls").and_then(Json::as_object) {
            for (name, call) in calls {
                if let Some(child) = call.get("module").and_then(Json::as_object) {
                    let child_path = if path.is_empty() {
                        name.clone()
                    } else {
                        format!("{path}.{name}")
                    };
                    self.index_module(child_path, child);
                }
            }
        }
        self.modules.insert(path, module);
    }

    /// Whether the plan has a configuration section at all: without one, an unknown value
    /// cannot be told apart from an attribute the source does not state.
    pub fn has_config(&self) -> bool {
        self.has_config
    }

    /// The `expressions` of resource `type.name` in module `module`.
    pub fn expressions(&self, module: &[(String, String)], resource: &str) -> Option<&'p Json> {
        self.resources
            .get(&(config_path(module), resource.to_owned()))?
            .get("expressions")
    }

    /// The keys of the planned instances at `address` (without instance key).
    pub fn keys_of(&self, address: &str) -> &[String] {
        self.instances.get(address).map_or(&[], Vec::as_slice)
    }

    /// The `(absolute instance address, attribute)` pairs an expression's references name,
    /// in order; `None` when any reference cannot be followed to planned instances.
    pub fn targets(&self, refs: &[String], site: &Site) -> Option<Vec<(String, String)>> {
        self.targets_at(refs, site, 0)
    }

    fn targets_at(
        &self,
        refs: &[String],
        site: &Site,
        depth: usize,
    ) -> Option<Vec<(String, String)>> {
        if depth > MAX_DEPTH {
            return None;
        }
        let mut iteration = false;
        let mut resources: Vec<Mentioned> = Vec::new();
        let mut outputs: Vec<(String, String, String)> = Vec::new();
        let mut out = Vec::new();
        for r in refs {
            match parse_ref(r)? {
                Ref::Iteration => iteration = true,
                Ref::Var(name) => out.extend(self.var(site, &name, depth)?),
                Ref::ModuleCall => {}
                Ref::Output { call, key, output } => outputs.push((call, key, output)),
                Ref::Resource {
                    resource,
                    key,
                    attribute,
                } => {
                    let i = match resources.iter().position(|m| m.resource == resource) {
                        Some(i) => i,
                        None => {
                            resources.push(Mentioned {
                                resource,
                                instances: Vec::new(),
                                attribute: None,
                            });
                            resources.len() - 1
                        }
                    };
                    resources[i].add(key, attribute);
                }
            }
        }
        for (call, key, output) in outputs {
            out.extend(self.output(site, &call, &key, &output, depth)?);
        }
        let prefix = prefix(site.module);
        for Mentioned {
            resource,
            instances: specific,
            attribute: bare_attribute,
        } in resources
        {
            let address = format!("{prefix}{resource}");
            let keys = self.keys_of(&address);
            if keys.is_empty() {
                return None;
            }
            if !specific.is_empty() {
                for (k, attribute) in specific {
                    if !keys.contains(&k) {
                        return None;
                    }
                    out.push((format!("{address}{k}"), or_id(attribute)));
                }
                continue;
            }
            let attribute = or_id(bare_attribute.unwrap_or_default());
            if keys == [""] {
                out.push((address, attribute));
            } else if iteration {
                // `aws_subnet.a[count.index]`: the referring instance's own key, when both
                // resources are expanded over the same keys.
                if keys != site.peers || !keys.iter().any(|k| k == site.key) {
                    return None;
                }
                out.push((format!("{address}{}", site.key), attribute));
            } else {
                // A key-less reference to an expanded resource is a splat
                // (`aws_subnet.a[*].id`): every instance, in key order.
                out.extend(
                    keys.iter()
                        .map(|k| (format!("{address}{k}"), attribute.clone())),
                );
            }
        }
        Some(out)
    }

    /// `var.name` inside a module: the module call's argument, in the calling module.
    fn var(&self, site: &Site, name: &str, depth: usize) -> Option<Vec<(String, String)>> {
        let ((call, key), parent) = site.module.split_last()?;
        let refs = strings(
            self.modules
                .get(&config_path(parent))?
                .get("module_calls")?
                .get(call)?
                .get("expressions")?
                .get(name)?
                .get("references"),
        )?;
        let peers = self.keys_of(&format!("{}module.{call}", prefix(parent)));
        let caller = Site {
            module: parent,
            key,
            peers,
        };
        self.targets_at(&refs, &caller, depth + 1)
    }

    /// `module.call.output`: the output's expression, inside the called module.
    fn output(
        &self,
        site: &Site,
        call: &str,
        key: &str,
        output: &str,
        depth: usize,
    ) -> Option<Vec<(String, String)>> {
        let call_keys = self.keys_of(&format!("{}module.{call}", prefix(site.module)));
        // A key-less reference to an expanded module names several instances.
        if !call_keys.iter().any(|k| k == key) {
            return None;
        }
        let mut child = site.module.to_vec();
        child.push((call.to_owned(), key.to_owned()));
        let refs = strings(
            self.modules
                .get(&config_path(&child))?
                .get("outputs")?
                .get(output)?
                .get("expression")?
                .get("references"),
        )?;
        let inner = Site {
            module: &child,
            key: "",
            peers: &[],
        };
        self.targets_at(&refs, &inner, depth + 1)
    }
}

/// A resource an expression mentions, with what its references say about it.
struct Mentioned {
    /// `type.name`, module-relative.
    resource: String,
    /// Instance-specific forms (`aws_subnet.a[0].id`): `(key, attribute)`, in order.
    instances: Vec<(String, String)>,
    /// The attribute of a key-less form (`aws_vpc.a.id`).
    attribute: Option<String>,
}

impl Mentioned {
    fn add(&mut self, key: Option<String>, attribute: Option<String>) {
        match key {
            Some(k) => {
                let attribute = attribute.unwrap_or_default();
                // Terraform lists `x[0].id` then `x[0]`: keep the form with the attribute.
                match self.instances.iter_mut().find(|(ek, _)| *ek == k) {
                    Some((_, a)) if a.is_empty() => *a = attribute,
                    Some(_) => {}
                    None => self.instances.push((k, attribute)),
                }
            }
            None => {
                if self.attribute.is_none() {
                    self.attribute = attribute;
                }
            }
        }
    }
}

fn or_id(attribute: String) -> String {
    // A splat names no attribute; ids are what lists of references hold.
    if attribute.is_empty() {
        "id".into()
    } else {
        attribute
    }
}

/// The elements of a JSON array (none for anything else).
pub(super) fn array(v: Option<&Json>) -> &[Json] {
    v.and_then(Json::as_array).map_or(&[], Vec::as_slice)
}

/// A JSON array of strings.
pub(super) fn strings(v: Option<&Json>) -> Option<Vec<String>> {
    array(v)
        .iter()
        .map(|s| s.as_str().map(str::to_owned))
        .collect()
}

/// `module.a[0].module.b.` for a module path (empty for the root).
pub(super) fn prefix(module: &[(String, String)]) -> String {
    module
        .iter()
        .map(|(name, key)| format!("module.{name}{key}."))
        .collect()
}

/// The configuration's view of a module path: call names only (`a.b`).
fn config_path(module: &[(String, String)]) -> String {
    module
        .iter()
        .map(|(name, _)| name.as_str())
        .collect::<Vec<_>>()
        .join(".")
}

/// Splits an absolute module address (`module.a["x.y"].module.b`) into its path.
pub(super) fn module_path(address: &str) -> Option<ModulePath> {
    let mut path = Vec::new();
    let mut rest = address;
    while !rest.is_empty() {
        let after = rest.strip_prefix("module.")?;
        let (name, key, tail) = name_and_key(after)?;
        path.push((name.to_owned(), key.to_owned()));
        rest = match tail.strip_prefix('.') {
            Some(t) => t,
            None if tail.is_empty() => tail,
            None => return None,
        };
    }
    Some(path)
}

/// `name[key]rest` → (`name`, `[key]`, `rest`); the key is optional and may hold quoted
/// dots and brackets.
pub(super) fn name_and_key(s: &str) -> Option<(&str, &str, &str)> {
    let end = s.find(['.', '[']).unwrap_or(s.len());
    let (name, rest) = s.split_at(end);
    if name.is_empty() {
        return None;
    }
    if !rest.starts_with('[') {
        return Some((name, "", rest));
    }
    let mut in_string = false;
    let mut escaped = false;
    for (i, c) in rest.char_indices() {
        match c {
            _ if escaped => escaped = false,
            '\\' if in_string => escaped = true,
            '"' => in_string = !in_string,
            ']' if !in_string => return Some((name, &rest[..=i], &rest[i + 1..])),
            _ => {}
        }
    }
    None
}

/// One entry of an expression's `references`.
#[derive(Debug, PartialEq)]
enum Ref {
    /// `count.index`, `each.key`, `each.value`.
    Iteration,
    Var(String),
    /// `module.m` alone: always listed next to the `module.m.out` it contains.
    ModuleCall,
    Output {
        call: String,
        key: String,
        output: String,
    },
    /// A managed resource: `type.name`, an optional instance key, an optional attribute.
    Resource {
        resource: String,
        key: Option<String>,
        attribute: Option<String>,
    },
}

/// `None` for references that cannot be followed to resources: locals (the plan has no
/// values for them), data sources (not in the model), `path.*`, `terraform.*`, `self`.
fn parse_ref(r: &str) -> Option<Ref> {
    if matches!(r, "count.index" | "each.key" | "each.value") {
        return Some(Ref::Iteration);
    }
    if let Some(name) = r.strip_prefix("var.") {
        let (name, _, _) = name_and_key(name)?;
        return Some(Ref::Var(name.to_owned()));
    }
    if let Some(rest) = r.strip_prefix("module.") {
        let (call, key, tail) = name_and_key(rest)?;
        let Some(tail) = tail.strip_prefix('.') else {
            return Some(Ref::ModuleCall);
        };
        let (output, _, _) = name_and_key(tail)?;
        return Some(Ref::Output {
            call: call.to_owned(),
            key: key.to_owned(),
            output: output.to_owned(),
        });
    }
    let (rtype, _, rest) = name_and_key(r)?;
    if matches!(
        rtype,
        "local" | "data" | "path" | "terraform" | "self" | "count" | "each"
    ) {
        return None;
    }
    let (name, key, tail) = name_and_key(rest.strip_prefix('.')?)?;
    let attribute = match tail.strip_prefix('.') {
        Some(t) => Some(name_and_key(t)?.0.to_owned()),
        None => None,
    };
    Some(Ref::Resource {
        resource: format!("{rtype}.{name}"),
        key: (!key.is_empty()).then(|| key.to_owned()),
        attribute,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn references_parse() {
        assert_eq!(parse_ref("count.index"), Some(Ref::Iteration));
        assert_eq!(parse_ref("var.subnet"), Some(Ref::Var("subnet".into())));
        assert_eq!(parse_ref("local.x"), None);
        assert_eq!(parse_ref("data.aws_vpc.x.id"), None);
        assert_eq!(parse_ref("module.net"), Some(Ref::ModuleCall));
        assert_eq!(
            parse_ref("module.net[0].subnet_id"),
            Some(Ref::Output {
                call: "net".into(),
                key: "[0]".into(),
                output: "subnet_id".into()
            })
        );
        assert_eq!(
            parse_ref("aws_subnet.a[\"x.y\"].id"),
            Some(Ref::Resource {
                resource: "aws_subnet.a".into(),
                key: Some("[\"x.y\"]".into()),
                attribute: Some("id".into())
            })
        );
        assert_eq!(
            module_path("module.a[\"x.y\"].module.b"),
            Some(vec![
                ("a".into(), "[\"x.y\"]".into()),
                ("b".into(), String::new())
            ])
        );
        assert_eq!(module_path("module."), None);
    }

    fn resolver(plan: &Json, instances: &[(&str, &[&str])]) -> Resolver<'static> {
        let plan: &'static Json = Box::leak(Box::new(plan.clone()));
        let instances = instances
            .iter()
            .map(|(a, ks)| (a.to_string(), ks.iter().map(|k| k.to_string()).collect()))
            .collect();
        Resolver::new(plan.as_object().unwrap(), instances)
    }

    fn refs(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn count_index_matches_only_the_same_keys() {
        let r = resolver(
            &json!({}),
            &[("aws_subnet.a", &["[0]", "[1]"]), ("aws_vpc.v", &[""])],
        );
        let peers = refs(&["[0]", "[1]"]);
        let site = Site {
            module: &[],
            key: "[1]",
            peers: &peers,
        };
        let indexed = refs(&["aws_subnet.a", "count.index"]);
        assert_eq!(
            r.targets(&indexed, &site),
            Some(vec![("aws_subnet.a[1]".into(), "id".into())])
        );
        let three = refs(&["[0]", "[1]", "[2]"]);
        let other = Site {
            peers: &three,
            ..site
        };
        assert_eq!(r.targets(&indexed, &other), None);
        // A splat: every instance.
        assert_eq!(
            r.targets(&refs(&["aws_subnet.a"]), &other).map(|t| t.len()),
            Some(2)
        );
        assert_eq!(
            r.targets(&refs(&["aws_vpc.v.id", "aws_vpc.v"]), &other),
            Some(vec![("aws_vpc.v".into(), "id".into())])
        );
        assert_eq!(r.targets(&refs(&["aws_vpc.gone.id"]), &other), None);
        assert_eq!(r.targets(&refs(&["local.ids"]), &other), None);
    }

    #[test]
    fn module_variables_follow_the_call() {
        let plan = json!({"configuration": {"root_module": {
            "module_calls": {"app": {
                "expressions": {"subnet_id": {"references": ["aws_subnet.a.id", "aws_subnet.a"]}},
                "module": {"resources": [{"address": "aws_instance.x", "expressions": {}}]}
            }}
        }}});
        let r = resolver(
            &plan,
            &[("aws_subnet.a", &[""]), ("module.app", &["[0]", "[1]"])],
        );
        let module = vec![("app".to_string(), "[1]".to_string())];
        let site = Site {
            module: &module,
            key: "",
            peers: &[],
        };
        assert_eq!(
            r.targets(&refs(&["var.subnet_id"]), &site),
            Some(vec![("aws_subnet.a".into(), "id".into())])
        );
        assert!(r.expressions(&module, "aws_instance.x").is_some());
    }
}
