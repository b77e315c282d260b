"""`codepipeline-lab run`: the steps, in order — read FILE, deploy it into a Lab, create what is
missing, place the sources, create the pipeline, run the execution to its end, write --out."""

from __future__ import annotations

import copy
import sys
from dataclasses import dataclass, field
from pathlib import Path

from botocore.exceptions import ClientError

from codepipeline_lab.runner import folders, loading, outputs, sources
from codepipeline_lab.runner.deploy import Deployment, choose_pipeline
from codepipeline_lab.runner.needs import Needs
from codepipeline_lab.runner.problems import Unusable
from codepipeline_lab.runner.watch import Watch


@dataclass
class Options:
    file: str
    sources: list[str] = field(default_factory=list)
    parameters: list[str] = field(default_factory=list)
    variables: list[str] = field(default_factory=list)
    pipeline: str | None = None
    approve: bool = False
    reject: bool = False
    out: str | None = None
    seed: int = 0
    strict: bool = False
    region: str = "us-east-1"


def pairs(options: list[str], flag: str) -> dict[str, str]:
    found, problems = {}, []
    for option in options:
        key, sep, value = option.partition("=")
        if not sep or not key:
            problems.append(f"{flag} {option}: expected NAME=VALUE")
        else:
            found[key] = value
    if problems:
        raise Unusable(problems)
    return found


def run(options: Options, out=None, err=None, ask=None) -> int:
    out, err = out or sys.stdout, err or sys.stderr
    try:
        return _run(options, lambda line: print(line, file=out, flush=True), ask or _asker(options))
    except Unusable as problem:
        for line in problem.lines:
            print(line, file=err)
        return 2
    except KeyboardInterrupt:
        print(f"{options.file}: interrupted", file=err)
        return 2
    except Exception as error:           # a defect of the runner: worded, never a traceback
        print(f"{options.file}: the runner stopped on an unexpected error ({type(error).__name__}: {error})", file=err)
        return 2


def _asker(options: Options):
    def decide(stage: str, action: str, custom_data: str) -> str | None:
        if options.approve:
            return "Approved"
        if options.reject:
            return "Rejected"
        if not sys.stdin.isatty():
            return None
        note = f" ({custom_data})" if custom_data else ""
        while True:
            answer = input(f"  approval {stage}/{action}{note}: approve? [y/n] ").strip().lower()
            if answer in ("y", "yes", "n", "no"):
                return "Approved" if answer.startswith("y") else "Rejected"
    return decide


def _run(options: Options, say, decide) -> int:
    from codepipeline_lab import Lab

    if options.approve and options.reject:
        raise Unusable("--approve and --reject: give one of them, not both")
    parameters = pairs(options.parameters, "--parameter")
    variables = pairs(options.variables, "--variable")
    default, named = folders.parse_sources(options.sources)
    source = loading.read(options.file)
    if source.kind == "declaration" and (parameters or options.pipeline):
        raise Unusable(f"{options.file}: --parameter and --pipeline apply to CloudFormation templates; this file is a pipeline declaration")
    if source.kind == "template":
        pipeline_id = choose_pipeline(source, options.pipeline)
    try:
        lab = Lab(seed=options.seed, region=options.region)
    except (TypeError, ValueError) as error:
        raise Unusable(f"--seed/--region: {error}") from None
    with lab:
        transitions = []
        if source.kind == "template":
            say(f"{options.file}: a CloudFormation template; deploying it into the Lab")
            deployed = Deployment(lab, source, parameters, pipeline_id, say).deploy()
            declaration, transitions = deployed.declaration, deployed.disabled_transitions
        else:
            declaration = copy.deepcopy(source.document)
        if not isinstance(declaration.get("stages"), list):
            raise Unusable(f"{options.file}: pipeline.stages: a pipeline declaration needs a list of stages")
        chosen = folders.assign(declaration, default, named, options.file)
        missing = Needs(lab, declaration, options.strict, say).check()
        if missing:
            raise Unusable([f"{options.file}: {line}" for line in missing])
        placed = sources.place_all(lab, declaration, chosen, options.file, say)
        problems = sources.buildspec_problems(lab, declaration, placed, options.file)
        if problems:
            raise Unusable(problems)
        events_url = outputs.listen_for_events(lab) if options.out else None
        name = _create(lab, declaration, options.file, transitions)
        execution_id = _execution(lab, name, variables, options.file, say)
        say(f"pipeline {name}: execution {execution_id} (virtual time starts {lab.now:%Y-%m-%d %H:%M:%S} UTC)")
        watch = Watch(lab, name, execution_id, say, decide)
        status = watch.run()
        if status == "Waiting":
            say(f"{status}: the execution cannot go on without {watch.waiting_for}")
        say(f"{status}: pipeline {name}, execution {execution_id}, {watch.elapsed()} of virtual time")
        if options.out:
            written = outputs.write(lab, watch, Path(options.out), events_url)
            say(f"wrote {options.out}: {', '.join(written)}")
        return 0 if status == "Succeeded" else 1


def _create(lab, declaration: dict, file: str, transitions) -> str:
    codepipeline = lab.client("codepipeline")
    try:
        name = codepipeline.create_pipeline(pipeline=declaration)["pipeline"]["name"]
    except ClientError as error:
        info = error.response.get("Error", {})
        raise Unusable(f"{file}: CreatePipeline: {info.get('Code')}: {info.get('Message')}") from None
    for stage, reason in transitions:
        codepipeline.disable_stage_transition(pipelineName=name, stageName=stage, transitionType="Inbound", reason=reason[:300])
    return name


def _execution(lab, name: str, variables: dict, file: str, say) -> str:
    codepipeline = lab.client("codepipeline")
    first = codepipeline.list_pipeline_executions(pipelineName=name)["pipelineExecutionSummaries"][0]["pipelineExecutionId"]
    if not variables:
        return first
    codepipeline.stop_pipeline_execution(pipelineName=name, pipelineExecutionId=first, abandon=True,
                                         reason="codepipeline-lab run: replaced by an execution with --variable values")
    try:
        started = codepipeline.start_pipeline_execution(
            name=name, variables=[{"name": k, "value": v} for k, v in variables.items()])["pipelineExecutionId"]
    except ClientError as error:
        info = error.response.get("Error", {})
        raise Unusable(f"{file}: --variable: StartPipelineExecution refused: {info.get('Code')}: {info.get('Message')}") from None
    say(f"stopped execution {first} (started by CreatePipeline) and started {started} with the --variable values")
    return started
