resource "aws_vpc" "main" {
  cidr_block = "10.0.0.0/16"
  tags       = { Owner = "ml-platform", Environment = "prod" }
}

resource "aws_security_group" "app" {
  name   = "app"
  vpc_id = aws_vpc.main.id
  tags   = { Owner = "ml-platform", Environment = "prod" }
}

resource "aws_route_table_association" "a" {
  subnet_id      = "subnet-0abc"
  route_table_id = "rtb-0abc"
}
