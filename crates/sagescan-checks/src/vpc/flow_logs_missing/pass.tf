resource "aws_vpc" "a" {
  cidr_block = "10.0.0.0/16"
}

resource "aws_subnet" "a" {
  vpc_id            = aws_vpc.a.id
  cidr_block        = "10.0.1.0/24"
  availability_zone = "us-east-1a"
}

resource "aws_flow_log" "a" {
  vpc_id               = aws_vpc.a.id
  traffic_type         = "ALL"
  log_destination_type = "s3"
  log_destination      = "arn:aws:s3:::123456789012-flow-logs"
}

resource "aws_sagemaker_notebook_instance" "a" {
  name                   = "a"
  role_arn               = "arn:aws:iam::123456789012:role/sm"
  instance_type          = "ml.t3.medium"
  subnet_id              = aws_subnet.a.id
  direct_internet_access = "Disabled"
}

resource "aws_vpc" "b" {
  cidr_block = "10.1.0.0/16"
}

resource "aws_subnet" "b" {
  vpc_id            = aws_vpc.b.id
  cidr_block        = "10.1.1.0/24"
  availability_zone = "us-east-1a"
}

# Only the workload's subnet is logged, and only rejected traffic: enough by default.
resource "aws_flow_log" "b" {
  subnet_id            = aws_subnet.b.id
  traffic_type         = "REJECT"
  log_destination_type = "s3"
  log_destination      = "arn:aws:s3:::123456789012-flow-logs"
}

resource "aws_sagemaker_notebook_instance" "b" {
  name                   = "b"
  role_arn               = "arn:aws:iam::123456789012:role/sm"
  instance_type          = "ml.t3.medium"
  subnet_id              = aws_subnet.b.id
  direct_internet_access = "Disabled"
}
