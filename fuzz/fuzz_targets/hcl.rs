//! Terraform HCL: one `.tf` file, parsed, evaluated (locals, variables, `count`/`for_each`,
//! functions) and mapped to the model. Local module calls are not followed (the input must
//! be the only input), so they become coverage gaps like any other unresolvable source.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // Non-UTF-8 is rejected before parsing by the file reader; the parser never sees it.
    if let Ok(text) = std::str::from_utf8(data) {
        let model = sagescan_load::load_terraform_texts(&[("main.tf", text)], &[]);
        std::hint::black_box(model);
    }
});
