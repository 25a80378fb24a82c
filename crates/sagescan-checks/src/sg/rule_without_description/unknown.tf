variable "rule_note" {
  type = string
}

resource "aws_security_group" "app" {
  name   = "app"
  vpc_id = "vpc-0abc"

  ingress {
    description = var.rule_note
    from_port   = 443
    to_port     = 443
    protocol    = "tcp"
    cidr_blocks = ["10.0.0.0/16"]
  }
}
