//! Suricata rules of a Network Firewall stateful rule group: parsed, then every rule read
//! for its meaning, as the reachability engine does.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sagescan_reach::nfw::suricata;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let rules = suricata::parse(text);
        for rule in &rules.rules {
            std::hint::black_box((rule.interpret(), rule.header()));
        }
    }
});
