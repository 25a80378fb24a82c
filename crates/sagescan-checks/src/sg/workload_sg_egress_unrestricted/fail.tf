resource "aws_security_group" "sagemaker" {
  name   = "sagemaker"
  vpc_id = "vpc-0abc"
}

resource "aws_security_group_rule" "all_out" {
  type              = "egress"
  security_group_id = aws_security_group.sagemaker.id
  description       = "all outbound"
  protocol          = "-1"
  from_port         = 0
  to_port           = 0
  cidr_blocks       = ["0.0.0.0/0"]
}

resource "aws_sagemaker_notebook_instance" "nb" {
  name                   = "nb"
  role_arn               = "arn:aws:iam::123456789012:role/sm"
  instance_type          = "ml.t3.medium"
  subnet_id              = "subnet-0abc"
  security_groups        = [aws_security_group.sagemaker.id]
  direct_internet_access = "Disabled"
}
