resource "aws_sagemaker_model" "open" {
  name                     = "open"
  execution_role_arn       = "arn:aws:iam::123456789012:role/sm"
  enable_network_isolation = false

  primary_container {
    image = "123456789012.dkr.ecr.us-east-1.amazonaws.com/churn:1"
  }
}

resource "aws_sagemaker_model" "absent" {
  name               = "absent"
  execution_role_arn = "arn:aws:iam::123456789012:role/sm"

  primary_container {
    image = "123456789012.dkr.ecr.us-east-1.amazonaws.com/churn:1"
  }
}
