//! Variable files: the input is a `terraform.tfvars` (HCL) or, when its first byte is odd, a
//! `terraform.tfvars.json`, applied to a root module that declares variables of every type
//! the converter knows and uses them in resource attributes.
#![no_main]

use libfuzzer_sys::fuzz_target;

const ROOT: &str = r#"
variable "s" { type = string }
variable "n" { type = number }
variable "b" { type = bool }
variable "l" { type = list(string) }
variable "m" { type = map(string) }
variable "o" { type = object({ a = string, b = number }) }
variable "any" {}
resource "aws_sagemaker_notebook_instance" "nb" {
  name                   = var.s
  instance_type          = "ml.t3.medium"
  role_arn               = "arn:aws:iam::123456789012:role/r"
  direct_internet_access = var.b ? "Enabled" : "Disabled"
  security_groups        = var.l
  subnet_id              = var.m["subnet"]
  tags                   = var.m
  volume_size            = var.n
}
resource "aws_security_group" "sg" {
  count  = var.n
  vpc_id = var.o.a
  egress {
    from_port   = var.o.b
    to_port     = var.o.b
    protocol    = "tcp"
    cidr_blocks = var.l
  }
}
"#;

fuzz_target!(|data: &[u8]| {
    let Some((&first, rest)) = data.split_first() else {
        return;
    };
    let Ok(text) = std::str::from_utf8(rest) else {
        return;
    };
    let name = if first & 1 == 1 {
        "terraform.tfvars.json"
    } else {
        "terraform.tfvars"
    };
    let model = sagescan_load::load_terraform_texts(&[("main.tf", ROOT)], &[(name, text)]);
    std::hint::black_box(model);
});
