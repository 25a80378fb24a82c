resource "aws_vpc" "ml" {
  cidr_block           = "10.0.0.0/16"
  enable_dns_support   = false
  enable_dns_hostnames = true
}

resource "aws_subnet" "private" {
  vpc_id            = aws_vpc.ml.id
  cidr_block        = "10.0.1.0/24"
  availability_zone = "us-east-1a"
}

resource "aws_sagemaker_notebook_instance" "nb" {
  name                   = "nb"
  role_arn               = "arn:aws:iam::123456789012:role/sm"
  instance_type          = "ml.t3.medium"
  subnet_id              = aws_subnet.private.id
  direct_internet_access = "Disabled"
}

# No SageMaker here, but an interface endpoint whose private DNS needs both attributes.
resource "aws_vpc" "endpoints" {
  cidr_block = "10.1.0.0/16"
}

resource "aws_vpc_endpoint" "sts" {
  vpc_id              = aws_vpc.endpoints.id
  service_name        = "com.amazonaws.us-east-1.sts"
  vpc_endpoint_type   = "Interface"
  private_dns_enabled = true
}
