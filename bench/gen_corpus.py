#!/usr/bin/env python3
"""sagescan's own synthetic Terraform corpus for benchmarks.

Writes N independent Terraform roots, each shaped like a production SageMaker VPC:
public subnets with NAT gateways behind an internet gateway, a Network Firewall in its own
subnets inspecting egress, private workload subnets, security groups, interface and S3
gateway endpoints, a flow log, a KMS key, and the SageMaker resources (notebook instance,
model, endpoint configuration + endpoint, Studio domain).

Most roots are written the secure way; some get one to three injected misconfigurations.
What was injected where is written to DIR/manifest.json (not a .tf file, so scanners skip
it), with the sagescan check code each misconfiguration should trigger.

Deterministic: root i depends only on (seed, i), so a 100-root corpus is a prefix of the
1000-root one with the same seed. Standard library only.

    python3 bench/gen_corpus.py --roots 100 --seed 1 --out bench/out/corpus-100
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
from pathlib import Path

import cfn_corpus

GENERATOR_VERSION = 1

# name -> (sagescan code it should trigger, what it breaks)
MISCONFIGS = {
    "notebook_direct_internet": ("SM111", "notebook direct_internet_access = Enabled"),
    "notebook_root_default": ("SM113", "notebook root_access left at its default (Enabled)"),
    "notebook_no_kms": ("SM114", "notebook without kms_key_id"),
    "notebook_imdsv1": ("SM115", "notebook allows IMDSv1"),
    "model_no_isolation": ("SM121", "model without enable_network_isolation"),
    "model_no_vpc": ("SM122", "model without vpc_config"),
    "endpoint_single_instance": ("SM131", "endpoint variant with one instance"),
    "endpoint_no_kms": ("SM132", "endpoint configuration without kms_key_arn"),
    "domain_public": ("SM101", "Studio domain app_network_access_type left at PublicInternetOnly"),
    "domain_no_kms": ("SM102", "Studio domain without kms_key_id"),
    "sg_world_ssh": ("SG103", "workload security group admits SSH from 0.0.0.0/0"),
    "subnet_public_ip": ("VPC103", "private subnets map public IPs on launch"),
    "no_flow_log": ("VPC101", "VPC without a flow log"),
    "firewall_no_delete_protection": ("NFW102", "firewall delete_protection = false"),
}

REGIONS = ["us-east-1", "us-west-2", "eu-west-1", "eu-central-1", "ap-southeast-2"]
INTERFACE_SERVICES = ["sagemaker.api", "sagemaker.runtime", "sts", "logs", "ecr.api", "ecr.dkr"]
ALLOWED_DOMAINS = [".pypi.org", ".pythonhosted.org", "github.com", ".anaconda.org", ".huggingface.co"]


def pick_misconfigs(rng: random.Random) -> list[str]:
    """About a third of the roots are clean; the rest get 1-3 distinct misconfigurations."""
    if rng.random() < 0.35:
        return []
    return sorted(rng.sample(sorted(MISCONFIGS), rng.randint(1, 3)))


def versions_tf(region: str) -> str:
    return f'''terraform {{
  required_providers {{
    aws = {{
      source  = "hashicorp/aws"
      version = "~> 5.60"
    }}
  }}
}}

provider "aws" {{
  region = var.region
}}

variable "region" {{
  type    = string
  default = "{region}"
}}

variable "name" {{
  type = string
}}

variable "vpc_cidr" {{
  type    = string
  default = "10.0.0.0/16"
}}
'''


def network_tf(bad: set[str], azs: list[str], octet: int) -> str:
    public_ip = "true" if "subnet_public_ip" in bad else "false"
    n = len(azs)
    flow_log = "" if "no_flow_log" in bad else '''
resource "aws_flow_log" "vpc" {
  vpc_id          = aws_vpc.main.id
  traffic_type    = "ALL"
  log_destination = "arn:aws:s3:::flow-logs-central/${var.name}"
  log_destination_type = "s3"
}
'''
    return f'''locals {{
  azs = {json.dumps(azs)}
}}

resource "aws_vpc" "main" {{
  cidr_block           = var.vpc_cidr
  enable_dns_support   = true
  enable_dns_hostnames = true
  tags                 = {{ Name = var.name }}
}}

resource "aws_internet_gateway" "main" {{
  vpc_id = aws_vpc.main.id
}}

resource "aws_subnet" "public" {{
  count             = {n}
  vpc_id            = aws_vpc.main.id
  cidr_block        = cidrsubnet(var.vpc_cidr, 8, count.index)
  availability_zone = local.azs[count.index]
}}

resource "aws_subnet" "firewall" {{
  count             = {n}
  vpc_id            = aws_vpc.main.id
  cidr_block        = cidrsubnet(var.vpc_cidr, 8, 16 + count.index)
  availability_zone = local.azs[count.index]
}}

resource "aws_subnet" "private" {{
  count                   = {n}
  vpc_id                  = aws_vpc.main.id
  cidr_block              = cidrsubnet(var.vpc_cidr, 8, {octet} + count.index)
  availability_zone       = local.azs[count.index]
  map_public_ip_on_launch = {public_ip}
}}

resource "aws_eip" "nat" {{
  count  = {n}
  domain = "vpc"
}}

resource "aws_nat_gateway" "main" {{
  count         = {n}
  allocation_id = aws_eip.nat[count.index].id
  subnet_id     = aws_subnet.public[count.index].id
}}

resource "aws_route_table" "public" {{
  vpc_id = aws_vpc.main.id

  route {{
    cidr_block = "0.0.0.0/0"
    gateway_id = aws_internet_gateway.main.id
  }}
}}

resource "aws_route_table_association" "public" {{
  count          = {n}
  subnet_id      = aws_subnet.public[count.index].id
  route_table_id = aws_route_table.public.id
}}

resource "aws_route_table" "firewall" {{
  count  = {n}
  vpc_id = aws_vpc.main.id

  route {{
    cidr_block     = "0.0.0.0/0"
    nat_gateway_id = aws_nat_gateway.main[count.index].id
  }}
}}

resource "aws_route_table_association" "firewall" {{
  count          = {n}
  subnet_id      = aws_subnet.firewall[count.index].id
  route_table_id = aws_route_table.firewall[count.index].id
}}

# Private egress goes through the firewall endpoint of the same AZ.
resource "aws_route_table" "private" {{
  count  = {n}
  vpc_id = aws_vpc.main.id

  route {{
    cidr_block      = "0.0.0.0/0"
    vpc_endpoint_id = one([for s in aws_networkfirewall_firewall.main.firewall_status[0].sync_states : s.attachment[0].endpoint_id if s.availability_zone == local.azs[count.index]])
  }}
}}

resource "aws_route_table_association" "private" {{
  count          = {n}
  subnet_id      = aws_subnet.private[count.index].id
  route_table_id = aws_route_table.private[count.index].id
}}

resource "aws_network_acl" "private" {{
  vpc_id     = aws_vpc.main.id
  subnet_ids = aws_subnet.private[*].id

  ingress {{
    rule_no    = 100
    protocol   = "tcp"
    action     = "allow"
    cidr_block = var.vpc_cidr
    from_port  = 443
    to_port    = 443
  }}

  ingress {{
    rule_no    = 110
    protocol   = "tcp"
    action     = "allow"
    cidr_block = "0.0.0.0/0"
    from_port  = 1024
    to_port    = 65535
  }}

  egress {{
    rule_no    = 100
    protocol   = "-1"
    action     = "allow"
    cidr_block = "0.0.0.0/0"
    from_port  = 0
    to_port    = 0
  }}
}}

resource "aws_default_security_group" "default" {{
  vpc_id = aws_vpc.main.id
}}
{flow_log}'''


def security_tf(bad: set[str]) -> str:
    ssh = '''
  ingress {
    description = "SSH for debugging"
    protocol    = "tcp"
    from_port   = 22
    to_port     = 22
    cidr_blocks = ["0.0.0.0/0"]
  }
''' if "sg_world_ssh" in bad else ""
    return f'''resource "aws_security_group" "workload" {{
  name        = "${{var.name}}-sagemaker"
  description = "SageMaker workloads"
  vpc_id      = aws_vpc.main.id

  ingress {{
    description = "Studio apps talk to each other"
    protocol    = "-1"
    from_port   = 0
    to_port     = 0
    self        = true
  }}
{ssh}
  egress {{
    description = "HTTPS out, inspected by the firewall"
    protocol    = "tcp"
    from_port   = 443
    to_port     = 443
    cidr_blocks = ["0.0.0.0/0"]
  }}
}}

resource "aws_security_group" "endpoints" {{
  name        = "${{var.name}}-endpoints"
  description = "Interface endpoints"
  vpc_id      = aws_vpc.main.id

  ingress {{
    description = "HTTPS from the VPC"
    protocol    = "tcp"
    from_port   = 443
    to_port     = 443
    cidr_blocks = [var.vpc_cidr]
  }}
}}
'''


def endpoints_tf(services: list[str]) -> str:
    return f'''resource "aws_vpc_endpoint" "interface" {{
  for_each            = toset({json.dumps(services)})
  vpc_id              = aws_vpc.main.id
  service_name        = "com.amazonaws.${{var.region}}.${{each.value}}"
  vpc_endpoint_type   = "Interface"
  private_dns_enabled = true
  subnet_ids          = aws_subnet.private[*].id
  security_group_ids  = [aws_security_group.endpoints.id]
}}

resource "aws_vpc_endpoint" "s3" {{
  vpc_id            = aws_vpc.main.id
  service_name      = "com.amazonaws.${{var.region}}.s3"
  vpc_endpoint_type = "Gateway"
  route_table_ids   = aws_route_table.private[*].id
}}
'''


def firewall_tf(bad: set[str], domains: list[str]) -> str:
    delete_protection = "false" if "firewall_no_delete_protection" in bad else "true"
    return f'''resource "aws_networkfirewall_rule_group" "allow_domains" {{
  name     = "${{var.name}}-allow"
  type     = "STATEFUL"
  capacity = 100

  rule_group {{
    rules_source {{
      rules_source_list {{
        generated_rules_type = "ALLOWLIST"
        target_types         = ["TLS_SNI", "HTTP_HOST"]
        targets              = {json.dumps(domains)}
      }}
    }}
  }}
}}

resource "aws_networkfirewall_firewall_policy" "main" {{
  name = "${{var.name}}-policy"

  firewall_policy {{
    stateless_default_actions          = ["aws:forward_to_sfe"]
    stateless_fragment_default_actions = ["aws:forward_to_sfe"]

    stateful_engine_options {{
      rule_order = "STRICT_ORDER"
    }}
    stateful_default_actions = ["aws:drop_established"]

    stateful_rule_group_reference {{
      priority     = 10
      resource_arn = aws_networkfirewall_rule_group.allow_domains.arn
    }}
  }}
}}

resource "aws_networkfirewall_firewall" "main" {{
  name                     = "${{var.name}}-fw"
  vpc_id                   = aws_vpc.main.id
  firewall_policy_arn      = aws_networkfirewall_firewall_policy.main.arn
  delete_protection        = {delete_protection}
  subnet_change_protection = true

  dynamic "subnet_mapping" {{
    for_each = aws_subnet.firewall[*].id
    content {{
      subnet_id = subnet_mapping.value
    }}
  }}
}}

resource "aws_networkfirewall_logging_configuration" "main" {{
  firewall_arn = aws_networkfirewall_firewall.main.arn

  logging_configuration {{
    log_destination_config {{
      log_destination_type = "S3"
      log_type             = "ALERT"
      log_destination = {{
        bucketName = "firewall-logs-central"
        prefix     = var.name
      }}
    }}
  }}
}}
'''


def sagemaker_tf(bad: set[str], instance_type: str, count: int) -> str:
    nb = ['  name          = "${var.name}-nb"',
          '  role_arn      = "arn:aws:iam::123456789012:role/sagemaker-execution"',
          f'  instance_type = "{instance_type}"',
          "  subnet_id       = aws_subnet.private[0].id",
          "  security_groups = [aws_security_group.workload.id]",
          '  direct_internet_access = "{}"'.format(
              "Enabled" if "notebook_direct_internet" in bad else "Disabled")]
    if "notebook_root_default" not in bad:
        nb.append('  root_access = "Disabled"')
    if "notebook_no_kms" not in bad:
        nb.append("  kms_key_id = aws_kms_key.main.arn")
    imds = "1" if "notebook_imdsv1" in bad else "2"
    nb.append(f'''
  instance_metadata_service_configuration {{
    minimum_instance_metadata_service_version = "{imds}"
  }}''')

    model = ['  name               = "${var.name}-model"',
             '  execution_role_arn = "arn:aws:iam::123456789012:role/sagemaker-execution"']
    if "model_no_isolation" not in bad:
        model.append("  enable_network_isolation = true")
    model.append('''
  primary_container {
    image          = "123456789012.dkr.ecr.${var.region}.amazonaws.com/inference:latest"
    model_data_url = "s3://models-${var.name}/model.tar.gz"
  }''')
    if "model_no_vpc" not in bad:
        model.append('''
  vpc_config {
    subnets            = aws_subnet.private[*].id
    security_group_ids = [aws_security_group.workload.id]
  }''')

    ec_kms = "" if "endpoint_no_kms" in bad else "\n  kms_key_arn = aws_kms_key.main.arn"
    domain = ['  domain_name = "${var.name}-studio"',
              '  auth_mode   = "IAM"',
              "  vpc_id      = aws_vpc.main.id",
              "  subnet_ids  = aws_subnet.private[*].id"]
    if "domain_public" not in bad:
        domain.append('  app_network_access_type = "VpcOnly"')
    if "domain_no_kms" not in bad:
        domain.append("  kms_key_id = aws_kms_key.main.arn")
    domain.append('''
  default_user_settings {
    execution_role  = "arn:aws:iam::123456789012:role/sagemaker-execution"
    security_groups = [aws_security_group.workload.id]
  }''')

    body = "\n".join
    return f'''resource "aws_kms_key" "main" {{
  description         = "${{var.name}} SageMaker"
  enable_key_rotation = true
}}

resource "aws_sagemaker_notebook_instance" "main" {{
{body(nb)}
}}

resource "aws_sagemaker_model" "main" {{
{body(model)}
}}

resource "aws_sagemaker_endpoint_configuration" "main" {{
  name = "${{var.name}}-ec"{ec_kms}

  production_variants {{
    variant_name           = "primary"
    model_name             = aws_sagemaker_model.main.name
    instance_type          = "ml.m5.large"
    initial_instance_count = {count}
  }}
}}

resource "aws_sagemaker_endpoint" "main" {{
  name                 = "${{var.name}}-endpoint"
  endpoint_config_name = aws_sagemaker_endpoint_configuration.main.name
}}

resource "aws_sagemaker_domain" "main" {{
{body(domain)}
}}
'''


def draw(rng: random.Random) -> dict:
    """Every random choice of one root, in the order the generator has always drawn them
    (so corpora stay identical across versions), shared by the Terraform and CloudFormation
    renderings of that root."""
    bad = pick_misconfigs(rng)
    region = rng.choice(REGIONS)
    azs = [f"{region}{z}" for z in "abc"[: rng.choice([2, 2, 3])]]
    services = sorted(rng.sample(INTERFACE_SERVICES, rng.randint(4, len(INTERFACE_SERVICES))))
    domains = sorted(rng.sample(ALLOWED_DOMAINS, rng.randint(2, len(ALLOWED_DOMAINS))))
    octet = 32 + rng.randint(0, 8) * 4
    instance_type = rng.choice(["ml.t3.medium", "ml.t3.large", "ml.m5.xlarge"])
    count = 1 if "endpoint_single_instance" in bad else rng.randint(2, 4)
    return {"bad": bad, "region": region, "azs": azs, "services": services,
            "domains": domains, "octet": octet, "instance_type": instance_type, "count": count}


def terraform_files(name: str, s: dict) -> dict[str, str]:
    bad = set(s["bad"])
    return {
        "versions.tf": versions_tf(s["region"]),
        "terraform.tfvars": f'name = "{name}"\n',
        "network.tf": network_tf(bad, s["azs"], s["octet"]),
        "security.tf": security_tf(bad),
        "endpoints.tf": endpoints_tf(s["services"]),
        "firewall.tf": firewall_tf(bad, s["domains"]),
        "sagemaker.tf": sagemaker_tf(bad, s["instance_type"], s["count"]),
    }


def write_root(root: Path, seed: int, i: int, fmt: str) -> dict:
    s = draw(random.Random(f"sagescan-bench:{seed}:{i}"))
    name = f"ml-{i:04d}"
    if fmt == "terraform":
        files = terraform_files(name, s)
    else:
        files = {f"template.{'json' if fmt == 'cfn-json' else 'yaml'}": cfn_corpus.template(name, s, fmt)}
    root.mkdir(parents=True)
    for file, text in files.items():
        (root / file).write_text(text)
    return {
        "root": root.name,
        "misconfigurations": s["bad"],
        "expected_codes": sorted({MISCONFIGS[b][0] for b in s["bad"]}),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--roots", type=int, default=100, help="number of Terraform roots")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--out", type=Path, required=True, help="output directory (replaced)")
    ap.add_argument("--format", choices=["terraform", "cfn", "cfn-json"], default="terraform",
                    help="Terraform HCL roots, or the same roots as one CloudFormation template "
                         "each (YAML with short-form intrinsics, or JSON)")
    args = ap.parse_args()

    if args.out.exists():
        shutil.rmtree(args.out)
    args.out.mkdir(parents=True)
    roots = [write_root(args.out / f"root-{i:04d}", args.seed, i, args.format) for i in range(args.roots)]
    manifest = {
        "generator": "sagescan bench/gen_corpus.py",
        "generator_version": GENERATOR_VERSION,
        "seed": args.seed,
        "format": args.format,
        "roots": roots,
        "misconfigurations": {k: {"code": c, "description": d} for k, (c, d) in MISCONFIGS.items()},
    }
    (args.out / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n")
    clean = sum(1 for r in roots if not r["misconfigurations"])
    print(f"wrote {args.roots} roots ({clean} clean) to {args.out}")


if __name__ == "__main__":
    main()
