variable "encrypt" {
  type = bool
}

resource "aws_sagemaker_data_quality_job_definition" "dq" {
  name     = "dq"
  role_arn = "arn:aws:iam::123456789012:role/monitor"

  data_quality_app_specification {
    image_uri = "156813124566.dkr.ecr.us-east-1.amazonaws.com/sagemaker-model-monitor-analyzer"
  }

  data_quality_job_input {
    endpoint_input {
      endpoint_name = "churn"
    }
  }

  data_quality_job_output_config {
    monitoring_outputs {
      s3_output {
        s3_uri = "s3://monitoring/churn"
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
    enable_inter_container_traffic_encryption = var.encrypt
  }
}
