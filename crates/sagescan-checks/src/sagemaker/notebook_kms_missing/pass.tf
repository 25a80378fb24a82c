resource "aws_kms_key" "notebooks" {
  description = "notebook volumes"
}

resource "aws_sagemaker_notebook_instance" "encrypted" {
  name          = "encrypted"
  role_arn      = "arn:aws:iam::123456789012:role/sm"
  instance_type = "ml.t3.medium"
  kms_key_id    = aws_kms_key.notebooks.arn
}
