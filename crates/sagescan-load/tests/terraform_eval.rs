//! The Terraform evaluator end to end, at the IR level: fixture directories under
//! `tests/fixtures/` go through `terraform::evaluate` and the resulting instances, values,
//! origins and coverage gaps are checked.

use sagescan_load::terraform::ir::{Instance, Val};
use sagescan_load::terraform::{Evaluation, evaluate};
use sagescan_load::{LoadError, LoadOptions};
use sagescan_model::CoverageGap;
use std::path::{Path, PathBuf};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

fn run(path: PathBuf, options: &LoadOptions) -> Evaluation {
    evaluate(&[path], options).unwrap_or_else(|e| panic!("evaluate: {e}"))
}

fn instance<'e>(e: &'e Evaluation, address: &str) -> &'e Instance {
    e.instances
        .iter()
        .flatten()
        .find(|i| i.address == address)
        .unwrap_or_else(|| panic!("no instance {address}; have {:?}", addresses(e)))
}

fn addresses(e: &Evaluation) -> Vec<&str> {
    e.instances
        .iter()
        .flatten()
        .map(|i| i.address.as_str())
        .collect()
}

fn val<'i>(i: &'i Instance, name: &str) -> &'i Val {
    &i.body
        .attr(name)
        .unwrap_or_else(|| panic!("{} has no attribute {name}", i.address))
        .value
}

fn s(v: &str) -> Val {
    Val::String(v.to_string())
}

fn r(address: &str, attribute: &str) -> Val {
    Val::Ref {
        address: address.to_string(),
        attribute: attribute.to_string(),
    }
}

fn unknown_reason(v: &Val) -> &str {
    match v {
        Val::Unknown(reason) => reason,
        other => panic!("expected Unknown, got {other:?}"),
    }
}

fn gaps_of<'e>(e: &'e Evaluation, kind: &str) -> Vec<&'e CoverageGap> {
    e.model.gaps.iter().filter(|g| g.kind == kind).collect()
}

fn line_of(g: &CoverageGap) -> (String, u32) {
    let f = g.origin.file().expect("a file origin");
    (f.file.to_string(), f.line)
}

#[test]
fn variable_precedence_default_tfvars_auto_var_file_then_var() {
    let options = LoadOptions {
        var_files: vec![fixture("vars/extra.tfvars")],
        vars: vec![("e".to_string(), "cli-e".to_string())],
        ..LoadOptions::default()
    };
    let e = run(fixture("vars"), &options);
    let t = instance(&e, "aws_thing.t");
    assert_eq!(val(t, "a"), &s("default-a"));
    assert_eq!(val(t, "b"), &s("tfvars-b"));
    assert_eq!(val(t, "c"), &s("auto-c"));
    assert_eq!(val(t, "d"), &s("file-d"));
    assert_eq!(val(t, "e"), &s("cli-e"));
    // `type = number` converts the tfvars string, as Terraform does.
    assert_eq!(val(t, "port"), &Val::Number(8443.0));
    assert!(e.model.gaps.is_empty(), "{:?}", e.model.gaps);
}

#[test]
fn a_variable_without_value_is_unknown_and_names_itself() {
    let e = run(fixture("vars"), &LoadOptions::default());
    let t = instance(&e, "aws_thing.t");
    assert_eq!(unknown_reason(val(t, "missing")), "var.unset has no value");
    // A template with an unknown part is unknown for the same reason.
    assert_eq!(unknown_reason(val(t, "partial")), "var.unset has no value");
}

#[test]
fn locals_templates_functions_and_references() {
    let e = run(fixture("vars"), &LoadOptions::default());
    let t = instance(&e, "aws_thing.t");
    assert_eq!(val(t, "full"), &s("default-a-vpc-X"));
    assert!(unknown_reason(val(t, "loop")).contains("refers to itself"));
    assert_eq!(
        val(t, "ports"),
        &Val::List(vec![Val::Number(80.0), Val::Number(443.0)])
    );
    assert_eq!(
        val(t, "tags"),
        &Val::Map(vec![
            ("Team".into(), s("ml")),
            ("Name".into(), s("default-a-vpc"))
        ])
    );
    assert_eq!(val(t, "cond"), &s("high"));
    // A declared attribute of another resource is its value; an undeclared one a reference.
    assert_eq!(val(t, "model"), &s("default-a-model"));
    assert_eq!(val(t, "model_id"), &r("aws_sagemaker_model.main", "arn"));
    assert_eq!(val(t, "json"), &s(r#"{"a":[true,null],"b":1}"#));
    assert!(
        unknown_reason(val(t, "data_ref"))
            .contains("data.aws_vpc.default.id is known only after reading the data source")
    );
    assert_eq!(
        unknown_reason(val(t, "unknown")),
        "function timestamp() is not evaluated"
    );
    assert_eq!(val(t, "tried"), &s("fallback"));
    assert_eq!(val(t, "subnets"), &Val::List(vec![s("x")]));
    assert_eq!(val(t, "cidr"), &s("10.0.3.0/24"));
}

#[test]
fn attribute_and_block_origins_have_file_line_and_column() {
    let e = run(fixture("vars"), &LoadOptions::default());
    let t = instance(&e, "aws_thing.t");
    let attr = t.body.attr("missing").expect("attribute");
    let span = attr.origin.file().expect("file origin");
    assert!(
        span.file.ends_with("tests/fixtures/vars/main.tf"),
        "{}",
        span.file
    );
    assert_eq!((span.line, span.column), (23, 3));
    let source = e.model.source_text(&span.file).expect("source kept");
    assert_eq!(
        &source[span.start as usize..span.end as usize],
        "missing  = var.unset"
    );
    let header = t.origin.file().expect("file origin");
    assert_eq!((header.line, header.column), (16, 1));
    assert_eq!(
        &source[header.start as usize..header.end as usize],
        "resource \"aws_thing\" \"t\" {"
    );
}

#[test]
fn count_and_for_each_expand_with_addresses() {
    let e = run(fixture("expand"), &LoadOptions::default());
    let c1 = instance(&e, "aws_subnet.counted[1]");
    assert_eq!(val(c1, "cidr_block"), &s("10.0.1.0/24"));
    assert_eq!(val(c1, "availability_zone"), &s("us-east-1b"));
    let kb = instance(&e, "aws_subnet.keyed[\"b\"]");
    assert_eq!(val(kb, "availability_zone"), &s("us-east-1b"));
    assert_eq!(
        val(kb, "tags"),
        &Val::Map(vec![("Name".into(), s("subnet-b"))])
    );
    assert!(
        !addresses(&e)
            .iter()
            .any(|a| a.starts_with("aws_subnet.none")),
        "count = 0 has no instance"
    );

    let ep = instance(&e, "aws_vpc_endpoint.ep");
    assert_eq!(
        val(ep, "subnet_ids"),
        &Val::List(vec![
            r("aws_subnet.counted[0]", "id"),
            r("aws_subnet.counted[1]", "id")
        ])
    );
    assert_eq!(
        val(ep, "keyed_ids"),
        &Val::List(vec![
            r("aws_subnet.keyed[\"a\"]", "id"),
            r("aws_subnet.keyed[\"b\"]", "id")
        ])
    );
    assert_eq!(val(ep, "first_az"), &s("us-east-1b"));
    assert_eq!(val(ep, "by_key"), &s("us-east-1b"));
}

#[test]
fn unknown_count_keeps_one_stand_in_and_a_gap() {
    let e = run(fixture("expand"), &LoadOptions::default());
    let u = instance(&e, "aws_subnet.unknown");
    assert!(
        unknown_reason(val(u, "cidr_block"))
            .contains("count of aws_subnet.unknown is not statically known")
    );
    let gaps = gaps_of(&e, "unsupported");
    assert!(
        gaps.iter().any(|g| g
            .message
            .starts_with("count of aws_subnet.unknown is not statically known")
            && g.message.ends_with("instances may be missing")),
        "{gaps:?}"
    );
}

#[test]
fn dynamic_blocks_expand_into_plain_blocks() {
    let e = run(fixture("expand"), &LoadOptions::default());
    let sg = instance(&e, "aws_security_group.sg");
    let ingress: Vec<&Val> = sg
        .body
        .blocks("ingress")
        .map(|b| &b.attr("from_port").expect("from_port").value)
        .collect();
    assert_eq!(ingress, [&Val::Number(22.0), &Val::Number(443.0)]);
    let egress = sg.body.block("egress").expect("egress");
    assert_eq!(
        egress.attr("description").map(|a| &a.value),
        Some(&s("https"))
    );
    assert_eq!(
        egress.attr("to_port").map(|a| &a.value),
        Some(&Val::Number(443.0))
    );
    // The dynamic block over a data source adds no block, but says so.
    assert!(gaps_of(&e, "unsupported").iter().any(|g| {
        g.message
            .starts_with("dynamic \"ingress\" blocks of aws_security_group.sg")
    }));
}

#[test]
fn local_module_outputs_and_address_prefix() {
    let e = run(fixture("modules"), &LoadOptions::default());
    // The called directory is part of the root's configuration, not a configuration itself.
    let names: Vec<&str> = e.model.configs.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names.len(), 1, "{names:?}");
    assert!(names[0].ends_with("fixtures/modules/root"), "{names:?}");

    let vpc1 = instance(&e, "module.net[1].aws_vpc.this");
    assert_eq!(val(vpc1, "cidr_block"), &s("10.1.0.0/16"));
    let sub = instance(&e, "module.net[0].aws_subnet.private");
    assert_eq!(val(sub, "vpc_id"), &r("module.net[0].aws_vpc.this", "id"));
    assert_eq!(val(sub, "cidr_block"), &s("10.0.1.0/24"));
    let origin = sub.origin.file().expect("file origin");
    assert!(
        origin
            .file
            .ends_with("fixtures/modules/modules/net/main.tf"),
        "{}",
        origin.file
    );

    let nb = instance(&e, "aws_sagemaker_notebook_instance.nb");
    assert_eq!(
        val(nb, "subnet_id"),
        &r("module.single.aws_subnet.private", "id")
    );
    assert_eq!(val(nb, "vpc_cidr"), &s("10.1.0.0/16"));
    assert_eq!(val(nb, "name"), &s("net-192.168.0.0/16"));
}

#[test]
fn a_remote_module_is_a_gap() {
    let e = run(fixture("modules"), &LoadOptions::default());
    let gaps = gaps_of(&e, "unsupported");
    assert_eq!(gaps.len(), 1, "{gaps:?}");
    assert_eq!(
        gaps[0].message,
        "module remote (source terraform-aws-modules/vpc/aws) is not loaded"
    );
    assert_eq!(gaps[0].config, Some(0));
    let nb = instance(&e, "aws_sagemaker_notebook_instance.nb");
    assert!(unknown_reason(val(nb, "remote")).contains("is not loaded"));
}

#[test]
fn malformed_file_is_a_gap_and_the_other_file_still_loads() {
    let e = run(fixture("malformed"), &LoadOptions::default());
    let gaps = gaps_of(&e, "parse-error");
    assert_eq!(gaps.len(), 1, "{gaps:?}");
    let (file, line) = line_of(gaps[0]);
    assert!(file.ends_with("fixtures/malformed/bad.tf"), "{file}");
    // The line of `Name =`, whose value is missing.
    assert_eq!(line, 5);
    assert!(!gaps[0].message.contains('\n'));
    assert_eq!(gaps[0].config, Some(0));
    assert_eq!(addresses(&e), ["aws_vpc.ok"]);
}

#[test]
fn paths_stay_as_given_and_missing_paths_are_errors() {
    let e = run(
        PathBuf::from("tests/fixtures/malformed"),
        &LoadOptions::default(),
    );
    assert_eq!(e.model.configs[0].name, "tests/fixtures/malformed");
    let ok = instance(&e, "aws_vpc.ok")
        .origin
        .file()
        .expect("file origin")
        .file
        .to_string();
    assert_eq!(ok, "tests/fixtures/malformed/good.tf");
    assert!(matches!(
        evaluate(
            &[PathBuf::from("tests/fixtures/nope")],
            &LoadOptions::default()
        ),
        Err(LoadError::Io { .. })
    ));
}

/// A scratch directory under the target dir, fresh for each test.
fn scratch(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("create scratch dir");
    dir
}

fn write(path: PathBuf, text: &str) {
    std::fs::create_dir_all(path.parent().expect("parent")).expect("create dir");
    std::fs::write(path, text).expect("write");
}

// The .gitignore fixture is written at test time: a committed one would hide the fixture
// files it ignores from git itself.
#[test]
fn gitignored_and_hidden_directories_are_skipped() {
    let dir = scratch("gitignore");
    write(dir.join(".gitignore"), "ignored/\n");
    write(
        dir.join("kept/main.tf"),
        "resource \"aws_vpc\" \"kept\" {}\n",
    );
    write(
        dir.join("ignored/main.tf"),
        "resource \"aws_vpc\" \"ignored\" {}\n",
    );
    write(
        dir.join(".terraform/modules/x/main.tf"),
        "resource \"aws_vpc\" \"cached\" {}\n",
    );
    let e = run(dir.clone(), &LoadOptions::default());
    assert_eq!(addresses(&e), ["aws_vpc.kept"]);
    assert_eq!(e.model.configs.len(), 1);
}

#[test]
fn a_directory_without_terraform_is_nothing_to_scan() {
    let dir = scratch("empty");
    write(dir.join("README.md"), "no terraform here\n");
    assert!(matches!(
        evaluate(&[dir], &LoadOptions::default()),
        Err(LoadError::NothingToScan(_))
    ));
}

#[test]
fn recursive_module_calls_terminate_with_a_gap() {
    let dir = scratch("recursive");
    write(
        dir.join("main.tf"),
        "module \"me\" {\n  source = \"./\"\n}\nresource \"aws_vpc\" \"v\" {}\n",
    );
    let e = run(dir, &LoadOptions::default());
    assert_eq!(addresses(&e), ["aws_vpc.v"]);
    assert!(
        gaps_of(&e, "unsupported")
            .iter()
            .any(|g| g.message.contains("recursively"))
    );
}

#[test]
fn long_reference_chains_do_not_overflow_the_stack() {
    let dir = scratch("chain");
    let mut text = String::from("locals {\n  l0 = \"x\"\n");
    for i in 1..5000 {
        text.push_str(&format!("  l{i} = local.l{}\n", i - 1));
    }
    text.push_str("}\nresource \"aws_vpc\" \"v\" {\n  name = local.l4999\n}\n");
    write(dir.join("main.tf"), &text);
    let e = run(dir, &LoadOptions::default());
    assert!(unknown_reason(val(instance(&e, "aws_vpc.v"), "name")).contains("deeper than"));
}

/// Indexing a counted or `for_each` resource builds the one instance asked for (the `hcl`
/// fuzz target found 535 bytes where every instance indexed another counted resource, which
/// built every instance's reference each time); anything else still indexes the whole.
#[test]
fn indexing_a_resource_gives_that_instance_and_other_indexes_behave_as_before() {
    let tf = r#"
resource "aws_subnet" "a" {
  count      = 3
  cidr_block = "10.0.${count.index}.0/24"
}
resource "aws_subnet" "k" {
  for_each   = toset(["x", "y"])
  cidr_block = "10.1.0.0/24"
}
resource "aws_route_table_association" "a" {
  count          = 3
  subnet_id      = aws_subnet.a[count.index].id
  route_table_id = aws_subnet.k["y"].id
}
resource "aws_route_table_association" "legacy" {
  subnet_id      = aws_subnet.a.1.id
  route_table_id = aws_subnet.a[5].id
}
"#;
    let e = sagescan_load::terraform::evaluate_texts(&[("main.tf", tf)], &[]);
    for i in 0..3 {
        let a = instance(&e, &format!("aws_route_table_association.a[{i}]"));
        assert_eq!(val(a, "subnet_id"), &r(&format!("aws_subnet.a[{i}]"), "id"));
        assert_eq!(val(a, "route_table_id"), &r("aws_subnet.k[\"y\"]", "id"));
    }
    let legacy = instance(&e, "aws_route_table_association.legacy");
    assert_eq!(val(legacy, "subnet_id"), &r("aws_subnet.a[1]", "id"));
    // Out of range: the whole list is indexed, as before, and that is an error.
    assert!(
        !matches!(val(legacy, "route_table_id"), Val::Ref { .. }),
        "{:?}",
        val(legacy, "route_table_id")
    );
}

/// Found by the `hcl` fuzz target: 509 bytes whose 7,569 route tables each held a splat of
/// all 7,569 (57 million references, 5.4 GB and 21 s in a release scan). Values are copied,
/// not shared, so evaluation has a budget: each expression stays under its own, but past
/// the budget of the configuration only the first instance of a resource is evaluated,
/// with one `too-large` gap where that was first felt. Locals that each double the last
/// spend the budget of one expression instead: that local is Unknown, with its own gap.
#[test]
fn values_past_the_evaluation_budget_are_unknown_with_one_gap() {
    let splat = r#"
resource "aws_route_table" "private" {
  count           = 7569
  route_table_ids = aws_route_table.private[*].id
}
"#;
    // Locals that each double the last: 10,000 × 2^30 elements.
    let mut doubling = String::from("locals {\n  l0 = range(10000)\n");
    for i in 1..=30 {
        doubling += &format!("  l{i} = concat(local.l{}, local.l{})\n", i - 1, i - 1);
    }
    doubling +=
        "}\nresource \"aws_security_group\" \"g\" {\n  description = length(local.l30)\n}\n";
    for (tf, address, first, message) in [
        (
            splat,
            "aws_route_table.private[7568]",
            "main.tf:4",
            "evaluating this configuration built more than 256 MiB of values \
             (a limit that bounds memory)",
        ),
        (
            doubling.as_str(),
            "aws_security_group.g",
            "main.tf:7",
            "local.l5 builds more than 16 MiB of values (a limit that bounds memory)",
        ),
    ] {
        let e = sagescan_load::terraform::evaluate_texts(&[("main.tf", tf)], &[]);
        let gaps = gaps_of(&e, "too-large");
        assert_eq!(gaps.len(), 1, "{:?}", e.model.gaps);
        assert!(gaps[0].message.starts_with(message), "{}", gaps[0].message);
        let (file, line) = line_of(gaps[0]);
        assert_eq!(format!("{file}:{line}"), first);
        let last = instance(&e, address);
        let v = val(
            last,
            if address.starts_with("aws_route") {
                "route_table_ids"
            } else {
                "description"
            },
        );
        assert!(unknown_reason(v).contains(" MiB of values"), "{v:?}");
    }
}

/// The budget spent on a local that a `count` uses: the count is not known (a gap at the
/// resource naming the budget), and the local has its own `too-large` gap.
#[test]
fn a_budget_spent_on_count_is_still_a_gap() {
    let mut tf = String::from("locals {\n  l0 = range(10000)\n");
    for i in 1..=30 {
        tf += &format!("  l{i} = concat(local.l{}, local.l{})\n", i - 1, i - 1);
    }
    tf += "}\nresource \"aws_security_group\" \"g\" {\n  count = length(local.l30)\n}\n";
    let e = sagescan_load::terraform::evaluate_texts(&[("main.tf", &tf)], &[]);
    let gaps = gaps_of(&e, "too-large");
    assert_eq!(gaps.len(), 1, "{:?}", e.model.gaps);
    let (file, line) = line_of(gaps[0]);
    assert_eq!(format!("{file}:{line}"), "main.tf:7");
    let count = gaps_of(&e, "unsupported");
    assert_eq!(count.len(), 1, "{:?}", e.model.gaps);
    assert!(
        count[0].message.starts_with(
            "count of aws_security_group.g is not statically known (local.l5 builds more than 16 MiB"
        ),
        "{}",
        count[0].message
    );
    let (file, line) = line_of(count[0]);
    assert_eq!(format!("{file}:{line}"), "main.tf:34");
}
