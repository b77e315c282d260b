"""Event flow: event source → event bus → rule (pattern summarised) → targets (issue item 4).

Drawn from EventBridge's answers: `list_rules()["Rules"]` (EventPattern is a JSON string),
`list_targets_by_rule()["Targets"]`, and for SNS targets `list_subscriptions_by_topic()`.
"""

from __future__ import annotations

import json
from html import escape

import graphviz

from codepipeline_lab.diagrams import labels
from codepipeline_lab.diagrams.diagram import Diagram
from codepipeline_lab.diagrams.errors import DiagramInputError
from codepipeline_lab.diagrams.node_ids import node_id
from codepipeline_lab.diagrams.stages import new_graph
from codepipeline_lab.diagrams.style import INK, MUTED

LINE_CHARS = 60
SOURCE_FILL, BUS_FILL, RULE_FILL, TARGET_FILL, ENDPOINT_FILL = "#e3f2fd", "#ede7f6", "#fff8e1", "#e8f5e9", "#fafafa"
SERVICE_NAMES = {
    "aws.codecommit": "CodeCommit", "aws.codepipeline": "CodePipeline", "aws.s3": "S3",
    "aws.codebuild": "CodeBuild", "aws.ecr": "ECR", "aws.events": "EventBridge",
}
TARGET_KINDS = {"codepipeline": "pipeline", "sns": "SNS topic", "sqs": "SQS queue", "lambda": "Lambda function",
                "logs": "log group", "events": "event bus", "states": "state machine"}


def event_flow(rules=None, *, targets: dict | None = None, subscriptions: dict | None = None,
               rule_name: str | None = None, event_bus_name: str = "default", lab=None) -> Diagram:
    """Draw EventBridge rules with their sources and targets.

    With dicts: ``rules`` is ``list_rules()`` (or its ``["Rules"]``), ``targets`` maps a rule name
    to ``list_targets_by_rule()["Targets"]``, ``subscriptions`` maps an SNS topic ARN to
    ``list_subscriptions_by_topic()["Subscriptions"]``. With ``lab=``, all are fetched (one rule
    when ``rule_name`` is given, else every rule of the bus).
    """
    if lab is not None:
        rules, targets, subscriptions = _fetch(lab, event_bus_name, rule_name)
    rules = _rules(rules, rule_name)
    graph = OnceGraph("events")
    graph.attr(nodesep="0.25", ranksep="0.4")
    for rule in rules:
        _draw_rule(graph, rule, (targets or {}).get(rule.get("Name"), []), subscriptions or {})
    title = f"rule {rules[0]['Name']}" if len(rules) == 1 else f"{len(rules)} rules"
    graph.attr(label=labels.graph_label([labels.title_row("EventBridge", title)]))
    return Diagram(graph, "event flow", title, f"bus {event_bus_name}" if lab is not None else "")


class OnceGraph(graphviz.Digraph):
    """Rules share sources, buses and targets: each node is declared once, at its first use."""

    def __init__(self, name: str) -> None:
        base = new_graph(name)
        super().__init__(name=name, graph_attr=base.graph_attr, node_attr=base.node_attr, edge_attr=base.edge_attr)
        self._declared: set[str] = set()

    def node(self, name: str, label: str | None = None, *args, **kwargs) -> None:
        if name not in self._declared:
            self._declared.add(name)
            super().node(name, label, *args, **kwargs)


def _fetch(lab, bus: str, rule_name: str | None):
    events = lab.client("events")
    if rule_name:
        rules = [events.describe_rule(Name=rule_name, EventBusName=bus)]
    else:
        rules = events.list_rules(EventBusName=bus).get("Rules", [])
    targets = {r["Name"]: events.list_targets_by_rule(Rule=r["Name"], EventBusName=bus).get("Targets", [])
               for r in rules}
    sns = lab.client("sns")
    topics = sorted({t["Arn"] for ts in targets.values() for t in ts if t.get("Arn", "").startswith("arn:aws:sns:")})
    subscriptions = {arn: sns.list_subscriptions_by_topic(TopicArn=arn).get("Subscriptions", []) for arn in topics}
    return rules, targets, subscriptions


def _rules(rules, rule_name: str | None) -> list[dict]:
    if isinstance(rules, dict):
        rules = rules.get("Rules", [rules] if "Name" in rules else [])
    if not isinstance(rules, list) or not all(isinstance(r, dict) and r.get("Name") for r in rules):
        raise DiagramInputError("expected EventBridge rules: list_rules() or a list of rule dicts with a Name")
    if rule_name is not None:
        rules = [r for r in rules if r["Name"] == rule_name]
        if not rules:
            raise DiagramInputError(f"no EventBridge rule named {rule_name!r} in the rules given")
    if not rules:
        raise DiagramInputError("there are no EventBridge rules to draw")
    return sorted(rules, key=lambda r: r["Name"])


def pattern_of(rule: dict) -> dict:
    pattern = rule.get("EventPattern")
    if isinstance(pattern, str):
        try:
            pattern = json.loads(pattern)
        except ValueError as exc:
            raise DiagramInputError(f"rule {rule.get('Name')!r} has an EventPattern that is not JSON: {exc}") from None
    return pattern if isinstance(pattern, dict) else {}


def summarise_pattern(pattern: dict, prefix: str = "") -> list[str]:
    """One line per matched field, e.g. 'detail.state: FAILED'; source and resources are drawn apart."""
    lines = []
    for key in sorted(pattern):
        if not prefix and key in ("source", "resources"):
            continue
        value, path = pattern[key], f"{prefix}{key}"
        if isinstance(value, dict):
            lines += summarise_pattern(value, path + ".")
        else:
            lines.append(f"{path}: {', '.join(_matcher(v) for v in (value if isinstance(value, list) else [value]))}")
    return lines


def _matcher(value) -> str:
    if isinstance(value, dict):
        return " ".join(f"{k} {json.dumps(v, sort_keys=True)}" for k, v in sorted(value.items()))
    return str(value)


def _source_node(graph, rule: dict, pattern: dict) -> str:
    if "ScheduleExpression" in rule and not pattern:
        schedule = node_id("schedule", rule["ScheduleExpression"])
        graph.node(schedule, _box(["<B>schedule</B>", escape(rule["ScheduleExpression"])], SOURCE_FILL))
        return schedule
    services = pattern.get("source") or ["any source"]
    services = services if isinstance(services, list) else [services]
    resources = sorted(_short_arn(r) for r in pattern.get("resources") or [])
    source = node_id("source", ",".join(map(str, services)), *([",".join(resources)] if resources else []))
    rows = [f"<B>{escape(', '.join(SERVICE_NAMES.get(s, str(s)) for s in services))}</B>"]
    rows += [labels.small(r) for r in resources]
    graph.node(source, _box(rows, SOURCE_FILL))
    return source


def _draw_rule(graph, rule: dict, targets: list[dict], subscriptions: dict) -> None:
    pattern = pattern_of(rule)
    source = _source_node(graph, rule, pattern)
    bus_name = str(rule.get("EventBusName", "default"))
    bus = node_id("bus", bus_name)
    graph.node(bus, _box([labels.small("event bus"), f"<B>{escape(_short_arn(bus_name))}</B>"], BUS_FILL))
    enabled = rule.get("State", "ENABLED") == "ENABLED"
    rule_id = node_id("rule", rule["Name"])
    rows = [labels.small("rule" + ("" if enabled else " (DISABLED)")), f"<B>{escape(rule['Name'])}</B>"]
    rows += [labels.small(_cut(line)) for line in summarise_pattern(pattern)]
    graph.node(rule_id, _box(rows, RULE_FILL, dashed=not enabled))
    line = {"color": INK} if enabled else {"color": MUTED, "style": "dashed"}
    graph.edge(source, bus, **line)
    graph.edge(bus, rule_id, **line)
    for target in sorted(targets, key=lambda t: str(t.get("Id"))):
        _draw_target(graph, rule_id, target, subscriptions, line)


def _draw_target(graph, rule_id: str, target: dict, subscriptions: dict, line: dict) -> None:
    arn = str(target.get("Arn", "?"))
    kind = TARGET_KINDS.get(arn.split(":")[2] if arn.count(":") >= 5 else "", "target")
    target_id = node_id("target", arn)
    graph.node(target_id, _box([labels.small(kind), f"<B>{escape(_short_arn(arn))}</B>"], TARGET_FILL))
    graph.edge(rule_id, target_id, label=" role" if target.get("RoleArn") else "", **line)
    for sub in sorted(subscriptions.get(arn, []), key=lambda s: (str(s.get("Protocol")), str(s.get("Endpoint")))):
        endpoint = node_id("endpoint", sub.get("Protocol"), sub.get("Endpoint"))
        graph.node(endpoint, _box([labels.small(str(sub.get("Protocol"))), escape(_short_arn(str(sub.get("Endpoint"))))],
                                  ENDPOINT_FILL))
        graph.edge(target_id, endpoint, **line)


def _box(rows: list[str], fill: str, dashed: bool = False) -> str:
    body = [f'<TR><TD ALIGN="LEFT">{row}</TD></TR>' for row in rows]
    return labels.html(body, BORDER="1", COLOR=MUTED if dashed else INK, BGCOLOR=fill, CELLPADDING="2",
                       **({"STYLE": "dashed"} if dashed else {}))


def _short_arn(arn: str) -> str:
    """The resource name at the end of an ARN (arn:aws:sns:us-east-1:123:alerts → alerts)."""
    if not arn.startswith("arn:"):
        return arn
    tail = arn.split(":", 5)[-1]
    return tail.split("/")[-1] if "/" in tail else tail.split(":")[-1]


def _cut(text: str) -> str:
    return text if len(text) <= LINE_CHARS else text[: LINE_CHARS - 1] + "…"
