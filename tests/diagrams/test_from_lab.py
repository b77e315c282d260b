"""Diagrams drawn from a running Lab through boto3 calls, as a notebook would draw them."""

import json

import pytest
from botocore.exceptions import ClientError
from diagram_samples import commit_rule, failure_rule, two_region_pipeline

from codepipeline_lab import Lab
from codepipeline_lab.diagrams import event_flow, regions_view

TRUST = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "codepipeline.amazonaws.com"},
                                                 "Action": "sts:AssumeRole"}]}


@pytest.fixture
def lab():
    with Lab(seed=0) as lab:
        lab.client("iam").create_role(RoleName="CodePipelineRole", AssumeRolePolicyDocument=json.dumps(TRUST))
        lab.client("s3").create_bucket(Bucket="artifacts-us-east-1")
        lab.client("s3", region_name="eu-west-1").create_bucket(
            Bucket="artifacts-eu-west-1", CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
        yield lab


def test_regions_of_a_pipeline_created_in_the_lab(lab):
    lab.client("codepipeline").create_pipeline(pipeline=two_region_pipeline())
    diagram = regions_view("GlobalApp", lab=lab)
    assert repr(diagram) == "<regions diagram of pipeline 'GlobalApp' (2 regions, home us-east-1)>"
    assert 'label="copies BuildEuWest1"' in diagram.source


def test_unknown_pipeline_gives_the_service_error_naming_it(lab):
    with pytest.raises(ClientError, match="PipelineNotFoundException.*NoSuchPipeline"):
        regions_view("NoSuchPipeline", lab=lab)


def test_event_rules_of_the_lab_account(lab):
    events, sns = lab.client("events"), lab.client("sns")
    topic = sns.create_topic(Name="pipeline-alerts")["TopicArn"]
    sns.subscribe(TopicArn=topic, Protocol="email", Endpoint="team@example.com")
    for rule in (commit_rule(), failure_rule()):
        events.put_rule(Name=rule["Name"], EventPattern=rule["EventPattern"], State="ENABLED")
    events.put_targets(Rule="webapp-on-push", Targets=[{
        "Id": "pipeline", "Arn": "arn:aws:codepipeline:us-east-1:123456789012:WebApp",
        "RoleArn": "arn:aws:iam::123456789012:role/events-start-pipeline"}])
    events.put_targets(Rule="webapp-failed", Targets=[{"Id": "alerts", "Arn": topic}])

    everything = event_flow(lab=lab)
    assert repr(everything) == "<event flow diagram of 2 rules (bus default)>"
    assert "endpoint/email/team@example.com" in everything.source
    one = event_flow(lab=lab, rule_name="webapp-on-push")
    assert "webapp-failed" not in one.source and "detail.referenceName: main" in one.source
