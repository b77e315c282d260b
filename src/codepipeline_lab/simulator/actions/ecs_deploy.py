"""Deploy/AWS/ECS: roll an ECS service out to new images (facts §A4, §J1).

The action reads the image definitions file (``FileName``, default imagedefinitions.json: a
JSON array of ``{"name", "imageUri"}``) from its input artifact and then, as the action's
role: DescribeServices, DescribeTaskDefinition of the service's task definition,
RegisterTaskDefinition of a new revision of the same family with each named container's image
replaced, UpdateService to that revision. ECS shows the new revision as the PRIMARY deployment
(IN_PROGRESS, the old one ACTIVE) until the rollout completes ``ROLLOUT`` later; the action
succeeds then, or fails when ``DeploymentTimeout`` minutes pass first.
"""

from __future__ import annotations

import json
from datetime import timedelta

from botocore.exceptions import ClientError, ParamValidationError

from codepipeline_lab.simulator import api
from codepipeline_lab.simulator.actions.base import Provider, register
from codepipeline_lab.simulator.identity.failures import as_denial, role_cannot_access

ROLLOUT = timedelta(minutes=3)            # UpdateService to rollout COMPLETED (our choice)
DEFAULT_TIMEOUT_MINUTES = 60              # DeploymentTimeout: 1-60 minutes, 60 when omitted


class ImageDefinitionsProblem(Exception):
    pass


@register
class EcsDeploy(Provider):
    category = "Deploy"
    provider = "ECS"
    duration = timedelta(seconds=5)

    def denied_message(self, job, denial) -> str:
        config = job.configuration
        return role_cannot_access(f"the Amazon ECS service {config['ServiceName']} in cluster {config['ClusterName']}", denial)

    def run(self, job) -> None:
        config = job.configuration
        file_name = config.get("FileName") or "imagedefinitions.json"
        try:
            timeout = deployment_timeout(config.get("DeploymentTimeout"))
            images = image_definitions(job.input_files(), file_name)
        except ImageDefinitionsProblem as problem:
            job.fail(str(problem), "ConfigurationError")
            return
        ecs = job.client("ecs")
        cluster, service_name = config["ClusterName"], config["ServiceName"]
        try:
            service = _service(ecs, cluster, service_name)
            current = ecs.describe_task_definition(taskDefinition=service["taskDefinition"], include=["TAGS"])
            missing = [name for name in images if name not in {c["name"] for c in current["taskDefinition"]["containerDefinitions"]}]
            if missing:
                job.fail(f"The AWS ECS container {missing[0]} does not exist", "ConfigurationError")
                return
            request = new_revision(ecs, current, images)
            for role in (request.get("taskRoleArn"), request.get("executionRoleArn")):
                if role:
                    job.require("iam", "PassRole", role)
            registered = ecs.register_task_definition(**request)["taskDefinition"]
            ecs.update_service(cluster=cluster, service=service_name, taskDefinition=registered["taskDefinitionArn"])
        except ServiceMissing as problem:
            job.fail(str(problem), "ConfigurationError")
            return
        except (ClientError, ParamValidationError) as problem:
            if as_denial(problem):
                raise
            job.fail(f"Amazon ECS refused the deployment of service {service_name} in cluster {cluster}: {_reason(problem)}", "JobFailed")
            return
        self._watch(job, service, registered, timeout)

    def _watch(self, job, service: dict, registered: dict, timeout: timedelta) -> None:
        """Start ECS's deployment, end it ROLLOUT later, and report it to the pipeline."""
        account, region = job.engine.account.account_id, job.region
        cluster, name = job.configuration["ClusterName"], job.configuration["ServiceName"]
        deployment_id = "ecs-svc/" + job.lab.ids.token(19, "0123456789")
        scheduler = job.lab.scheduler
        api.ecs_start_deployment(account, region, cluster, name, deployment_id, scheduler.now)
        complete = scheduler.now + ROLLOUT
        # ECS finishes its rollout whatever becomes of the pipeline's action.
        scheduler.at(complete, lambda: api.ecs_complete_deployment(account, region, cluster, name, deployment_id, complete))
        run = job.run_record
        run.external_execution_id = deployment_id
        revision = f"{registered['family']}:{registered['revision']}"
        run.external_execution_url = (f"https://console.aws.amazon.com/ecs/v2/clusters/{cluster}/services/{name}/deployments"
                                      f"?region={region}")

        def report() -> None:
            run.pending = None
            if scheduler.now >= complete:
                job.succeed(summary=f"Deployed task definition {revision} ({registered['taskDefinitionArn']}) to service {name} "
                                    f"in cluster {cluster}; deployment {deployment_id} completed",
                            external_execution_id=deployment_id)
            else:
                job.fail(f"The Amazon ECS deployment {deployment_id} of service {name} (task definition {revision}) did not "
                         f"complete within the DeploymentTimeout of {int(timeout.total_seconds() // 60)} minutes", "JobFailed",
                         external_execution_id=deployment_id)
        run.pending = scheduler.at(min(complete, scheduler.now + timeout), report)


class ServiceMissing(Exception):
    pass


def deployment_timeout(value) -> timedelta:
    if value in (None, ""):
        return timedelta(minutes=DEFAULT_TIMEOUT_MINUTES)
    try:
        minutes = int(str(value))
    except ValueError:
        minutes = 0
    if not 1 <= minutes <= 60:
        raise ImageDefinitionsProblem(f"DeploymentTimeout must be a whole number of minutes from 1 to 60, not {value!r}")
    return timedelta(minutes=minutes)


def image_definitions(files: dict[str, bytes], file_name: str) -> dict[str, str]:
    """{container name: image URI} from the image definitions file; ImageDefinitionsProblem naming
    the file, the entry and the rule when it cannot be used."""
    if file_name not in files:
        raise ImageDefinitionsProblem(f"The image definition file {file_name} was not found in the input artifact "
                                      f"(FileName names a file at the root of the artifact)")
    try:
        entries = json.loads(files[file_name].decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise ImageDefinitionsProblem(f"The image definition file {file_name} contains invalid JSON format") from None
    if not isinstance(entries, list) or not entries:
        raise ImageDefinitionsProblem(f"The image definition file {file_name} must hold a non-empty JSON array of "
                                      f'{{"name": <container name>, "imageUri": <image URI>}} objects')
    images: dict[str, str] = {}
    for index, entry in enumerate(entries):
        for key in ("name", "imageUri"):
            if not isinstance(entry, dict) or not isinstance(entry.get(key), str) or not entry[key]:
                raise ImageDefinitionsProblem(f"The image definition file {file_name}: entry {index} has no {key} "
                                              f"(each entry needs a name and an imageUri, both strings)")
        images[entry["name"]] = entry["imageUri"]
    return images


def _service(ecs, cluster: str, name: str) -> dict:
    answer = ecs.describe_services(cluster=cluster, services=[name])
    found = [s for s in answer.get("services", []) if s.get("status") == "ACTIVE"]
    if not found:
        raise ServiceMissing(f"The Amazon ECS service {name} does not exist in cluster {cluster} (ServiceName, ClusterName)")
    return found[0]


def new_revision(ecs, current: dict, images: dict[str, str]) -> dict:
    """RegisterTaskDefinition's request: the current revision's fields that the operation accepts,
    with each named container's image replaced."""
    accepted = ecs.meta.service_model.operation_model("RegisterTaskDefinition").input_shape.members
    request = {k: v for k, v in current["taskDefinition"].items() if k in accepted}
    request["containerDefinitions"] = [{**c, "image": images.get(c["name"], c.get("image"))} for c in request["containerDefinitions"]]
    if current.get("tags"):
        request["tags"] = current["tags"]
    return request


def _reason(problem: Exception) -> str:
    if isinstance(problem, ClientError):
        error = problem.response.get("Error", {})
        return f"{error.get('Code')}: {error.get('Message')}"
    return str(problem)
