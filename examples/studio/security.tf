# SageMaker workloads may only talk HTTPS to the VPC (the interface endpoints) and to S3
# through the gateway endpoint; Studio additionally needs NFS to its EFS volume and
# traffic between its own apps.

# DELIBERATE FINDING (SG106): one group serves the notebook, Studio and the model endpoint;
# separate groups per function keep a compromise of one from reaching the others.
resource "aws_security_group" "workload" {
  name        = "${var.name}-sagemaker"
  description = "SageMaker notebooks, Studio apps and endpoints"
  vpc_id      = aws_vpc.main.id

  ingress {
    description = "Studio apps talk to each other"
    protocol    = "-1"
    from_port   = 0
    to_port     = 0
    self        = true
  }

  egress {
    description = "HTTPS to the interface endpoints"
    protocol    = "tcp"
    from_port   = 443
    to_port     = 443
    cidr_blocks = [var.vpc_cidr]
  }

  egress {
    description     = "HTTPS to S3 through the gateway endpoint"
    protocol        = "tcp"
    from_port       = 443
    to_port         = 443
    prefix_list_ids = [aws_vpc_endpoint.s3.prefix_list_id]
  }

  egress {
    description = "NFS to the Studio EFS volume"
    protocol    = "tcp"
    from_port   = 2049
    to_port     = 2049
    self        = true
  }

  egress {
    description = "Studio apps talk to each other"
    protocol    = "-1"
    from_port   = 0
    to_port     = 0
    self        = true
  }
}

resource "aws_security_group" "endpoints" {
  name        = "${var.name}-endpoints"
  description = "Interface VPC endpoints"
  vpc_id      = aws_vpc.main.id

  ingress {
    description = "HTTPS from inside the VPC"
    protocol    = "tcp"
    from_port   = 443
    to_port     = 443
    cidr_blocks = [var.vpc_cidr]
  }
}
