resource "aws_kms_key" "studio" {
  description = "Studio home directories"
}

resource "aws_sagemaker_domain" "encrypted" {
  domain_name             = "encrypted"
  auth_mode               = "IAM"
  vpc_id                  = "vpc-0abc"
  subnet_ids              = ["subnet-0abc"]
  app_network_access_type = "VpcOnly"
  kms_key_id              = aws_kms_key.studio.arn

  default_user_settings {
    execution_role = "arn:aws:iam::123456789012:role/studio"
  }
}
