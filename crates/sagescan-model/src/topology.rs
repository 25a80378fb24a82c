//! Derived network relations that checks and the reachability engine ask for again and
//! again: which route table and which network ACL a subnet uses, and which VPC a subnet is
//! in. Computed once per model in one pass over the associations, so that a check over N
//! workloads costs O(N) lookups rather than a scan of every association per workload.
//!
//! AWS semantics (see the VPC user guide, "Route tables" and "Network ACLs"): a subnet uses
//! its explicitly associated route table, else its VPC's main route table; likewise its
//! explicitly associated network ACL, else the VPC's default network ACL. When the main
//! table or default ACL is not declared in the source, AWS's own applies ([`Link::Implicit`]):
//! a main route table with only the local route, a default ACL that allows all traffic.

use crate::model::Model;
use crate::network::{AssociationTarget, NetworkAcl, RouteTable, Subnet, Vpc};
use crate::resource::{ConfigId, Ref};
use crate::value::{Origin, Value};
use std::collections::HashMap;

/// How a subnet is tied to its route table or network ACL.
#[derive(Clone, Debug, PartialEq)]
pub enum Link {
    /// An explicit association; `origin` is where it is declared.
    Explicit { index: usize, origin: Origin },
    /// No explicit association: the VPC's declared main route table / default ACL.
    Main { index: usize },
    /// No explicit association and the VPC's main table / default ACL is not declared:
    /// AWS's default applies (main route table: local route only; default ACL: allow all).
    Implicit,
    /// Cannot be known; the reason says why.
    Unknown { reason: String, origin: Origin },
}

/// Relations indexed by subnet (positions in `model.subnets`).
#[derive(Clone, Debug, Default)]
pub struct Topology {
    route_table: Vec<Link>,
    network_acl: Vec<Link>,
    vpc: Vec<Option<usize>>,
}

impl Topology {
    pub fn new(model: &Model) -> Topology {
        let vpc: Vec<Option<usize>> = model
            .subnets
            .iter()
            .map(|s| s.vpc.get().and_then(|r| model.position(s.meta.config, r)))
            .collect();
        Topology {
            route_table: route_tables(model, &vpc),
            network_acl: network_acls(model, &vpc),
            vpc,
        }
    }

    /// The route table subnet `subnet` (a position in `model.subnets`) uses.
    pub fn route_table_of(&self, subnet: usize) -> &Link {
        &self.route_table[subnet]
    }

    /// The network ACL subnet `subnet` uses.
    pub fn network_acl_of(&self, subnet: usize) -> &Link {
        &self.network_acl[subnet]
    }

    /// The position in `model.vpcs` of the subnet's VPC, when it resolves.
    pub fn vpc_of(&self, subnet: usize) -> Option<usize> {
        self.vpc[subnet]
    }
}

/// Collects explicit associations per subnet; an association whose subnet is unknown
/// could be any subnet of its configuration, which poisons the implicit case there.
struct Explicit {
    by_subnet: HashMap<usize, Link>,
    /// Configurations with an association whose subnet is unknown, with the reason.
    unknown_in: HashMap<ConfigId, (String, Origin)>,
}

impl Explicit {
    fn new() -> Self {
        Explicit {
            by_subnet: HashMap::new(),
            unknown_in: HashMap::new(),
        }
    }

    fn add<T: crate::Resource>(
        &mut self,
        model: &Model,
        config: ConfigId,
        subnet: &Value<Ref<Subnet>>,
        target: Option<usize>,
        target_key: Option<&Value<Ref<T>>>,
        origin: &Origin,
    ) {
        let Some(s) = subnet.get() else {
            let reason = subnet.unknown_reason().unwrap_or_default();
            self.unknown_in.entry(config).or_insert((
                format!("an association's subnet is unknown ({reason})"),
                origin.clone(),
            ));
            return;
        };
        let Some(s) = model.position(config, s) else {
            // A subnet outside the model: nothing here is tied to it.
            return;
        };
        let link = match (target, target_key) {
            (Some(index), _) => Link::Explicit {
                index,
                origin: origin.clone(),
            },
            (None, Some(Value::Unknown { reason, origin, .. })) => Link::Unknown {
                reason: reason.clone(),
                origin: origin.clone(),
            },
            (None, Some(v)) => Link::Unknown {
                reason: format!(
                    "the associated {} {} is not in the scanned configuration",
                    T::KIND,
                    v.get().map(|r| r.key.as_str()).unwrap_or_default()
                ),
                origin: origin.clone(),
            },
            (None, None) => Link::Unknown {
                reason: "association target unknown".into(),
                origin: origin.clone(),
            },
        };
        self.by_subnet.insert(s, link);
    }

    /// The final link of every subnet: explicit, else the VPC's main/default one.
    fn finish(
        mut self,
        model: &Model,
        vpc: &[Option<usize>],
        main: &HashMap<usize, usize>,
    ) -> Vec<Link> {
        (0..model.subnets.len())
            .map(|i| {
                if let Some(link) = self.by_subnet.remove(&i) {
                    return link;
                }
                let subnet = &model.subnets[i];
                if let Some((reason, origin)) = self.unknown_in.get(&subnet.meta.config) {
                    return Link::Unknown {
                        reason: reason.clone(),
                        origin: origin.clone(),
                    };
                }
                match vpc[i] {
                    Some(v) => main
                        .get(&v)
                        .map_or(Link::Implicit, |&index| Link::Main { index }),
                    None => Link::Unknown {
                        reason: match &subnet.vpc {
                            Value::Unknown { reason, .. } => {
                                format!("the subnet's VPC is unknown ({reason})")
                            }
                            _ => "the subnet's VPC is not in the scanned configuration".into(),
                        },
                        origin: subnet.vpc.origin().clone(),
                    },
                }
            })
            .collect()
    }
}

fn route_tables(model: &Model, vpc: &[Option<usize>]) -> Vec<Link> {
    let mut explicit = Explicit::new();
    // VPC position → its main route table: `is_main` tables and main-table associations.
    let mut main: HashMap<usize, usize> = HashMap::new();
    for (i, rt) in model.route_tables.iter().enumerate() {
        if rt.is_main.get() == Some(&true)
            && let Some(v) = rt
                .vpc
                .get()
                .and_then(|r| model.position::<Vpc>(rt.meta.config, r))
        {
            main.insert(v, i);
        }
    }
    for a in &model.route_table_associations {
        let config = a.meta.config;
        let table = a
            .route_table
            .get()
            .and_then(|r| model.position::<RouteTable>(config, r));
        match &a.target {
            AssociationTarget::Subnet(s) => explicit.add(
                model,
                config,
                s,
                table,
                Some(&a.route_table),
                &a.meta.origin,
            ),
            AssociationTarget::MainOf(v) => {
                if let (Some(v), Some(t)) = (v.get().and_then(|r| model.position(config, r)), table)
                {
                    main.insert(v, t);
                }
            }
            AssociationTarget::Gateway(_) => {}
        }
    }
    explicit.finish(model, vpc, &main)
}

fn network_acls(model: &Model, vpc: &[Option<usize>]) -> Vec<Link> {
    let mut explicit = Explicit::new();
    let mut default: HashMap<usize, usize> = HashMap::new();
    for (i, acl) in model.network_acls.iter().enumerate() {
        let config = acl.meta.config;
        if acl.is_default
            && let Some(v) = acl.vpc.get().and_then(|r| model.position::<Vpc>(config, r))
        {
            default.insert(v, i);
        }
        match &acl.subnets {
            Value::Unknown { reason, origin, .. } => {
                explicit.unknown_in.entry(config).or_insert((
                    format!("the subnets of {} are unknown ({reason})", acl.meta.address),
                    origin.clone(),
                ));
            }
            v => {
                for s in v.get().into_iter().flatten() {
                    let subnet = Value::set(s.clone(), v.origin().clone());
                    explicit.add::<NetworkAcl>(model, config, &subnet, Some(i), None, v.origin());
                }
            }
        }
    }
    for a in &model.nacl_associations {
        let config = a.meta.config;
        let acl = a
            .network_acl
            .get()
            .and_then(|r| model.position::<NetworkAcl>(config, r));
        explicit.add(
            model,
            config,
            &a.subnet,
            acl,
            Some(&a.network_acl),
            &a.meta.origin,
        );
    }
    explicit.finish(model, vpc, &default)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::network::{RouteTableAssociation, Subnet};
    use crate::resource::Meta;

    fn meta(config: ConfigId, address: &str) -> Meta {
        Meta::new(address, "test", config, Origin::None)
    }

    fn vpc(c: ConfigId, a: &str) -> Vpc {
        Vpc {
            meta: meta(c, a),
            cidr_block: Value::set("10.0.0.0/16".into(), Origin::None),
            extra_cidr_blocks: vec![],
            enable_dns_support: Value::default_value(true, Origin::None),
            enable_dns_hostnames: Value::default_value(false, Origin::None),
            is_default: Value::default_value(false, Origin::None),
        }
    }

    fn subnet(c: ConfigId, a: &str, vpc: &str) -> Subnet {
        Subnet {
            meta: meta(c, a),
            vpc: Value::set(Ref::new(vpc), Origin::None),
            cidr_block: Value::set("10.0.1.0/24".into(), Origin::None),
            availability_zone: Value::set("us-east-1a".into(), Origin::None),
            map_public_ip_on_launch: Value::default_value(false, Origin::None),
        }
    }

    fn table(c: ConfigId, a: &str, main: bool) -> RouteTable {
        RouteTable {
            meta: meta(c, a),
            vpc: Value::set(Ref::new("vpc"), Origin::None),
            is_main: Value::set(main, Origin::None),
            routes: vec![],
            routes_complete: true,
        }
    }

    fn assoc(c: ConfigId, subnet: Value<Ref<Subnet>>, rt: &str) -> RouteTableAssociation {
        RouteTableAssociation {
            meta: meta(c, "assoc"),
            route_table: Value::set(Ref::new(rt), Origin::None),
            target: AssociationTarget::Subnet(subnet),
        }
    }

    #[test]
    fn explicit_association_else_main_table_else_aws_default() {
        let mut m = Model::default();
        let c = m.add_config("c", "test");
        m.vpcs.push(vpc(c, "vpc"));
        m.subnets.push(subnet(c, "a", "vpc"));
        m.subnets.push(subnet(c, "b", "vpc"));
        m.route_tables.push(table(c, "private", false));
        m.route_table_associations.push(assoc(
            c,
            Value::set(Ref::new("a"), Origin::None),
            "private",
        ));
        m.finish();
        let t = Topology::new(&m);
        assert!(matches!(
            t.route_table_of(0),
            Link::Explicit { index: 0, .. }
        ));
        assert_eq!(t.route_table_of(1), &Link::Implicit);
        assert_eq!(t.network_acl_of(1), &Link::Implicit);

        m.route_tables.push(table(c, "main", true));
        m.finish();
        let t = Topology::new(&m);
        assert_eq!(t.route_table_of(1), &Link::Main { index: 1 });
    }

    #[test]
    fn an_association_with_an_unknown_subnet_makes_implicit_links_unknown() {
        let mut m = Model::default();
        let c = m.add_config("c", "test");
        m.vpcs.push(vpc(c, "vpc"));
        m.subnets.push(subnet(c, "a", "vpc"));
        m.route_tables.push(table(c, "private", false));
        m.route_table_associations.push(assoc(
            c,
            Value::unknown("var.subnet has no value", Origin::None),
            "private",
        ));
        m.finish();
        let t = Topology::new(&m);
        match t.route_table_of(0) {
            Link::Unknown { reason, .. } => assert!(reason.contains("var.subnet"), "{reason}"),
            other => panic!("expected unknown, got {other:?}"),
        }
    }
}
