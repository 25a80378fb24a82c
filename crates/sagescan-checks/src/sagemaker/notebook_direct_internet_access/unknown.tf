variable "direct_access" {
  type = string
}

resource "aws_sagemaker_notebook_instance" "nb" {
  name                   = "nb"
  role_arn               = "arn:aws:iam::123456789012:role/sm"
  instance_type          = "ml.t3.medium"
  direct_internet_access = var.direct_access
}
