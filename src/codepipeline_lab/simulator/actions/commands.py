"""Compute/AWS/Commands (V2): the action's ``commands`` run on CodePipeline-managed CodeBuild,
with the same shell runner as a CodeBuild project (facts §J7).

The commands become the BUILD phase of a buildspec; ``outputVariables`` name environment
variables exported as output variables; ``outputArtifacts[].files`` are CodeBuild file globs.
Logs go to CloudWatch Logs ``/aws/codepipeline/<pipeline>``. The build runs as the action's
role (the pipeline's role unless the action has a roleArn), and its shell reaches the Lab.
"""

from __future__ import annotations

from datetime import timedelta

import yaml

from codepipeline_lab.simulator import api
from codepipeline_lab.simulator.actions.base import Provider, register
from codepipeline_lab.simulator.actions.codebuild import failure_message
from codepipeline_lab.simulator.services.codebuild import reach_the_lab
from codepipeline_lab.simulator.services.codebuild_build import BuildRequest, run_build

TIMEOUT_MINUTES = 55
IMAGE = "aws/codebuild/amazonlinux2-x86_64-standard:5.0"


@register
class CommandsAction(Provider):
    category = "Compute"
    provider = "Commands"
    duration = timedelta(0)      # the build's phases carry the simulated duration

    def run(self, job) -> None:
        action = job.action
        ordered = sorted(job.inputs, key=lambda ref: ref.name != (job.inputs[0].name if job.inputs else ""))
        sources = [(ref.name, job.read_input(ref.name)) for ref in ordered]
        build_id = f"codepipeline-{job.pipeline_name}:{job.lab.ids.uuid()}"
        environment = {**reach_the_lab(job.lab, job.credentials), **_codebuild_variables(job, build_id)}
        environment.update({v["name"]: str(v.get("value", "")) for v in action.get("environmentVariables", [])
                            if v.get("type", "PLAINTEXT") == "PLAINTEXT"})
        outcome = run_build(BuildRequest(build_id, buildspec(action), sources, job.output_names, environment,
                                         TIMEOUT_MINUTES, job.lab.scheduler.now, lambda name: ""))
        _write_logs(job, build_id, outcome)
        job.run_record.external_execution_id = build_id
        job.run_record.pending = job.lab.scheduler.at(outcome.end, lambda: self._finish(job, outcome, build_id))

    def _finish(self, job, outcome, build_id: str) -> None:
        job.run_record.pending = None
        if outcome.status != "SUCCEEDED":
            job.fail(failure_message(outcome), "JobFailed", external_execution_id=build_id)
            return
        for name, files in outcome.outputs.items():
            job.write_output(name, files)
        job.succeed(external_execution_id=build_id, output_variables=outcome.exported)


def buildspec(action: dict) -> str:
    """The buildspec CodePipeline runs for a Commands action."""
    spec = {"version": 0.2, "phases": {"build": {"commands": list(action.get("commands", []))}}}
    if action.get("outputVariables"):
        spec["env"] = {"exported-variables": list(action["outputVariables"])}
    outputs = action.get("outputArtifacts") or []
    if outputs:
        spec["artifacts"] = {"files": list(outputs[0].get("files") or ["**/*"])}
    return yaml.safe_dump(spec, sort_keys=False)


def _codebuild_variables(job, build_id: str) -> dict[str, str]:
    region, account = job.region, job.engine.account.account_id
    return {"AWS_REGION": region, "AWS_DEFAULT_REGION": region, "CODEBUILD_BUILD_ID": build_id,
            "CODEBUILD_BUILD_ARN": f"arn:aws:codebuild:{region}:{account}:build/{build_id}",
            "CODEBUILD_INITIATOR": f"codepipeline/{job.pipeline_name}", "CODEBUILD_BUILD_IMAGE": IMAGE,
            "CODEBUILD_BUILD_SUCCEEDING": "1"}


def _write_logs(job, build_id: str, outcome) -> None:
    stream = f"{job.stage_name}/{job.action['name']}/{build_id.split(':', 1)[1]}"
    api.write_log_events(job.engine.account.account_id, job.region, f"/aws/codepipeline/{job.pipeline_name}", stream, outcome.log)
