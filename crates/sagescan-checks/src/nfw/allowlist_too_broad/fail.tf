resource "aws_networkfirewall_rule_group" "domains" {
  name     = "domains"
  type     = "STATEFUL"
  capacity = 100

  rule_group {
    rules_source {
      rules_source_list {
        generated_rules_type = "ALLOWLIST"
        target_types         = ["TLS_SNI", "HTTP_HOST"]
        targets              = ["pypi.org", ".com", ".amazonaws.com"]
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
        pass tls $HOME_NET any -> $EXTERNAL_NET 443 (tls.sni; content:"pypi.org"; nocase; flow:to_server, established; sid:1;)
        pass http $HOME_NET any -> $EXTERNAL_NET 80 (http.host; dotprefix; content:".io"; endswith; sid:2;)
      EOT
    }
  }
}
