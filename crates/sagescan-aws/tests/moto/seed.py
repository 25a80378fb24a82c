"""Seeds a moto server with the live-collection test scenarios (boto3's mutating calls live
here, in test code only: the collector itself can only read).

usage: seed.py ENDPOINT basic            -- the two-region scenario of tests/moto.rs
       seed.py ENDPOINT parity           -- tests/parity/main.tf, built live (tests/parity.rs);
                                            prints the VPC's id
       seed.py ENDPOINT org ROLE         -- an organization with two member accounts, each
                                            with a notebook; prints the members' ids
       seed.py ENDPOINT bench N          -- N notebooks and N models in each of two regions
"""

import json
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


PARITY_REGION = "us-east-1"


def parity(endpoint):
    """The scenario of tests/parity/main.tf, built resource by resource in one region of
    an account without a default VPC (Terraform cannot describe that one short of adopting
    every default subnet, so the parity account has none)."""
    ec2, sm = clients(endpoint, PARITY_REGION)
    delete_default_vpc(ec2)

    def name(resource, value):
        ec2.create_tags(Resources=[resource], Tags=[{"Key": "Name", "Value": value}])
        return resource

    vpc = name(ec2.create_vpc(CidrBlock="10.20.0.0/16")["Vpc"]["VpcId"], "parity")
    ec2.modify_vpc_attribute(VpcId=vpc, EnableDnsHostnames={"Value": True})
    dhcp = ec2.create_dhcp_options(
        DhcpConfigurations=[
            {"Key": "domain-name", "Values": ["parity.internal"]},
            {"Key": "domain-name-servers", "Values": ["AmazonProvidedDNS"]},
        ]
    )["DhcpOptions"]["DhcpOptionsId"]
    ec2.associate_dhcp_options(DhcpOptionsId=name(dhcp, "parity"), VpcId=vpc)
    subnet = {}
    for key, cidr, az in [
        ("public-a", "10.20.0.0/24", "us-east-1a"),
        ("private-a", "10.20.1.0/24", "us-east-1a"),
        ("private-b", "10.20.2.0/24", "us-east-1b"),
    ]:
        s = ec2.create_subnet(VpcId=vpc, CidrBlock=cidr, AvailabilityZone=az)
        subnet[key] = name(s["Subnet"]["SubnetId"], key)
    # Moto makes the first subnet of an AZ without a default subnet that AZ's default
    # subnet, public IPs on; AWS never does so for a subnet of another VPC. Say it for each.
    for key, public in [("public-a", True), ("private-a", False), ("private-b", False)]:
        ec2.modify_subnet_attribute(SubnetId=subnet[key], MapPublicIpOnLaunch={"Value": public})

    igw = name(ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"], "igw")
    ec2.attach_internet_gateway(InternetGatewayId=igw, VpcId=vpc)
    eip = ec2.allocate_address(Domain="vpc")["AllocationId"]
    nat = ec2.create_nat_gateway(SubnetId=subnet["public-a"], AllocationId=eip)
    nat = name(nat["NatGateway"]["NatGatewayId"], "nat")

    public_rt = name(ec2.create_route_table(VpcId=vpc)["RouteTable"]["RouteTableId"], "public")
    ec2.create_route(RouteTableId=public_rt, DestinationCidrBlock="0.0.0.0/0", GatewayId=igw)
    ec2.associate_route_table(RouteTableId=public_rt, SubnetId=subnet["public-a"])
    private_rt = name(ec2.create_route_table(VpcId=vpc)["RouteTable"]["RouteTableId"], "private")
    ec2.create_route(RouteTableId=private_rt, DestinationCidrBlock="0.0.0.0/0", NatGatewayId=nat)
    for key in ["private-a", "private-b"]:
        ec2.associate_route_table(RouteTableId=private_rt, SubnetId=subnet[key])

    # The VPC's default network ACL and security group, as AWS created them, named.
    acls = ec2.describe_network_acls(
        Filters=[{"Name": "vpc-id", "Values": [vpc]}, {"Name": "default", "Values": ["true"]}]
    )["NetworkAcls"]
    name(acls[0]["NetworkAclId"], "default")
    groups = ec2.describe_security_groups(
        Filters=[{"Name": "vpc-id", "Values": [vpc]}, {"Name": "group-name", "Values": ["default"]}]
    )["SecurityGroups"]
    name(groups[0]["GroupId"], "default")

    # The private subnets' own ACL: the VPC in, ephemeral return traffic from anywhere in,
    # everything out, and (a finding) SSH from the world.
    acl = name(ec2.create_network_acl(VpcId=vpc)["NetworkAcl"]["NetworkAclId"], "private")
    for number, egress, protocol, cidr, ports in [
        (100, False, "-1", "10.20.0.0/16", None),
        (110, False, "6", "0.0.0.0/0", (1024, 65535)),
        (120, False, "6", "0.0.0.0/0", (22, 22)),
        (100, True, "-1", "0.0.0.0/0", None),
    ]:
        entry = dict(
            NetworkAclId=acl,
            RuleNumber=number,
            Protocol=protocol,
            RuleAction="allow",
            Egress=egress,
            CidrBlock=cidr,
        )
        if ports:
            entry["PortRange"] = {"From": ports[0], "To": ports[1]}
        ec2.create_network_acl_entry(**entry)
    for key in ["private-a", "private-b"]:
        current = ec2.describe_network_acls(
            Filters=[{"Name": "association.subnet-id", "Values": [subnet[key]]}]
        )["NetworkAcls"][0]
        association = next(
            a["NetworkAclAssociationId"]
            for a in current["Associations"]
            if a["SubnetId"] == subnet[key]
        )
        ec2.replace_network_acl_association(AssociationId=association, NetworkAclId=acl)

    def group(group_name, description, ingress, egress):
        sg = ec2.create_security_group(
            GroupName=group_name, Description=description, VpcId=vpc
        )["GroupId"]
        name(sg, group_name)
        ec2.revoke_security_group_egress(
            GroupId=sg,
            IpPermissions=[{"IpProtocol": "-1", "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}],
        )
        if ingress:
            ec2.authorize_security_group_ingress(GroupId=sg, IpPermissions=ingress)
        if egress:
            ec2.authorize_security_group_egress(GroupId=sg, IpPermissions=egress)
        return sg

    def https(cidr, description):
        return [
            {
                "IpProtocol": "tcp",
                "FromPort": 443,
                "ToPort": 443,
                "IpRanges": [{"CidrIp": cidr, "Description": description}],
            }
        ]

    workload = group(
        "workload", "SageMaker workloads", None, https("10.20.0.0/16", "HTTPS to the endpoints")
    )
    endpoints = group(
        "endpoints", "Interface endpoints", https("10.20.0.0/16", "HTTPS from the VPC"), None
    )
    # A finding: SSH from the world, without a description.
    edge = group(
        "edge",
        "Edge notebook",
        [
            {
                "IpProtocol": "tcp",
                "FromPort": 22,
                "ToPort": 22,
                "IpRanges": [{"CidrIp": "0.0.0.0/0"}],
            }
        ],
        [{"IpProtocol": "-1", "IpRanges": [{"CidrIp": "0.0.0.0/0", "Description": "all"}]}],
    )

    for service in ["sagemaker.api", "sagemaker.runtime"]:
        e = ec2.create_vpc_endpoint(
            VpcId=vpc,
            ServiceName="com.amazonaws.%s.%s" % (PARITY_REGION, service),
            VpcEndpointType="Interface",
            SubnetIds=[subnet["private-a"], subnet["private-b"]],
            SecurityGroupIds=[endpoints],
            PrivateDnsEnabled=True,
        )
        name(e["VpcEndpoint"]["VpcEndpointId"], service)
    s3 = ec2.create_vpc_endpoint(
        VpcId=vpc,
        ServiceName="com.amazonaws.%s.s3" % PARITY_REGION,
        VpcEndpointType="Gateway",
        RouteTableIds=[private_rt],
    )
    name(s3["VpcEndpoint"]["VpcEndpointId"], "s3")

    ec2.create_flow_logs(
        ResourceIds=[vpc],
        ResourceType="VPC",
        TrafficType="ALL",
        LogDestinationType="cloud-watch-logs",
        LogGroupName="/vpc/parity/flow",
        DeliverLogsPermissionArn="arn:aws:iam::123456789012:role/flow-logs",
    )

    # Violations: a notebook with direct internet access and a model outside any VPC.
    sm.create_notebook_instance(
        NotebookInstanceName="open-notebook",
        InstanceType="ml.t3.medium",
        RoleArn=ROLE,
    )
    sm.create_model(
        ModelName="open-model",
        ExecutionRoleArn=ROLE,
        PrimaryContainer={"Image": "123456789012.dkr.ecr.us-east-1.amazonaws.com/m:1"},
    )
    # A development notebook in the public subnet, reachable through its SSH group, next
    # to production workloads in the same VPC (OPS104).
    sm.create_notebook_instance(
        NotebookInstanceName="edge-notebook",
        InstanceType="ml.t3.medium",
        RoleArn=ROLE,
        SubnetId=subnet["public-a"],
        SecurityGroupIds=[edge],
        DirectInternetAccess="Disabled",
        RootAccess="Disabled",
        KmsKeyId="arn:aws:kms:us-east-1:123456789012:key/nb",
        Tags=[{"Key": "Environment", "Value": "dev"}],
    )
    # The compliant set, as far as moto stores it (see tests/parity.rs).
    sm.create_notebook_instance(
        NotebookInstanceName="private-notebook",
        InstanceType="ml.t3.medium",
        RoleArn=ROLE,
        SubnetId=subnet["private-a"],
        SecurityGroupIds=[workload],
        DirectInternetAccess="Disabled",
        RootAccess="Disabled",
        KmsKeyId="arn:aws:kms:us-east-1:123456789012:key/nb",
        Tags=[{"Key": "Environment", "Value": "prod"}],
    )
    sm.create_model(
        ModelName="private-model",
        ExecutionRoleArn=ROLE,
        PrimaryContainer={"Image": "123456789012.dkr.ecr.us-east-1.amazonaws.com/m:1"},
        VpcConfig={
            "Subnets": [subnet["private-a"], subnet["private-b"]],
            "SecurityGroupIds": [workload],
        },
        Tags=[{"Key": "Environment", "Value": "prod"}],
    )
    sm.create_endpoint_config(
        EndpointConfigName="serving",
        ProductionVariants=[
            {
                "VariantName": "main",
                "ModelName": "private-model",
                "InitialInstanceCount": 1,
                "InstanceType": "ml.m5.large",
            }
        ],
    )
    sm.create_endpoint(EndpointName="serving", EndpointConfigName="serving")
    # Model monitoring: one definition with the default network settings (findings), one
    # isolated, encrypted and in the VPC.
    for definition, network in [
        ("drift-open", None),
        (
            "drift-private",
            {
                "EnableInterContainerTrafficEncryption": True,
                "EnableNetworkIsolation": True,
                "VpcConfig": {
                    "Subnets": [subnet["private-a"], subnet["private-b"]],
                    "SecurityGroupIds": [workload],
                },
            },
        ),
    ]:
        args = dict(
            JobDefinitionName=definition,
            DataQualityAppSpecification={
                "ImageUri": "156813124566.dkr.ecr.us-east-1.amazonaws.com/sagemaker-model-monitor-analyzer"
            },
            DataQualityJobInput={
                "EndpointInput": {"EndpointName": "serving", "LocalPath": "/opt/ml/processing/input"}
            },
            DataQualityJobOutputConfig={
                "MonitoringOutputs": [
                    {"S3Output": {"S3Uri": "s3://monitoring/out", "LocalPath": "/opt/ml/processing/output"}}
                ]
            },
            JobResources={
                "ClusterConfig": {
                    "InstanceCount": 1,
                    "InstanceType": "ml.m5.large",
                    "VolumeSizeInGB": 20,
                }
            },
            RoleArn=ROLE,
        )
        if network:
            args["NetworkConfig"] = network
        sm.create_data_quality_job_definition(**args)
    sm.create_domain(
        DomainName="studio",
        AuthMode="IAM",
        DefaultUserSettings={"ExecutionRole": ROLE, "SecurityGroups": [workload]},
        SubnetIds=[subnet["private-a"], subnet["private-b"]],
        VpcId=vpc,
        AppNetworkAccessType="VpcOnly",
        KmsKeyId="arn:aws:kms:us-east-1:123456789012:key/studio",
        # Moto (5.2) fails ListTags on a domain created without tags.
        Tags=[{"Key": "Environment", "Value": "prod"}],
    )
    # The test answers DNS Firewall calls itself (moto has no such API), naming this VPC.
    print(json.dumps({"vpc": vpc}))


def delete_default_vpc(ec2):
    for vpc in ec2.describe_vpcs(Filters=[{"Name": "is-default", "Values": ["true"]}])["Vpcs"]:
        v = vpc["VpcId"]
        for s in ec2.describe_subnets(Filters=[{"Name": "vpc-id", "Values": [v]}])["Subnets"]:
            ec2.delete_subnet(SubnetId=s["SubnetId"])
        igws = ec2.describe_internet_gateways(
            Filters=[{"Name": "attachment.vpc-id", "Values": [v]}]
        )["InternetGateways"]
        for g in igws:
            ec2.detach_internet_gateway(InternetGatewayId=g["InternetGatewayId"], VpcId=v)
            ec2.delete_internet_gateway(InternetGatewayId=g["InternetGatewayId"])
        ec2.delete_vpc(VpcId=v)
        # AWS deletes the default network ACL with its VPC; moto (5.2) keeps it, and with
        # it the deleted subnets' associations, which block DeleteNetworkAcl. Its
        # ReplaceNetworkAclAssociation drops the old association before it looks up the
        # target, so pointing each at a missing ACL is how they are cleared.
        for acl in ec2.describe_network_acls(Filters=[{"Name": "vpc-id", "Values": [v]}])[
            "NetworkAcls"
        ]:
            for a in acl["Associations"]:
                try:
                    ec2.replace_network_acl_association(
                        AssociationId=a["NetworkAclAssociationId"],
                        NetworkAclId="acl-00000000000000000",
                    )
                except ec2.exceptions.ClientError:
                    pass
            ec2.delete_network_acl(NetworkAclId=acl["NetworkAclId"])


def org(endpoint, role):
    """An organization whose two member accounts ("ml" and "blocked") each hold a notebook
    with direct internet access, created through ROLE as the collector will reach them.
    Prints the members' account ids (moto makes them up) as a JSON list."""
    kw = dict(
        endpoint_url=endpoint,
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    organizations = boto3.client("organizations", **kw)
    organizations.create_organization(FeatureSet="ALL")
    sts = boto3.client("sts", **kw)
    ids = []
    for name in ["ml", "blocked"]:
        status = organizations.create_account(
            AccountName=name, Email="%s@example.com" % name
        )["CreateAccountStatus"]
        account = status["AccountId"]
        ids.append(account)
        creds = sts.assume_role(
            RoleArn="arn:aws:iam::%s:role/%s" % (account, role), RoleSessionName="seed"
        )["Credentials"]
        sm = boto3.client(
            "sagemaker",
            endpoint_url=endpoint,
            region_name="us-east-1",
            aws_access_key_id=creds["AccessKeyId"],
            aws_secret_access_key=creds["SecretAccessKey"],
            aws_session_token=creds["SessionToken"],
        )
        sm.create_notebook_instance(
            NotebookInstanceName="%s-notebook" % name,
            InstanceType="ml.t3.medium",
            RoleArn="arn:aws:iam::%s:role/sagemaker" % account,
        )
    print(json.dumps(ids))


if __name__ == "__main__":
    endpoint, scenario = sys.argv[1], sys.argv[2]
    if scenario == "basic":
        basic(endpoint)
    elif scenario == "parity":
        parity(endpoint)
    elif scenario == "org":
        org(endpoint, sys.argv[3])
    elif scenario == "bench":
        bench(endpoint, int(sys.argv[3]))
    else:
        sys.exit("unknown scenario " + scenario)
