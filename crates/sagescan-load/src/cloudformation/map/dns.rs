//! `AWS::Route53Resolver::Firewall*` and `AWS::EC2::DHCPOptions` /
//! `AWS::EC2::VPCDHCPOptionsAssociation`: DNS Firewall rule group associations, rule groups
//! (whose rules are inline `FirewallRules`), domain lists, DHCP option sets and their VPC
//! associations. Defaults are AWS's, as in the Terraform mapper: priorities are required,
//! a domain list without `Domains` is empty unless its domains come from a file
//! (`DomainFileUrl`, whose contents are not read), and a DHCP option set without
//! `DomainNameServers` names no DNS server.

use super::read::{Absent, Props};
use super::{Res, unknown, with_props};
use sagescan_model::Value;
use sagescan_model::dns::*;

pub(super) fn association(r: &Res) -> DnsFirewallRuleGroupAssociation {
    with_props(
        r,
        |p| DnsFirewallRuleGroupAssociation {
            meta: r.meta(None),
            vpc: p.reference("VpcId", Absent::Required),
            rule_group: p.reference("FirewallRuleGroupId", Absent::Required),
            priority: p.int("Priority", Absent::Required),
        },
        |u| DnsFirewallRuleGroupAssociation {
            meta: r.meta(None),
            vpc: unknown(u),
            rule_group: unknown(u),
            priority: unknown(u),
        },
    )
}

/// A rule group with its inline rules; rules that cannot be listed leave it incomplete.
pub(super) fn rule_group(r: &Res) -> DnsFirewallRuleGroup {
    let rules = r
        .props()
        .and_then(|p| p.objects("FirewallRules"))
        .map(|rules| rules.iter().map(rule).collect::<Vec<_>>());
    DnsFirewallRuleGroup {
        meta: r.meta(None),
        rules_complete: rules.is_ok(),
        rules: rules.unwrap_or_default(),
    }
}

fn rule(p: &Props) -> DnsFirewallRule {
    let advanced = ["FirewallThreatProtectionId", "DnsThreatProtection"]
        .into_iter()
        .find_map(|name| p.get(name));
    let domain_list = match (p.get("FirewallDomainListId"), advanced) {
        (None, Some(e)) => Value::unknown(
            "the rule uses DNS Firewall Advanced threat protection, not a domain list",
            e.origin.clone(),
        ),
        _ => p.reference("FirewallDomainListId", Absent::Required),
    };
    DnsFirewallRule {
        priority: p.int("Priority", Absent::Required),
        action: p.string("Action", Absent::Required),
        domain_list,
        qtype: p.opt_string("Qtype"),
        declared_by: None,
        origin: p.origin.clone(),
    }
}

pub(super) fn domain_list(r: &Res) -> DnsFirewallDomainList {
    with_props(
        r,
        |p| {
            let domains = match (p.get("Domains"), p.get("DomainFileUrl")) {
                (None, Some(file)) => Value::unknown(
                    "the domains are imported from DomainFileUrl, which is not read",
                    file.origin.clone(),
                ),
                _ => p.strings("Domains", Absent::Default(Vec::new())),
            };
            DnsFirewallDomainList {
                meta: r.meta(None),
                domains,
            }
        },
        |u| DnsFirewallDomainList {
            meta: r.meta(None),
            domains: unknown(u),
        },
    )
}

pub(super) fn dhcp_options(r: &Res) -> VpcDhcpOptions {
    with_props(
        r,
        |p| VpcDhcpOptions {
            meta: r.meta(None),
            domain_name_servers: p.strings("DomainNameServers", Absent::Default(Vec::new())),
        },
        |u| VpcDhcpOptions {
            meta: r.meta(None),
            domain_name_servers: unknown(u),
        },
    )
}

pub(super) fn dhcp_association(r: &Res) -> DhcpOptionsAssociation {
    with_props(
        r,
        |p| DhcpOptionsAssociation {
            meta: r.meta(None),
            vpc: p.reference("VpcId", Absent::Required),
            dhcp_options: p.reference("DhcpOptionsId", Absent::Required),
        },
        |u| DhcpOptionsAssociation {
            meta: r.meta(None),
            vpc: unknown(u),
            dhcp_options: unknown(u),
        },
    )
}

#[cfg(test)]
mod tests {
    use crate::cloudformation::{CfnOptions, Template, load_templates};
    use sagescan_model::dns::AMAZON_PROVIDED_DNS;
    use sagescan_model::{Model, Value};
    use std::path::PathBuf;

    fn load(text: &str) -> Model {
        let mut m = Model::default();
        let t = Template {
            path: PathBuf::from("dns.yaml"),
            display: "dns.yaml".into(),
            text: text.into(),
        };
        load_templates(&mut m, &[t], &CfnOptions::default());
        m.finish();
        assert!(m.gaps.is_empty(), "{:?}", m.gaps);
        m
    }

    fn line<T>(v: &Value<T>) -> u32 {
        v.origin().file().map_or(0, |f| f.line)
    }

    const WALLED_GARDEN: &str = "\
Parameters:
  Priority:
    Type: Number
Resources:
  Vpc:
    Type: AWS::EC2::VPC
    Properties:
      CidrBlock: 10.0.0.0/16
  Allowed:
    Type: AWS::Route53Resolver::FirewallDomainList
    Properties:
      Domains: [api.sagemaker.us-east-1.amazonaws.com]
  Everything:
    Type: AWS::Route53Resolver::FirewallDomainList
    Properties:
      Domains: ['*']
  FromFile:
    Type: AWS::Route53Resolver::FirewallDomainList
    Properties:
      DomainFileUrl: s3://bucket/domains.txt
  Group:
    Type: AWS::Route53Resolver::FirewallRuleGroup
    Properties:
      FirewallRules:
        - Action: ALLOW
          FirewallDomainListId: !GetAtt Allowed.Id
          Priority: 100
        - Action: BLOCK
          BlockResponse: NXDOMAIN
          FirewallDomainListId: !GetAtt Everything.Id
          Priority: 200
          Qtype: TXT
  Association:
    Type: AWS::Route53Resolver::FirewallRuleGroupAssociation
    Properties:
      FirewallRuleGroupId: !GetAtt Group.Id
      VpcId: !Ref Vpc
      Priority: !Ref Priority
  Dhcp:
    Type: AWS::EC2::DHCPOptions
    Properties:
      DomainNameServers: [AmazonProvidedDNS]
  DhcpAssociation:
    Type: AWS::EC2::VPCDHCPOptionsAssociation
    Properties:
      DhcpOptionsId: !Ref Dhcp
      VpcId: !Ref Vpc
";

    #[test]
    fn inline_rules_lists_and_association() {
        let m = load(WALLED_GARDEN);
        let g = &m.dns_firewall_rule_groups[0];
        assert!(g.rules_complete);
        assert_eq!(g.rules.len(), 2);
        let block = &g.rules[1];
        assert_eq!(block.priority.get(), Some(&200));
        assert_eq!(block.action.get().map(String::as_str), Some("BLOCK"));
        assert_eq!(block.qtype.get(), Some(&Some("TXT".to_string())));
        assert_eq!(g.rules[0].qtype.get(), Some(&None));
        let list = block.domain_list.get().unwrap();
        assert_eq!(m.get(0, list).unwrap().domains.get().unwrap(), &["*"]);
        assert_eq!(line(&block.priority), 31);

        let a = &m.dns_firewall_rule_group_associations[0];
        assert!(m.get(0, a.rule_group.get().unwrap()).is_some());
        assert!(m.get(0, a.vpc.get().unwrap()).is_some());
        assert!(
            a.priority
                .unknown_reason()
                .is_some_and(|r| r.contains("Priority")),
            "{:?}",
            a.priority
        );

        let from_file = &m.dns_firewall_domain_lists[2];
        assert_eq!(
            from_file.domains.unknown_reason(),
            Some("the domains are imported from DomainFileUrl, which is not read")
        );

        let dhcp = &m.vpc_dhcp_options[0];
        assert_eq!(
            dhcp.domain_name_servers.get().unwrap(),
            &[AMAZON_PROVIDED_DNS]
        );
        let da = &m.dhcp_options_associations[0];
        assert!(m.get(0, da.dhcp_options.get().unwrap()).is_some());
        assert!(m.get(0, da.vpc.get().unwrap()).is_some());
    }

    #[test]
    fn absent_properties_take_aws_defaults_or_stay_unknown() {
        let m = load(
            "\
Resources:
  Empty:
    Type: AWS::Route53Resolver::FirewallDomainList
    Properties:
      Name: empty
  Group:
    Type: AWS::Route53Resolver::FirewallRuleGroup
    Properties:
      FirewallRules:
        - Action: BLOCK
          FirewallThreatProtectionId: tp-1
  Bare:
    Type: AWS::EC2::DHCPOptions
    Properties:
      DomainName: corp.example
",
        );
        assert_eq!(
            m.dns_firewall_domain_lists[0].domains.get(),
            Some(&Vec::new())
        );
        assert!(m.dns_firewall_domain_lists[0].domains.is_default());
        let rule = &m.dns_firewall_rule_groups[0].rules[0];
        assert_eq!(rule.priority.unknown_reason(), Some("Priority is not set"));
        assert_eq!(
            rule.domain_list.unknown_reason(),
            Some("the rule uses DNS Firewall Advanced threat protection, not a domain list")
        );
        assert_eq!(
            m.vpc_dhcp_options[0].domain_name_servers.get(),
            Some(&Vec::new())
        );
    }
}
