resource "aws_networkfirewall_firewall" "egress" {
  name                = "egress"
  firewall_policy_arn = aws_networkfirewall_firewall_policy.egress.arn
  vpc_id              = aws_vpc.main.id
  delete_protection   = true

  subnet_mapping {
    subnet_id = aws_subnet.firewall_a.id
  }
}
