//! Helpers shared by the engine's integration tests: load a fixture module, ask the engine
//! a question about a workload, and read the answer's hops.

#![allow(dead_code)] // Each test binary uses its own subset.

use sagescan_model::{Model, Topology};
use sagescan_reach::{Answer, Decision, Destination, Direction, Engine, Hop, Workload};
use std::path::{Path, PathBuf};

/// The directory of fixture `name` under `tests/fixtures`.
pub fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

/// Loads a Terraform directory into a finished model; panics (a test failure) when the
/// fixture cannot be loaded at all or left coverage gaps, which would make the engine's
/// verdicts about the loader rather than about the network.
pub fn load(dir: &Path) -> Model {
    let model = sagescan_load::load(&[dir.to_path_buf()], &Default::default())
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
    assert!(
        model.gaps.is_empty(),
        "{}: coverage gaps {:#?}",
        dir.display(),
        model.gaps
    );
    model
}

/// Loads fixture `name`.
pub fn load_fixture(name: &str) -> Model {
    load(&fixture(name))
}

/// The workload whose address is `address`.
pub fn workload(model: &Model, address: &str) -> Workload {
    Workload::find(model, address).unwrap_or_else(|| {
        let all: Vec<String> = Workload::all(model)
            .into_iter()
            .map(|w| w.meta(model).address.clone())
            .collect();
        panic!("no workload {address} in {all:?}")
    })
}

/// Asks a fresh engine over `model` whether workload `from` reaches `to` (command-line form).
pub fn ask_dir(
    model: &Model,
    from: &str,
    to: &str,
    direction: Direction,
    platform: bool,
) -> Answer {
    let topology = Topology::new(model);
    let engine = Engine::new(model, &topology);
    let to = Destination::parse(to).expect("destination");
    let w = workload(model, from);
    // As `sagescan reach` answers: a configuration with coverage gaps proves nothing
    // unreachable (the checks leave that to the check engine).
    let a = engine.workload(w, &to, direction, platform);
    engine.unless_gaps(w.meta(model).config, a)
}

/// Egress from workload `from` to `to`.
pub fn ask(model: &Model, from: &str, to: &str) -> Answer {
    ask_dir(model, from, to, Direction::Egress, false)
}

/// The first hop of `hops` that made `decision`, with a readable failure otherwise.
pub fn first(hops: &[Hop], decision: Decision) -> &Hop {
    hops.iter()
        .find(|h| h.decision == decision)
        .unwrap_or_else(|| panic!("no {decision:?} hop in {}", render(hops)))
}

/// The hop of `hops` of kind `kind` whose rule mentions `needle`.
pub fn find<'a>(hops: &'a [Hop], kind: &str, needle: &str) -> &'a Hop {
    hops.iter()
        .find(|h| h.kind == kind && h.rule.contains(needle))
        .unwrap_or_else(|| panic!("no {kind} hop mentioning {needle:?} in {}", render(hops)))
}

/// The line a hop's origin points at (0 when it has no file origin).
pub fn line(h: &Hop) -> u32 {
    h.origin.file().map_or(0, |f| f.line)
}

/// The file name (last component) a hop's origin points at.
pub fn file_name(h: &Hop) -> String {
    h.origin
        .file()
        .map(|f| {
            Path::new(&*f.file)
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default()
        })
        .unwrap_or_default()
}

/// One line per hop, for failure messages.
pub fn render(hops: &[Hop]) -> String {
    let mut s = String::new();
    for h in hops {
        s.push_str(&format!(
            "\n  {:?} {} [{}] {} (line {})",
            h.decision,
            h.resource,
            h.kind,
            h.rule,
            line(h)
        ));
    }
    s
}

/// The whole answer, for failure messages.
pub fn explain(a: &Answer) -> String {
    format!(
        "verdict {:?}\npath:{}\nblocked_by:{}\nunknown_because:{}\nadmitted: {:#?}\nnotes: {:?}",
        a.verdict,
        render(&a.path),
        render(&a.blocked_by),
        render(&a.unknown_because),
        a.admitted
            .iter()
            .map(|x| format!(
                "{} {:?} {} inspected={}",
                x.protocol, x.port, x.application, x.inspected
            ))
            .collect::<Vec<_>>(),
        a.notes
    )
}

/// The 1-based line of fixture `name`'s `main.tf` where `needle` first occurs, so that tests
/// check a hop's location against the fixture text rather than a hard-coded number.
pub fn line_of(name: &str, needle: &str) -> u32 {
    let text = std::fs::read_to_string(fixture(name).join("main.tf")).expect("fixture text");
    let i = text
        .lines()
        .position(|l| l.contains(needle))
        .unwrap_or_else(|| panic!("{name}/main.tf has no line with {needle:?}"));
    i as u32 + 1
}

/// The position in the path of the first hop of kind `kind`.
pub fn position(hops: &[Hop], kind: &str) -> usize {
    hops.iter()
        .position(|h| h.kind == kind)
        .unwrap_or_else(|| panic!("no {kind} hop in {}", render(hops)))
}
