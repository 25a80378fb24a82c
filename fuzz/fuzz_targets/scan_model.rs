//! The whole scan pipeline after loading, on a model generated from the input: the input
//! is a serialized model (the snapshot form), which is indexed, judged by every check
//! (reachability included) and rendered as the JSON and the text report.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sagescan_checks::{CHECKS, Options};
use sagescan_model::Model;
use sagescan_report::{Emitter, Json, Report, Text, Tool};

const TOOL: Tool<'static> = Tool {
    name: "sagescan",
    version: "fuzz",
};

fuzz_target!(|data: &[u8]| {
    let Ok(mut model) = serde_json::from_slice::<Model>(data) else {
        return;
    };
    model.finish();
    let run = sagescan_checks::run(&model, CHECKS, &Options::default());
    let report = Report::new(TOOL, &model, &run);
    let mut out = Vec::new();
    Json.emit(&report, &mut out).expect("writing to memory");
    Text::default().emit(&report, &mut out).expect("writing to memory");
    std::hint::black_box(out);
});
