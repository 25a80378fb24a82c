//! The Availability Zones a list of subnets spans. Every "fewer than two Availability
//! Zones" check (SM172, VPCE104, NFW104) asks it; it is answered once here so that they
//! agree on what an unknown zone or an unresolved subnet means.

use sagescan_model::network::Subnet;
use sagescan_model::{ConfigId, Model, Origin, Ref};
use std::collections::BTreeSet;

pub(crate) struct Zones<'m> {
    /// The zones of the subnets that resolve and whose zone is known.
    pub known: BTreeSet<&'m str>,
    /// The first subnet whose zone cannot be told, with where and why.
    pub unknown: Option<(Origin, String)>,
}

/// The zones of `subnets`, references made in configuration `config`; `list` is the
/// origin of the subnet list, used when a subnet does not resolve.
pub(crate) fn zones_of<'m>(
    model: &'m Model,
    config: ConfigId,
    subnets: &[Ref<Subnet>],
    list: &Origin,
) -> Zones<'m> {
    let mut known = BTreeSet::new();
    let mut unknown = None;
    for r in subnets {
        let Some(s) = model.get(config, r) else {
            unknown.get_or_insert_with(|| {
                (
                    list.clone(),
                    format!(
                        "cannot tell the Availability Zone of subnet {}: it is not in the scanned configuration",
                        r.key
                    ),
                )
            });
            continue;
        };
        match s.availability_zone.get() {
            Some(az) => {
                known.insert(az.as_str());
            }
            None => {
                unknown.get_or_insert_with(|| {
                    (
                        s.availability_zone.origin().clone(),
                        format!(
                            "cannot tell the Availability Zone of subnet {}: {}",
                            r.key,
                            s.availability_zone.unknown_reason().unwrap_or_default()
                        ),
                    )
                });
            }
        }
    }
    Zones { known, unknown }
}
