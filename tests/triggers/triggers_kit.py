"""Pipelines and rules for the trigger tests: a source stage and one approval that waits."""

import json

from builders import action, codecommit_source, declaration
from codepipeline_lab.setup_helpers import create_service_role

ACCOUNT = "123456789012"
PIPELINE_ARN = f"arn:aws:codepipeline:us-east-1:{ACCOUNT}:demo"


def approval():
    return action("Approval", "Approval", "Manual")


def pipeline(role, source, name="demo"):
    return declaration(role, name=name, stages=[{"name": "Source", "actions": [source]},
                                                {"name": "Approve", "actions": [approval()]}])


def codecommit_polling(role, poll=None):
    source = codecommit_source()
    if poll is None:
        del source["configuration"]["PollForSourceChanges"]     # omitted: the default, polling on
    else:
        source["configuration"]["PollForSourceChanges"] = poll
    return pipeline(role, source)


def s3_source(bucket="source-bucket", key="app.zip", poll="false"):
    configuration = {"S3Bucket": bucket, "S3ObjectKey": key}
    if poll is not None:
        configuration["PollForSourceChanges"] = poll
    return action("Source", "Source", "S3", outputs=["SourceOutput"], configuration=configuration)


def rule_to_pipeline(lab, name, pattern):
    events = lab.client("events")
    role = create_service_role(lab, f"Events{name}", service="events.amazonaws.com")
    events.put_rule(Name=name, EventPattern=json.dumps(pattern))
    events.put_targets(Rule=name, Targets=[{"Id": "pipeline", "Arn": PIPELINE_ARN, "RoleArn": role}])


def triggers(lab, name="demo"):
    """The trigger types of the pipeline's executions, oldest first."""
    cp = lab.client("codepipeline")
    summaries = cp.list_pipeline_executions(pipelineName=name)["pipelineExecutionSummaries"]
    return [s["trigger"]["triggerType"] for s in reversed(summaries)]


def calls(lab, event_name):
    """How many times the audit trail recorded ``event_name``."""
    ct = lab.client("cloudtrail")
    found = ct.lookup_events(LookupAttributes=[{"AttributeKey": "EventName", "AttributeValue": event_name}],
                             MaxResults=50)["Events"]
    return len(found)
