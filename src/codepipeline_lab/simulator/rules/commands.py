"""Rule/AWS/Commands: the rule's ``commands`` run on the same shell runner as the Commands action
and CodeBuild projects (facts §K3: CodePipeline-managed build, 55-minute timeout, logs in
``/aws/codepipeline/<pipeline>``). The rule passes when every command exits 0."""

from __future__ import annotations

from datetime import timedelta

from codepipeline_lab.simulator import api
from codepipeline_lab.simulator.actions.codebuild import failure_message
from codepipeline_lab.simulator.actions.commands import IMAGE, TIMEOUT_MINUTES, buildspec
from codepipeline_lab.simulator.rules.base import Rule, register
from codepipeline_lab.simulator.services.codebuild import reach_the_lab
from codepipeline_lab.simulator.services.codebuild_build import BuildRequest, run_build


@register
class CommandsRule(Rule):
    provider = "Commands"
    duration = timedelta(0)       # the build's phases carry the simulated time

    def run(self, job) -> None:
        execution, engine = job.execution, job.engine
        names = [a["name"] for a in job.rule.get("inputArtifacts", [])]
        sources = [(n, engine.artifacts.read(execution.artifacts[n], job.credentials)) for n in names if n in execution.artifacts]
        build_id = f"codepipeline-{execution.pipeline_name}:{job.lab.ids.uuid()}"
        region, account = job.region, engine.account.account_id
        environment = {**reach_the_lab(job.lab, job.credentials), "AWS_REGION": region, "AWS_DEFAULT_REGION": region,
                       "CODEBUILD_BUILD_ID": build_id, "CODEBUILD_BUILD_IMAGE": IMAGE,
                       "CODEBUILD_BUILD_ARN": f"arn:aws:codebuild:{region}:{account}:build/{build_id}",
                       "CODEBUILD_INITIATOR": f"codepipeline/{execution.pipeline_name}", "CODEBUILD_BUILD_SUCCEEDING": "1"}
        outcome = run_build(BuildRequest(build_id, buildspec({"commands": job.rule.get("commands", [])}), sources, [],
                                         environment, TIMEOUT_MINUTES, job.lab.scheduler.now, lambda name: ""))
        stream = f"{job.run_record.stage_name}/{job.rule['name']}/{build_id.split(':', 1)[1]}"
        api.write_log_events(account, region, f"/aws/codepipeline/{execution.pipeline_name}", stream, outcome.log)
        job.run_record.external_execution_id = build_id
        job.later(outcome.end - job.lab.scheduler.now, lambda: self._finish(job, outcome, build_id), work=True)

    def _finish(self, job, outcome, build_id: str) -> None:
        if outcome.status == "SUCCEEDED":
            job.succeed("Commands succeeded", external_execution_id=build_id)
        else:
            job.fail(failure_message(outcome), "JobFailed", external_execution_id=build_id)
