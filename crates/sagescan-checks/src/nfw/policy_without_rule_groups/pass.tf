resource "aws_networkfirewall_firewall_policy" "stateful" {
  name = "stateful"

  firewall_policy {
    stateless_default_actions          = ["aws:forward_to_sfe"]
    stateless_fragment_default_actions = ["aws:forward_to_sfe"]

    stateful_rule_group_reference {
      resource_arn = aws_networkfirewall_rule_group.domains.arn
    }
  }
}

resource "aws_networkfirewall_firewall_policy" "stateless" {
  name = "stateless"

  firewall_policy {
    stateless_default_actions          = ["aws:forward_to_sfe"]
    stateless_fragment_default_actions = ["aws:forward_to_sfe"]

    stateless_rule_group_reference {
      priority     = 10
      resource_arn = aws_networkfirewall_rule_group.drop_smb.arn
    }
  }
}

resource "aws_networkfirewall_rule_group" "domains" {
  name     = "egress-domains"
  type     = "STATEFUL"
  capacity = 100

  rule_group {
    rules_source {
      rules_source_list {
        generated_rules_type = "ALLOWLIST"
        target_types         = ["TLS_SNI", "HTTP_HOST"]
        targets              = ["pypi.org"]
      }
    }
  }
}

resource "aws_networkfirewall_rule_group" "drop_smb" {
  name     = "drop-smb"
  type     = "STATELESS"
  capacity = 10

  rule_group {
    rules_source {
      stateless_rules_and_custom_actions {
        stateless_rule {
          priority = 1

          rule_definition {
            actions = ["aws:drop"]

            match_attributes {
              protocols = [6]

              destination_port {
                from_port = 445
              }
            }
          }
        }
      }
    }
  }
}
