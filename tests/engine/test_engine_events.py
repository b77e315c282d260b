"""EventBridge: state-change events reach an SQS rule target, a commit starts a pipeline
through a rule, and the same seed gives the same ids and times (issue 3, points 8–9)."""

import json

from codepipeline_lab import Lab
from codepipeline_lab.setup_helpers import create_bucket, create_service_role, push
from scenario import approval_pipeline, approve, executions


def queue_rule(lab, pattern, name="watch"):
    sqs, events = lab.client("sqs"), lab.client("events")
    url = sqs.create_queue(QueueName=name)["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    events.put_rule(Name=name, EventPattern=json.dumps(pattern))
    events.put_targets(Rule=name, Targets=[{"Id": "queue", "Arn": arn}])
    return url


def drain(lab, url):
    bodies = []
    while True:
        messages = lab.client("sqs").receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", [])
        if not messages:
            return bodies
        bodies += [json.loads(m["Body"]) for m in messages]
        for m in messages:
            lab.client("sqs").delete_message(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"])


def test_pipeline_events_reach_an_sqs_target(lab, account):
    url = queue_rule(lab, {"source": ["aws.codepipeline"], "detail-type": ["CodePipeline Pipeline Execution State Change"]})
    lab.client("codepipeline").create_pipeline(pipeline=approval_pipeline(account))
    lab.run()
    approve(lab)
    events = drain(lab, url)
    assert [e["detail"]["state"] for e in events] == ["STARTED", "SUCCEEDED"]
    started = events[0]
    assert started["source"] == "aws.codepipeline" and started["account"] == "123456789012" and started["region"] == "us-east-1"
    assert started["resources"] == ["arn:aws:codepipeline:us-east-1:123456789012:demo"]
    assert started["detail"]["pipeline"] == "demo" and started["detail"]["execution-id"] == executions(lab)[0][0]
    assert started["detail"]["execution-trigger"]["trigger-type"] == "CreatePipeline"
    assert started["time"] == "2025-01-06T09:00:00Z" and started["version"] == "0"


def test_failed_action_events_carry_the_error(lab, account):
    url = queue_rule(lab, {"source": ["aws.codepipeline"], "detail-type": ["CodePipeline Action Execution State Change"],
                           "detail": {"state": ["FAILED"], "type": {"category": ["Approval"]}}})
    lab.client("codepipeline").create_pipeline(pipeline=approval_pipeline(account))
    lab.run()
    approve(lab, "Rejected", summary="no")
    [event] = drain(lab, url)
    detail = event["detail"]
    assert (detail["stage"], detail["action"], detail["state"], detail["region"]) == ("Approve", "Approval", "FAILED", "us-east-1")
    assert detail["type"] == {"owner": "AWS", "category": "Approval", "provider": "Manual", "version": "1"}
    assert detail["execution-result"]["error-code"] == "JobFailed"


def test_source_action_events_list_their_artifacts(lab, account):
    url = queue_rule(lab, {"source": ["aws.codepipeline"], "detail": {"action": ["Source"], "state": ["SUCCEEDED"]}})
    lab.client("codepipeline").create_pipeline(pipeline=approval_pipeline(account))
    lab.run()
    [event] = drain(lab, url)
    [artifact] = event["detail"]["output-artifacts"]
    assert artifact["name"] == "SourceOutput" and artifact["s3location"]["bucket"] == "demo-artifacts"


def test_a_commit_starts_the_pipeline_through_a_rule(lab, account):
    cp, events = lab.client("codepipeline"), lab.client("events")
    cp.create_pipeline(pipeline=approval_pipeline(account))
    lab.run()
    approve(lab)
    events_role = create_service_role(lab, "EventsStartPipeline", service="events.amazonaws.com")
    events.put_rule(Name="on-push", EventPattern=json.dumps({
        "source": ["aws.codecommit"], "detail-type": ["CodeCommit Repository State Change"],
        "resources": ["arn:aws:codecommit:us-east-1:123456789012:app"],
        "detail": {"event": ["referenceCreated", "referenceUpdated"], "referenceType": ["branch"], "referenceName": ["main"]}}))
    events.put_targets(Rule="on-push", Targets=[{"Id": "pipeline", "Arn": "arn:aws:codepipeline:us-east-1:123456789012:demo", "RoleArn": events_role}])
    commit = push(lab, "app", {"app.py": "print('v2')\n"}, "Second version")
    [newest, _] = executions(lab)
    detail = cp.get_pipeline_execution(pipelineName="demo", pipelineExecutionId=newest[0])["pipelineExecution"]
    assert detail["trigger"] == {"triggerType": "CloudWatchEvent", "triggerDetail": "arn:aws:events:us-east-1:123456789012:rule/on-push"}
    lab.run()
    assert detail and cp.get_pipeline_execution(pipelineName="demo", pipelineExecutionId=newest[0])["pipelineExecution"]["artifactRevisions"][0]["revisionId"] == commit


def test_a_push_to_another_branch_does_not_match(lab, account):
    cp, events = lab.client("codepipeline"), lab.client("events")
    cp.create_pipeline(pipeline=approval_pipeline(account))
    role = create_service_role(lab, "EventsStartPipeline", service="events.amazonaws.com")
    events.put_rule(Name="on-push", EventPattern=json.dumps({"source": ["aws.codecommit"], "detail": {"referenceName": ["main"]}}))
    events.put_targets(Rule="on-push", Targets=[{"Id": "p", "Arn": "arn:aws:codepipeline:us-east-1:123456789012:demo", "RoleArn": role}])
    head = lab.client("codecommit").get_branch(repositoryName="app", branchName="main")["branch"]["commitId"]
    lab.client("codecommit").create_branch(repositoryName="app", branchName="feature", commitId=head)
    assert len(executions(lab)) == 1


def test_a_rule_without_a_role_does_not_start_the_pipeline(lab, account):
    cp, events = lab.client("codepipeline"), lab.client("events")
    cp.create_pipeline(pipeline=approval_pipeline(account))
    events.put_rule(Name="on-push", EventPattern=json.dumps({"source": ["aws.codecommit"]}))
    events.put_targets(Rule="on-push", Targets=[{"Id": "p", "Arn": "arn:aws:codepipeline:us-east-1:123456789012:demo"}])
    push(lab, "app", {"app.py": "v3"}, "third")
    assert len(executions(lab)) == 1
    [failure] = lab.account.eventbridge.failed_invocations
    assert failure.rule == "on-push" and "RoleArn" in failure.reason


def test_put_events_routes_to_sns_targets(lab, account):
    sns, sqs, events = lab.client("sns"), lab.client("sqs"), lab.client("events")
    topic = sns.create_topic(Name="alerts")["TopicArn"]
    url = sqs.create_queue(QueueName="mail")["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=arn, Attributes={"RawMessageDelivery": "true"})
    events.put_rule(Name="custom", EventPattern=json.dumps({"source": ["my.app"]}))
    events.put_targets(Rule="custom", Targets=[{"Id": "t", "Arn": topic, "InputPath": "$.detail"}])
    answer = events.put_events(Entries=[{"Source": "my.app", "DetailType": "Thing", "Detail": json.dumps({"ok": True})}])
    assert answer["FailedEntryCount"] == 0
    assert drain(lab, url) == [{"ok": True}]


def run_scenario(seed):
    with Lab(seed=seed) as lab:
        role = create_service_role(lab)
        create_bucket(lab, "demo-artifacts")
        lab.client("codecommit").create_repository(repositoryName="app")
        push(lab, "app", {"app.py": "print(1)"}, "one")
        cp = lab.client("codepipeline")
        cp.create_pipeline(pipeline=approval_pipeline(role))
        lab.run()
        approve(lab)
        details = cp.list_action_executions(pipelineName="demo")["actionExecutionDetails"]
        summaries = cp.list_pipeline_executions(pipelineName="demo")["pipelineExecutionSummaries"]
        keys = [o["Key"] for o in lab.client("s3").list_objects_v2(Bucket="demo-artifacts")["Contents"]]
        return details, summaries, keys


def test_same_seed_same_ids_times_and_keys():
    assert run_scenario(3) == run_scenario(3)
    assert run_scenario(3)[2] != run_scenario(4)[2]


def test_events_reach_a_cloudwatch_logs_target_at_virtual_time(lab, account):
    logs, events = lab.client("logs"), lab.client("events")
    logs.create_log_group(logGroupName="/aws/events/pipelines")
    events.put_rule(Name="to-logs", EventPattern=json.dumps({"source": ["aws.codepipeline"], "detail": {"state": ["STARTED"]},
                                                              "detail-type": ["CodePipeline Pipeline Execution State Change"]}))
    events.put_targets(Rule="to-logs", Targets=[{"Id": "logs", "Arn": "arn:aws:logs:us-east-1:123456789012:log-group:/aws/events/pipelines"}])
    lab.client("codepipeline").create_pipeline(pipeline=approval_pipeline(account))
    [logged] = logs.filter_log_events(logGroupName="/aws/events/pipelines")["events"]
    assert json.loads(logged["message"])["detail"]["state"] == "STARTED"
    assert logged["timestamp"] == int(lab.now.timestamp() * 1000)
