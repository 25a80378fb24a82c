variable "instances" {
  type = number
}

resource "aws_sagemaker_endpoint_configuration" "ec" {
  name = "ec"

  production_variants {
    variant_name           = "primary"
    model_name             = "churn"
    instance_type          = "ml.m5.large"
    initial_instance_count = var.instances
  }
}
