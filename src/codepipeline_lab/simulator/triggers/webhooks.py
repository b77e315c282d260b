"""CodePipeline webhooks (the GitHub version 1 way of starting a pipeline, facts §C):
PutWebhook, ListWebhooks, DeleteWebhook, RegisterWebhookWithThirdParty,
DeregisterWebhookWithThirdParty, and what happens when a request reaches a webhook's URL.

Each webhook's ``url`` is a real HTTP endpoint on 127.0.0.1, served by the Lab while it runs
(``outside/webhook_server.py``). A POST is accepted when it passes the webhook's
authentication — ``GITHUB_HMAC`` (GitHub's ``X-Hub-Signature-256: sha256=<hex>`` or legacy
``X-Hub-Signature: sha1=<hex>`` of the raw body with the secret, compared in constant time),
``IP`` (the sender's address in ``AllowedIPRange``) or ``UNAUTHENTICATED`` — and every filter:
the value its JSONPath selects in the JSON body equals ``matchEquals``, in which ``{Key}`` is
replaced by the target action's configuration value (``refs/heads/{Branch}``). An accepted
request starts the pipeline with trigger ``Webhook`` and the webhook's ARN as its detail.

The secret never leaves the simulator: responses show ``authenticationConfiguration`` without
``SecretToken``.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import json
import re
from dataclasses import dataclass, field
from datetime import datetime

from jsonpath_ng import parse as parse_jsonpath
from jsonpath_ng.exceptions import JsonPathParserError

from codepipeline_lab.simulator import errors
from codepipeline_lab.simulator.errors import _error
from codepipeline_lab.simulator.pagination import paginate
from codepipeline_lab.simulator.params import required
from codepipeline_lab.simulator.shapes import check, shape

InvalidWebhookFilterPatternException = _error("InvalidWebhookFilterPatternException")
InvalidWebhookAuthenticationParametersException = _error("InvalidWebhookAuthenticationParametersException")
WebhookNotFoundException = _error("WebhookNotFoundException")
LimitExceededException = _error("LimitExceededException")

MAX_WEBHOOKS_PER_REGION = 300       # facts §C
_PLACEHOLDER = re.compile(r"\{([A-Za-z0-9_]+)\}")


@dataclass
class Webhook:
    region: str
    account_id: str
    definition: dict            # as given, secret included
    arn: str
    token: str                  # the URL's ``t``: a webhook re-created with the same name gets a new one
    tags: list = field(default_factory=list)
    last_triggered: datetime | None = None
    registered: bool = False    # RegisterWebhookWithThirdParty was called (no third party is contacted)

    @property
    def name(self) -> str:
        return self.definition["name"]


@dataclass
class Answer:
    """What the webhook's URL answers: an HTTP status and a short JSON message."""
    status: int
    message: str
    execution_id: str | None = None

    def body(self) -> bytes:
        shown = {"message": self.message}
        if self.execution_id:
            shown["pipelineExecutionId"] = self.execution_id
        return json.dumps(shown).encode()


class Webhooks:
    def __init__(self, account) -> None:
        self._account = account
        self._by_name: dict[tuple[str, str], Webhook] = {}
        self._by_token: dict[str, Webhook] = {}

    # -- the API --------------------------------------------------------------------------------
    def operations(self) -> dict:
        return {"put_webhook": self.put_webhook, "list_webhooks": self.list_webhooks,
                "delete_webhook": self.delete_webhook,
                "register_webhook_with_third_party": self.register_webhook_with_third_party,
                "deregister_webhook_with_third_party": self.deregister_webhook_with_third_party}

    def put_webhook(self, params: dict, ctx) -> dict:
        definition = required(params, "webhook")
        problems = check(definition, shape("WebhookDefinition"), "webhook")
        if problems:
            more = f" ({len(problems) - 1} more problem(s))" if len(problems) > 1 else ""
            raise errors.ValidationException(f"{problems[0].path}: {problems[0].message}{more}")
        _check_authentication(definition)
        _check_filters(definition["filters"])
        pipeline = self._account.pipelines.get(ctx.region, definition["targetPipeline"])
        first_stage = (pipeline.declaration.get("stages") or [{}])[0]
        if definition["targetAction"] not in [a["name"] for a in first_stage.get("actions", [])]:
            raise errors.ValidationException(
                f"webhook.targetAction: pipeline {pipeline.name} has no action named {definition['targetAction']} "
                f"in its first stage ({first_stage.get('name')}); a webhook starts a pipeline through a source action")
        existing = self._by_name.get((ctx.region, definition["name"]))
        if existing is None and sum(1 for (region, _) in self._by_name if region == ctx.region) >= MAX_WEBHOOKS_PER_REGION:
            raise LimitExceededException(f"An account can have at most {MAX_WEBHOOKS_PER_REGION} webhooks in a Region")
        token = existing.token if existing else self._account.lab.ids.hex(32)
        webhook = Webhook(ctx.region, ctx.account_id, json.loads(json.dumps(definition)),
                          f"arn:aws:codepipeline:{ctx.region}:{ctx.account_id}:webhook:{definition['name']}", token,
                          params.get("tags") or (existing.tags if existing else []),
                          existing.last_triggered if existing else None, existing.registered if existing else False)
        self._by_name[(ctx.region, webhook.name)] = webhook
        self._by_token[token] = webhook
        return {"webhook": self._item(webhook)}

    def list_webhooks(self, params: dict, ctx) -> dict:
        found = sorted((w for (region, _), w in self._by_name.items() if region == ctx.region), key=lambda w: w.name)
        page, token = paginate(found, params.get("NextToken"), params.get("MaxResults"))
        answer = {"webhooks": [self._item(w) for w in page]}
        if token:
            answer["NextToken"] = token
        return answer

    def delete_webhook(self, params: dict, ctx) -> dict:
        """Deleting a webhook that does not exist succeeds (AWS documents this)."""
        webhook = self._by_name.pop((ctx.region, required(params, "name")), None)
        if webhook is not None:
            self._by_token.pop(webhook.token, None)
        return {}

    def register_webhook_with_third_party(self, params: dict, ctx) -> dict:
        self._named(ctx, params.get("webhookName")).registered = True
        return {}

    def deregister_webhook_with_third_party(self, params: dict, ctx) -> dict:
        self._named(ctx, params.get("webhookName")).registered = False
        return {}

    def _named(self, ctx, name) -> Webhook:
        webhook = self._by_name.get((ctx.region, name))
        if webhook is None:
            raise WebhookNotFoundException(f"There is no webhook named {name} in {ctx.region}")
        return webhook

    def _item(self, webhook: Webhook) -> dict:
        definition = json.loads(json.dumps(webhook.definition))
        definition["authenticationConfiguration"].pop("SecretToken", None)     # never shown
        item = {"definition": definition, "url": self.url(webhook), "arn": webhook.arn}
        if webhook.last_triggered is not None:
            item["lastTriggered"] = webhook.last_triggered
        if webhook.tags:
            item["tags"] = webhook.tags
        return item

    def url(self, webhook: Webhook) -> str:
        return f"{self._account.lab.webhook_listener_url}/trigger?t={webhook.token}&v=1"

    # -- a request at a webhook's URL (on the listener's thread, under its lock) -----------------
    def receive(self, token: str | None, headers: dict[str, str], body: bytes, client_ip: str) -> Answer:
        webhook = self._by_token.get(token or "")
        if webhook is None:
            return Answer(404, "No webhook has this URL (it may have been deleted)")
        refusal = _authentication_refusal(webhook, {k.lower(): v for k, v in headers.items()}, body, client_ip)
        if refusal:
            return Answer(403, refusal)
        try:
            payload = json.loads(body.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            return Answer(400, "The request body is not valid JSON")
        pipeline = self._account.pipelines.find(webhook.region, webhook.definition["targetPipeline"])
        if pipeline is None:
            return Answer(404, f"The webhook's pipeline {webhook.definition['targetPipeline']} does not exist")
        action = _action(pipeline.declaration, webhook.definition["targetAction"])
        mismatch = _filter_mismatch(webhook.definition["filters"], payload, (action or {}).get("configuration") or {})
        if mismatch:
            return Answer(400, f"Ignored: {mismatch}")
        execution = self._account.engine.start_execution(pipeline, {"triggerType": "Webhook", "triggerDetail": webhook.arn})
        webhook.last_triggered = self._account.lab.scheduler.now
        return Answer(200, f"Started pipeline {pipeline.name}", execution.id)


# -- checks at PutWebhook ------------------------------------------------------------------------

def _check_authentication(definition: dict) -> None:
    kind, config = definition["authentication"], definition["authenticationConfiguration"]
    if kind == "GITHUB_HMAC":
        if not config.get("SecretToken") or config.get("AllowedIPRange"):
            raise InvalidWebhookAuthenticationParametersException(
                "For GITHUB_HMAC authentication set only SecretToken in authenticationConfiguration")
    elif kind == "IP":
        if not config.get("AllowedIPRange") or config.get("SecretToken"):
            raise InvalidWebhookAuthenticationParametersException(
                "For IP authentication set only AllowedIPRange in authenticationConfiguration")
        try:
            ipaddress.ip_network(config["AllowedIPRange"], strict=False)
        except ValueError:
            raise InvalidWebhookAuthenticationParametersException(
                f"AllowedIPRange {config['AllowedIPRange']!r} is not a CIDR range such as 192.0.2.0/24") from None
    elif config.get("SecretToken") or config.get("AllowedIPRange"):
        raise InvalidWebhookAuthenticationParametersException(
            "UNAUTHENTICATED webhooks take no SecretToken or AllowedIPRange")


def _check_filters(filters: list) -> None:
    for index, rule in enumerate(filters):
        path = rule["jsonPath"]
        try:
            if not path.startswith("$"):
                raise JsonPathParserError("a JSONPath starts with $")
            parse_jsonpath(path)
        except Exception as problem:     # jsonpath-ng raises JsonPathLexerError, JsonPathParserError …
            raise InvalidWebhookFilterPatternException(
                f"webhook.filters[{index}].jsonPath: {path!r} is not a valid JsonPath expression ({problem})") from None


# -- checks at each request ------------------------------------------------------------------------

def _authentication_refusal(webhook: Webhook, headers: dict, body: bytes, client_ip: str) -> str | None:
    kind, config = webhook.definition["authentication"], webhook.definition["authenticationConfiguration"]
    if kind == "GITHUB_HMAC":
        secret = config["SecretToken"].encode()
        for header, algorithm in (("x-hub-signature-256", hashlib.sha256), ("x-hub-signature", hashlib.sha1)):
            sent = headers.get(header)
            if sent is not None:
                expected = f"{header_prefix(algorithm)}={hmac.new(secret, body, algorithm).hexdigest()}"
                if hmac.compare_digest(sent.strip().encode(), expected.encode()):
                    return None
                return f"The {header} signature does not match the body signed with the webhook's secret"
        return "The request has no X-Hub-Signature-256 (or X-Hub-Signature) header"
    if kind == "IP":
        try:
            inside = ipaddress.ip_address(client_ip) in ipaddress.ip_network(config["AllowedIPRange"], strict=False)
        except ValueError:
            inside = False
        return None if inside else f"The sender's address {client_ip} is outside {config['AllowedIPRange']}"
    return None


def header_prefix(algorithm) -> str:
    return "sha256" if algorithm is hashlib.sha256 else "sha1"


def _action(declaration: dict, name: str) -> dict | None:
    stages = declaration.get("stages") or [{}]
    return next((a for a in stages[0].get("actions", []) if a["name"] == name), None)


def _filter_mismatch(filters: list, payload, configuration: dict) -> str | None:
    """Why the payload fails a filter (None when every filter matches)."""
    for rule in filters:
        found = [_as_text(match.value) for match in parse_jsonpath(rule["jsonPath"]).find(payload)]
        wanted = rule.get("matchEquals")
        if wanted is None:
            if not found:
                return f"{rule['jsonPath']} selects nothing in the body"
            continue
        wanted = _PLACEHOLDER.sub(lambda m: str(configuration.get(m.group(1), m.group(0))), wanted)
        if wanted not in found:
            shown = found[0] if len(found) == 1 else found
            return f"{rule['jsonPath']} is {shown!r}, not {wanted!r}"
    return None


def _as_text(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (dict, list)):
        return json.dumps(value)
    return "null" if value is None else str(value)
