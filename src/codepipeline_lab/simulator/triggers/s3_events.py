"""S3 changes on the default event bus, two ways (facts §B3, §M4):

* **EventBridge notifications** — a bucket with ``EventBridgeConfiguration`` sends "Object
  Created" (and S3's other object events) to the default bus of its Region, with the new
  object's key, size, etag and version id. No trail is needed.
* **CloudTrail** — a logging trail whose selectors log the bucket's S3 *data events* turns each
  logged write (PutObject, CopyObject, CompleteMultipartUpload …) into an "AWS API Call via
  CloudTrail" event whose ``detail`` is the CloudTrail record (``requestParameters.bucketName``,
  ``key``).

A rule on either event whose target is a pipeline starts it (trigger CloudWatchEvent); the S3
source action then reads the object's current version. Both services deliver asynchronously:
the Lab delivers these events as pending work at the virtual instant of the change, so the next
``lab.run()`` (or ``lab.step()``) carries them to the rules.
"""

from __future__ import annotations

from codepipeline_lab.simulator import api
from codepipeline_lab.simulator.identity.audit_trail import AuditEntry

CLOUDTRAIL_DETAIL_TYPE = "AWS API Call via CloudTrail"
# S3 writes that CloudTrail-based S3 sources match (the console's pattern names the first three).
S3_WRITES = {"PutObject", "CopyObject", "CompleteMultipartUpload", "DeleteObject", "DeleteObjects",
             "PutObjectAcl", "PutObjectTagging", "RestoreObject"}
# The notifications the simulator forwards (S3's ACL, tag, restore … events are not simulated).
FORWARDED = {"Object Created", "Object Deleted"}
_REASONS = {"s3:ObjectCreated:Put": "PutObject", "s3:ObjectCreated:Copy": "CopyObject",
            "s3:ObjectCreated:Post": "POST Object", "s3:ObjectCreated:CompleteMultipartUpload": "CompleteMultipartUpload",
            "s3:ObjectRemoved:Delete": "DeleteObject", "s3:ObjectRemoved:DeleteMarkerCreated": "DeleteObject"}


class S3Events:
    def __init__(self, account) -> None:
        self._account = account
        self._sequence = 0
        self.emitted: list[dict] = []           # the events put on the bus, oldest first (for teaching)
        account.audit.subscribe(self._on_call)

    # -- EventBridge notifications -------------------------------------------------------------
    def _on_call(self, entry: AuditEntry) -> None:
        call = entry.call
        if call.service != "s3":
            return
        api.route_s3_eventbridge_notifications(self._on_notification)   # once, before moto stores anything
        if call.error_code is None and call.operation in S3_WRITES and self._trail_logs(entry):
            self._later(lambda: self._cloudtrail_event(entry))

    def _on_notification(self, note: api.S3Notification) -> None:
        if note.account_id != self._account.account_id:
            return          # the simulator routes events of its own account only
        if note.detail_type not in FORWARDED:
            return          # moto also raises "Object Tags Added" for every PutObject, which S3 does not
        self._sequence += 1
        obj = {"key": note.key, "size": note.size, "etag": note.etag}
        if note.version_id:
            obj["version-id"] = note.version_id
        obj["sequencer"] = f"{self._sequence:016X}"
        detail = {"version": "0", "bucket": {"name": note.bucket}, "object": obj,
                  "request-id": self._account.lab.ids.hex(16).upper(), "requester": note.account_id,
                  "source-ip-address": "127.0.0.1",
                  "reason": _REASONS.get(note.event_name, note.event_name.split(":")[-1])}
        self._later(lambda: self._put("aws.s3", note.detail_type, detail, note.region, [note.bucket_arn]))

    # -- CloudTrail ----------------------------------------------------------------------------
    def _trail_logs(self, entry: AuditEntry) -> bool:
        from codepipeline_lab.simulator.services.cloudtrail.selectors import trail_selects
        return any(trail.is_logging and trail_selects(trail, entry) for trail in api.trails(self._account.account_id))

    def _cloudtrail_event(self, entry: AuditEntry) -> None:
        record = self._account.audit.render(entry)
        if entry.call.operation in ("PutObject", "CopyObject", "CompleteMultipartUpload"):
            params = record.get("requestParameters") or {}
            if api.s3_object_state(params.get("bucketName", ""), params.get("key", "")) is None:
                return      # the write failed after it was authorized (no such bucket …): nothing to tell
        self._put("aws.s3", CLOUDTRAIL_DETAIL_TYPE, dict(record), entry.aws_region, [])

    # -- delivery --------------------------------------------------------------------------------
    def _later(self, deliver) -> None:
        scheduler = self._account.lab.scheduler
        scheduler.at(scheduler.now, deliver)

    def _put(self, source: str, detail_type: str, detail: dict, region: str, resources: list) -> None:
        self.emitted.append({"source": source, "detail-type": detail_type, "region": region, "detail": detail})
        self._account.eventbridge.put_service_event(source, detail_type, detail, region, resources)
