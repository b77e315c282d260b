"""Where a diagram's data comes from: dicts the caller passes, or calls to a Lab's boto3 clients.

Unknown pipelines and executions are reported by the service itself: the boto3 ClientError
(PipelineNotFoundException, PipelineExecutionNotFoundException) passes through unchanged, and its
message names the pipeline or execution. Diagrams never read simulator internals.
"""

from __future__ import annotations

from codepipeline_lab.diagrams.errors import DiagramInputError


def pipeline_response(pipeline, lab) -> dict:
    """The `get_pipeline` answer (or a bare declaration) for a dict or a pipeline name."""
    if isinstance(pipeline, dict):
        return pipeline
    if isinstance(pipeline, str):
        if lab is None:
            raise DiagramInputError(
                f"to draw pipeline {pipeline!r} by name, pass the Lab too: lab=lab "
                "(or pass the declaration dict from get_pipeline)")
        return lab.client("codepipeline").get_pipeline(name=pipeline)
    raise DiagramInputError(
        f"expected a pipeline name or a declaration dict, got {type(pipeline).__name__}")


def pipeline_state(lab, name: str) -> dict:
    return lab.client("codepipeline").get_pipeline_state(name=name)


def pipeline_execution(lab, name: str, execution_id: str) -> dict:
    response = lab.client("codepipeline").get_pipeline_execution(pipelineName=name, pipelineExecutionId=execution_id)
    return response["pipelineExecution"]


def latest_execution_id(lab, name: str) -> str | None:
    summaries = lab.client("codepipeline").list_pipeline_executions(pipelineName=name, maxResults=1)
    items = summaries.get("pipelineExecutionSummaries", [])
    return items[0]["pipelineExecutionId"] if items else None


def action_executions(lab, name: str, execution_id: str | None = None) -> list[dict]:
    client = lab.client("codepipeline")
    request = {"pipelineName": name}
    if execution_id:
        request["filter"] = {"pipelineExecutionId": execution_id}
    details, token = [], None
    while True:
        page = client.list_action_executions(**request, **({"nextToken": token} if token else {}))
        details += page.get("actionExecutionDetails", [])
        token = page.get("nextToken")
        if not token:
            return details


def unwrap(data, key: str):
    """Accept either a whole API answer or the member the diagram needs (e.g. "pipelineExecution")."""
    if isinstance(data, dict) and key in data:
        return data[key]
    return data


def require_dict(data, what: str) -> dict:
    if not isinstance(data, dict):
        raise DiagramInputError(f"expected {what} (a dict), got {type(data).__name__}")
    return data
