"""An action's details as the console's "View details" shows them: resolved configuration, artifacts
with their S3 locations, output variables, errorDetails, and the end of a CodeBuild build's log."""

from __future__ import annotations

from botocore.exceptions import ClientError

from codepipeline_lab.console.errors import shown_error
from codepipeline_lab.console.formatting import clock

LOG_LINES = 12
LINE_WIDTH = 240


def action_details(detail: dict) -> dict:
    given = detail.get("input") or {}
    output = detail.get("output") or {}
    result = output.get("executionResult") or {}
    error = result.get("errorDetails")
    type_id = given.get("actionTypeId") or {}
    return {
        "stage": detail.get("stageName", ""),
        "action": detail.get("actionName", ""),
        "execution": detail.get("pipelineExecutionId", ""),
        "status": detail.get("status", ""),
        "provider": f'{type_id.get("owner", "")}/{type_id.get("provider", "")} (version {type_id.get("version", "")})',
        "started": clock(detail.get("startTime")),
        "updated": clock(detail.get("lastUpdateTime")),
        "role": given.get("roleArn", ""),
        "namespace": given.get("namespace", ""),
        "configuration": given.get("resolvedConfiguration") or given.get("configuration") or {},
        "inputs": [artifact(a) for a in given.get("inputArtifacts", [])],
        "outputs": [artifact(a) for a in output.get("outputArtifacts", [])],
        "variables": output.get("outputVariables") or {},
        "summary": result.get("externalExecutionSummary", ""),
        "external": result.get("externalExecutionId", ""),
        "error": {"code": error.get("code", ""), "message": error.get("message", "")} if error else None,
        "log": None,
    }


def artifact(entry: dict) -> dict:
    location = entry.get("s3location") or {}
    where = f's3://{location["bucket"]}/{location["key"]}' if location.get("bucket") else ""
    return {"name": entry.get("name", ""), "location": where}


def build_log_tail(codebuild, logs, build_id: str) -> dict:
    """{"group", "stream", "lines"} — the last lines of the build's CloudWatch Logs stream — or {"error": {...}}."""
    try:
        builds = codebuild.batch_get_builds(ids=[build_id]).get("builds", [])
        if not builds or not (builds[0].get("logs") or {}).get("streamName"):
            return {"group": "", "stream": "", "lines": [], "note": "this build has no log stream"}
        where = builds[0]["logs"]
        events = logs.get_log_events(logGroupName=where["groupName"], logStreamName=where["streamName"],
                                     startFromHead=False, limit=LOG_LINES)["events"]
    except ClientError as exc:
        return {"error": shown_error(exc)}
    lines = []
    for event in events:
        lines.extend(event.get("message", "").rstrip("\n").splitlines() or [""])
    return {"group": where["groupName"], "stream": where["streamName"],
            "lines": [line[:LINE_WIDTH] for line in lines[-LOG_LINES:]]}
