"""The pipeline view: stages top to bottom, each with its transition, execution and action cards.

Read with GetPipeline (what each action is) and GetPipelineState (how it is doing), as the
console reads them.
"""

from __future__ import annotations

from codepipeline_lab.console.formatting import ago, clock

NOT_RUN = "Didn't run"
LABELS = {"InProgress": "In progress", "Succeeded": "Succeeded", "Failed": "Failed", "Stopped": "Stopped",
          "Stopping": "Stopping", "Abandoned": "Abandoned", "Superseded": "Superseded", "Cancelled": "Cancelled"}


def stage_views(declaration: dict, state: dict, now) -> list[dict]:
    states = {s["stageName"]: s for s in state.get("stageStates", [])}
    views = []
    for index, stage in enumerate(declaration["stages"]):
        current = states.get(stage["name"], {})
        views.append(stage_view(stage, current, now, first=index == 0))
    return views


def stage_view(stage: dict, current: dict, now, first: bool) -> dict:
    latest = current.get("latestExecution") or {}
    action_states = {a["actionName"]: a for a in current.get("actionStates", [])}
    status = latest.get("status")
    return {
        "name": stage["name"],
        "status": status or "",
        "label": LABELS.get(status, status or NOT_RUN),
        "execution": latest.get("pipelineExecutionId", ""),
        "retryable": status in ("Failed", "Stopped"),
        "transition": None if first else transition_view(current.get("inboundTransitionState") or {"enabled": True}, now),
        "actions": [action_view(a, action_states.get(a["name"], {}), now) for a in ordered(stage["actions"])],
    }


def ordered(actions: list[dict]) -> list[dict]:
    """Actions by runOrder, keeping declaration order within a runOrder (the console's columns, read top down)."""
    return sorted(actions, key=lambda a: a.get("runOrder", 1))


def transition_view(transition: dict, now) -> dict:
    changed = transition.get("lastChangedAt")
    return {"enabled": bool(transition.get("enabled", True)), "reason": transition.get("disabledReason", ""),
            "by": transition.get("lastChangedBy", ""), "at": clock(changed), "ago": ago(changed, now)}


def action_view(declared: dict, current: dict, now) -> dict:
    type_id = declared["actionTypeId"]
    latest = current.get("latestExecution") or {}
    status = latest.get("status", "")
    waiting = type_id["category"] == "Approval" and status == "InProgress"
    changed = latest.get("lastStatusChange")
    error = latest.get("errorDetails")
    return {
        "name": declared["name"],
        "provider": type_id["provider"],
        "category": type_id["category"],
        "runOrder": declared.get("runOrder", 1),
        "status": status,
        "label": "Waiting for approval" if waiting else LABELS.get(status, status or NOT_RUN),
        "at": clock(changed),
        "ago": ago(changed, now),
        "summary": latest.get("summary", ""),
        "error": {"code": error.get("code", ""), "message": error.get("message", "")} if error else None,
        "detail": latest.get("actionExecutionId", ""),
        "review": waiting and bool(latest.get("token")),
    }
