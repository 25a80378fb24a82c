resource "aws_sagemaker_notebook_instance" "private" {
  name                   = "private"
  role_arn               = "arn:aws:iam::123456789012:role/sm"
  instance_type          = "ml.t3.medium"
  subnet_id              = "subnet-0abc"
  security_groups        = ["sg-0abc"]
  direct_internet_access = "Disabled"
}
