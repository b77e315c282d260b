"""EventBridge routing: events from the simulated services and from PutEvents reach the rules'
targets — SQS, SNS, CloudWatch Logs, Lambda functions and pipelines.

moto matches patterns correctly but delivers only to some target types (and raises for SNS and
Lambda), so the simulator matches with moto's own pattern matcher and delivers itself.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

from codepipeline_lab.simulator import api


@dataclass
class FailedInvocation:
    rule: str
    target: str
    reason: str


class EventRouter:
    def __init__(self, account) -> None:
        self._account = account
        self.delivered: list[tuple[str, str, dict]] = []        # (rule, target ARN, payload)
        self.failed_invocations: list[FailedInvocation] = []

    # -- putting events ----------------------------------------------------------------------
    def put_service_event(self, source: str, detail_type: str, detail: dict, region: str, resources: list[str]) -> str:
        lab = self._account.lab
        event = {
            "version": "0", "id": lab.ids.uuid(), "detail-type": detail_type, "source": source,
            "account": self._account.account_id, "time": lab.scheduler.now.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "region": region, "resources": resources, "detail": detail,
        }
        self.route(event, region, "default")
        return event["id"]

    def put_events(self, params: dict, ctx) -> dict:
        """The PutEvents API: custom events go through the same routing."""
        entries = []
        for entry in params.get("Entries", []):
            try:
                detail = json.loads(entry.get("Detail") or "{}")
            except ValueError:
                entries.append({"ErrorCode": "MalformedDetail", "ErrorMessage": "Detail is not valid JSON"})
                continue
            event_id = self._account.lab.ids.uuid()
            event = {"version": "0", "id": event_id, "detail-type": entry.get("DetailType", ""),
                     "source": entry.get("Source", ""), "account": ctx.account_id,
                     "time": self._account.lab.scheduler.now.strftime("%Y-%m-%dT%H:%M:%SZ"),
                     "region": ctx.region, "resources": entry.get("Resources", []), "detail": detail}
            self.route(event, ctx.region, _bus_name(entry.get("EventBusName") or "default"))
            entries.append({"EventId": event_id})
        return {"FailedEntryCount": sum(1 for e in entries if "ErrorCode" in e), "Entries": entries}

    # -- matching and delivering -----------------------------------------------------------------
    def route(self, event: dict, region: str, bus: str) -> None:
        for rule in api.event_rules(self._account.account_id, region, bus):
            if rule.enabled and rule.matches(event):
                for target in rule.targets:
                    self._deliver(rule.name, target, event, region)

    def _deliver(self, rule: str, target: dict, event: dict, region: str) -> None:
        arn = target["Arn"]
        payload = _transform(target, event, rule, region, self._account.account_id)
        service = arn.split(":")[2]
        deliver = getattr(self, f"_to_{service.replace('-', '_')}", None)
        if deliver is None:
            self.failed_invocations.append(FailedInvocation(rule, arn, f"the simulator does not deliver to {service} targets"))
            return
        try:
            deliver(arn, payload, target, rule)
        except Exception as problem:  # a broken target fails the invocation, as in AWS, not the caller
            self.failed_invocations.append(FailedInvocation(rule, arn, f"{type(problem).__name__}: {problem}"))
            return
        self.delivered.append((rule, arn, payload))

    def _client(self, service: str, arn: str):
        return self._account.lab.client(service, region_name=arn.split(":")[3])

    def _to_sqs(self, arn, payload, target, rule) -> None:
        sqs = self._client("sqs", arn)
        url = sqs.get_queue_url(QueueName=arn.split(":")[5], QueueOwnerAWSAccountId=arn.split(":")[4])["QueueUrl"]
        sqs.send_message(QueueUrl=url, MessageBody=_text(payload))

    def _to_sns(self, arn, payload, target, rule) -> None:
        self._client("sns", arn).publish(TopicArn=arn, Message=_text(payload))

    def _to_logs(self, arn, payload, target, rule) -> None:
        group = arn.split(":log-group:")[1].removesuffix(":*")
        region = arn.split(":")[3]
        if not self._client("logs", arn).describe_log_groups(logGroupNamePrefix=group)["logGroups"]:
            raise LookupError(f"the log group {group} does not exist")
        # written at the virtual time: moto's PutLogEvents would drop events dated in 2025
        api.write_log_events(self._account.account_id, region, group, f"events-{rule}",
                             [(self._account.lab.scheduler.now, _text(payload))])

    def _to_codepipeline(self, arn, payload, target, rule) -> None:
        if not target.get("RoleArn"):
            raise PermissionError("the target has no RoleArn: EventBridge needs a role allowed codepipeline:StartPipelineExecution")
        self._account.start_pipeline_from_event(arn, rule)

    def _to_lambda(self, arn, payload, target, rule) -> None:
        invoke = getattr(self._account, "invoke_lambda_async", None)
        if invoke is None:
            raise NotImplementedError("Lambda functions do not run in this simulator yet")
        invoke(arn, _as_event(payload))


def _bus_name(name_or_arn: str) -> str:
    return name_or_arn.split("/")[-1] if name_or_arn.startswith("arn:") else name_or_arn


def _text(payload) -> str:
    return payload if isinstance(payload, str) else json.dumps(payload)


def _transform(target: dict, event: dict, rule: str = "", region: str = "", account: str = ""):
    """What the target receives, as EventBridge builds it: the event itself (a JSON object), or
    ``Input`` (a constant JSON text, delivered as written), ``InputPath`` (the JSON at a path of
    the event) or ``InputTransformer`` (InputPathsMap values put into InputTemplate). The three
    options give text; the target delivers text as it is (SQS, SNS, Logs) or parses it (Lambda)."""
    if target.get("Input"):
        return target["Input"]
    if target.get("InputPath"):
        return json.dumps(_at_path(event, target["InputPath"]))
    transformer = target.get("InputTransformer")
    if transformer:
        values = {name: _at_path(event, path) for name, path in (transformer.get("InputPathsMap") or {}).items()}
        values.update({"aws.events.rule-name": rule, "aws.events.rule-arn": f"arn:aws:events:{region}:{account}:rule/{rule}",
                       "aws.events.event.ingestion-time": event.get("time"),
                       "aws.events.event": {k: v for k, v in event.items() if k != "detail"}, "aws.events.event.json": event})
        return _fill(transformer.get("InputTemplate") or "", values)
    return event


_MISSING = object()


def _at_path(value, path: str):
    """A JSON path in EventBridge's dot notation ($.detail.state, $.resources[0]); None when absent."""
    for part in re.findall(r"[^.\[\]]+|\[\d+\]", path.removeprefix("$")):
        if part.startswith("[") and isinstance(value, list):
            index = int(part[1:-1])
            value = value[index] if index < len(value) else None
        elif isinstance(value, dict):
            value = value.get(part)
        else:
            value = None
    return value


def _fill(template: str, values: dict) -> str:
    """Put each <name> of ``values`` into the template. In a JSON template (one that starts with
    { or [) a placeholder outside quotes becomes the value as JSON ("RUNNING" with its quotes, a
    number, an object), one inside a string becomes the value's text. In a string template
    every placeholder becomes the value's text. A path the event lacks gives null (our choice)."""
    is_json = template.lstrip().startswith(("{", "["))
    out, in_string, i = [], False, 0
    while i < len(template):
        char = template[i]
        if char == "\\" and i + 1 < len(template):
            out.append(template[i:i + 2])
            i += 2
            continue
        if char == '"':
            in_string = not in_string
        elif char == "<":
            end = template.find(">", i)
            name = template[i + 1:end] if end > 0 else None
            if name in values:
                value = values[name]
                if is_json and not in_string:
                    out.append(json.dumps(value))
                elif isinstance(value, str):
                    out.append(json.dumps(value)[1:-1] if is_json else value)
                else:
                    out.append(json.dumps(value))
                i = end + 1
                continue
        out.append(char)
        i += 1
    return "".join(out)


def _as_event(payload):
    """A Lambda function receives the payload parsed as JSON (a string template that is not JSON
    arrives as a JSON string)."""
    if not isinstance(payload, str):
        return payload
    try:
        return json.loads(payload)
    except ValueError:
        return payload
