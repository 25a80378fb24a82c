//! Where a SageMaker workload's traffic starts (reachability-semantics §4.4–§4.7, §8.2):
//! SageMaker's own network planes that override the customer VPC (a notebook's direct
//! internet access, Studio's `PublicInternetOnly`, jobs and models outside a VPC, network
//! isolation), and otherwise one network interface per subnet with the workload's security
//! groups. Studio user profiles and spaces run in their domain's network, resolved by
//! [`sagescan_model::studio`].

use sagescan_model::network::{SecurityGroup, Subnet};
use sagescan_model::sagemaker::{AppNetworkAccessType, NetworkConfig, VpcConfig};
use sagescan_model::{ConfigId, Model, Origin, Ref, Resource, Toggle, Value, studio};
use serde::Serialize;

/// A SageMaker resource by collection and position.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Workload {
    Notebook(usize),
    Model(usize),
    Domain(usize),
    /// A Studio user profile: its apps run in its domain's network.
    UserProfile(usize),
    /// A Studio space: its apps run in its domain's network.
    Space(usize),
    Training(usize),
    Processing(usize),
    Monitoring(usize),
}

impl Workload {
    /// Every SageMaker workload of the model, in model order.
    pub fn all(model: &Model) -> Vec<Workload> {
        let mut out = Vec::new();
        out.extend((0..model.notebook_instances.len()).map(Workload::Notebook));
        out.extend((0..model.models.len()).map(Workload::Model));
        out.extend((0..model.domains.len()).map(Workload::Domain));
        out.extend((0..model.user_profiles.len()).map(Workload::UserProfile));
        out.extend((0..model.spaces.len()).map(Workload::Space));
        out.extend((0..model.training_jobs.len()).map(Workload::Training));
        out.extend((0..model.processing_jobs.len()).map(Workload::Processing));
        out.extend((0..model.monitoring_jobs.len()).map(Workload::Monitoring));
        out
    }

    /// The workload whose address (or alias) is `address`.
    pub fn find(model: &Model, address: &str) -> Option<Workload> {
        Workload::all(model).into_iter().find(|w| {
            let m = w.meta(model);
            m.address == address || m.aliases.iter().any(|a| a == address)
        })
    }

    pub fn meta(self, model: &Model) -> &sagescan_model::Meta {
        match self {
            Workload::Notebook(i) => &model.notebook_instances[i].meta,
            Workload::Model(i) => &model.models[i].meta,
            Workload::Domain(i) => &model.domains[i].meta,
            Workload::UserProfile(i) => &model.user_profiles[i].meta,
            Workload::Space(i) => &model.spaces[i].meta,
            Workload::Training(i) => &model.training_jobs[i].meta,
            Workload::Processing(i) => &model.processing_jobs[i].meta,
            Workload::Monitoring(i) => &model.monitoring_jobs[i].meta,
        }
    }

    pub fn kind(self) -> &'static str {
        use sagescan_model::sagemaker as sm;
        match self {
            Workload::Notebook(_) => sm::NotebookInstance::KIND,
            Workload::Model(_) => sm::Model::KIND,
            Workload::Domain(_) => sm::Domain::KIND,
            Workload::UserProfile(_) => sm::UserProfile::KIND,
            Workload::Space(_) => sm::Space::KIND,
            Workload::Training(_) => sm::TrainingJob::KIND,
            Workload::Processing(_) => sm::ProcessingJob::KIND,
            Workload::Monitoring(_) => sm::MonitoringJob::KIND,
        }
    }
}

/// A SageMaker network plane that decides instead of the customer VPC.
#[derive(Clone, Debug, PartialEq)]
pub enum Plane {
    /// `EnableNetworkIsolation`: the container makes no network calls at all (§4.7).
    Isolated { origin: Origin },
    /// SageMaker's own VPC, with internet access: a notebook without a subnet, Studio
    /// `PublicInternetOnly`, a job or model without `VpcConfig` (§4.4–§4.6).
    Managed { why: String, origin: Origin },
    /// A notebook in a subnet with `DirectInternetAccess = Enabled`: everything outside the
    /// VPC's CIDR (S3 included) leaves through SageMaker's interface (§4.4).
    DirectInternet { origin: Origin },
}

/// One network interface the workload's traffic starts from.
#[derive(Clone, Debug, PartialEq)]
pub struct Eni {
    /// Position in `model.subnets`.
    pub subnet: usize,
    /// Positions in `model.security_groups`.
    pub security_groups: Vec<usize>,
    /// Where the subnet is named (for the first hop).
    pub origin: Origin,
}

/// Where a workload's traffic starts.
#[derive(Clone, Debug, PartialEq)]
pub struct Start {
    pub plane: Option<Plane>,
    /// The interfaces: SageMaker may use any of them (§8.2: "any" over subnets).
    pub enis: Vec<Eni>,
    /// What could not be resolved (an unknown subnet list, a subnet or group not in the
    /// model, an unknown setting the planes depend on).
    pub unknown: Vec<(String, Origin)>,
}

impl Start {
    fn new() -> Start {
        Start {
            plane: None,
            enis: Vec::new(),
            unknown: Vec::new(),
        }
    }

    fn unknown<T>(&mut self, what: &str, v: &Value<T>) {
        self.unknown.push((
            format!(
                "{what} is unknown ({})",
                v.unknown_reason().unwrap_or("no reason given")
            ),
            v.origin().clone(),
        ));
    }
}

/// Where `w`'s traffic starts. `platform` asks for SageMaker's own I/O on the workload's
/// behalf (S3 downloads and uploads), which network isolation does not stop and which
/// follows the VPC configuration (§4.7).
pub fn start(model: &Model, w: Workload, platform: bool) -> Start {
    let mut s = Start::new();
    let config = w.meta(model).config;
    let isolated = |s: &mut Start, v: &Value<bool>| -> bool {
        if platform {
            return false;
        }
        match v.get() {
            Some(true) => {
                s.plane = Some(Plane::Isolated {
                    origin: v.origin().clone(),
                });
                true
            }
            Some(false) => false,
            None => {
                s.unknown("EnableNetworkIsolation", v);
                true
            }
        }
    };
    match w {
        Workload::Notebook(i) => {
            let nb = &model.notebook_instances[i];
            match nb.subnet.get() {
                None => s.unknown("SubnetId", &nb.subnet),
                Some(None) => {
                    s.plane = Some(Plane::Managed {
                        why: "notebook instance has no SubnetId: it runs in SageMaker's network with direct internet access".into(),
                        origin: nb.subnet.origin().clone(),
                    })
                }
                Some(Some(subnet)) => {
                    match nb.direct_internet_access.get() {
                        Some(Toggle::Enabled) => {
                            s.plane = Some(Plane::DirectInternet {
                                origin: nb.direct_internet_access.origin().clone(),
                            })
                        }
                        Some(Toggle::Disabled) => {}
                        None => s.unknown("DirectInternetAccess", &nb.direct_internet_access),
                    }
                    let subnets = Value::set(vec![subnet.clone()], nb.subnet.origin().clone());
                    enis(model, config, &subnets, &nb.security_groups, &mut s);
                }
            }
        }
        Workload::Model(i) => {
            let m = &model.models[i];
            if !isolated(&mut s, &m.enable_network_isolation) {
                vpc(model, config, &m.vpc_config, "model", &mut s);
            }
        }
        Workload::Domain(i) => {
            let d = &model.domains[i];
            let access = &d.app_network_access_type;
            studio(
                model,
                config,
                access,
                &d.subnets,
                &d.security_groups,
                &mut s,
            );
        }
        Workload::UserProfile(i) => {
            let apps = studio::profile_apps(model, &model.user_profiles[i]);
            let (access, subnets, groups) = (&apps.access, &apps.subnets, &apps.security_groups);
            studio(model, config, access, subnets, groups, &mut s);
        }
        Workload::Space(i) => {
            let apps = studio::space_apps(model, &model.spaces[i]);
            let (access, subnets, groups) = (&apps.access, &apps.subnets, &apps.security_groups);
            studio(model, config, access, subnets, groups, &mut s);
        }
        Workload::Training(i) => {
            let t = &model.training_jobs[i];
            if !isolated(&mut s, &t.enable_network_isolation) {
                vpc(model, config, &t.vpc_config, "training job", &mut s);
            }
        }
        Workload::Processing(i) => network(
            model,
            config,
            &model.processing_jobs[i].network,
            "processing job",
            platform,
            &mut s,
        ),
        Workload::Monitoring(i) => network(
            model,
            config,
            &model.monitoring_jobs[i].network,
            "monitoring job",
            platform,
            &mut s,
        ),
    }
    s
}

/// Studio apps (a domain's, a profile's, a space's): SageMaker's network under
/// `PublicInternetOnly`, else the domain's subnets with the apps' groups (§4.5).
fn studio(
    model: &Model,
    config: ConfigId,
    access: &Value<AppNetworkAccessType>,
    subnets: &Value<Vec<Ref<Subnet>>>,
    groups: &Value<Vec<Ref<SecurityGroup>>>,
    s: &mut Start,
) {
    match access.get() {
        Some(AppNetworkAccessType::PublicInternetOnly) => {
            s.plane = Some(Plane::Managed {
                why: "Studio domain AppNetworkAccessType is PublicInternetOnly: apps reach the internet through SageMaker's network".into(),
                origin: access.origin().clone(),
            })
        }
        Some(AppNetworkAccessType::VpcOnly) => enis(model, config, subnets, groups, s),
        None => s.unknown("AppNetworkAccessType", access),
    }
}

fn network(
    model: &Model,
    config: ConfigId,
    n: &NetworkConfig,
    what: &str,
    platform: bool,
    s: &mut Start,
) {
    if !platform {
        match n.enable_network_isolation.get() {
            Some(true) => {
                s.plane = Some(Plane::Isolated {
                    origin: n.enable_network_isolation.origin().clone(),
                });
                return;
            }
            Some(false) => {}
            None => {
                s.unknown("EnableNetworkIsolation", &n.enable_network_isolation);
                return;
            }
        }
    }
    vpc(model, config, &n.vpc_config, what, s);
}

fn vpc(model: &Model, config: ConfigId, v: &Value<Option<VpcConfig>>, what: &str, s: &mut Start) {
    match v.get() {
        None => s.unknown("VpcConfig", v),
        Some(None) => {
            s.plane = Some(Plane::Managed {
                why: format!(
                    "{what} has no VpcConfig: its containers run in SageMaker's network with internet access"
                ),
                origin: v.origin().clone(),
            })
        }
        Some(Some(c)) => enis(model, config, &c.subnets, &c.security_groups, s),
    }
}

fn enis(
    model: &Model,
    config: ConfigId,
    subnets: &Value<Vec<Ref<Subnet>>>,
    groups: &Value<Vec<Ref<SecurityGroup>>>,
    s: &mut Start,
) {
    let mut sgs = Vec::new();
    match groups.get() {
        None => s.unknown("the security groups", groups),
        Some(list) => {
            for g in list {
                match model.position(config, g) {
                    Some(p) => sgs.push(p),
                    None => s.unknown.push((
                        format!(
                            "security group {} is not in the scanned configuration",
                            g.key
                        ),
                        groups.origin().clone(),
                    )),
                }
            }
        }
    }
    match subnets.get() {
        None => s.unknown("the subnets", subnets),
        Some(list) => {
            for r in list {
                match model.position(config, r) {
                    Some(subnet) => s.enis.push(Eni {
                        subnet,
                        security_groups: sgs.clone(),
                        origin: subnets.origin().clone(),
                    }),
                    None => s.unknown.push((
                        format!("subnet {} is not in the scanned configuration", r.key),
                        subnets.origin().clone(),
                    )),
                }
            }
        }
    }
}
