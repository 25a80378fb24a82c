resource "aws_networkfirewall_firewall_policy" "both" {
  name = "both"

  firewall_policy {
    stateless_default_actions          = ["aws:pass"]
    stateless_fragment_default_actions = ["aws:pass"]

    stateful_rule_group_reference {
      resource_arn = aws_networkfirewall_rule_group.domains.arn
    }
  }
}

resource "aws_networkfirewall_firewall_policy" "fragments" {
  name = "fragments"

  firewall_policy {
    stateless_default_actions = ["aws:forward_to_sfe"]
    # Fragmented UDP skips the stateful engine.
    stateless_fragment_default_actions = ["aws:pass"]

    stateful_rule_group_reference {
      resource_arn = aws_networkfirewall_rule_group.domains.arn
    }
  }
}
