resource "aws_sagemaker_notebook_instance" "open" {
  name          = "open"
  role_arn      = "arn:aws:iam::123456789012:role/sm"
  instance_type = "ml.t3.medium"
}
