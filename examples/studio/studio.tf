resource "aws_sagemaker_domain" "studio" {
  domain_name             = "${var.name}-studio"
  auth_mode               = "IAM"
  vpc_id                  = aws_vpc.main.id
  subnet_ids              = aws_subnet.private[*].id
  app_network_access_type = "VpcOnly"
  # DELIBERATE FINDING (SM102): no kms_key_id, so the domain's EFS volume is encrypted
  # with an AWS-managed key; add kms_key_id = aws_kms_key.main.arn to fix.

  default_user_settings {
    execution_role  = aws_iam_role.sagemaker.arn
    security_groups = [aws_security_group.workload.id]
  }
}
