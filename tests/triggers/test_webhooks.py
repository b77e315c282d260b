import hashlib
import hmac
import json
import socket
import urllib.error
import urllib.request

import pytest
from botocore.exceptions import ClientError

from codepipeline_lab import Lab
from codepipeline_lab.setup_helpers import create_bucket, create_service_role, push

from triggers_kit import codecommit_polling, triggers

SECRET = "s3cr3t-token-for-tests"
PUSH = {"ref": "refs/heads/main", "repository": {"name": "app"}}


def _webhook(authentication="GITHUB_HMAC", config=None, filters=None, name="demo-hook"):
    return {"name": name, "targetPipeline": "demo", "targetAction": "Source",
            "filters": filters if filters is not None else [{"jsonPath": "$.ref", "matchEquals": "refs/heads/{BranchName}"}],
            "authentication": authentication,
            "authenticationConfiguration": config if config is not None else {"SecretToken": SECRET}}


def _post(url, body: bytes, headers=None):
    request = urllib.request.Request(url, data=body, method="POST", headers={"Content-Type": "application/json", **(headers or {})})
    try:
        with urllib.request.urlopen(request, timeout=10) as answer:
            return answer.status, json.loads(answer.read())
    except urllib.error.HTTPError as refused:
        return refused.code, json.loads(refused.read())


def _signed(body: bytes, secret=SECRET, header="X-Hub-Signature-256"):
    algorithm = hashlib.sha256 if header.endswith("256") else hashlib.sha1
    prefix = "sha256" if algorithm is hashlib.sha256 else "sha1"
    return {header: f"{prefix}={hmac.new(secret.encode(), body, algorithm).hexdigest()}"}


@pytest.fixture
def hooked(lab, account):
    lab.client("codepipeline").create_pipeline(pipeline=codecommit_polling(account, poll="false"))
    lab.run()
    return lab


def test_put_webhook_answers_aws_shape_without_the_secret(hooked):
    cp = hooked.client("codepipeline")
    item = cp.put_webhook(webhook=_webhook(), tags=[{"key": "team", "value": "web"}])["webhook"]
    assert item["arn"] == "arn:aws:codepipeline:us-east-1:123456789012:webhook:demo-hook"
    assert item["url"].startswith("http://127.0.0.1:") and "/trigger?t=" in item["url"]
    assert "SecretToken" not in item["definition"]["authenticationConfiguration"]
    [listed] = cp.list_webhooks()["webhooks"]
    assert listed["url"] == item["url"] and "SecretToken" not in listed["definition"]["authenticationConfiguration"]
    assert SECRET not in json.dumps(hooked.account.audit.records())
    cp.register_webhook_with_third_party(webhookName="demo-hook")
    cp.deregister_webhook_with_third_party(webhookName="demo-hook")
    cp.delete_webhook(name="demo-hook")
    cp.delete_webhook(name="demo-hook")             # already gone: still succeeds
    assert cp.list_webhooks()["webhooks"] == []
    with pytest.raises(ClientError) as missing:
        cp.register_webhook_with_third_party(webhookName="demo-hook")
    assert missing.value.response["Error"]["Code"] == "WebhookNotFoundException"


def test_a_signed_matching_push_starts_the_pipeline(hooked):
    url = hooked.client("codepipeline").put_webhook(webhook=_webhook())["webhook"]["url"]
    body = json.dumps(PUSH).encode()
    status, answer = _post(url, body, _signed(body))
    assert status == 200 and answer["pipelineExecutionId"]
    summary = hooked.client("codepipeline").list_pipeline_executions(pipelineName="demo")["pipelineExecutionSummaries"][0]
    assert summary["trigger"] == {"triggerType": "Webhook",
                                  "triggerDetail": "arn:aws:codepipeline:us-east-1:123456789012:webhook:demo-hook"}
    status, _ = _post(url, body, _signed(body, header="X-Hub-Signature"))        # GitHub's legacy SHA-1 header
    assert status == 200
    assert triggers(hooked) == ["CreatePipeline", "Webhook", "Webhook"]
    assert hooked.client("codepipeline").list_webhooks()["webhooks"][0]["lastTriggered"]


@pytest.mark.parametrize("headers", [{}, {"X-Hub-Signature-256": "sha256=" + "0" * 64}, "wrong-secret"])
def test_a_forged_or_missing_signature_is_refused(hooked, headers):
    url = hooked.client("codepipeline").put_webhook(webhook=_webhook())["webhook"]["url"]
    body = json.dumps(PUSH).encode()
    if headers == "wrong-secret":
        headers = _signed(body, secret="guessed")
    status, _ = _post(url, body, headers)
    assert status == 403
    assert triggers(hooked) == ["CreatePipeline"]


def test_ip_authentication_checks_the_sender_address(hooked):
    cp = hooked.client("codepipeline")
    inside = cp.put_webhook(webhook=_webhook("IP", {"AllowedIPRange": "127.0.0.0/8"}, name="local"))["webhook"]["url"]
    outside = cp.put_webhook(webhook=_webhook("IP", {"AllowedIPRange": "192.0.2.0/24"}, name="far"))["webhook"]["url"]
    body = json.dumps(PUSH).encode()
    assert _post(outside, body)[0] == 403
    assert _post(inside, body)[0] == 200
    assert triggers(hooked) == ["CreatePipeline", "Webhook"]


def test_unauthenticated_webhook_still_applies_filters(hooked):
    url = hooked.client("codepipeline").put_webhook(webhook=_webhook("UNAUTHENTICATED", {}))["webhook"]["url"]
    status, answer = _post(url, json.dumps({"ref": "refs/heads/feature"}).encode())
    assert status == 400 and "refs/heads/main" in answer["message"]
    assert _post(url, b"{not json")[0] == 400
    assert _post(url, json.dumps(PUSH).encode())[0] == 200
    assert triggers(hooked) == ["CreatePipeline", "Webhook"]


def test_put_webhook_refuses_bad_filters_and_authentication(hooked):
    cp = hooked.client("codepipeline")
    cases = [(_webhook(filters=[{"jsonPath": "$.ref[", "matchEquals": "x"}]), "InvalidWebhookFilterPatternException"),
             (_webhook("GITHUB_HMAC", {}), "InvalidWebhookAuthenticationParametersException"),
             (_webhook("IP", {"AllowedIPRange": "not-a-cidr"}), "InvalidWebhookAuthenticationParametersException"),
             ({**_webhook(), "targetPipeline": "nope"}, "PipelineNotFoundException"),
             ({**_webhook(), "targetAction": "Approval"}, "ValidationException")]
    for definition, code in cases:
        with pytest.raises(ClientError) as refused:
            cp.put_webhook(webhook=definition)
        assert refused.value.response["Error"]["Code"] == code, definition
    assert cp.list_webhooks()["webhooks"] == []


def test_stopping_the_lab_closes_the_webhook_listener():
    with Lab(seed=0) as lab:
        role = create_service_role(lab)
        create_bucket(lab, "demo-artifacts")
        lab.client("codecommit").create_repository(repositoryName="app")
        push(lab, "app", {"a.txt": "a"}, "first")
        lab.client("codepipeline").create_pipeline(pipeline=codecommit_polling(role, poll="false"))
        url = lab.client("codepipeline").put_webhook(webhook=_webhook("UNAUTHENTICATED", {}))["webhook"]["url"]
        port = int(url.split(":")[2].split("/")[0])
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", port), timeout=2).close()
