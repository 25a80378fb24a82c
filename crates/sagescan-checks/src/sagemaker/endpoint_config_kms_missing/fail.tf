resource "aws_sagemaker_endpoint_configuration" "plain" {
  name = "plain"

  production_variants {
    variant_name           = "primary"
    model_name             = "churn"
    instance_type          = "ml.m5.large"
    initial_instance_count = 2
  }
}
