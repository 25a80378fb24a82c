resource "aws_vpc" "prod" {
  cidr_block = "10.0.0.0/16"
  tags       = { Environment = "prod" }
}

resource "aws_subnet" "prod" {
  vpc_id     = aws_vpc.prod.id
  cidr_block = "10.0.1.0/24"
  tags       = { Environment = "prod" }
}

resource "aws_security_group" "prod" {
  name   = "prod"
  vpc_id = aws_vpc.prod.id
}

resource "aws_sagemaker_notebook_instance" "prod" {
  name                   = "prod"
  role_arn               = "arn:aws:iam::123456789012:role/sm"
  instance_type          = "ml.t3.medium"
  subnet_id              = aws_subnet.prod.id
  security_groups        = [aws_security_group.prod.id]
  direct_internet_access = "Disabled"
  tags                   = { Environment = "prod" }
}
