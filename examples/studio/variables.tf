variable "region" {
  description = "AWS region to deploy into"
  type        = string
  default     = "eu-west-1"
}

variable "name" {
  description = "Prefix for resource names"
  type        = string
  default     = "ml-research"
}

variable "environment" {
  description = "Environment tag"
  type        = string
  default     = "dev"
}

variable "vpc_cidr" {
  description = "CIDR of the workload VPC"
  type        = string
  default     = "10.40.0.0/16"
}

variable "azs" {
  description = "Two availability zones for the private subnets"
  type        = list(string)
  default     = ["eu-west-1a", "eu-west-1b"]
}

variable "private_subnet_cidrs" {
  description = "One private subnet per availability zone"
  type        = list(string)
  default     = ["10.40.1.0/24", "10.40.2.0/24"]
}

variable "notebook_instance_type" {
  type    = string
  default = "ml.t3.medium"
}

variable "endpoint_instance_type" {
  type    = string
  default = "ml.m5.large"
}

variable "model_image" {
  description = "Inference image in the account's private ECR registry"
  type        = string
  default     = "123456789012.dkr.ecr.eu-west-1.amazonaws.com/churn-inference:1.4.2"
}

variable "model_data_url" {
  description = "S3 location of the model artifact"
  type        = string
  default     = "s3://ml-research-artifacts/churn/model.tar.gz"
}

variable "account_id" {
  description = "The AWS account whose principals may use the VPC endpoints"
  type        = string
  default     = "123456789012"
}
