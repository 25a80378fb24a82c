//! `sagescan reach` and `sagescan graph` end to end on a compliant seed-style module
//! (tests/fixtures/seed): the notebook reaches the internet only for the allow-listed names on
//! tcp/443, through NAT → firewall endpoint → internet gateway, and an unlisted domain is
//! blocked by the allow-list's generated catch-all rule, named with its line.

use serde_json::Value;
use std::path::Path;
use std::process::Command;

fn sagescan(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_sagescan"))
        .current_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures"))
        .args(args)
        .output()
        .expect("the sagescan binary runs");
    (
        out.status.code().expect("exited"),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

const NOTEBOOK: &str = "aws_sagemaker_notebook_instance.main";

/// The checks' fixture of a domain with two user profiles (relative to tests/fixtures):
/// alice adds an open group, bob adds none.
const STUDIO_PROFILE: &str =
    "../../../sagescan-checks/src/net/workload_internet_egress_uninspected/studio_profile.tf";

fn json(args: &[&str]) -> (i32, Value) {
    let (code, out, err) = sagescan(args);
    (
        code,
        serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {out}{err}")),
    )
}

#[test]
fn compliant_notebook_reaches_only_allow_listed_names_on_443_through_nat_firewall_igw() {
    let (code, a) = json(&[
        "reach", "--from", NOTEBOOK, "--to", "internet", "--format", "json", "seed",
    ]);
    assert_eq!(code, 1, "reachable exits 1");
    assert_eq!(a["verdict"], "reachable");
    let admitted: Vec<String> = a["admitted"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| {
            format!(
                "{}/{} {}",
                x["protocol"].as_str().unwrap(),
                x["port"],
                x["application"].as_str().unwrap()
            )
        })
        .collect();
    assert_eq!(
        admitted,
        [
            "tcp/443 http host .pythonhosted.org",
            "tcp/443 http host github.com",
            "tcp/443 http host pypi.org",
            "tcp/443 tls sni .pythonhosted.org",
            "tcp/443 tls sni github.com",
            "tcp/443 tls sni pypi.org",
        ]
    );
    let kinds: Vec<&str> = a["path"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["kind"].as_str().unwrap())
        .collect();
    let at = |k: &str| {
        kinds
            .iter()
            .position(|x| *x == k)
            .unwrap_or_else(|| panic!("{k} in {kinds:?}"))
    };
    assert!(at("nat_gateway") < at("network_firewall"));
    assert!(at("network_firewall") < at("internet_gateway"));
    assert!(
        a["path"]
            .as_array()
            .unwrap()
            .iter()
            .all(|h| h["decision"] == "allow"),
        "a witness is admitted at every hop"
    );
    // The reply comes back through the same firewall endpoint.
    assert!(
        a["path"]
            .as_array()
            .unwrap()
            .iter()
            .any(|h| h["rule"].as_str().unwrap().starts_with("reply: edge route"))
    );
    assert_eq!(a["asymmetric"].as_array().unwrap().len(), 0);
}

#[test]
fn unlisted_domain_is_blocked_by_the_allow_list_catch_all_with_its_line() {
    let (code, a) = json(&[
        "reach",
        "--from",
        NOTEBOOK,
        "--to",
        "domain:evil.example:443",
        "--format",
        "json",
        "seed",
    ]);
    assert_eq!(code, 0, "not reachable exits 0");
    assert_eq!(a["verdict"], "not_reachable");
    let fw: Vec<&Value> = a["blocked_by"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|h| h["kind"] == "network_firewall")
        .collect();
    assert!(!fw.is_empty(), "{a:#}");
    assert!(
        fw.iter()
            .any(|h| h["rule"].as_str().unwrap().contains("catch-all drop tls")),
        "{fw:?}"
    );
    assert_eq!(fw[0]["location"]["file"], "seed/firewall.tf");
    assert_eq!(fw[0]["location"]["line"], 14);
}

#[test]
fn text_output_lists_hops_with_source_lines() {
    let (code, out, _) = sagescan(&[
        "reach",
        "--from",
        NOTEBOOK,
        "--to",
        "domain:evil.example",
        "seed",
    ]);
    assert_eq!(code, 0);
    assert!(
        out.starts_with(
            "aws_sagemaker_notebook_instance.main → domain:evil.example:443: not reachable"
        ),
        "{out}"
    );
    assert!(
        out.contains("✗ network_firewall aws_networkfirewall_firewall.main"),
        "{out}"
    );
    assert!(out.contains("seed/firewall.tf:14:"), "{out}");
}

#[test]
fn bad_arguments_are_errors_with_the_accepted_forms() {
    let (code, _, err) = sagescan(&["reach", "--from", NOTEBOOK, "--to", "moon", "seed"]);
    assert_eq!(code, 2);
    assert!(err.contains("expected internet[:PORT]"), "{err}");
    let (code, _, err) = sagescan(&[
        "reach",
        "--from",
        "aws_sagemaker_notebook_instance.nope",
        "--to",
        "internet",
        "seed",
    ]);
    assert_eq!(code, 2);
    assert!(
        err.contains("no SageMaker workload or subnet has this address"),
        "{err}"
    );
}

#[test]
fn graph_draws_the_vpc_with_the_path_highlighted() {
    let (code, out, err) = sagescan(&[
        "graph", "--format", "mermaid", "--from", NOTEBOOK, "--to", "internet", "seed",
    ]);
    assert_eq!(code, 0, "{err}");
    assert!(
        out.starts_with("flowchart") || out.contains("flowchart"),
        "{out}"
    );
    assert!(out.contains("aws_networkfirewall_firewall.main"), "{out}");
    let (code, dot, _) = sagescan(&["graph", "seed"]);
    assert_eq!(code, 0);
    assert!(
        dot.starts_with("digraph") || dot.contains("digraph"),
        "{dot}"
    );
}

/// Issue #7: a Studio user profile is a workload `--from` can name (by address or by its
/// name): alice's added group lets her out where bob, with the domain's groups only, is not.
#[test]
fn a_studio_user_profile_is_a_workload_and_runs_with_its_domain_groups_and_its_own() {
    let (code, a) = json(&[
        "reach",
        "--from",
        "alice",
        "--to",
        "internet",
        "--format",
        "json",
        STUDIO_PROFILE,
    ]);
    assert_eq!(code, 1, "reachable exits 1");
    assert_eq!(a["verdict"], "reachable");
    let (code, b) = json(&[
        "reach",
        "--from",
        "aws_sagemaker_user_profile.bob",
        "--to",
        "internet",
        "--format",
        "json",
        STUDIO_PROFILE,
    ]);
    assert_eq!(code, 0, "{b}");
    assert_eq!(b["verdict"], "not_reachable");
}
