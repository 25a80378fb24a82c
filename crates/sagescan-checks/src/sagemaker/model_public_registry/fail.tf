resource "aws_sagemaker_model" "pipeline" {
  name               = "pipeline"
  execution_role_arn = "arn:aws:iam::123456789012:role/sm"

  container {
    image = "registry.internal.example.com/pre:1"

    image_config {
      repository_access_mode = "Vpc"
    }
  }
  container {
    image = "123456789012.dkr.ecr.us-east-1.amazonaws.com/post:1"

    image_config {
      repository_access_mode = "Platform"
    }
  }

  vpc_config {
    subnets            = ["subnet-0abc"]
    security_group_ids = ["sg-0abc"]
  }
}
