resource "aws_networkfirewall_rule_group" "host" {
  name     = "host"
  type     = "STATEFUL"
  capacity = 100

  rule_group {
    rules_source {
      rules_source_list {
        generated_rules_type = "ALLOWLIST"
        target_types         = ["HTTP_HOST"]
        targets              = ["pypi.org", ".pythonhosted.org", "github.com"]
      }
    }
  }
}

resource "aws_networkfirewall_firewall_policy" "host_only" {
  name = "host_only"

  firewall_policy {
    stateless_default_actions          = ["aws:forward_to_sfe"]
    stateless_fragment_default_actions = ["aws:forward_to_sfe"]

    stateful_rule_group_reference {
      resource_arn = aws_networkfirewall_rule_group.host.arn
    }
  }
}

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

resource "aws_networkfirewall_rule_group" "quic" {
  name     = "quic"
  type     = "STATEFUL"
  capacity = 100

  rule_group {
    stateful_rule_options {
      rule_order = "STRICT_ORDER"
    }

    rules_source {
      rules_string = <<-EOT
        pass udp $HOME_NET any -> $EXTERNAL_NET 443 (msg:"HTTP/3"; sid:20;)
      EOT
    }
  }
}

resource "aws_networkfirewall_firewall_policy" "quic_pass" {
  name = "quic_pass"

  firewall_policy {
    stateless_default_actions          = ["aws:forward_to_sfe"]
    stateless_fragment_default_actions = ["aws:forward_to_sfe"]
    stateful_default_actions           = ["aws:drop_established", "aws:alert_established"]

    stateful_engine_options {
      rule_order = "STRICT_ORDER"
    }

    stateful_rule_group_reference {
      priority     = 50
      resource_arn = aws_networkfirewall_rule_group.quic.arn
    }

    stateful_rule_group_reference {
      priority     = 100
      resource_arn = aws_networkfirewall_rule_group.domains.arn
    }
  }
}

resource "aws_networkfirewall_rule_group" "sni_ao" {
  name     = "sni_ao"
  type     = "STATEFUL"
  capacity = 100

  rule_group {
    rules_source {
      rules_source_list {
        generated_rules_type = "ALLOWLIST"
        target_types         = ["TLS_SNI"]
        targets              = ["pypi.org", ".pythonhosted.org", "github.com"]
      }
    }
  }
}

resource "aws_networkfirewall_firewall_policy" "sni_only" {
  name = "sni_only"

  firewall_policy {
    stateless_default_actions          = ["aws:forward_to_sfe"]
    stateless_fragment_default_actions = ["aws:forward_to_sfe"]

    stateful_rule_group_reference {
      resource_arn = aws_networkfirewall_rule_group.sni_ao.arn
    }
  }
}
