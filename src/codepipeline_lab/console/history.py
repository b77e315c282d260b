"""The execution history (ListPipelineExecutions) and each execution's timeline of actions (ListActionExecutions)."""

from __future__ import annotations

import json

from codepipeline_lab.console.formatting import between, clock

HISTORY_LENGTH = 10
FINISHED = {"Succeeded", "Failed", "Stopped", "Superseded", "Cancelled"}


def execution_rows(summaries: list[dict], now) -> list[dict]:
    return [execution_row(summary, now) for summary in summaries[:HISTORY_LENGTH]]


def execution_row(summary: dict, now) -> dict:
    status = summary.get("status", "")
    started, updated = summary.get("startTime"), summary.get("lastUpdateTime")
    trigger = summary.get("trigger") or {}
    return {
        "id": summary["pipelineExecutionId"],
        "status": status,
        "trigger": trigger.get("triggerType", ""),
        "triggerDetail": trigger.get("triggerDetail", ""),
        "source": "; ".join(revision_text(r) for r in summary.get("sourceRevisions", [])),
        "started": clock(started),
        "duration": between(started, updated if status in FINISHED else now),
        "summary": summary.get("statusSummary", ""),
    }


def revision_text(revision: dict) -> str:
    """``Source: a1b2c3d4 "Fix the build"`` — the revision id, short, and its message when there is one."""
    summary = revision.get("revisionSummary", "")
    try:
        parsed = json.loads(summary)
        summary = parsed.get("CommitMessage", summary) if isinstance(parsed, dict) else summary
    except (TypeError, ValueError):
        pass
    summary = " ".join(str(summary).split())[:80]
    rid = (revision.get("revisionId") or "")[:8]
    text = f'{revision.get("actionName", "")}: {rid}'
    return f'{text} "{summary}"' if summary else text


def timelines(details: list[dict], execution_ids: list[str]) -> dict[str, list[dict]]:
    """{execution id: [action runs, earliest first]} for the executions shown in the history."""
    wanted = set(execution_ids)
    grouped: dict[str, list[dict]] = {eid: [] for eid in execution_ids}
    for detail in details:
        if detail.get("pipelineExecutionId") in wanted:
            grouped[detail["pipelineExecutionId"]].append(detail)
    return {eid: [timeline_row(d) for d in sorted(runs, key=lambda d: (d.get("startTime"), d.get("stageName", "")))]
            for eid, runs in grouped.items()}


def timeline_row(detail: dict) -> dict:
    result = (detail.get("output") or {}).get("executionResult") or {}
    error = result.get("errorDetails") or {}
    status = detail.get("status", "")
    started, updated = detail.get("startTime"), detail.get("lastUpdateTime")
    return {
        "stage": detail.get("stageName", ""),
        "action": detail.get("actionName", ""),
        "status": status,
        "start": clock(started),
        "duration": between(started, updated) if status != "InProgress" else "",
        "message": error.get("message") or result.get("externalExecutionSummary", ""),
        "detail": detail.get("actionExecutionId", ""),
    }
