"""Deploy/AWS/CodeDeployToECS: an ECS blue/green deployment through CodeDeploy (facts §A4, §J2).

The action reads the task definition template (``TaskDefinitionTemplatePath`` in
``TaskDefinitionTemplateArtifact``, default taskdef.json) and the AppSpec template
(``AppSpecTemplatePath`` in ``AppSpecTemplateArtifact``, default appspec.yaml). For each
``Image<N>ArtifactName``/``Image<N>ContainerName`` pair (N = 1-4) it replaces the placeholder
``<Image<N>ContainerName>`` in the task definition with ``ImageURI`` from imageDetail.json of
that artifact. As the action's role it registers the task definition, then puts the new ARN in
place of ``<TASK_DEFINITION>`` in the AppSpec and creates the CodeDeploy deployment, whose
outcome it reports when the deployment completes.
"""

from __future__ import annotations

import hashlib
import json
from datetime import timedelta

from botocore.exceptions import ClientError, ParamValidationError

from codepipeline_lab.simulator.actions.base import Provider, register
from codepipeline_lab.simulator.actions.codedeploy import start_deployment
from codepipeline_lab.simulator.identity.failures import as_denial, role_cannot_access

TASK_DEFINITION_PLACEHOLDER = "<TASK_DEFINITION>"
IMAGE_SLOTS = (1, 2, 3, 4)
# Fields DescribeTaskDefinition shows that RegisterTaskDefinition does not take: a taskdef.json
# copied from describe-task-definition output may carry them; they are left out.
READ_ONLY_FIELDS = ("taskDefinitionArn", "revision", "status", "requiresAttributes", "compatibilities",
                    "registeredAt", "registeredBy", "deregisteredAt", "deleteRequestedAt")


class TemplateProblem(Exception):
    pass


@register
class CodeDeployToEcs(Provider):
    category = "Deploy"
    provider = "CodeDeployToECS"
    duration = timedelta(seconds=5)

    def denied_message(self, job, denial) -> str:
        return role_cannot_access(f"the AWS CodeDeploy application {job.configuration['ApplicationName']} "
                                  f"and its Amazon ECS resources", denial)

    def run(self, job) -> None:
        config = job.configuration
        try:
            taskdef_path = config.get("TaskDefinitionTemplatePath") or "taskdef.json"
            appspec_path = config.get("AppSpecTemplatePath") or "appspec.yaml"
            taskdef_text = read_template(job, config["TaskDefinitionTemplateArtifact"], taskdef_path, "task definition")
            appspec_text = read_template(job, config["AppSpecTemplateArtifact"], appspec_path, "AppSpec")
            if TASK_DEFINITION_PLACEHOLDER not in appspec_text:
                raise TemplateProblem(f"The AppSpec file {appspec_path} (artifact {config['AppSpecTemplateArtifact']}) has no "
                                      f"{TASK_DEFINITION_PLACEHOLDER} placeholder: write TaskDefinition: {TASK_DEFINITION_PLACEHOLDER} "
                                      f"so that the action can put the new task definition's ARN there")
            request = task_definition(taskdef_text, taskdef_path, image_uris(job))
        except TemplateProblem as problem:
            job.fail(str(problem), "ConfigurationError")
            return
        ecs = job.client("ecs")
        try:
            for role in (request.get("taskRoleArn"), request.get("executionRoleArn")):
                if role:
                    job.require("iam", "PassRole", role)
            registered = ecs.register_task_definition(**request)["taskDefinition"]
        except (ClientError, ParamValidationError) as problem:
            if as_denial(problem):
                raise
            job.fail(f"The task definition in {taskdef_path} could not be registered: {_reason(problem)}", "ConfigurationError")
            return
        self._deploy(job, registered, appspec_text.replace(TASK_DEFINITION_PLACEHOLDER, registered["taskDefinitionArn"]))

    def _deploy(self, job, registered: dict, appspec: str) -> None:
        content = {"content": appspec, "sha256": hashlib.sha256(appspec.encode()).hexdigest()}
        deployment = start_deployment(job, {"revisionType": "AppSpecContent", "appSpecContent": content})
        if deployment is None:
            return
        revision = f"{registered['family']}:{registered['revision']}"
        job.run_record.pending = job.lab.scheduler.at(deployment.complete, lambda: _report(job, deployment, revision))


def read_template(job, artifact: str, path: str, what: str) -> str:
    """A file of one of the action's input artifacts, as text."""
    problem = f"Exception while trying to read the {what} artifact file from: {artifact}"
    if artifact not in {ref.name for ref in job.inputs}:
        raise TemplateProblem(f"{problem} ({artifact} is not an input artifact of action {job.action['name']})")
    files = job.input_files(artifact)
    if path not in files:
        raise TemplateProblem(f"{problem} ({path} is not in the artifact)")
    try:
        return files[path].decode("utf-8")
    except UnicodeDecodeError:
        raise TemplateProblem(f"{problem} ({path} is not UTF-8 text)") from None


def image_uris(job) -> dict[str, str]:
    """{placeholder: image URI} for each Image<N> pair of the configuration."""
    config, images = job.configuration, {}
    for slot in IMAGE_SLOTS:
        artifact, container = config.get(f"Image{slot}ArtifactName"), config.get(f"Image{slot}ContainerName")
        if not artifact and not container:
            continue
        if not artifact or not container:
            raise TemplateProblem(f"Image{slot}ArtifactName and Image{slot}ContainerName go together: "
                                  f"the artifact holding imageDetail.json and the placeholder it fills")
        problem = f"Exception while trying to read the image artifact file from the artifact: {artifact}."
        if artifact not in {ref.name for ref in job.inputs}:
            raise TemplateProblem(f"{problem} ({artifact} is not an input artifact of action {job.action['name']})")
        files = job.input_files(artifact)
        if "imageDetail.json" not in files:
            raise TemplateProblem(f"{problem} (imageDetail.json is not in the artifact)")
        try:
            detail = json.loads(files["imageDetail.json"].decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            raise TemplateProblem(f"{problem} (imageDetail.json is not valid JSON)") from None
        if not isinstance(detail, dict) or not isinstance(detail.get("ImageURI"), str) or not detail["ImageURI"]:
            raise TemplateProblem(f'{problem} (imageDetail.json must be an object with an ImageURI string: {{"ImageURI": "<image URI>"}})')
        images[f"<{container}>"] = detail["ImageURI"]
    return images


def task_definition(text: str, path: str, images: dict[str, str]) -> dict:
    """RegisterTaskDefinition's request from the template, placeholders replaced."""
    for placeholder in images:
        if placeholder not in text:
            raise TemplateProblem(f"The task definition file {path} has no {placeholder} placeholder for the image named by "
                                  f"Image<N>ContainerName {placeholder.strip('<>')}: write \"image\": \"{placeholder}\" in its container")
    for placeholder, uri in images.items():
        text = text.replace(placeholder, uri)
    try:
        definition = json.loads(text)
    except ValueError as problem:
        raise TemplateProblem(f"The task definition file {path} is not valid JSON: {problem}") from None
    if not isinstance(definition, dict):
        raise TemplateProblem(f"The task definition file {path} must be a JSON object (RegisterTaskDefinition's parameters)")
    return {key: value for key, value in definition.items() if key not in READ_ONLY_FIELDS}


def _report(job, deployment, revision: str) -> None:
    job.run_record.pending = None
    events = ", ".join(f"{event} ({status})" for event, _start, _end, status in deployment.ecs_events)
    hooks = ", ".join(f"{event} ({function})" for event, function in deployment.hooks) or "none"
    if deployment.status == "Succeeded":
        job.succeed(summary=f"Deployment {deployment.id} Succeeded with task definition {revision}; lifecycle events: {events}; "
                            f"hooks (not invoked): {hooks}",
                    external_execution_id=deployment.id, external_execution_url=job.run_record.external_execution_url)
    else:
        job.fail(f"Deployment {deployment.id} Failed: {deployment.error['code']}: {deployment.error['message']}", "JobFailed",
                 external_execution_id=deployment.id)


def _reason(problem: Exception) -> str:
    if isinstance(problem, ClientError):
        error = problem.response.get("Error", {})
        return f"{error.get('Code')}: {error.get('Message')}"
    return str(problem)
