"""Execution modes, stage locking and superseding, transitions, and updates (issue 3, point 3)."""

from scenario import approval_pipeline, approve, executions, state_of


def start(lab, times=1):
    cp = lab.client("codepipeline")
    started = [cp.start_pipeline_execution(name="demo")["pipelineExecutionId"] for _ in range(times)]
    lab.run()
    return started


def inbound(lab, stage="Approve"):
    for state in lab.client("codepipeline").get_pipeline_state(name="demo")["stageStates"]:
        if state["stageName"] == stage:
            return [e["pipelineExecutionId"] for e in state.get("inboundExecutions", [])]


def test_superseded_mode_with_three_executions(lab, account):
    lab.client("codepipeline").create_pipeline(pipeline=approval_pipeline(account))
    lab.run()
    [first] = [e for e, _ in executions(lab)]
    [second] = start(lab)
    assert inbound(lab) == [second]
    [third] = start(lab)
    assert inbound(lab) == [third]
    statuses = dict(executions(lab))
    assert statuses == {first: "InProgress", second: "Superseded", third: "InProgress"}
    approve(lab)
    lab.run()
    assert dict(executions(lab))[first] == "Succeeded"
    latest = lab.client("codepipeline").get_pipeline_state(name="demo")["stageStates"][1]["latestExecution"]
    assert latest == {"pipelineExecutionId": third, "status": "InProgress", "type": "STANDARD"}


def test_queued_mode_runs_every_execution_in_order(lab, account):
    lab.client("codepipeline").create_pipeline(pipeline=approval_pipeline(account, pipelineType="V2", executionMode="QUEUED"))
    lab.run()
    first = executions(lab)[0][0]
    second, third = start(lab, 2)
    assert inbound(lab) == [second, third]
    for expected in (first, second, third):
        assert lab.client("codepipeline").get_pipeline_state(name="demo")["stageStates"][1]["latestExecution"]["pipelineExecutionId"] == expected
        approve(lab)
        lab.run()
    assert {s for _, s in executions(lab)} == {"Succeeded"}


def test_parallel_mode_has_no_locks(lab, account):
    lab.client("codepipeline").create_pipeline(pipeline=approval_pipeline(account, pipelineType="V2", executionMode="PARALLEL"))
    start(lab, 2)
    assert inbound(lab) == []
    details = lab.client("codepipeline").list_action_executions(pipelineName="demo")["actionExecutionDetails"]
    waiting = [d for d in details if d["actionName"] == "Approval" and d["status"] == "InProgress"]
    assert len(waiting) == 3
    # in PARALLEL mode GetPipelineState shows no token: the externalExecutionId is the token
    assert "token" not in lab.client("codepipeline").get_pipeline_state(name="demo")["stageStates"][1]["actionStates"][0]["latestExecution"]
    lab.client("codepipeline").put_approval_result(pipelineName="demo", stageName="Approve", actionName="Approval",
                                                   token=waiting[0]["output"]["executionResult"]["externalExecutionId"],
                                                   result={"status": "Approved", "summary": "ok"})
    assert dict(executions(lab))[waiting[0]["pipelineExecutionId"]] == "Succeeded"


def test_disabled_transition_holds_executions_and_enable_lets_the_latest_in(lab, account):
    cp = lab.client("codepipeline")
    cp.create_pipeline(pipeline=approval_pipeline(account))
    cp.disable_stage_transition(pipelineName="demo", stageName="Approve", transitionType="Inbound", reason="Freeze until Monday")
    lab.run()
    first = executions(lab)[0][0]
    [second] = start(lab)
    transition = cp.get_pipeline_state(name="demo")["stageStates"][1]["inboundTransitionState"]
    assert transition["enabled"] is False and transition["disabledReason"] == "Freeze until Monday"
    assert inbound(lab) == [second] and dict(executions(lab))[first] == "Superseded"
    cp.enable_stage_transition(pipelineName="demo", stageName="Approve", transitionType="Inbound")
    lab.run()
    assert state_of(lab)["Approve"] == ("InProgress", {"Approval": "InProgress"})
    assert cp.get_pipeline_state(name="demo")["stageStates"][1]["latestExecution"]["pipelineExecutionId"] == second


def test_outbound_transition_of_the_previous_stage_also_holds(lab, account):
    cp = lab.client("codepipeline")
    cp.create_pipeline(pipeline=approval_pipeline(account))
    cp.disable_stage_transition(pipelineName="demo", stageName="Source", transitionType="Outbound", reason="hold")
    lab.run()
    assert state_of(lab)["Approve"][0] is None and len(inbound(lab)) == 1
    cp.enable_stage_transition(pipelineName="demo", stageName="Source", transitionType="Outbound")
    assert state_of(lab)["Approve"][0] == "InProgress"


def test_update_pipeline_cancels_the_running_execution(lab, account):
    cp = lab.client("codepipeline")
    declared = approval_pipeline(account)
    cp.create_pipeline(pipeline=declared)
    lab.run()
    cp.update_pipeline(pipeline=declared)
    [(execution_id, status)] = executions(lab)
    assert status == "Cancelled"
    assert state_of(lab)["Approve"] == ("Cancelled", {"Approval": "Abandoned"})
    detail = cp.get_pipeline_execution(pipelineName="demo", pipelineExecutionId=execution_id)["pipelineExecution"]
    assert "updated" in detail["statusSummary"]
