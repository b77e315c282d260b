"""Running the execution to its end on the virtual clock, printing each action as its status
changes (with its duration in virtual time), the failing action's error and the tail of its
build log, and answering manual approvals."""

from __future__ import annotations

from datetime import timedelta
from typing import Callable

from botocore.exceptions import ClientError

FINISHED = {"Succeeded", "Failed", "Stopped", "Cancelled", "Superseded"}
WAIT_LIMIT = timedelta(days=1)       # virtual time allowed for replies from outside (Lambda, job workers)
LOG_TAIL = 15


def _clock(delta: timedelta) -> str:
    seconds = int(delta.total_seconds())
    return f"+{seconds // 3600}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}"


def _length(delta: timedelta) -> str:
    seconds = int(delta.total_seconds())
    if seconds < 60:
        return f"{seconds} s"
    if seconds < 3600:
        return f"{seconds // 60} min {seconds % 60} s"
    return f"{seconds // 3600} h {seconds % 3600 // 60} min"


class Watch:
    """``decide(stage, action, custom_data)`` answers an approval: "Approved", "Rejected" or None (no answer)."""

    def __init__(self, lab, pipeline: str, execution_id: str, print_line: Callable[[str], None],
                 decide: Callable[[str, str, str], str | None]) -> None:
        self.lab, self.pipeline, self.execution_id = lab, pipeline, execution_id
        self.print, self.decide = print_line, decide
        self.codepipeline = lab.client("codepipeline")
        self.start = lab.now
        self.shown: dict[str, str] = {}
        self.stages_shown: set[str] = set()
        self.waiting_for: str | None = None

    def run(self) -> str:
        waited = timedelta(0)
        while True:
            progressed = self.lab.step()
            self._report()
            status = self.status()
            if status in FINISHED:
                return status
            if progressed:
                continue
            answered = self._approvals()
            if answered is None:
                return "Waiting"
            if answered:
                continue
            if waited >= WAIT_LIMIT:
                self.waiting_for = "a reply from outside the pipeline (a job worker for a custom action, or a Lambda function's result)"
                return "Waiting"
            self.lab.advance(hours=1)
            waited += timedelta(hours=1)

    def status(self) -> str:
        return self.codepipeline.get_pipeline_execution(pipelineName=self.pipeline, pipelineExecutionId=self.execution_id)[
            "pipelineExecution"]["status"]

    def elapsed(self) -> timedelta:
        return self.lab.now - self.start

    # -- the live view ----------------------------------------------------------------------
    def action_executions(self) -> list[dict]:
        found, token = [], None
        while True:
            arguments = {"pipelineName": self.pipeline, "filter": {"pipelineExecutionId": self.execution_id}}
            if token:
                arguments["nextToken"] = token
            page = self.codepipeline.list_action_executions(**arguments)
            found += page["actionExecutionDetails"]
            token = page.get("nextToken")
            if not token:
                return sorted(found, key=lambda d: (d["startTime"], d["actionExecutionId"]))

    def _report(self) -> None:
        for detail in self.action_executions():
            key, status = detail["actionExecutionId"], detail["status"]
            if self.shown.get(key) == status:
                continue
            self.shown[key] = status
            if detail["stageName"] not in self.stages_shown:
                self.stages_shown.add(detail["stageName"])
                self.print(f"  stage {detail['stageName']}")
            when = _clock(detail["lastUpdateTime"] - self.start)
            line = f"  {when}  {detail['stageName']}/{detail['actionName']:<24} {status}"
            if status != "InProgress":
                line += f"  ({_length(detail['lastUpdateTime'] - detail['startTime'])})"
            result = (detail.get("output") or {}).get("executionResult") or {}
            if status == "Succeeded" and result.get("externalExecutionSummary"):
                line += f"  {result['externalExecutionSummary'][:100]}"
            self.print(line)
            if status == "Failed":
                self._failure(detail, result)

    def _failure(self, detail: dict, result: dict) -> None:
        error = result.get("errorDetails") or {}
        self.print(f"      error: {error.get('code', '')}: {error.get('message', '')}".rstrip(": "))
        if detail["input"]["actionTypeId"].get("provider") == "CodeBuild" and result.get("externalExecutionId"):
            lines = self.build_log(result["externalExecutionId"], detail["input"].get("region"))
            if lines:
                self.print(f"      build log (last {min(LOG_TAIL, len(lines))} lines):")
                for text in lines[-LOG_TAIL:]:
                    self.print(f"      | {text}")

    def build_log(self, build_id: str, region: str | None) -> list[str]:
        try:
            builds = self.lab.client("codebuild", region_name=region).batch_get_builds(ids=[build_id])["builds"]
            logs = (builds[0].get("logs") or {}) if builds else {}
            if not logs.get("groupName"):
                return []
            events = self.lab.client("logs", region_name=region).get_log_events(
                logGroupName=logs["groupName"], logStreamName=logs["streamName"], startFromHead=True)["events"]
        except ClientError:
            return []
        return [e["message"].rstrip("\n") for e in events]

    # -- approvals ----------------------------------------------------------------------------
    def _approvals(self) -> bool | None:
        """True when an approval was answered, False when none waits, None when one waits unanswered."""
        state = self.codepipeline.get_pipeline_state(name=self.pipeline)
        for stage in state.get("stageStates") or []:
            if (stage.get("latestExecution") or {}).get("pipelineExecutionId") != self.execution_id:
                continue
            for action in stage.get("actionStates") or []:
                latest = action.get("latestExecution") or {}
                if latest.get("status") != "InProgress" or not latest.get("token"):
                    continue
                custom = self._custom_data(stage["stageName"], action["actionName"])
                answer = self.decide(stage["stageName"], action["actionName"], custom)
                if answer is None:
                    self.waiting_for = f"approval {stage['stageName']}/{action['actionName']}: give --approve or --reject"
                    return None
                self.codepipeline.put_approval_result(
                    pipelineName=self.pipeline, stageName=stage["stageName"], actionName=action["actionName"],
                    result={"summary": f"{answer} by codepipeline-lab run", "status": answer}, token=latest["token"])
                self.print(f"  {_clock(self.elapsed())}  {stage['stageName']}/{action['actionName']:<24} answered: {answer}")
                return True
        return False

    def _custom_data(self, stage: str, action: str) -> str:
        declaration = self.codepipeline.get_pipeline(name=self.pipeline)["pipeline"]
        for declared_stage in declaration["stages"]:
            for declared in declared_stage["actions"] if declared_stage["name"] == stage else []:
                if declared["name"] == action:
                    return (declared.get("configuration") or {}).get("CustomData", "")
        return ""
