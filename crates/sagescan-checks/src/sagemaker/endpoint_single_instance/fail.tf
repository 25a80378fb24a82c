resource "aws_sagemaker_endpoint_configuration" "mixed" {
  name = "mixed"

  production_variants {
    variant_name           = "primary"
    model_name             = "churn"
    instance_type          = "ml.m5.large"
    initial_instance_count = 3
  }

  production_variants {
    variant_name           = "canary"
    model_name             = "churn-next"
    instance_type          = "ml.m5.large"
    initial_instance_count = 1
  }
}
