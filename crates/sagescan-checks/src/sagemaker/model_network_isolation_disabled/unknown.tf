variable "isolate" {
  type = bool
}

resource "aws_sagemaker_model" "m" {
  name                     = "m"
  execution_role_arn       = "arn:aws:iam::123456789012:role/sm"
  enable_network_isolation = var.isolate

  primary_container {
    image = "123456789012.dkr.ecr.us-east-1.amazonaws.com/churn:1"
  }
}
