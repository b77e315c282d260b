"""What the console's buttons do: each message from the browser becomes one real API call through the
Lab (or a move of the virtual clock), written down in boto3's form before it is made."""

from __future__ import annotations

from codepipeline_lab.console.formatting import call_text, clock


class NothingToReview(Exception):
    """The approval the learner answered no longer waits (the view was older than the pipeline)."""


def approval_token(codepipeline, pipeline: str, stage: str, action: str) -> str:
    """The token of the approval waiting now, read from GetPipelineState as the console reads it."""
    for stage_state in codepipeline.get_pipeline_state(name=pipeline)["stageStates"]:
        if stage_state["stageName"] != stage:
            continue
        for action_state in stage_state["actionStates"]:
            latest = action_state.get("latestExecution") or {}
            if action_state["actionName"] == action and latest.get("status") == "InProgress" and latest.get("token"):
                return latest["token"]
    raise NothingToReview(f"No approval waits in stage {stage}, action {action}: the view was out of date and is now refreshed.")


def review(clients, pipeline: str, message: dict):
    stage, action = str(message["stage"]), str(message["action"])
    decision = "Rejected" if message.get("decision") == "Rejected" else "Approved"
    token = approval_token(clients.codepipeline, pipeline, stage, action)
    parameters = dict(pipelineName=pipeline, stageName=stage, actionName=action,
                      result={"summary": str(message.get("comment", "")), "status": decision}, token=token)
    return "codepipeline", "put_approval_result", parameters


def retry(clients, pipeline: str, message: dict):
    mode = "ALL_ACTIONS" if message.get("mode") == "ALL_ACTIONS" else "FAILED_ACTIONS"
    parameters = dict(pipelineName=pipeline, stageName=str(message["stage"]),
                      pipelineExecutionId=str(message["execution"]), retryMode=mode)
    return "codepipeline", "retry_stage_execution", parameters


def stop(clients, pipeline: str, message: dict):
    parameters = dict(pipelineName=pipeline, pipelineExecutionId=str(message["execution"]),
                      abandon=bool(message.get("abandon")))
    if message.get("reason"):
        parameters["reason"] = str(message["reason"])
    return "codepipeline", "stop_pipeline_execution", parameters


def release(clients, pipeline: str, message: dict):
    return "codepipeline", "start_pipeline_execution", dict(name=pipeline)


def transition(clients, pipeline: str, message: dict):
    parameters = dict(pipelineName=pipeline, stageName=str(message["stage"]), transitionType="Inbound")
    if message.get("enable"):
        return "codepipeline", "enable_stage_transition", parameters
    parameters["reason"] = str(message.get("reason", ""))
    return "codepipeline", "disable_stage_transition", parameters


API_BUTTONS = {"review": review, "retry": retry, "stop": stop, "release": release, "transition": transition}


def make_call(clients, pipeline: str, message: dict) -> tuple[str, dict]:
    """Build the call for a button, write it as text, then make it; returns (text, response).
    A ClientError (or a parameter the client refuses) propagates with the text already known."""
    service, operation, parameters = API_BUTTONS[message["do"]](clients, pipeline, message)
    text = call_text(service, operation, **parameters)
    try:
        response = getattr(getattr(clients, service), operation)(**parameters)
    except Exception as exc:
        exc.console_call = text
        raise
    return text, response


def move_clock(lab, message: dict) -> str:
    """The Run and Advance controls: ``lab.run()`` or ``lab.advance(hours=1)``, with the clock before and after."""
    before = lab.now
    if message["do"] == "run":
        lab.run()
        text = "lab.run()"
    else:
        hours = float(message.get("hours", 1))
        hours = int(hours) if hours.is_integer() else hours
        lab.advance(hours=hours)
        text = f"lab.advance(hours={hours})"
    return f"{text}  # virtual clock {clock(before)} → {clock(lab.now)} UTC"
