"""ECR pushes on the default event bus: "ECR Image Action" (facts §J5), which is how an ECR
source action's pipeline starts — ECR sources do not poll.

ECR PutImage is authorized and recorded before moto stores the image, so the event is sent as
pending work at the same virtual instant (the next ``lab.run()`` delivers it), reading the
stored image's digest then. BatchDeleteImage sends the DELETE variant.
"""

from __future__ import annotations

from codepipeline_lab.simulator import api
from codepipeline_lab.simulator.identity.audit_trail import AuditEntry

DETAIL_TYPE = "ECR Image Action"


class EcrEvents:
    def __init__(self, account) -> None:
        self._account = account
        account.audit.subscribe(self._on_call)

    def _on_call(self, entry: AuditEntry) -> None:
        call = entry.call
        if call.service != "ecr" or call.error_code is not None:
            return
        params = call.parameters or {}
        repository = params.get("repositoryName")
        if call.operation == "PutImage" and repository:
            tag = params.get("imageTag")
            self._later(lambda: self._pushed(call.account_id, call.region, repository, tag))
        elif call.operation == "BatchDeleteImage" and repository:
            for image_id in params.get("imageIds") or []:
                detail = {"result": "SUCCESS", "repository-name": repository, "action-type": "DELETE"}
                if image_id.get("imageDigest"):
                    detail["image-digest"] = image_id["imageDigest"]
                if image_id.get("imageTag"):
                    detail["image-tag"] = image_id["imageTag"]
                self._later(lambda detail=detail: self._put(call.region, detail))

    def _pushed(self, account_id: str, region: str, repository: str, tag: str | None) -> None:
        if account_id != self._account.account_id or not tag:
            return
        image = api.ecr_image(account_id, region, repository, tag)
        if image is None:
            return          # the push failed after it was authorized
        self._put(region, {"result": "SUCCESS", "repository-name": repository, "image-digest": image.digest,
                           "action-type": "PUSH", "image-tag": tag})

    def _later(self, deliver) -> None:
        scheduler = self._account.lab.scheduler
        scheduler.at(scheduler.now, deliver)

    def _put(self, region: str, detail: dict) -> None:
        self._account.eventbridge.put_service_event("aws.ecr", DETAIL_TYPE, detail, region, [])
