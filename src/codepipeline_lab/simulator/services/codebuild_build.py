"""One CodeBuild build: the phases from SUBMITTED to COMPLETED, run for real in a temporary
workspace, timed on the virtual clock.

Phase transitions follow CodeBuild's: a failure in PROVISIONING, DOWNLOAD_SOURCE, INSTALL or
PRE_BUILD goes straight to FINALIZING; a failed BUILD still runs POST_BUILD, and
UPLOAD_ARTIFACTS is attempted after POST_BUILD whatever happened in BUILD. ``on-failure:
CONTINUE`` carries on as if the phase had succeeded (the build still fails).
"""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Callable

from codepipeline_lab.simulator import artifacts as zips
from codepipeline_lab.simulator.services import codebuild_artifacts, codebuild_buildspec
from codepipeline_lab.simulator.services.codebuild_shell import Shell
from codepipeline_lab.simulator.services.connections import clone_ref

# Simulated (virtual) durations of the phases that run no commands, and of one command.
FIXED_SECONDS = {"SUBMITTED": 0, "QUEUED": 1, "PROVISIONING": 10, "DOWNLOAD_SOURCE": 2, "UPLOAD_ARTIFACTS": 1, "FINALIZING": 2}
SECONDS_PER_COMMAND = 1
# The real wall-clock cap: real seconds allowed per minute of the project's timeoutInMinutes.
REAL_SECONDS_PER_TIMEOUT_MINUTE = 1.0
COMMAND_PHASES = {"install": "INSTALL", "pre_build": "PRE_BUILD", "build": "BUILD", "post_build": "POST_BUILD"}


@dataclass
class BuildRequest:
    build_id: str
    buildspec: str | None                      # the project's inline buildspec, or a file name, or None
    sources: list[tuple[str, bytes]]           # (input artifact name, zip), primary source first
    output_names: list[str]
    environment: dict[str, str]                # CodeBuild's variables, project's and the action's, in precedence order
    timeout_minutes: int
    started: datetime
    resolve_parameter: Callable[[str], str]    # SSM parameter name -> value (KeyError when missing)


@dataclass
class BuildOutcome:
    status: str = "IN_PROGRESS"
    phases: list[dict] = field(default_factory=list)
    log: list[tuple[datetime, str]] = field(default_factory=list)
    exported: dict[str, str] = field(default_factory=dict)
    outputs: dict[str, dict[str, bytes]] = field(default_factory=dict)
    message: str | None = None                 # why it failed, for the pipeline action
    end: datetime | None = None


class PhaseFailure(Exception):
    def __init__(self, code: str, message: str, status: str = "FAILED") -> None:
        super().__init__(message)
        self.code, self.message, self.status = code, message, status


def run_build(request: BuildRequest) -> BuildOutcome:
    # The real path (symlinks resolved, so `pwd -P` prints it too) is shown as CodeBuild's own.
    workspace = os.path.realpath(tempfile.mkdtemp(prefix="codepipeline-lab-build-"))
    try:
        return _Build(request, workspace).run()
    finally:
        shutil.rmtree(workspace, ignore_errors=True)


class _Build:
    def __init__(self, request: BuildRequest, workspace: str) -> None:
        self.request = request
        self.workspace = workspace
        self.outcome = BuildOutcome()
        self.clock = request.started
        self.spec: codebuild_buildspec.Buildspec | None = None
        self.shell: Shell | None = None
        self.failed = False
        self.source_dirs: dict[str, str] = {}
        self.root = os.path.join(workspace, "src")
        # Logs show the workspace where CodeBuild has it, so they do not change from run to run.
        self.shown_workspace = f"/codebuild/output/src{int(request.build_id.rsplit('-', 1)[-1][:8], 16) % 10**9:09d}"
        self.commands_run = 0

    # -- the sequence -------------------------------------------------------------------------
    def run(self) -> BuildOutcome:
        for phase in ("SUBMITTED", "QUEUED"):
            self.phase(phase, lambda: None)
        ok = self.phase("PROVISIONING", self.provision) and self.phase("DOWNLOAD_SOURCE", self.download_source)
        ok = ok and self.command_phase("install") and self.command_phase("pre_build")
        if ok:
            built = self.command_phase("build")
            if self.outcome.status != "TIMED_OUT":
                self.command_phase("post_build", building_ok=built)
                self.phase("UPLOAD_ARTIFACTS", self.upload_artifacts)
        self.phase("FINALIZING", self.finalize)
        self.outcome.phases.append({"phaseType": "COMPLETED", "startTime": self.clock})
        self.outcome.end = self.clock
        if self.outcome.status == "IN_PROGRESS":
            self.outcome.status = "FAILED" if self.failed else "SUCCEEDED"
        return self.outcome

    def phase(self, name: str, work: Callable[[], int | None]) -> bool:
        """Run one phase; record it with its virtual start, end and result. False if it failed."""
        start = self.clock
        context = {"statusCode": "", "message": ""}
        status = "SUCCEEDED"
        seconds = FIXED_SECONDS.get(name, 0)
        try:
            used = work()
            seconds = used if used is not None else seconds
        except PhaseFailure as failure:
            status = failure.status
            context = {"statusCode": failure.code, "message": failure.message}
            seconds = getattr(failure, "seconds", seconds)
            self.note_failure(failure)
        self.clock = start + timedelta(seconds=seconds)
        record = {"phaseType": name, "phaseStatus": status, "startTime": start, "endTime": self.clock,
                  "durationInSeconds": seconds}
        if name not in ("SUBMITTED",):
            record["contexts"] = [context]
        self.outcome.phases.append(record)
        if name in COMMAND_PHASES.values() or name in ("DOWNLOAD_SOURCE", "UPLOAD_ARTIFACTS"):
            self.log(f"Phase complete: {name} State: {status}")
            self.log(f"Phase context status code: {context['statusCode']} Message: {context['message']}")
        return status == "SUCCEEDED"

    def note_failure(self, failure: PhaseFailure) -> None:
        self.failed = True
        if failure.status == "TIMED_OUT":
            self.outcome.status = "TIMED_OUT"
        if self.outcome.message is None:
            self.outcome.message = failure.message if failure.message.startswith(failure.code) else f"{failure.code}: {failure.message}"

    def log(self, line: str, container: bool = True, offset: int = 0) -> None:
        when = self.clock + timedelta(seconds=offset)
        stamp = when.strftime("%Y/%m/%d %H:%M:%S.%f")
        line = line.replace(self.workspace, self.shown_workspace)
        self.outcome.log.append((when, f"[Container] {stamp} {line}" if container else line))

    # -- phases without commands ------------------------------------------------------------------
    def provision(self) -> None:
        self.log("Waiting for agent ping")
        self.log("Waiting for DOWNLOAD_SOURCE")

    def download_source(self) -> None:
        root = self.root
        os.makedirs(root, exist_ok=True)
        for index, (name, data) in enumerate(self.request.sources):
            directory = root if index == 0 else os.path.join(self.workspace, f"src_{name}")
            os.makedirs(directory, exist_ok=True)
            zips.extract(data, directory)
            try:    # a connection's CODEBUILD_CLONE_REF: cloned here, as the build's role
                clone_ref.materialize(directory, self.request.environment)
            except clone_ref.CloneRefError as problem:
                raise PhaseFailure(problem.code, problem.message) from None
            self.source_dirs[name] = directory
        self.spec = self.read_buildspec(root)
        self.log("Processing environment variables")
        self.log(f"Moving to directory {root}")

    def read_buildspec(self, root: str) -> codebuild_buildspec.Buildspec:
        text, where = self.request.buildspec, "the project's inline buildspec"
        if not text or ("\n" not in text.strip() and text.strip().endswith((".yml", ".yaml"))):
            name = (text or "buildspec.yml").strip()
            path = os.path.join(root, name)
            primary = self.request.sources[0][0] if self.request.sources else "no source"
            if not os.path.isfile(path):
                raise PhaseFailure("YAML_FILE_ERROR", f"YAML_FILE_ERROR: stat $CODEBUILD_SRC_DIR/{name}: no such file or directory "
                                   f"(the buildspec is read from the primary source, input artifact {primary})")
            with open(path, encoding="utf-8", errors="replace") as handle:
                text, where = handle.read(), name
        try:
            return codebuild_buildspec.parse(text, where)
        except codebuild_buildspec.BuildspecError as problem:
            raise PhaseFailure("YAML_FILE_ERROR", str(problem)) from None

    # -- phases with commands -----------------------------------------------------------------------
    def start_shell(self) -> Shell:
        if self.shell is None:
            env = dict(os.environ) | self.buildspec_environment() | self.request.environment
            env["CODEBUILD_SRC_DIR"] = self.root
            for name, directory in list(self.source_dirs.items())[1:]:
                env[f"CODEBUILD_SRC_DIR_{name}"] = directory
            deadline = time.monotonic() + self.request.timeout_minutes * REAL_SECONDS_PER_TIMEOUT_MINUTE
            self.shell = Shell(env["CODEBUILD_SRC_DIR"], env, os.path.join(self.workspace, "shell"), deadline)
        return self.shell

    def buildspec_environment(self) -> dict[str, str]:
        values = dict(self.spec.variables)
        for name, parameter in self.spec.parameter_store.items():
            try:
                values[name] = self.request.resolve_parameter(parameter)
            except KeyError:
                raise PhaseFailure("Decrypted Variables Error", f"parameter does not exist: {parameter} (env/parameter-store {name})") from None
        return values

    def command_phase(self, key: str, building_ok: bool = True) -> bool:
        phase = self.spec.phases.get(key)
        name = COMMAND_PHASES[key]
        if phase is None or not (phase.commands or phase.finally_commands):
            return True
        def work() -> int:
            self.log(f"Entering phase {name}")
            shell = self.start_shell()
            shell_env = {"CODEBUILD_BUILD_SUCCEEDING": "1" if building_ok and not self.failed else "0"}
            self.commands_run = 0
            count, failure = self.run_commands(shell, phase.commands, name, shell_env)
            more, final_failure = self.run_commands(shell, phase.finally_commands, name, shell_env)
            failure = failure or final_failure
            if failure is not None:
                failure.seconds = (count + more) * SECONDS_PER_COMMAND if failure.status != "TIMED_OUT" else failure.seconds
                raise failure
            return (count + more) * SECONDS_PER_COMMAND
        ok = self.phase(name, work)
        return ok or phase.on_failure == "CONTINUE" and self.outcome.status != "TIMED_OUT"

    def run_commands(self, shell: Shell, commands: list[str], phase: str, extra: dict) -> tuple[int, PhaseFailure | None]:
        for index, command in enumerate(commands):
            offset = self.commands_run * SECONDS_PER_COMMAND
            self.commands_run += 1
            self.log(f"Running command {command}", offset=offset)
            if self.spec.separate_shells:    # buildspec 0.1: every command in a new shell
                shell.reset()
            result = shell.run(_with_variables(extra, command))
            for line in result.output.splitlines():
                self.log(line, container=False, offset=offset)
            if result.timed_out:
                failure = PhaseFailure("BUILD_TIMED_OUT", f"Build has timed out. (command '{command}' in phase {phase} was still running "
                                       f"after timeoutInMinutes={self.request.timeout_minutes})", "TIMED_OUT")
                elapsed = (self.clock - self.request.started).total_seconds()
                failure.seconds = max(0, int(self.request.timeout_minutes * 60 - elapsed))
                return index + 1, failure
            if result.exit_code != 0:
                self.log(f"Command did not exit successfully {command} exit status {result.exit_code}", offset=offset)
                return index + 1, PhaseFailure("COMMAND_EXECUTION_ERROR",
                                               f"Error while executing command: {command}. Reason: exit status {result.exit_code}")
        return len(commands), None

    # -- output ------------------------------------------------------------------------------------
    def upload_artifacts(self) -> None:
        if not self.request.output_names:
            return
        try:
            for name, spec in self.artifact_specs().items():
                self.outcome.outputs[name] = codebuild_artifacts.collect(self.root, spec)
        except codebuild_artifacts.ArtifactError as problem:
            raise PhaseFailure("CLIENT_ERROR", str(problem)) from None

    def artifact_specs(self) -> dict:
        names, spec = self.request.output_names, self.spec
        if len(names) == 1 and spec.artifacts is not None:
            return {names[0]: spec.artifacts}
        missing = [n for n in names if n not in spec.secondary_artifacts]
        if missing:
            where = "artifacts (files)" if len(names) == 1 else "artifacts/secondary-artifacts"
            raise PhaseFailure("CLIENT_ERROR", f"CLIENT_ERROR: the buildspec defines no artifact for output artifact(s) "
                               f"{', '.join(missing)}; define them under {where}, keyed by the output artifact names")
        return {n: spec.secondary_artifacts[n] for n in names}

    def finalize(self) -> None:
        if self.shell is not None and self.spec and self.spec.exported_variables and not self.failed:
            values = self.shell.environment()
            self.outcome.exported = {n: values[n].replace(self.workspace, self.shown_workspace)
                                     for n in self.spec.exported_variables if n in values}


def _with_variables(extra: dict, command: str) -> str:
    assignments = " ".join(f"{k}={v}" for k, v in extra.items())
    return f"export {assignments}\n{command}" if assignments else command
