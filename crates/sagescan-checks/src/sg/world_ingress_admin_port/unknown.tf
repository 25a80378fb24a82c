variable "admin_port" {
  type = number
}

resource "aws_security_group" "app" {
  name   = "app"
  vpc_id = "vpc-0abc"

  ingress {
    from_port   = var.admin_port
    to_port     = var.admin_port
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]
  }
}
