variable "subnet_id" {
  type = string
}

resource "aws_sagemaker_notebook_instance" "nb" {
  name                   = "nb"
  role_arn               = "arn:aws:iam::123456789012:role/sm"
  instance_type          = "ml.t3.medium"
  subnet_id              = var.subnet_id
  direct_internet_access = "Disabled"
}
