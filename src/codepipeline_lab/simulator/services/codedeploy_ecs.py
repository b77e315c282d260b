"""CodeDeploy deployments to Amazon ECS (computePlatform ECS, blue/green), for the simulator.

A deployment's AppSpec (revisionType AppSpecContent, or a YAML/JSON file in S3) must parse,
have ``version: 0.0``, one ``Resources`` entry of ``Type: AWS::ECS::Service`` whose
``TaskDefinition`` is a registered task definition and whose ``LoadBalancerInfo`` names a
container (and port) of it, and ``Hooks`` only on the five events that take Lambda hooks. The
deployment group's ECS service must exist and use the CODE_DEPLOY deployment controller.
Lifecycle events are timed on the virtual clock and shown by ``get_deployment_target``; no task
set is created, no traffic moves, and hook functions are listed, not invoked.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import yaml
from botocore.exceptions import ClientError

# The lifecycle events of an ECS deployment, in order, and the virtual time each takes (our choice).
EVENTS = ("BeforeInstall", "Install", "AfterInstall", "AllowTestTraffic", "AfterAllowTestTraffic",
          "BeforeAllowTraffic", "AllowTraffic", "AfterAllowTraffic")
HOOK_EVENTS = ("BeforeInstall", "AfterInstall", "AfterAllowTestTraffic", "BeforeAllowTraffic", "AfterAllowTraffic")
EVENT_TIME = {"Install": timedelta(minutes=1), "AllowTestTraffic": timedelta(seconds=10)}
HOOK_TIME = timedelta(seconds=10)         # an event with a hook function; one without takes 1 s
IDLE_TIME = timedelta(seconds=1)
# Time AllowTraffic takes under AWS's predefined ECS configurations (all at once: 30 s, our choice).
TRAFFIC_TIME = {
    "CodeDeployDefault.ECSLinear10PercentEvery1Minutes": timedelta(minutes=9),
    "CodeDeployDefault.ECSLinear10PercentEvery3Minutes": timedelta(minutes=27),
    "CodeDeployDefault.ECSCanary10Percent5Minutes": timedelta(minutes=5),
    "CodeDeployDefault.ECSCanary10Percent15Minutes": timedelta(minutes=15),
}
FAILED_AFTER = timedelta(seconds=5)      # a revision CodeDeploy cannot use fails this soon


class EcsProblem(Exception):
    def __init__(self, code: str, message: str, event: str | None = None) -> None:
        super().__init__(message)
        self.code, self.event = code, event      # event: the lifecycle event that fails (None: before any)


def prepare(account, region: str, deployment, group_info: dict) -> None:
    """Fill an ECS deployment in: its target, lifecycle events, duration, or its error."""
    deployment.compute_platform = "ECS"
    deployment.style = {"deploymentType": "BLUE_GREEN", "deploymentOption": "WITH_TRAFFIC_CONTROL"}
    services = group_info.get("ecsServices") or [{}]
    deployment.ecs_service = (services[0].get("clusterName", ""), services[0].get("serviceName", ""))
    hooks: dict[str, str] = {}
    failed: EcsProblem | None = None
    try:
        spec = appspec(_appspec_text(account, region, deployment.revision))
        hooks = _hooks(spec)
        _check_target(account, region, deployment.ecs_service, _target(spec))
    except EcsProblem as problem:
        failed = problem
    deployment.ecs_events = _timeline(deployment.created, hooks, failed, _traffic_time(deployment.config_name))
    deployment.hooks = sorted(hooks.items(), key=lambda item: EVENTS.index(item[0]))
    ends = [end for _event, _begin, end, _status in deployment.ecs_events if end is not None]
    deployment.duration = max(ends) - deployment.created if ends else FAILED_AFTER
    if failed is None:   # the original task set is terminated after the group's wait: then the deployment ends
        deployment.duration += _termination_wait(group_info)
    if failed is not None:
        deployment.status = "Failed"
        deployment.error = {"code": failed.code, "message": str(failed)}


def appspec(text: str) -> dict:
    try:
        spec = yaml.safe_load(text)
    except yaml.YAMLError as problem:
        mark = getattr(problem, "problem_mark", None)
        raise EcsProblem("INVALID_REVISION", "The AppSpec content is not valid YAML or JSON"
                         + (f" (line {mark.line + 1}): {problem.problem}" if mark else "")) from None
    if not isinstance(spec, dict) or str(spec.get("version")) != "0.0":
        raise EcsProblem("INVALID_REVISION", "The AppSpec content must be a mapping with version: 0.0")
    return spec


def _appspec_text(account, region: str, revision: dict) -> str:
    if revision.get("revisionType") == "AppSpecContent":
        return str((revision.get("appSpecContent") or {}).get("content") or "")
    location = revision.get("s3Location") or {}
    if revision.get("revisionType") == "S3" and location.get("bucket") and location.get("key"):
        try:
            body = account.lab.client("s3", region_name=region).get_object(Bucket=location["bucket"], Key=location["key"])["Body"].read()
        except ClientError as problem:
            raise EcsProblem("INVALID_REVISION", f"The revision s3://{location['bucket']}/{location['key']} cannot be read: "
                                                 f"{problem.response['Error'].get('Code')}") from None
        return body.decode("utf-8", "replace")
    raise EcsProblem("INVALID_REVISION", "An ECS deployment needs revisionType AppSpecContent (content) or S3 (a YAML or JSON AppSpec file)")


def _target(spec: dict) -> dict:
    resources = spec.get("Resources")
    if not isinstance(resources, list) or len(resources) != 1 or not isinstance(resources[0], dict) or len(resources[0]) != 1:
        raise EcsProblem("INVALID_REVISION", "Resources in the AppSpec content must list exactly one target service (TargetService)")
    target = next(iter(resources[0].values()))
    if not isinstance(target, dict) or target.get("Type") != "AWS::ECS::Service":
        raise EcsProblem("INVALID_REVISION", "The AppSpec target service must have Type: AWS::ECS::Service")
    properties = target.get("Properties") if isinstance(target.get("Properties"), dict) else {}
    balancer = properties.get("LoadBalancerInfo") if isinstance(properties.get("LoadBalancerInfo"), dict) else {}
    for key, value in (("TaskDefinition", properties.get("TaskDefinition")), ("LoadBalancerInfo.ContainerName", balancer.get("ContainerName")),
                       ("LoadBalancerInfo.ContainerPort", balancer.get("ContainerPort"))):
        if value in (None, ""):
            raise EcsProblem("INVALID_REVISION", f"The AppSpec target service has no Properties.{key}")
    return {"task_definition": str(properties["TaskDefinition"]), "container": str(balancer["ContainerName"]),
            "port": balancer["ContainerPort"]}


def _hooks(spec: dict) -> dict[str, str]:
    listed = spec.get("Hooks") or []
    if not isinstance(listed, list):
        raise EcsProblem("INVALID_REVISION", "Hooks in the AppSpec content must be a list of {lifecycle event: Lambda function}")
    hooks = {}
    for item in listed:
        for event, function in (item.items() if isinstance(item, dict) else [(item, None)]):
            if event not in HOOK_EVENTS:
                raise EcsProblem("INVALID_REVISION", f"Hooks in the AppSpec content: {event} cannot have a hook in an ECS deployment; "
                                                     f"events with hooks: {', '.join(HOOK_EVENTS)}")
            hooks[event] = str(function)
    return hooks


def _check_target(account, region: str, service: tuple[str, str], target: dict) -> None:
    ecs = account.lab.client("ecs", region_name=region)
    cluster, name = service
    try:
        found = [s for s in ecs.describe_services(cluster=cluster, services=[name])["services"] if s.get("status") == "ACTIVE"]
    except ClientError:
        found = []
    if not found:
        raise EcsProblem("INVALID_ECS_SERVICE", f"The ECS service {name} of cluster {cluster} (ecsServices of the deployment group) does not exist")
    if (found[0].get("deploymentController") or {}).get("type") != "CODE_DEPLOY":
        raise EcsProblem("INVALID_ECS_SERVICE", f"The ECS service {name} of cluster {cluster} must use the CODE_DEPLOY deployment controller")
    try:
        definition = ecs.describe_task_definition(taskDefinition=target["task_definition"])["taskDefinition"]
    except ClientError:
        raise EcsProblem("ECS_UPDATE_ERROR", f"The task definition {target['task_definition']} named by the AppSpec content "
                                             f"is not registered", "Install") from None
    container = next((c for c in definition["containerDefinitions"] if c["name"] == target["container"]), None)
    if container is None:
        raise EcsProblem("ECS_UPDATE_ERROR", f"LoadBalancerInfo.ContainerName {target['container']} of the AppSpec content is not a "
                                             f"container of task definition {definition['family']}:{definition['revision']}", "Install")
    ports = [m.get("containerPort") for m in container.get("portMappings") or []]
    if str(target["port"]) not in {str(p) for p in ports}:
        raise EcsProblem("ECS_UPDATE_ERROR", f"LoadBalancerInfo.ContainerPort {target['port']} of the AppSpec content is not a port "
                                             f"mapping of container {target['container']}", "Install")


def _traffic_time(config_name: str) -> timedelta:
    return TRAFFIC_TIME.get(config_name, timedelta(seconds=30))


def _termination_wait(group_info: dict) -> timedelta:
    terminate = (group_info.get("blueGreenDeploymentConfiguration") or {}).get("terminateBlueInstancesOnDeploymentSuccess") or {}
    return timedelta(minutes=int(terminate.get("terminationWaitTimeInMinutes") or 0))


def _timeline(start: datetime, hooks: dict, failed: EcsProblem | None,
              traffic: timedelta) -> list[tuple[str, datetime | None, datetime | None, str]]:
    """(event, start, end, final status) for each lifecycle event (no times: Skipped)."""
    events, now, state = [], start, "Succeeded"
    for event in EVENTS:
        if failed is not None and (failed.event is None or state != "Succeeded"):
            events.append((event, None, None, "Skipped"))
            continue
        took = traffic if event == "AllowTraffic" else EVENT_TIME.get(event) or (HOOK_TIME if event in hooks else IDLE_TIME)
        status = "Failed" if failed is not None and failed.event == event else "Succeeded"
        events.append((event, now, now + took, status))
        now += took
        state = status
    return events


def target_view(account, deployment, now: datetime) -> dict:
    """GetDeploymentTarget's ecsTarget: the lifecycle events as they stand at ``now``."""
    cluster, service = deployment.ecs_service
    shown, statuses = [], []
    for event, begin, end, status in deployment.ecs_events:
        item = {"lifecycleEventName": event}
        if begin is None or now < begin:
            item["status"] = "Skipped" if begin is None else "Pending"
        elif now < end:
            item.update(startTime=begin, status="InProgress")
        else:
            item.update(startTime=begin, endTime=end, status=status)
        shown.append(item)
        statuses.append(item["status"])
    status = "Failed" if "Failed" in statuses else "InProgress" if {"InProgress", "Pending"} & set(statuses) else "Succeeded"
    if deployment.status == "Failed" and now >= deployment.complete:
        status = "Failed"
    times = [t for _e, b, e, _s in deployment.ecs_events for t in (b, e) if t is not None and t <= now]
    return {"deploymentId": deployment.id, "targetId": f"{cluster}:{service}",
            "targetArn": f"arn:aws:ecs:{deployment.region}:{account.account_id}:service/{cluster}/{service}",
            "lastUpdatedAt": max(times, default=deployment.created), "lifecycleEvents": shown, "status": status}


def target_operations(account, found) -> dict:
    """ListDeploymentTargets, GetDeploymentTarget, BatchGetDeploymentTargets (ECS deployments'
    targets; other platforms have none in the simulator)."""
    from codepipeline_lab.simulator.errors import _error
    missing = _error("DeploymentTargetDoesNotExistException")

    def ids(deployment) -> list[str]:
        return [f"{deployment.ecs_service[0]}:{deployment.ecs_service[1]}"] if deployment.compute_platform == "ECS" else []

    def target(deployment, target_id) -> dict:
        if target_id not in ids(deployment):
            raise missing(f"The provided target ID does not belong to the deployment {deployment.id}: {target_id}")
        return {"deploymentTargetType": "ECSTarget", "ecsTarget": target_view(account, deployment, account.lab.scheduler.now)}

    def list_deployment_targets(params, ctx):
        return {"targetIds": ids(found(params.get("deploymentId")))}

    def get_deployment_target(params, ctx):
        return {"deploymentTarget": target(found(params.get("deploymentId")), params.get("targetId"))}

    def batch_get_deployment_targets(params, ctx):
        deployment = found(params.get("deploymentId"))
        return {"deploymentTargets": [target(deployment, t) for t in params.get("targetIds") or []]}

    return {f.__name__: f for f in (list_deployment_targets, get_deployment_target, batch_get_deployment_targets)}
