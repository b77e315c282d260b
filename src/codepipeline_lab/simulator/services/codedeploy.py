"""CodeDeploy deployments for the simulator (applications and deployment groups stay in moto).

A deployment reads its revision (a zip in S3), requires an AppSpec file (appspec.yml or
appspec.yaml at the root) that parses, names known lifecycle events, and points at hook
scripts and files that are in the revision. No instances are simulated: a deployment whose
revision passes these checks succeeds, one that does not fails with errorInformation.
"""

from __future__ import annotations

import zipfile
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import yaml
from botocore.exceptions import ClientError

from codepipeline_lab.simulator.artifacts import unzip
from codepipeline_lab.simulator.errors import _error
from codepipeline_lab.simulator.services import codedeploy_ecs

ApplicationDoesNotExistException = _error("ApplicationDoesNotExistException")
DeploymentGroupDoesNotExistException = _error("DeploymentGroupDoesNotExistException")
DeploymentDoesNotExistException = _error("DeploymentDoesNotExistException")
RevisionRequiredException = _error("RevisionRequiredException")
InvalidRevisionException = _error("InvalidRevisionException")

DURATION = timedelta(seconds=30)          # simulated time from creation to completion
SERVER_EVENTS = ("ApplicationStop", "BeforeInstall", "AfterInstall", "ApplicationStart", "ValidateService",
                 "BeforeBlockTraffic", "AfterBlockTraffic", "BeforeAllowTraffic", "AfterAllowTraffic")
RESERVED_EVENTS = ("DownloadBundle", "Install", "BlockTraffic", "AllowTraffic")


class RevisionProblem(Exception):
    pass


@dataclass
class Deployment:
    id: str
    application: str
    group: str
    config_name: str
    revision: dict
    created: datetime
    status: str                       # the final status, shown once completed
    error: dict | None = None
    hooks: list[tuple[str, str]] = field(default_factory=list)   # (lifecycle event, script location)
    description: str | None = None
    creator: str = "user"
    region: str = ""
    duration: timedelta = DURATION
    compute_platform: str = "Server"
    style: dict = field(default_factory=lambda: {"deploymentType": "IN_PLACE", "deploymentOption": "WITHOUT_TRAFFIC_CONTROL"})
    ecs_service: tuple[str, str] = ("", "")                  # ECS: (cluster, service) of the deployment group
    ecs_events: list = field(default_factory=list)           # ECS: (lifecycle event, start, end, status)

    @property
    def complete(self) -> datetime:
        return self.created + self.duration


class CodeDeploy:
    def __init__(self, account) -> None:
        self.account = account
        self.deployments: dict[str, Deployment] = {}

    def create(self, region: str, params: dict, creator: str = "user") -> Deployment:
        lab = self.account.lab
        application, group = params.get("applicationName"), params.get("deploymentGroupName")
        group_info = self._group(region, application, group)
        revision = params.get("revision")
        if not revision:
            raise RevisionRequiredException("A revision must be specified.")
        deployment = Deployment("d-" + lab.ids.token(9, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"), application, group,
                                params.get("deploymentConfigName") or group_info.get("deploymentConfigName") or "CodeDeployDefault.OneAtATime",
                                revision, lab.scheduler.now, "Succeeded", description=params.get("description"), creator=creator,
                                region=region)
        if group_info.get("computePlatform") == "ECS":
            codedeploy_ecs.prepare(self.account, region, deployment, group_info)
            self.deployments[deployment.id] = deployment
            return deployment
        try:
            deployment.hooks = check_revision(self._bundle(region, revision))
        except RevisionProblem as problem:
            deployment.status = "Failed"
            deployment.error = {"code": "INVALID_REVISION", "message": str(problem)}
        self.deployments[deployment.id] = deployment
        return deployment

    def _group(self, region: str, application: str, group: str) -> dict:
        client = self.account.lab.client("codedeploy", region_name=region)
        try:
            client.get_application(applicationName=application)
        except ClientError:
            raise ApplicationDoesNotExistException(f"No application found for name: {application}") from None
        try:
            return client.get_deployment_group(applicationName=application, deploymentGroupName=group)["deploymentGroupInfo"]
        except ClientError:
            raise DeploymentGroupDoesNotExistException(f"No Deployment Group found for name: {group}") from None

    def _bundle(self, region: str, revision: dict) -> bytes:
        location = revision.get("s3Location") or {}
        if revision.get("revisionType") != "S3" or not location.get("bucket") or not location.get("key"):
            raise InvalidRevisionException("The simulator deploys S3 revisions only: revisionType S3 with s3Location bucket and key")
        try:
            arguments = {"Bucket": location["bucket"], "Key": location["key"]}
            if location.get("version"):
                arguments["VersionId"] = location["version"]
            return self.account.lab.client("s3", region_name=region).get_object(**arguments)["Body"].read()
        except ClientError as problem:
            raise RevisionProblem(f"The revision s3://{location['bucket']}/{location['key']} cannot be read: "
                                  f"{problem.response['Error'].get('Code')}") from None

    def view(self, deployment: Deployment) -> dict:
        now = self.account.lab.scheduler.now
        done = now >= deployment.complete
        shown = {
            "applicationName": deployment.application, "deploymentGroupName": deployment.group,
            "deploymentConfigName": deployment.config_name, "deploymentId": deployment.id, "revision": deployment.revision,
            "status": deployment.status if done else "InProgress", "createTime": deployment.created,
            "startTime": deployment.created, "creator": deployment.creator, "computePlatform": deployment.compute_platform,
            "deploymentStyle": dict(deployment.style),
            "deploymentOverview": {"Pending": 0, "InProgress": 0, "Succeeded": 0, "Failed": 0, "Skipped": 0, "Ready": 0},
        }
        if deployment.description:
            shown["description"] = deployment.description
        if done:
            shown["completeTime"] = deployment.complete
            if deployment.error:
                shown["errorInformation"] = deployment.error
        return shown


def check_revision(bundle: bytes) -> list[tuple[str, str]]:
    """The lifecycle hooks of a revision's AppSpec file; RevisionProblem when CodeDeploy could not use it."""
    try:
        files = unzip(bundle)
    except zipfile.BadZipFile:
        raise RevisionProblem("The revision is not a zip archive (bundleType zip)") from None
    name = next((n for n in ("appspec.yml", "appspec.yaml") if n in files), None)
    if name is None:
        raise RevisionProblem("The revision has no AppSpec file: appspec.yml (or appspec.yaml) must be at the root of the revision")
    try:
        spec = yaml.safe_load(files[name])
    except yaml.YAMLError as problem:
        mark = getattr(problem, "problem_mark", None)
        raise RevisionProblem(f"The AppSpec file {name} is not valid YAML"
                              + (f" (line {mark.line + 1}): {problem.problem}" if mark else "")) from None
    if not isinstance(spec, dict) or "version" not in spec:
        raise RevisionProblem(f"The AppSpec file {name} must be a mapping with version: 0.0")
    if str(spec.get("version")) != "0.0":
        raise RevisionProblem(f"The AppSpec file {name} has version {spec.get('version')}; the only AppSpec version is 0.0")
    if spec.get("os") not in ("linux", "windows"):
        raise RevisionProblem(f"The AppSpec file {name} needs os: linux or os: windows for an EC2/On-premises deployment")
    for item in spec.get("files") or []:
        source = str((item or {}).get("source", "")).strip("/")
        if source and not any(p == source or p.startswith(source + "/") for p in files):
            raise RevisionProblem(f"files: source {source} of {name} is not in the revision")
    return _hooks(spec.get("hooks") or {}, files, name)


def _hooks(hooks, files: dict, name: str) -> list[tuple[str, str]]:
    if not isinstance(hooks, dict):
        raise RevisionProblem(f"hooks in {name} must map lifecycle events to lists of scripts")
    listed = []
    for event, scripts in hooks.items():
        if event in RESERVED_EVENTS:
            raise RevisionProblem(f"hooks in {name}: {event} is reserved for CodeDeploy and cannot have scripts")
        if event not in SERVER_EVENTS:
            raise RevisionProblem(f"hooks in {name}: unknown lifecycle event {event}; events: {', '.join(SERVER_EVENTS)}")
        for script in scripts or []:
            location = str((script or {}).get("location", "")).lstrip("/")
            if location not in files:
                raise RevisionProblem(f"hooks in {name}: script {location} of {event} is not in the revision")
            listed.append((event, location))
    return listed


def codedeploy_operations(account) -> dict:
    store = account.codedeploy

    def found(deployment_id) -> Deployment:
        deployment = store.deployments.get(deployment_id)
        if deployment is None:
            raise DeploymentDoesNotExistException(f"The deployment {deployment_id} could not be found.")
        return deployment

    def create_deployment(params, ctx):
        return {"deploymentId": store.create(ctx.region, params).id}

    def get_deployment(params, ctx):
        return {"deploymentInfo": store.view(found(params.get("deploymentId")))}

    def batch_get_deployments(params, ctx):
        return {"deploymentsInfo": [store.view(found(i)) for i in params.get("deploymentIds") or [] if i in store.deployments]}

    def list_deployments(params, ctx):
        statuses = params.get("includeOnlyStatuses")
        chosen = [d.id for d in store.deployments.values()
                  if params.get("applicationName") in (None, d.application) and params.get("deploymentGroupName") in (None, d.group)
                  and (not statuses or store.view(d)["status"] in statuses)]
        return {"deployments": chosen}

    return {**{f.__name__: f for f in (create_deployment, get_deployment, batch_get_deployments, list_deployments)},
            **codedeploy_ecs.target_operations(account, found)}
