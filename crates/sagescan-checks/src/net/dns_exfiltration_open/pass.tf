resource "aws_vpc" "main" {
  cidr_block           = "10.0.0.0/16"
  enable_dns_support   = true
  enable_dns_hostnames = true
}

resource "aws_subnet" "private" {
  vpc_id            = aws_vpc.main.id
  cidr_block        = "10.0.1.0/24"
  availability_zone = "us-east-1a"
}

resource "aws_sagemaker_notebook_instance" "nb" {
  name                   = "nb"
  role_arn               = "arn:aws:iam::123456789012:role/sm"
  instance_type          = "ml.t3.medium"
  subnet_id              = aws_subnet.private.id
  direct_internet_access = "Disabled"
}

resource "aws_sagemaker_domain" "studio" {
  domain_name             = "studio"
  auth_mode               = "IAM"
  vpc_id                  = aws_vpc.main.id
  subnet_ids              = [aws_subnet.private.id]
  app_network_access_type = "VpcOnly"

  default_user_settings {
    execution_role = "arn:aws:iam::123456789012:role/studio"
  }
}

# Runs in SageMaker's own network: not judged here.
resource "aws_sagemaker_model" "outside" {
  name               = "outside"
  execution_role_arn = "arn:aws:iam::123456789012:role/sm"

  primary_container {
    image = "123456789012.dkr.ecr.us-east-1.amazonaws.com/churn:1"
  }
}

# A walled garden: the AWS names the workloads need resolve, everything else is blocked.
resource "aws_route53_resolver_firewall_domain_list" "allowed" {
  name    = "sagemaker-allowed"
  domains = ["*.amazonaws.com", "amazonaws.com"]
}

resource "aws_route53_resolver_firewall_domain_list" "everything" {
  name    = "everything"
  domains = ["*"]
}

resource "aws_route53_resolver_firewall_rule_group" "walled" {
  name = "walled-garden"
}

resource "aws_route53_resolver_firewall_rule" "block" {
  name                    = "block-everything-else"
  action                  = "BLOCK"
  block_response          = "NXDOMAIN"
  firewall_domain_list_id = aws_route53_resolver_firewall_domain_list.everything.id
  firewall_rule_group_id  = aws_route53_resolver_firewall_rule_group.walled.id
  priority                = 200
}

resource "aws_route53_resolver_firewall_rule" "allow" {
  name                    = "allow-aws"
  action                  = "ALLOW"
  firewall_domain_list_id = aws_route53_resolver_firewall_domain_list.allowed.id
  firewall_rule_group_id  = aws_route53_resolver_firewall_rule_group.walled.id
  priority                = 100
}

resource "aws_route53_resolver_firewall_rule_group_association" "main" {
  name                   = "main"
  firewall_rule_group_id = aws_route53_resolver_firewall_rule_group.walled.id
  vpc_id                 = aws_vpc.main.id
  priority               = 101
}
