resource "aws_security_group" "sagemaker" {
  name   = "sagemaker"
  vpc_id = "vpc-0abc"
}

resource "aws_security_group" "scoring" {
  name   = "scoring"
  vpc_id = "vpc-0abc"
}

resource "aws_sagemaker_notebook_instance" "nb" {
  name                   = "nb"
  role_arn               = "arn:aws:iam::123456789012:role/sm"
  instance_type          = "ml.t3.medium"
  subnet_id              = "subnet-0abc"
  security_groups        = [aws_security_group.sagemaker.id]
  direct_internet_access = "Disabled"
}

resource "aws_sagemaker_model" "m" {
  name               = "m"
  execution_role_arn = "arn:aws:iam::123456789012:role/sm"

  primary_container {
    image = "123456789012.dkr.ecr.us-east-1.amazonaws.com/m:1"
  }

  vpc_config {
    subnets            = ["subnet-0abc"]
    security_group_ids = [aws_security_group.sagemaker.id]
  }
}

resource "aws_sagemaker_model" "scoring" {
  name               = "scoring"
  execution_role_arn = "arn:aws:iam::123456789012:role/sm"

  primary_container {
    image = "123456789012.dkr.ecr.us-east-1.amazonaws.com/t:1"
  }

  vpc_config {
    subnets            = ["subnet-0abc"]
    security_group_ids = [aws_security_group.scoring.id]
  }
}

resource "aws_vpc_endpoint" "sts" {
  vpc_id             = "vpc-0abc"
  service_name       = "com.amazonaws.us-east-1.sts"
  vpc_endpoint_type  = "Interface"
  security_group_ids = [aws_security_group.scoring.id]
}
