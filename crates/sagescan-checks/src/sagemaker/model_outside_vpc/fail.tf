resource "aws_sagemaker_model" "public" {
  name               = "public"
  execution_role_arn = "arn:aws:iam::123456789012:role/sm"

  primary_container {
    image = "123456789012.dkr.ecr.us-east-1.amazonaws.com/churn:1"
  }
}

resource "aws_sagemaker_model" "empty" {
  name               = "empty"
  execution_role_arn = "arn:aws:iam::123456789012:role/sm"

  primary_container {
    image = "123456789012.dkr.ecr.us-east-1.amazonaws.com/churn:1"
  }

  vpc_config {
    subnets            = []
    security_group_ids = ["sg-0abc"]
  }
}
