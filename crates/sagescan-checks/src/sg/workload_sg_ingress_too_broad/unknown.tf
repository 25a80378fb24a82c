variable "admin_cidr" {
  type = string
}

resource "aws_vpc" "main" {
  cidr_block = "10.0.0.0/16"
}

resource "aws_security_group" "sagemaker" {
  name   = "sagemaker"
  vpc_id = aws_vpc.main.id

  ingress {
    description = "HTTPS from the admin network"
    from_port   = 443
    to_port     = 443
    protocol    = "tcp"
    cidr_blocks = [var.admin_cidr]
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
