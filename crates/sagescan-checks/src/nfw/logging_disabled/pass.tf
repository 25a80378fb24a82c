resource "aws_networkfirewall_firewall" "egress" {
  name                = "egress"
  firewall_policy_arn = "arn:aws:network-firewall:us-east-1:123456789012:firewall-policy/egress"
  vpc_id              = "vpc-0123456789abcdef0"
  delete_protection   = true

  subnet_mapping {
    subnet_id = "subnet-0123456789abcdef0"
  }
}

resource "aws_networkfirewall_logging_configuration" "egress" {
  firewall_arn = aws_networkfirewall_firewall.egress.arn

  logging_configuration {
    log_destination_config {
      log_destination      = { logGroup = "/aws/network-firewall/FLOW" }
      log_destination_type = "CloudWatchLogs"
      log_type             = "FLOW"
    }
    log_destination_config {
      log_destination      = { logGroup = "/aws/network-firewall/ALERT" }
      log_destination_type = "CloudWatchLogs"
      log_type             = "ALERT"
    }
  }
}

resource "aws_networkfirewall_firewall" "alerts" {
  name                = "alerts"
  firewall_policy_arn = "arn:aws:network-firewall:us-east-1:123456789012:firewall-policy/egress"
  vpc_id              = "vpc-0123456789abcdef0"
  delete_protection   = true

  subnet_mapping {
    subnet_id = "subnet-0123456789abcdef0"
  }
}

resource "aws_networkfirewall_logging_configuration" "alerts" {
  firewall_arn = aws_networkfirewall_firewall.alerts.arn

  logging_configuration {
    log_destination_config {
      log_destination      = { logGroup = "/aws/network-firewall/ALERT" }
      log_destination_type = "CloudWatchLogs"
      log_type             = "ALERT"
    }
  }
}
