resource "aws_network_acl" "private" {
  vpc_id = "vpc-0abc"

  ingress {
    rule_no    = 100
    protocol   = "-1"
    action     = "allow"
    cidr_block = "0.0.0.0/0"
    from_port  = 0
    to_port    = 0
  }

  ingress {
    rule_no    = 200
    protocol   = "tcp"
    action     = "deny"
    cidr_block = "0.0.0.0/0"
    from_port  = 22
    to_port    = 22
  }

  ingress {
    rule_no         = 210
    protocol        = "tcp"
    action          = "deny"
    ipv6_cidr_block = "::/0"
    from_port       = 22
    to_port         = 22
  }
}
