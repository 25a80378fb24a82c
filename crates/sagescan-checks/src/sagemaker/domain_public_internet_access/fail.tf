resource "aws_sagemaker_domain" "public" {
  domain_name             = "public"
  auth_mode               = "IAM"
  vpc_id                  = "vpc-0abc"
  subnet_ids              = ["subnet-0abc"]
  app_network_access_type = "PublicInternetOnly"

  default_user_settings {
    execution_role = "arn:aws:iam::123456789012:role/studio"
  }
}

resource "aws_sagemaker_domain" "absent" {
  domain_name = "absent"
  auth_mode   = "IAM"
  vpc_id      = "vpc-0abc"
  subnet_ids  = ["subnet-0abc"]

  default_user_settings {
    execution_role = "arn:aws:iam::123456789012:role/studio"
  }
}
