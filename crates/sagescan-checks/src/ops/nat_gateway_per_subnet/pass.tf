resource "aws_vpc" "main" {
  cidr_block = "10.0.0.0/16"
}

resource "aws_subnet" "public_a" {
  vpc_id            = aws_vpc.main.id
  cidr_block        = "10.0.0.0/24"
  availability_zone = "us-east-1a"
}

resource "aws_subnet" "public_b" {
  vpc_id            = aws_vpc.main.id
  cidr_block        = "10.0.1.0/24"
  availability_zone = "us-east-1b"
}

resource "aws_nat_gateway" "a" {
  allocation_id = "eipalloc-0a"
  subnet_id     = aws_subnet.public_a.id
}

resource "aws_nat_gateway" "b" {
  allocation_id = "eipalloc-0b"
  subnet_id     = aws_subnet.public_b.id
}

resource "aws_nat_gateway" "internal" {
  connectivity_type = "private"
  subnet_id         = aws_subnet.public_a.id
}
