"""The audit trail on its own: records built by hand, rendered as CloudTrail does, and LookupEvents' rules."""

import json
from datetime import datetime, timedelta, timezone

import pytest

from codepipeline_lab.ids import IdFactory
from codepipeline_lab.simulator import errors
from codepipeline_lab.simulator.identity.audit_trail import AuditTrail, HIDDEN, is_read_only
from codepipeline_lab.simulator.identity.calls import ApiCall
from codepipeline_lab.simulator.identity.principals import Principal, root
from codepipeline_lab.simulator.services.cloudtrail.lookup import lookup_events

ACCOUNT = "123456789012"
START = datetime(2025, 1, 6, 9, 0, 0, 250_000, tzinfo=timezone.utc)

ALICE = Principal("IAMUser", f"arn:aws:iam::{ACCOUNT}:user/alice", ACCOUNT, "AIDAALICE", "AKIAALICE", user_name="alice")
PIPELINE_ROLE = Principal(
    "AssumedRole", f"arn:aws:sts::{ACCOUNT}:assumed-role/pipeline-role/1736154000000", ACCOUNT,
    "AROAPIPELINE:1736154000000", "ASIAPIPELINE", role_arn=f"arn:aws:iam::{ACCOUNT}:role/pipeline-role",
    role_id="AROAPIPELINE", session_name="1736154000000", session_created="2025-01-06T09:00:00Z",
    invoked_by="codepipeline.amazonaws.com")


class Clock:
    def __init__(self):
        self.now = START

    def __call__(self):
        return self.now


@pytest.fixture
def clock():
    return Clock()


@pytest.fixture
def audit(clock):
    return AuditTrail(clock, IdFactory(0))


def call(operation="UpdatePipeline", service="codepipeline", principal=ALICE, region="us-east-1", **kwargs):
    return ApiCall(service, operation, region, ACCOUNT, principal, **kwargs)


def lookup(audit, clock, region="us-east-1", **params):
    return lookup_events(audit, params, region, ACCOUNT, clock.now)


def names(response):
    return [event["EventName"] for event in response["Events"]]


# -- rendering -------------------------------------------------------------------------------

def test_a_mutating_call_renders_every_cloudtrail_field(audit):
    audit.record(call(parameters={"pipeline": {"name": "demo", "version": 1}},
                      resources=[f"arn:aws:codepipeline:us-east-1:{ACCOUNT}:demo"]))
    record = audit.records()[0]
    assert record["eventVersion"] == "1.08"
    assert record["userIdentity"] == ALICE.user_identity()
    assert record["eventTime"] == "2025-01-06T09:00:00Z"
    assert record["eventSource"] == "codepipeline.amazonaws.com"
    assert record["eventName"] == "UpdatePipeline"
    assert record["awsRegion"] == "us-east-1"
    assert record["sourceIPAddress"] == "127.0.0.1" and record["userAgent"] == "Boto3"
    assert record["requestParameters"] == {"pipeline": {"name": "demo", "version": 1}}
    assert record["responseElements"] is None     # no response was kept by the caller
    assert record["readOnly"] is False
    assert record["eventType"] == "AwsApiCall" and record["managementEvent"] is True
    assert record["eventCategory"] == "Management" and record["recipientAccountId"] == ACCOUNT
    assert record["resources"] == [{"accountId": ACCOUNT, "type": "AWS::CodePipeline::Pipeline",
                                    "ARN": f"arn:aws:codepipeline:us-east-1:{ACCOUNT}:demo"}]
    assert len(record["eventID"]) == 36 and len(record["requestID"]) == 36
    assert "errorCode" not in record


def test_ids_are_repeatable_for_the_same_seed_and_differ_between_records(clock):
    first, second = AuditTrail(clock, IdFactory(7)), AuditTrail(clock, IdFactory(7))
    for audit in (first, second):
        audit.record(call())
        audit.record(call())
    assert [r["eventID"] for r in first.records()] == [r["eventID"] for r in second.records()]
    assert first.records()[0]["eventID"] != first.records()[1]["eventID"]
    assert first.records()[0]["requestID"] != first.records()[0]["eventID"]


def test_recording_does_not_draw_from_the_labs_id_generator(clock):
    ids, untouched = IdFactory(3), IdFactory(3)
    audit = AuditTrail(clock, ids)
    for _ in range(10):
        audit.record(call())
    assert ids.uuid() == untouched.uuid()


def test_a_denied_call_has_error_code_and_message_and_no_response(audit):
    audit.record(call("StartPipelineExecution", parameters={"name": "demo"}, error_code="AccessDeniedException",
                      error_message="User: alice is not authorized"))
    record = audit.records()[0]
    assert record["errorCode"] == "AccessDeniedException"
    assert record["errorMessage"] == "User: alice is not authorized"
    assert record["responseElements"] is None


def test_an_assumed_role_session_shows_its_issuer_and_the_service_that_acted(audit):
    audit.record(call("GetObject", service="s3", principal=PIPELINE_ROLE, source_ip="codepipeline.amazonaws.com",
                      resources=["arn:aws:s3:::artifacts/demo/Source/abc.zip"]))
    identity = audit.records()[0]["userIdentity"]
    assert identity["type"] == "AssumedRole"
    assert identity["sessionContext"]["sessionIssuer"]["arn"] == f"arn:aws:iam::{ACCOUNT}:role/pipeline-role"
    assert identity["invokedBy"] == "codepipeline.amazonaws.com"
    assert audit.records()[0]["sourceIPAddress"] == "codepipeline.amazonaws.com"


def test_s3_object_operations_are_data_events_with_bucket_name_and_key(audit):
    audit.record(call("PutObject", service="s3", resources=["arn:aws:s3:::src/app.zip"], parameters={"Body": b"zip"}))
    record = audit.records()[0]
    assert record["eventCategory"] == "Data" and record["managementEvent"] is False
    assert record["requestParameters"] == {"bucketName": "src", "Host": "src.s3.us-east-1.amazonaws.com", "key": "app.zip"}
    assert [r["type"] for r in record["resources"]] == ["AWS::S3::Object", "AWS::S3::Bucket"]


def test_lambda_invoke_is_a_data_event_and_create_bucket_a_management_event(audit):
    audit.record(call("Invoke", service="lambda", parameters={"FunctionName": "f", "Payload": b"{}"}))
    audit.record(call("CreateBucket", service="s3", resources=["arn:aws:s3:::b"]))
    invoke, create = audit.records()
    assert invoke["eventCategory"] == "Data" and invoke["requestParameters"] == {"functionName": "f"}
    assert create["eventCategory"] == "Management"


def test_request_parameters_drop_bodies_hide_secrets_and_are_null_when_empty(audit):
    audit.record(call("PutFile", service="codecommit", parameters={"repositoryName": "app", "fileContent": b"x"}))
    audit.record(call("UpdateFunctionConfiguration", service="lambda",
                      parameters={"FunctionName": "f", "Environment": {"Variables": {"TOKEN": "s3cret"}}}))
    audit.record(call("ListPipelines"))
    put_file, update, listing = audit.records()
    assert put_file["requestParameters"] == {"repositoryName": "app"}
    assert update["requestParameters"] == {"functionName": "f", "environment": {"variables": HIDDEN}}
    assert listing["requestParameters"] is None


def test_iam_events_are_global_recorded_in_us_east_1_without_query_form_fields(audit):
    audit.record(call("CreateUser", service="iam", region="eu-west-1",
                      parameters={"Action": "CreateUser", "Version": "2010-05-08", "UserName": "bob"}))
    record = audit.records()[0]
    assert record["awsRegion"] == "us-east-1" and record["eventSource"] == "iam.amazonaws.com"
    assert record["requestParameters"] == {"userName": "bob"}


@pytest.mark.parametrize("service, source", [("cloudwatch", "monitoring.amazonaws.com"), ("logs", "logs.amazonaws.com"),
                                             ("events", "events.amazonaws.com"), ("stepfunctions", "states.amazonaws.com")])
def test_event_sources_follow_aws_names(audit, service, source):
    audit.record(call("DoSomething", service=service))
    assert audit.records()[0]["eventSource"] == source


@pytest.mark.parametrize("operation, read_only", [
    ("GetPipeline", True), ("ListPipelines", True), ("DescribeTrails", True), ("HeadObject", True),
    ("LookupEvents", True), ("BatchGetBuilds", True), ("SearchResources", True),
    ("UpdatePipeline", False), ("PutObject", False), ("Getaway", False), ("StartPipelineExecution", False)])
def test_the_read_only_rule_is_the_operations_verb(operation, read_only):
    assert is_read_only(operation) is read_only


def test_a_read_only_call_has_no_response_elements_even_when_one_was_kept(audit):
    kept = call("GetPipeline")
    kept.response = {"pipeline": {"name": "demo"}}
    changed = call("CreatePipeline")
    changed.response = {"pipeline": {"name": "demo"}}
    audit.record(kept)
    audit.record(changed)
    assert [r["responseElements"] for r in audit.records()] == [None, {"pipeline": {"name": "demo"}}]


def test_subscribers_hear_every_record(audit):
    heard = []
    audit.subscribe(heard.append)
    audit.record(call())
    assert [entry.event_name for entry in heard] == ["UpdatePipeline"]


# -- LookupEvents ----------------------------------------------------------------------------

def test_lookup_returns_management_events_of_the_region_newest_first(audit, clock):
    audit.record(call("CreatePipeline"))
    clock.now += timedelta(minutes=1)
    audit.record(call("PutObject", service="s3", resources=["arn:aws:s3:::b/k"]))
    audit.record(call("UpdatePipeline"))
    audit.record(call("CreatePipeline", region="eu-west-1"))
    response = lookup(audit, clock)
    assert names(response) == ["UpdatePipeline", "CreatePipeline"]
    assert "NextToken" not in response
    event = response["Events"][0]
    assert event["EventTime"] == START.replace(microsecond=0) + timedelta(minutes=1)
    assert event["ReadOnly"] == "false" and event["Username"] == "alice" and event["AccessKeyId"] == "AKIAALICE"
    assert json.loads(event["CloudTrailEvent"])["eventID"] == event["EventId"]
    assert names(lookup(audit, clock, region="eu-west-1")) == ["CreatePipeline"]


def test_global_service_events_are_found_in_us_east_1_only(audit, clock):
    audit.record(call("CreateRole", service="iam", region="eu-west-1"))
    assert names(lookup(audit, clock, region="us-east-1")) == ["CreateRole"]
    assert names(lookup(audit, clock, region="eu-west-1")) == []


def test_usernames_as_cloudtrail_shows_them(audit, clock):
    audit.record(call("GetObject", service="s3", principal=PIPELINE_ROLE))      # data: not listed
    audit.record(call("PutJobSuccessResult", principal=PIPELINE_ROLE))
    audit.record(call("ListPipelines", principal=root(ACCOUNT)))
    assert [e["Username"] for e in lookup(audit, clock)["Events"]] == ["root", "1736154000000"]


@pytest.mark.parametrize("key, value, expected", [
    ("EventName", "DeletePipeline", ["DeletePipeline"]),
    ("ReadOnly", "true", ["GetPipeline"]),
    ("ReadOnly", "false", ["DeletePipeline", "UpdatePipeline"]),
    ("Username", "1736154000000", ["GetPipeline"]),
    ("AccessKeyId", "AKIAALICE", ["DeletePipeline", "UpdatePipeline"]),
    ("EventSource", "codepipeline.amazonaws.com", ["DeletePipeline", "GetPipeline", "UpdatePipeline"]),
    ("ResourceType", "AWS::CodePipeline::Pipeline", ["DeletePipeline"]),
    ("ResourceName", "old", ["DeletePipeline"]),
    ("ResourceName", f"arn:aws:codepipeline:us-east-1:{ACCOUNT}:old", ["DeletePipeline"]),
    ("EventName", "deletepipeline", []),     # values are case-sensitive
])
def test_each_lookup_attribute(audit, clock, key, value, expected):
    audit.record(call("UpdatePipeline"))
    audit.record(call("GetPipeline", principal=PIPELINE_ROLE))
    audit.record(call("DeletePipeline", resources=[f"arn:aws:codepipeline:us-east-1:{ACCOUNT}:old"]))
    response = lookup(audit, clock, LookupAttributes=[{"AttributeKey": key, "AttributeValue": value}])
    assert names(response) == expected


def test_lookup_by_event_id(audit, clock):
    audit.record(call("CreatePipeline"))
    audit.record(call("UpdatePipeline"))
    wanted = audit.event_id(audit.entries[0])
    response = lookup(audit, clock, LookupAttributes=[{"AttributeKey": "EventId", "AttributeValue": wanted}])
    assert names(response) == ["CreatePipeline"]


def test_start_and_end_time_bound_the_events(audit, clock):
    for minute, name in enumerate(["First", "Second", "Third"]):
        clock.now = START + timedelta(minutes=10 * minute)
        audit.record(call(f"Create{name}"))
    base = START.replace(microsecond=0)
    response = lookup(audit, clock, StartTime=base + timedelta(minutes=5), EndTime=(base + timedelta(minutes=20)).timestamp())
    assert names(response) == ["CreateThird", "CreateSecond"]


def test_events_older_than_90_days_are_gone(audit, clock):
    audit.record(call("CreateOld"))
    clock.now = START + timedelta(days=89)
    audit.record(call("CreateRecent"))
    assert names(lookup(audit, clock)) == ["CreateRecent", "CreateOld"]
    clock.now = START + timedelta(days=91)
    assert names(lookup(audit, clock, StartTime=START - timedelta(days=1))) == ["CreateRecent"]


def test_pages_of_max_results_with_a_next_token(audit, clock):
    for n in range(5):
        audit.record(call(f"Create{n}"))
    first = lookup(audit, clock, MaxResults=2)
    audit.record(call("CreateLater"))         # a new event does not shift the pages
    second = lookup(audit, clock, MaxResults=2, NextToken=first["NextToken"])
    third = lookup(audit, clock, MaxResults=2, NextToken=second["NextToken"])
    assert names(first) + names(second) + names(third) == ["Create4", "Create3", "Create2", "Create1", "Create0"]
    assert "NextToken" not in third


def test_the_default_page_holds_50_events(audit, clock):
    for n in range(51):
        audit.record(call(f"Create{n}"))
    response = lookup(audit, clock)
    assert len(response["Events"]) == 50 and "NextToken" in response


def test_the_lookup_does_not_list_records_from_upto_on(audit, clock):
    audit.record(call("CreatePipeline"))
    audit.record(call("LookupEvents", service="cloudtrail"))
    response = lookup_events(audit, {}, "us-east-1", ACCOUNT, clock.now, upto=1)
    assert names(response) == ["CreatePipeline"]


# -- LookupEvents errors ---------------------------------------------------------------------

def test_more_than_one_lookup_attribute_is_refused(audit, clock):
    with pytest.raises(errors.InvalidLookupAttributesException):
        lookup(audit, clock, LookupAttributes=[{"AttributeKey": "EventName", "AttributeValue": "A"},
                                               {"AttributeKey": "ReadOnly", "AttributeValue": "true"}])


@pytest.mark.parametrize("attribute", [{"AttributeKey": "UserName", "AttributeValue": "alice"},
                                       {"AttributeKey": "EventName", "AttributeValue": ""},
                                       {"AttributeKey": "EventName", "AttributeValue": "x" * 2001}])
def test_unknown_keys_and_bad_values_are_refused(audit, clock, attribute):
    with pytest.raises(errors.InvalidLookupAttributesException):
        lookup(audit, clock, LookupAttributes=[attribute])


def test_start_after_end_is_an_invalid_time_range(audit, clock):
    with pytest.raises(errors.InvalidTimeRangeException):
        lookup(audit, clock, StartTime=START, EndTime=START - timedelta(seconds=1))


@pytest.mark.parametrize("max_results", [0, 51, "10"])
def test_max_results_must_be_1_to_50(audit, clock, max_results):
    with pytest.raises(errors.InvalidMaxResultsException):
        lookup(audit, clock, MaxResults=max_results)


def test_a_next_token_with_other_parameters_is_refused(audit, clock):
    for n in range(3):
        audit.record(call(f"Create{n}"))
    token = lookup(audit, clock, MaxResults=1)["NextToken"]
    with pytest.raises(errors.InvalidNextTokenException):
        lookup(audit, clock, MaxResults=1, NextToken=token,
               LookupAttributes=[{"AttributeKey": "EventName", "AttributeValue": "Create1"}])
    assert names(lookup(audit, clock, MaxResults=5, NextToken=token)) == ["Create1", "Create0"]   # only MaxResults may change


def test_a_made_up_next_token_is_refused(audit, clock):
    with pytest.raises(errors.InvalidNextTokenException):
        lookup(audit, clock, NextToken="not-a-token")


def test_event_category_is_insight_or_nothing(audit, clock):
    audit.record(call())
    assert lookup(audit, clock, EventCategory="insight") == {"Events": []}
    with pytest.raises(errors.InvalidEventCategoryException):
        lookup(audit, clock, EventCategory="management")
