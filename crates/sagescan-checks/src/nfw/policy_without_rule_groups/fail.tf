resource "aws_networkfirewall_firewall_policy" "empty" {
  name = "empty"

  firewall_policy {
    stateless_default_actions          = ["aws:forward_to_sfe"]
    stateless_fragment_default_actions = ["aws:forward_to_sfe"]
  }
}
