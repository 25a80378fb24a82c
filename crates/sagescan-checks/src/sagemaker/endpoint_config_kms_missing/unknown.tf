variable "key" {
  type = string
}

resource "aws_sagemaker_endpoint_configuration" "ec" {
  name        = "ec"
  kms_key_arn = var.key

  production_variants {
    variant_name           = "primary"
    model_name             = "churn"
    instance_type          = "ml.m5.large"
    initial_instance_count = 2
  }
}
