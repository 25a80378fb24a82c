"""The CloudFormation rendering of one bench/gen_corpus.py root.

The same scenario as the Terraform root drawn from the same choices (gen_corpus.draw): VPC,
public / firewall / private subnets per zone, internet gateway, NAT gateways, route tables
and routes, a private NACL, security groups, interface and S3 gateway endpoints, a flow log,
a Network Firewall with its policy, rule group and logging, a KMS key and the SageMaker
resources. Written the way CloudFormation authors write it: `Parameters` with defaults,
`!Ref`, `!GetAtt`, `!Sub`, `!Select [i, !GetAZs '']`, standalone `SecurityGroupIngress`,
`Route` and `NetworkAclEntry` resources, `${AWS::Region}` instead of a literal region.

Where CloudFormation cannot say what the Terraform says, the closest real-world idiom is
used: Terraform's `aws_default_security_group` (strips the default group's rules) has no
CloudFormation resource and is left out; Terraform removes a new group's default allow-all
egress, so the endpoints group gets the usual "no egress" rule to 127.0.0.1/32 instead.

YAML uses the short-form tags; JSON the long form (`{"Fn::GetAtt": [..]}`). Standard library
only: the tiny emitter below handles exactly what `template` builds.
"""

from __future__ import annotations

import json
import re

# Strings YAML reads back as the same string without quotes (no booleans, nulls, numbers).
PLAIN = re.compile(r"[A-Za-z][A-Za-z0-9._/-]*")
RESERVED = {"true", "false", "yes", "no", "on", "off", "null", "y", "n"}

ROLE = "arn:aws:iam::123456789012:role/sagemaker-execution"


class Fn:
    """An intrinsic function: `name` without the `Fn::` prefix (`Ref`, `GetAtt`, `Sub`, …)."""

    def __init__(self, name: str, arg):
        self.name = name
        self.arg = arg

    def long_form(self) -> dict:
        if self.name == "Ref":
            return {"Ref": self.arg}
        if self.name == "GetAtt":
            return {"Fn::GetAtt": self.arg.split(".", 1)}
        return {f"Fn::{self.name}": to_json(self.arg)}


def ref(x: str) -> Fn:
    return Fn("Ref", x)


def getatt(x: str) -> Fn:
    return Fn("GetAtt", x)


def sub(x: str) -> Fn:
    return Fn("Sub", x)


def az(i: int) -> Fn:
    return Fn("Select", [i, Fn("GetAZs", "")])


def to_json(v):
    if isinstance(v, Fn):
        return v.long_form()
    if isinstance(v, dict):
        return {k: to_json(x) for k, x in v.items()}
    if isinstance(v, list):
        return [to_json(x) for x in v]
    return v


def inline(v) -> str:
    """One value in YAML flow style; a string is double-quoted unless plainly a word."""
    if isinstance(v, Fn):
        return f"!{v.name} {inline(v.arg)}"
    if isinstance(v, list):
        return "[" + ", ".join(inline(x) for x in v) + "]"
    if isinstance(v, dict):
        return "{" + ", ".join(f"{k}: {inline(x)}" for k, x in v.items()) + "}"
    if isinstance(v, str) and PLAIN.fullmatch(v) and v.lower() not in RESERVED:
        return v
    return json.dumps(v)


def block(v, indent: int) -> list[str]:
    """A mapping or sequence in YAML block style; everything else inline."""
    pad = " " * indent
    lines = []
    if isinstance(v, dict):
        for k, x in v.items():
            if isinstance(x, (dict, list)) and x:
                lines.append(f"{pad}{k}:")
                lines.extend(block(x, indent + 2))
            else:
                lines.append(f"{pad}{k}: {inline(x)}")
    else:
        for x in v:
            if isinstance(x, (dict, list)) and x:
                inner = block(x, indent + 2)
                inner[0] = f"{pad}- {inner[0].lstrip()}"
                lines.extend(inner)
            else:
                lines.append(f"{pad}- {inline(x)}")
    return lines


def template(name: str, s: dict, fmt: str) -> str:
    """The template of root `name` for the choices `s`, as YAML (`cfn`) or JSON (`cfn-json`)."""
    bad = set(s["bad"])
    zones = "ABC"[: len(s["azs"])]
    r: dict = {}

    r["VPC"] = res("AWS::EC2::VPC", CidrBlock=ref("VpcCidr"), EnableDnsSupport=True,
                   EnableDnsHostnames=True, Tags=[{"Key": "Name", "Value": ref("Name")}])
    r["InternetGateway"] = res("AWS::EC2::InternetGateway")
    r["GatewayAttachment"] = res("AWS::EC2::VPCGatewayAttachment", VpcId=ref("VPC"),
                                 InternetGatewayId=ref("InternetGateway"))
    # Same subnet numbers as the Terraform root's cidrsubnet(var.vpc_cidr, 8, n).
    for i, z in enumerate(zones):
        r[f"PublicSubnet{z}"] = subnet(i, f"10.0.{i}.0/24")
        r[f"FirewallSubnet{z}"] = subnet(i, f"10.0.{16 + i}.0/24")
        r[f"PrivateSubnet{z}"] = subnet(i, f"10.0.{s['octet'] + i}.0/24",
                                        MapPublicIpOnLaunch="subnet_public_ip" in bad)
        r[f"NatEip{z}"] = res("AWS::EC2::EIP", Domain="vpc")
        r[f"NatGateway{z}"] = res("AWS::EC2::NatGateway",
                                  AllocationId=getatt(f"NatEip{z}.AllocationId"),
                                  SubnetId=ref(f"PublicSubnet{z}"))

    r["PublicRouteTable"] = res("AWS::EC2::RouteTable", VpcId=ref("VPC"))
    r["PublicDefaultRoute"] = res("AWS::EC2::Route", depends="GatewayAttachment",
                                  RouteTableId=ref("PublicRouteTable"),
                                  DestinationCidrBlock="0.0.0.0/0", GatewayId=ref("InternetGateway"))
    for i, z in enumerate(zones):
        r[f"PublicSubnet{z}RouteTableAssociation"] = assoc(f"PublicSubnet{z}", "PublicRouteTable")
        r[f"FirewallRouteTable{z}"] = res("AWS::EC2::RouteTable", VpcId=ref("VPC"))
        r[f"FirewallDefaultRoute{z}"] = res("AWS::EC2::Route",
                                            RouteTableId=ref(f"FirewallRouteTable{z}"),
                                            DestinationCidrBlock="0.0.0.0/0",
                                            NatGatewayId=ref(f"NatGateway{z}"))
        r[f"FirewallSubnet{z}RouteTableAssociation"] = assoc(f"FirewallSubnet{z}",
                                                             f"FirewallRouteTable{z}")
        # Private egress goes through the firewall endpoint of the same zone: EndpointIds
        # is a list of "az:vpce-id", in zone order.
        r[f"PrivateRouteTable{z}"] = res("AWS::EC2::RouteTable", VpcId=ref("VPC"))
        r[f"PrivateDefaultRoute{z}"] = res(
            "AWS::EC2::Route", RouteTableId=ref(f"PrivateRouteTable{z}"),
            DestinationCidrBlock="0.0.0.0/0",
            VpcEndpointId=Fn("Select", [1, Fn("Split", [":", Fn("Select", [
                i, getatt("Firewall.EndpointIds")])])]))
        r[f"PrivateSubnet{z}RouteTableAssociation"] = assoc(f"PrivateSubnet{z}",
                                                            f"PrivateRouteTable{z}")

    r["PrivateNetworkAcl"] = res("AWS::EC2::NetworkAcl", VpcId=ref("VPC"))
    r["PrivateNaclHttpsIn"] = nacl_entry(100, 6, ref("VpcCidr"), 443, 443, egress=False)
    r["PrivateNaclEphemeralIn"] = nacl_entry(110, 6, "0.0.0.0/0", 1024, 65535, egress=False)
    r["PrivateNaclAllOut"] = nacl_entry(100, -1, "0.0.0.0/0", None, None, egress=True)
    for z in zones:
        r[f"PrivateSubnet{z}NaclAssociation"] = res(
            "AWS::EC2::SubnetNetworkAclAssociation", SubnetId=ref(f"PrivateSubnet{z}"),
            NetworkAclId=ref("PrivateNetworkAcl"))
    if "no_flow_log" not in bad:
        r["FlowLog"] = res("AWS::EC2::FlowLog", ResourceId=ref("VPC"), ResourceType="VPC",
                           TrafficType="ALL", LogDestinationType="s3",
                           LogDestination=sub("arn:aws:s3:::flow-logs-central/${Name}"))

    ingress = []
    if "sg_world_ssh" in bad:
        ingress.append({"Description": "SSH for debugging", "IpProtocol": "tcp",
                        "FromPort": 22, "ToPort": 22, "CidrIp": "0.0.0.0/0"})
    r["WorkloadSecurityGroup"] = res(
        "AWS::EC2::SecurityGroup", GroupName=sub("${Name}-sagemaker"),
        GroupDescription="SageMaker workloads", VpcId=ref("VPC"),
        SecurityGroupIngress=ingress or None,
        SecurityGroupEgress=[{"Description": "HTTPS out, inspected by the firewall",
                              "IpProtocol": "tcp", "FromPort": 443, "ToPort": 443,
                              "CidrIp": "0.0.0.0/0"}])
    # A group naming itself must be a separate resource in CloudFormation.
    r["WorkloadSelfIngress"] = res(
        "AWS::EC2::SecurityGroupIngress", GroupId=ref("WorkloadSecurityGroup"),
        Description="Studio apps talk to each other", IpProtocol="-1",
        SourceSecurityGroupId=ref("WorkloadSecurityGroup"))
    r["EndpointSecurityGroup"] = res(
        "AWS::EC2::SecurityGroup", GroupName=sub("${Name}-endpoints"),
        GroupDescription="Interface endpoints", VpcId=ref("VPC"),
        SecurityGroupIngress=[{"Description": "HTTPS from the VPC", "IpProtocol": "tcp",
                               "FromPort": 443, "ToPort": 443, "CidrIp": ref("VpcCidr")}],
        SecurityGroupEgress=[{"Description": "No egress (replaces the default allow-all)",
                              "IpProtocol": "-1", "CidrIp": "127.0.0.1/32"}])

    private_subnets = [ref(f"PrivateSubnet{z}") for z in zones]
    for svc in s["services"]:
        logical = "".join(p.capitalize() for p in svc.replace(".", " ").split()) + "Endpoint"
        r[logical] = res("AWS::EC2::VPCEndpoint", VpcId=ref("VPC"),
                         ServiceName=sub(f"com.amazonaws.${{AWS::Region}}.{svc}"),
                         VpcEndpointType="Interface", PrivateDnsEnabled=True,
                         SubnetIds=private_subnets,
                         SecurityGroupIds=[ref("EndpointSecurityGroup")])
    r["S3Endpoint"] = res("AWS::EC2::VPCEndpoint", VpcId=ref("VPC"),
                          ServiceName=sub("com.amazonaws.${AWS::Region}.s3"),
                          VpcEndpointType="Gateway",
                          RouteTableIds=[ref(f"PrivateRouteTable{z}") for z in zones])

    r["AllowDomainsRuleGroup"] = res(
        "AWS::NetworkFirewall::RuleGroup", RuleGroupName=sub("${Name}-allow"), Type="STATEFUL",
        Capacity=100,
        RuleGroup={"RulesSource": {"RulesSourceList": {
            "GeneratedRulesType": "ALLOWLIST", "TargetTypes": ["TLS_SNI", "HTTP_HOST"],
            "Targets": s["domains"]}}})
    r["FirewallPolicy"] = res(
        "AWS::NetworkFirewall::FirewallPolicy", FirewallPolicyName=sub("${Name}-policy"),
        FirewallPolicy={
            "StatelessDefaultActions": ["aws:forward_to_sfe"],
            "StatelessFragmentDefaultActions": ["aws:forward_to_sfe"],
            "StatefulEngineOptions": {"RuleOrder": "STRICT_ORDER"},
            "StatefulDefaultActions": ["aws:drop_established"],
            "StatefulRuleGroupReferences": [
                {"Priority": 10, "ResourceArn": ref("AllowDomainsRuleGroup")}],
        })
    r["Firewall"] = res(
        "AWS::NetworkFirewall::Firewall", FirewallName=sub("${Name}-fw"), VpcId=ref("VPC"),
        FirewallPolicyArn=ref("FirewallPolicy"),
        DeleteProtection="firewall_no_delete_protection" not in bad,
        SubnetChangeProtection=True,
        SubnetMappings=[{"SubnetId": ref(f"FirewallSubnet{z}")} for z in zones])
    r["FirewallLogging"] = res(
        "AWS::NetworkFirewall::LoggingConfiguration", FirewallArn=ref("Firewall"),
        LoggingConfiguration={"LogDestinationConfigs": [{
            "LogDestinationType": "S3", "LogType": "ALERT",
            "LogDestination": {"bucketName": "firewall-logs-central", "prefix": ref("Name")}}]})

    r["KmsKey"] = res("AWS::KMS::Key", Description=sub("${Name} SageMaker"),
                      EnableKeyRotation=True)
    r["NotebookInstance"] = res(
        "AWS::SageMaker::NotebookInstance", NotebookInstanceName=sub("${Name}-nb"),
        RoleArn=ROLE, InstanceType=s["instance_type"], SubnetId=ref("PrivateSubnetA"),
        SecurityGroupIds=[ref("WorkloadSecurityGroup")],
        DirectInternetAccess="Enabled" if "notebook_direct_internet" in bad else "Disabled",
        RootAccess=None if "notebook_root_default" in bad else "Disabled",
        KmsKeyId=None if "notebook_no_kms" in bad else getatt("KmsKey.Arn"),
        InstanceMetadataServiceConfiguration={
            "MinimumInstanceMetadataServiceVersion": "1" if "notebook_imdsv1" in bad else "2"})
    r["Model"] = res(
        "AWS::SageMaker::Model", ModelName=sub("${Name}-model"), ExecutionRoleArn=ROLE,
        EnableNetworkIsolation=None if "model_no_isolation" in bad else True,
        PrimaryContainer={
            "Image": sub("123456789012.dkr.ecr.${AWS::Region}.amazonaws.com/inference:latest"),
            "ModelDataUrl": sub("s3://models-${Name}/model.tar.gz")},
        VpcConfig=None if "model_no_vpc" in bad else {
            "Subnets": private_subnets, "SecurityGroupIds": [ref("WorkloadSecurityGroup")]})
    r["EndpointConfig"] = res(
        "AWS::SageMaker::EndpointConfig", EndpointConfigName=sub("${Name}-ec"),
        KmsKeyId=None if "endpoint_no_kms" in bad else getatt("KmsKey.Arn"),
        ProductionVariants=[{"VariantName": "primary", "ModelName": getatt("Model.ModelName"),
                             "InstanceType": "ml.m5.large",
                             "InitialInstanceCount": s["count"],
                             "InitialVariantWeight": 1.0}])
    r["Endpoint"] = res("AWS::SageMaker::Endpoint", EndpointName=sub("${Name}-endpoint"),
                        EndpointConfigName=getatt("EndpointConfig.EndpointConfigName"))
    r["StudioDomain"] = res(
        "AWS::SageMaker::Domain", DomainName=sub("${Name}-studio"), AuthMode="IAM",
        VpcId=ref("VPC"), SubnetIds=private_subnets,
        AppNetworkAccessType=None if "domain_public" in bad else "VpcOnly",
        KmsKeyId=None if "domain_no_kms" in bad else getatt("KmsKey.Arn"),
        DefaultUserSettings={"ExecutionRole": ROLE,
                             "SecurityGroups": [ref("WorkloadSecurityGroup")]})

    doc = {
        "AWSTemplateFormatVersion": "2010-09-09",
        "Description": f"SageMaker in a VPC with NAT and Network Firewall ({name})",
        "Parameters": {
            "Name": {"Type": "String", "Default": name},
            "VpcCidr": {"Type": "String", "Default": "10.0.0.0/16"},
        },
        "Resources": r,
        "Outputs": {
            "VpcId": {"Value": ref("VPC")},
            "StudioDomainId": {"Value": getatt("StudioDomain.DomainId")},
        },
    }
    if fmt == "cfn-json":
        return json.dumps(to_json(doc), indent=2) + "\n"
    return "\n".join(block(doc, 0)) + "\n"


def res(rtype: str, depends: str | None = None, **props) -> dict:
    """A resource; properties given as None are left out (absent, as in the Terraform)."""
    out: dict = {"Type": rtype}
    if depends:
        out["DependsOn"] = depends
    props = {k: v for k, v in props.items() if v is not None}
    if props:
        out["Properties"] = props
    return out


def subnet(i: int, cidr: str, **extra) -> dict:
    return res("AWS::EC2::Subnet", VpcId=ref("VPC"), CidrBlock=cidr, AvailabilityZone=az(i),
               **extra)


def assoc(subnet_id: str, table: str) -> dict:
    return res("AWS::EC2::SubnetRouteTableAssociation", SubnetId=ref(subnet_id),
               RouteTableId=ref(table))


def nacl_entry(number: int, protocol: int, cidr, start, end, egress: bool) -> dict:
    return res("AWS::EC2::NetworkAclEntry", NetworkAclId=ref("PrivateNetworkAcl"),
               RuleNumber=number, Protocol=protocol, RuleAction="allow", Egress=egress,
               CidrBlock=cidr,
               PortRange=None if start is None else {"From": start, "To": end})
