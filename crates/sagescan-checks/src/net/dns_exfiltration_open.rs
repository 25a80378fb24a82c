use crate::vpc::hosting::{Placement, Placer};
use crate::{Context, Outcomes};
use sagescan_reach::dns::{DnsChannel, DnsIndex};
use std::collections::HashMap;

crate::check! {
    /// ## What it checks
    /// A SageMaker workload in a VPC (notebook instance, model, Studio domain, training,
    /// processing or monitoring job) whose VPC resolves arbitrary public names through the
    /// Route 53 Resolver: no Route 53 Resolver DNS Firewall rule group is associated with
    /// the VPC, or none of the associated groups ends with a `BLOCK` rule on a domain list
    /// holding `*` before an `ALLOW` or `ALERT` rule of `*` (or of a whole top-level domain
    /// such as `*.com`). The groups are read as DNS Firewall runs them: by association
    /// priority, then rule priority, the first matching rule ending evaluation.
    ///
    /// A VPC whose `enableDnsSupport` is false has no Resolver and passes, unless its DHCP
    /// options name other DNS servers: queries to those are ordinary traffic whose fate
    /// this check does not decide (inconclusive). The same holds for a VPC whose DNS
    /// Firewall closes the Resolver while its DHCP options point elsewhere.
    ///
    /// ## Why it matters
    /// The Resolver (the VPC+2 address, also `169.254.169.253`) answers queries for public
    /// names by recursion on the internet, even in a VPC with no internet or NAT gateway.
    /// Code in a notebook or training container can therefore carry data out in query
    /// names (`c2VjcmV0.attacker.example`) to a name server the attacker runs: DNS
    /// tunnelling. Security groups and network ACLs cannot filter queries to the Resolver,
    /// and AWS Network Firewall never sees them; only DNS Firewall can. An "isolated" VPC
    /// without DNS Firewall is not isolated.
    ///
    /// ## Example
    /// ```hcl
    /// resource "aws_vpc" "ml" {
    ///   cidr_block = "10.0.0.0/16"
    ///   # no aws_route53_resolver_firewall_rule_group_association for this VPC
    /// }
    /// ```
    /// ```yaml
    /// Vpc:
    ///   Type: AWS::EC2::VPC
    ///   Properties:
    ///     CidrBlock: 10.0.0.0/16
    /// # no AWS::Route53Resolver::FirewallRuleGroupAssociation for this VPC
    /// ```
    ///
    /// ## Use instead
    /// A walled garden: allow the names the workloads need, block everything else.
    /// ```hcl
    /// resource "aws_route53_resolver_firewall_domain_list" "allowed" {
    ///   name    = "sagemaker-allowed"
    ///   domains = ["*.amazonaws.com", "amazonaws.com"]
    /// }
    /// resource "aws_route53_resolver_firewall_domain_list" "everything" {
    ///   name    = "everything"
    ///   domains = ["*"]
    /// }
    /// resource "aws_route53_resolver_firewall_rule_group" "walled" {
    ///   name = "walled-garden"
    /// }
    /// resource "aws_route53_resolver_firewall_rule" "allow" {
    ///   name                    = "allow-aws"
    ///   action                  = "ALLOW"
    ///   firewall_domain_list_id = aws_route53_resolver_firewall_domain_list.allowed.id
    ///   firewall_rule_group_id  = aws_route53_resolver_firewall_rule_group.walled.id
    ///   priority                = 100
    /// }
    /// resource "aws_route53_resolver_firewall_rule" "block" {
    ///   name                    = "block-everything-else"
    ///   action                  = "BLOCK"
    ///   block_response          = "NXDOMAIN"
    ///   firewall_domain_list_id = aws_route53_resolver_firewall_domain_list.everything.id
    ///   firewall_rule_group_id  = aws_route53_resolver_firewall_rule_group.walled.id
    ///   priority                = 200
    /// }
    /// resource "aws_route53_resolver_firewall_rule_group_association" "ml" {
    ///   name                   = "ml"
    ///   firewall_rule_group_id = aws_route53_resolver_firewall_rule_group.walled.id
    ///   vpc_id                 = aws_vpc.ml.id
    ///   priority               = 101
    /// }
    /// ```
    /// ```yaml
    /// Allowed:
    ///   Type: AWS::Route53Resolver::FirewallDomainList
    ///   Properties:
    ///     Domains: ["*.amazonaws.com", amazonaws.com]
    /// Everything:
    ///   Type: AWS::Route53Resolver::FirewallDomainList
    ///   Properties:
    ///     Domains: ["*"]
    /// WalledGarden:
    ///   Type: AWS::Route53Resolver::FirewallRuleGroup
    ///   Properties:
    ///     FirewallRules:
    ///       - {Action: ALLOW, FirewallDomainListId: !GetAtt Allowed.Id, Priority: 100}
    ///       - {Action: BLOCK, BlockResponse: NXDOMAIN, FirewallDomainListId: !GetAtt Everything.Id, Priority: 200}
    /// Association:
    ///   Type: AWS::Route53Resolver::FirewallRuleGroupAssociation
    ///   Properties:
    ///     FirewallRuleGroupId: !GetAtt WalledGarden.Id
    ///     VpcId: !Ref Vpc
    ///     Priority: 101
    /// ```
    ///
    /// ## Remediation
    /// List the names the workloads resolve first (`ALERT` rules on `*` log them without
    /// blocking), then switch the last rule to `BLOCK`.
    /// - **Console**: VPC → DNS firewall → Rule groups → Create rule group; add an `ALLOW`
    ///   rule for the needed domains and a `BLOCK` rule on a list holding `*` with a higher
    ///   priority number; then *Associate VPC*.
    /// - **CLI**: `aws route53resolver create-firewall-domain-list`,
    ///   `update-firewall-domains --operation ADD --domains '*'`,
    ///   `create-firewall-rule-group`, `create-firewall-rule --action BLOCK --block-response
    ///   NXDOMAIN …`, `associate-firewall-rule-group --vpc-id vpc-… --priority 101 …`.
    /// - **Terraform**: `aws_route53_resolver_firewall_domain_list`,
    ///   `aws_route53_resolver_firewall_rule_group`, `aws_route53_resolver_firewall_rule`
    ///   and `aws_route53_resolver_firewall_rule_group_association` as above.
    /// - **CloudFormation**: `AWS::Route53Resolver::FirewallDomainList`,
    ///   `AWS::Route53Resolver::FirewallRuleGroup` (inline `FirewallRules`) and
    ///   `AWS::Route53Resolver::FirewallRuleGroupAssociation`.
    ///
    /// ## Limitations
    /// - A `BLOCK` rule restricted to one query type (`Qtype`) does not close the channel;
    ///   DNS Firewall Advanced rules and domain lists not in the scanned configuration
    ///   (AWS-managed lists, lists imported from a file) have unknown contents, which makes
    ///   the verdict inconclusive when they could change it.
    /// - An `ALLOW` of a domain below a top-level domain (`*.example.net`) is trusted: only
    ///   its owner can run name servers under it.
    /// - The VPC-wide `FirewallFailOpen` setting and rule groups shared through Firewall
    ///   Manager or AWS RAM from outside the scan are not read.
    /// - Notebooks with direct internet access and Studio domains in `PublicInternetOnly`
    ///   mode reach the internet outside the VPC anyway (see SM111, SM101, NET106), and
    ///   containers with network isolation cannot send queries; this check judges the VPC's
    ///   Resolver for every workload in a VPC all the same.
    ///
    /// ## References
    /// - <https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/resolver-dns-firewall-overview.html>
    /// - <https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/resolver-dns-firewall-rule-actions.html>
    /// - <https://docs.aws.amazon.com/vpc/latest/userguide/security-group-rules.html> (DNS to
    ///   the Resolver is not filtered)
    /// - <https://docs.aws.amazon.com/vpc/latest/userguide/vpc-network-acls.html> (likewise)
    /// - <https://docs.aws.amazon.com/network-firewall/latest/developerguide/architectures.html>
    ///   (AmazonProvidedDNS traffic is not inspected)
    /// - <https://docs.aws.amazon.com/vpc/latest/userguide/DHCPOptionSet.html>
    /// - no peer check
    pub static CHECK = {
        code: "NET105",
        name: "dns-exfiltration-open",
        severity: Low,
        summary: "workloads can resolve arbitrary names through the VPC resolver and no Route 53 Resolver DNS Firewall rule group blocks them",
        remediation: "Associate a DNS Firewall rule group that allows the needed domains and blocks `*`",
        run: run,
    };
}

fn run(ctx: &Context<'_>, out: &mut Outcomes) {
    let index = DnsIndex::new(ctx.model);
    let placer = Placer::new(ctx);
    // Workloads share VPCs: each VPC's channel is worked out once.
    let mut channels: HashMap<usize, DnsChannel> = HashMap::new();
    for w in &ctx.workloads {
        let v = match placer.of(ctx, w) {
            // SageMaker's own network: not this check's (SM111, SM101 and NET106 judge it).
            Placement::NoVpc => continue,
            Placement::Unknown(why) => {
                out.inconclusive(
                    w,
                    &why.origin,
                    format!("cannot tell the workload's VPC: {}", why.reason),
                );
                continue;
            }
            Placement::Vpc(v) => v,
        };
        let vpc = &ctx.model.vpcs[v].meta.address;
        match channels
            .entry(v)
            .or_insert_with(|| index.channel(ctx.model, v))
        {
            DnsChannel::Closed { .. } | DnsChannel::Disabled { .. } => out.pass(w),
            DnsChannel::Open { why, origin } => out.fail(
                w,
                origin,
                format!("VPC {vpc} resolves any public name through the Route 53 Resolver: {why}"),
            ),
            DnsChannel::Unknown { why, origin } => out.inconclusive(
                w,
                origin,
                format!("cannot tell whether VPC {vpc} resolves arbitrary names: {why}"),
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::CHECK;
    use crate::testing::{lines, outcomes, verdicts};

    #[test]
    fn a_walled_garden_passes_and_a_workload_outside_a_vpc_is_not_judged() {
        assert_eq!(
            verdicts(&CHECK, "pass.tf"),
            [
                ("aws_sagemaker_domain.studio".into(), "pass"),
                ("aws_sagemaker_notebook_instance.nb".into(), "pass"),
            ]
        );
    }

    #[test]
    fn no_association_fails_every_workload_of_the_vpc() {
        let got = outcomes(&CHECK, "fail.tf");
        let message = "VPC aws_vpc.main resolves any public name through the Route 53 \
                       Resolver: no DNS Firewall rule group is associated";
        assert_eq!(
            got,
            [
                (
                    "aws_sagemaker_model.m".to_string(),
                    "fail",
                    message.to_string()
                ),
                (
                    "aws_sagemaker_notebook_instance.nb".to_string(),
                    "fail",
                    message.to_string()
                ),
            ]
        );
        // Points at the VPC, where an association would be added.
        assert_eq!(
            lines(&CHECK, "fail.tf")[0],
            ("aws_sagemaker_model.m".into(), "fail", Some(1))
        );
    }

    #[test]
    fn an_allow_rule_on_an_unset_domain_list_is_inconclusive() {
        let got = outcomes(&CHECK, "unknown.tf");
        assert_eq!(got.len(), 1, "{got:?}");
        assert_eq!(got[0].1, "inconclusive");
        assert!(
            got[0]
                .2
                .starts_with("cannot tell whether VPC aws_vpc.main resolves arbitrary names: "),
            "{}",
            got[0].2
        );
        assert!(got[0].2.contains("var.allowed_domains"), "{}", got[0].2);
    }
}
