"""Trail delivery: while a trail is logging, its records go to its S3 bucket as gzipped log files.

Timing is virtual. The first record after a delivery arms a timer 5 virtual minutes ahead
(``work=False``: it fires only when ``lab.advance()`` or later work passes it); the timer hands
every record made since to the trails that are logging and writes one file per trail and region.
Records are handed out before a trail starts or stops logging too, so a record goes to the
trails that were logging when it was made.

Files are written straight into moto's S3: delivery is CloudTrail's own doing, so it leaves no
record of its own and needs no credentials. The bucket policy that AWS requires for CloudTrail
(``cloudtrail.amazonaws.com`` allowed ``s3:PutObject``) is not checked.
"""

from __future__ import annotations

import gzip
import json
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from codepipeline_lab.simulator import api
from codepipeline_lab.simulator.identity.audit_trail import AuditEntry, AuditTrail
from codepipeline_lab.simulator.services.cloudtrail.selectors import trail_selects

DELIVERY_INTERVAL = timedelta(minutes=5)
ISO_SECONDS = "%Y-%m-%dT%H:%M:%SZ"


@dataclass
class TrailLog:
    """What CloudTrail knows about one trail's logging, on the virtual clock (GetTrailStatus)."""
    started: datetime | None = None
    stopped: datetime | None = None
    latest_delivery: datetime | None = None
    latest_attempt: datetime | None = None
    latest_error: str | None = None
    pending: list[AuditEntry] = field(default_factory=list)


class TrailDelivery:
    def __init__(self, audit: AuditTrail, scheduler, account_id: str) -> None:
        self._audit = audit
        self._scheduler = scheduler
        self._account_id = account_id
        self._handed_out = 0            # records before this sequence number went to trails already
        self._timer = None
        self._files = 0
        self._active = False            # a trail has logged in this Lab: only then do records arm the timer
        self.logs: dict[str, TrailLog] = {}
        audit.subscribe(self._arm)

    # -- StartLogging / StopLogging --------------------------------------------------------
    def start_logging(self, trail: api.TrailConfig) -> None:
        self._hand_out()
        api.set_trail_logging(self._account_id, trail.arn, True)
        self._active = True
        self.logs.setdefault(trail.arn, TrailLog()).started = self._scheduler.now

    def stop_logging(self, trail: api.TrailConfig) -> None:
        self._hand_out()
        api.set_trail_logging(self._account_id, trail.arn, False)
        self.logs.setdefault(trail.arn, TrailLog()).stopped = self._scheduler.now
        self._arm(None)                 # what it logged until now is still delivered

    def log(self, trail: api.TrailConfig) -> TrailLog:
        return self.logs.setdefault(trail.arn, TrailLog())

    # -- the timer -------------------------------------------------------------------------
    def _arm(self, _entry) -> None:
        if self._timer is None and self._active:
            self._timer = self._scheduler.after(DELIVERY_INTERVAL, self.deliver, work=False)

    def _hand_out(self) -> None:
        """Give the records made since the last hand-out to the trails logging now."""
        new = self._audit.since(self._handed_out)
        self._handed_out += len(new)
        if not new:
            return
        for trail in api.trails(self._account_id):
            if trail.is_logging:
                self.log(trail).pending += [entry for entry in new if trail_selects(trail, entry)]

    def deliver(self) -> None:
        self._timer = None
        self._hand_out()
        current = {trail.arn: trail for trail in api.trails(self._account_id)}
        for arn, log in self.logs.items():
            if log.pending and arn in current:
                self._deliver_trail(current[arn], log)
            elif arn not in current:
                log.pending = []        # a deleted trail delivers nothing more
        if any(log.pending for log in self.logs.values()):
            self._arm(None)             # the bucket was missing: try again next interval

    def _deliver_trail(self, trail: api.TrailConfig, log: TrailLog) -> None:
        now = self._scheduler.now
        log.latest_attempt = now
        by_region: dict[str, list[AuditEntry]] = {}
        for entry in log.pending:
            by_region.setdefault(entry.aws_region, []).append(entry)
        for region, entries in sorted(by_region.items()):
            body = gzip.compress(json.dumps({"Records": [self._audit.render(e) for e in entries]}).encode(), mtime=0)
            if not api.write_s3_object(self._account_id, trail.bucket, self._key(trail, region, now), body, now):
                log.latest_error = "NoSuchBucket"
                return
        log.pending, log.latest_delivery, log.latest_error = [], now, None

    def _key(self, trail: api.TrailConfig, region: str, when: datetime) -> str:
        self._files += 1
        account = self._account_id
        name = f"{account}_CloudTrail_{region}_{when:%Y%m%dT%H%MZ}_{self._audit.unique_token('log-file', self._files)}.json.gz"
        prefix = f"{trail.key_prefix}/" if trail.key_prefix else ""
        return f"{prefix}AWSLogs/{account}/CloudTrail/{region}/{when:%Y/%m/%d}/{name}"


def trail_status(trail: api.TrailConfig, log: TrailLog) -> dict:
    """GetTrailStatus on the virtual clock (moto's own answer uses the real one)."""
    status = {
        "IsLogging": trail.is_logging,
        "StartLoggingTime": log.started,
        "StopLoggingTime": log.stopped,
        "LatestDeliveryTime": log.latest_delivery,
        "LatestDeliveryError": log.latest_error,
        "TimeLoggingStarted": _iso(log.started),
        "TimeLoggingStopped": _iso(log.stopped),
        "LatestDeliveryAttemptTime": _iso(log.latest_attempt),
        "LatestDeliveryAttemptSucceeded": _iso(log.latest_delivery) if log.latest_attempt and not log.latest_error else None,
    }
    return {k: v for k, v in status.items() if v is not None}


def _iso(when: datetime | None) -> str | None:
    return when.strftime(ISO_SECONDS) if when else None
