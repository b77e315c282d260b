"""V2 stage conditions: beforeEntry and onSuccess with each rule type, OverrideStageCondition,
ListRuleTypes and ListRuleExecutions, and the declarations AWS refuses (issue 14)."""

import io
import zipfile
from datetime import datetime, timezone

import pytest
from botocore.exceptions import ClientError
from scenario import approval, approval_pipeline, approve, executions, state_of

from codepipeline_lab.setup_helpers import create_service_role, push
from codepipeline_lab.simulator.rules.cron import Cron, CronError


def error_of(call, **kwargs):
    with pytest.raises(ClientError) as caught:
        call(**kwargs)
    return caught.value.response["Error"]


def rule(provider, name=None, commands=None, **configuration):
    declared = {"name": name or provider, "ruleTypeId": {"category": "Rule", "owner": "AWS", "provider": provider, "version": "1"},
                "configuration": configuration}
    if commands is not None:
        declared["commands"] = commands
    return declared


def pipeline(role, stage_extra=None, deploy_actions=None):
    """Source → Approve → Deploy (an approval), V2; ``stage_extra`` goes on the Deploy stage."""
    deploy = {"name": "Deploy", "actions": deploy_actions or [approval("Release")], **(stage_extra or {})}
    return approval_pipeline(role, pipelineType="V2", stages_after=[deploy])


def stage_state(lab, stage="Deploy"):
    return next(s for s in lab.client("codepipeline").get_pipeline_state(name="demo")["stageStates"] if s["stageName"] == stage)


def create(lab, declared):
    lab.client("codepipeline").create_pipeline(pipeline=declared)
    lab.run()
    approve(lab)


def alarm(lab, state="OK", name="app-errors"):
    cloudwatch = lab.client("cloudwatch")
    cloudwatch.put_metric_alarm(AlarmName=name, MetricName="Errors", Namespace="App", Statistic="Sum", Period=60,
                                EvaluationPeriods=1, Threshold=1, ComparisonOperator="GreaterThanThreshold")
    cloudwatch.set_alarm_state(AlarmName=name, StateValue=state, StateReason="set by the test")


# -- DeploymentWindow -----------------------------------------------------------------------------

def test_cron_matcher():
    monday_nine = datetime(2025, 1, 6, 9, 0, tzinfo=timezone.utc)
    assert Cron("* * 9-17 ? * MON-FRI").matches(monday_nine)
    assert not Cron("* * 10-17 ? * MON-FRI").matches(monday_nine)
    assert Cron("* 0/15 * ? * 2").matches(monday_nine)                 # 2 = Monday
    assert Cron("* * * L * ?").next_match(monday_nine) == datetime(2025, 1, 31, 0, 0, tzinfo=timezone.utc)
    assert Cron("* 30 8 ? * 2#2 2025").next_match(monday_nine).day == 13
    assert Cron("* 0 9 ? * 6L").next_match(monday_nine).day == 31        # last Friday of January
    for bad in ("0 * * * * ?", "* * 25 * * ?", "* * *", "* * * ? * MOON"):
        with pytest.raises(CronError):
            Cron(bad)


def test_deployment_window_holds_the_stage_until_it_opens(lab, account):
    window = rule("DeploymentWindow", Cron="* * 10-16 ? * MON-FRI", TimeZone="UTC")
    create(lab, pipeline(account, {"beforeEntry": {"conditions": [{"result": "FAIL", "rules": [window]}]}}))
    lab.run()                                   # Monday 09:00: the window opens at 10:00
    state = stage_state(lab)
    assert state["latestExecution"]["status"] == "InProgress"
    assert state["beforeEntryConditionState"]["latestExecution"]["status"] == "InProgress"
    rule_state = state["beforeEntryConditionState"]["conditionStates"][0]["ruleStates"][0]
    assert rule_state["ruleName"] == "DeploymentWindow" and rule_state["latestExecution"]["status"] == "InProgress"
    assert state_of(lab)["Deploy"][1] == {"Release": None}
    lab.advance(minutes=59)
    assert state_of(lab)["Deploy"][1] == {"Release": None}
    lab.advance(minutes=1)
    lab.run()
    assert state_of(lab)["Deploy"] == ("InProgress", {"Release": "InProgress"})
    assert stage_state(lab)["beforeEntryConditionState"]["latestExecution"]["status"] == "Succeeded"


def test_deployment_window_reads_its_time_zone_and_waits_for_monday(lab, account):
    window = rule("DeploymentWindow", Cron="* * 10-16 ? * MON-FRI", TimeZone="Europe/Paris")   # 09:00 UTC is 10:00 in Paris
    create(lab, pipeline(account, {"beforeEntry": {"conditions": [{"result": "FAIL", "rules": [window]}]}}))
    lab.run()
    assert state_of(lab)["Deploy"] == ("InProgress", {"Release": "InProgress"})
    approve(lab, stage="Deploy", action_name="Release")
    declared = lab.client("codepipeline").get_pipeline(name="demo")["pipeline"]
    declared["stages"][2]["beforeEntry"]["conditions"][0]["rules"][0]["configuration"]["Cron"] = "* * 9-10 ? * MON"
    lab.client("codepipeline").update_pipeline(pipeline=declared)
    lab.advance(hours=4)                        # Monday 13:00: after the window
    lab.client("codepipeline").start_pipeline_execution(name="demo")
    lab.run()
    approve(lab)
    lab.run()
    assert stage_state(lab)["beforeEntryConditionState"]["latestExecution"]["status"] == "InProgress"
    lab.advance(days=6, hours=18, minutes=59)
    assert stage_state(lab)["beforeEntryConditionState"]["latestExecution"]["status"] == "InProgress"
    lab.advance(minutes=1)               # next Monday 08:00 UTC = 09:00 in Paris
    lab.run()
    assert state_of(lab)["Deploy"] == ("InProgress", {"Release": "InProgress"})
    assert lab.now.strftime("%a %H:%M") == "Mon 08:00"


def test_override_lets_the_waiting_stage_in(lab, account):
    window = rule("DeploymentWindow", Cron="* * 10-16 ? * MON-FRI")
    create(lab, pipeline(account, {"beforeEntry": {"conditions": [{"result": "FAIL", "rules": [window]}]}}))
    lab.run()
    cp = lab.client("codepipeline")
    execution_id = executions(lab)[0][0]
    assert error_of(cp.override_stage_condition, pipelineName="demo", stageName="Deploy", pipelineExecutionId=execution_id,
                    conditionType="ON_SUCCESS")["Code"] == "ValidationException"
    cp.override_stage_condition(pipelineName="demo", stageName="Deploy", pipelineExecutionId=execution_id, conditionType="BEFORE_ENTRY")
    lab.run()
    assert state_of(lab)["Deploy"] == ("InProgress", {"Release": "InProgress"})
    condition = stage_state(lab)["beforeEntryConditionState"]
    assert condition["latestExecution"]["status"] == "Overridden"
    assert condition["conditionStates"][0]["ruleStates"][0]["latestExecution"]["status"] == "Abandoned"
    assert error_of(cp.override_stage_condition, pipelineName="demo", stageName="Deploy", pipelineExecutionId=execution_id,
                    conditionType="BEFORE_ENTRY")["Code"] == "ConflictException"


# -- VariableCheck -----------------------------------------------------------------------------

def test_variable_check_skip_skips_the_stage(lab, account):
    check = rule("VariableCheck", Variable="#{SourceVariables.BranchName}", Value="release", Operator="EQ")
    declared = pipeline(account, {"beforeEntry": {"conditions": [{"result": "SKIP", "rules": [check]}]}})
    declared["stages"].append({"name": "After", "actions": [approval("Last")]})
    create(lab, declared)
    lab.run()
    assert state_of(lab)["Deploy"] == ("Skipped", {"Release": None})
    assert state_of(lab)["After"] == ("InProgress", {"Last": "InProgress"})
    cp = lab.client("codepipeline")
    assert error_of(cp.override_stage_condition, pipelineName="demo", stageName="Deploy", pipelineExecutionId=executions(lab)[0][0],
                    conditionType="BEFORE_ENTRY")["Code"] == "ConditionNotOverridableException"
    approve(lab, stage="After", action_name="Last")
    assert [s for _, s in executions(lab)] == ["Succeeded"]


@pytest.mark.parametrize("operator, value, passes", [("EQ", "main", True), ("NE", "main", False),
                                                     ("CONTAINS", "ai", True), ("MATCHES", "ma.*", True), ("MATCHES", "ai", False)])
def test_variable_check_operators_with_fail(lab, account, operator, value, passes):
    check = rule("VariableCheck", Variable="#{SourceVariables.BranchName}", Value=value, Operator=operator)
    create(lab, pipeline(account, {"beforeEntry": {"conditions": [{"result": "FAIL", "rules": [check]}]}}))
    lab.run()
    if passes:
        assert state_of(lab)["Deploy"] == ("InProgress", {"Release": "InProgress"})
        return
    assert state_of(lab)["Deploy"] == ("Failed", {"Release": None})
    summary = lab.client("codepipeline").list_pipeline_executions(pipelineName="demo")["pipelineExecutionSummaries"][0]
    assert summary["status"] == "Failed" and "entry condition failed" in summary["statusSummary"]
    rule_state = stage_state(lab)["beforeEntryConditionState"]["conditionStates"][0]["ruleStates"][0]["latestExecution"]
    assert rule_state["status"] == "Failed" and rule_state["errorDetails"]["code"] == "JobFailed"


# -- CloudWatchAlarm: the deploy breaks the alarm and the stage rolls back by itself --------------

def test_alarm_set_during_the_deploy_rolls_the_stage_back(lab, account):
    alarm(lab, "OK")
    watch = rule("CloudWatchAlarm", AlarmName="app-errors")
    deploy = {"name": "Deploy", "actionTypeId": {"category": "Compute", "owner": "AWS", "provider": "Commands", "version": "1"},
              "inputArtifacts": [{"name": "SourceOutput"}], "outputArtifacts": [], "configuration": {},
              "commands": ["if grep -q broken app.py; then aws cloudwatch set-alarm-state --alarm-name app-errors "
                           "--state-value ALARM --state-reason 'errors after deploy'; fi"]}
    declared = pipeline(account, {"onSuccess": {"conditions": [{"result": "ROLLBACK", "rules": [watch]}]}}, [deploy])
    create(lab, declared)
    lab.run()
    good = executions(lab)[0][0]
    assert [s for _, s in executions(lab)] == ["Succeeded"]
    push(lab, "app", {"app.py": "print('broken')\n"}, "A bad change")
    cp = lab.client("codepipeline")
    bad = cp.start_pipeline_execution(name="demo")["pipelineExecutionId"]
    lab.run()
    approve(lab)
    lab.run()
    assert lab.client("cloudwatch").describe_alarms(AlarmNames=["app-errors"])["MetricAlarms"][0]["StateValue"] == "ALARM"
    summaries = cp.list_pipeline_executions(pipelineName="demo")["pipelineExecutionSummaries"]
    assert [(s["executionType"], s["status"]) for s in summaries] == [("ROLLBACK", "Succeeded"), ("STANDARD", "Failed"), ("STANDARD", "Succeeded")]
    assert summaries[0]["trigger"] == {"triggerType": "AutomatedRollback", "triggerDetail": bad}
    assert summaries[0]["rollbackMetadata"] == {"rollbackTargetPipelineExecutionId": good}
    assert "success condition failed" in summaries[1]["statusSummary"] and "app-errors is ALARM" in summaries[1]["statusSummary"]
    details = cp.list_rule_executions(pipelineName="demo", filter={"pipelineExecutionId": bad})["ruleExecutionDetails"]
    assert [(d["ruleName"], d["status"], d["stageName"]) for d in details] == [("CloudWatchAlarm", "Failed", "Deploy")]
    assert details[0]["input"]["ruleTypeId"]["provider"] == "CloudWatchAlarm" and details[0]["output"]["executionResult"]["errorDetails"]


def test_alarm_wait_time_waits_for_the_alarm_to_clear(lab, account):
    alarm(lab, "ALARM")
    watch = rule("CloudWatchAlarm", AlarmName="app-errors", WaitTime="10")
    create(lab, pipeline(account, {"onSuccess": {"conditions": [{"result": "FAIL", "rules": [watch]}]}}))
    lab.run()
    approve(lab, stage="Deploy", action_name="Release")
    lab.run()
    assert stage_state(lab)["onSuccessConditionState"]["latestExecution"]["status"] == "InProgress"
    lab.advance(minutes=3)
    lab.client("cloudwatch").set_alarm_state(AlarmName="app-errors", StateValue="OK", StateReason="recovered")
    lab.advance(minutes=1)
    assert [s for _, s in executions(lab)] == ["Succeeded"]


def test_alarm_still_in_alarm_after_the_wait_fails_the_stage(lab, account):
    alarm(lab, "ALARM")
    watch = rule("CloudWatchAlarm", AlarmName="app-errors", WaitTime="5")
    create(lab, pipeline(account, {"onSuccess": {"conditions": [{"result": "FAIL", "rules": [watch]}]}}))
    lab.run()
    approve(lab, stage="Deploy", action_name="Release")
    lab.advance(minutes=6)
    assert [s for _, s in executions(lab)] == ["Failed"]
    assert state_of(lab)["Deploy"] == ("Failed", {"Release": "Succeeded"})


def test_override_of_a_success_condition_lets_the_stage_succeed(lab, account):
    alarm(lab, "ALARM")
    watch = rule("CloudWatchAlarm", AlarmName="app-errors", WaitTime="60")
    create(lab, pipeline(account, {"onSuccess": {"conditions": [{"result": "FAIL", "rules": [watch]}]}}))
    lab.run()
    approve(lab, stage="Deploy", action_name="Release")
    lab.run()
    lab.client("codepipeline").override_stage_condition(pipelineName="demo", stageName="Deploy",
                                                        pipelineExecutionId=executions(lab)[0][0], conditionType="ON_SUCCESS")
    assert [s for _, s in executions(lab)] == ["Succeeded"]
    assert stage_state(lab)["onSuccessConditionState"]["latestExecution"]["status"] == "Overridden"


# -- LambdaInvoke and Commands ----------------------------------------------------------------

def create_function(lab, name, code):
    create_service_role(lab, "LambdaRole", "lambda.amazonaws.com")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("index.py", code)
    lab.client("lambda").create_function(FunctionName=name, Runtime="python3.12", Role="arn:aws:iam::123456789012:role/LambdaRole",
                                         Handler="index.handler", Code={"ZipFile": buffer.getvalue()})


@pytest.mark.parametrize("body, passes", [("return {'ok': True}", True), ("raise RuntimeError('smoke test failed')", False)])
def test_lambda_rule(lab, account, body, passes):
    create_function(lab, "gate", f"def handler(event, context):\n    assert event['CodePipeline.rule']['userParameters'] == 'x'\n    {body}\n")
    gate = rule("LambdaInvoke", FunctionName="gate", UserParameters="x")
    create(lab, pipeline(account, {"beforeEntry": {"conditions": [{"result": "FAIL", "rules": [gate]}]}}))
    lab.run()
    assert state_of(lab)["Deploy"][0] == ("InProgress" if passes else "Failed")
    latest = stage_state(lab)["beforeEntryConditionState"]["conditionStates"][0]["ruleStates"][0]["latestExecution"]
    assert latest["status"] == ("Succeeded" if passes else "Failed")
    if not passes:
        assert "smoke test failed" in latest["errorDetails"]["message"]


@pytest.mark.parametrize("commands, outcome", [(["test -f app.py", "echo fine"], "Succeeded"), (["echo checking", "exit 2"], "Failed")])
def test_commands_rule(lab, account, commands, outcome):
    check = rule("Commands", commands=commands)
    check["inputArtifacts"] = [{"name": "SourceOutput"}]
    create(lab, pipeline(account, {"onSuccess": {"conditions": [{"result": "FAIL", "rules": [check]}]}}))
    lab.run()
    approve(lab, stage="Deploy", action_name="Release")
    lab.run()
    assert [s for _, s in executions(lab)] == [outcome]
    detail = lab.client("codepipeline").list_rule_executions(pipelineName="demo")["ruleExecutionDetails"][0]
    assert detail["status"] == outcome and detail["output"]["executionResult"]["externalExecutionId"].startswith("codepipeline-demo:")
    assert detail["input"]["inputArtifacts"][0]["name"] == "SourceOutput"


# -- the catalogue and bad declarations -------------------------------------------------------

def test_list_rule_types(lab):
    types = lab.client("codepipeline").list_rule_types(ruleOwnerFilter="AWS")["ruleTypes"]
    providers = {t["id"]["provider"] for t in types}
    assert {"CloudWatchAlarm", "DeploymentWindow", "VariableCheck", "LambdaInvoke", "Commands"} <= providers
    window = next(t for t in types if t["id"]["provider"] == "DeploymentWindow")
    assert window["id"] == {"category": "Rule", "owner": "AWS", "provider": "DeploymentWindow", "version": "1"}
    assert {p["name"]: p["required"] for p in window["ruleConfigurationProperties"]} == {"Cron": True, "TimeZone": False}


@pytest.mark.parametrize("stage_extra, first_stage, expected", [
    ({"beforeEntry": {"conditions": [{"result": "FAIL", "rules": [rule("Nope")]}]}}, False, "InvalidStageDeclarationException"),
    ({"beforeEntry": {"conditions": [{"result": "FAIL", "rules": [rule("CloudWatchAlarm")]}]}}, False, "InvalidStageDeclarationException"),
    ({"beforeEntry": {"conditions": [{"result": "SKIP", "rules": [rule("CloudWatchAlarm", AlarmName="a")]}]}}, False, "InvalidStageDeclarationException"),
    ({"beforeEntry": {"conditions": [{"result": "ROLLBACK", "rules": [rule("CloudWatchAlarm", AlarmName="a")]}]}}, False, "InvalidStageDeclarationException"),
    ({"onSuccess": {"conditions": [{"result": "SKIP", "rules": [rule("VariableCheck", Variable="a", Value="b", Operator="EQ")]}]}}, False, "InvalidStageDeclarationException"),
    ({"beforeEntry": {"conditions": [{"result": "FAIL", "rules": [rule("DeploymentWindow", Cron="0 * * * * ?")]}]}}, False, "InvalidStageDeclarationException"),
    ({"beforeEntry": {"conditions": [{"result": "FAIL", "rules": [rule("VariableCheck", Variable="a", Value="b", Operator="GT")]}]}}, False, "InvalidStageDeclarationException"),
    ({"beforeEntry": {"conditions": [{"result": "FAIL", "rules": [rule("Commands")]}]}}, False, "InvalidStageDeclarationException"),
    ({"beforeEntry": {"conditions": [{"result": "FAIL", "rules": [rule("DeploymentWindow", Cron="* * * ? * *")]}]}}, True, "InvalidStageDeclarationException"),
    ({"onSuccess": {"conditions": [{"result": "FAIL", "rules": [rule("CloudWatchAlarm", AlarmName="a", AlarmStates="RED")]}]}}, False, "InvalidStageDeclarationException"),
])
def test_bad_condition_declarations(lab, account, stage_extra, first_stage, expected):
    declared = pipeline(account, None if first_stage else stage_extra)
    if first_stage:
        declared["stages"][0].update(stage_extra)
    assert error_of(lab.client("codepipeline").create_pipeline, pipeline=declared)["Code"] == expected


def test_conditions_on_a_v1_pipeline_are_refused(lab, account):
    declared = pipeline(account, {"onSuccess": {"conditions": [{"result": "FAIL", "rules": [rule("CloudWatchAlarm", AlarmName="a")]}]}})
    declared["pipelineType"] = "V1"
    error = error_of(lab.client("codepipeline").create_pipeline, pipeline=declared)
    assert error["Code"] == "ValidationException" and "V2" in error["Message"]
