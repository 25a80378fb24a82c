//! The evaluated form of a Terraform configuration: one [`Instance`] per resource instance
//! (after `count` / `for_each` expansion and module flattening), its body evaluated as far
//! as statically possible.
//!
//! The evaluator (`eval`) produces it; the mapper (`map`) turns it into model resources.
//! This split keeps HCL semantics (variables, locals, modules, expansion) apart from the
//! knowledge of what each AWS resource type means.

use sagescan_model::{ConfigId, Origin};

/// One resource instance.
#[derive(Clone, Debug, PartialEq)]
pub struct Instance {
    /// Absolute address: `module.net.aws_subnet.private["a"]`, `aws_vpc.main`.
    pub address: String,
    /// `aws_subnet`.
    pub rtype: String,
    pub config: ConfigId,
    /// The `resource` block's header (`resource "aws_subnet" "private" {`).
    pub origin: Origin,
    pub body: Body,
}

/// An evaluated block body. `dynamic` blocks are already expanded into plain blocks.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Body {
    /// In source order; names are unique within a body.
    pub attrs: Vec<(String, Attr)>,
    /// Nested blocks in source order (`ingress`, `vpc_config`, …), with their bodies.
    pub blocks: Vec<(String, Body)>,
    /// The block itself (for a resource: the same as the instance's origin).
    pub origin: Origin,
}

/// An attribute's evaluated value and the span of its whole `name = expr` line.
#[derive(Clone, Debug, PartialEq)]
pub struct Attr {
    pub value: Val,
    pub origin: Origin,
}

/// A statically evaluated HCL value.
#[derive(Clone, Debug, PartialEq)]
pub enum Val {
    Null,
    Bool(bool),
    Number(f64),
    String(String),
    List(Vec<Val>),
    /// Objects and maps, keys in source order.
    Map(Vec<(String, Val)>),
    /// A reference to another resource instance's attribute whose value is not a literal
    /// in the configuration (`aws_subnet.a.id`, `aws_kms_key.k.arn`). `address` is absolute
    /// (module prefix and instance key included), so it is directly a model reference key.
    Ref {
        address: String,
        attribute: String,
    },
    /// Not statically known; the reason names the culprit (`var.x has no value`,
    /// `function timestamp() is not evaluated`, `data.aws_vpc.x.id is known only after apply`).
    Unknown(String),
}

impl Body {
    pub fn attr(&self, name: &str) -> Option<&Attr> {
        self.attrs.iter().find(|(n, _)| n == name).map(|(_, a)| a)
    }

    pub fn blocks<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Body> + 'a {
        self.blocks
            .iter()
            .filter(move |(n, _)| n == name)
            .map(|(_, b)| b)
    }

    pub fn block(&self, name: &str) -> Option<&Body> {
        self.blocks.iter().find(|(n, _)| n == name).map(|(_, b)| b)
    }
}
