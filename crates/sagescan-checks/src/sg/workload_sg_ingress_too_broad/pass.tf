resource "aws_vpc" "main" {
  cidr_block = "10.0.0.0/16"
}

resource "aws_subnet" "private" {
  vpc_id     = aws_vpc.main.id
  cidr_block = "10.0.1.0/24"
}

resource "aws_security_group" "sagemaker" {
  name   = "sagemaker"
  vpc_id = aws_vpc.main.id

  ingress {
    description = "intra-group traffic (distributed training)"
    from_port   = 0
    to_port     = 0
    protocol    = "-1"
    self        = true
  }

  ingress {
    description = "HTTPS from the VPC"
    from_port   = 443
    to_port     = 443
    protocol    = "tcp"
    cidr_blocks = ["10.0.0.0/16"]
  }

  ingress {
    description     = "NFS from the Studio EFS group"
    from_port       = 2049
    to_port         = 2049
    protocol        = "tcp"
    security_groups = [aws_security_group.studio_efs.id]
  }
}

resource "aws_security_group" "studio_efs" {
  name   = "studio-efs"
  vpc_id = aws_vpc.main.id
}

resource "aws_sagemaker_domain" "studio" {
  domain_name             = "studio"
  auth_mode               = "IAM"
  vpc_id                  = aws_vpc.main.id
  subnet_ids              = [aws_subnet.private.id]
  app_network_access_type = "VpcOnly"

  default_user_settings {
    execution_role  = "arn:aws:iam::123456789012:role/sm"
    security_groups = [aws_security_group.sagemaker.id, aws_security_group.studio_efs.id]
  }
}
