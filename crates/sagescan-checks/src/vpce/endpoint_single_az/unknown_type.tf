variable "endpoint_type" {
  type = string
}

resource "aws_vpc_endpoint" "maybe_interface" {
  vpc_id            = "vpc-0abc"
  service_name      = "com.amazonaws.us-east-1.sts"
  vpc_endpoint_type = var.endpoint_type
  subnet_ids        = ["subnet-0abc"]
}
