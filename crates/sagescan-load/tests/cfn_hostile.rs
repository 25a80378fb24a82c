//! Hostile CloudFormation input (issue 17): templates written to hide a workload or to
//! exhaust the scanner. Each test builds its templates in a temporary directory (nested
//! stacks are read from disk) and asserts what a check would judge: the notebook's
//! `DirectInternetAccess` and `RootAccess` (SM111, SM113) and the coverage gaps.

use sagescan_load::cloudformation::{CfnOptions, Template, load_templates};
use sagescan_model::{CoverageGap, Model, Toggle, Value};
use std::path::Path;

/// Writes `files` under `dir` and loads them all, as a scan of the directory would.
fn scan(dir: &Path, files: &[(&str, &str)]) -> Model {
    let templates: Vec<Template> = files
        .iter()
        .map(|(name, text)| {
            let path = dir.join(name);
            std::fs::write(&path, text).unwrap();
            Template {
                path,
                display: (*name).into(),
                text: (*text).into(),
            }
        })
        .collect();
    let mut m = Model::default();
    load_templates(&mut m, &templates, &CfnOptions::default());
    m.finish();
    m
}

fn scan_tmp(files: &[(&str, &str)]) -> Model {
    let tmp = tempfile::tempdir().unwrap();
    scan(tmp.path(), files)
}

/// `kind file:line message` of every gap, for readable failures.
fn gaps(m: &Model) -> Vec<String> {
    m.gaps
        .iter()
        .map(|g: &CoverageGap| {
            let at = g
                .origin
                .file()
                .map_or("-".into(), |f| format!("{}:{}", f.file, f.line));
            format!("{} {at} {}", g.kind, g.message)
        })
        .collect()
}

fn notebook<'m>(m: &'m Model, address: &str) -> &'m sagescan_model::sagemaker::NotebookInstance {
    m.notebook_instances
        .iter()
        .find(|n| n.meta.address == address)
        .unwrap_or_else(|| {
            let all: Vec<_> = m
                .notebook_instances
                .iter()
                .map(|n| &n.meta.address)
                .collect();
            panic!("no notebook {address} among {all:?}")
        })
}

fn reason(v: &Value<Toggle>) -> &str {
    v.unknown_reason()
        .unwrap_or_else(|| panic!("expected unknown, got {v:?}"))
}

const NOTEBOOK_PROPS: &str = "      InstanceType: ml.t3.medium
      RoleArn: arn:aws:iam::123456789012:role/x
      DirectInternetAccess: Enabled
      RootAccess: Enabled
";

// r01 -----------------------------------------------------------------------------------

/// A 1 MiB scalar aliased 1,000 times: 1,001 nodes (the node cap never trips) but a
/// gigabyte of text once copied. The scan used 3.3 GB per resource and was OOM-killed.
#[test]
fn yaml_aliases_past_the_expansion_budget_are_a_too_large_gap_not_an_allocation() {
    let mut text = format!(
        "AWSTemplateFormatVersion: '2010-09-09'\nMetadata:\n  s: &s '{}'\n  l: &l [{}]\nResources:\n",
        "A".repeat(1 << 20),
        vec!["*s"; 1000].join(",")
    );
    for i in 0..4 {
        text.push_str(&format!(
            "  R{i}:\n    Type: AWS::EC2::VPC\n    Properties:\n      Tags: *l\n"
        ));
    }
    let m = scan_tmp(&[("bomb.yaml", &text)]);
    assert_eq!(m.configs.len(), 1);
    assert!(m.vpcs.is_empty(), "nothing of the file is read");
    let [gap] = m.gaps.as_slice() else {
        panic!("{:?}", gaps(&m))
    };
    assert_eq!(gap.kind, "too-large");
    assert!(
        gap.message.contains("expansion budget") && gap.message.contains("64 MiB"),
        "{}",
        gap.message
    );
    let at = gap.origin.file().unwrap();
    assert_eq!((at.file.as_ref(), at.line), ("bomb.yaml", 4));
}

/// Aliases that stay within the budget are still expanded: the budget counts copies of
/// text, it does not refuse anchors.
#[test]
fn yaml_aliases_within_the_budget_are_read() {
    let text = format!(
        "Metadata:\n  s: &s '{}'\nResources:\n  V:\n    Type: AWS::EC2::VPC\n    Properties:\n      CidrBlock: 10.0.0.0/16\n      Tags: [{{Key: a, Value: *s}}, {{Key: b, Value: *s}}]\n",
        "A".repeat(1 << 20)
    );
    let m = scan_tmp(&[("ok.yaml", &text)]);
    assert!(m.gaps.is_empty(), "{:?}", gaps(&m));
    let tags = m.vpcs[0].meta.tags.get().unwrap();
    assert_eq!(tags.get("b").map(String::len), Some(1 << 20));
}

// r02 -----------------------------------------------------------------------------------

fn self_nesting(condition: &str) -> String {
    format!(
        "AWSTemplateFormatVersion: '2010-09-09'
Conditions:
  Never: !Equals [a, b]
  Always: !Equals [a, a]
Resources:
  Hide:
    Type: AWS::CloudFormation::Stack
    Condition: {condition}
    Properties:
      TemplateURL: ./prod.yaml
  Nb:
    Type: AWS::SageMaker::NotebookInstance
    Properties:
{NOTEBOOK_PROPS}"
    )
}

/// The template named itself as a nested stack, so it was taken for a nested template
/// and never loaded: its notebook vanished with no finding and no gap.
#[test]
fn a_template_nesting_itself_under_a_false_condition_is_still_judged() {
    let m = scan_tmp(&[
        ("prod.yaml", &self_nesting("Never")),
        ("other.yaml", "Resources:\n  V: {Type: AWS::EC2::VPC}\n"),
    ]);
    let nb = notebook(&m, "Nb");
    assert_eq!(nb.direct_internet_access.get(), Some(&Toggle::Enabled));
    assert_eq!(nb.root_access.get(), Some(&Toggle::Enabled));
    // The nested stack is never deployed (its condition is false): nothing is missing.
    assert!(m.gaps.is_empty(), "{:?}", gaps(&m));
    let names: Vec<_> = m.configs.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names, ["prod.yaml", "other.yaml"]);
}

#[test]
fn a_template_nesting_itself_for_real_is_judged_with_a_gap_naming_the_nesting() {
    let m = scan_tmp(&[("prod.yaml", &self_nesting("Always"))]);
    let nb = notebook(&m, "Nb");
    assert_eq!(nb.direct_internet_access.get(), Some(&Toggle::Enabled));
    assert_eq!(nb.root_access.get(), Some(&Toggle::Enabled));
    let g = gaps(&m);
    assert_eq!(g.len(), 1, "{g:?}");
    assert!(
        g[0].starts_with("unsupported prod.yaml:6 nested stack Hide") && g[0].contains("circular"),
        "{g:?}"
    );
}

/// Two templates that nest each other: each was "nested by another", so both vanished.
#[test]
fn two_templates_nesting_each_other_are_both_judged() {
    let nests = |other: &str| {
        format!(
            "Resources:\n  Child:\n    Type: AWS::CloudFormation::Stack\n    Properties:\n      TemplateURL: ./{other}\n  Nb:\n    Type: AWS::SageMaker::NotebookInstance\n    Properties:\n{NOTEBOOK_PROPS}"
        )
    };
    let m = scan_tmp(&[("a.yaml", &nests("b.yaml")), ("b.yaml", &nests("a.yaml"))]);
    // a.yaml is the root (first in order); b.yaml is its nested stack, whose own nesting of
    // a.yaml is the cycle.
    assert_eq!(m.configs.len(), 1, "{:?}", m.configs);
    for address in ["Nb", "Child.Nb"] {
        let nb = notebook(&m, address);
        assert_eq!(nb.direct_internet_access.get(), Some(&Toggle::Enabled));
        assert_eq!(nb.root_access.get(), Some(&Toggle::Enabled));
    }
    let g = gaps(&m);
    assert_eq!(g.len(), 1, "{g:?}");
    assert!(
        g[0].contains("b.yaml:2 nested stack Child.Child") && g[0].contains("circular"),
        "{g:?}"
    );
}

/// A template that another nests only under a false condition is never deployed through
/// it, so it is judged on its own.
#[test]
fn a_template_nested_only_under_a_false_condition_is_judged_on_its_own() {
    let parent = "Conditions:\n  Never: !Equals [a, b]\nResources:\n  Child:\n    Type: AWS::CloudFormation::Stack\n    Condition: Never\n    Properties:\n      TemplateURL: ./child.yaml\n";
    let child = format!(
        "Resources:\n  Nb:\n    Type: AWS::SageMaker::NotebookInstance\n    Properties:\n{NOTEBOOK_PROPS}"
    );
    let m = scan_tmp(&[("parent.yaml", parent), ("child.yaml", &child)]);
    let names: Vec<_> = m.configs.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names, ["parent.yaml", "child.yaml"]);
    assert_eq!(
        notebook(&m, "Nb").direct_internet_access.get(),
        Some(&Toggle::Enabled)
    );
    assert!(m.gaps.is_empty(), "{:?}", gaps(&m));
}

// r09 -----------------------------------------------------------------------------------

fn exporter(value: &str) -> String {
    format!(
        "Resources:\n  W: {{Type: AWS::CloudFormation::WaitConditionHandle}}\nOutputs:\n  D:\n    Value: {value}\n    Export: {{Name: Shared-Dia}}\n"
    )
}

const IMPORTER: &str = "Resources:
  Nb:
    Type: AWS::SageMaker::NotebookInstance
    Properties:
      InstanceType: ml.t3.medium
      RoleArn: arn:aws:iam::123456789012:role/x
      DirectInternetAccess: !ImportValue Shared-Dia
      RootAccess: Disabled
";

/// Two templates export one name: the last file read won, so renaming a file flipped
/// SM111 between pass and fail. The import is unknown, naming both exporters.
#[test]
fn an_export_name_two_templates_export_is_unknown_naming_both() {
    for (first, second) in [("Enabled", "Disabled"), ("Disabled", "Enabled")] {
        let m = scan_tmp(&[
            ("a_export.yaml", &exporter(first)),
            ("t.yaml", IMPORTER),
            ("z_export.yaml", &exporter(second)),
        ]);
        let dia = &notebook(&m, "Nb").direct_internet_access;
        let why = reason(dia);
        assert!(
            why.contains("Shared-Dia")
                && why
                    .contains("more than one output exports it (a_export.yaml:6, z_export.yaml:6)"),
            "{why}"
        );
        assert_eq!(dia.origin().file().unwrap().line, 7);
        assert!(dia.candidates().is_empty());
        assert_eq!(
            notebook(&m, "Nb").root_access.get(),
            Some(&Toggle::Disabled)
        );
    }
}

/// Two exports of one name with the same value are still two exporters (which one is
/// deployed is unknown); one exporter, even of a template read twice, still resolves.
#[test]
fn one_exporter_resolves_and_equal_values_from_two_places_still_conflict() {
    let m = scan_tmp(&[("a.yaml", &exporter("Disabled")), ("t.yaml", IMPORTER)]);
    assert_eq!(
        notebook(&m, "Nb").direct_internet_access.get(),
        Some(&Toggle::Disabled)
    );
    let m = scan_tmp(&[
        ("a.yaml", &exporter("Disabled")),
        ("b.yaml", &exporter("Disabled")),
        ("t.yaml", IMPORTER),
    ]);
    let why = reason(&notebook(&m, "Nb").direct_internet_access).to_owned();
    assert!(why.contains("a.yaml:6, b.yaml:6"), "{why}");
}

// r10 -----------------------------------------------------------------------------------

fn with_transform(transform: &str) -> String {
    format!(
        "AWSTemplateFormatVersion: '2010-09-09'
Transform: {transform}
Resources:
  Nb:
    Type: AWS::SageMaker::NotebookInstance
    Properties:
      InstanceType: ml.t3.medium
      RoleArn: arn:aws:iam::123456789012:role/x
      DirectInternetAccess: Disabled
      RootAccess: Disabled
  Bare:
    Type: AWS::SageMaker::NotebookInstance
"
    )
}

/// A template-level macro may rewrite anything: every value is unknown naming it, and the
/// macro is a gap (it may add resources). It passed SM111/SM113 with no gap.
#[test]
fn a_template_level_macro_makes_every_value_unknown_and_is_a_gap() {
    for (transform, name) in [
        (
            "[MyCompany::RewriteEverything]",
            "MyCompany::RewriteEverything",
        ),
        (
            "MyCompany::RewriteEverything",
            "MyCompany::RewriteEverything",
        ),
        // SAM: sagescan does not model SAM's resources, so it is treated as any macro.
        ("AWS::Serverless-2016-10-31", "AWS::Serverless-2016-10-31"),
        (
            "{Name: AWS::Include, Parameters: {Location: 's3://b/k.yaml'}}",
            "AWS::Include",
        ),
    ] {
        let m = scan_tmp(&[("macro.yaml", &with_transform(transform))]);
        for address in ["Nb", "Bare"] {
            let nb = notebook(&m, address);
            for v in [&nb.direct_internet_access, &nb.root_access] {
                let why = reason(v);
                assert!(why.contains(name) && why.contains("macro.yaml"), "{why}");
            }
        }
        let g = gaps(&m);
        assert_eq!(g.len(), 1, "{g:?}");
        assert!(
            g[0].starts_with(&format!("unsupported macro.yaml:2 Transform {name}:")),
            "{g:?}"
        );
    }
}

/// A list of two macros is two gaps.
#[test]
fn each_macro_of_the_transform_list_is_a_gap() {
    let m = scan_tmp(&[("macro.yaml", &with_transform("[A::One, B::Two]"))]);
    let g = gaps(&m);
    assert_eq!(g.len(), 2, "{g:?}");
    assert!(
        g[0].contains("Transform A::One") && g[1].contains("Transform B::Two"),
        "{g:?}"
    );
}

/// `AWS::LanguageExtensions` only adds functions sagescan reads as unknown: the template is
/// read as written, and a `Fn::ForEach` loop (resources not read) is a gap.
#[test]
fn language_extensions_read_the_template_as_written_and_for_each_is_a_gap() {
    let text = with_transform("AWS::LanguageExtensions").replace(
        "  Bare:\n",
        "  Fn::ForEach::Nbs:\n    - N\n    - [a, b]\n    - Nb${N}:\n        Type: AWS::SageMaker::NotebookInstance\n  Bare:\n",
    );
    let m = scan_tmp(&[("ext.yaml", &text)]);
    let nb = notebook(&m, "Nb");
    assert_eq!(nb.direct_internet_access.get(), Some(&Toggle::Disabled));
    assert!(notebook(&m, "Bare").direct_internet_access.is_default());
    let g = gaps(&m);
    assert_eq!(g.len(), 1, "{g:?}");
    assert!(
        g[0].starts_with("unsupported ext.yaml:11 Fn::ForEach::Nbs: sagescan does not expand"),
        "{g:?}"
    );
    // Without the transform nothing changes either: no gap for the declaration itself.
    let m = scan_tmp(&[("ext.yaml", &with_transform("[AWS::LanguageExtensions]"))]);
    assert!(m.gaps.is_empty(), "{:?}", gaps(&m));
}

/// `Fn::Transform` (AWS::Include) inside a resource's properties: the snippet merged there
/// may set anything, so that resource's values are unknown; the other resources are not.
#[test]
fn fn_transform_in_properties_makes_that_resource_unknown_and_is_a_gap() {
    let text = "AWSTemplateFormatVersion: '2010-09-09'
Resources:
  Nb:
    Type: AWS::SageMaker::NotebookInstance
    Properties:
      InstanceType: ml.t3.medium
      RoleArn: arn:aws:iam::123456789012:role/x
      DirectInternetAccess: Disabled
      RootAccess: Disabled
      Fn::Transform:
        Name: AWS::Include
        Parameters: {Location: 's3://bucket/snippet.yaml'}
  Other:
    Type: AWS::SageMaker::NotebookInstance
    Properties:
      DirectInternetAccess: Disabled
      RootAccess: Disabled
      Tags: [{Key: k, Value: v, Fn::Transform: {Name: Tagger}}]
";
    let m = scan_tmp(&[("include.yaml", text)]);
    let nb = notebook(&m, "Nb");
    for v in [&nb.direct_internet_access, &nb.root_access] {
        let why = reason(v);
        assert!(why.contains("AWS::Include"), "{why}");
    }
    // A macro inside a tag rewrites that tag, not the notebook.
    let other = notebook(&m, "Other");
    assert_eq!(other.direct_internet_access.get(), Some(&Toggle::Disabled));
    assert!(other.meta.tags.unknown_reason().unwrap().contains("Tagger"));
    let g = gaps(&m);
    assert_eq!(g.len(), 2, "{g:?}");
    assert!(
        g[0].starts_with("unsupported include.yaml:10 Fn::Transform AWS::Include:"),
        "{g:?}"
    );
    assert!(
        g[1].starts_with("unsupported include.yaml:18 Fn::Transform Tagger:"),
        "{g:?}"
    );
}

/// `Fn::Transform` over a whole section or declaration: everything in that scope.
#[test]
fn fn_transform_over_resources_a_declaration_or_mappings_makes_its_scope_unknown() {
    let over_resources = format!(
        "Resources:\n  Fn::Transform: {{Name: AWS::Include, Parameters: {{Location: s3://b/r.yaml}}}}\n  Nb:\n    Type: AWS::SageMaker::NotebookInstance\n    Properties:\n{NOTEBOOK_PROPS}"
    )
    .replace("Enabled", "Disabled");
    let m = scan_tmp(&[("r.yaml", &over_resources)]);
    assert!(reason(&notebook(&m, "Nb").direct_internet_access).contains("Resources section"));
    assert_eq!(m.gaps.len(), 1, "{:?}", gaps(&m));

    let over_declaration = "Resources:\n  Nb:\n    Type: AWS::SageMaker::NotebookInstance\n    Fn::Transform: {Name: Decl}\n    Properties: {DirectInternetAccess: Disabled, RootAccess: Disabled}\n  Typeless:\n    Fn::Transform: {Name: Decl}\n";
    let m = scan_tmp(&[("d.yaml", over_declaration)]);
    assert!(reason(&notebook(&m, "Nb").root_access).contains("resource Nb"));
    // The typeless declaration is the macro's (its gap), not a missing Type.
    let g = gaps(&m);
    assert_eq!(g.len(), 2, "{g:?}");
    assert!(g.iter().all(|g| g.contains("Fn::Transform Decl")), "{g:?}");

    let mappings = "Mappings:\n  Fn::Transform: {Name: AWS::Include, Parameters: {Location: s3://b/m.yaml}}\n  M: {prod: {Dia: Disabled}}\nResources:\n  Nb:\n    Type: AWS::SageMaker::NotebookInstance\n    Properties:\n      DirectInternetAccess: !FindInMap [M, prod, Dia]\n      RootAccess: Disabled\n";
    let m = scan_tmp(&[("m.yaml", mappings)]);
    let nb = notebook(&m, "Nb");
    assert!(reason(&nb.direct_internet_access).contains("the mapping"));
    assert_eq!(nb.root_access.get(), Some(&Toggle::Disabled));
}

/// A macro in a parent template may rewrite what it passes to a nested stack (or which
/// template that is): the nested stack's values are unknown too.
#[test]
fn a_parent_macro_covers_its_nested_stacks() {
    let parent = "Transform: My::Macro\nResources:\n  Child:\n    Type: AWS::CloudFormation::Stack\n    Properties:\n      TemplateURL: ./child.yaml\n";
    let child = "Resources:\n  Nb:\n    Type: AWS::SageMaker::NotebookInstance\n    Properties: {DirectInternetAccess: Disabled, RootAccess: Disabled}\n";
    let m = scan_tmp(&[("parent.yaml", parent), ("child.yaml", child)]);
    assert_eq!(m.configs.len(), 1);
    assert!(reason(&notebook(&m, "Child.Nb").direct_internet_access).contains("My::Macro"));
    assert_eq!(m.gaps.len(), 1, "{:?}", gaps(&m));
}

/// A nested stack whose `Parameters` cannot be read passes nothing known: its parameters
/// are unknown, not their defaults.
#[test]
fn unreadable_nested_parameters_are_unknown_not_defaults() {
    let parent = "Parameters:\n  P: {Type: String}\nConditions:\n  C: !Equals [!Ref P, x]\nResources:\n  Child:\n    Type: AWS::CloudFormation::Stack\n    Properties:\n      TemplateURL: ./child.yaml\n      Parameters: !If [C, {Dia: Enabled}, {Dia: Enabled, Other: x}]\n";
    let child = "Parameters:\n  Dia: {Type: String, Default: Disabled}\nResources:\n  Nb:\n    Type: AWS::SageMaker::NotebookInstance\n    Properties: {DirectInternetAccess: !Ref Dia, RootAccess: Disabled}\n";
    let m = scan_tmp(&[("parent.yaml", parent), ("child.yaml", child)]);
    let why = reason(&notebook(&m, "Child.Nb").direct_internet_access).to_owned();
    assert!(why.contains("Parameters of nested stack Child"), "{why}");
}
