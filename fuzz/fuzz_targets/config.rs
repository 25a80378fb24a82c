//! `sagescan.toml`: parsed and validated in one pass by the binary's own `config` module,
//! compiled in here from its source because the binary has no library target.
#![no_main]

#[allow(dead_code)]
#[path = "../../crates/sagescan/src/config/mod.rs"]
mod config;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        match config::parse("sagescan.toml", text) {
            Ok(config) => {
                // The validated configuration must also turn into a policy.
                std::hint::black_box(config::policy(&config, &[]));
            }
            Err(problems) => {
                for p in &problems {
                    std::hint::black_box(p.to_string());
                }
            }
        }
    }
});
