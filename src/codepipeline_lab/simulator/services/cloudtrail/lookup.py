"""LookupEvents: the last 90 days of management events of one account and region, newest first.

Request rules from CloudTrail's API model and documentation (facts §I5): at most one lookup
attribute, start not after end, MaxResults 1–50, a NextToken only with the parameters that
produced it. Data events are never returned; they reach only trails (see ``delivery``).
"""

from __future__ import annotations

import base64
import hashlib
import json
from datetime import datetime, timedelta, timezone

from codepipeline_lab.simulator import errors
from codepipeline_lab.simulator.identity.audit_trail import AuditEntry, AuditTrail, resource_name, resource_type

RETENTION = timedelta(days=90)
DEFAULT_MAX_RESULTS = 50
ATTRIBUTE_KEYS = ("EventId", "EventName", "ReadOnly", "Username", "ResourceType", "ResourceName",
                  "EventSource", "AccessKeyId")


def lookup_events(audit: AuditTrail, params: dict, region: str, account_id: str, now: datetime,
                  upto: int | None = None) -> dict:
    """``upto``: only records before this sequence number (the call's own record is not its answer)."""
    attribute = _lookup_attribute(params.get("LookupAttributes"))
    start, end = _time_range(params.get("StartTime"), params.get("EndTime"), now)
    _check_event_category(params.get("EventCategory"))
    max_results = _max_results(params.get("MaxResults"))
    fingerprint = _fingerprint(params)
    before = _position(params.get("NextToken"), fingerprint)
    if upto is not None:
        before = min(before, upto)
    if params.get("EventCategory") == "insight":
        return {"Events": []}       # the simulator has no Insights events
    matches = (e for e in reversed(audit.entries)
               if e.seq < before and _visible(e, region, account_id, start, end) and _has(audit, e, attribute))
    page = []
    for entry in matches:
        if len(page) == max_results:
            return {"Events": [_event(audit, e) for e in page], "NextToken": _token(fingerprint, page[-1].seq)}
        page.append(entry)
    return {"Events": [_event(audit, e) for e in page]}


# -- request rules -------------------------------------------------------------------------

def _lookup_attribute(attributes) -> tuple[str, str] | None:
    if not attributes:
        return None
    if len(attributes) > 1:
        raise errors.InvalidLookupAttributesException("You cannot specify more than one lookup attribute.")
    key, value = attributes[0].get("AttributeKey"), attributes[0].get("AttributeValue")
    if key not in ATTRIBUTE_KEYS:
        raise errors.InvalidLookupAttributesException(
            f"Invalid AttributeKey {key!r}: it must be one of {', '.join(ATTRIBUTE_KEYS)}.")
    if not isinstance(value, str) or not 1 <= len(value) <= 2000:
        raise errors.InvalidLookupAttributesException("AttributeValue must be 1 to 2000 characters long.")
    return key, value


def _time_range(start, end, now: datetime) -> tuple[datetime, datetime]:
    start = _as_datetime(start) if start is not None else None
    end = _as_datetime(end) if end is not None else now
    if start is not None and start > end:
        raise errors.InvalidTimeRangeException("Start time must not be later than end time.")
    oldest = now - RETENTION
    return max(start, oldest) if start is not None else oldest, end


def _as_datetime(value) -> datetime:
    """Timestamps arrive as epoch seconds (botocore's JSON protocol), ISO strings or datetimes."""
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=timezone.utc)
    if isinstance(value, (int, float)):
        return datetime.fromtimestamp(value, timezone.utc)
    parsed = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=timezone.utc)


def _check_event_category(category) -> None:
    if category is not None and category != "insight":
        raise errors.InvalidEventCategoryException(f"Invalid EventCategory {category!r}: the only value is insight.")


def _max_results(value) -> int:
    if value is None:
        return DEFAULT_MAX_RESULTS
    if not isinstance(value, int) or not 1 <= value <= 50:
        raise errors.InvalidMaxResultsException(f"MaxResults must be from 1 to 50; got {value!r}.")
    return value


# -- NextToken: the position after the last event returned, tied to the request's filters --------

def _fingerprint(params: dict) -> str:
    filters = {k: params.get(k) for k in ("LookupAttributes", "StartTime", "EndTime", "EventCategory")}
    return hashlib.sha256(json.dumps(filters, sort_keys=True, default=str).encode()).hexdigest()[:16]


def _token(fingerprint: str, seq: int) -> str:
    return base64.urlsafe_b64encode(json.dumps({"f": fingerprint, "before": seq}).encode()).decode()


def _position(token, fingerprint: str) -> int:
    if token is None:
        return 1 << 62
    try:
        decoded = json.loads(base64.urlsafe_b64decode(token.encode()))
        if decoded["f"] == fingerprint and isinstance(decoded["before"], int):
            return decoded["before"]
    except (ValueError, KeyError, TypeError, AttributeError):
        pass
    raise errors.InvalidNextTokenException("Invalid NextToken: it must come from a call with the same parameters.")


# -- which events, and how they look -------------------------------------------------------

def _visible(entry: AuditEntry, region: str, account_id: str, start: datetime, end: datetime) -> bool:
    return (entry.event_category == "Management" and entry.call.account_id == account_id
            and entry.aws_region == region and start <= entry.event_time <= end)


def _has(audit: AuditTrail, entry: AuditEntry, attribute: tuple[str, str] | None) -> bool:
    if attribute is None:
        return True
    key, value = attribute
    if key == "ResourceType":
        return any(resource_type(arn) == value for arn in entry.resource_arns)
    if key == "ResourceName":
        return any(value in (arn, resource_name(arn)) for arn in entry.resource_arns)
    return _attribute(audit, entry, key) == value


def _attribute(audit: AuditTrail, entry: AuditEntry, key: str) -> str | None:
    if key == "EventId":
        return audit.event_id(entry)
    if key == "ReadOnly":
        return "true" if entry.read_only else "false"
    if key == "AccessKeyId":
        return entry.call.principal.access_key_id
    return {"EventName": entry.event_name, "Username": entry.username, "EventSource": entry.event_source}[key]


def _event(audit: AuditTrail, entry: AuditEntry) -> dict:
    event = {
        "EventId": audit.event_id(entry),
        "EventName": entry.event_name,
        "ReadOnly": "true" if entry.read_only else "false",
        "AccessKeyId": entry.call.principal.access_key_id,
        "EventTime": entry.event_time,
        "EventSource": entry.event_source,
        "Username": entry.username,
        "Resources": [{"ResourceType": resource_type(arn), "ResourceName": resource_name(arn)}
                      for arn in entry.resource_arns],
        "CloudTrailEvent": json.dumps(audit.render(entry)),
    }
    return {k: v for k, v in event.items() if v is not None}
