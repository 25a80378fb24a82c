resource "aws_sagemaker_model" "isolated" {
  name                     = "isolated"
  execution_role_arn       = "arn:aws:iam::123456789012:role/sm"
  enable_network_isolation = true

  primary_container {
    image          = "123456789012.dkr.ecr.us-east-1.amazonaws.com/churn:1"
    model_data_url = "s3://models/churn/model.tar.gz"
  }
}
