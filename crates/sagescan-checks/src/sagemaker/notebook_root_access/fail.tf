resource "aws_sagemaker_notebook_instance" "enabled" {
  name          = "enabled"
  role_arn      = "arn:aws:iam::123456789012:role/sm"
  instance_type = "ml.t3.medium"
  root_access   = "Enabled"
}

resource "aws_sagemaker_notebook_instance" "absent" {
  name          = "absent"
  role_arn      = "arn:aws:iam::123456789012:role/sm"
  instance_type = "ml.t3.medium"
}
