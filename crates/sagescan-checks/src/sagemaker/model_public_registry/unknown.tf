variable "access_mode" {
  type = string
}

resource "aws_sagemaker_model" "m" {
  name               = "m"
  execution_role_arn = "arn:aws:iam::123456789012:role/sm"

  primary_container {
    image = "docker.io/acme/churn:1"

    image_config {
      repository_access_mode = var.access_mode
    }
  }
}
