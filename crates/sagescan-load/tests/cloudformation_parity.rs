//! The studio scenario as CloudFormation (YAML and its JSON twin) against the Terraform
//! loader's model of examples/studio: the same resources and the same three-state values
//! where checks read them. Known, deliberate differences are listed in `DIFFERENCES`.

use sagescan_load::cloudformation::{CfnOptions, Template, load_templates};
use sagescan_load::{LoadOptions, load};
use sagescan_model::{Model, Value};
use std::fmt::Debug;
use std::path::Path;

/// What CloudFormation cannot express the Terraform way: the VPC's default security group
/// (`aws_default_security_group`) has no CloudFormation resource, so the CloudFormation
/// model has one security group fewer.
const DIFFERENCES: &str = "security_groups: Terraform also manages the default group";

fn cloudformation(file: &str) -> Model {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/parity/cloudformation")
        .join(file);
    let mut m = Model::default();
    let t = Template {
        text: std::fs::read_to_string(&path).unwrap(),
        display: file.into(),
        path,
    };
    load_templates(&mut m, &[t], &CfnOptions::default());
    m.finish();
    m
}

fn terraform() -> Model {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/studio");
    load(&[root], &LoadOptions::default()).unwrap()
}

/// A value's state and content, without its origin (origins differ by format).
fn state<T: Debug>(v: &Value<T>) -> String {
    match v {
        Value::Set { value, .. } => format!("set {value:?}"),
        Value::Default { value, .. } => format!("default {value:?}"),
        Value::Unknown { .. } => "unknown".into(),
    }
}

/// Reference keys are addresses, which differ by format: keep only whether they resolve.
fn summary(m: &Model) -> Vec<String> {
    let mut out = vec![format!(
        "counts vpc={} subnet={} rt={} rta={} nacl={} nacl_entries={} nacl_subnets={} vpce={} flow={} model={} nb={} epc={} ep={} domain={}",
        m.vpcs.len(),
        m.subnets.len(),
        m.route_tables.len(),
        m.route_table_associations.len(),
        m.network_acls.len(),
        m.network_acls
            .iter()
            .map(|a| a.entries.len())
            .sum::<usize>(),
        // Inline `subnet_ids` (Terraform) and association resources (CloudFormation) are
        // the same link to the topology.
        m.network_acls
            .iter()
            .map(|a| a.subnets.get().map_or(0, Vec::len))
            .sum::<usize>()
            + m.nacl_associations.len(),
        m.vpc_endpoints.len(),
        m.flow_logs.len(),
        m.models.len(),
        m.notebook_instances.len(),
        m.endpoint_configs.len(),
        m.endpoints.len(),
        m.domains.len(),
    )];
    let c = 0;
    for nb in &m.notebook_instances {
        out.push(format!(
            "notebook dia={} root={} imds={} kms_set={} subnet_resolves={} sgs={}",
            state(&nb.direct_internet_access),
            state(&nb.root_access),
            state(&nb.min_imds_version),
            nb.kms_key_id.get().is_some_and(Option::is_some),
            nb.subnet
                .get()
                .and_then(Option::as_ref)
                .is_some_and(|s| m.get(c, s).is_some()),
            nb.security_groups.get().map_or(0, Vec::len),
        ));
    }
    for d in &m.domains {
        out.push(format!(
            "domain access={} kms={} subnets_resolving={} sgs={}",
            state(&d.app_network_access_type),
            state(&d.kms_key_id),
            d.subnets
                .get()
                .map_or(0, |s| s.iter().filter(|s| m.get(c, s).is_some()).count()),
            d.security_groups.get().map_or(0, Vec::len),
        ));
    }
    for e in &m.endpoint_configs {
        let variants: Vec<_> = e
            .production_variants
            .get()
            .into_iter()
            .flatten()
            .map(|v| {
                format!(
                    "{} {} {}",
                    state(&v.name),
                    state(&v.initial_instance_count),
                    v.serverless
                )
            })
            .collect();
        out.push(format!(
            "endpoint_config kms_set={} variants={variants:?}",
            e.kms_key_id.get().is_some_and(Option::is_some)
        ));
    }
    for e in &m.endpoints {
        out.push(format!(
            "endpoint config_resolves={}",
            e.endpoint_config
                .get()
                .is_some_and(|r| m.get(c, r).is_some())
        ));
    }
    for model in &m.models {
        out.push(format!(
            "model isolation={} vpc_subnets={} containers={}",
            state(&model.enable_network_isolation),
            model
                .vpc_config
                .get()
                .and_then(Option::as_ref)
                .map_or(0, |v| v.subnets.get().map_or(0, Vec::len)),
            model.containers.get().map_or(0, Vec::len),
        ));
    }
    for e in &m.vpc_endpoints {
        out.push(format!(
            "vpce {} type={} private_dns={}",
            state(&e.service_name),
            state(&e.endpoint_type).replace("set ", ""),
            state(&e.private_dns_enabled),
        ));
    }
    out.sort();
    out
}

#[test]
fn studio_in_yaml_and_json_matches_terraform() {
    let tf = terraform();
    let yaml = cloudformation("studio.yaml");
    let json = cloudformation("studio.json");
    assert!(yaml.gaps.is_empty(), "{:?}", yaml.gaps);
    assert_eq!(summary(&yaml), summary(&json));
    assert_eq!(summary(&yaml), summary(&tf), "{DIFFERENCES}");
    assert_eq!(
        tf.security_groups.len(),
        yaml.security_groups.len() + 1,
        "{DIFFERENCES}"
    );
    // The workload group's rules: the same peers, protocols and ports.
    let rules = |m: &Model, name: &str| {
        let sg = m
            .security_groups
            .iter()
            .find(|g| {
                g.name
                    .get()
                    .and_then(Option::as_ref)
                    .is_some_and(|n| n.ends_with(name))
            })
            .unwrap();
        let mut r: Vec<String> = sg
            .rules
            .iter()
            .map(|r| {
                let peer = match r.peer.get() {
                    Some(sagescan_model::network::SgPeer::PrefixList(_)) => "prefix-list".into(),
                    other => format!("{other:?}"),
                };
                format!(
                    "{:?} {:?} {:?} {peer}",
                    r.direction,
                    r.protocol.get(),
                    r.from_port.get()
                )
            })
            .collect();
        r.sort();
        r
    };
    assert_eq!(
        rules(&yaml, "-sagemaker").len(),
        rules(&tf, "-sagemaker").len()
    );
}
