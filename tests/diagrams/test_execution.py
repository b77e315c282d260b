import pytest
from dot_helpers import edge_lines, node_line
from diagram_samples import (
    EXECUTION_1, EXECUTION_2, EXECUTION_3, action_execution, seven_stage_pipeline, stage_state, webapp_run,
)

from codepipeline_lab.diagrams import DiagramInputError, execution_view
from codepipeline_lab.diagrams.style import LEGEND_STATES, STATUS_COLOURS


def fill_of(source, node_id):
    line = node_line(source, node_id)
    return line.split('BGCOLOR="')[1].split('"')[0]  # the table's own fill comes first


def view(upto, last_status, execution_status="InProgress", **kwargs):
    return execution_view(seven_stage_pipeline(),
                          execution={"pipelineExecution": {"pipelineExecutionId": EXECUTION_1, "status": execution_status}},
                          action_executions={"actionExecutionDetails": webapp_run(EXECUTION_1, upto, last_status, **kwargs)})


@pytest.mark.parametrize("status", ["Succeeded", "InProgress", "Failed", "Abandoned"])
def test_action_is_coloured_by_its_status(status):
    source = view("Build", status).source
    assert fill_of(source, "Build.Build") == STATUS_COLOURS[status][0]
    assert f">{status}</FONT>" in node_line(source, "Build.Build")
    assert fill_of(source, "Source.Source") == STATUS_COLOURS["Succeeded"][0]


def test_actions_not_reached_are_not_yet_run():
    source = view("Build", "InProgress").source
    assert fill_of(source, "DeployProd.DeployProd") == STATUS_COLOURS["Not yet run"][0]
    assert ">Not yet run</FONT>" in node_line(source, "Test.UnitTests")


def test_an_approval_in_progress_is_waiting_for_approval():
    source = view("Approve", "InProgress").source
    assert fill_of(source, "Approval.Approve") == STATUS_COLOURS["Waiting for approval"][0]
    assert ">Waiting for approval</FONT>" in node_line(source, "Approval.Approve")


def test_failed_action_shows_its_error_and_its_stage_is_failed():
    source = view("IntegrationTests", "Failed", "Failed", error="3 tests failed").source
    assert "3 tests failed" in node_line(source, "Test.IntegrationTests")
    assert "execution 11111111-aaaa-4aaa-8aaa-000000000001: Failed" in source
    stage_block = source.split('subgraph "cluster_stage/Test"')[1].split("}")[0]
    assert STATUS_COLOURS["Failed"][1] in stage_block


def test_legend_explains_every_state():
    source = view("Build", "InProgress").source
    legend = source.split("Legend:")[1]
    for state in LEGEND_STATES:
        fill, border = STATUS_COLOURS[state]
        assert f'<TD BGCOLOR="{fill}" COLOR="{border}" BORDER="1"><FONT POINT-SIZE="9" COLOR="#263238">{state}</FONT>' in legend


def test_stopped_stage_from_pipeline_state():
    state = {"stageStates": [
        stage_state("Source", [("Source", "Succeeded")], EXECUTION_1, "Succeeded"),
        stage_state("Build", [("Build", "Abandoned")], EXECUTION_1, "Stopped"),
    ]}
    source = execution_view(seven_stage_pipeline(), execution={"pipelineExecutionId": EXECUTION_1, "status": "Stopped"},
                            state=state).source
    assert fill_of(source, "Build.Build") == STATUS_COLOURS["Abandoned"][0]
    stage_block = source.split('subgraph "cluster_stage/Build"')[1].split("}")[0]
    assert STATUS_COLOURS["Stopped"][1] in stage_block and ">Stopped</FONT>" in stage_block
    assert "execution 11111111-aaaa-4aaa-8aaa-000000000001: Stopped" in source


def test_superseded_execution_is_shown_in_front_of_the_stage_it_waited_for():
    source = view("LoadTest", "Succeeded", "Superseded").source
    marker = node_line(source, "transition/Approval")
    assert "11111111" in marker and "superseded here" in marker
    assert STATUS_COLOURS["Superseded"][0] in marker
    assert edge_lines(source, "LoadTest.LoadTest", "transition/Approval")
    assert edge_lines(source, "transition/Approval", "Approval.Approve")


def test_waiting_executions_from_state_sit_in_front_of_their_stage():
    state = {"stageStates": [
        stage_state("Source", [("Source", "Succeeded")], EXECUTION_3, "Succeeded"),
        stage_state("Approval", [("Approve", "InProgress", "token-1")], EXECUTION_2, "InProgress",
                    inbound=[{"pipelineExecutionId": EXECUTION_3, "status": "InProgress", "type": "STANDARD"}]),
        stage_state("DeployProd", [("DeployProd", None)], enabled=False, reason="Release freeze"),
    ]}
    source = execution_view(seven_stage_pipeline(), execution_id=EXECUTION_2, state=state,
                            action_executions=webapp_run(EXECUTION_2, "Approve", "InProgress")).source
    assert "waiting: 33333333" in node_line(source, "transition/Approval")
    assert fill_of(source, "Approval.Approve") == STATUS_COLOURS["Waiting for approval"][0]
    assert "transition disabled" in node_line(source, "transition/DeployProd")


def test_latest_execution_comes_from_state_when_none_is_named():
    state = {"stageStates": [stage_state("Source", [("Source", "InProgress")], EXECUTION_3, "InProgress")]}
    source = execution_view(seven_stage_pipeline(), state=state).source
    assert "execution 33333333-cccc-4ccc-8ccc-000000000003: InProgress" in source
    assert fill_of(source, "Source.Source") == STATUS_COLOURS["InProgress"][0]


def test_retried_action_shows_its_latest_attempt():
    records = [action_execution(EXECUTION_1, "Build", "Build", "Failed", minute=1),
               action_execution(EXECUTION_1, "Build", "Build", "Succeeded", minute=5)]
    source = execution_view(seven_stage_pipeline(), execution_id=EXECUTION_1, action_executions=records).source
    assert fill_of(source, "Build.Build") == STATUS_COLOURS["Succeeded"][0]


def test_other_executions_records_are_ignored():
    records = webapp_run(EXECUTION_1, "Build", "Failed") + webapp_run(EXECUTION_2, "Source", "InProgress")
    source = execution_view(seven_stage_pipeline(), execution_id=EXECUTION_2, action_executions=records).source
    assert fill_of(source, "Build.Build") == STATUS_COLOURS["Not yet run"][0]


def test_unknown_execution_raises_naming_it():
    with pytest.raises(DiagramInputError, match="'no-such-id'.*known executions: 11111111"):
        execution_view(seven_stage_pipeline(), execution_id="no-such-id", action_executions=webapp_run(EXECUTION_1, "Build"))


def test_no_execution_draws_everything_not_yet_run():
    diagram = execution_view(seven_stage_pipeline())
    assert "no execution yet" in diagram.source
    assert repr(diagram) == "<execution diagram of pipeline 'WebApp' (no execution yet; 7 stages, 8 actions)>"
