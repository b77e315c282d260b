"""What every action provider gets (a Job) and what it gives back (success or failure).

The engine starts an action, waits the provider's simulated ``duration`` on the virtual clock,
then calls ``provider.run(job)``. The provider does its work with ordinary boto3 calls on
``job.lab`` and the job's helpers, and ends with ``job.succeed(...)`` or ``job.fail(...)``.
A provider that waits for the outside world (an approval, a job worker, a Lambda reply)
returns without ending the job; the call that answers it ends it later.
"""

from __future__ import annotations

import tempfile
from datetime import timedelta
from typing import Callable

from codepipeline_lab.simulator import artifacts
from codepipeline_lab.simulator.errors import AwsError
from codepipeline_lab.simulator.executions import ArtifactRef
from codepipeline_lab.simulator.identity.calls import ApiCall
from codepipeline_lab.simulator.identity.failures import ActionDenied, role_cannot_access
from codepipeline_lab.simulator.identity.principals import root
from codepipeline_lab.simulator.identity.resources import iam_action

PROVIDERS: dict[tuple[str, str, str], "Provider"] = {}
# Owner-wide providers (e.g. every Custom action is worked on by job workers).
OWNER_PROVIDERS: dict[str, "Provider"] = {}


def provider_for(owner: str, category: str, provider: str) -> "Provider | None":
    return PROVIDERS.get((owner, category, provider)) or OWNER_PROVIDERS.get(owner)


class Provider:
    """Subclass, set ``owner``/``category``/``provider``/``duration``, implement ``run``."""

    owner = "AWS"
    category = ""
    provider = ""
    duration = timedelta(seconds=30)

    def run(self, job: "Job") -> None:
        raise NotImplementedError

    def source_revision(self, job_context) -> dict | None:
        """Source providers: the revision to use, read when the execution starts."""
        return None

    def denied_message(self, job: "Job", denial) -> str:
        """errorDetails.message when a call made for this action was denied (facts §I3)."""
        return role_cannot_access(f"the resources of action {job.action['name']}", denial)


def register(provider_class: type[Provider]) -> type[Provider]:
    """Class decorator: make a provider known to the engine."""
    instance = provider_class()
    categories = provider_class.category if isinstance(provider_class.category, tuple) else (provider_class.category,)
    for category in categories:
        PROVIDERS[(provider_class.owner, category, provider_class.provider)] = instance
    return provider_class


class Job:
    """One run of one action, as a provider sees it."""

    def __init__(self, engine, execution, run, configuration: dict, on_end: Callable[["Job"], None]) -> None:
        self.engine = engine
        self.lab = engine.lab
        self.execution = execution
        self.run_record = run
        self.id = run.action_execution_id
        self.configuration = configuration
        self.ended = False
        self.session = None          # the role session the action acts as (set by the engine)
        self._on_end = on_end

    # -- what the action is ------------------------------------------------------------
    @property
    def action(self) -> dict:
        return self.run_record.declaration

    @property
    def region(self) -> str:
        return self.run_record.region

    @property
    def pipeline_name(self) -> str:
        return self.execution.pipeline_name

    @property
    def stage_name(self) -> str:
        return self.run_record.stage_name

    @property
    def inputs(self) -> list[ArtifactRef]:
        return self.run_record.inputs

    @property
    def output_names(self) -> list[str]:
        return [a["name"] for a in self.action.get("outputArtifacts", [])]

    # -- acting as the action's role ------------------------------------------------------------
    def client(self, service: str, region: str | None = None):
        """A boto3 client that acts as the action's role (its roleArn, else the pipeline's role)."""
        return self.lab.client(service, region_name=region or self.region, credentials=self.credentials)

    @property
    def credentials(self):
        return self.session.credentials if self.session is not None else None

    def require(self, service: str, operation: str, resource: str, parameters: dict | None = None,
                context: dict | None = None) -> None:
        """Authorize and record a call the service makes for the action without a boto3 request
        (e.g. CodeCommit's UploadArchive, CodeBuild's StartBuild); raises ActionDenied.
        ``context`` gives the request's service condition keys (e.g. {"iam:PassedToService": …})."""
        account = self.engine.account
        principal = account.authorizer.principal(self.session.access_key_id, account.account_id) if self.session else root(account.account_id)
        owner = resource.split(":")[4] if resource.count(":") >= 5 and resource.split(":")[4] else principal.account_id
        call = ApiCall(service, operation, self.region, owner, principal, parameters or {}, [resource])
        try:
            account.authorizer.authorize(call, iam_action(service, operation), context=context)
        except AwsError as denied:
            raise ActionDenied(denied.code, denied.message, service) from None

    # -- artifacts ------------------------------------------------------------------------
    def input(self, name: str | None = None) -> ArtifactRef:
        for ref in self.inputs:
            if name is None or ref.name == name:
                return ref
        raise KeyError(f"action {self.action['name']} has no input artifact {name}")

    def read_input(self, name: str | None = None) -> bytes:
        return self.engine.artifacts.read(self.input(name), self.credentials)

    def input_files(self, name: str | None = None) -> dict[str, bytes]:
        return artifacts.unzip(self.read_input(name))

    def extract_input(self, name: str | None = None, directory: str | None = None) -> str:
        directory = directory or tempfile.mkdtemp(prefix="codepipeline-lab-")
        artifacts.extract(self.read_input(name), directory)
        return directory

    def write_output(self, name: str, data: bytes | dict[str, bytes], credentials=None) -> ArtifactRef:
        """Store an output artifact (zip bytes, or {path: content} to be zipped)."""
        if name not in self.output_names:
            raise KeyError(f"action {self.action['name']} declares no output artifact {name}")
        if isinstance(data, dict):
            data = artifacts.zip_files(data)
        ref = self.engine.artifacts.write(self.execution.declaration, self.region, name, data, credentials or self.credentials)
        self.run_record.outputs = [r for r in self.run_record.outputs if r.name != name] + [ref]
        return ref

    # -- ending -----------------------------------------------------------------------------
    def succeed(self, summary: str | None = None, external_execution_id: str | None = None,
                external_execution_url: str | None = None, output_variables: dict | None = None) -> None:
        if self.ended:
            return
        run = self.run_record
        run.summary = summary
        run.external_execution_id = external_execution_id or run.external_execution_id
        run.external_execution_url = external_execution_url or run.external_execution_url
        run.output_variables = {k: str(v) for k, v in (output_variables or {}).items()}
        self._end("Succeeded")

    def fail(self, message: str, code: str = "JobFailed", external_execution_id: str | None = None) -> None:
        if self.ended:
            return
        self.run_record.error = {"code": code, "message": message}
        self.run_record.summary = message
        self.run_record.external_execution_id = external_execution_id or self.run_record.external_execution_id
        self._end("Failed")

    def _end(self, status: str) -> None:
        self.ended = True
        self.run_record.status = status
        self._on_end(self)
