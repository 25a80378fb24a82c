resource "aws_sagemaker_domain" "plain" {
  domain_name             = "plain"
  auth_mode               = "IAM"
  vpc_id                  = "vpc-0abc"
  subnet_ids              = ["subnet-0abc"]
  app_network_access_type = "VpcOnly"

  default_user_settings {
    execution_role = "arn:aws:iam::123456789012:role/studio"
  }
}
