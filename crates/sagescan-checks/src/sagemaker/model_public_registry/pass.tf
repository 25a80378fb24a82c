resource "aws_sagemaker_model" "ecr" {
  name               = "ecr"
  execution_role_arn = "arn:aws:iam::123456789012:role/sm"

  primary_container {
    image = "123456789012.dkr.ecr.us-east-1.amazonaws.com/churn:1"

    # Platform means "hosted in Amazon ECR": not a finding.
    image_config {
      repository_access_mode = "Platform"
    }
  }
}

resource "aws_sagemaker_model" "private_registry" {
  name               = "private-registry"
  execution_role_arn = "arn:aws:iam::123456789012:role/sm"

  primary_container {
    image = "registry.internal.example.com/churn:1"

    image_config {
      repository_access_mode = "Vpc"
    }
  }

  vpc_config {
    subnets            = ["subnet-0abc", "subnet-0def"]
    security_group_ids = ["sg-0abc"]
  }
}
