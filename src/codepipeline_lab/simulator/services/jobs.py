"""CodePipeline jobs: the work item a job worker (custom action) or a Lambda function gets for
one action execution, with the input artifact locations, where to put the outputs, temporary
artifact credentials and an optional continuation token (facts §A6, §D)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

from codepipeline_lab.sandbox import FAKE_ACCESS_KEY_ID, FAKE_SECRET_ACCESS_KEY
from codepipeline_lab.simulator import artifacts
from codepipeline_lab.simulator.executions import ArtifactRef

# JobStatus values (facts §A6)
QUEUED, DISPATCHED, IN_PROGRESS, SUCCEEDED, FAILED = "Queued", "Dispatched", "InProgress", "Succeeded", "Failed"


@dataclass
class JobRecord:
    id: str
    kind: str                         # "custom" (job workers poll) or "lambda" (the function is invoked)
    action_job: object                # the engine's Job for the action execution
    data: dict
    outputs: list[ArtifactRef]
    status: str = QUEUED
    nonce: str | None = None
    timer: object = None              # the Lambda reply window
    on_continue: Callable | None = None
    extra: dict = field(default_factory=dict)

    @property
    def action_type(self) -> tuple:
        t = self.data["actionTypeId"]
        return (t["owner"], t["category"], t["provider"], t["version"])

    def shape(self, account_id: str) -> dict:
        return {"id": self.id, "data": self.data, "accountId": account_id}


class JobStore:
    def __init__(self, account) -> None:
        self.account = account
        self.jobs: dict[str, JobRecord] = {}
        self.custom_types: dict[tuple, dict] = {}          # id tuple -> ActionType shape

    def create(self, job, kind: str, continuation_token: str | None = None) -> JobRecord:
        """A new job for the action execution ``job`` (queued for workers, or in progress for Lambda)."""
        lab = self.account.lab
        outputs = [self._output_location(job, name) for name in job.output_names]
        record = JobRecord(lab.ids.uuid(), kind, job, self._data(job, outputs, continuation_token), outputs,
                           QUEUED if kind == "custom" else IN_PROGRESS)
        self.jobs[record.id] = record
        job.run_record.external_execution_id = job.run_record.external_execution_id or record.id
        return record

    def _output_location(self, job, name: str) -> ArtifactRef:
        store = job.engine.artifacts.store_for(job.execution.declaration, job.region)
        key = artifacts.artifact_key(job.pipeline_name, name, self.account.lab.ids.token(7))
        return ArtifactRef(name, store["location"], key, job.region)

    def _data(self, job, outputs: list[ArtifactRef], continuation_token: str | None) -> dict:
        run = job.run_record
        declaration = job.execution.declaration
        store = job.engine.artifacts.store_for(declaration, job.region)
        revisions = {r["name"]: r.get("revisionId") for r in job.execution.artifact_revisions}
        data = {
            "actionTypeId": dict(job.action["actionTypeId"]),
            "actionConfiguration": {"configuration": dict(job.configuration)},
            "pipelineContext": {
                "pipelineName": job.pipeline_name, "stage": {"name": job.stage_name},
                "action": {"name": job.action["name"], "actionExecutionId": run.action_execution_id},
                "pipelineArn": f"arn:aws:codepipeline:{job.execution.region}:{self.account.account_id}:{job.pipeline_name}",
                "pipelineExecutionId": job.execution.id,
            },
            "inputArtifacts": [_artifact(ref, revisions.get(ref.name)) for ref in job.inputs],
            "outputArtifacts": [_artifact(ref, None) for ref in outputs],
            "artifactCredentials": {"accessKeyId": FAKE_ACCESS_KEY_ID, "secretAccessKey": FAKE_SECRET_ACCESS_KEY,
                                    "sessionToken": f"codepipeline-lab-session-{self.account.lab.ids.hex(16)}"},
        }
        if continuation_token:
            data["continuationToken"] = continuation_token
        if store.get("encryptionKey"):
            data["encryptionKey"] = dict(store["encryptionKey"])
        return data


def _artifact(ref: ArtifactRef, revision: str | None) -> dict:
    shown = {"name": ref.name, "location": {"type": "S3", "s3Location": {"bucketName": ref.bucket, "objectKey": ref.key}}}
    if revision:
        shown["revision"] = revision
    return shown
