"""The Lab's contract: sandbox, clients, clock, ids, and no state left behind."""

import os
from datetime import timedelta

import boto3
import pytest

from codepipeline_lab import Lab
from codepipeline_lab.clock import EPOCH
from codepipeline_lab.setup_helpers import create_bucket, create_service_role
from builders import declaration

REAL_LOOKING = {"AWS_ACCESS_KEY_ID": "AKIAREALLOOKINGKEY01", "AWS_SECRET_ACCESS_KEY": "real/secret/value",
                "AWS_PROFILE": "production", "AWS_ENDPOINT_URL": "https://example.invalid", "AWS_CONFIG_FILE": "/tmp/real-config"}


def test_context_manager_and_explicit_start_stop():
    lab = Lab(seed=1)
    assert "stopped" in repr(lab)
    lab.start()
    assert lab.client("s3").list_buckets()["Buckets"] == []
    lab.stop()
    with pytest.raises(RuntimeError, match="not running"):
        lab.client("s3")
    with Lab() as again:
        assert "running" in repr(again) and "0x" not in repr(again)


def test_leaving_the_lab_leaves_no_state():
    with Lab() as lab:
        create_bucket(lab, "left-behind")
    with Lab() as lab:
        assert lab.client("s3").list_buckets()["Buckets"] == []


def test_real_credentials_are_ignored_inside_and_restored_after(monkeypatch):
    for name, value in REAL_LOOKING.items():
        monkeypatch.setenv(name, value)
    with Lab():
        for name in REAL_LOOKING:
            assert os.environ.get(name) != REAL_LOOKING[name]
        credentials = boto3.session.Session().get_credentials()
        assert credentials.access_key != REAL_LOOKING["AWS_ACCESS_KEY_ID"]
        # a plain client, as a learner writes it, reaches the simulated account, not the endpoint variable
        assert boto3.client("sts").get_caller_identity()["Account"] == "123456789012"
    for name, value in REAL_LOOKING.items():
        assert os.environ[name] == value


def test_plain_boto3_client_reaches_the_same_account():
    with Lab() as lab:
        create_bucket(lab, "shared-bucket")
        assert [b["Name"] for b in boto3.client("s3").list_buckets()["Buckets"]] == ["shared-bucket"]


def test_account_id_and_region():
    with Lab(region="eu-west-1", account_id="111122223333") as lab:
        assert lab.client("sts").get_caller_identity()["Account"] == "111122223333"
        assert lab.client("s3").meta.region_name == "eu-west-1"
        assert lab.client("s3", region_name="us-east-2").meta.region_name == "us-east-2"


def test_bad_arguments_are_explained():
    with pytest.raises(ValueError, match="12 digits"):
        Lab(account_id="123")
    with Lab() as lab:
        with pytest.raises(TypeError, match="timedelta or keyword"):
            lab.advance(timedelta(hours=1), hours=1)
        with pytest.raises(TypeError, match="keywords are those of datetime.timedelta"):
            lab.advance(weeks_and_days=3)
        with pytest.raises(ValueError, match="forward only"):
            lab.advance(hours=-1)


def test_virtual_clock_starts_at_a_fixed_instant_and_advances():
    with Lab() as lab:
        assert lab.now == EPOCH and lab.now.tzinfo is not None
        lab.advance(hours=2)
        lab.advance(timedelta(minutes=30))
        assert lab.now == EPOCH + timedelta(hours=2, minutes=30)
        lab.run()  # nothing pending: harmless
        assert lab.now == EPOCH + timedelta(hours=2, minutes=30)


def test_starting_a_second_lab_stops_the_first():
    first = Lab().start()
    second = Lab().start()
    with pytest.raises(RuntimeError, match="not running"):
        first.client("s3")
    second.stop()


def snapshot(seed):
    with Lab(seed=seed) as lab:
        arn = create_service_role(lab)
        role_id = lab.client("iam").get_role(RoleName="CodePipelineServiceRole")["Role"]["RoleId"]
        create_bucket(lab, "demo-artifacts", versioned=True)
        version = lab.client("s3").put_object(Bucket="demo-artifacts", Key="k", Body=b"x")["VersionId"]
        cp = lab.client("codepipeline")
        cp.create_pipeline(pipeline=declaration(arn))
        lab.advance(minutes=5)
        cp.update_pipeline(pipeline=declaration(arn))
        metadata = cp.get_pipeline(name="demo")["metadata"]
        return arn, role_id, version, metadata


def test_same_seed_same_ids_and_timestamps():
    assert snapshot(7) == snapshot(7)


def test_other_seed_other_ids():
    assert snapshot(7)[1] != snapshot(8)[1]
