//! Terraform plan JSON (`terraform show -json`): planned values, resource changes and the
//! configuration block that gives source locations.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sagescan_model::Model;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let mut model = Model::default();
        sagescan_load::plan::load_plan(&mut model, "plan.json", text);
        model.finish();
        std::hint::black_box(model);
    }
});
