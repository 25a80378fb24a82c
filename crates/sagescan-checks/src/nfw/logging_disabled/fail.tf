resource "aws_networkfirewall_firewall" "silent" {
  name                = "silent"
  firewall_policy_arn = "arn:aws:network-firewall:us-east-1:123456789012:firewall-policy/egress"
  vpc_id              = "vpc-0123456789abcdef0"
  delete_protection   = true

  subnet_mapping {
    subnet_id = "subnet-0123456789abcdef0"
  }
}

resource "aws_networkfirewall_firewall" "tls_only" {
  name                = "tls_only"
  firewall_policy_arn = "arn:aws:network-firewall:us-east-1:123456789012:firewall-policy/egress"
  vpc_id              = "vpc-0123456789abcdef0"
  delete_protection   = true

  subnet_mapping {
    subnet_id = "subnet-0123456789abcdef0"
  }
}

resource "aws_networkfirewall_logging_configuration" "tls_only" {
  firewall_arn = aws_networkfirewall_firewall.tls_only.arn

  logging_configuration {
    log_destination_config {
      log_destination      = { logGroup = "/aws/network-firewall/TLS" }
      log_destination_type = "CloudWatchLogs"
      log_type             = "TLS"
    }
  }
}
