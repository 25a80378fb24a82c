resource "aws_kms_key" "endpoints" {
  description = "endpoint volumes"
}

resource "aws_sagemaker_endpoint_configuration" "encrypted" {
  name        = "encrypted"
  kms_key_arn = aws_kms_key.endpoints.arn

  production_variants {
    variant_name           = "primary"
    model_name             = "churn"
    instance_type          = "ml.m5.large"
    initial_instance_count = 2
  }
}
