//! CDK cloud assemblies (`cdk.out`): which local file a nested stack's S3 `TemplateURL`
//! points at.
//!
//! `cdk synth` writes each stack to `<Stack>.template.json` and each nested stack to a file
//! asset (`<Name>NestedStack<…>.nested.template.json`) that `cdk deploy` uploads to S3. The
//! parent's `TemplateURL` then names the S3 object (`Fn::Join` of `https://s3.`, the region,
//! the bucket and a literal `<hash>.json`), not the local file. The assembly's
//! `manifest.json` lists the stacks (`aws:cloudformation:stack` artifacts, with their
//! `properties.templateFile`) and the asset manifests (`cdk:asset-manifest` artifacts,
//! `properties.file`); an asset manifest maps each file asset (`files.<hash>`) from
//! `source.path` to `destinations.*.objectKey`. See the cloud assembly schema:
//! <https://github.com/aws/aws-cdk/tree/main/packages/%40aws-cdk/cloud-assembly-schema>.
//!
//! Manifests are machine-written plain JSON, so `serde_json` reads them (its errors carry
//! the line and column); `tree.json` and the manifests themselves have no `Resources` and
//! are skipped as templates by the loader.

use super::Template;
use sagescan_model::{CoverageGap, FileSpan, Model, Origin, SourceFile};
use serde_json::Value as Json;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// File assets of every cloud assembly among the scanned files, by S3 object name.
#[derive(Debug, Default)]
pub(crate) struct Assets {
    /// The object key's last segment (`<hash>.json`) and the bare asset hash → the local
    /// file. Asset hashes are content hashes, so two assemblies that share one share the
    /// same content.
    by_key: HashMap<String, PathBuf>,
}

impl Assets {
    /// The local file uploaded as the S3 object whose name (the last segment of its key or
    /// URL, `<hash>.json`) is `name`.
    pub(crate) fn find(&self, name: &str) -> Option<&Path> {
        let hash = name.rsplit_once('.').map_or(name, |(stem, _)| stem);
        self.by_key
            .get(name)
            .or_else(|| self.by_key.get(hash))
            .map(PathBuf::as_path)
    }
}

/// Reads the cloud assembly manifests among `templates` (files named `manifest.json` with
/// `version` and `artifacts`) and their asset manifests. A manifest or asset manifest that
/// cannot be read, or a stack whose template file is missing, is a coverage gap (with its
/// source, for the snippet).
pub(crate) fn assemblies(model: &mut Model, templates: &[Template]) -> Assets {
    let mut assets = Assets::default();
    for t in templates {
        if t.path.file_name().is_none_or(|n| n != "manifest.json") {
            continue;
        }
        let manifest = match serde_json::from_str::<Json>(&t.text) {
            Ok(json) => json,
            // Only a gap when it looks like a cloud assembly: other tools write
            // `manifest.json` files too.
            Err(e) if t.text.contains("\"artifacts\"") => {
                problem(model, &t.display, &t.text, "parse-error", &e);
                continue;
            }
            Err(_) => continue,
        };
        let (Some(_), Some(Json::Object(artifacts))) =
            (manifest.get("version"), manifest.get("artifacts"))
        else {
            continue;
        };
        let dir = t.path.parent().unwrap_or(Path::new(""));
        let display_dir = Path::new(&t.display).parent().unwrap_or(Path::new(""));
        for (name, artifact) in artifacts {
            let kind = artifact.get("type").and_then(Json::as_str);
            let property = |key| {
                artifact
                    .get("properties")
                    .and_then(|p| p.get(key))
                    .and_then(Json::as_str)
            };
            match (kind, property("templateFile"), property("file")) {
                (Some("aws:cloudformation:stack"), Some(file), _) if !dir.join(file).is_file() => {
                    gap(
                        model,
                        "io-error",
                        format!(
                            "{}: stack {name}: template file {file} not found",
                            t.display
                        ),
                        Origin::None,
                    );
                }
                (Some("cdk:asset-manifest"), _, Some(file)) => {
                    let display = display_dir.join(file).to_string_lossy().into_owned();
                    asset_manifest(model, &mut assets, dir, &dir.join(file), &display);
                }
                _ => {}
            }
        }
    }
    assets
}

/// Adds the file assets of one asset manifest (`<Stack>.assets.json`).
fn asset_manifest(model: &mut Model, assets: &mut Assets, dir: &Path, path: &Path, display: &str) {
    // The manifest names the file, so it may name anything: a FIFO, `/dev/zero`.
    let text = match sagescan_fs::read_text(
        path,
        crate::plan::MAX_PLAN_SIZE as u64,
        sagescan_fs::Named::ByInput,
    ) {
        Ok(text) => text,
        Err(e) => {
            let message = format!("{display}: {e}");
            gap(model, "io-error", message, Origin::None);
            return;
        }
    };
    let manifest = match serde_json::from_str::<Json>(&text) {
        Ok(json) => json,
        Err(e) => {
            problem(model, display, &text, "parse-error", &e);
            return;
        }
    };
    let files = manifest.get("files").and_then(Json::as_object);
    for (hash, asset) in files.into_iter().flatten() {
        let Some(source) = asset.pointer("/source/path").and_then(Json::as_str) else {
            continue;
        };
        let local = dir.join(source);
        assets.by_key.insert(hash.clone(), local.clone());
        let destinations = asset.get("destinations").and_then(Json::as_object);
        for d in destinations.into_iter().flat_map(|d| d.values()) {
            if let Some(key) = d.get("objectKey").and_then(Json::as_str) {
                let name = key.rsplit('/').next().unwrap_or(key);
                assets.by_key.insert(name.to_owned(), local.clone());
            }
        }
    }
}

fn gap(model: &mut Model, kind: &str, message: String, origin: Origin) {
    model.gaps.push(CoverageGap {
        config: None,
        kind: kind.into(),
        message,
        origin,
    });
}

/// A manifest `serde_json` could not read: a gap at the line and column it reports.
fn problem(model: &mut Model, display: &str, text: &str, kind: &str, e: &serde_json::Error) {
    let (line, column) = (e.line().max(1), e.column().max(1));
    // serde_json gives no byte offset; recover it from the line and column for the snippet.
    let start = text
        .split_inclusive('\n')
        .take(line - 1)
        .map(str::len)
        .sum::<usize>()
        + column
        - 1;
    let start = start.min(text.len()) as u32;
    gap(
        model,
        kind,
        format!("not a valid CDK manifest: {e}"),
        Origin::File(FileSpan {
            file: display.into(),
            start,
            end: start,
            line: line as u32,
            column: column as u32,
        }),
    );
    model.sources.push(SourceFile {
        path: display.to_owned(),
        text: text.to_owned(),
    });
}
