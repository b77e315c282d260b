"""Helpers for execution scenarios: a pipeline that waits, and short readers of its state."""

from builders import action, codecommit_source, declaration


def approval(name="Approval", run_order=None, **configuration):
    return action(name, "Approval", "Manual", configuration=configuration, run_order=run_order)


def approval_pipeline(role, name="demo", stages_after=None, **extra):
    """Source (CodeCommit) → Approve (manual approval): the simplest pipeline that waits."""
    source = codecommit_source()
    source["namespace"] = "SourceVariables"
    stages = [{"name": "Source", "actions": [source]},
              {"name": "Approve", "actions": [approval()]}] + (stages_after or [])
    return declaration(role, name=name, stages=stages, **extra)


def state_of(lab, name="demo"):
    """{stage: (stage status, {action: action status})} from GetPipelineState."""
    result = {}
    for stage in lab.client("codepipeline").get_pipeline_state(name=name)["stageStates"]:
        actions = {a["actionName"]: a.get("latestExecution", {}).get("status") for a in stage["actionStates"]}
        result[stage["stageName"]] = (stage.get("latestExecution", {}).get("status"), actions)
    return result


def token_of(lab, stage="Approve", action_name="Approval", name="demo"):
    for state in lab.client("codepipeline").get_pipeline_state(name=name)["stageStates"]:
        if state["stageName"] == stage:
            for action_state in state["actionStates"]:
                if action_state["actionName"] == action_name:
                    return action_state["latestExecution"].get("token")
    return None


def approve(lab, status="Approved", stage="Approve", action_name="Approval", name="demo", summary="looks good"):
    return lab.client("codepipeline").put_approval_result(
        pipelineName=name, stageName=stage, actionName=action_name, token=token_of(lab, stage, action_name, name),
        result={"status": status, "summary": summary})


def executions(lab, name="demo"):
    """[(execution id, status)], newest first."""
    return [(e["pipelineExecutionId"], e["status"]) for e in lab.client("codepipeline").list_pipeline_executions(pipelineName=name)["pipelineExecutionSummaries"]]
