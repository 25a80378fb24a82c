# The parity scenario (tests/parity.rs): one VPC with its own DHCP options, a public and
# two private subnets, an internet gateway and a NAT gateway, four security groups, the
# default and a custom network ACL, VPC endpoints, a flow log, and SageMaker notebooks,
# models, an endpoint, a Studio domain and model-monitoring job definitions.
# `tests/moto/seed.py parity` builds the same in the emulator; every resource is named
# the same way in both (`Name` tags for EC2, names for SageMaker), because the test
# compares findings by resource name.
#
# Left out because moto (5.2) cannot store them, so the live side could not match: a
# model's EnableNetworkIsolation, a notebook's InstanceMetadataServiceConfiguration,
# monitoring schedules, Studio user profiles and spaces, Network Firewall policies and rule
# groups. Route 53 Resolver DNS Firewall, which moto lacks too, is answered by the test's
# proxy instead (see the end of this file).

provider "aws" {
  region = "us-east-1"
}

resource "aws_vpc" "main" {
  cidr_block = "10.20.0.0/16"
  # enable_dns_support is left to its default (true), which the API reports as set.
  enable_dns_hostnames = true
  tags                 = { Name = "parity" }
}

resource "aws_vpc_dhcp_options" "parity" {
  domain_name         = "parity.internal"
  domain_name_servers = ["AmazonProvidedDNS"]
  tags                = { Name = "parity" }
}

resource "aws_vpc_dhcp_options_association" "parity" {
  vpc_id          = aws_vpc.main.id
  dhcp_options_id = aws_vpc_dhcp_options.parity.id
}

resource "aws_subnet" "public_a" {
  vpc_id                  = aws_vpc.main.id
  cidr_block              = "10.20.0.0/24"
  availability_zone       = "us-east-1a"
  map_public_ip_on_launch = true
  tags                    = { Name = "public-a" }
}

resource "aws_subnet" "private_a" {
  vpc_id            = aws_vpc.main.id
  cidr_block        = "10.20.1.0/24"
  availability_zone = "us-east-1a"
  tags              = { Name = "private-a" }
}

resource "aws_subnet" "private_b" {
  vpc_id            = aws_vpc.main.id
  cidr_block        = "10.20.2.0/24"
  availability_zone = "us-east-1b"
  tags              = { Name = "private-b" }
}

resource "aws_internet_gateway" "igw" {
  vpc_id = aws_vpc.main.id
  tags   = { Name = "igw" }
}

resource "aws_eip" "nat" {
  domain = "vpc"
}

resource "aws_nat_gateway" "nat" {
  subnet_id     = aws_subnet.public_a.id
  allocation_id = aws_eip.nat.id
  tags          = { Name = "nat" }
}

resource "aws_route_table" "public" {
  vpc_id = aws_vpc.main.id
  route {
    cidr_block = "0.0.0.0/0"
    gateway_id = aws_internet_gateway.igw.id
  }
  tags = { Name = "public" }
}

resource "aws_route_table_association" "public_a" {
  subnet_id      = aws_subnet.public_a.id
  route_table_id = aws_route_table.public.id
}

resource "aws_route_table" "private" {
  vpc_id = aws_vpc.main.id
  tags   = { Name = "private" }
}

resource "aws_route" "private_nat" {
  route_table_id         = aws_route_table.private.id
  destination_cidr_block = "0.0.0.0/0"
  nat_gateway_id         = aws_nat_gateway.nat.id
}

resource "aws_route_table_association" "private_a" {
  subnet_id      = aws_subnet.private_a.id
  route_table_id = aws_route_table.private.id
}

resource "aws_route_table_association" "private_b" {
  subnet_id      = aws_subnet.private_b.id
  route_table_id = aws_route_table.private.id
}

# The VPC's default ACL and security group, adopted as AWS (and moto) create them: the ACL
# allows everything both ways, the group lets everything out. The public subnet has no ACL
# of its own and uses the default one.
resource "aws_default_network_acl" "default" {
  default_network_acl_id = aws_vpc.main.default_network_acl_id

  ingress {
    rule_no    = 100
    protocol   = "-1"
    action     = "allow"
    cidr_block = "0.0.0.0/0"
    from_port  = 0
    to_port    = 0
  }

  egress {
    rule_no    = 100
    protocol   = "-1"
    action     = "allow"
    cidr_block = "0.0.0.0/0"
    from_port  = 0
    to_port    = 0
  }

  tags = { Name = "default" }
}

resource "aws_default_security_group" "default" {
  vpc_id = aws_vpc.main.id

  egress {
    protocol    = "-1"
    from_port   = 0
    to_port     = 0
    cidr_blocks = ["0.0.0.0/0"]
  }

  tags = { Name = "default" }
}

# The private subnets' own ACL: the VPC in, return traffic from anywhere in, everything
# out, and (a finding) SSH from the world.
resource "aws_network_acl" "private" {
  vpc_id     = aws_vpc.main.id
  subnet_ids = [aws_subnet.private_a.id, aws_subnet.private_b.id]

  ingress {
    rule_no    = 100
    protocol   = "-1"
    action     = "allow"
    cidr_block = "10.20.0.0/16"
    from_port  = 0
    to_port    = 0
  }

  ingress {
    rule_no    = 110
    protocol   = "tcp"
    action     = "allow"
    cidr_block = "0.0.0.0/0"
    from_port  = 1024
    to_port    = 65535
  }

  ingress {
    rule_no    = 120
    protocol   = "tcp"
    action     = "allow"
    cidr_block = "0.0.0.0/0"
    from_port  = 22
    to_port    = 22
  }

  egress {
    rule_no    = 100
    protocol   = "-1"
    action     = "allow"
    cidr_block = "0.0.0.0/0"
    from_port  = 0
    to_port    = 0
  }

  tags = { Name = "private" }
}

resource "aws_security_group" "workload" {
  name        = "workload"
  description = "SageMaker workloads"
  vpc_id      = aws_vpc.main.id

  egress {
    description = "HTTPS to the endpoints"
    protocol    = "tcp"
    from_port   = 443
    to_port     = 443
    cidr_blocks = ["10.20.0.0/16"]
  }

  tags = { Name = "workload" }
}

resource "aws_security_group" "endpoints" {
  name        = "endpoints"
  description = "Interface endpoints"
  vpc_id      = aws_vpc.main.id

  ingress {
    description = "HTTPS from the VPC"
    protocol    = "tcp"
    from_port   = 443
    to_port     = 443
    cidr_blocks = ["10.20.0.0/16"]
  }

  tags = { Name = "endpoints" }
}

# A finding: SSH from the world, without a description.
resource "aws_security_group" "edge" {
  name        = "edge"
  description = "Edge notebook"
  vpc_id      = aws_vpc.main.id

  ingress {
    protocol    = "tcp"
    from_port   = 22
    to_port     = 22
    cidr_blocks = ["0.0.0.0/0"]
  }

  egress {
    description = "all"
    protocol    = "-1"
    from_port   = 0
    to_port     = 0
    cidr_blocks = ["0.0.0.0/0"]
  }

  tags = { Name = "edge" }
}

resource "aws_vpc_endpoint" "sagemaker_api" {
  vpc_id              = aws_vpc.main.id
  service_name        = "com.amazonaws.us-east-1.sagemaker.api"
  vpc_endpoint_type   = "Interface"
  subnet_ids          = [aws_subnet.private_a.id, aws_subnet.private_b.id]
  security_group_ids  = [aws_security_group.endpoints.id]
  private_dns_enabled = true
  tags                = { Name = "sagemaker.api" }
}

resource "aws_vpc_endpoint" "sagemaker_runtime" {
  vpc_id              = aws_vpc.main.id
  service_name        = "com.amazonaws.us-east-1.sagemaker.runtime"
  vpc_endpoint_type   = "Interface"
  subnet_ids          = [aws_subnet.private_a.id, aws_subnet.private_b.id]
  security_group_ids  = [aws_security_group.endpoints.id]
  private_dns_enabled = true
  tags                = { Name = "sagemaker.runtime" }
}

resource "aws_vpc_endpoint" "s3" {
  vpc_id            = aws_vpc.main.id
  service_name      = "com.amazonaws.us-east-1.s3"
  vpc_endpoint_type = "Gateway"
  route_table_ids   = [aws_route_table.private.id]
  tags              = { Name = "s3" }
}

resource "aws_flow_log" "vpc" {
  vpc_id               = aws_vpc.main.id
  traffic_type         = "ALL"
  log_destination_type = "cloud-watch-logs"
  log_destination      = "arn:aws:logs:us-east-1:123456789012:log-group:/vpc/parity/flow"
  iam_role_arn         = "arn:aws:iam::123456789012:role/flow-logs"
}

# Violations: a notebook with direct internet access and a model outside any VPC.
resource "aws_sagemaker_notebook_instance" "open" {
  name          = "open-notebook"
  instance_type = "ml.t3.medium"
  role_arn      = "arn:aws:iam::123456789012:role/sagemaker"
}

resource "aws_sagemaker_model" "open" {
  name               = "open-model"
  execution_role_arn = "arn:aws:iam::123456789012:role/sagemaker"
  primary_container {
    image = "123456789012.dkr.ecr.us-east-1.amazonaws.com/m:1"
  }
}

# A development notebook in the public subnet, reachable through its SSH group, next to
# production workloads in the same VPC (OPS104).
resource "aws_sagemaker_notebook_instance" "edge" {
  name                   = "edge-notebook"
  instance_type          = "ml.t3.medium"
  role_arn               = "arn:aws:iam::123456789012:role/sagemaker"
  subnet_id              = aws_subnet.public_a.id
  security_groups        = [aws_security_group.edge.id]
  direct_internet_access = "Disabled"
  root_access            = "Disabled"
  kms_key_id             = "arn:aws:kms:us-east-1:123456789012:key/nb"
  tags                   = { Environment = "dev" }
}

# The compliant set, as far as moto can store it.
resource "aws_sagemaker_notebook_instance" "private" {
  name                   = "private-notebook"
  instance_type          = "ml.t3.medium"
  role_arn               = "arn:aws:iam::123456789012:role/sagemaker"
  subnet_id              = aws_subnet.private_a.id
  security_groups        = [aws_security_group.workload.id]
  direct_internet_access = "Disabled"
  root_access            = "Disabled"
  kms_key_id             = "arn:aws:kms:us-east-1:123456789012:key/nb"
  tags                   = { Environment = "prod" }
}

resource "aws_sagemaker_model" "private" {
  name               = "private-model"
  execution_role_arn = "arn:aws:iam::123456789012:role/sagemaker"
  primary_container {
    image = "123456789012.dkr.ecr.us-east-1.amazonaws.com/m:1"
  }
  vpc_config {
    subnets            = [aws_subnet.private_a.id, aws_subnet.private_b.id]
    security_group_ids = [aws_security_group.workload.id]
  }
  tags = { Environment = "prod" }
}

resource "aws_sagemaker_endpoint_configuration" "serving" {
  name = "serving"
  production_variants {
    variant_name           = "main"
    model_name             = aws_sagemaker_model.private.name
    initial_instance_count = 1
    instance_type          = "ml.m5.large"
  }
}

resource "aws_sagemaker_endpoint" "serving" {
  name                 = "serving"
  endpoint_config_name = aws_sagemaker_endpoint_configuration.serving.name
}

resource "aws_sagemaker_domain" "studio" {
  domain_name             = "studio"
  auth_mode               = "IAM"
  vpc_id                  = aws_vpc.main.id
  subnet_ids              = [aws_subnet.private_a.id, aws_subnet.private_b.id]
  app_network_access_type = "VpcOnly"
  kms_key_id              = "arn:aws:kms:us-east-1:123456789012:key/studio"
  tags                    = { Environment = "prod" }
  default_user_settings {
    execution_role  = "arn:aws:iam::123456789012:role/sagemaker"
    security_groups = [aws_security_group.workload.id]
  }
}

# Model monitoring: one definition with the default network settings (findings), one
# isolated, encrypted and in the VPC.
resource "aws_sagemaker_data_quality_job_definition" "drift_open" {
  name     = "drift-open"
  role_arn = "arn:aws:iam::123456789012:role/sagemaker"
  data_quality_app_specification {
    image_uri = "156813124566.dkr.ecr.us-east-1.amazonaws.com/sagemaker-model-monitor-analyzer"
  }
  data_quality_job_input {
    endpoint_input {
      endpoint_name = aws_sagemaker_endpoint.serving.name
    }
  }
  data_quality_job_output_config {
    monitoring_outputs {
      s3_output {
        s3_uri = "s3://monitoring/out"
      }
    }
  }
  job_resources {
    cluster_config {
      instance_count    = 1
      instance_type     = "ml.m5.large"
      volume_size_in_gb = 20
    }
  }
}

resource "aws_sagemaker_data_quality_job_definition" "drift_private" {
  name     = "drift-private"
  role_arn = "arn:aws:iam::123456789012:role/sagemaker"
  data_quality_app_specification {
    image_uri = "156813124566.dkr.ecr.us-east-1.amazonaws.com/sagemaker-model-monitor-analyzer"
  }
  data_quality_job_input {
    endpoint_input {
      endpoint_name = aws_sagemaker_endpoint.serving.name
    }
  }
  data_quality_job_output_config {
    monitoring_outputs {
      s3_output {
        s3_uri = "s3://monitoring/out"
      }
    }
  }
  job_resources {
    cluster_config {
      instance_count    = 1
      instance_type     = "ml.m5.large"
      volume_size_in_gb = 20
    }
  }
  network_config {
    enable_inter_container_traffic_encryption = true
    enable_network_isolation                  = true
    vpc_config {
      subnets            = [aws_subnet.private_a.id, aws_subnet.private_b.id]
      security_group_ids = [aws_security_group.workload.id]
    }
  }
}

# DNS Firewall: the VPC resolves AWS names only. Moto has no DNS Firewall API; the test's
# proxy answers the collector's DNS Firewall listings with exactly this configuration
# (tests/parity.rs, `dns_firewall`), so the collector's mapping is compared all the same.
resource "aws_route53_resolver_firewall_domain_list" "aws" {
  name    = "aws"
  domains = ["*.amazonaws.com", "amazonaws.com"]
}

resource "aws_route53_resolver_firewall_domain_list" "everything" {
  name    = "everything"
  domains = ["*"]
}

resource "aws_route53_resolver_firewall_rule_group" "walled" {
  name = "walled-garden"
}

resource "aws_route53_resolver_firewall_rule" "allow_aws" {
  name                    = "allow-aws"
  action                  = "ALLOW"
  firewall_domain_list_id = aws_route53_resolver_firewall_domain_list.aws.id
  firewall_rule_group_id  = aws_route53_resolver_firewall_rule_group.walled.id
  priority                = 100
}

resource "aws_route53_resolver_firewall_rule" "block_rest" {
  name                    = "block-rest"
  action                  = "BLOCK"
  block_response          = "NXDOMAIN"
  firewall_domain_list_id = aws_route53_resolver_firewall_domain_list.everything.id
  firewall_rule_group_id  = aws_route53_resolver_firewall_rule_group.walled.id
  priority                = 200
}

resource "aws_route53_resolver_firewall_rule_group_association" "parity" {
  name                   = "parity"
  firewall_rule_group_id = aws_route53_resolver_firewall_rule_group.walled.id
  vpc_id                 = aws_vpc.main.id
  priority               = 101
}
