resource "aws_sagemaker_model" "pipeline" {
  name               = "pipeline"
  execution_role_arn = "arn:aws:iam::123456789012:role/sm"

  container {
    image = "123456789012.dkr.ecr.us-east-1.amazonaws.com/pre:1"
  }
  container {
    image = "public.ecr.aws/acme/post:latest"
  }

  vpc_config {
    subnets            = ["subnet-0abc"]
    security_group_ids = ["sg-0abc"]
  }
}
