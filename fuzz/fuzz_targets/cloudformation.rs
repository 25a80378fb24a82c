//! CloudFormation templates, YAML (with short-form intrinsics) or JSON, told apart by
//! content as the loader does for files. The template sits in a directory that does not
//! exist, so a nested stack's `TemplateURL` finds nothing to read and becomes a gap.
//! YAML aliases are bounded by node count and by expanded bytes (the scalar text copied
//! each time an alias expands, 64 MiB): past either the file is a gap, so no input of
//! `-max_len` can allocate without bound (`seed.sh` seeds one at the byte budget's edge,
//! and the run's `-rss_limit_mb` makes any input that gets past it a crash).
#![no_main]

use libfuzzer_sys::fuzz_target;
use sagescan_load::cloudformation::{CfnOptions, Template, load_templates};
use sagescan_model::Model;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let template = Template {
            path: "/nonexistent-sagescan-fuzz/template.yaml".into(),
            display: "template.yaml".into(),
            text: text.to_string(),
        };
        let mut model = Model::default();
        load_templates(&mut model, &[template], &CfnOptions::default());
        model.finish();
        std::hint::black_box(model);
    }
});
