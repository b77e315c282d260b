"""Nothing inside a Lab may reach a real endpoint or use the learner's credentials."""

import socket

import boto3
import pytest

from codepipeline_lab import Lab
from codepipeline_lab.sandbox import RealAwsRequestBlocked
from codepipeline_lab.setup_helpers import create_bucket, create_service_role
from builders import declaration


@pytest.fixture
def connections(monkeypatch):
    """Record every socket connection attempt, refusing anything but loopback and local sockets."""
    attempts = []
    original = socket.socket.connect

    def guarded(self, address):
        attempts.append(address)
        host = address[0] if isinstance(address, tuple) else "unix"
        if host not in ("unix", "127.0.0.1", "::1", "localhost"):
            raise AssertionError(f"network connection attempted to {address}")
        return original(self, address)

    monkeypatch.setattr(socket.socket, "connect", guarded)
    return attempts


def test_a_lab_session_opens_no_network_connection(connections, monkeypatch):
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIAREALLOOKINGKEY01")
    monkeypatch.setenv("AWS_PROFILE", "production")
    with Lab() as lab:
        role = create_service_role(lab)
        create_bucket(lab, "demo-artifacts")
        lab.client("codepipeline").create_pipeline(pipeline=declaration(role))
        boto3.client("s3").list_objects_v2(Bucket="demo-artifacts")
        lab.client("sqs").create_queue(QueueName="q")
    assert [a for a in connections if not (isinstance(a, tuple) and a[0] in ("127.0.0.1", "::1"))] == []


def test_an_endpoint_outside_moto_is_refused(connections):
    with Lab():
        with pytest.raises(RealAwsRequestBlocked, match="blocked a request to https://example.com"):
            boto3.client("s3", endpoint_url="https://example.com").list_buckets()
    assert connections == []


def test_requests_carry_the_fake_key_not_the_learners(monkeypatch):
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIAREALLOOKINGKEY01")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "real-secret")
    seen = []
    with Lab():
        client = boto3.client("s3")
        client.meta.events.register("before-send", lambda request, **_: seen.append(request.headers["Authorization"]))
        client.list_buckets()
    assert seen and all(b"AKIAREALLOOKINGKEY01" not in (h if isinstance(h, bytes) else h.encode()) for h in seen)
