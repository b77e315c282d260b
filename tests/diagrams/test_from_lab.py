"""Diagrams drawn from a running Lab through boto3 calls, as a notebook would draw them."""

import pytest
from botocore.exceptions import ClientError
from diagram_samples import commit_rule, failure_rule, two_region_pipeline

from codepipeline_lab import Lab
from codepipeline_lab.diagrams import event_flow, regions_view
from codepipeline_lab.setup_helpers import create_service_role


@pytest.fixture
def lab():
    with Lab(seed=0) as lab:
        create_service_role(lab, "CodePipelineRole")
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


def approval_pipeline():
    return {
        "name": "Gate", "roleArn": "arn:aws:iam::123456789012:role/CodePipelineRole",
        "artifactStore": {"type": "S3", "location": "artifacts-us-east-1"},
        "stages": [
            {"name": "Source", "actions": [{
                "name": "Source", "actionTypeId": {"category": "Source", "owner": "AWS", "provider": "S3", "version": "1"},
                "configuration": {"S3Bucket": "source-bucket", "S3ObjectKey": "app.zip", "PollForSourceChanges": "false"},
                "outputArtifacts": [{"name": "SourceOutput"}]}]},
            {"name": "Approval", "actions": [{
                "name": "Approve", "actionTypeId": {"category": "Approval", "owner": "AWS", "provider": "Manual", "version": "1"}}]},
        ],
    }


def test_a_run_in_the_lab_drawn_live_and_finally_waiting_for_approval(lab):
    from codepipeline_lab.diagrams import execution_view, pipeline_structure, watch

    s3 = lab.client("s3")
    s3.create_bucket(Bucket="source-bucket")
    s3.put_bucket_versioning(Bucket="source-bucket", VersioningConfiguration={"Status": "Enabled"})
    s3.put_object(Bucket="source-bucket", Key="app.zip", Body=b"PK\x05\x06" + b"\x00" * 18)  # an empty zip
    lab.client("codepipeline").create_pipeline(pipeline=approval_pipeline())

    frames = list(watch(lab, "Gate").frames())
    assert len(frames) >= 2 and len({f.source for f in frames}) == len(frames)
    last = frames[-1]
    assert ">Waiting for approval</FONT>" in [line for line in last.source.splitlines() if '"Approval.Approve" [' in line][0]
    assert ">Succeeded</FONT>" in [line for line in last.source.splitlines() if '"Source.Source" [' in line][0]
    assert last.source == execution_view("Gate", lab=lab).source
    assert repr(pipeline_structure("Gate", lab=lab)) == "<pipeline structure diagram of pipeline 'Gate' (2 stages, 2 actions)>"


def test_unknown_execution_in_the_lab_gives_the_service_error(lab):
    from codepipeline_lab.diagrams import execution_view

    lab.client("s3").create_bucket(Bucket="source-bucket")
    lab.client("codepipeline").create_pipeline(pipeline=approval_pipeline())
    with pytest.raises(ClientError, match="PipelineExecutionNotFoundException"):
        execution_view("Gate", execution_id="00000000-0000-0000-0000-000000000000", lab=lab)
