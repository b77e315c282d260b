"""CodePipeline's execution operations, in AWS's request and response shapes."""

from __future__ import annotations

from codepipeline_lab.simulator import errors, state
from codepipeline_lab.simulator.executions import IN_PROGRESS
from codepipeline_lab.simulator.pagination import paginate
from codepipeline_lab.simulator.params import required

APPROVAL_STATUSES = ("Approved", "Rejected")


def execution_operations(account) -> dict:
    engine, store = account.engine, account.pipelines

    def pipeline_of(params, ctx, key="pipelineName"):
        return store.get(ctx.region, required(params, key))

    def execution_of(pipeline, execution_id):
        execution = engine.runtime(pipeline).executions.get(execution_id)
        if execution is None:
            raise errors.PipelineExecutionNotFoundException(
                f"Pipeline execution {execution_id} was not found in pipeline {pipeline.name}")
        return execution

    def stage_of(pipeline, name):
        if name not in [s["name"] for s in pipeline.declaration["stages"]]:
            raise errors.StageNotFoundException(f"Stage {name} was not found in pipeline {pipeline.name}")
        return name

    def start_pipeline_execution(params, ctx):
        pipeline = pipeline_of(params, ctx, "name")
        runtime = engine.runtime(pipeline)
        token = params.get("clientRequestToken")
        tokens = runtime.request_tokens
        if token and token in tokens:
            return {"pipelineExecutionId": tokens[token]}
        trigger = {"triggerType": "StartPipelineExecution", "triggerDetail": account.caller_arn(ctx.access_key_id)}
        execution = engine.start_execution(pipeline, trigger, params.get("variables"), params.get("sourceRevisions"))
        if token:
            tokens[token] = execution.id
        return {"pipelineExecutionId": execution.id}

    def get_pipeline_execution(params, ctx):
        pipeline = pipeline_of(params, ctx)
        return {"pipelineExecution": state.pipeline_execution(execution_of(pipeline, required(params, "pipelineExecutionId")))}

    def list_pipeline_executions(params, ctx):
        pipeline = pipeline_of(params, ctx)
        newest_first = sorted(engine.runtime(pipeline).executions.values(), key=lambda e: e.sequence, reverse=True)
        succeeded_in = ((params.get("filter") or {}).get("succeededInStage") or {}).get("stageName")
        if succeeded_in:
            newest_first = [e for e in newest_first if succeeded_in in e.stages and e.stages[succeeded_in].status == "Succeeded"]
        page, token = paginate([state.execution_summary(e) for e in newest_first], params.get("nextToken"), params.get("maxResults"))
        return {"pipelineExecutionSummaries": page, **({"nextToken": token} if token else {})}

    def get_pipeline_state(params, ctx):
        pipeline = pipeline_of(params, ctx, "name")
        return state.pipeline_state(pipeline, engine.runtime(pipeline))

    def list_action_executions(params, ctx):
        pipeline = pipeline_of(params, ctx)
        wanted = (params.get("filter") or {}).get("pipelineExecutionId")
        if wanted:
            execution_of(pipeline, wanted)
        runs = [(e, r) for e, r in reversed(engine.runtime(pipeline).action_runs) if not wanted or e.id == wanted]
        details = [state.action_execution_detail(e, r, pipeline.declaration["roleArn"]) for e, r in runs]
        page, token = paginate(details, params.get("nextToken"), params.get("maxResults"))
        return {"actionExecutionDetails": page, **({"nextToken": token} if token else {})}

    def stop_pipeline_execution(params, ctx):
        pipeline = pipeline_of(params, ctx)
        execution = execution_of(pipeline, required(params, "pipelineExecutionId"))
        engine.stop(pipeline, execution, bool(params.get("abandon")), params.get("reason"))
        return {"pipelineExecutionId": execution.id}

    def retry_stage_execution(params, ctx):
        pipeline = pipeline_of(params, ctx)
        stage = stage_of(pipeline, required(params, "stageName"))
        execution = execution_of(pipeline, required(params, "pipelineExecutionId"))
        mode = required(params, "retryMode")
        if mode not in ("FAILED_ACTIONS", "ALL_ACTIONS"):
            raise errors.ValidationException(f"retryMode must be FAILED_ACTIONS or ALL_ACTIONS, not {mode}")
        engine.retry(pipeline, execution, stage, mode)
        return {"pipelineExecutionId": execution.id}

    def transition(params, ctx, enabled: bool):
        pipeline = pipeline_of(params, ctx)
        stage = stage_of(pipeline, required(params, "stageName"))
        direction = required(params, "transitionType")
        if direction not in ("Inbound", "Outbound"):
            raise errors.ValidationException(f"transitionType must be Inbound or Outbound, not {direction}")
        reason = None if enabled else required(params, "reason")
        # lastChangedBy names who made the call (a user, a role session, or the account root)
        engine.set_transition(pipeline, stage, direction, enabled, reason, account.caller_arn(ctx.access_key_id))
        return {}

    def disable_stage_transition(params, ctx):
        return transition(params, ctx, False)

    def enable_stage_transition(params, ctx):
        return transition(params, ctx, True)

    def put_approval_result(params, ctx):
        pipeline = pipeline_of(params, ctx)
        stage = stage_of(pipeline, required(params, "stageName"))
        action_name = required(params, "actionName")
        declared = next((a for s in pipeline.declaration["stages"] if s["name"] == stage for a in s["actions"] if a["name"] == action_name), None)
        if declared is None:
            raise errors.ActionNotFoundException(f"Action {action_name} was not found in stage {stage} of pipeline {pipeline.name}")
        result, token = required(params, "result"), required(params, "token")
        if result.get("status") not in APPROVAL_STATUSES:
            raise errors.ValidationException(f"result.status must be Approved or Rejected, not {result.get('status')}")
        job = account.approvals.get(token)
        if job is None or job.pipeline_name != pipeline.name or job.stage_name != stage or job.action["name"] != action_name:
            raise errors.InvalidApprovalTokenException(f"The token {token} is not valid for action {action_name} in stage {stage} of pipeline {pipeline.name}: the request was already answered, expired, or never existed")
        if job.ended and not getattr(job.run_record, "answered", False):
            raise errors.InvalidApprovalTokenException(f"The approval request for action {action_name} with token {token} has expired or was abandoned")
        if job.ended or job.run_record.status != IN_PROGRESS:
            raise errors.ApprovalAlreadyCompletedException(f"The approval request for action {action_name} with token {token} has already been completed")
        run = job.run_record
        run.token, run.answered = None, True
        run.last_updated_by = account.caller_arn(ctx.access_key_id)
        summary = result.get("summary") or ""
        if result["status"] == "Approved":
            job.succeed(summary=summary or "Approved", external_execution_id=token)
        else:
            job.fail(f"Rejected{': ' + summary if summary else ''}", "JobFailed", external_execution_id=token)
        return {"approvedAt": engine.scheduler.now}

    handlers = (start_pipeline_execution, get_pipeline_execution, list_pipeline_executions, get_pipeline_state,
                list_action_executions, stop_pipeline_execution, retry_stage_execution, disable_stage_transition,
                enable_stage_transition, put_approval_result)
    return {f.__name__: f for f in handlers}
