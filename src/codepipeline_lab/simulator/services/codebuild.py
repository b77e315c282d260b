"""CodeBuild for the simulator: projects (with CODEPIPELINE source and artifacts, which need no
location) and builds that really run their buildspec, in AWS's request and response shapes.

moto's CodeBuild demands a location for CODEPIPELINE projects and never runs a buildspec, so
the simulator keeps projects and builds itself; logs go to moto's CloudWatch Logs.
"""

from __future__ import annotations

import os
import sys

from dataclasses import dataclass, field
from datetime import datetime

from codepipeline_lab.simulator import api, shapes
from codepipeline_lab.simulator.errors import _error
from codepipeline_lab.simulator.services.codebuild_build import BuildOutcome, BuildRequest, run_build

InvalidInputException = _error("InvalidInputException")
ResourceAlreadyExistsException = _error("ResourceAlreadyExistsException")
ResourceNotFoundException = _error("ResourceNotFoundException")

NEEDS_NO_LOCATION = ("CODEPIPELINE", "NO_SOURCE", "NO_ARTIFACTS")
DEFAULT_TIMEOUT_MINUTES = 60


@dataclass
class Build:
    """A build record; what batch_get_builds shows depends on the virtual time it is asked at."""
    id: str
    number: int
    project: dict
    region: str
    started: datetime
    outcome: BuildOutcome
    initiator: str
    source_version: str | None
    environment_overrides: list[dict] = field(default_factory=list)


class CodeBuild:
    def __init__(self, account) -> None:
        self.account = account
        self.projects: dict[tuple[str, str], dict] = {}
        self.builds: dict[str, Build] = {}
        self._numbers: dict[tuple[str, str], int] = {}

    # -- projects ------------------------------------------------------------------------------
    def project(self, region: str, name: str) -> dict:
        project = self.projects.get((region, name))
        if project is None:
            raise ResourceNotFoundException(f"Project cannot be found: arn:aws:codebuild:{region}:{self.account.account_id}:project/{name}")
        return project

    def save_project(self, region: str, params: dict, existing: dict | None) -> dict:
        now = self.account.lab.scheduler.now
        project = dict(existing or {})
        project.update({k: v for k, v in params.items() if k not in ("badgeEnabled",)})
        name = project["name"]
        project.setdefault("arn", f"arn:aws:codebuild:{region}:{self.account.account_id}:project/{name}")
        project.setdefault("timeoutInMinutes", DEFAULT_TIMEOUT_MINUTES)
        project.setdefault("queuedTimeoutInMinutes", 480)
        project.setdefault("encryptionKey", f"arn:aws:kms:{region}:{self.account.account_id}:alias/aws/s3")
        project.setdefault("logsConfig", {"cloudWatchLogs": {"status": "ENABLED"}, "s3Logs": {"status": "DISABLED", "encryptionDisabled": False}})
        project.setdefault("projectVisibility", "PRIVATE")
        project.setdefault("tags", [])
        project["badge"] = {"badgeEnabled": bool(params.get("badgeEnabled", (existing or {}).get("badge", {}).get("badgeEnabled", False)))}
        project.setdefault("created", now)
        project["lastModified"] = now
        _check_project(project)
        self.projects[(region, name)] = project
        return project

    # -- builds --------------------------------------------------------------------------------
    def run(self, region: str, project_name: str, sources: list[tuple[str, bytes]], output_names: list[str],
            environment_overrides: list[dict], initiator: str, source_version: str | None,
            credentials: tuple[str, str, str] | None = None) -> Build:
        """Run a build of the project now (for real), record it and write its logs."""
        project = self.project(region, project_name)
        lab = self.account.lab
        key = (region, project_name)
        self._numbers[key] = self._numbers.get(key, 0) + 1
        build_id = f"{project_name}:{lab.ids.uuid()}"
        started = lab.scheduler.now
        try:
            environment = self._environment(region, project, build_id, self._numbers[key], initiator, source_version, environment_overrides)
            environment = {**reach_the_lab(self.account.lab, credentials), **environment}
        except KeyError as missing:
            outcome = _failed_before_start(started, f"Decrypted Variables Error: {missing.args[0]}")
        else:
            outcome = run_build(BuildRequest(build_id, project.get("source", {}).get("buildspec"), sources, output_names, environment,
                                             int(project.get("timeoutInMinutes") or DEFAULT_TIMEOUT_MINUTES), started,
                                             lambda name: self._parameter(region, name)))
        build = Build(build_id, self._numbers[key], project, region, started, outcome, initiator, source_version, environment_overrides)
        self.builds[build_id] = build
        self._write_logs(build)
        return build

    def _environment(self, region, project, build_id, number, initiator, source_version, overrides):
        account = self.account.account_id
        values = {
            "AWS_REGION": region, "AWS_DEFAULT_REGION": region, "CODEBUILD_BUILD_ID": build_id,
            "CODEBUILD_BUILD_ARN": f"arn:aws:codebuild:{region}:{account}:build/{build_id}",
            "CODEBUILD_BUILD_NUMBER": str(number), "CODEBUILD_INITIATOR": initiator,
            "CODEBUILD_BUILD_IMAGE": project.get("environment", {}).get("image", ""),
            "CODEBUILD_SOURCE_VERSION": source_version or "", "CODEBUILD_RESOLVED_SOURCE_VERSION": source_version or "",
            "CODEBUILD_PROJECT_NAME": project["name"], "CODEBUILD_BUILD_SUCCEEDING": "1",
        }
        for variable in list(project.get("environment", {}).get("environmentVariables", [])) + list(overrides):
            values[variable["name"]] = self._variable_value(region, variable)
        return values

    def _variable_value(self, region: str, variable: dict) -> str:
        kind = variable.get("type", "PLAINTEXT")
        if kind == "PARAMETER_STORE":
            return self._parameter(region, variable["value"])
        if kind == "SECRETS_MANAGER":
            return self._secret(region, variable["value"])
        return str(variable.get("value", ""))

    def _parameter(self, region: str, name: str) -> str:
        ssm = self.account.lab.client("ssm", region_name=region)
        try:
            return ssm.get_parameter(Name=name, WithDecryption=True)["Parameter"]["Value"]
        except ssm.exceptions.ParameterNotFound:
            raise KeyError(f"parameter does not exist: {name}") from None

    def _secret(self, region: str, reference: str) -> str:
        import json
        secret_id, _, json_key = reference.partition(":")
        if reference.startswith("arn:"):
            parts = reference.split(":")
            secret_id, json_key = ":".join(parts[:7]), (parts[7] if len(parts) > 7 else "")
        client = self.account.lab.client("secretsmanager", region_name=region)
        try:
            value = client.get_secret_value(SecretId=secret_id)["SecretString"]
        except client.exceptions.ResourceNotFoundException:
            raise KeyError(f"secret does not exist: {secret_id}") from None
        return str(json.loads(value)[json_key]) if json_key else value

    def _write_logs(self, build: Build) -> None:
        logs = build.project.get("logsConfig", {}).get("cloudWatchLogs", {})
        if logs.get("status") == "DISABLED":
            return
        group, stream = log_location(build)
        api.write_log_events(self.account.account_id, build.region, group, stream, build.outcome.log)

    # -- what the API shows ----------------------------------------------------------------------
    def build_shape(self, build: Build) -> dict:
        return build_view(build, self.account.lab.scheduler.now, self.account.account_id)


def reach_the_lab(lab, credentials) -> dict[str, str]:
    """What a build's shell needs to call the simulated account as the project's role: the Lab's
    endpoint, the role's temporary credentials, the project's own Python first on PATH (so
    ``aws``, ``python`` and boto3 are the Lab's), and the load balancers' proxy for HTTP."""
    values = {"AWS_ENDPOINT_URL": lab.endpoint_url, "PATH": os.path.dirname(sys.executable) + os.pathsep + os.environ.get("PATH", ""),
              "AWS_EC2_METADATA_DISABLED": "true", "NO_PROXY": "127.0.0.1,localhost", "no_proxy": "127.0.0.1,localhost"}
    if credentials:
        values.update(AWS_ACCESS_KEY_ID=credentials[0], AWS_SECRET_ACCESS_KEY=credentials[1], AWS_SESSION_TOKEN=credentials[2])
    try:
        proxy = lab.http_proxy
    except ImportError:            # the load balancers' proxy is optional
        proxy = None
    if proxy:
        values.update(HTTP_PROXY=proxy, http_proxy=proxy, HTTPS_PROXY=proxy, https_proxy=proxy)
    return values


def log_location(build: Build) -> tuple[str, str]:
    logs = build.project.get("logsConfig", {}).get("cloudWatchLogs", {})
    group = logs.get("groupName") or f"/aws/codebuild/{build.project['name']}"
    suffix = build.id.split(":", 1)[1]
    stream = f"{logs['streamName']}/{suffix}" if logs.get("streamName") else suffix
    return group, stream


def build_view(build: Build, now: datetime, account_id: str) -> dict:
    """The Build shape at virtual time ``now``: phases not reached yet are not shown."""
    outcome, project = build.outcome, build.project
    phases = [dict(p) for p in outcome.phases if p["startTime"] <= now]
    complete = outcome.end is not None and outcome.end <= now
    if not complete and phases:
        current = phases[-1]
        if current.get("endTime") and current["endTime"] > now:
            for key in ("endTime", "durationInSeconds", "phaseStatus", "contexts"):
                current.pop(key, None)
    group, stream = log_location(build)
    shown = {
        "id": build.id, "arn": f"arn:aws:codebuild:{build.region}:{account_id}:build/{build.id}",
        "buildNumber": build.number, "startTime": build.started, "currentPhase": phases[-1]["phaseType"] if phases else "SUBMITTED",
        "buildStatus": outcome.status if complete else "IN_PROGRESS", "projectName": project["name"], "phases": phases,
        "source": project.get("source", {}), "secondarySources": project.get("secondarySources", []),
        "artifacts": {"location": ""}, "environment": {**project.get("environment", {}),
                                                       "environmentVariables": list(project.get("environment", {}).get("environmentVariables", [])) + build.environment_overrides},
        "serviceRole": project.get("serviceRole"), "timeoutInMinutes": project.get("timeoutInMinutes"),
        "queuedTimeoutInMinutes": project.get("queuedTimeoutInMinutes"), "buildComplete": complete,
        "initiator": build.initiator, "encryptionKey": project.get("encryptionKey"),
        "logs": {"groupName": group, "streamName": stream,
                 "deepLink": f"https://console.aws.amazon.com/cloudwatch/home?region={build.region}#logEvent:group={group};stream={stream}",
                 "cloudWatchLogsArn": f"arn:aws:logs:{build.region}:{account_id}:log-group:{group}:log-stream:{stream}",
                 "cloudWatchLogs": project.get("logsConfig", {}).get("cloudWatchLogs", {"status": "ENABLED"})},
    }
    if build.source_version:
        shown["sourceVersion"] = shown["resolvedSourceVersion"] = build.source_version
    if complete:
        shown["endTime"] = outcome.end
        shown["exportedEnvironmentVariables"] = [{"name": k, "value": v} for k, v in outcome.exported.items()]
    return shown


def _failed_before_start(started: datetime, message: str) -> BuildOutcome:
    phases = [{"phaseType": "SUBMITTED", "phaseStatus": "SUCCEEDED", "startTime": started, "endTime": started, "durationInSeconds": 0},
              {"phaseType": "PROVISIONING", "phaseStatus": "FAILED", "startTime": started, "endTime": started, "durationInSeconds": 0,
               "contexts": [{"statusCode": "Decrypted Variables Error", "message": message.split(": ", 1)[1]}]},
              {"phaseType": "COMPLETED", "startTime": started}]
    return BuildOutcome("FAILED", phases, [(started, f"[Container] {message}")], {}, {}, message, started)


def _check_project(project: dict) -> None:
    for kind, default in (("source", None), ("artifacts", None)):
        section = project.get(kind) or {}
        if section.get("type") not in NEEDS_NO_LOCATION and not section.get("location"):
            raise InvalidInputException(f"Project {kind} location is required for {kind} type {section.get('type')}")
    source = project.get("source", {})
    if source.get("type") == "NO_SOURCE" and not source.get("buildspec"):
        raise InvalidInputException("Project source buildspec is required for source type NO_SOURCE")
    if (project.get("source", {}).get("type") == "CODEPIPELINE") != (project.get("artifacts", {}).get("type") == "CODEPIPELINE"):
        raise InvalidInputException("Both source and artifacts of a project must be of type CODEPIPELINE, or neither")


def check_request(params: dict, shape_name: str) -> None:
    problems = shapes.check(params, shapes.shape(shape_name, "codebuild"), shape_name.removesuffix("Input"))
    if problems:
        raise InvalidInputException(problems[0].message)
