resource "aws_security_group" "sagemaker" {
  name   = "sagemaker"
  vpc_id = "vpc-0abc"

  egress {
    description = "HTTPS to allow-listed hosts via the firewall"
    from_port   = 443
    to_port     = 443
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]
  }
}

resource "aws_security_group" "bastion" {
  name   = "bastion"
  vpc_id = "vpc-0abc"

  egress {
    from_port   = 0
    to_port     = 0
    protocol    = "-1"
    cidr_blocks = ["0.0.0.0/0"]
  }
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
    security_group_ids = ["sg-0external"]
  }
}
