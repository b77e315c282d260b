"""CloudTrail through boto3 in a Lab: LookupEvents over the account's calls, and trails delivering
gzipped log files to S3 on virtual time."""

import gzip
import json
import re
from datetime import timedelta

import pytest
from botocore.exceptions import ClientError

from codepipeline_lab import Lab
from codepipeline_lab.setup_helpers import create_bucket, create_user
from codepipeline_lab.simulator.identity.calls import ApiCall
from codepipeline_lab.simulator.identity.principals import Principal

ACCOUNT = "123456789012"
KEY = re.compile(r"^(?:(?P<prefix>.+)/)?AWSLogs/(?P<account>\d{12})/CloudTrail/(?P<region>[a-z0-9-]+)/(?P<date>\d{4}/\d{2}/\d{2})/"
                 r"(?P=account)_CloudTrail_(?P=region)_(?P<stamp>\d{8}T\d{4}Z)_[A-Za-z0-9]{16}\.json\.gz$")
ROLE_SESSION = Principal(
    "AssumedRole", f"arn:aws:sts::{ACCOUNT}:assumed-role/build-role/AWSCodeBuild-1", ACCOUNT, "AROABUILD:AWSCodeBuild-1",
    "ASIABUILD", role_arn=f"arn:aws:iam::{ACCOUNT}:role/build-role", role_id="AROABUILD", session_name="AWSCodeBuild-1",
    session_created="2025-01-06T09:00:00Z", invoked_by="codebuild.amazonaws.com")


@pytest.fixture
def ct(lab):
    return lab.client("cloudtrail")


def event_names(response):
    return [event["EventName"] for event in response["Events"]]


def error_code(excinfo):
    return excinfo.value.response["Error"]["Code"]


def logging_trail(lab, name="main", bucket="trail-logs", **options):
    create_bucket(lab, bucket)
    ct = lab.client("cloudtrail")
    ct.create_trail(Name=name, S3BucketName=bucket, **options)
    ct.start_logging(Name=name)
    return ct


def delivered(lab, bucket="trail-logs"):
    """{key: records} of every log file in the bucket."""
    s3 = lab.client("s3")
    files = {}
    for listed in s3.list_objects_v2(Bucket=bucket).get("Contents", []):
        body = s3.get_object(Bucket=bucket, Key=listed["Key"])["Body"].read()
        files[listed["Key"]] = json.loads(gzip.decompress(body))["Records"]
    return files


def delivered_names(lab, bucket="trail-logs"):
    return [record["eventName"] for records in delivered(lab, bucket).values() for record in records]


# -- LookupEvents --------------------------------------------------------------------------------

def test_real_calls_appear_in_lookup_events(lab, ct):
    lab.client("codecommit").create_repository(repositoryName="app")
    lab.client("iam").create_user(UserName="bob")
    events = ct.lookup_events()["Events"]
    assert event_names({"Events": events})[:2] == ["CreateUser", "CreateRepository"]
    record = json.loads(events[1]["CloudTrailEvent"])
    assert record["eventSource"] == "codecommit.amazonaws.com"
    assert record["requestParameters"] == {"repositoryName": "app"}
    assert record["userIdentity"]["type"] == "Root" and events[1]["Username"] == "root"
    assert events[1]["EventTime"] == lab.now


def test_an_iam_users_calls_carry_the_user_name_and_access_key(lab, ct):
    key, secret = create_user(lab, "alice", [{"Effect": "Allow", "Action": "codecommit:*", "Resource": "*"}])
    lab.client("codecommit", credentials=(key, secret)).create_repository(repositoryName="mine")
    found = ct.lookup_events(LookupAttributes=[{"AttributeKey": "Username", "AttributeValue": "alice"}])["Events"]
    assert event_names({"Events": found}) == ["CreateRepository"]
    assert found[0]["AccessKeyId"] == key
    assert json.loads(found[0]["CloudTrailEvent"])["userIdentity"]["userName"] == "alice"


def test_a_denied_call_is_in_the_trail_with_its_error(lab, ct):
    key, secret = create_user(lab, "carol", [{"Effect": "Allow", "Action": "codecommit:GetRepository", "Resource": "*"}])
    with pytest.raises(ClientError):
        lab.client("codecommit", credentials=(key, secret)).create_repository(repositoryName="nope")
    found = ct.lookup_events(LookupAttributes=[{"AttributeKey": "Username", "AttributeValue": "carol"}])["Events"]
    record = json.loads(found[0]["CloudTrailEvent"])
    assert record["errorCode"] and record["errorMessage"] and record["responseElements"] is None


def test_lookup_events_does_not_list_itself(ct):
    assert ct.lookup_events()["Events"] == []
    assert event_names(ct.lookup_events()) == ["LookupEvents"]


def test_records_fed_by_hand_are_found_with_their_session_name(lab, ct):
    lab.account.audit.record(ApiCall("codebuild", "StartBuild", "us-east-1", ACCOUNT, ROLE_SESSION,
                                     resources=[f"arn:aws:codebuild:us-east-1:{ACCOUNT}:project/build"]))
    found = ct.lookup_events(LookupAttributes=[{"AttributeKey": "ResourceName", "AttributeValue": "build"}])["Events"]
    assert found[0]["Username"] == "AWSCodeBuild-1"
    assert found[0]["Resources"] == [{"ResourceType": "AWS::CodeBuild::Project", "ResourceName": "build"}]


def test_data_events_never_appear_in_lookup_events(lab, ct):
    create_bucket(lab, "src")
    lab.client("s3").put_object(Bucket="src", Key="app.zip", Body=b"zip")
    names = event_names(ct.lookup_events())
    assert "CreateBucket" in names and "PutObject" not in names


def test_lookup_events_pages_with_next_token(lab, ct):
    for n in range(3):
        lab.client("codecommit").create_repository(repositoryName=f"repo{n}")
    attribute = [{"AttributeKey": "EventName", "AttributeValue": "CreateRepository"}]
    first = ct.lookup_events(LookupAttributes=attribute, MaxResults=2)
    second = ct.lookup_events(LookupAttributes=attribute, MaxResults=2, NextToken=first["NextToken"])
    names = [json.loads(e["CloudTrailEvent"])["requestParameters"]["repositoryName"] for e in first["Events"] + second["Events"]]
    assert names == ["repo2", "repo1", "repo0"] and "NextToken" not in second


@pytest.mark.parametrize("params, code", [
    ({"LookupAttributes": [{"AttributeKey": "EventName", "AttributeValue": "A"},
                           {"AttributeKey": "EventName", "AttributeValue": "B"}]}, "InvalidLookupAttributesException"),
    ({"LookupAttributes": [{"AttributeKey": "Bucket", "AttributeValue": "A"}]}, "InvalidLookupAttributesException"),
    ({"MaxResults": 51}, "InvalidMaxResultsException"),
    ({"NextToken": "bogus"}, "InvalidNextTokenException"),
    ({"EventCategory": "data"}, "InvalidEventCategoryException"),
])
def test_lookup_events_errors_reach_boto3_with_aws_codes(ct, params, code):
    with pytest.raises(ClientError) as excinfo:
        ct.lookup_events(**params)
    assert error_code(excinfo) == code


def test_start_after_end_is_an_invalid_time_range(lab, ct):
    with pytest.raises(ClientError) as excinfo:
        ct.lookup_events(StartTime=lab.now, EndTime=lab.now - timedelta(hours=1))
    assert error_code(excinfo) == "InvalidTimeRangeException"


def test_a_next_token_reused_with_other_filters_is_refused(lab, ct):
    for n in range(3):
        lab.client("codecommit").create_repository(repositoryName=f"repo{n}")
    token = ct.lookup_events(MaxResults=1)["NextToken"]
    with pytest.raises(ClientError) as excinfo:
        ct.lookup_events(MaxResults=1, NextToken=token, StartTime=lab.now - timedelta(days=1))
    assert error_code(excinfo) == "InvalidNextTokenException"


def test_events_leave_lookup_after_90_virtual_days(lab, ct):
    lab.client("codecommit").create_repository(repositoryName="app")
    lab.advance(days=91)
    assert "CreateRepository" not in event_names(ct.lookup_events())


def test_events_are_looked_up_in_their_region(lab):
    lab.client("codecommit", region_name="eu-west-1").create_repository(repositoryName="app")
    assert "CreateRepository" in event_names(lab.client("cloudtrail", region_name="eu-west-1").lookup_events())
    assert "CreateRepository" not in event_names(lab.client("cloudtrail").lookup_events())


# -- trails ---------------------------------------------------------------------------------------

def test_a_logging_trail_delivers_gzipped_records_after_5_virtual_minutes(lab):
    logging_trail(lab)
    lab.client("codecommit").create_repository(repositoryName="app")
    lab.advance(minutes=4)
    assert delivered(lab) == {}
    lab.advance(minutes=1)
    files = delivered(lab)
    assert len(files) == 1
    key, records = next(iter(files.items()))
    match = KEY.match(key)
    assert match and match["account"] == ACCOUNT and match["region"] == "us-east-1"
    assert match["prefix"] is None and match["date"] == "2025/01/06" and match["stamp"] == "20250106T0905Z"
    assert "CreateRepository" in [r["eventName"] for r in records]
    assert all(r["eventVersion"] == "1.08" and r["recipientAccountId"] == ACCOUNT for r in records)


def test_log_files_use_the_trails_key_prefix(lab):
    logging_trail(lab, S3KeyPrefix="audit/prod")
    lab.client("codecommit").create_repository(repositoryName="app")
    lab.advance(minutes=5)
    assert [KEY.match(key)["prefix"] for key in delivered(lab)] == ["audit/prod"]


def test_delivery_leaves_no_records_of_its_own(lab):
    logging_trail(lab)
    before = len(lab.account.audit.entries)
    lab.advance(minutes=5)
    assert len(lab.account.audit.entries) == before


def test_only_records_made_while_logging_are_delivered(lab):
    create_bucket(lab, "trail-logs")
    ct = lab.client("cloudtrail")
    ct.create_trail(Name="main", S3BucketName="trail-logs")
    lab.client("codecommit").create_repository(repositoryName="before")
    ct.start_logging(Name="main")
    lab.client("codecommit").create_repository(repositoryName="during")
    ct.stop_logging(Name="main")
    lab.client("codecommit").create_repository(repositoryName="after")
    lab.advance(minutes=5)
    repositories = [r["requestParameters"]["repositoryName"] for records in delivered(lab).values()
                    for r in records if r["eventName"] == "CreateRepository"]
    assert repositories == ["during"]


def test_no_data_events_without_data_selectors(lab):
    logging_trail(lab)
    create_bucket(lab, "src")
    lab.client("s3").put_object(Bucket="src", Key="app.zip", Body=b"zip")
    lab.advance(minutes=5)
    names = delivered_names(lab)
    assert "CreateBucket" in names and "PutObject" not in names


def test_basic_selectors_log_s3_data_events_of_the_selected_prefix(lab):
    ct = logging_trail(lab)
    ct.put_event_selectors(TrailName="main", EventSelectors=[{
        "ReadWriteType": "WriteOnly", "IncludeManagementEvents": False,
        "DataResources": [{"Type": "AWS::S3::Object", "Values": ["arn:aws:s3:::src/releases/"]}]}])
    create_bucket(lab, "src")
    s3 = lab.client("s3")
    s3.put_object(Bucket="src", Key="releases/app.zip", Body=b"zip")
    s3.put_object(Bucket="src", Key="scratch/notes.txt", Body=b"x")
    s3.get_object(Bucket="src", Key="releases/app.zip")
    lab.advance(minutes=5)
    records = [r for records in delivered(lab).values() for r in records]
    assert [(r["eventName"], r["requestParameters"]["key"]) for r in records] == [("PutObject", "releases/app.zip")]
    assert records[0]["eventCategory"] == "Data" and records[0]["requestParameters"]["bucketName"] == "src"


def test_advanced_selectors_choose_data_and_management_events(lab):
    ct = logging_trail(lab)
    ct.put_event_selectors(TrailName="main", AdvancedEventSelectors=[
        {"Name": "writes to src", "FieldSelectors": [
            {"Field": "eventCategory", "Equals": ["Data"]},
            {"Field": "resources.type", "Equals": ["AWS::S3::Object"]},
            {"Field": "resources.ARN", "StartsWith": ["arn:aws:s3:::src/"]},
            {"Field": "readOnly", "Equals": ["false"]}]},
        {"Name": "management writes", "FieldSelectors": [
            {"Field": "eventCategory", "Equals": ["Management"]},
            {"Field": "readOnly", "Equals": ["false"]}]}])
    create_bucket(lab, "src")
    create_bucket(lab, "other")
    s3 = lab.client("s3")
    s3.put_object(Bucket="src", Key="app.zip", Body=b"zip")
    s3.put_object(Bucket="other", Key="app.zip", Body=b"zip")
    s3.list_buckets()
    lab.advance(minutes=5)
    names = delivered_names(lab)
    assert names.count("PutObject") == 1 and names.count("CreateBucket") == 2 and "ListBuckets" not in names


def test_read_only_selector_delivers_reads_only(lab):
    ct = logging_trail(lab)
    ct.put_event_selectors(TrailName="main", EventSelectors=[{"ReadWriteType": "ReadOnly", "IncludeManagementEvents": True}])
    lab.client("codecommit").create_repository(repositoryName="app")
    lab.client("codecommit").get_repository(repositoryName="app")
    lab.advance(minutes=5)
    names = delivered_names(lab)
    assert "GetRepository" in names and "CreateRepository" not in names


def test_a_multi_region_trail_delivers_each_regions_file(lab):
    logging_trail(lab, IsMultiRegionTrail=True)
    lab.client("codecommit", region_name="eu-west-1").create_repository(repositoryName="app")
    lab.client("codecommit").create_repository(repositoryName="app")
    lab.advance(minutes=5)
    regions = {KEY.match(key)["region"] for key in delivered(lab)}
    assert regions == {"us-east-1", "eu-west-1"}


def test_a_single_region_trail_ignores_other_regions(lab):
    logging_trail(lab)
    lab.client("codecommit", region_name="eu-west-1").create_repository(repositoryName="app")
    lab.advance(minutes=5)
    assert "CreateRepository" not in delivered_names(lab)


def test_global_service_events_only_with_include_global_service_events(lab):
    logging_trail(lab, name="with-global", bucket="with-global")
    logging_trail(lab, name="without-global", bucket="without-global", IncludeGlobalServiceEvents=False)
    lab.client("iam").create_user(UserName="bob")
    lab.advance(minutes=5)
    assert "CreateUser" in delivered_names(lab, "with-global")
    assert "CreateUser" not in delivered_names(lab, "without-global")


def test_get_trail_status_on_the_virtual_clock(lab):
    ct = logging_trail(lab)
    started = lab.now
    lab.client("codecommit").create_repository(repositoryName="app")
    lab.advance(minutes=5)
    status = ct.get_trail_status(Name="main")
    assert status["IsLogging"] is True
    assert status["StartLoggingTime"] == started
    assert status["LatestDeliveryTime"] == started + timedelta(minutes=5)
    lab.advance(hours=1)
    ct.stop_logging(Name="main")
    status = ct.get_trail_status(Name="main")
    assert status["IsLogging"] is False and status["StopLoggingTime"] == started + timedelta(hours=1, minutes=5)


def test_an_unknown_trail_is_not_found(ct):
    for operation in (ct.start_logging, ct.stop_logging, ct.get_trail_status):
        with pytest.raises(ClientError) as excinfo:
            operation(Name="missing")
        assert error_code(excinfo) == "TrailNotFoundException"


def test_delivery_is_repeatable_for_the_same_seed():
    def run():
        with Lab(seed=4) as lab:
            logging_trail(lab)
            lab.client("codecommit").create_repository(repositoryName="app")
            lab.advance(minutes=5)
            return {key: [r["eventID"] for r in records] for key, records in delivered(lab).items()}
    assert run() == run()
