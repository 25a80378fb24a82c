resource "aws_security_group" "bastion" {
  name   = "bastion"
  vpc_id = "vpc-0abc"
}

resource "aws_security_group" "web" {
  name   = "web"
  vpc_id = "vpc-0abc"

  ingress {
    from_port   = 443
    to_port     = 443
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]
  }

  ingress {
    from_port       = 22
    to_port         = 22
    protocol        = "tcp"
    security_groups = [aws_security_group.bastion.id]
  }
}
