//! `sagescan reach` and the NET checks end to end on configurations where "not reachable"
//! was once claimed although traffic gets out (issue 18). The fixtures are the engine's
//! (crates/sagescan-reach/tests/fixtures); here the binary's verdict, exit code (0 only for
//! not reachable) and reason are checked, and `scan` must not pass NET101/NET106 where
//! reach cannot prove the workload closed — the checks share the engine.

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../sagescan-reach/tests/fixtures")
}

fn run(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_sagescan"))
        .current_dir(fixtures())
        .args(args)
        .env("NO_COLOR", "1")
        .output()
        .expect("the sagescan binary runs");
    (
        out.status.code().expect("exited"),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

/// `reach --format json`: exit code and answer.
fn reach(fixture: &str, from: &str, to: &str) -> (i32, Value) {
    let (code, out, err) = run(&[
        "reach", "--from", from, "--to", to, "--format", "json", fixture,
    ]);
    let v = serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {out}{err}"));
    (code, v)
}

/// The `(code, status)` of every NET101/NET106 finding of `scan` (a pass has none).
fn net_findings(fixture: &str) -> Vec<(String, String)> {
    let (_, out, err) = run(&[
        "scan",
        fixture,
        "--no-store",
        "--format",
        "json",
        "--checks",
        "NET101,NET106",
    ]);
    let v: Value = serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {out}{err}"));
    v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["code"].as_str().unwrap().to_string(),
                f["status"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

/// Neither check passes: each has a finding (fail or inconclusive).
fn assert_net_checks_do_not_pass(fixture: &str) {
    let f = net_findings(fixture);
    for code in ["NET101", "NET106"] {
        assert!(
            f.iter().any(|(c, _)| c == code),
            "{fixture}: {code} passes: {f:?}"
        );
    }
}

fn reasons(a: &Value, key: &str) -> String {
    a[key]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| format!("{} {}\n", h["resource"], h["rule"]))
        .collect()
}

const NB: &str = "aws_sagemaker_notebook_instance.nb";

#[test]
fn a_file_that_does_not_parse_makes_reach_unknown_exit_1_naming_the_file() {
    let (code, a) = reach("gap_hides_route", NB, "internet");
    assert_eq!(a["verdict"], "unknown", "{a:#}");
    assert_eq!(code, 1, "unknown is not a proof: exit 1");
    let why = reasons(&a, "unknown_because");
    assert!(
        why.contains("routes.tf") && why.contains("coverage gap"),
        "{why}"
    );
    // The text report names the file too.
    let (code, text, _) = run(&["reach", "--from", NB, "--to", "internet", "gap_hides_route"]);
    assert_eq!(code, 1);
    assert!(text.contains("routes.tf"), "{text}");
    // The checks agree: neither passes, and they name the gap.
    assert_net_checks_do_not_pass("gap_hides_route");
    let (_, out, _) = run(&[
        "scan",
        "gap_hides_route",
        "--no-store",
        "--format",
        "json",
        "--checks",
        "NET101",
    ]);
    assert!(out.contains("routes.tf"), "{out}");
}

#[test]
fn a_domain_reached_by_ssh_is_reachable_like_the_internet() {
    for to in ["internet:22", "domain:evil.example:22"] {
        let (code, a) = reach("domain_unnamed_traffic", "Notebook", to);
        assert_eq!(a["verdict"], "reachable", "{to}: {a:#}");
        assert_eq!(code, 1, "{to}");
    }
    let (_, a) = reach(
        "domain_unnamed_traffic",
        "Notebook",
        "domain:evil.example:22",
    );
    let apps: Vec<&str> = a["admitted"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["application"].as_str().unwrap())
        .collect();
    assert_eq!(apps, ["other"], "{a:#}");
}

#[test]
fn a_route_on_the_main_table_named_through_the_vpc_is_followed() {
    let (code, a) = reach("main_table_standalone_route", NB, "internet");
    assert_eq!(a["verdict"], "reachable", "{a:#}");
    assert_eq!(code, 1);
    assert!(
        reasons(&a, "path").contains("aws_vpc.net.main_route_table_id"),
        "{a:#}"
    );
    assert_net_checks_do_not_pass("main_table_standalone_route");
}

#[test]
fn the_internet_routed_in_pieces_is_reachable_and_says_which_piece() {
    let (code, a) = reach("split_default_route", NB, "internet");
    assert_eq!(a["verdict"], "reachable", "{a:#}");
    assert_eq!(code, 1);
    let notes = a["notes"].to_string();
    assert!(
        notes.contains("0.0.0.0/1") && notes.contains("128.0.0.0/1"),
        "{notes}"
    );
    assert_net_checks_do_not_pass("split_default_route");

    let (code, a) = reach("partial_internet_route", NB, "internet");
    assert_eq!(a["verdict"], "reachable", "{a:#}");
    assert_eq!(code, 1);
    assert!(a["notes"].to_string().contains("8.8.8.0/24"), "{a:#}");
    let (_, a) = reach("partial_internet_route", NB, "cidr:8.8.8.8/32:53");
    assert_eq!(a["verdict"], "reachable", "{a:#}");
    assert_net_checks_do_not_pass("partial_internet_route");
}

#[test]
fn a_firewall_before_the_nat_gateway_is_symmetric_and_passes_443() {
    let (code, a) = reach("firewall_before_nat", NB, "internet:443");
    assert_eq!(a["verdict"], "reachable", "{a:#}");
    assert_eq!(code, 1);
    assert_eq!(a["asymmetric"].as_array().unwrap().len(), 0, "{a:#}");
    assert!(
        reasons(&a, "path").contains("aws_networkfirewall_firewall.fw"),
        "{a:#}"
    );
    // Port 443 to any host is not a domain allow-list: NET106 fails.
    let f = net_findings("firewall_before_nat");
    assert!(f.iter().any(|(c, s)| c == "NET106" && s == "fail"), "{f:?}");
}

#[test]
fn propagated_vgw_routes_and_ipv6_egress_are_unknown_exit_1() {
    for (fixture, needle) in [
        ("vgw_propagation", "propagated by aws_vpn_gateway.vgw"),
        (
            "vgw_propagation_resource",
            "propagated by aws_vpn_gateway.vgw",
        ),
        ("ipv6_egress_only_gateway", "IPv6 route ::/0"),
    ] {
        let (code, a) = reach(fixture, NB, "internet");
        assert_eq!(a["verdict"], "unknown", "{fixture}: {a:#}");
        assert_eq!(code, 1, "{fixture}");
        let why = reasons(&a, "unknown_because");
        assert!(why.contains(needle), "{fixture}: {why}");
        assert_net_checks_do_not_pass(fixture);
    }
}
