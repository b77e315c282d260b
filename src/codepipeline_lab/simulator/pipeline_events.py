"""CodePipeline's state-change events, in AWS's shapes (facts §B1–B2)."""

from __future__ import annotations

from codepipeline_lab.simulator.arns import pipeline_arn
from codepipeline_lab.simulator.params import drop_none

PIPELINE = "CodePipeline Pipeline Execution State Change"
STAGE = "CodePipeline Stage Execution State Change"
ACTION = "CodePipeline Action Execution State Change"


class PipelineEvents:
    def __init__(self, account) -> None:
        self._account = account

    def _put(self, execution, detail_type: str, detail: dict) -> None:
        detail = {"pipeline": execution.pipeline_name, "execution-id": execution.id, **detail,
                  "version": float(execution.pipeline_version)}
        self._account.eventbridge.put_service_event(
            source="aws.codepipeline", detail_type=detail_type, detail=detail, region=execution.region,
            resources=[pipeline_arn(execution.region, self._account.account_id, execution.pipeline_name)])

    def pipeline(self, execution, state: str) -> None:
        detail = {"state": state}
        if state == "STARTED":
            detail["execution-trigger"] = {"trigger-type": execution.trigger["triggerType"],
                                           "trigger-detail": execution.trigger.get("triggerDetail", "")}
        if state in ("STOPPING", "STOPPED") and execution.status_summary:
            detail["stop-execution-comments"] = execution.status_summary
        self._put(execution, PIPELINE, detail)

    def stage(self, execution, stage: str, state: str) -> None:
        self._put(execution, STAGE, {"stage": stage, "state": state})

    def action(self, execution, run, state: str) -> None:
        type_id = run.declaration["actionTypeId"]
        detail = {"stage": run.stage_name, "action": run.name, "state": state, "region": run.region,
                  "type": {"owner": type_id["owner"], "category": type_id["category"],
                           "provider": type_id["provider"], "version": type_id["version"]}}
        if state == "STARTED":
            detail["input-artifacts"] = [{"name": r.name, "s3location": r.s3location()} for r in run.inputs]
        elif state == "SUCCEEDED":
            detail["output-artifacts"] = [{"name": r.name, "s3location": r.s3location()} for r in run.outputs]
            detail["execution-result"] = drop_none({"external-execution-url": run.external_execution_url,
                                                     "external-execution-summary": run.summary,
                                                     "external-execution-id": run.external_execution_id})
        elif state == "FAILED" and run.error:
            detail["execution-result"] = drop_none({"external-execution-summary": run.error["message"],
                                                     "external-execution-id": run.external_execution_id,
                                                     "error-code": run.error["code"]})
        self._put(execution, ACTION, detail)

