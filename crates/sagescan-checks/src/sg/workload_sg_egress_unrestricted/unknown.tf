variable "egress_protocol" {
  type = string
}

resource "aws_security_group" "sagemaker" {
  name   = "sagemaker"
  vpc_id = "vpc-0abc"

  egress {
    from_port   = 0
    to_port     = 0
    protocol    = var.egress_protocol
    cidr_blocks = ["0.0.0.0/0"]
  }
}

resource "aws_sagemaker_notebook_instance" "nb" {
  name                   = "nb"
  role_arn               = "arn:aws:iam::123456789012:role/sm"
  instance_type          = "ml.t3.medium"
  subnet_id              = "subnet-0abc"
  security_groups        = [aws_security_group.sagemaker.id]
  direct_internet_access = "Disabled"
}
