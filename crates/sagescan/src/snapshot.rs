//! Snapshots: the model of a live scan serialized to JSON (`sagescan collect`), replayed
//! offline by `sagescan scan SNAPSHOT.json` with byte-identical findings.
//!
//! The format is the model's own serde form under a marker field, so a snapshot is told
//! apart from a CloudFormation template or a plan by content, as every other input is.

use anyhow::{Context as _, Result, bail};
use sagescan_model::Model;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// The snapshot format version this build reads and writes.
pub const VERSION: u32 = 1;

/// The largest snapshot read: a whole organization's model is tens of megabytes.
const MAX_SNAPSHOT_BYTES: u64 = 4 << 30;

/// Field order matters only for reading by eye: the marker comes first.
#[derive(Serialize, Deserialize)]
struct Snapshot {
    sagescan_snapshot: u32,
    model: Model,
}

pub(crate) fn to_json(model: &Model) -> Result<String> {
    let snapshot = Snapshot {
        sagescan_snapshot: VERSION,
        model: model.clone(),
    };
    let mut text = serde_json::to_string(&snapshot).context("serializing the snapshot")?;
    text.push('\n');
    Ok(text)
}

/// The model of `paths` if they name one snapshot file; `None` if none of them is one.
/// A snapshot is a whole scan of its own, so it cannot be mixed with other inputs.
pub(crate) fn load_if_snapshot(paths: &[PathBuf]) -> Result<Option<Model>> {
    let snapshots: Vec<&PathBuf> = paths.iter().filter(|p| is_snapshot(p)).collect();
    match (snapshots.as_slice(), paths.len()) {
        ([], _) => Ok(None),
        ([one], 1) => read(one).map(Some),
        _ => bail!("a snapshot is replayed on its own: pass it as the only PATH"),
    }
}

/// A `.json` file that opens with the marker field. Only the head is read: a plan or a
/// large template is not read twice to find out it is not a snapshot.
fn is_snapshot(path: &Path) -> bool {
    use std::io::Read as _;
    if path.extension().is_none_or(|e| e != "json") || !path.is_file() {
        return false;
    }
    let mut head = [0u8; 64];
    let n = std::fs::File::open(path)
        .and_then(|mut f| f.read(&mut head))
        .unwrap_or(0);
    let head = String::from_utf8_lossy(&head[..n]);
    let head: String = head.chars().filter(|c| !c.is_whitespace()).collect();
    head.starts_with("{\"sagescan_snapshot\":")
}

fn read(path: &Path) -> Result<Model> {
    // Named on the command line, so it may be a pipe; still bounded, as every read is.
    let text = sagescan_fs::read_text(path, MAX_SNAPSHOT_BYTES, sagescan_fs::Named::ByUser)
        .with_context(|| format!("reading {}", path.display()))?;
    let snapshot: Snapshot = serde_json::from_str(&text)
        .with_context(|| format!("{} is not a valid sagescan snapshot", path.display()))?;
    if snapshot.sagescan_snapshot != VERSION {
        bail!(
            "{}: snapshot format {} is not supported (this sagescan reads {VERSION})",
            path.display(),
            snapshot.sagescan_snapshot
        );
    }
    let mut model = snapshot.model;
    model.finish();
    Ok(model)
}
