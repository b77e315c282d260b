import json

import pytest
from dot_helpers import edge_lines, node_line
from diagram_samples import EVENT_TARGETS, SUBSCRIPTIONS, commit_rule, failure_rule

from codepipeline_lab.diagrams import DiagramInputError, event_flow
from codepipeline_lab.diagrams.events import summarise_pattern

PIPELINE = "target/arn_aws_codepipeline_us-east-1_123456789012_WebApp"
TOPIC = "target/arn_aws_sns_us-east-1_123456789012_pipeline-alerts"


def test_commit_rule_goes_from_codecommit_through_the_bus_to_the_pipeline():
    source = event_flow([commit_rule()], targets=EVENT_TARGETS).source
    codecommit = "source/aws.codecommit/webapp"
    assert "<B>CodeCommit</B>" in node_line(source, codecommit)
    assert edge_lines(source, codecommit, "bus/default")
    assert edge_lines(source, "bus/default", "rule/webapp-on-push")
    rule = node_line(source, "rule/webapp-on-push")
    assert "detail.referenceName: main" in rule
    assert "detail.event: referenceCreated, referenceUpdated" in rule
    assert "detail-type: CodeCommit Repository State Change" in rule
    [edge] = edge_lines(source, "rule/webapp-on-push", PIPELINE)
    assert "role" in edge
    assert "<B>WebApp</B>" in node_line(source, PIPELINE) and "pipeline" in node_line(source, PIPELINE)


def test_failure_rule_goes_to_an_sns_topic_and_its_email_subscription():
    source = event_flow({"Rules": [failure_rule()]}, targets=EVENT_TARGETS, subscriptions=SUBSCRIPTIONS).source
    assert "detail.state: FAILED" in node_line(source, "rule/webapp-failed")
    assert "SNS topic" in node_line(source, TOPIC)
    assert edge_lines(source, TOPIC, "endpoint/email/team@example.com")


def test_all_rules_share_one_bus_and_are_sorted_by_name():
    diagram = event_flow([failure_rule(), commit_rule()], targets=EVENT_TARGETS)
    source = diagram.source
    assert sum(line.strip().startswith('"bus/default" [') for line in source.splitlines()) == 1
    assert source.index("rule/webapp-failed") < source.index("rule/webapp-on-push")
    assert repr(diagram) == "<event flow diagram of 2 rules>"


def test_one_rule_by_name_and_an_unknown_one():
    diagram = event_flow([failure_rule(), commit_rule()], targets=EVENT_TARGETS, rule_name="webapp-failed")
    assert "webapp-on-push" not in diagram.source
    with pytest.raises(DiagramInputError, match="no EventBridge rule named 'nope'"):
        event_flow([failure_rule()], rule_name="nope")


def test_disabled_rule_is_dashed():
    rule = dict(commit_rule(), State="DISABLED")
    source = event_flow([rule]).source
    assert "rule (DISABLED)" in node_line(source, "rule/webapp-on-push")
    assert "style=dashed" in edge_lines(source, "bus/default", "rule/webapp-on-push")[0]


def test_pattern_summary_handles_content_filters():
    pattern = {"detail": {"state": [{"anything-but": ["SUCCEEDED"]}], "stage": [{"prefix": "Deploy"}]}}
    assert summarise_pattern(pattern) == ['detail.stage: prefix "Deploy"',
                                          'detail.state: anything-but ["SUCCEEDED"]']


def test_bad_pattern_json_raises_naming_the_rule():
    rule = dict(commit_rule(), EventPattern="{not json")
    with pytest.raises(DiagramInputError, match="'webapp-on-push' has an EventPattern that is not JSON"):
        event_flow([rule])


def test_scheduled_rule_has_a_schedule_as_source():
    rule = {"Name": "nightly", "ScheduleExpression": "cron(0 2 * * ? *)", "State": "ENABLED", "EventBusName": "default"}
    source = event_flow([rule]).source
    assert "cron(0 2 * * ? *)" in node_line(source, "schedule/cron(0 2 * * ? *)")
    assert json  # keep the import for readers building patterns by hand
