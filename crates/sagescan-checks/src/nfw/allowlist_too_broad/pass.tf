resource "aws_networkfirewall_rule_group" "domains" {
  name     = "domains"
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

resource "aws_networkfirewall_rule_group" "deny" {
  name     = "deny"
  type     = "STATEFUL"
  capacity = 100

  rule_group {
    rules_source {
      rules_source_list {
        generated_rules_type = "DENYLIST"
        target_types         = ["TLS_SNI", "HTTP_HOST"]
        targets              = [".amazonaws.com"]
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
        # Package index, exact name and its CDN.
        pass tls $HOME_NET any -> $EXTERNAL_NET 443 (tls.sni; content:"pypi.org"; startswith; nocase; endswith; flow:to_server, established; sid:1; rev:1;)
        pass tls $HOME_NET any -> $EXTERNAL_NET 443 (tls.sni; dotprefix; content:".pythonhosted.org"; nocase; endswith; flow:to_server, established; sid:2; rev:1;)
        drop tls $HOME_NET any -> $EXTERNAL_NET any (msg:"not allow-listed"; ssl_state:client_hello; flow:to_server, established; sid:3; rev:1;)
      EOT
    }
  }
}
