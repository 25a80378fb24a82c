//! SageMaker workloads seen uniformly: whatever the resource type (notebook, model, Studio
//! domain, user profile or space, training / processing / monitoring job), where it runs — its subnets and security
//! groups. Network checks (subnets, SGs, NACLs, endpoints) ask these questions of every
//! workload; this view answers them once instead of per resource type in every check.

use crate::outcome::Subject;
use sagescan_model::network::{SecurityGroup, Subnet};
use sagescan_model::sagemaker::VpcConfig;
use sagescan_model::{Meta, Model, Origin, Ref, Resource, Value, studio};

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum WorkloadKind {
    Notebook,
    /// A model: its containers run on endpoints or batch transform.
    Hosting,
    /// A Studio domain (its `DefaultUserSettings`).
    Studio,
    /// A Studio user profile: the domain's network, with the profile's groups added.
    StudioUser,
    /// A Studio space, shared or private.
    StudioSpace,
    Training,
    Processing,
    Monitoring,
}

impl WorkloadKind {
    /// Studio apps of any kind: a domain's, a user profile's, a space's.
    pub fn is_studio(self) -> bool {
        matches!(
            self,
            WorkloadKind::Studio | WorkloadKind::StudioUser | WorkloadKind::StudioSpace
        )
    }

    /// The function the kind serves: a domain's profiles and spaces are its Studio.
    pub fn function(self) -> WorkloadKind {
        if self.is_studio() {
            WorkloadKind::Studio
        } else {
            self
        }
    }

    /// How messages name a workload of this kind.
    pub fn noun(self) -> &'static str {
        match self {
            WorkloadKind::Notebook => "notebook",
            WorkloadKind::Hosting => "model",
            WorkloadKind::Studio => "Studio domain",
            WorkloadKind::StudioUser => "Studio user profile",
            WorkloadKind::StudioSpace => "Studio space",
            WorkloadKind::Training => "training job",
            WorkloadKind::Processing => "processing job",
            WorkloadKind::Monitoring => "monitoring job",
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            WorkloadKind::Notebook => "notebook",
            WorkloadKind::Hosting => "hosting",
            WorkloadKind::Studio => "studio",
            WorkloadKind::StudioUser => "studio-user-profile",
            WorkloadKind::StudioSpace => "studio-space",
            WorkloadKind::Training => "training",
            WorkloadKind::Processing => "processing",
            WorkloadKind::Monitoring => "monitoring",
        }
    }
}

/// One SageMaker workload and where it runs.
#[derive(Clone, Debug)]
pub struct Workload<'m> {
    pub kind: WorkloadKind,
    resource_kind: &'static str,
    pub meta: &'m Meta,
    /// Default(empty) = not in a customer VPC.
    pub subnets: Value<Vec<Ref<Subnet>>>,
    /// Default(empty) when not in a VPC or when none are given.
    pub security_groups: Value<Vec<Ref<SecurityGroup>>>,
    /// Position in its resource collection (`model.notebook_instances`, …).
    pub index: usize,
}

impl Subject for Workload<'_> {
    fn kind(&self) -> &'static str {
        self.resource_kind
    }
    fn meta(&self) -> &Meta {
        self.meta
    }
}

impl<'m> Workload<'m> {
    fn new<R: Resource>(
        r: &'m R,
        kind: WorkloadKind,
        subnets: Value<Vec<Ref<Subnet>>>,
        security_groups: Value<Vec<Ref<SecurityGroup>>>,
    ) -> Self {
        Workload {
            kind,
            resource_kind: R::KIND,
            meta: r.meta(),
            subnets,
            security_groups,
            index: 0,
        }
    }

    /// The same workload as the reachability engine names it.
    pub fn reach(&self) -> sagescan_reach::Workload {
        use sagescan_reach::Workload as W;
        match self.kind {
            WorkloadKind::Notebook => W::Notebook(self.index),
            WorkloadKind::Hosting => W::Model(self.index),
            WorkloadKind::Studio => W::Domain(self.index),
            WorkloadKind::StudioUser => W::UserProfile(self.index),
            WorkloadKind::StudioSpace => W::Space(self.index),
            WorkloadKind::Training => W::Training(self.index),
            WorkloadKind::Processing => W::Processing(self.index),
            WorkloadKind::Monitoring => W::Monitoring(self.index),
        }
    }

    fn from_vpc_config<R: Resource>(
        r: &'m R,
        kind: WorkloadKind,
        vpc: &Value<Option<VpcConfig>>,
    ) -> Self {
        match vpc {
            Value::Unknown { reason, origin, .. } => Workload::new(
                r,
                kind,
                Value::unknown(reason.clone(), origin.clone()),
                Value::unknown(reason.clone(), origin.clone()),
            ),
            Value::Set { value: Some(c), .. } | Value::Default { value: Some(c), .. } => {
                Workload::new(r, kind, c.subnets.clone(), c.security_groups.clone())
            }
            Value::Set {
                value: None,
                origin,
            }
            | Value::Default {
                value: None,
                origin,
            } => Workload::new(r, kind, empty(origin), empty(origin)),
        }
    }

    /// Whether it runs in a customer VPC; `None` when unknown.
    pub fn in_vpc(&self) -> Option<bool> {
        self.subnets.get().map(|s| !s.is_empty())
    }
}

fn empty<T>(origin: &Origin) -> Value<Vec<T>> {
    Value::default_value(Vec::new(), origin.clone())
}

/// Every SageMaker workload of the model, in collection order.
pub fn workloads(model: &Model) -> Vec<Workload<'_>> {
    let mut out = Vec::new();
    for nb in &model.notebook_instances {
        let subnets = match &nb.subnet {
            Value::Unknown { reason, origin, .. } => Value::unknown(reason.clone(), origin.clone()),
            v => Value::set(
                v.get().cloned().flatten().into_iter().collect(),
                v.origin().clone(),
            ),
        };
        out.push(Workload::new(
            nb,
            WorkloadKind::Notebook,
            subnets,
            nb.security_groups.clone(),
        ));
    }
    for m in &model.models {
        out.push(Workload::from_vpc_config(
            m,
            WorkloadKind::Hosting,
            &m.vpc_config,
        ));
    }
    for d in &model.domains {
        out.push(Workload::new(
            d,
            WorkloadKind::Studio,
            d.subnets.clone(),
            d.security_groups.clone(),
        ));
    }
    for p in &model.user_profiles {
        let apps = studio::profile_apps(model, p);
        out.push(Workload::new(
            p,
            WorkloadKind::StudioUser,
            apps.subnets,
            apps.security_groups,
        ));
    }
    for s in &model.spaces {
        let apps = studio::space_apps(model, s);
        out.push(Workload::new(
            s,
            WorkloadKind::StudioSpace,
            apps.subnets,
            apps.security_groups,
        ));
    }
    for j in &model.training_jobs {
        out.push(Workload::from_vpc_config(
            j,
            WorkloadKind::Training,
            &j.vpc_config,
        ));
    }
    for j in &model.processing_jobs {
        out.push(Workload::from_vpc_config(
            j,
            WorkloadKind::Processing,
            &j.network.vpc_config,
        ));
    }
    for j in &model.monitoring_jobs {
        out.push(Workload::from_vpc_config(
            j,
            WorkloadKind::Monitoring,
            &j.network.vpc_config,
        ));
    }
    // One workload per resource, collection by collection: the n-th of a kind is the n-th
    // resource of its collection.
    let mut seen: std::collections::HashMap<WorkloadKind, usize> = Default::default();
    for w in &mut out {
        let n = seen.entry(w.kind).or_default();
        w.index = *n;
        *n += 1;
    }
    out
}
