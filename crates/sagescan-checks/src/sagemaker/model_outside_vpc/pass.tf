resource "aws_sagemaker_model" "private" {
  name               = "private"
  execution_role_arn = "arn:aws:iam::123456789012:role/sm"

  primary_container {
    image = "123456789012.dkr.ecr.us-east-1.amazonaws.com/churn:1"
  }

  vpc_config {
    subnets            = ["subnet-0abc", "subnet-0def"]
    security_group_ids = ["sg-0abc"]
  }
}
