resource "aws_sagemaker_notebook_instance" "locked" {
  name          = "locked"
  role_arn      = "arn:aws:iam::123456789012:role/sm"
  instance_type = "ml.t3.medium"
  root_access   = "Disabled"
}
