resource "aws_vpc" "main" {
  cidr_block = "10.0.0.0/16"
}

resource "aws_subnet" "public_a1" {
  vpc_id            = aws_vpc.main.id
  cidr_block        = "10.0.0.0/24"
  availability_zone = "us-east-1a"
}

resource "aws_subnet" "public_a2" {
  vpc_id            = aws_vpc.main.id
  cidr_block        = "10.0.1.0/24"
  availability_zone = "us-east-1a"
}

resource "aws_nat_gateway" "a1" {
  allocation_id = "eipalloc-0a1"
  subnet_id     = aws_subnet.public_a1.id
}

resource "aws_nat_gateway" "a2" {
  allocation_id = "eipalloc-0a2"
  subnet_id     = aws_subnet.public_a2.id
}
