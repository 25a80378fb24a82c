variable "imds_version" {
  type = string
}

resource "aws_sagemaker_notebook_instance" "nb" {
  name          = "nb"
  role_arn      = "arn:aws:iam::123456789012:role/sm"
  instance_type = "ml.t3.medium"

  instance_metadata_service_configuration {
    minimum_instance_metadata_service_version = var.imds_version
  }
}
