resource "aws_vpc" "main" {
  cidr_block = "10.0.0.0/16"
  tags       = { Owner = "ml-platform" }
}

resource "aws_sagemaker_notebook_instance" "nb" {
  name                   = "nb"
  role_arn               = "arn:aws:iam::123456789012:role/sm"
  instance_type          = "ml.t3.medium"
  direct_internet_access = "Disabled"
}
