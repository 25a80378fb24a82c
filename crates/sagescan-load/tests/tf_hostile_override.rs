//! Terraform override files (issue 17, r22): `override.tf` and `*_override.tf` are merged
//! into the declarations of the other files, as Terraform merges them, instead of being
//! read as duplicates (which left the base block's values in force: a check then judged
//! values Terraform would never apply). Each merged value points at the line of the file
//! that supplied it.
//!
//! The rules (developer.hashicorp.com/terraform/language/files/override): override files
//! come after every other file, in lexical order of their names; an argument of an
//! override block replaces the argument of that name; its nested blocks of one type
//! replace every nested block of that type (a `dynamic "x"` block counting as type `x`);
//! locals, variables, outputs and module calls merge by name; an override of something no
//! other file declares is an error.

use sagescan_load::terraform::Evaluation;
use sagescan_load::terraform::evaluate_texts;
use sagescan_load::terraform::ir::{Attr, Instance, Val};

fn instance<'e>(e: &'e Evaluation, address: &str) -> &'e Instance {
    e.instances
        .iter()
        .flatten()
        .find(|i| i.address == address)
        .unwrap_or_else(|| panic!("no instance {address}"))
}

fn attr<'i>(i: &'i Instance, name: &str) -> &'i Attr {
    i.body
        .attr(name)
        .unwrap_or_else(|| panic!("{} has no attribute {name}", i.address))
}

/// The value of `name` and the file:line that supplied it.
fn at(i: &Instance, name: &str) -> (Val, String) {
    let a = attr(i, name);
    let f = a.origin.file().expect("a file origin");
    (a.value.clone(), format!("{}:{}", f.file, f.line))
}

fn s(v: &str) -> Val {
    Val::String(v.to_string())
}

const BASE: &str = r#"resource "aws_sagemaker_notebook_instance" "ov" {
  name                   = "ov"
  subnet_id              = "subnet-1"
  security_groups        = ["sg-1"]
  role_arn               = "arn:aws:iam::123456789012:role/x"
  instance_type          = "ml.t3.medium"
  direct_internet_access = "Disabled"
  root_access            = "Disabled"
}
"#;

/// r22: override.tf enables direct internet access and root access on the notebook.
#[test]
fn an_override_file_replaces_arguments_and_its_lines_are_the_spans() {
    let over = r#"resource "aws_sagemaker_notebook_instance" "ov" {
  direct_internet_access = "Enabled"
  root_access = "Enabled"
}
"#;
    let e = evaluate_texts(&[("main.tf", BASE), ("override.tf", over)], &[]);
    assert!(e.model.gaps.is_empty(), "{:?}", e.model.gaps);
    assert_eq!(e.instances.iter().flatten().count(), 1);
    let nb = instance(&e, "aws_sagemaker_notebook_instance.ov");
    assert_eq!(
        at(nb, "direct_internet_access"),
        (s("Enabled"), "override.tf:2".into())
    );
    assert_eq!(
        at(nb, "root_access"),
        (s("Enabled"), "override.tf:3".into())
    );
    // What the override does not set stays as declared, where it was declared.
    assert_eq!(at(nb, "name"), (s("ov"), "main.tf:2".into()));
    assert_eq!(at(nb, "subnet_id"), (s("subnet-1"), "main.tf:3".into()));
    // The resource still points at its declaration.
    let f = nb.origin.file().unwrap();
    assert_eq!((&*f.file, f.line), ("main.tf", 1));
}

/// Override files come after the others whatever their names, in lexical order: the
/// last one to set an argument wins. `*_override.tf` counts, `overrides.tf` does not.
#[test]
fn override_files_apply_in_lexical_order_after_the_others() {
    let a = "resource \"aws_sagemaker_notebook_instance\" \"ov\" {\n  root_access = \"Enabled\"\n  direct_internet_access = \"Enabled\"\n}\n";
    let z =
        "resource \"aws_sagemaker_notebook_instance\" \"ov\" {\n  root_access = \"Disabled\"\n}\n";
    // Given out of order, and with the base file last: none of that matters.
    let e = evaluate_texts(
        &[("z_override.tf", z), ("a_override.tf", a), ("zz.tf", BASE)],
        &[],
    );
    assert!(e.model.gaps.is_empty(), "{:?}", e.model.gaps);
    let nb = instance(&e, "aws_sagemaker_notebook_instance.ov");
    assert_eq!(
        at(nb, "root_access"),
        (s("Disabled"), "z_override.tf:2".into())
    );
    assert_eq!(
        at(nb, "direct_internet_access"),
        (s("Enabled"), "a_override.tf:3".into())
    );

    // `overrides.tf` is an ordinary file: declaring the notebook again is a duplicate.
    let e = evaluate_texts(&[("main.tf", BASE), ("overrides.tf", z)], &[]);
    let gaps: Vec<_> = e.model.gaps.iter().map(|g| g.message.as_str()).collect();
    assert_eq!(
        gaps,
        ["duplicate resource aws_sagemaker_notebook_instance.ov"]
    );
}

/// Nested blocks of a type the override has replace all the base's blocks of that type,
/// `dynamic` ones included; blocks of other types stay.
#[test]
fn nested_blocks_of_a_type_are_replaced_as_a_whole() {
    let base = r#"resource "aws_security_group" "g" {
  name = "g"
  ingress {
    from_port = 22
  }
  ingress {
    from_port = 80
  }
  dynamic "egress" {
    for_each = [1, 2]
    content {
      from_port = egress.value
    }
  }
  timeouts {
    create = "5m"
  }
}
"#;
    let over = r#"resource "aws_security_group" "g" {
  ingress {
    from_port = 443
  }
  egress {
    from_port = 0
  }
}
"#;
    let e = evaluate_texts(&[("sg.tf", base), ("sg_override.tf", over)], &[]);
    assert!(e.model.gaps.is_empty(), "{:?}", e.model.gaps);
    let g = instance(&e, "aws_security_group.g");
    let ports = |ty: &str| -> Vec<Val> {
        g.body
            .blocks(ty)
            .map(|b| b.attr("from_port").unwrap().value.clone())
            .collect()
    };
    assert_eq!(ports("ingress"), [Val::Number(443.0)]);
    assert_eq!(ports("egress"), [Val::Number(0.0)]);
    let ingress = g.body.block("ingress").unwrap();
    let f = ingress.origin.file().unwrap();
    assert_eq!((&*f.file, f.line), ("sg_override.tf", 2));
    assert!(g.body.block("timeouts").is_some(), "{:?}", g.body.blocks);

    // And the other way: a dynamic block in the override replaces static blocks.
    let over = r#"resource "aws_security_group" "g" {
  dynamic "ingress" {
    for_each = [8443]
    content {
      from_port = ingress.value
    }
  }
}
"#;
    let e = evaluate_texts(&[("sg.tf", base), ("override.tf", over)], &[]);
    let g = instance(&e, "aws_security_group.g");
    let ports: Vec<Val> = g
        .body
        .blocks("ingress")
        .map(|b| b.attr("from_port").unwrap().value.clone())
        .collect();
    assert_eq!(ports, [Val::Number(8443.0)]);
}

/// Locals, variables (their defaults), outputs and module arguments merge by name.
#[test]
fn locals_variables_and_count_merge_by_name() {
    let base = r#"variable "access" {
  type    = string
  default = "Disabled"
}
locals {
  root = "Disabled"
  name = "nb"
}
resource "aws_sagemaker_notebook_instance" "nb" {
  count                  = 1
  name                   = local.name
  direct_internet_access = var.access
  root_access            = local.root
}
"#;
    let over = r#"variable "access" {
  default = "Enabled"
}
locals {
  root = "Enabled"
}
resource "aws_sagemaker_notebook_instance" "nb" {
  count = 2
}
"#;
    let e = evaluate_texts(&[("main.tf", base), ("override.tf", over)], &[]);
    assert!(e.model.gaps.is_empty(), "{:?}", e.model.gaps);
    for i in 0..2 {
        let nb = instance(&e, &format!("aws_sagemaker_notebook_instance.nb[{i}]"));
        assert_eq!(attr(nb, "direct_internet_access").value, s("Enabled"));
        assert_eq!(attr(nb, "root_access").value, s("Enabled"));
        assert_eq!(attr(nb, "name").value, s("nb"));
    }
}

/// An override of a declaration no other file has is an error in Terraform: a gap at the
/// override, never silence.
#[test]
fn an_override_without_a_base_is_a_gap_at_the_override() {
    let over = r#"resource "aws_sagemaker_notebook_instance" "other" {
  direct_internet_access = "Enabled"
}
locals {
  nothing = 1
}
"#;
    let e = evaluate_texts(&[("main.tf", BASE), ("override.tf", over)], &[]);
    let gaps: Vec<(String, String)> = e
        .model
        .gaps
        .iter()
        .map(|g| {
            let f = g.origin.file().unwrap();
            (g.message.clone(), format!("{}:{}", f.file, f.line))
        })
        .collect();
    assert_eq!(
        gaps,
        [
            (
                "override of resource aws_sagemaker_notebook_instance.other, which no other \
                 file declares"
                    .to_string(),
                "override.tf:1".to_string()
            ),
            (
                "override of local value nothing, which no other file declares".to_string(),
                "override.tf:5".to_string()
            ),
        ]
    );
    // The override is not a resource of its own.
    assert_eq!(e.instances.iter().flatten().count(), 1);
}

/// A module call merges too: the override's argument is what the module receives, and
/// the override's output value is what `module.x.out` is.
#[test]
fn module_arguments_and_outputs_merge() {
    let dir = tempfile::tempdir().unwrap();
    let write = |rel: &str, text: &str| {
        let path = dir.path().join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    };
    write(
        "main.tf",
        r#"module "nb" {
  source = "./nb"
  access = "Disabled"
}
resource "aws_sagemaker_notebook_instance" "root" {
  direct_internet_access = module.nb.access
}
"#,
    );
    write(
        "main_override.tf",
        "module \"nb\" {\n  access = \"Enabled\"\n}\n",
    );
    write(
        "nb/main.tf",
        r#"variable "access" {}
resource "aws_sagemaker_notebook_instance" "nb" {
  direct_internet_access = var.access
}
output "access" {
  value = "Disabled"
}
"#,
    );
    write(
        "nb/override.tf",
        "output \"access\" {\n  value = var.access\n}\n",
    );
    let e = sagescan_load::terraform::evaluate(
        &[dir.path().to_path_buf()],
        &sagescan_load::LoadOptions::default(),
    )
    .expect("evaluates");
    assert!(e.model.gaps.is_empty(), "{:?}", e.model.gaps);
    for address in [
        "module.nb.aws_sagemaker_notebook_instance.nb",
        "aws_sagemaker_notebook_instance.root",
    ] {
        let nb = instance(&e, address);
        assert_eq!(
            attr(nb, "direct_internet_access").value,
            s("Enabled"),
            "{address}"
        );
    }
}
