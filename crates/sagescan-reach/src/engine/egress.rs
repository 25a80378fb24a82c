//! Egress questions: the destinations and flows a query stands for, one walk per flow,
//! and the answer assembled from the walks (witness path, admitted flows, every blocking
//! control, what is unknown).

use super::*;

impl Engine<'_> {
    pub(super) fn answer_from(
        &self,
        from: String,
        s: &Start,
        to: &Destination,
        direction: Direction,
    ) -> Answer {
        let mut answer = empty_answer(&from, to, direction);
        answer.unknown_because = s
            .unknown
            .iter()
            .map(|(why, o)| hop("sagemaker", "sagemaker", Decision::Unknown, why, o))
            .collect();
        // The workload's own placement is unknown: no walk can start.
        answer.return_unknown = answer.unknown_because.clone();
        let outside_vpc = |to: &Destination| !matches!(to, Destination::Cidr { .. });
        match (&s.plane, direction) {
            (Some(Plane::Isolated { origin }), _) => {
                answer.blocked_by.push(hop(
                    &answer.from,
                    "sagemaker",
                    Decision::Block,
                    "EnableNetworkIsolation = true: the container makes no network calls",
                    origin,
                ));
                answer.path = answer.blocked_by.clone();
                return finish(answer);
            }
            (Some(Plane::Managed { why, origin }), Direction::Egress) => {
                return managed(answer, why, origin);
            }
            (Some(Plane::DirectInternet { origin }), Direction::Egress) if outside_vpc(to) => {
                return managed(
                    answer,
                    "DirectInternetAccess = Enabled: traffic outside the VPC leaves through SageMaker's network interface, whatever the VPC's routes, ACLs and firewall say",
                    origin,
                );
            }
            (Some(Plane::Managed { why, origin }), Direction::Ingress) => {
                answer.notes.push(format!("{why}; SageMaker's network accepts no inbound connections from the internet (the notebook or app is reached through SageMaker's authenticated proxy)"));
                answer.blocked_by.push(hop(
                    "SageMaker-managed network",
                    "sagemaker",
                    Decision::Block,
                    "no inbound path into SageMaker's network",
                    origin,
                ));
                answer.path = answer.blocked_by.clone();
                return finish(answer);
            }
            _ => {}
        }
        let mut parts = Vec::new();
        for eni in &s.enis {
            parts.push(self.interface(eni.subnet, &eni.security_groups, to, direction));
        }
        combine(answer, parts)
    }

    pub(super) fn egress(&self, eni: &Eni, to: &Destination) -> Answer {
        let mut answer = empty_answer(
            &self.model.subnets[eni.subnet].meta.address,
            to,
            Direction::Egress,
        );
        let (dsts, mut notes) = self.destinations(eni, to);
        answer.notes.append(&mut notes);
        // Each walk is shared by the application variants that met the same fate.
        let mut walked: Vec<WalkedFlow> = Vec::new();
        for d in dsts {
            let d = match d {
                Ok(d) => d,
                Err(h) => {
                    answer.return_unknown.push(h.clone());
                    answer.unknown_because.push(h);
                    continue;
                }
            };
            for (l4, port) in self.flows(eni, to) {
                let apps = self.apps(eni.subnet, l4, to);
                let flow = Flow {
                    l4,
                    port,
                    dst: d.clone(),
                };
                let sample = match &d {
                    Dst::Sample(s) => Some(*s),
                    _ => None,
                };
                let mut state = State::at(eni);
                state.hop(self.sg_egress(eni, &flow));
                for (group, w) in self.walk(state, &flow, apps) {
                    walked.push((l4, port, group, w, sample));
                }
            }
        }
        if matches!(
            to,
            Destination::Internet { .. } | Destination::Domain { .. }
        ) && let Some(h) = self.ipv6_egress(eni)
        {
            answer.unknown_because.push(h);
        }
        let total = walked.len();
        let any_public = walked
            .iter()
            .any(|(.., w, sample)| w.delivered && sample.is_none());
        let patterns = self.patterns(eni.subnet);
        let mut parts: Vec<String> = Vec::new();
        for (l4, port, apps, mut w, sample) in walked {
            if let (true, Some(s), Destination::Domain { name, .. }) = (w.delivered, sample, to) {
                // Only part of the internet is reached: the name is, if its address lies
                // there, which the configuration cannot tell.
                let h = hop(
                    "internet",
                    "internet",
                    Decision::Unknown,
                    format!(
                        "{} is reached only if {name} resolves into {}, which the configuration cannot tell",
                        flow_text(&Flow {
                            l4,
                            port,
                            dst: Dst::Sample(s)
                        }),
                        s.within
                    ),
                    &Origin::None,
                );
                w.delivered = false;
                w.hops.push(h.clone());
                w.unknown.push(h);
            }
            if w.delivered
                && let Some(s) = sample
            {
                let part = s.within.to_string();
                if !parts.contains(&part) {
                    parts.push(part);
                }
            }
            if w.delivered {
                // The witness: the first admitted flow, or better an uninspected one (what
                // a reviewer most needs to see).
                if answer.admitted.is_empty()
                    || (answer.admitted.iter().all(|a| a.inspected) && !w.inspected)
                {
                    answer.path = w.hops.clone();
                }
                for app in &apps {
                    answer
                        .admitted
                        .push(admitted(l4, port, app, w.inspected, patterns));
                }
            } else {
                let path_blocked = answer.path.iter().any(|h| h.decision == Decision::Block);
                if answer.admitted.is_empty()
                    && (answer.path.is_empty() || (!path_blocked && !w.blocked.is_empty()))
                {
                    answer.path = w.hops.clone();
                }
                add_undelivered(&mut answer, w.blocked, w.unknown, w.return_unknown);
            }
            add_new(&mut answer.asymmetric, w.asymmetric);
        }
        if total == 0 && answer.unknown_because.is_empty() {
            let h = hop(
                &answer.from,
                "subnet",
                Decision::Unknown,
                "no flow could be built for this destination",
                &eni.origin,
            );
            answer.return_unknown.push(h.clone());
            answer.unknown_because.push(h);
        }
        if !parts.is_empty() && !any_public {
            answer.notes.push(format!(
                "only part of the internet is reached: the addresses in {} (no route, ACL or group rule admits a public address outside the prefixes they name)",
                parts.join(", ")
            ));
        }
        answer.admitted.sort_by(|a, b| {
            (a.protocol, a.port, &a.application).cmp(&(b.protocol, b.port, &b.application))
        });
        answer.admitted.dedup();
        finish(answer)
    }

    /// The destination address classes of a query from `subnet`.
    pub(super) fn destinations(
        &self,
        eni: &Eni,
        to: &Destination,
    ) -> (Vec<Result<Dst, Hop>>, Vec<String>) {
        let subnet = eni.subnet;
        let mut notes = Vec::new();
        let vpc = self.topology.vpc_of(subnet);
        let out = match to {
            Destination::Internet { .. } | Destination::Domain { .. } => {
                // Every public address: one no rule names, and one per piece the named
                // prefixes cut out (internet.rs).
                let mut out = vec![Ok(Dst::Public(Addr::AnyPublic))];
                for s in self.internet_samples(eni, sagescan_model::network::Direction::Egress) {
                    out.push(Ok(Dst::Sample(s)));
                }
                out
            }
            Destination::Cidr { net, .. } => {
                let n = IpNet::V4(*net);
                let cidrs = vpc.map(|v| &self.vpc_cidrs[v]);
                let inside = cidrs.is_some_and(|c| c.nets.iter().any(|c| c.contains(&n)));
                let addr = if net.prefix_len() == 32 {
                    Addr::Exactly(IpAddr::V4(net.addr()))
                } else {
                    Addr::Inside(n)
                };
                if inside {
                    vec![Ok(Dst::Private(addr))]
                } else if cidrs.is_none_or(|c| !c.complete) {
                    let s = &self.model.subnets[subnet];
                    vec![Err(hop(
                        &s.meta.address,
                        "subnet",
                        Decision::Unknown,
                        format!(
                            "whether {n} is inside the subnet's VPC cannot be told: its VPC or a CIDR block of it is unknown"
                        ),
                        &s.meta.origin,
                    ))]
                } else {
                    vec![Ok(Dst::Public(addr))]
                }
            }
            Destination::Service { name } => {
                let mut out = Vec::new();
                let endpoints: Vec<usize> = vpc
                    .and_then(|v| self.interface_endpoints.get(&v))
                    .into_iter()
                    .flatten()
                    .copied()
                    .filter(|&e| service_matches(&self.model.vpc_endpoints[e], name) != M::No)
                    .collect();
                let mut private_dns = M::No;
                for &e in &endpoints {
                    let ep = &self.model.vpc_endpoints[e];
                    let vpc_dns = vpc.map_or(M::Unknown, |v| {
                        let v = &self.model.vpcs[v];
                        bool_m(&v.enable_dns_support).and(bool_m(&v.enable_dns_hostnames))
                    });
                    let on = service_matches(ep, name)
                        .and(bool_m(&ep.private_dns_enabled))
                        .and(vpc_dns);
                    private_dns = private_dns.or(on);
                    match on {
                        M::Yes => {
                            for s in ep.subnets.get().into_iter().flatten() {
                                if let Some(s) = self.model.position(ep.meta.config, s) {
                                    out.push(Ok(Dst::Endpoint { endpoint: e, subnet: s }));
                                }
                            }
                            notes.push(format!(
                                "{} resolves to interface endpoint {} (private DNS)",
                                name, ep.meta.address
                            ));
                        }
                        M::Unknown => out.push(Err(hop(
                            &ep.meta.address,
                            "vpc_endpoint",
                            Decision::Unknown,
                            "whether the service name resolves to this interface endpoint (private DNS, VPC DNS support and hostnames) cannot be told",
                            ep.private_dns_enabled.origin(),
                        ))),
                        M::No => {}
                    }
                }
                if private_dns != M::Yes {
                    // Without private DNS the name resolves to the service's public
                    // addresses: a gateway endpoint route, NAT or nothing (§5.2).
                    out.push(Ok(Dst::Service(name.clone())));
                }
                out
            }
        };
        (out, notes)
    }

    /// The (protocol, port) pairs that sample a query's destination class.
    pub(super) fn flows(&self, eni: &Eni, to: &Destination) -> Vec<(L4, Option<u16>)> {
        if let Some(p) = to.port() {
            return vec![(L4::Tcp, Some(p))];
        }
        let mut ports: BTreeSet<u16> = [22u16, 53, 80, 443, 1024, 8080].into_iter().collect();
        for &g in &eni.security_groups {
            for r in &self.model.security_groups[g].rules {
                if let Ok(t) = Traffic::of_rule(r) {
                    for p in [t.lo, t.hi, t.hi + 1] {
                        if let Ok(p) = u16::try_from(p)
                            && p > 0
                        {
                            ports.insert(p);
                        }
                    }
                }
            }
        }
        let mut out: Vec<(L4, Option<u16>)> = Vec::new();
        for l4 in [L4::Tcp, L4::Udp] {
            out.extend(ports.iter().map(|p| (l4, Some(*p))));
        }
        out.push((L4::Icmp, None));
        out
    }

    /// The application variants of a flow: names the firewalls of the subnet's VPC
    /// mention (each allow-listed pattern, once per protocol), a name none of them lists,
    /// TLS without SNI, and other TCP.
    pub(super) fn apps(&self, subnet: usize, l4: L4, to: &Destination) -> Vec<App> {
        if l4 != L4::Tcp {
            return vec![App::None];
        }
        if let Destination::Domain { name, .. } = to {
            // A firewall sees a name only in a TLS ClientHello's SNI or an HTTP Host
            // header. SSH, a database protocol or TLS without SNI to the host's address
            // carries no name, so the firewall judges it on addresses and ports alone: the
            // domain is reached whenever that traffic is (§6.7), never less often than
            // its addresses are.
            return vec![
                App::Tls(Some(name.clone())),
                App::Http(name.clone()),
                App::OtherTcp,
                App::Tls(None),
            ];
        }
        if let Destination::Service { name } = to {
            return vec![App::Tls(Some(format!("{name}.amazonaws.com")))];
        }
        let names: BTreeSet<&String> = self
            .patterns(subnet)
            .into_iter()
            .flat_map(|p| p.keys())
            .collect();
        let mut unlisted = "unlisted-host.sagescan.invalid".to_string();
        while names.contains(&unlisted) {
            unlisted.insert(0, 'x');
        }
        let mut apps = vec![
            App::OtherTcp,
            App::Tls(None),
            App::Tls(Some(unlisted.clone())),
            App::Http(unlisted),
        ];
        for n in names {
            apps.push(App::Tls(Some(n.clone())));
            apps.push(App::Http(n.clone()));
        }
        apps
    }

    /// The domain patterns the firewalls of the subnet's configuration match on, by the
    /// example name that probes each.
    pub(super) fn patterns(&self, subnet: usize) -> Option<&HashMap<String, DomainPattern>> {
        self.patterns.get(&self.model.subnets[subnet].meta.config)
    }
}

/// A walk's flow (protocol, port), the application variants that met its fate, the
/// walk, and the internet sample it went to, if it went to one.
type WalkedFlow = (L4, Option<u16>, Vec<App>, Walked, Option<internet::Sample>);

pub(super) fn admitted(
    l4: L4,
    port: Option<u16>,
    app: &App,
    inspected: bool,
    patterns: Option<&HashMap<String, DomainPattern>>,
) -> Admitted {
    let named = |n: &String| {
        patterns
            .and_then(|p| p.get(n))
            .cloned()
            .unwrap_or_else(|| DomainPattern::Exact(n.clone()))
    };
    let (application, name_pattern) = match app {
        App::None => ("any".to_string(), None),
        App::OtherTcp => ("other".to_string(), None),
        App::Tls(None) => ("tls without sni".to_string(), None),
        App::Tls(Some(n)) if n.ends_with(".sagescan.invalid") => {
            ("tls sni (any name)".to_string(), None)
        }
        App::Http(n) if n.ends_with(".sagescan.invalid") => {
            ("http host (any name)".to_string(), None)
        }
        App::Tls(Some(n)) => (format!("tls sni {}", named(n).describe()), Some(named(n))),
        App::Http(n) => (format!("http host {}", named(n).describe()), Some(named(n))),
    };
    Admitted {
        protocol: l4.as_str(),
        port,
        application,
        name_pattern,
        inspected,
    }
}

pub(super) fn empty_answer(from: &str, to: &Destination, direction: Direction) -> Answer {
    Answer {
        verdict: Verdict::NotReachable,
        from: from.to_string(),
        to: to.clone(),
        direction,
        path: Vec::new(),
        blocked_by: Vec::new(),
        unknown_because: Vec::new(),
        admitted: Vec::new(),
        asymmetric: Vec::new(),
        return_unknown: Vec::new(),
        notes: Vec::new(),
    }
}

/// Adds what blocks a walk that delivered nothing and, unless something blocks it for sure,
/// what is unknown on it: a walk blocked for sure is not reachable whatever its unknowns
/// say (§0), so they are not why the answer could be unknown.
pub(super) fn add_undelivered(
    answer: &mut Answer,
    blocked: Vec<Hop>,
    unknown: Vec<Hop>,
    return_unknown: Option<Hop>,
) {
    if blocked.is_empty() {
        add_new(&mut answer.unknown_because, unknown);
        add_new(&mut answer.return_unknown, return_unknown);
    }
    add_new(&mut answer.blocked_by, blocked);
}

/// Appends the items of `new` that `to` does not hold yet.
pub(super) fn add_new<T: PartialEq>(to: &mut Vec<T>, new: impl IntoIterator<Item = T>) {
    for x in new {
        if !to.contains(&x) {
            to.push(x);
        }
    }
}

pub(super) fn managed(mut answer: Answer, why: &str, origin: &Origin) -> Answer {
    answer.path = vec![
        hop(&answer.from, "sagemaker", Decision::Allow, why, origin),
        hop(
            "SageMaker-managed network",
            "sagemaker",
            Decision::Allow,
            "internet access outside the customer VPC",
            &Origin::None,
        ),
        hop(
            "internet",
            "internet",
            Decision::Allow,
            answer.to.to_string(),
            &Origin::None,
        ),
    ];
    answer.admitted.push(Admitted {
        protocol: "any",
        port: None,
        application: "any".into(),
        name_pattern: None,
        inspected: false,
    });
    answer.verdict = Verdict::Reachable;
    answer
}

/// Sets the verdict from what was found (§8.7).
pub(super) fn finish(mut a: Answer) -> Answer {
    a.verdict = if !a.admitted.is_empty() {
        Verdict::Reachable
    } else if !a.unknown_because.is_empty() {
        Verdict::Unknown
    } else {
        Verdict::NotReachable
    };
    a
}

/// Combines the answers of a workload's interfaces: reachable if any is.
pub(super) fn combine(mut base: Answer, parts: Vec<Answer>) -> Answer {
    for p in parts {
        let uninspected = |a: &[Admitted]| a.iter().any(|x| !x.inspected);
        if base.path.is_empty()
            || (base.admitted.is_empty() && !p.admitted.is_empty())
            || (!uninspected(&base.admitted) && uninspected(&p.admitted))
        {
            base.path = p.path.clone();
        }
        add_new(&mut base.admitted, p.admitted);
        add_new(&mut base.blocked_by, p.blocked_by);
        add_new(&mut base.unknown_because, p.unknown_because);
        add_new(&mut base.asymmetric, p.asymmetric);
        add_new(&mut base.return_unknown, p.return_unknown);
        add_new(&mut base.notes, p.notes);
    }
    finish(base)
}
