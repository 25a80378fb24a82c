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
        let mut answer = Answer {
            verdict: Verdict::NotReachable,
            from,
            to: to.clone(),
            direction,
            path: Vec::new(),
            blocked_by: Vec::new(),
            unknown_because: s
                .unknown
                .iter()
                .map(|(why, o)| hop("sagemaker", "sagemaker", Decision::Unknown, why, o))
                .collect(),
            admitted: Vec::new(),
            asymmetric: Vec::new(),
            notes: Vec::new(),
        };
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
        let (dsts, mut notes) = self.destinations(eni.subnet, to);
        answer.notes.append(&mut notes);
        // Each walk is shared by the application variants that met the same fate.
        let mut walked: Vec<(L4, Option<u16>, Vec<App>, Walked)> = Vec::new();
        for d in dsts {
            let d = match d {
                Ok(d) => d,
                Err(h) => {
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
                let state = State {
                    subnet: eni.subnet,
                    src: Src::Eni {
                        subnet: eni.subnet,
                        sgs: eni.security_groups.clone(),
                    },
                    hops: Vec::new(),
                    blocked: Vec::new(),
                    unknown: Vec::new(),
                    crossings: Vec::new(),
                    firewalls: Vec::new(),
                    inspected: false,
                    lookups: 0,
                };
                let mut state = state;
                state.hop(self.sg_egress(eni, &flow));
                for (group, w) in self.walk(state, &flow, apps) {
                    walked.push((l4, port, group, w));
                }
            }
        }
        let total = walked.len();
        let patterns = self.patterns(eni.subnet);
        for (l4, port, apps, w) in walked {
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
                let sure = !w.blocked.is_empty();
                for h in w.blocked {
                    if !answer.blocked_by.contains(&h) {
                        answer.blocked_by.push(h);
                    }
                }
                // A walk blocked for sure is not reachable whatever its unknowns say
                // (§0): they are not why the answer could be unknown.
                for h in w.unknown.into_iter().filter(|_| !sure) {
                    if !answer.unknown_because.contains(&h) {
                        answer.unknown_because.push(h);
                    }
                }
            }
            for h in w.asymmetric {
                if !answer.asymmetric.contains(&h) {
                    answer.asymmetric.push(h);
                }
            }
        }
        if total == 0 && answer.unknown_because.is_empty() {
            answer.unknown_because.push(hop(
                &answer.from,
                "subnet",
                Decision::Unknown,
                "no flow could be built for this destination",
                &eni.origin,
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
        subnet: usize,
        to: &Destination,
    ) -> (Vec<Result<Dst, Hop>>, Vec<String>) {
        let mut notes = Vec::new();
        let vpc = self.topology.vpc_of(subnet);
        let out = match to {
            Destination::Internet { .. } | Destination::Domain { .. } => {
                vec![Ok(Dst::Public(Addr::AnyPublic))]
            }
            Destination::Cidr { net, .. } => {
                let n = IpNet::V4(*net);
                let inside = vpc.is_some_and(|v| self.vpc_cidrs[v].iter().any(|c| c.contains(&n)));
                let addr = if net.prefix_len() == 32 {
                    Addr::Exactly(IpAddr::V4(net.addr()))
                } else {
                    Addr::Inside(n)
                };
                if inside {
                    vec![Ok(Dst::Private(addr))]
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
            return vec![App::Tls(Some(name.clone())), App::Http(name.clone())];
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

    /// The domain patterns the firewalls of the subnet's VPC match on, by the example name
    /// that probes each.
    pub(super) fn patterns(&self, subnet: usize) -> Option<&HashMap<String, DomainPattern>> {
        self.topology
            .vpc_of(subnet)
            .and_then(|v| self.patterns.get(&v))
    }
}

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
        notes: Vec::new(),
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
        for x in p.admitted {
            if !base.admitted.contains(&x) {
                base.admitted.push(x);
            }
        }
        for h in p.blocked_by {
            if !base.blocked_by.contains(&h) {
                base.blocked_by.push(h);
            }
        }
        for h in p.unknown_because {
            if !base.unknown_because.contains(&h) {
                base.unknown_because.push(h);
            }
        }
        for h in p.asymmetric {
            if !base.asymmetric.contains(&h) {
                base.asymmetric.push(h);
            }
        }
        for n in p.notes {
            if !base.notes.contains(&n) {
                base.notes.push(n);
            }
        }
    }
    finish(base)
}
