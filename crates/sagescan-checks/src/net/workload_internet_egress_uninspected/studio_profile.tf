# A VPC-only Studio domain whose own group talks HTTPS to the VPC only, in a private subnet
# behind a NAT gateway. User profile alice adds a group that allows everything out: her apps
# run with both groups (AWS aggregates them), so she reaches the internet and the domain's
# other users do not.
resource "aws_vpc" "main" {
  cidr_block = "10.0.0.0/16"
}

resource "aws_internet_gateway" "igw" {
  vpc_id = aws_vpc.main.id
}

resource "aws_subnet" "public" {
  vpc_id            = aws_vpc.main.id
  cidr_block        = "10.0.0.0/24"
  availability_zone = "us-east-1a"
}

resource "aws_subnet" "private_a" {
  vpc_id            = aws_vpc.main.id
  cidr_block        = "10.0.10.0/24"
  availability_zone = "us-east-1a"
}

resource "aws_eip" "nat" {
  domain = "vpc"
}

resource "aws_nat_gateway" "nat" {
  allocation_id = aws_eip.nat.id
  subnet_id     = aws_subnet.public.id
}

resource "aws_route_table" "public" {
  vpc_id = aws_vpc.main.id

  route {
    cidr_block = "0.0.0.0/0"
    gateway_id = aws_internet_gateway.igw.id
  }
}

resource "aws_route_table_association" "public" {
  subnet_id      = aws_subnet.public.id
  route_table_id = aws_route_table.public.id
}

resource "aws_route_table" "private" {
  vpc_id = aws_vpc.main.id

  route {
    cidr_block     = "0.0.0.0/0"
    nat_gateway_id = aws_nat_gateway.nat.id
  }
}

resource "aws_route_table_association" "private_a" {
  subnet_id      = aws_subnet.private_a.id
  route_table_id = aws_route_table.private.id
}

resource "aws_security_group" "studio" {
  name   = "studio"
  vpc_id = aws_vpc.main.id

  egress {
    description = "https to the VPC's endpoints"
    from_port   = 443
    to_port     = 443
    protocol    = "tcp"
    cidr_blocks = ["10.0.0.0/16"]
  }
}

resource "aws_security_group" "open" {
  name   = "open"
  vpc_id = aws_vpc.main.id

  egress {
    description = "everything out"
    from_port   = 0
    to_port     = 0
    protocol    = "-1"
    cidr_blocks = ["0.0.0.0/0"]
  }
}

resource "aws_sagemaker_domain" "studio" {
  domain_name             = "studio"
  auth_mode               = "IAM"
  app_network_access_type = "VpcOnly"
  vpc_id                  = aws_vpc.main.id
  subnet_ids              = [aws_subnet.private_a.id]

  default_user_settings {
    execution_role  = "arn:aws:iam::123456789012:role/sagemaker"
    security_groups = [aws_security_group.studio.id]
  }
}

resource "aws_sagemaker_user_profile" "alice" {
  domain_id         = aws_sagemaker_domain.studio.id
  user_profile_name = "alice"

  user_settings {
    execution_role  = "arn:aws:iam::123456789012:role/sagemaker"
    security_groups = [aws_security_group.open.id]
  }
}

resource "aws_sagemaker_user_profile" "bob" {
  domain_id         = aws_sagemaker_domain.studio.id
  user_profile_name = "bob"

  user_settings {
    execution_role = "arn:aws:iam::123456789012:role/sagemaker"
  }
}

# Private: runs as alice, with her groups.
resource "aws_sagemaker_space" "alice_private" {
  domain_id  = aws_sagemaker_domain.studio.id
  space_name = "alice-private"

  space_sharing_settings {
    sharing_type = "Private"
  }

  ownership_settings {
    owner_user_profile_name = aws_sagemaker_user_profile.alice.user_profile_name
  }
}

# Shared, but the domain sets no default space groups: AWS does not say which groups apply.
resource "aws_sagemaker_space" "team" {
  domain_id  = aws_sagemaker_domain.studio.id
  space_name = "team"

  space_sharing_settings {
    sharing_type = "Shared"
  }
}
