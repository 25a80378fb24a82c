variable "source_cidrs" {
  type = list(string)
}

resource "aws_security_group" "app" {
  name   = "app"
  vpc_id = "vpc-0abc"

  ingress {
    from_port   = 0
    to_port     = 0
    protocol    = "-1"
    cidr_blocks = var.source_cidrs
  }
}
