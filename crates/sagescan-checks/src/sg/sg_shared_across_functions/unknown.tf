variable "endpoint_sgs" {
  type = list(string)
}

resource "aws_security_group" "notebook" {
  name   = "notebook"
  vpc_id = "vpc-0abc"
}

resource "aws_sagemaker_notebook_instance" "nb" {
  name                   = "nb"
  role_arn               = "arn:aws:iam::123456789012:role/sm"
  instance_type          = "ml.t3.medium"
  subnet_id              = "subnet-0abc"
  security_groups        = [aws_security_group.notebook.id]
  direct_internet_access = "Disabled"
}

resource "aws_vpc_endpoint" "sts" {
  vpc_id             = "vpc-0abc"
  service_name       = "com.amazonaws.us-east-1.sts"
  vpc_endpoint_type  = "Interface"
  security_group_ids = var.endpoint_sgs
}
