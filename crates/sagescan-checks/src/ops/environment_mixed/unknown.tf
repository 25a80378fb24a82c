variable "notebook_tags" {
  type = map(string)
}

resource "aws_vpc" "main" {
  cidr_block = "10.0.0.0/16"
  tags       = { Environment = "prod" }
}

resource "aws_subnet" "shared" {
  vpc_id     = aws_vpc.main.id
  cidr_block = "10.0.1.0/24"
}

resource "aws_sagemaker_notebook_instance" "nb" {
  name                   = "nb"
  role_arn               = "arn:aws:iam::123456789012:role/sm"
  instance_type          = "ml.t3.medium"
  subnet_id              = aws_subnet.shared.id
  direct_internet_access = "Disabled"
  tags                   = var.notebook_tags
}
