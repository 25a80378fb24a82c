# The private subnet's default route goes to a VPC peering connection, whose far side is
# not in the scan; and a notebook's DirectInternetAccess comes from a variable without a
# value.
variable "direct_internet_access" {
  type = string
}

resource "aws_vpc" "main" {
  cidr_block = "10.0.0.0/16"
}

resource "aws_subnet" "private_a" {
  vpc_id            = aws_vpc.main.id
  cidr_block        = "10.0.10.0/24"
  availability_zone = "us-east-1a"
}

resource "aws_route_table" "private" {
  vpc_id = aws_vpc.main.id

  route {
    cidr_block                = "0.0.0.0/0"
    vpc_peering_connection_id = "pcx-0123456789abcdef0"
  }
}

resource "aws_route_table_association" "private_a" {
  subnet_id      = aws_subnet.private_a.id
  route_table_id = aws_route_table.private.id
}

resource "aws_security_group" "sagemaker" {
  name   = "sagemaker"
  vpc_id = aws_vpc.main.id

  egress {
    from_port   = 443
    to_port     = 443
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]
  }
}

resource "aws_sagemaker_model" "peered" {
  name               = "peered"
  execution_role_arn = "arn:aws:iam::123456789012:role/sagemaker"

  primary_container {
    image = "123456789012.dkr.ecr.us-east-1.amazonaws.com/inference:1.0"
  }

  vpc_config {
    subnets            = [aws_subnet.private_a.id]
    security_group_ids = [aws_security_group.sagemaker.id]
  }
}

resource "aws_sagemaker_notebook_instance" "nb" {
  name                   = "research"
  role_arn               = "arn:aws:iam::123456789012:role/sagemaker"
  instance_type          = "ml.t3.medium"
  subnet_id              = aws_subnet.private_a.id
  security_groups        = [aws_security_group.sagemaker.id]
  direct_internet_access = var.direct_internet_access
}
