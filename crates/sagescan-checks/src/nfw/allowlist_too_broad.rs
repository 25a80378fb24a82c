use super::policy::{DomainPattern, IsAllowList, allow_list};
use crate::{Context, Outcomes};

crate::check! {
    /// ## What it checks
    /// A Network Firewall rule group whose domain allow-list admits names an attacker can
    /// publish data to: a whole top-level domain (`.com`, `.io`), a pattern covering a
    /// configured "too broad" domain (by default `.amazonaws.com`, `.s3.amazonaws.com`,
    /// `.cloudfront.net`, user-content and pastebin hosts, `.ngrok.io`, …), `*` or an empty
    /// name. The allow-list is a `rules_source_list` with `ALLOWLIST`, or the `pass` rules
    /// of a Suricata `rules_string` that match on `tls.sni` / `http.host`; there a content
    /// match that is not anchored at both ends (or with `endswith`, at a dot) also fails,
    /// because `content:"pypi.org"` admits `pypi.org.attacker.net`.
    ///
    /// ## Why it matters
    /// A domain allow-list only keeps data in if no allowed name is writable by someone
    /// else. `.amazonaws.com` admits every S3 bucket in every account — an attacker's
    /// bucket included — and `.com` admits everything. SageMaker reaches AWS services
    /// through VPC endpoints; the firewall should name only the hosts jobs really need
    /// (package indexes, a source host).
    ///
    /// ## Example
    /// ```hcl
    /// resource "aws_networkfirewall_rule_group" "domains" {
    ///   name     = "egress-domains"
    ///   type     = "STATEFUL"
    ///   capacity = 100
    ///   rule_group {
    ///     stateful_rule_options { rule_order = "STRICT_ORDER" }
    ///     rules_source {
    ///       rules_source_list {
    ///         generated_rules_type = "ALLOWLIST"
    ///         target_types         = ["TLS_SNI", "HTTP_HOST"]
    ///         targets              = ["pypi.org", ".amazonaws.com"]
    ///       }
    ///     }
    ///   }
    /// }
    /// ```
    /// ```yaml
    /// Domains:
    ///   Type: AWS::NetworkFirewall::RuleGroup
    ///   Properties:
    ///     Type: STATEFUL
    ///     Capacity: 100
    ///     RuleGroup:
    ///       RulesSource:
    ///         RulesSourceList:
    ///           GeneratedRulesType: ALLOWLIST
    ///           TargetTypes: [TLS_SNI, HTTP_HOST]
    ///           Targets: [pypi.org, .amazonaws.com]
    /// ```
    ///
    /// ## Use instead
    /// ```hcl
    ///         targets = ["pypi.org", ".pythonhosted.org", "github.com"]
    /// ```
    /// ```yaml
    ///           Targets: [pypi.org, .pythonhosted.org, github.com]
    /// ```
    /// and reach AWS services (S3, ECR, CloudWatch) through VPC endpoints with endpoint
    /// policies.
    ///
    /// ## Remediation
    /// - **Console**: VPC → Network Firewall → Network Firewall rule groups → the group →
    ///   *Edit* the domain list → remove the broad entries.
    /// - **CLI**: `aws network-firewall update-rule-group --rule-group-name egress-domains
    ///   --type STATEFUL --rule-group file://rules.json --update-token …`
    /// - **Terraform**: remove the entries from `targets` (or anchor the `content` matches
    ///   with `startswith; endswith;` / `dotprefix; … endswith;`).
    /// - **CloudFormation**: remove the entries from `Targets`.
    ///
    /// ## Options
    /// `too_broad_domains`: the patterns that count as too broad. An entry fails when it
    /// equals one of them or is a leading-dot pattern covering one (`.amazonaws.com`
    /// covers `.s3.amazonaws.com`); a lone TLD always fails.
    ///
    /// ## Limitations
    /// Multi-label public suffixes (`.co.uk`) are not recognised as TLDs unless listed in
    /// the option. A pass rule with a keyword this tool does not interpret (`pcre`, …)
    /// makes the group inconclusive when nothing else fails.
    ///
    /// ## References
    /// - <https://docs.aws.amazon.com/network-firewall/latest/developerguide/stateful-rule-groups-domain-names.html>
    /// - <https://docs.aws.amazon.com/network-firewall/latest/developerguide/suricata-examples.html>
    /// - Peers: none
    pub static CHECK = {
        code: "NFW108",
        name: "allowlist-too-broad",
        severity: Medium,
        summary: "domain allow-list admits exfiltration-friendly domains",
        remediation: "Remove whole TLDs and shared-hosting domains from the allow-list; reach AWS services through VPC endpoints",
        run: run,
    };
}

/// Why a pattern is too broad, or `None`.
pub(crate) fn too_broad(p: &DomainPattern, broad: &[String]) -> Option<String> {
    let bare = |s: &str| {
        s.trim()
            .trim_end_matches('.')
            .trim_start_matches('.')
            .to_ascii_lowercase()
    };
    match p {
        DomainPattern::Exact(name) => {
            if name.is_empty() || name == "*" {
                return Some(format!("\"{name}\" (matches every name)"));
            }
            broad
                .iter()
                .find(|b| !b.starts_with('.') && bare(b) == *name)
                .map(|_| name.clone())
        }
        DomainPattern::Subdomains(dotted) => {
            let apex = bare(dotted);
            if apex.is_empty() || apex == "*" {
                return Some(format!("{dotted} (matches every name)"));
            }
            if !apex.contains('.') {
                return Some(format!("{dotted} (a whole top-level domain)"));
            }
            broad.iter().find_map(|b| {
                let b = bare(b);
                if b == apex {
                    Some(dotted.clone())
                } else if b.ends_with(&format!(".{apex}")) {
                    Some(format!("{dotted} (covers {b})"))
                } else {
                    None
                }
            })
        }
        DomainPattern::StringSuffix(_) | DomainPattern::Substring(_) | DomainPattern::AllBut(_) => {
            Some(p.describe())
        }
    }
}

fn run(ctx: &Context<'_>, out: &mut Outcomes) {
    let broad = &ctx.options.too_broad_domains;
    for g in &ctx.model.rule_groups {
        let list = match allow_list(g) {
            IsAllowList::No => continue,
            IsAllowList::Maybe(gap) => {
                super::inconclusive(out, g, "whether the rule group is an allow-list", &gap);
                continue;
            }
            IsAllowList::Yes(list) => list,
        };
        let mut offending: Vec<String> = Vec::new();
        let mut at = None;
        for e in &list.entries {
            if let Some(why) = too_broad(&e.pattern, broad) {
                if !offending.contains(&why) {
                    offending.push(why);
                }
                at.get_or_insert_with(|| e.origin.clone());
            }
        }
        match (at, list.gaps.first()) {
            (Some(origin), _) => out.fail(
                g,
                &origin,
                format!("domain allow-list admits {}", offending.join(", ")),
            ),
            (None, Some(gap)) => super::inconclusive(out, g, "every allow-list entry", gap),
            (None, None) => out.pass(g),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{CHECK, too_broad};
    use crate::Options;
    use crate::nfw::policy::DomainPattern;
    use crate::testing::{lines, outcomes, verdicts};

    #[test]
    fn package_hosts_pass() {
        assert_eq!(
            verdicts(&CHECK, "pass.tf"),
            // The deny-list is not an allow-list: no outcome.
            [
                ("aws_networkfirewall_rule_group.domains".into(), "pass"),
                ("aws_networkfirewall_rule_group.suricata".into(), "pass"),
            ]
        );
    }

    #[test]
    fn tlds_shared_hosts_and_loose_content_fail() {
        let got = outcomes(&CHECK, "fail.tf");
        assert_eq!(got.len(), 2, "{got:?}");
        assert_eq!(got[0].0, "aws_networkfirewall_rule_group.domains");
        assert_eq!(
            got[0].2,
            "domain allow-list admits .com (a whole top-level domain), .amazonaws.com"
        );
        assert_eq!(got[1].0, "aws_networkfirewall_rule_group.suricata");
        assert!(
            got[1].2.contains("any name containing \"pypi.org\""),
            "{}",
            got[1].2
        );
        assert!(
            got[1].2.contains(".io (a whole top-level domain)"),
            "{}",
            got[1].2
        );
        // The domain list's finding points at `targets`.
        assert_eq!(lines(&CHECK, "fail.tf")[0].2, Some(11));
    }

    #[test]
    fn unknown_targets_are_inconclusive() {
        let got = outcomes(&CHECK, "unknown.tf");
        assert_eq!(got.len(), 2, "{got:?}");
        assert_eq!(got[0].1, "inconclusive");
        assert!(got[0].2.contains("var.allowed_domains"), "{}", got[0].2);
        assert_eq!(got[1].1, "inconclusive");
        assert!(got[1].2.contains("pcre"), "{}", got[1].2);
    }

    #[test]
    fn breadth_rules() {
        let broad = Options::default().too_broad_domains;
        let sub = |s: &str| DomainPattern::Subdomains(s.into());
        let exact = |s: &str| DomainPattern::Exact(s.into());
        assert!(too_broad(&sub(".com"), &broad).is_some());
        assert!(too_broad(&sub(".amazonaws.com"), &broad).is_some());
        // Covers the listed `.s3.amazonaws.com` without being listed itself.
        assert_eq!(
            too_broad(
                &sub(".s3.us-east-1.amazonaws.com"),
                &["x.s3.us-east-1.amazonaws.com".into()]
            ),
            Some(".s3.us-east-1.amazonaws.com (covers x.s3.us-east-1.amazonaws.com)".into())
        );
        assert!(too_broad(&exact("pastebin.com"), &broad).is_some());
        assert!(too_broad(&exact("*"), &broad).is_some());
        assert!(too_broad(&exact(""), &broad).is_some());
        assert!(too_broad(&exact("pypi.org"), &broad).is_none());
        assert!(too_broad(&sub(".pythonhosted.org"), &broad).is_none());
        // A specific bucket is not the whole of S3.
        assert!(too_broad(&exact("models.s3.amazonaws.com"), &broad).is_none());
        assert!(too_broad(&exact("github.com"), &broad).is_none());
    }
}
