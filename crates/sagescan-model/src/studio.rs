//! Where the apps of a Studio user profile or space run, resolved through its domain.
//!
//! A profile or space states only its own additions; the network it runs in is its
//! domain's. The API reference (`UserSettings`) says a user's `SecurityGroups` "is
//! aggregated when specified in both calls": a profile's apps run in the domain's subnets
//! with the domain's `DefaultUserSettings.SecurityGroups` **plus** its own. A shared space
//! runs with the domain's `DefaultSpaceSettings.SecurityGroups` (which "SageMaker applies
//! only to shared spaces"); a private space runs as its owner's profile. Both the checks'
//! workload view and the reachability engine read these answers, so they cannot disagree.
//!
//! Whatever cannot be resolved (an unknown reference, a domain or owner that is not in the
//! scanned configuration, a case AWS does not document) is Unknown with the reason.

use crate::model::Model;
use crate::network::{SecurityGroup, Subnet};
use crate::resource::Ref;
use crate::sagemaker::{AppNetworkAccessType, Domain, SharingType, Space, UserProfile};
use crate::value::{Origin, Value};

/// The network settings a Studio profile's or space's apps run with.
#[derive(Clone, Debug, PartialEq)]
pub struct StudioApps {
    /// Position of the domain in `model.domains`, when it resolved.
    pub domain: Option<usize>,
    /// The domain's `AppNetworkAccessType`.
    pub access: Value<AppNetworkAccessType>,
    /// The domain's subnets.
    pub subnets: Value<Vec<Ref<Subnet>>>,
    /// The groups the apps' network interfaces carry.
    pub security_groups: Value<Vec<Ref<SecurityGroup>>>,
}

impl StudioApps {
    /// Every setting Unknown for the same reason.
    fn unknown(reason: String, origin: &Origin) -> StudioApps {
        StudioApps {
            domain: None,
            access: Value::unknown(reason.clone(), origin.clone()),
            subnets: Value::unknown(reason.clone(), origin.clone()),
            security_groups: Value::unknown(reason, origin.clone()),
        }
    }

    /// The domain's settings, with `security_groups` for the groups.
    fn of_domain(
        i: usize,
        d: &Domain,
        security_groups: Value<Vec<Ref<SecurityGroup>>>,
    ) -> StudioApps {
        StudioApps {
            domain: Some(i),
            access: d.app_network_access_type.clone(),
            subnets: d.subnets.clone(),
            security_groups,
        }
    }
}

/// `what` is unknown because `v` is: `"<what> (<v's reason>)"`, at `v`'s origin.
fn unknown_from<T, U>(what: &str, v: &Value<U>) -> Value<T> {
    let reason = v.unknown_reason().unwrap_or("no reason given");
    Value::unknown(format!("{what} ({reason})"), v.origin().clone())
}

/// The domain `r` names, by position, or why it cannot be known.
fn domain<'m>(
    model: &'m Model,
    config: crate::ConfigId,
    what: &str,
    r: &Value<Ref<Domain>>,
) -> Result<(usize, &'m Domain), (String, Origin)> {
    let Some(key) = r.get() else {
        let reason = r.unknown_reason().unwrap_or("no reason given");
        return Err((
            format!("the {what}'s DomainId is unknown ({reason})"),
            r.origin().clone(),
        ));
    };
    match model.position(config, key) {
        Some(i) => Ok((i, &model.domains[i])),
        None => Err((
            format!(
                "the {what}'s domain {} is not in the scanned configuration",
                key.key
            ),
            r.origin().clone(),
        )),
    }
}

/// Where a user profile's apps run: its domain's subnets, with the domain's default user
/// groups and its own.
pub fn profile_apps(model: &Model, p: &UserProfile) -> StudioApps {
    let (i, d) = match domain(model, p.meta.config, "user profile", &p.domain) {
        Ok(found) => found,
        Err((reason, origin)) => return StudioApps::unknown(reason, &origin),
    };
    let groups = match (d.security_groups.get(), p.security_groups.get()) {
        (Some(domain), Some(own)) => {
            let mut all = domain.clone();
            all.extend(own.iter().filter(|g| !domain.contains(g)).cloned());
            // The profile's list is the one that may add what the domain closed: point at
            // it when it adds anything.
            let origin = if own.is_empty() {
                d.security_groups.origin()
            } else {
                p.security_groups.origin()
            };
            Value::set(all, origin.clone())
        }
        (None, _) => unknown_from(
            "the domain's DefaultUserSettings.SecurityGroups are unknown",
            &d.security_groups,
        ),
        (_, None) => unknown_from(
            "the user profile's UserSettings.SecurityGroups are unknown",
            &p.security_groups,
        ),
    };
    StudioApps::of_domain(i, d, groups)
}

/// Where a space's apps run: its domain's subnets, with the domain's default space groups
/// (shared) or as its owner's profile (private).
pub fn space_apps(model: &Model, s: &Space) -> StudioApps {
    let (i, d) = match domain(model, s.meta.config, "space", &s.domain) {
        Ok(found) => found,
        Err((reason, origin)) => return StudioApps::unknown(reason, &origin),
    };
    let groups = match s.sharing_type.get() {
        None => unknown_from("the space's sharing type is unknown", &s.sharing_type),
        Some(SharingType::Shared) => match d.default_space_security_groups.get() {
            None => unknown_from(
                "the domain's DefaultSpaceSettings.SecurityGroups are unknown",
                &d.default_space_security_groups,
            ),
            // AWS documents the groups of shared spaces only as DefaultSpaceSettings'
            // (not whether DefaultUserSettings' stand in when it has none).
            Some(groups) if groups.is_empty() => Value::unknown(
                "the domain sets no DefaultSpaceSettings.SecurityGroups, and AWS does not document which groups a shared space then has",
                d.default_space_security_groups.origin().clone(),
            ),
            Some(_) => d.default_space_security_groups.clone(),
        },
        Some(SharingType::Private) => return private_space(model, s, i, d),
    };
    StudioApps::of_domain(i, d, groups)
}

/// A private space runs as its owner: the owner's profile in the same domain.
fn private_space(model: &Model, s: &Space, i: usize, d: &Domain) -> StudioApps {
    // Whatever is missing, it is the owner setting that says so.
    let unknown = |reason: String| {
        StudioApps::of_domain(i, d, Value::unknown(reason, s.owner.origin().clone()))
    };
    let owner = match s.owner.get() {
        None => {
            let groups = unknown_from("the private space's owner is unknown", &s.owner);
            return StudioApps::of_domain(i, d, groups);
        }
        Some(None) => {
            return unknown(
                "the private space names no OwnershipSettings.OwnerUserProfileName".into(),
            );
        }
        Some(Some(owner)) => owner,
    };
    let Some(profile) = model.get(s.meta.config, owner) else {
        return unknown(format!(
            "the private space's owner {} is not in the scanned configuration",
            owner.key
        ));
    };
    let apps = profile_apps(model, profile);
    // Profile names are unique only within a domain: an owner found in another domain is
    // a namesake, not the owner.
    if apps.domain != Some(i) {
        return unknown(format!(
            "the private space's owner {} is not a user profile of the space's domain",
            owner.key
        ));
    }
    apps
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Meta;

    fn at(line: u32) -> Origin {
        Origin::File(crate::FileSpan {
            file: "main.tf".into(),
            start: line,
            end: line,
            line,
            column: 1,
        })
    }

    fn groups(keys: &[&str], line: u32) -> Value<Vec<Ref<SecurityGroup>>> {
        Value::set(keys.iter().map(|k| Ref::new(*k)).collect(), at(line))
    }

    fn keys(v: &Value<Vec<Ref<SecurityGroup>>>) -> Vec<&str> {
        v.get()
            .map(|l| l.iter().map(|r| r.key.as_str()).collect())
            .unwrap_or_default()
    }

    /// A domain `d` (tight `sg.domain`, shared spaces `sg.space`), profiles `alice` (adds
    /// `sg.open`) and `bob` (adds nothing), and a namesake `alice` in domain `other`.
    fn model() -> Model {
        let mut m = Model::default();
        let c = m.add_config("t", "terraform");
        for (name, line) in [("d", 1), ("other", 2)] {
            m.domains.push(Domain {
                meta: Meta::new(name, "aws_sagemaker_domain", c, at(line)),
                app_network_access_type: Value::set(AppNetworkAccessType::VpcOnly, at(line)),
                kms_key_id: Value::default_value(None, at(line)),
                vpc: Value::default_value(None, at(line)),
                subnets: Value::set(vec![Ref::new("subnet.a")], at(line)),
                security_groups: groups(&["sg.domain"], line),
                default_space_security_groups: groups(&["sg.space"], line),
            });
        }
        for (address, name, domain, own, line) in [
            ("p.alice", "alice", "d", vec!["sg.open"], 10),
            ("p.bob", "bob", "d", vec![], 11),
            ("p.namesake", "carol", "other", vec![], 12),
        ] {
            let mut meta = Meta::new(address, "aws_sagemaker_user_profile", c, at(line));
            meta.aliases.push(name.into());
            m.user_profiles.push(UserProfile {
                meta,
                domain: Value::set(Ref::new(domain), at(line)),
                security_groups: groups(&own, line),
            });
        }
        m.finish();
        m
    }

    fn space(sharing: Value<SharingType>, owner: Option<&str>) -> Space {
        Space {
            meta: Meta::new("s", "aws_sagemaker_space", 0, at(20)),
            domain: Value::set(Ref::new("d"), at(20)),
            sharing_type: sharing,
            owner: Value::set(owner.map(Ref::new), at(21)),
        }
    }

    #[test]
    fn a_profile_runs_with_the_domain_groups_and_its_own() {
        let m = model();
        let alice = profile_apps(&m, &m.user_profiles[0]);
        assert_eq!(keys(&alice.security_groups), ["sg.domain", "sg.open"]);
        assert_eq!(
            alice.security_groups.origin(),
            &at(10),
            "points at the addition"
        );
        assert_eq!(alice.subnets, m.domains[0].subnets);
        assert_eq!(alice.domain, Some(0));
        let bob = profile_apps(&m, &m.user_profiles[1]);
        assert_eq!(keys(&bob.security_groups), ["sg.domain"]);
        assert_eq!(bob.security_groups.origin(), &at(1));
    }

    #[test]
    fn unknown_domain_reference_or_groups_make_the_profile_unknown() {
        let mut m = model();
        m.user_profiles[0].domain = Value::unknown("var.domain has no value", at(10));
        let apps = profile_apps(&m, &m.user_profiles[0]);
        for reason in [
            apps.security_groups.unknown_reason(),
            apps.subnets.unknown_reason(),
            apps.access.unknown_reason(),
        ] {
            assert!(
                reason.unwrap().contains("var.domain has no value"),
                "{reason:?}"
            );
        }
        m.user_profiles[0].domain = Value::set(Ref::new("d-elsewhere"), at(10));
        let apps = profile_apps(&m, &m.user_profiles[0]);
        assert!(
            apps.security_groups
                .unknown_reason()
                .unwrap()
                .contains("domain d-elsewhere is not in the scanned configuration")
        );
        let mut m = model();
        m.domains[0].security_groups = Value::unknown("computed", at(1));
        let apps = profile_apps(&m, &m.user_profiles[1]);
        assert!(
            apps.security_groups
                .unknown_reason()
                .unwrap()
                .contains("DefaultUserSettings.SecurityGroups are unknown (computed)")
        );
        let mut m = model();
        m.user_profiles[0].security_groups = Value::unknown("computed", at(10));
        let apps = profile_apps(&m, &m.user_profiles[0]);
        assert!(
            apps.security_groups
                .unknown_reason()
                .unwrap()
                .contains("UserSettings.SecurityGroups are unknown (computed)")
        );
    }

    #[test]
    fn shared_spaces_use_the_default_space_groups_and_private_ones_their_owner() {
        let m = model();
        let shared = space_apps(&m, &space(Value::set(SharingType::Shared, at(20)), None));
        assert_eq!(keys(&shared.security_groups), ["sg.space"]);
        let private = space_apps(
            &m,
            &space(Value::set(SharingType::Private, at(20)), Some("alice")),
        );
        assert_eq!(keys(&private.security_groups), ["sg.domain", "sg.open"]);
    }

    #[test]
    fn what_cannot_be_resolved_or_is_undocumented_is_unknown() {
        let mut m = model();
        let private = |owner| space(Value::set(SharingType::Private, at(20)), owner);
        for (s, why) in [
            (
                private(Some("nobody")),
                "owner nobody is not in the scanned",
            ),
            (
                private(Some("carol")),
                "not a user profile of the space's domain",
            ),
            (private(None), "names no OwnershipSettings"),
            (
                space(Value::unknown("absent", at(20)), None),
                "sharing type is unknown (absent)",
            ),
        ] {
            let apps = space_apps(&m, &s);
            let reason = apps.security_groups.unknown_reason().unwrap_or_default();
            assert!(reason.contains(why), "{reason}");
            assert_eq!(
                apps.subnets, m.domains[0].subnets,
                "the domain still resolves"
            );
        }
        m.domains[0].default_space_security_groups = Value::default_value(Vec::new(), at(1));
        let shared = space_apps(&m, &space(Value::set(SharingType::Shared, at(20)), None));
        assert!(
            shared
                .security_groups
                .unknown_reason()
                .unwrap()
                .contains("does not document")
        );
    }
}
