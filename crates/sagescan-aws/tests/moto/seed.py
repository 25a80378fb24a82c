"""Seeds a moto server with the live-collection test scenarios (boto3's mutating calls live
here, in test code only: the collector itself can only read).

usage: seed.py ENDPOINT basic            -- the two-region scenario of tests/moto.rs
       seed.py ENDPOINT bench N          -- N notebooks and N models in each of two regions
"""

import sys

import boto3

ROLE = "arn:aws:iam::123456789012:role/sagemaker"
REGIONS = ["us-east-1", "eu-west-1"]


def clients(endpoint, region):
    kw = dict(
        endpoint_url=endpoint,
        region_name=region,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    return boto3.client("ec2", **kw), boto3.client("sagemaker", **kw)


def private_network(ec2):
    """A VPC with one private subnet (no internet route) and a workload security group
    whose egress is limited to HTTPS inside the VPC."""
    vpc = ec2.create_vpc(CidrBlock="10.20.0.0/16")["Vpc"]["VpcId"]
    ec2.modify_vpc_attribute(VpcId=vpc, EnableDnsHostnames={"Value": True})
    subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.20.1.0/24")["Subnet"]["SubnetId"]
    sg = ec2.create_security_group(
        GroupName="workload", Description="SageMaker workloads", VpcId=vpc
    )["GroupId"]
    ec2.revoke_security_group_egress(
        GroupId=sg,
        IpPermissions=[{"IpProtocol": "-1", "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}],
    )
    ec2.authorize_security_group_egress(
        GroupId=sg,
        IpPermissions=[
            {
                "IpProtocol": "tcp",
                "FromPort": 443,
                "ToPort": 443,
                "IpRanges": [{"CidrIp": "10.20.0.0/16"}],
            }
        ],
    )
    return vpc, subnet, sg


def basic(endpoint):
    for region in REGIONS:
        ec2, sm = clients(endpoint, region)
        vpc, subnet, sg = private_network(ec2)
        # Violations: a notebook with direct internet access (the API default) and a
        # model without network isolation, outside any VPC.
        sm.create_notebook_instance(
            NotebookInstanceName="open-notebook",
            InstanceType="ml.t3.medium",
            RoleArn=ROLE,
        )
        sm.create_model(
            ModelName="open-model",
            ExecutionRoleArn=ROLE,
            PrimaryContainer={"Image": "123456789012.dkr.ecr.%s.amazonaws.com/m:1" % region},
        )
        # The compliant set.
        sm.create_notebook_instance(
            NotebookInstanceName="private-notebook",
            InstanceType="ml.t3.medium",
            RoleArn=ROLE,
            SubnetId=subnet,
            SecurityGroupIds=[sg],
            DirectInternetAccess="Disabled",
            RootAccess="Disabled",
            KmsKeyId="arn:aws:kms:%s:123456789012:key/nb" % region,
            InstanceMetadataServiceConfiguration={
                "MinimumInstanceMetadataServiceVersion": "2"
            },
        )
        sm.create_model(
            ModelName="isolated-model",
            ExecutionRoleArn=ROLE,
            PrimaryContainer={"Image": "123456789012.dkr.ecr.%s.amazonaws.com/m:1" % region},
            EnableNetworkIsolation=True,
            VpcConfig={"Subnets": [subnet], "SecurityGroupIds": [sg]},
        )


def bench(endpoint, n):
    for region in REGIONS:
        ec2, sm = clients(endpoint, region)
        vpc, subnet, sg = private_network(ec2)
        for i in range(n):
            sm.create_notebook_instance(
                NotebookInstanceName="nb-%03d" % i,
                InstanceType="ml.t3.medium",
                RoleArn=ROLE,
                SubnetId=subnet,
                SecurityGroupIds=[sg],
                DirectInternetAccess="Disabled" if i % 2 else "Enabled",
            )
            sm.create_model(
                ModelName="model-%03d" % i,
                ExecutionRoleArn=ROLE,
                PrimaryContainer={"Image": "123456789012.dkr.ecr.%s.amazonaws.com/m:1" % region},
                EnableNetworkIsolation=bool(i % 2),
            )


if __name__ == "__main__":
    endpoint, scenario = sys.argv[1], sys.argv[2]
    if scenario == "basic":
        basic(endpoint)
    elif scenario == "bench":
        bench(endpoint, int(sys.argv[3]))
    else:
        sys.exit("unknown scenario " + scenario)
