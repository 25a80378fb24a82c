resource "aws_networkfirewall_rule_group" "domains" {
  name     = "domains"
  type     = "STATEFUL"
  capacity = 100

  rule_group {
    stateful_rule_options {
      rule_order = "STRICT_ORDER"
    }

    rules_source {
      rules_source_list {
        generated_rules_type = "ALLOWLIST"
        target_types         = ["TLS_SNI", "HTTP_HOST"]
        targets              = ["pypi.org", ".pythonhosted.org", "github.com"]
      }
    }
  }
}

resource "aws_networkfirewall_firewall_policy" "strict" {
  name = "strict"

  firewall_policy {
    stateless_default_actions          = ["aws:forward_to_sfe"]
    stateless_fragment_default_actions = ["aws:forward_to_sfe"]
    stateful_default_actions           = ["aws:drop_established", "aws:alert_established"]

    stateful_engine_options {
      rule_order = "STRICT_ORDER"
    }

    stateful_rule_group_reference {
      priority     = 100
      resource_arn = aws_networkfirewall_rule_group.domains.arn
    }
  }
}

resource "aws_networkfirewall_firewall_policy" "drop_strict" {
  name = "drop_strict"

  firewall_policy {
    stateless_default_actions          = ["aws:forward_to_sfe"]
    stateless_fragment_default_actions = ["aws:forward_to_sfe"]
    stateful_default_actions           = ["aws:drop_strict"]

    stateful_engine_options {
      rule_order = "STRICT_ORDER"
    }

    stateful_rule_group_reference {
      priority     = 100
      resource_arn = aws_networkfirewall_rule_group.domains.arn
    }
  }
}

resource "aws_networkfirewall_rule_group" "sni" {
  name     = "sni"
  type     = "STATEFUL"
  capacity = 100

  rule_group {
    stateful_rule_options {
      rule_order = "STRICT_ORDER"
    }

    rules_source {
      rules_source_list {
        generated_rules_type = "ALLOWLIST"
        target_types         = ["TLS_SNI"]
        targets              = ["pypi.org", ".pythonhosted.org", "github.com"]
      }
    }
  }
}

resource "aws_networkfirewall_firewall_policy" "sni_only_strict" {
  name = "sni_only_strict"

  firewall_policy {
    stateless_default_actions          = ["aws:forward_to_sfe"]
    stateless_fragment_default_actions = ["aws:forward_to_sfe"]
    stateful_default_actions           = ["aws:drop_established", "aws:alert_established"]

    stateful_engine_options {
      rule_order = "STRICT_ORDER"
    }

    stateful_rule_group_reference {
      priority     = 100
      resource_arn = aws_networkfirewall_rule_group.sni.arn
    }
  }
}

resource "aws_networkfirewall_rule_group" "domains_ao" {
  name     = "domains_ao"
  type     = "STATEFUL"
  capacity = 100

  rule_group {
    rules_source {
      rules_source_list {
        generated_rules_type = "ALLOWLIST"
        target_types         = ["TLS_SNI", "HTTP_HOST"]
        targets              = ["pypi.org", ".pythonhosted.org", "github.com"]
      }
    }
  }
}

resource "aws_networkfirewall_rule_group" "drop_quic" {
  name     = "drop_quic"
  type     = "STATEFUL"
  capacity = 100

  rule_group {
    rules_source {
      rules_string = <<-EOT
        # HTTP/3 would carry no SNI the allow-list can see.
        drop udp $HOME_NET any -> $EXTERNAL_NET 443 (msg:"QUIC"; sid:30; rev:1;)
      EOT
    }
  }
}

resource "aws_networkfirewall_firewall_policy" "action_order_drops" {
  name = "action_order_drops"

  firewall_policy {
    stateless_default_actions          = ["aws:forward_to_sfe"]
    stateless_fragment_default_actions = ["aws:forward_to_sfe"]

    stateful_rule_group_reference {
      resource_arn = aws_networkfirewall_rule_group.domains_ao.arn
    }

    stateful_rule_group_reference {
      resource_arn = aws_networkfirewall_rule_group.drop_quic.arn
    }
  }
}
