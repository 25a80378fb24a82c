resource "aws_security_group" "any" {
  name   = "any"
  vpc_id = "vpc-0abc"

  ingress {
    from_port   = 0
    to_port     = 0
    protocol    = "-1"
    cidr_blocks = ["0.0.0.0/0"]
  }
}

resource "aws_security_group" "v6" {
  name   = "v6"
  vpc_id = "vpc-0abc"
}

resource "aws_vpc_security_group_ingress_rule" "v6_all" {
  security_group_id = aws_security_group.v6.id
  ip_protocol       = "tcp"
  from_port         = 0
  to_port           = 65535
  cidr_ipv6         = "::/0"
}
