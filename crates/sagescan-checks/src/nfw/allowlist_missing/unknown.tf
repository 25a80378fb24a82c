variable "default_actions" {
  type = list(string)
}

resource "aws_networkfirewall_firewall_policy" "vars" {
  name = "vars"

  firewall_policy {
    stateless_default_actions          = ["aws:forward_to_sfe"]
    stateless_fragment_default_actions = ["aws:forward_to_sfe"]
    stateful_default_actions           = var.default_actions

    stateful_engine_options {
      rule_order = "STRICT_ORDER"
    }
  }
}
