# A private SageMaker environment: Studio, a notebook instance and a real-time endpoint in a
# VPC with no internet path at all. AWS services are reached through VPC endpoints.
#
# Three findings are left in on purpose so that `sagescan scan examples/studio` has
# something to show; each is marked "DELIBERATE FINDING" where it occurs:
#   SM113 notebook-root-access      (sagemaker.tf, root_access left at its default)
#   SM131 endpoint-single-instance  (sagemaker.tf, initial_instance_count = 1)
#   SM102 domain-kms-missing        (studio.tf, no kms_key_id on the domain)

terraform {
  required_version = ">= 1.5"
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 5.60"
    }
  }
}

provider "aws" {
  region = var.region

  default_tags {
    tags = {
      project     = var.name
      environment = var.environment
    }
  }
}
