"""Which IAM action and resource each CodePipeline operation needs (facts §A7).

Calls made with an IAM user's keys are checked against that user's policies before the
operation runs; calls with the Lab's own keys act as the account root.
"""

from __future__ import annotations

from codepipeline_lab.simulator.arns import pipeline_arn

# operation -> (IAM action, which ARN: "pipeline", "stage", "action" or "*")
CODEPIPELINE_PERMISSIONS = {
    "create_pipeline": ("CreatePipeline", "pipeline"),
    "update_pipeline": ("UpdatePipeline", "pipeline"),
    "get_pipeline": ("GetPipeline", "pipeline"),
    "delete_pipeline": ("DeletePipeline", "pipeline"),
    "list_pipelines": ("ListPipelines", "*"),
    "start_pipeline_execution": ("StartPipelineExecution", "pipeline"),
    "stop_pipeline_execution": ("StopPipelineExecution", "pipeline"),
    "get_pipeline_execution": ("GetPipelineExecution", "pipeline"),
    "get_pipeline_state": ("GetPipelineState", "pipeline"),
    "list_pipeline_executions": ("ListPipelineExecutions", "pipeline"),
    "list_action_executions": ("ListActionExecutions", "pipeline"),
    "retry_stage_execution": ("RetryStageExecution", "stage"),
    "disable_stage_transition": ("DisableStageTransition", "pipeline"),
    "enable_stage_transition": ("EnableStageTransition", "pipeline"),
    "put_approval_result": ("PutApprovalResult", "action"),
    "rollback_stage": ("RollbackStage", "stage"),
    "override_stage_condition": ("OverrideStageCondition", "stage"),
    "list_rule_types": ("ListRuleTypes", "*"),
    "list_rule_executions": ("ListRuleExecutions", "pipeline"),
}


def _pipeline_name(params: dict) -> str:
    if "pipeline" in params and isinstance(params["pipeline"], dict):
        return str(params["pipeline"].get("name"))
    return str(params.get("pipelineName") or params.get("name"))


def required_permission(operation: str, params: dict, region: str, account_id: str) -> tuple[str, str] | None:
    """(IAM action, resource ARN) for a call, or None when the operation is not checked."""
    entry = CODEPIPELINE_PERMISSIONS.get(operation)
    if entry is None:
        return None
    action, scope = entry
    if scope == "*":
        return f"codepipeline:{action}", "*"
    arn = pipeline_arn(region, account_id, _pipeline_name(params))
    if scope in ("stage", "action"):
        arn += f"/{params.get('stageName')}"
    if scope == "action":
        arn += f"/{params.get('actionName')}"
    return f"codepipeline:{action}", arn
