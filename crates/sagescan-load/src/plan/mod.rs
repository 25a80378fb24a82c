//! The Terraform plan JSON loader (`terraform show -json plan.out`).
//!
//! A plan is Terraform's own evaluation of a configuration, so this loader does not
//! evaluate anything: it converts each planned resource instance (`planned_values`, root
//! and child modules, or `resource_changes[].change.after` when a plan has no planned
//! values) into the HCL loader's evaluated form ([`crate::terraform::ir::Instance`]) and
//! hands it to the same mapper ([`crate::terraform::map::map_instances`]). Plan and HCL
//! sources of one scenario therefore give the same model by construction: the same
//! addresses, defaults and folding of standalone rules.
//!
//! What a plan lacks is filled in as follows: values known only after apply
//! (`after_unknown`) become references through the `configuration` section's expressions
//! ([`config`]) or Unknown ([`convert`]); the shape of arrays comes from a small table
//! ([`schema`]); source locations point into the plan file ([`lines`]).
//!
//! Sensitive values (`sensitive_values`) are printed in the plan and none of the attributes
//! sagescan reads is a secret, so they are read like any other value.

mod config;
mod convert;
mod lines;
mod schema;

use config::{ModulePath, Resolver, array, module_path, prefix};
use convert::Planned;
use sagescan_model::{ConfigId, CoverageGap, FileSpan, Model, Origin, SourceFile};
use serde_json::{Map, Value as Json};
use std::collections::HashMap;
use std::sync::Arc;

/// Largest plan read. Plans of large estates run to tens of megabytes; beyond this the
/// file is reported as a gap rather than parsed into memory several times its size.
pub const MAX_PLAN_SIZE: usize = 256 << 20;

/// Why a plan file could not be read at all.
#[derive(Debug, thiserror::Error)]
enum PlanError {
    #[error("{file}: invalid JSON: {source}")]
    Json {
        file: Arc<str>,
        source: serde_json::Error,
    },
    #[error("{file}: {len} bytes exceeds the {MAX_PLAN_SIZE}-byte limit")]
    TooLarge { file: Arc<str>, len: usize },
    #[error("{file}: plan format_version {version} is not supported (1.x is)")]
    Version { file: Arc<str>, version: String },
    #[error("{file}: not a Terraform plan: the top level is not a JSON object")]
    NotObject { file: Arc<str> },
}

impl PlanError {
    fn kind(&self) -> &'static str {
        match self {
            PlanError::Json { .. } | PlanError::NotObject { .. } => "parse-error",
            PlanError::TooLarge { .. } | PlanError::Version { .. } => "unsupported",
        }
    }
}

/// A cheap sniff: does `text` look like `terraform show -json` output of a plan (a JSON
/// object with `format_version` and `planned_values` or `resource_changes`)? State files
/// (`values`, no planned values) and other JSON are not plans.
pub fn is_plan(text: &str) -> bool {
    // A byte order mark (PowerShell 5.1 writes one) does not make it something else.
    text.trim_start_matches('\u{feff}')
        .trim_start()
        .starts_with('{')
        && text.contains("\"format_version\"")
        && (text.contains("\"planned_values\"") || text.contains("\"resource_changes\""))
}

/// Loads one plan file as a configuration of its own (`terraform-plan`): its text goes to
/// `model.sources`, its resources through the Terraform mapper, and whatever cannot be
/// read becomes a coverage gap with a line and column. Does not call [`Model::finish`].
pub fn load_plan(model: &mut Model, display: &str, text: &str) {
    // Offsets count from after a byte order mark, which no JSON parser accepts.
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let config = model.add_config(display, "terraform-plan");
    model.sources.push(SourceFile {
        path: display.to_owned(),
        text: text.to_owned(),
    });
    let file: Arc<str> = display.into();
    if let Err(e) = load(model, config, &file, text) {
        let origin = match &e {
            PlanError::Json { source, .. } => at_line(&file, text, source.line(), source.column()),
            _ => lines::file_start(&file),
        };
        model.gaps.push(CoverageGap {
            config: Some(config),
            kind: e.kind().into(),
            message: e.to_string(),
            origin,
        });
    }
}

fn load(model: &mut Model, config: ConfigId, file: &Arc<str>, text: &str) -> Result<(), PlanError> {
    if text.len() > MAX_PLAN_SIZE {
        return Err(PlanError::TooLarge {
            file: file.clone(),
            len: text.len(),
        });
    }
    // serde_json refuses nesting deeper than 128 levels, so hostile input cannot exhaust
    // the stack here or in the recursive walks below, which follow the parsed value.
    let plan: Json = serde_json::from_str(text).map_err(|source| PlanError::Json {
        file: file.clone(),
        source,
    })?;
    let Some(plan) = plan.as_object() else {
        return Err(PlanError::NotObject { file: file.clone() });
    };
    if let Some(version) = plan.get("format_version").and_then(Json::as_str)
        && !version.starts_with("1.")
    {
        return Err(PlanError::Version {
            file: file.clone(),
            version: version.to_owned(),
        });
    }
    let mut skipped = Vec::new();
    let planned = planned(plan, &mut skipped);
    let resolver = Resolver::new(plan, instance_keys(&planned));
    let origins = lines::address_origins(file, text);
    let instances: Vec<_> = planned
        .iter()
        .map(|p| {
            let origin = origins
                .get(&p.address)
                .cloned()
                .unwrap_or_else(|| lines::file_start(file));
            convert::instance(p, &resolver, config, origin)
        })
        .collect();
    for what in skipped {
        model.gaps.push(CoverageGap {
            config: Some(config),
            kind: "parse-error".into(),
            message: format!("{file}: {what}"),
            origin: lines::file_start(file),
        });
    }
    crate::terraform::map::map_instances(model, &instances);
    Ok(())
}

/// Every planned managed resource instance. `skipped` collects entries that are not
/// well-formed resources.
fn planned<'p>(plan: &'p Map<String, Json>, skipped: &mut Vec<String>) -> Vec<Planned<'p>> {
    let unknown: HashMap<&str, &Json> = array(plan.get("resource_changes"))
        .iter()
        .filter(|rc| rc.get("deposed").is_none())
        .filter_map(|rc| {
            let change = rc.get("change")?;
            Some((rc.get("address")?.as_str()?, change.get("after_unknown")?))
        })
        .collect();
    let mut out = Vec::new();
    if let Some(root) = plan
        .get("planned_values")
        .and_then(|p| p.get("root_module"))
    {
        walk_module(root, Vec::new(), &unknown, &mut out, skipped);
    } else {
        // No planned values: a plan with changes only; `after` is the planned state.
        for rc in array(plan.get("resource_changes")) {
            if rc.get("deposed").is_some() {
                continue;
            }
            let after = rc.get("change").and_then(|c| c.get("after"));
            // A destroyed resource has `after: null`: it will not exist.
            if after.is_some_and(Json::is_null) {
                continue;
            }
            let module = rc
                .get("module_address")
                .and_then(Json::as_str)
                .unwrap_or("");
            match module_path(module) {
                Some(path) => push(rc, after, path, &unknown, &mut out, skipped),
                None => skipped.push(format!("module address {module:?} is not valid")),
            }
        }
    }
    out
}

fn walk_module<'p>(
    module: &'p Json,
    path: ModulePath,
    unknown: &HashMap<&str, &'p Json>,
    out: &mut Vec<Planned<'p>>,
    skipped: &mut Vec<String>,
) {
    for res in array(module.get("resources")) {
        push(res, res.get("values"), path.clone(), unknown, out, skipped);
    }
    for child in array(module.get("child_modules")) {
        let address = child.get("address").and_then(Json::as_str).unwrap_or("");
        match module_path(address).filter(|p| !p.is_empty()) {
            Some(child_path) => walk_module(child, child_path, unknown, out, skipped),
            None => skipped.push(format!("module address {address:?} is not valid")),
        }
    }
}

fn push<'p>(
    res: &'p Json,
    values: Option<&'p Json>,
    module: ModulePath,
    unknown: &HashMap<&str, &'p Json>,
    out: &mut Vec<Planned<'p>>,
    skipped: &mut Vec<String>,
) {
    let field = |name: &str| res.get(name).and_then(Json::as_str);
    if field("mode").is_some_and(|m| m != "managed") {
        return;
    }
    let (Some(address), Some(rtype), Some(name)) = (field("address"), field("type"), field("name"))
    else {
        skipped.push("a planned resource has no address, type or name".into());
        return;
    };
    let resource = format!("{rtype}.{name}");
    let key = address
        .strip_prefix(&prefix(&module))
        .and_then(|rel| rel.strip_prefix(&resource))
        .filter(|k| k.is_empty() || (k.starts_with('[') && k.ends_with(']')));
    let Some(key) = key else {
        skipped.push(format!(
            "{address}: address does not match its module, type and name"
        ));
        return;
    };
    static EMPTY: std::sync::LazyLock<Map<String, Json>> = std::sync::LazyLock::new(Map::new);
    out.push(Planned {
        address: address.to_owned(),
        rtype: rtype.to_owned(),
        resource,
        key: key.to_owned(),
        module,
        // A resource with no known value at all prints `values: {}` or nothing.
        values: values.and_then(Json::as_object).unwrap_or(&EMPTY),
        unknown: unknown.get(address).copied(),
    });
}

/// Address without instance key → the keys of its planned instances, for resources and
/// module calls, in key order (`count` indexes numerically).
fn instance_keys(planned: &[Planned]) -> HashMap<String, Vec<String>> {
    let mut keys: HashMap<String, Vec<String>> = HashMap::new();
    for p in planned {
        let module = prefix(&p.module);
        keys.entry(format!("{module}{}", p.resource))
            .or_default()
            .push(p.key.clone());
        for depth in 0..p.module.len() {
            let (call, key) = &p.module[depth];
            keys.entry(format!("{}module.{call}", prefix(&p.module[..depth])))
                .or_default()
                .push(key.clone());
        }
    }
    for list in keys.values_mut() {
        // Numbers first, ascending; then string keys in order.
        list.sort_by_key(|k| (index(k).is_none(), index(k), k.clone()));
        list.dedup();
    }
    keys
}

/// The number in a `count` key (`[3]`).
fn index(key: &str) -> Option<u64> {
    key.strip_prefix('[')?.strip_suffix(']')?.parse().ok()
}

/// The origin of 1-based `line`:`column` of `text` (as serde_json reports errors).
fn at_line(file: &Arc<str>, text: &str, line: usize, column: usize) -> Origin {
    let line_start = text
        .split_inclusive('\n')
        .take(line.saturating_sub(1))
        .map(str::len)
        .sum::<usize>();
    let start = (line_start + column.saturating_sub(1)).min(text.len());
    let clamp = |n: usize| u32::try_from(n).unwrap_or(u32::MAX);
    Origin::File(FileSpan {
        file: file.clone(),
        start: clamp(start),
        end: clamp(start),
        line: clamp(line.max(1)),
        column: clamp(column.max(1)),
    })
}
