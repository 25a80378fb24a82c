variable "peer_cidr" {
  type = string
}

resource "aws_vpc" "main" {
  cidr_block = "10.0.0.0/16"
}

resource "aws_route_table" "private" {
  vpc_id = aws_vpc.main.id

  route {
    cidr_block                = var.peer_cidr
    vpc_peering_connection_id = "pcx-0abc"
  }
}
