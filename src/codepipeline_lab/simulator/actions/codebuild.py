"""Build/AWS/CodeBuild and Test/AWS/CodeBuild: run a build of the project on the action's
input artifacts; its artifacts become the action's outputs, its exported variables the
action's output variables (facts §A4, §D)."""

from __future__ import annotations

import json
from datetime import timedelta

from codepipeline_lab.simulator.actions.base import Provider, register
from codepipeline_lab.simulator.artifacts import ArtifactStoreError
from codepipeline_lab.simulator.identity.failures import PERMISSION_ERROR, ActionDenied


@register
class CodeBuildAction(Provider):
    category = ("Build", "Test")
    provider = "CodeBuild"
    duration = timedelta(0)      # the build's own phases carry its simulated duration

    def run(self, job) -> None:
        store = job.engine.account.codebuild
        name = job.configuration["ProjectName"]
        if (job.region, name) not in store.projects:
            job.fail(f"Project cannot be found: arn:aws:codebuild:{job.region}:{job.engine.account.account_id}:project/{name}", "ConfigurationError")
            return
        try:
            overrides = environment_variables(job.configuration.get("EnvironmentVariables"))
            ordered = ordered_inputs(job)
        except ValueError as problem:
            job.fail(str(problem), "ConfigurationError")
            return
        project_arn = f"arn:aws:codebuild:{job.region}:{job.engine.account.account_id}:project/{name}"
        job.require("codebuild", "StartBuild", project_arn, {"projectName": name})
        # The build itself runs as the project's service role: it downloads the inputs and
        # uploads the outputs with that role's permissions, not the pipeline's.
        build_role = build_session(job, store.projects[(job.region, name)])
        sources = [(ref.name, job.engine.artifacts.read(ref, build_role.credentials)) for ref in ordered]
        version = f"arn:aws:s3:::{ordered[0].bucket}/{ordered[0].key}" if ordered else None
        build = store.run(job.region, name, sources, job.output_names, overrides, f"codepipeline/{job.pipeline_name}", version,
                          credentials=build_role.credentials)
        run = job.run_record
        run.external_execution_id = build.id
        run.external_execution_url = f"https://console.aws.amazon.com/codebuild/home?region={job.region}#/builds/{build.id}/view/new"
        run.pending = job.lab.scheduler.at(build.outcome.end, lambda: self._finish(job, build, build_role))

    def denied_message(self, job, denial) -> str:
        if denial.detail.startswith("The service role"):
            return denial.detail
        return (f"Error calling startBuild: {denial.detail} (Service: AWSCodeBuild; Status Code: 400; "
                f"Error Code: {denial.code}; Request ID: {job.lab.ids.uuid()}; Proxy: null)")

    def _finish(self, job, build, build_role) -> None:
        job.run_record.pending = None
        outcome = build.outcome
        if outcome.status != "SUCCEEDED":
            job.fail(failure_message(outcome), "JobFailed")
            return
        try:
            job.require("codebuild", "BatchGetBuilds", f"arn:aws:codebuild:{job.region}:{job.engine.account.account_id}:project/{build.project['name']}")
            for name, files in outcome.outputs.items():
                job.write_output(name, files, credentials=build_role.credentials)
        except ActionDenied as denial:
            job.fail(self.denied_message(job, denial), PERMISSION_ERROR)
            return
        except ArtifactStoreError as problem:
            job.fail(str(problem), problem.code)
            return
        job.succeed(external_execution_id=build.id, external_execution_url=job.run_record.external_execution_url,
                    output_variables=outcome.exported)


def environment_variables(text: str | None) -> list[dict]:
    """The action's EnvironmentVariables: a JSON array of {name, value, type}."""
    if not text:
        return []
    try:
        values = json.loads(text)
    except ValueError as problem:
        raise ValueError(f"EnvironmentVariables is not valid JSON: {problem}") from None
    if not isinstance(values, list) or not all(isinstance(v, dict) and "name" in v and "value" in v for v in values):
        raise ValueError('EnvironmentVariables must be a JSON array of {"name": ..., "value": ..., "type": "PLAINTEXT"} objects')
    for value in values:
        if value.get("type", "PLAINTEXT") not in ("PLAINTEXT", "PARAMETER_STORE", "SECRETS_MANAGER"):
            raise ValueError(f"EnvironmentVariables {value['name']}: type must be PLAINTEXT, PARAMETER_STORE or SECRETS_MANAGER")
    return values


def ordered_inputs(job) -> list:
    """The input artifacts, the primary source first (PrimarySource is required with several)."""
    inputs = list(job.inputs)
    primary = job.configuration.get("PrimarySource")
    if len(inputs) > 1 and not primary:
        raise ValueError("PrimarySource is required when the CodeBuild action has more than one input artifact")
    if primary:
        if primary not in [ref.name for ref in inputs]:
            raise ValueError(f"PrimarySource {primary} is not one of the action's input artifacts: {', '.join(r.name for r in inputs)}")
        inputs.sort(key=lambda ref: ref.name != primary)
    return inputs


def failure_message(outcome) -> str:
    """CodePipeline's summary of a failed build: the state, and the first phase that went wrong."""
    failed = next((p for p in outcome.phases if p.get("phaseStatus") not in (None, "SUCCEEDED")), None)
    if failed is None:
        return f"Build terminated with state: {outcome.status}"
    context = (failed.get("contexts") or [{}])[0]
    return (f"Build terminated with state: {outcome.status}. Phase: {failed['phaseType']}, "
            f"Code: {context.get('statusCode', '')}, Message: {context.get('message', '')}")


def build_session(job, project: dict):
    """CodeBuild's session of the project's service role (session name AWSCodeBuild-<id>, facts §I4)."""
    role = project.get("serviceRole") or ""
    if not role.startswith("arn:"):
        role = f"arn:aws:iam::{job.engine.account.account_id}:role/{role}"
    return job.engine.account.sessions.for_service(role, "codebuild.amazonaws.com", job.region,
                                                   session_name=lambda: f"AWSCodeBuild-{job.lab.ids.uuid()}")
