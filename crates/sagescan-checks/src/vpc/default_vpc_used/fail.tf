resource "aws_default_vpc" "default" {}

resource "aws_subnet" "in_default" {
  vpc_id            = aws_default_vpc.default.id
  cidr_block        = "172.31.96.0/20"
  availability_zone = "us-east-1a"
}

resource "aws_sagemaker_notebook_instance" "nb" {
  name                   = "nb"
  role_arn               = "arn:aws:iam::123456789012:role/sm"
  instance_type          = "ml.t3.medium"
  subnet_id              = aws_subnet.in_default.id
  direct_internet_access = "Disabled"
}
