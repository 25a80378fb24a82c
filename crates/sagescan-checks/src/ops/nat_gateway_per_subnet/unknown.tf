variable "nat_subnet" {
  type = string
}

resource "aws_nat_gateway" "a" {
  allocation_id = "eipalloc-0a"
  subnet_id     = var.nat_subnet
}
