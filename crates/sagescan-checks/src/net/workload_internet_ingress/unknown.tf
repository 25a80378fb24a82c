# Whether the subnet maps public IPs comes from a variable without a value, and the
# notebook's group admits Jupyter's port from anywhere.
variable "public_ips" {
  type = bool
}

resource "aws_vpc" "main" {
  cidr_block = "10.0.0.0/16"
}

resource "aws_internet_gateway" "igw" {
  vpc_id = aws_vpc.main.id
}

resource "aws_subnet" "ml" {
  vpc_id                  = aws_vpc.main.id
  cidr_block              = "10.0.0.0/24"
  map_public_ip_on_launch = var.public_ips
}

resource "aws_route_table" "ml" {
  vpc_id = aws_vpc.main.id
  route {
    cidr_block = "0.0.0.0/0"
    gateway_id = aws_internet_gateway.igw.id
  }
}

resource "aws_route_table_association" "ml" {
  subnet_id      = aws_subnet.ml.id
  route_table_id = aws_route_table.ml.id
}

resource "aws_security_group" "nb" {
  name   = "nb"
  vpc_id = aws_vpc.main.id

  ingress {
    description = "Jupyter from anywhere"
    from_port   = 8888
    to_port     = 8888
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]
  }
}

resource "aws_sagemaker_notebook_instance" "nb" {
  name                   = "nb"
  role_arn               = "arn:aws:iam::123456789012:role/sm"
  instance_type          = "ml.t3.medium"
  subnet_id              = aws_subnet.ml.id
  security_groups        = [aws_security_group.nb.id]
  direct_internet_access = "Disabled"
}
