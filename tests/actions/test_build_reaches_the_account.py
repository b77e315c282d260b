"""A build's shell reaches the simulated account: the AWS CLI and boto3 in a buildspec call the
Lab's endpoint as the project's role, and nothing leaves the machine."""

import json
import socket
import urllib.request

import pytest
from actions_kit import build_action, build_of, commit, details, log_text, pipeline, project

BUILDSPEC = """version: 0.2
phases:
  build:
    commands:
      - echo built > site.txt
      - aws s3 cp site.txt s3://shared-drop/site.txt
      - aws sts get-caller-identity --query Arn --output text
      - python check_bucket.py
"""

CHECK_BUCKET = """import boto3
body = boto3.client("s3").get_object(Bucket="shared-drop", Key="site.txt")["Body"].read()
print("boto3 read:", body.decode().strip())
"""


@pytest.fixture
def built(lab, role):
    project(lab)
    lab.client("s3").create_bucket(Bucket="shared-drop")
    commit(lab, {"buildspec.yml": BUILDSPEC, "check_bucket.py": CHECK_BUCKET})
    lab.client("codepipeline").create_pipeline(pipeline=pipeline(role, {"name": "Build", "actions": [build_action()]}))
    lab.run()
    detail = details(lab)["Build"]
    return detail, log_text(lab, build_of(lab, detail))


def test_aws_cli_and_boto3_in_a_buildspec_reach_the_lab(lab, built):
    detail, log = built
    assert detail["status"] == "Succeeded", log
    assert lab.client("s3").get_object(Bucket="shared-drop", Key="site.txt")["Body"].read() == b"built\n"
    assert "boto3 read: built" in log


def test_the_build_calls_as_the_projects_role(lab, built):
    _, log = built
    assert "arn:aws:sts::123456789012:assumed-role/CodeBuildRole/AWSCodeBuild-" in log
    events = lab.client("cloudtrail").lookup_events(
        LookupAttributes=[{"AttributeKey": "EventName", "AttributeValue": "GetCallerIdentity"}])["Events"]
    identities = [json.loads(e["CloudTrailEvent"])["userIdentity"] for e in events]
    assert any(i.get("sessionContext", {}).get("sessionIssuer", {}).get("userName") == "CodeBuildRole" for i in identities)


def test_a_role_without_the_permission_is_denied_inside_the_build(lab, role):
    project(lab)
    lab.client("iam").put_role_policy(RoleName="CodeBuildRole", PolicyName="NoDrop", PolicyDocument=json.dumps(
        {"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Action": "s3:PutObject", "Resource": "arn:aws:s3:::shared-drop/*"}]}))
    lab.client("s3").create_bucket(Bucket="shared-drop")
    commit(lab, {"buildspec.yml": BUILDSPEC, "check_bucket.py": CHECK_BUCKET})
    lab.client("codepipeline").create_pipeline(pipeline=pipeline(role, {"name": "Build", "actions": [build_action()]}))
    lab.run()
    detail = details(lab)["Build"]
    log = log_text(lab, build_of(lab, detail))
    assert detail["status"] == "Failed"
    assert "AccessDenied" in log and "s3:PutObject" in log


def test_the_endpoint_answers_other_processes_and_closes_with_the_lab():
    from codepipeline_lab import Lab
    with Lab(seed=0) as lab:
        host, port = lab.endpoint_url.removeprefix("http://").split(":")
        with socket.create_connection((host, int(port)), timeout=2):
            pass
    with pytest.raises(OSError):
        socket.create_connection((host, int(port)), timeout=2)


NO_NETWORK = """import socket, boto3
seen = []
real_connect = socket.socket.connect
def connect(self, address):
    seen.append(address[0] if isinstance(address, tuple) else address)
    return real_connect(self, address)
socket.socket.connect = connect
for service, operation in (("s3", "list_buckets"), ("sts", "get_caller_identity"),
                           ("codepipeline", "list_pipelines"), ("iam", "list_roles")):
    try:
        getattr(boto3.client(service), operation)()
    except Exception as denied:      # the role may not be allowed: where the call went is what counts
        print(service, type(denied).__name__)
print("addresses:", sorted(set(seen)))
"""


def test_build_shells_reach_nothing_but_loopback(lab, role):
    project(lab)
    commit(lab, {"buildspec.yml": "version: 0.2\nphases:\n  build:\n    commands:\n      - python no_network.py\n",
                 "no_network.py": NO_NETWORK})
    lab.client("codepipeline").create_pipeline(pipeline=pipeline(role, {"name": "Build", "actions": [build_action()]}))
    lab.run()
    log = log_text(lab, build_of(lab, details(lab)["Build"]))
    assert "addresses: ['127.0.0.1']" in log, log


def test_curl_in_a_build_reaches_a_load_balancer_of_the_lab(lab, role):
    ec2, elbv2 = lab.client("ec2"), lab.client("elbv2")
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    subnets = [ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.0.{i}.0/24", AvailabilityZone=f"us-east-1{z}")["Subnet"]["SubnetId"]
               for i, z in ((1, "a"), (2, "b"))]
    balancer = elbv2.create_load_balancer(Name="test-alb", Subnets=subnets)["LoadBalancers"][0]
    elbv2.create_listener(LoadBalancerArn=balancer["LoadBalancerArn"], Protocol="HTTP", Port=80, DefaultActions=[
        {"Type": "fixed-response", "FixedResponseConfig": {"StatusCode": "200", "ContentType": "text/plain", "MessageBody": "healthy"}}])
    project(lab)
    commit(lab, {"buildspec.yml": "version: 0.2\nphases:\n  build:\n    commands:\n"
                                  f"      - curl -s -f http://{balancer['DNSName']}/health\n"
                                  "      - curl -s -o /dev/null -w 'elsewhere %{http_code}' http://example.com/\n"})
    lab.client("codepipeline").create_pipeline(pipeline=pipeline(role, {"name": "Build", "actions": [build_action()]}))
    lab.run()
    detail = details(lab)["Build"]
    log = log_text(lab, build_of(lab, detail))
    assert detail["status"] == "Succeeded", log
    assert "healthy" in log and "elsewhere 502" in log
