resource "aws_networkfirewall_rule_group" "deny" {
  name     = "deny"
  type     = "STATEFUL"
  capacity = 100

  rule_group {
    rules_source {
      rules_source_list {
        generated_rules_type = "DENYLIST"
        target_types         = ["TLS_SNI", "HTTP_HOST"]
        targets              = [".example-malware.test"]
      }
    }
  }
}

# Default action order: what the deny-list does not name passes.
resource "aws_networkfirewall_firewall_policy" "deny_only" {
  name = "deny-only"

  firewall_policy {
    stateless_default_actions          = ["aws:forward_to_sfe"]
    stateless_fragment_default_actions = ["aws:forward_to_sfe"]

    stateful_rule_group_reference {
      resource_arn = aws_networkfirewall_rule_group.deny.arn
    }
  }
}

# Strict order without a drop default: no rule at all, everything passes.
resource "aws_networkfirewall_firewall_policy" "strict_no_drop" {
  name = "strict-no-drop"

  firewall_policy {
    stateless_default_actions          = ["aws:forward_to_sfe"]
    stateless_fragment_default_actions = ["aws:forward_to_sfe"]

    stateful_engine_options {
      rule_order = "STRICT_ORDER"
    }
    stateful_default_actions = ["aws:alert_established"]
  }
}
