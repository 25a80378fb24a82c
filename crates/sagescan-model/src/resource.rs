//! What every resource carries regardless of its type: identity, origin, configuration,
//! tags; and typed references between resources.
//!
//! A reference is stored as the key the source used (a Terraform address, a CloudFormation
//! logical id, a live `subnet-…` id) and resolved on demand through the model's index, so
//! loaders never run a resolution pass of their own and an unresolvable reference stays
//! visible as such instead of turning into "absent".

use crate::value::{Origin, Value};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;
use std::marker::PhantomData;

/// Index of a configuration (a Terraform root, a CloudFormation stack, a live account).
pub type ConfigId = u32;

/// Identity and provenance shared by all resources.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Meta {
    /// Stable, human-readable identity within its configuration: the Terraform address
    /// (`module.net.aws_subnet.private["a"]`), the CloudFormation logical id, or the ARN.
    pub address: String,
    /// The source's own type name (`aws_sagemaker_model`, `AWS::SageMaker::Model`).
    pub source_type: String,
    /// Which configuration declared it; references resolve within it.
    pub config: ConfigId,
    /// The whole resource declaration.
    #[serde(default)]
    pub origin: Origin,
    /// Further keys other resources may use to refer to this one (live ids, ARNs, names).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub aliases: Vec<String>,
    pub tags: Value<BTreeMap<String, String>>,
}

impl Meta {
    pub fn new(
        address: impl Into<String>,
        source_type: impl Into<String>,
        config: ConfigId,
        origin: Origin,
    ) -> Self {
        Meta {
            address: address.into(),
            source_type: source_type.into(),
            config,
            tags: Value::default_value(BTreeMap::new(), origin.clone()),
            origin,
            aliases: Vec::new(),
        }
    }
}

/// A reference to another resource of type `T`, by the key the source used.
#[derive(Serialize, Deserialize)]
#[serde(transparent)]
pub struct Ref<T> {
    pub key: String,
    #[serde(skip)]
    _to: PhantomData<fn() -> T>,
}

impl<T> Ref<T> {
    pub fn new(key: impl Into<String>) -> Self {
        Ref {
            key: key.into(),
            _to: PhantomData,
        }
    }
}

// Manual impls: derives would demand `T: Clone` etc. although only the key is stored.
impl<T> Clone for Ref<T> {
    fn clone(&self) -> Self {
        Ref::new(self.key.clone())
    }
}
impl<T> PartialEq for Ref<T> {
    fn eq(&self, other: &Self) -> bool {
        self.key == other.key
    }
}
impl<T> fmt::Debug for Ref<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Ref({})", self.key)
    }
}
