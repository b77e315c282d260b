from datetime import timedelta

from codepipeline_lab.setup_helpers import create_bucket, push
from codepipeline_lab.simulator.triggers.polling import POLL_INTERVAL

from triggers_kit import calls, codecommit_polling, pipeline, rule_to_pipeline, s3_source, triggers


def test_polling_starts_one_execution_per_change_and_none_without(lab, account):
    cp = lab.client("codepipeline")
    cp.create_pipeline(pipeline=codecommit_polling(account))        # PollForSourceChanges omitted
    lab.run()
    lab.advance(minutes=5)
    assert triggers(lab) == ["CreatePipeline"]
    push(lab, "app", {"app.py": "print(2)\n"}, "two")
    assert triggers(lab) == ["CreatePipeline"]          # nothing until the next check
    lab.advance(POLL_INTERVAL)
    assert triggers(lab) == ["CreatePipeline", "PollForSourceChanges"]
    lab.advance(minutes=10)
    assert triggers(lab) == ["CreatePipeline", "PollForSourceChanges"]
    summary = cp.list_pipeline_executions(pipelineName="demo")["pipelineExecutionSummaries"][0]
    assert summary["trigger"]["triggerDetail"] == "Source"


def test_each_check_is_a_get_branch_call_by_the_pipeline_role(lab, account):
    lab.client("codepipeline").create_pipeline(pipeline=codecommit_polling(account, poll="true"))
    lab.run()
    before = calls(lab, "GetBranch")
    lab.advance(minutes=10)
    assert calls(lab, "GetBranch") - before == 10
    event = lab.client("cloudtrail").lookup_events(
        LookupAttributes=[{"AttributeKey": "EventName", "AttributeValue": "GetBranch"}], MaxResults=1)["Events"][0]
    assert event["Username"].isdigit()          # CodePipeline's role session (named by epoch milliseconds)


def test_an_event_rule_makes_no_calls_until_something_changes(lab, account):
    lab.client("codepipeline").create_pipeline(pipeline=codecommit_polling(account, poll="false"))
    rule_to_pipeline(lab, "on-push", {"source": ["aws.codecommit"], "detail": {"referenceName": ["main"]}})
    lab.run()
    before = calls(lab, "GetBranch")
    lab.advance(minutes=10)
    assert calls(lab, "GetBranch") == before
    assert triggers(lab) == ["CreatePipeline"]


def test_polling_left_on_beside_a_rule_starts_twice_per_change(lab, account):
    lab.client("codepipeline").create_pipeline(pipeline=codecommit_polling(account))
    rule_to_pipeline(lab, "on-push", {"source": ["aws.codecommit"], "detail": {"referenceName": ["main"]}})
    lab.run()
    push(lab, "app", {"app.py": "print(2)\n"}, "two")
    lab.advance(POLL_INTERVAL)
    assert triggers(lab) == ["CreatePipeline", "CloudWatchEvent", "PollForSourceChanges"]


def test_turning_polling_off_or_deleting_the_pipeline_stops_the_schedule(lab, account):
    cp = lab.client("codepipeline")
    cp.create_pipeline(pipeline=codecommit_polling(account))
    lab.run()
    assert ("us-east-1", "demo") in lab.account.polling.schedules
    cp.update_pipeline(pipeline=codecommit_polling(account, poll="false"))
    assert lab.account.polling.schedules == {}
    push(lab, "app", {"app.py": "print(2)\n"}, "two")
    lab.advance(minutes=5)
    assert triggers(lab) == ["CreatePipeline"]
    cp.update_pipeline(pipeline=codecommit_polling(account, poll="true"))
    cp.delete_pipeline(name="demo")
    before = calls(lab, "GetBranch")
    lab.advance(minutes=5)
    assert calls(lab, "GetBranch") == before


def test_polling_timers_do_not_keep_run_busy(lab, account):
    lab.client("codepipeline").create_pipeline(pipeline=codecommit_polling(account))
    start = lab.now
    lab.run()                       # returns: the polling schedule is a timer, not work
    assert lab.now - start < timedelta(minutes=1)


def test_an_s3_source_polls_with_head_object(lab, account):
    create_bucket(lab, "source-bucket", versioned=True)
    s3 = lab.client("s3")
    s3.put_object(Bucket="source-bucket", Key="app.zip", Body=b"one")
    lab.client("codepipeline").create_pipeline(pipeline=pipeline(account, s3_source(poll=None)))
    lab.run()
    def reads():        # S3 data events: in the audit trail and a trail's log, not in LookupEvents
        return sum(1 for e in lab.account.audit.entries
                   if e.call.service == "s3" and e.call.operation in ("HeadObject", "GetObject") and e.call.principal.role_arn == account)
    before = reads()
    lab.advance(minutes=3)
    assert reads() - before == 3
    version = s3.put_object(Bucket="source-bucket", Key="app.zip", Body=b"two")["VersionId"]
    lab.advance(POLL_INTERVAL)
    lab.run()
    assert triggers(lab) == ["CreatePipeline", "PollForSourceChanges"]
    newest = lab.client("codepipeline").list_pipeline_executions(pipelineName="demo")["pipelineExecutionSummaries"][0]
    assert newest["sourceRevisions"][0]["revisionId"] == version
