# The dev notebook's subnet is unknown: it may sit in the prod VPC's subnet, so neither
# the subnet nor the VPC can be said to hold one environment. Its security group is
# known and holds no other environment.
variable "subnet_id" {
  type = string
}

resource "aws_vpc" "prod" {
  cidr_block = "10.0.0.0/16"
  tags       = { Environment = "prod" }
}

resource "aws_subnet" "prod" {
  vpc_id     = aws_vpc.prod.id
  cidr_block = "10.0.1.0/24"
}

resource "aws_security_group" "dev" {
  name = "dev"
}

resource "aws_sagemaker_notebook_instance" "dev" {
  name                   = "dev"
  role_arn               = "arn:aws:iam::123456789012:role/sm"
  instance_type          = "ml.t3.medium"
  subnet_id              = var.subnet_id
  security_groups        = [aws_security_group.dev.id]
  direct_internet_access = "Disabled"
  tags                   = { Environment = "dev" }
}
