resource "aws_sagemaker_notebook_instance" "research" {
  name                   = "${var.name}-notebook"
  role_arn               = aws_iam_role.sagemaker.arn
  instance_type          = var.notebook_instance_type
  subnet_id              = aws_subnet.private[0].id
  security_groups        = [aws_security_group.workload.id]
  direct_internet_access = "Disabled"
  kms_key_id             = aws_kms_key.main.arn
  # DELIBERATE FINDING (SM113): root_access is not set, so it takes the AWS default
  # "Enabled"; set root_access = "Disabled" to fix.

  instance_metadata_service_configuration {
    minimum_instance_metadata_service_version = "2"
  }
}

resource "aws_sagemaker_model" "churn" {
  name                     = "${var.name}-churn"
  execution_role_arn       = aws_iam_role.sagemaker.arn
  enable_network_isolation = true

  primary_container {
    image          = var.model_image
    model_data_url = var.model_data_url
  }

  vpc_config {
    subnets            = aws_subnet.private[*].id
    security_group_ids = [aws_security_group.workload.id]
  }
}

resource "aws_sagemaker_endpoint_configuration" "churn" {
  name        = "${var.name}-churn"
  kms_key_arn = aws_kms_key.main.arn

  production_variants {
    variant_name  = "primary"
    model_name    = aws_sagemaker_model.churn.name
    instance_type = var.endpoint_instance_type
    # DELIBERATE FINDING (SM131): one instance means no redundancy across AZs; use 2 or more.
    initial_instance_count = 1
  }
}

resource "aws_sagemaker_endpoint" "churn" {
  name                 = "${var.name}-churn"
  endpoint_config_name = aws_sagemaker_endpoint_configuration.churn.name
}
