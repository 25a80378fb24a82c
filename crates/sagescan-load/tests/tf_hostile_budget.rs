//! The evaluation budget against hostile pull requests (issue 17, r07): a file of a few
//! hundred bytes can ask for gigabytes of values (locals that each double the last), and
//! the budget that stops it must not take the rest of the configuration with it. An
//! expression past its own budget is Unknown, and so is what uses it; literals and
//! independent expressions keep their values, even once the budget of the whole
//! configuration is spent, so that a pull request cannot turn the failing checks of a
//! configuration into inconclusive ones by adding a file.

use sagescan_load::terraform::Evaluation;
use sagescan_load::terraform::evaluate_texts;
use sagescan_load::terraform::ir::{Instance, Val};
use sagescan_model::CoverageGap;

/// A notebook whose values are all literals (SM111 and SM113 fail on them).
const NOTEBOOK: &str = r#"resource "aws_sagemaker_notebook_instance" "masked" {
  name                   = "masked"
  subnet_id              = aws_subnet.s.id
  role_arn               = "arn:aws:iam::123456789012:role/x"
  instance_type          = "ml.t3.medium"
  direct_internet_access = "Enabled"
  root_access            = "Enabled"
  instance_metadata_service_configuration {
    minimum_instance_metadata_service_version = "2"
  }
}
resource "aws_subnet" "s" {
  cidr_block = "10.0.1.0/24"
}
"#;

/// Forty locals that each double the last, used by an unrelated VPC: 2^39 strings of 64
/// bytes if evaluated (the r07 reproduction). `suffix` keeps several chains apart.
fn doubling(suffix: &str) -> String {
    let mut tf = format!("locals {{\n  l0{suffix} = [\"{}\"]\n", "x".repeat(64));
    for i in 1..40 {
        tf += &format!(
            "  l{i}{suffix} = concat(local.l{p}{suffix}, local.l{p}{suffix})\n",
            p = i - 1
        );
    }
    tf += &format!(
        "}}\nresource \"aws_vpc\" \"aa{suffix}\" {{\n  cidr_block = \"10.9.0.0/16\"\n  \
         tags = {{ n = length(local.l39{suffix}) }}\n}}\n"
    );
    tf
}

fn instance<'e>(e: &'e Evaluation, address: &str) -> &'e Instance {
    e.instances
        .iter()
        .flatten()
        .find(|i| i.address == address)
        .unwrap_or_else(|| panic!("no instance {address}"))
}

fn val<'i>(i: &'i Instance, name: &str) -> &'i Val {
    &i.body
        .attr(name)
        .unwrap_or_else(|| panic!("{} has no attribute {name}", i.address))
        .value
}

fn unknown_reason(v: &Val) -> &str {
    match v {
        Val::Unknown(reason) => reason,
        other => panic!("expected Unknown, got {other:?}"),
    }
}

/// The VPC's `tags.n`, the value built from the last local of its chain.
fn tag_n(vpc: &Instance) -> &Val {
    match val(vpc, "tags") {
        Val::Map(entries) => &entries.iter().find(|(k, _)| k == "n").expect("tags.n").1,
        other => panic!("tags is not an object: {other:?}"),
    }
}

fn too_large(e: &Evaluation) -> Vec<&CoverageGap> {
    e.model
        .gaps
        .iter()
        .filter(|g| g.kind == "too-large")
        .collect()
}

fn place(g: &CoverageGap) -> (String, u32) {
    let f = g.origin.file().expect("a file origin");
    (f.file.to_string(), f.line)
}

/// The notebook's literal values are known, with their own lines in main.tf.
fn assert_notebook_known(e: &Evaluation) {
    let nb = instance(e, "aws_sagemaker_notebook_instance.masked");
    let s = |v: &str| Val::String(v.to_string());
    assert_eq!(val(nb, "direct_internet_access"), &s("Enabled"));
    assert_eq!(val(nb, "root_access"), &s("Enabled"));
    assert_eq!(val(nb, "instance_type"), &s("ml.t3.medium"));
    assert_eq!(
        val(nb, "subnet_id"),
        &Val::Ref {
            address: "aws_subnet.s".into(),
            attribute: "id".into()
        }
    );
    let imds = nb
        .body
        .block("instance_metadata_service_configuration")
        .expect("the IMDS block");
    assert_eq!(
        imds.attr("minimum_instance_metadata_service_version")
            .map(|a| &a.value),
        Some(&s("2"))
    );
    let origin = nb
        .body
        .attr("direct_internet_access")
        .unwrap()
        .origin
        .file();
    let f = origin.expect("a file origin");
    assert_eq!((&*f.file, f.line), ("main.tf", 6));
}

/// r07: the doubling locals spend the budget of one expression; that local is Unknown
/// (with one gap at its line, naming the budget), so is the VPC tag that uses it, and the
/// notebook keeps its literal values.
#[test]
fn doubling_locals_make_only_themselves_unknown() {
    let aa = doubling("");
    let e = evaluate_texts(&[("aa.tf", &aa), ("main.tf", NOTEBOOK)], &[]);
    assert_notebook_known(&e);

    let gaps = too_large(&e);
    assert_eq!(gaps.len(), 1, "{:?}", e.model.gaps);
    let message = &gaps[0].message;
    let name = message
        .strip_prefix("local.l")
        .and_then(|rest| rest.split_once(' '))
        .map(|(n, _)| n.parse::<u32>().expect("a local's number"))
        .unwrap_or_else(|| panic!("the gap names a local: {message}"));
    assert!(
        message.contains("builds more than 16 MiB of values (a limit that bounds memory)"),
        "{message}"
    );
    // The gap points at the local that spent its budget (`l0` is on line 2).
    assert_eq!(place(gaps[0]), ("aa.tf".to_string(), name + 2));

    let vpc = instance(&e, "aws_vpc.aa");
    let tags = tag_n(vpc);
    assert!(
        unknown_reason(tags).contains(&format!("local.l{name} builds more than 16 MiB")),
        "{tags:?}"
    );
    assert_eq!(val(vpc, "cidr_block"), &Val::String("10.9.0.0/16".into()));
}

/// Enough chains to spend the budget of the whole configuration (256 MiB): from then on
/// values are rationed, and literals, which cost about their text, still evaluate.
#[test]
fn literals_keep_their_values_once_the_whole_budget_is_spent() {
    let chains: Vec<(String, String)> = (0..12)
        .map(|i| (format!("a{i:02}.tf"), doubling(&format!("_{i}"))))
        .collect();
    let mut files: Vec<(&str, &str)> = chains
        .iter()
        .map(|(n, t)| (n.as_str(), t.as_str()))
        .collect();
    files.push(("main.tf", NOTEBOOK));
    let e = evaluate_texts(&files, &[]);
    assert_notebook_known(&e);

    let gaps = too_large(&e);
    let total: Vec<_> = gaps
        .iter()
        .filter(|g| {
            g.message
                .starts_with("evaluating this configuration built more than 256 MiB")
        })
        .collect();
    assert_eq!(total.len(), 1, "{gaps:?}");
    // Every chain is cut off: its VPC's tag is unknown, for one budget or the other.
    for i in 0..12 {
        let vpc = instance(&e, &format!("aws_vpc.aa_{i}"));
        // Past the whole budget even the object around it is beyond its ration.
        let reason = match val(vpc, "tags") {
            Val::Unknown(reason) => reason,
            _ => unknown_reason(tag_n(vpc)),
        };
        assert!(reason.contains("MiB of values"), "{reason}");
    }
}

/// A value cut off by the budget is unknown, not an error: `try()` must not fall back to
/// its second argument (that would be a known value Terraform would never produce).
#[test]
fn try_does_not_fall_back_on_a_value_past_the_budget() {
    let mut tf = doubling("");
    tf += r#"resource "aws_sagemaker_notebook_instance" "t" {
  direct_internet_access = try(length(local.l39) > 0 ? "Enabled" : "Enabled", "Disabled")
  root_access            = can(local.l39) ? "Enabled" : "Disabled"
}
"#;
    let e = evaluate_texts(&[("main.tf", &tf)], &[]);
    let nb = instance(&e, "aws_sagemaker_notebook_instance.t");
    for attr in ["direct_internet_access", "root_access"] {
        let reason = unknown_reason(val(nb, attr));
        assert!(
            reason.contains("builds more than 16 MiB"),
            "{attr}: {reason}"
        );
    }
}

/// After the budget of the whole configuration is spent, a counted resource is evaluated
/// in its first instance only (literals included): what is built stays proportional to
/// the input, however many instances `count` asks for.
#[test]
fn past_the_whole_budget_only_first_instances_are_evaluated() {
    let chains: String = (0..12).map(|i| doubling(&format!("_{i}"))).collect();
    let tf = format!(
        "{chains}resource \"aws_security_group\" \"many\" {{\n  count = 3\n  description = \"x\"\n}}\n"
    );
    let e = evaluate_texts(&[("main.tf", &tf)], &[]);
    let first = instance(&e, "aws_security_group.many[0]");
    assert_eq!(val(first, "description"), &Val::String("x".into()));
    for i in 1..3 {
        let other = instance(&e, &format!("aws_security_group.many[{i}]"));
        let reason = unknown_reason(val(other, "description"));
        assert!(
            reason.contains("only the first instance of each resource and module"),
            "{reason}"
        );
    }
}
