//! CDK output (`cdk.out`): nested stacks found through the cloud assembly's asset
//! manifests, and nested stacks whose template is not in the scan.

use sagescan_load::cloudformation::{CfnOptions, Template, load_templates};
use sagescan_load::{LoadOptions, load};
use sagescan_model::Model;
use std::path::{Path, PathBuf};

fn cdk_out() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/cdk/cdk.out")
}

fn inline(name: &str, text: &str) -> Model {
    let mut m = Model::default();
    let t = Template {
        path: PathBuf::from(name),
        display: name.into(),
        text: text.into(),
    };
    load_templates(&mut m, &[t], &CfnOptions::default());
    m.finish();
    m
}

#[test]
fn cdk_nested_stack_asset_loads_with_prefixed_addresses_and_resolves() {
    let m = load(&[cdk_out()], &LoadOptions::default()).unwrap();
    // One configuration: the stack and its nested stack; the asset is not loaded on its
    // own, and manifest.json, tree.json and MlStack.assets.json are not diagnosed.
    assert_eq!(m.configs.len(), 1, "{:?}", m.configs);
    assert!(m.gaps.is_empty(), "{:?}", m.gaps);
    assert_eq!(m.notebook_instances.len(), 1);
    let nb = &m.notebook_instances[0];
    assert_eq!(
        nb.meta.address,
        "NotebooksNestedStackNotebooksNestedStackResource6B2E7F1A.Notebook"
    );
    let subnet = nb.subnet.get().unwrap().as_ref().unwrap();
    assert_eq!(subnet.key, "VpcPrivateSubnet1Subnet536B997A");
    assert!(
        m.get(0, subnet).is_some(),
        "{} does not resolve",
        subnet.key
    );
    let groups = nb.security_groups.get().unwrap();
    assert_eq!(groups[0].key, "NotebookGroup5D3E1F7B");
    assert!(m.get(0, &groups[0]).is_some());
    // The notebook's values point into the asset file.
    let at = nb.subnet.origin().file().unwrap();
    assert!(
        at.file.ends_with(".nested.template.json") && at.line > 1,
        "{at:?}"
    );
}

#[test]
fn s3_nested_stack_without_a_local_asset_is_a_gap() {
    let m = inline(
        "app.yaml",
        "Resources:\n\
         \x20 Net:\n\
         \x20   Type: AWS::CloudFormation::Stack\n\
         \x20   Properties:\n\
         \x20     TemplateURL: https://bucket.s3.amazonaws.com/network.yaml\n\
         \x20 Cdk:\n\
         \x20   Type: AWS::CloudFormation::Stack\n\
         \x20   Properties:\n\
         \x20     TemplateURL: !Join ['', ['https://s3.', !Ref AWS::Region, '.amazonaws.com/b/0123abcd.json']]\n\
         \x20 Group:\n\
         \x20   Type: AWS::EC2::SecurityGroup\n\
         \x20   Properties:\n\
         \x20     GroupDescription: g\n",
    );
    let mut gaps: Vec<_> = m
        .gaps
        .iter()
        .map(|g| {
            let line = g.origin.file().map_or(0, |f| f.line);
            (g.kind.as_str(), g.config, line, g.message.as_str())
        })
        .collect();
    gaps.sort();
    assert_eq!(gaps.len(), 2, "{gaps:?}");
    assert_eq!(gaps[0].0, "unsupported");
    assert_eq!((gaps[0].1, gaps[0].2), (Some(0), 2));
    assert_eq!(
        gaps[0].3,
        "nested stack Net (TemplateURL https://bucket.s3.amazonaws.com/network.yaml) was not loaded: \
         not in the scan"
    );
    assert_eq!((gaps[1].1, gaps[1].2), (Some(0), 6));
    assert!(
        gaps[1].3.starts_with("nested stack Cdk (TemplateURL ")
            && gaps[1].3.ends_with("was not loaded: not in the scan"),
        "{}",
        gaps[1].3
    );
    // The rest of the template still loads.
    assert_eq!(m.security_groups.len(), 1);
}

#[test]
fn malformed_cdk_manifest_is_a_gap_at_its_line() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().to_path_buf();
    let manifest = dir.join("manifest.json");
    std::fs::write(
        &manifest,
        "{\n  \"version\": \"36.0.0\",\n  \"artifacts\": {\n    \"MlStack\": {,\n  }\n}\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("App.template.json"),
        r#"{"Resources": {"Group": {"Type": "AWS::EC2::SecurityGroup"}}}"#,
    )
    .unwrap();
    let m = load(std::slice::from_ref(&dir), &LoadOptions::default()).unwrap();
    let gap = m
        .gaps
        .iter()
        .find(|g| g.message.starts_with("not a valid CDK manifest"))
        .unwrap_or_else(|| panic!("{:?}", m.gaps));
    assert_eq!(gap.kind, "parse-error");
    let at = gap.origin.file().unwrap();
    assert!(at.file.ends_with("manifest.json"), "{at:?}");
    assert_eq!(at.line, 4);
}
