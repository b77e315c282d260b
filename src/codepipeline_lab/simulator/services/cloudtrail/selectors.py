"""Which records a trail logs: its region scope, then its basic or advanced event selectors.

A trail without selectors logs every management event and no data events. Basic selectors
(EventSelectors) choose management events by ReadWriteType and IncludeManagementEvents, and data
events by DataResources (ARN prefixes of ``AWS::S3::Object`` / ``AWS::Lambda::Function``).
Advanced selectors (AdvancedEventSelectors) are lists of field conditions that must all hold;
a record is logged when any selector matches it.
"""

from __future__ import annotations

from codepipeline_lab.simulator.api import TrailConfig
from codepipeline_lab.simulator.identity.audit_trail import AuditEntry, is_global_service, resource_type


def trail_selects(trail: TrailConfig, entry: AuditEntry) -> bool:
    return in_scope(trail, entry) and selected(trail, entry)


def in_scope(trail: TrailConfig, entry: AuditEntry) -> bool:
    """Events of the trail's region (every region for a multi-Region trail); events of global
    services (IAM, STS …, recorded in us-east-1) only when the trail includes them."""
    if entry.call.account_id != trail.arn.split(":")[4]:
        return False
    if not (trail.is_multi_region or entry.aws_region == trail.home_region):
        return False
    return trail.include_global_service_events or not is_global_service(entry.call.service)


def selected(trail: TrailConfig, entry: AuditEntry) -> bool:
    # moto keeps advanced selectors when basic ones replace them later; basic ones are then current.
    if trail.event_selectors:
        return any(_basic_selects(selector, entry) for selector in trail.event_selectors)
    if trail.advanced_event_selectors:
        return any(_advanced_selects(selector, entry) for selector in trail.advanced_event_selectors)
    return entry.event_category == "Management"


# -- basic event selectors -----------------------------------------------------------------

def _basic_selects(selector: dict, entry: AuditEntry) -> bool:
    if not _read_write_matches(selector.get("ReadWriteType", "All"), entry.read_only):
        return False
    if entry.event_category == "Management":
        return (selector.get("IncludeManagementEvents", True)
                and entry.event_source not in selector.get("ExcludeManagementEventSources", []))
    return any(_data_resource_matches(resource, entry) for resource in selector.get("DataResources", []))


def _read_write_matches(read_write_type: str, read_only: bool) -> bool:
    return read_write_type == "All" or (read_write_type == "ReadOnly") == read_only


def _data_resource_matches(resource: dict, entry: AuditEntry) -> bool:
    """A value is an ARN prefix: "arn:aws:s3" (every bucket), "arn:aws:s3:::bucket/" (a bucket's
    objects), "arn:aws:s3:::bucket/logs/" (a prefix), or one Lambda function's ARN."""
    arns = [arn for arn in entry.resource_arns if resource_type(arn) == resource.get("Type")]
    return any(arn.startswith(value) for arn in arns for value in resource.get("Values", []))


# -- advanced event selectors --------------------------------------------------------------

def _advanced_selects(selector: dict, entry: AuditEntry) -> bool:
    fields = selector.get("FieldSelectors", [])
    if entry.event_category == "Data" and not any(f.get("Field") == "resources.type" for f in fields):
        return False     # AWS requires data-event selectors to name a resources.type
    return all(_field_matches(field, entry) for field in fields)


def _field_values(name: str, entry: AuditEntry) -> list[str]:
    if name == "eventCategory":
        return [entry.event_category]
    if name == "readOnly":
        return ["true" if entry.read_only else "false"]
    if name == "eventName":
        return [entry.event_name]
    if name == "eventSource":
        return [entry.event_source]
    if name == "resources.type":
        return [resource_type(arn) for arn in entry.resource_arns]
    if name == "resources.ARN":
        return list(entry.resource_arns)
    return []    # fields the simulator does not know (eventType, userIdentity.arn …) match nothing


def _field_matches(field: dict, entry: AuditEntry) -> bool:
    values = _field_values(field.get("Field", ""), entry)
    positive = [(field.get(op) or [], test) for op, test in _POSITIVE.items() if field.get(op)]
    if positive and not any(test(v, w) for ws, test in positive for w in ws for v in values):
        return False
    return not any(test(v, w) for op, test in _NEGATIVE.items() for w in field.get(op) or [] for v in values)


_POSITIVE = {"Equals": str.__eq__, "StartsWith": str.startswith, "EndsWith": str.endswith}
_NEGATIVE = {"NotEquals": str.__eq__, "NotStartsWith": str.startswith, "NotEndsWith": str.endswith}
