"""``--out DIR``: every artifact unzipped (one folder each), the build logs, the pipeline's
events (delivered to an SQS queue by an EventBridge rule on source aws.codepipeline) and
``summary.json`` (get_pipeline_execution and list_action_executions, times as ISO strings)."""

from __future__ import annotations

import io
import json
import zipfile
from datetime import date, datetime
from pathlib import Path

from botocore.exceptions import ClientError

EVENTS_NAME = "codepipeline-lab-run-events"


def listen_for_events(lab) -> str:
    """Create the queue and the rule before the pipeline exists; return the queue's URL."""
    sqs, events = lab.client("sqs"), lab.client("events")
    url = sqs.create_queue(QueueName=EVENTS_NAME)["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    policy = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "events.amazonaws.com"},
                                                      "Action": "sqs:SendMessage", "Resource": arn}]}
    sqs.set_queue_attributes(QueueUrl=url, Attributes={"Policy": json.dumps(policy)})
    events.put_rule(Name=EVENTS_NAME, EventPattern=json.dumps({"source": ["aws.codepipeline"]}))
    events.put_targets(Rule=EVENTS_NAME, Targets=[{"Id": "queue", "Arn": arn}])
    return url


def _received(lab, url: str) -> list[dict]:
    sqs, found = lab.client("sqs"), []
    while True:
        messages = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", [])
        if not messages:
            return found
        for message in messages:
            found.append(json.loads(message["Body"]))
            sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])


def _plain(value):
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items() if k != "ResponseMetadata"}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def write(lab, watch, folder: Path, events_url: str | None) -> list[str]:
    """Write everything; return the relative paths written, for the closing line."""
    folder.mkdir(parents=True, exist_ok=True)
    details = watch.action_executions()
    written = []
    s3_by_region = {}
    for detail in details:
        region = detail["input"].get("region") or lab.region
        s3 = s3_by_region.setdefault(region, lab.client("s3", region_name=region))
        for artifact in (detail.get("output") or {}).get("outputArtifacts") or []:
            location = artifact.get("s3location") or {}
            target = folder / "artifacts" / artifact["name"]
            try:
                body = s3.get_object(Bucket=location["bucket"], Key=location["key"])["Body"].read()
                with zipfile.ZipFile(io.BytesIO(body)) as archive:
                    archive.extractall(target)
                written.append(f"artifacts/{artifact['name']}/")
            except (ClientError, KeyError, zipfile.BadZipFile):
                continue
        result = (detail.get("output") or {}).get("executionResult") or {}
        if detail["input"]["actionTypeId"].get("provider") == "CodeBuild" and result.get("externalExecutionId"):
            lines = watch.build_log(result["externalExecutionId"], detail["input"].get("region"))
            if lines:
                path = folder / "logs" / f"{detail['stageName']}.{detail['actionName']}.log"
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_text("\n".join(lines) + "\n", encoding="utf-8")
                written.append(f"logs/{path.name}")
    if events_url:
        events = _received(lab, events_url)
        events.sort(key=lambda e: (e.get("time", ""), e.get("id", "")))
        (folder / "events.json").write_text(json.dumps(events, indent=2, sort_keys=True) + "\n", encoding="utf-8")
        written.append("events.json")
    execution = lab.client("codepipeline").get_pipeline_execution(pipelineName=watch.pipeline,
                                                                  pipelineExecutionId=watch.execution_id)
    summary = {"pipelineExecution": _plain(execution["pipelineExecution"]), "actionExecutionDetails": _plain(details)}
    (folder / "summary.json").write_text(json.dumps(summary, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    written.append("summary.json")
    return sorted(set(written))
