resource "aws_networkfirewall_firewall" "absent" {
  name                = "absent"
  firewall_policy_arn = aws_networkfirewall_firewall_policy.egress.arn
  vpc_id              = aws_vpc.main.id

  subnet_mapping {
    subnet_id = aws_subnet.firewall_a.id
  }
}

resource "aws_networkfirewall_firewall" "off" {
  name                = "off"
  firewall_policy_arn = aws_networkfirewall_firewall_policy.egress.arn
  delete_protection   = false
  vpc_id              = aws_vpc.main.id

  subnet_mapping {
    subnet_id = aws_subnet.firewall_a.id
  }
}
