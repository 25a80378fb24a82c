variable "allowed_domains" {
  type = list(string)
}

resource "aws_networkfirewall_rule_group" "domains" {
  name     = "domains"
  type     = "STATEFUL"
  capacity = 100

  rule_group {
    rules_source {
      rules_source_list {
        generated_rules_type = "ALLOWLIST"
        target_types         = ["TLS_SNI", "HTTP_HOST"]
        targets              = var.allowed_domains
      }
    }
  }
}

resource "aws_networkfirewall_rule_group" "suricata" {
  name     = "suricata"
  type     = "STATEFUL"
  capacity = 100

  rule_group {
    rules_source {
      rules_string = <<-EOT
        pass tls $HOME_NET any -> $EXTERNAL_NET 443 (tls.sni; content:"pypi.org"; startswith; endswith; sid:1;)
        pass tls $HOME_NET any -> $EXTERNAL_NET 443 (tls.sni; pcre:"/^[a-z]+\.example\.net$/"; sid:2;)
      EOT
    }
  }
}
