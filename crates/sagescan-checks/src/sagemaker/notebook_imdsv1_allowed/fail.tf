resource "aws_sagemaker_notebook_instance" "v1" {
  name          = "v1"
  role_arn      = "arn:aws:iam::123456789012:role/sm"
  instance_type = "ml.t3.medium"

  instance_metadata_service_configuration {
    minimum_instance_metadata_service_version = "1"
  }
}

resource "aws_sagemaker_notebook_instance" "absent" {
  name          = "absent"
  role_arn      = "arn:aws:iam::123456789012:role/sm"
  instance_type = "ml.t3.medium"
}
