resource "aws_vpc" "main" {
  cidr_block = "10.0.0.0/16"
}

resource "aws_subnet" "private" {
  vpc_id            = aws_vpc.main.id
  cidr_block        = "10.0.1.0/24"
  availability_zone = "us-east-1a"
}

# Accepted traffic only: rejected attempts leave no trace.
resource "aws_flow_log" "accepted" {
  vpc_id               = aws_vpc.main.id
  traffic_type         = "ACCEPT"
  log_destination_type = "s3"
  log_destination      = "arn:aws:s3:::123456789012-flow-logs"
}

resource "aws_sagemaker_notebook_instance" "nb" {
  name                   = "nb"
  role_arn               = "arn:aws:iam::123456789012:role/sm"
  instance_type          = "ml.t3.medium"
  subnet_id              = aws_subnet.private.id
  direct_internet_access = "Disabled"
}

# Not hosting SageMaker: not judged.
resource "aws_vpc" "other" {
  cidr_block = "10.9.0.0/16"
}
