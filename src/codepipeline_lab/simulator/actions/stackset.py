"""Deploy/AWS/CloudFormationStackSet: create or update a stack set from a template in an input
artifact and, when DeploymentTargets and Regions are given, deploy it there (facts §L).

A new set is created, then its instances; for an existing set, the targets that have no
instance yet get one (with the set's current version), then UpdateStackSet brings the targets
to the new template. Each operation is followed with DescribeStackSetOperation until it ends;
a FAILED operation fails the action, naming each failed account and Region. All calls are the
action role's: DescribeStackSet, CreateStackSet, UpdateStackSet, CreateStackInstances,
DescribeStackSetOperation, ListStackInstances. Output variables: StackSetId, OperationId.
"""

from __future__ import annotations

import json
import re
from datetime import timedelta

from botocore.exceptions import ClientError

from codepipeline_lab.simulator.actions.base import Provider, register
from codepipeline_lab.simulator.identity.failures import as_denial, role_cannot_access

POLL = timedelta(seconds=15)              # our choice: how often the action asks for the operation's status
PERMISSION_MODELS = ("SELF_MANAGED", "SERVICE_MANAGED")
AUTO_DEPLOYMENT = {"Enabled": {"Enabled": True, "RetainStacksOnAccountRemoval": False},
                   "EnabledWithStackRetention": {"Enabled": True, "RetainStacksOnAccountRemoval": True},
                   "Disabled": {"Enabled": False}}
CAPABILITIES = ("CAPABILITY_IAM", "CAPABILITY_NAMED_IAM", "CAPABILITY_AUTO_EXPAND")
SHORTHAND_KEYS = ("ParameterKey", "ParameterValue", "UsePreviousValue", "ResolvedValue")
ACCOUNT = re.compile(r"[0-9]{12}")
OU = re.compile(r"ou-[a-z0-9]{4,32}-[a-z0-9]{8,32}|r-[a-z0-9]{4,32}")


class ConfigurationProblem(Exception):
    """The action's configuration cannot be used (the message says which key and why)."""


# -- reading the configuration ----------------------------------------------------------------

def artifact_file(job, reference: str, key: str) -> str:
    """The text of ``Artifact::path`` from the action's input artifacts."""
    if "::" not in reference:
        raise ConfigurationProblem(f"{key} must have the form ArtifactName::FilePath, not '{reference}'")
    name, path = reference.split("::", 1)
    if name not in [ref.name for ref in job.inputs]:
        raise ConfigurationProblem(f"{key} names the artifact {name}, which is not an input artifact of action {job.action['name']}")
    files = job.input_files(name)
    if path not in files:
        raise ConfigurationProblem(f"{key}: the file {path} was not found in the input artifact {name}")
    return files[path].decode("utf-8", errors="replace")


def parameters(job, key: str) -> list[dict] | None:
    """Parameters / ParameterOverrides: shorthand entries separated by spaces
    (``ParameterKey=K,ParameterValue=V``), a JSON list, or ``Artifact::file`` holding a JSON list."""
    text = (job.configuration.get(key) or "").strip()
    if not text:
        return None
    if text.startswith("["):
        return _parameter_list(text, key)
    if "ParameterKey=" not in text and "::" in text:
        return _parameter_list(artifact_file(job, text, key), f"{key} ({text})")
    entries = []
    for entry in text.split():
        fields = {}
        for part in entry.split(","):
            name, equals, value = part.partition("=")
            if not equals or name not in SHORTHAND_KEYS:
                raise ConfigurationProblem(f"{key}: '{entry}' is not of the form ParameterKey=Name,ParameterValue=Value "
                                           "(entries are separated by spaces)")
            fields[name] = value
        if "ParameterKey" not in fields:
            raise ConfigurationProblem(f"{key}: '{entry}' has no ParameterKey")
        if "UsePreviousValue" in fields:
            fields["UsePreviousValue"] = fields["UsePreviousValue"].lower() == "true"
        entries.append(fields)
    return entries


def _parameter_list(text: str, origin: str) -> list[dict]:
    try:
        value = json.loads(text)
    except ValueError as problem:
        raise ConfigurationProblem(f"{origin} is not valid JSON: {problem}") from None
    if not isinstance(value, list) or not all(isinstance(p, dict) and isinstance(p.get("ParameterKey"), str) for p in value):
        raise ConfigurationProblem(f"{origin} must be a JSON list of objects with ParameterKey and ParameterValue")
    return [{k: v for k, v in p.items() if k in SHORTHAND_KEYS} for p in value]


def comma_list(job, key: str) -> list[str]:
    return [item.strip() for item in (job.configuration.get(key) or "").split(",") if item.strip()]


def deployment_targets(job) -> tuple[list[str], list[str]]:
    """(account ids, OU ids) of DeploymentTargets: literal, comma-separated, or ``Artifact::file``."""
    text = (job.configuration.get("DeploymentTargets") or "").strip()
    if "::" in text:
        try:
            items = json.loads(artifact_file(job, text, "DeploymentTargets"))
        except ValueError as problem:
            raise ConfigurationProblem(f"DeploymentTargets ({text}) is not valid JSON: {problem}") from None
        if not isinstance(items, list) or not all(isinstance(i, str) for i in items):
            raise ConfigurationProblem(f"DeploymentTargets ({text}) must be a JSON list of account ids or OU ids")
    else:
        items = comma_list(job, "DeploymentTargets")
    accounts = [i for i in items if ACCOUNT.fullmatch(i)]
    units = [i for i in items if OU.fullmatch(i)]
    wrong = [i for i in items if i not in accounts and i not in units]
    if wrong:
        raise ConfigurationProblem(f"DeploymentTargets: {', '.join(wrong)} is neither a 12-digit account id nor an organizational unit id")
    return accounts, units


def preferences(job) -> dict:
    answer = {}
    for key in ("FailureTolerancePercentage", "MaxConcurrentPercentage"):
        value = (job.configuration.get(key) or "").strip()
        if value:
            if not value.isdigit() or int(value) > 100:
                raise ConfigurationProblem(f"{key} must be a whole number from 0 to 100, not '{value}'")
            answer[key] = int(value)
    return answer


def targets_request(job, permission_model: str) -> dict | None:
    """DeploymentTargets and Regions of the API request, or None when the action names none."""
    accounts, units = deployment_targets(job)
    regions = comma_list(job, "Regions")
    if not (accounts or units or regions):
        return None
    if not regions:
        raise ConfigurationProblem("DeploymentTargets needs Regions: name the Regions to deploy the stack instances in")
    if not (accounts or units):
        raise ConfigurationProblem("Regions needs DeploymentTargets: name the accounts (or organizational units) to deploy to")
    if permission_model == "SELF_MANAGED" and units:
        raise ConfigurationProblem("DeploymentTargets: a SELF_MANAGED stack set deploys to account ids only, not organizational units")
    if permission_model == "SERVICE_MANAGED" and accounts:
        raise ConfigurationProblem("DeploymentTargets: a SERVICE_MANAGED stack set deploys to organizational unit ids, not account ids")
    targets = {"Accounts": accounts} if accounts else {"OrganizationalUnitIds": units}
    return {"DeploymentTargets": targets, "Regions": regions}


# -- following operations ------------------------------------------------------------------------

def follow(job, name: str, steps: list, variables: dict) -> None:
    """Run ``steps`` (callables that start an operation and return its id, or None) one after the
    other, each after the previous operation ended SUCCEEDED, then succeed."""
    if job.ended:
        return
    if not steps:
        job.succeed(summary=f"Stack set {name}: operation {variables.get('OperationId', '(none)')} SUCCEEDED"
                    if variables.get("OperationId") else f"Stack set {name} is up to date",
                    external_execution_id=variables.get("OperationId"), output_variables=variables)
        return
    try:
        operation_id = steps[0]()
    except ClientError as problem:
        if as_denial(problem):
            raise
        error = problem.response["Error"]
        job.fail(f"{error.get('Code')}: {error.get('Message')}", "JobFailed")
        return
    if operation_id is None:
        follow(job, name, steps[1:], variables)
        return
    variables = {**variables, "OperationId": operation_id}
    job.run_record.external_execution_id = operation_id
    job.run_record.pending = job.lab.scheduler.after(POLL, lambda: _look(job, name, operation_id, steps[1:], variables))


def _look(job, name: str, operation_id: str, rest: list, variables: dict) -> None:
    job.run_record.pending = None
    if job.ended:
        return
    cloudformation = job.client("cloudformation")
    try:
        operation = cloudformation.describe_stack_set_operation(StackSetName=name, OperationId=operation_id)["StackSetOperation"]
        if operation["Status"] in ("RUNNING", "QUEUED", "STOPPING"):
            job.run_record.pending = job.lab.scheduler.after(POLL, lambda: _look(job, name, operation_id, rest, variables))
            return
        if operation["Status"] != "SUCCEEDED":
            instances = cloudformation.list_stack_instances(StackSetName=name)["Summaries"]
    except ClientError as problem:
        denial = as_denial(problem)
        error = problem.response["Error"]
        job.fail(role_cannot_access(f"the stack set {name}", denial) if denial else f"{error.get('Code')}: {error.get('Message')}",
                 "PermissionError" if denial else "JobFailed", external_execution_id=operation_id)
        return
    if operation["Status"] != "SUCCEEDED":
        failed = [f"Account {i['Account']} Region {i['Region']}: {i.get('StatusReason') or i['StackInstanceStatus']['DetailedStatus']}"
                  for i in instances if i.get("LastOperationId") == operation_id
                  and i["StackInstanceStatus"]["DetailedStatus"] == "FAILED"]
        job.fail(f"Stack set operation {operation_id} on {name} ended {operation['Status']}"
                 + (f": {'; '.join(failed)}" if failed else (f": {operation['StatusReason']}" if operation.get("StatusReason") else "")),
                 "JobFailed", external_execution_id=operation_id)
        return
    follow(job, name, rest, variables)


# -- the action --------------------------------------------------------------------------------

@register
class CloudFormationStackSet(Provider):
    category = "Deploy"
    provider = "CloudFormationStackSet"
    duration = timedelta(seconds=2)

    def denied_message(self, job, denial) -> str:
        return role_cannot_access(f"the stack set {job.configuration.get('StackSetName')}", denial)

    def run(self, job) -> None:
        config = job.configuration
        name = config.get("StackSetName") or ""
        try:
            if not name:
                raise ConfigurationProblem("StackSetName is required")
            template = artifact_file(job, config.get("TemplatePath") or "", "TemplatePath")
            request = self._stack_set_request(job, template)
            targets = targets_request(job, request["PermissionModel"])
            preferences(job)
        except ConfigurationProblem as problem:
            job.fail(str(problem), "ConfigurationError")
            return
        cloudformation = job.client("cloudformation")
        try:
            existing = cloudformation.describe_stack_set(StackSetName=name)["StackSet"]
        except ClientError as problem:
            if problem.response["Error"].get("Code") != "StackSetNotFoundException":
                raise
            existing = None
        variables = {}
        if existing is None:
            def create():
                variables["StackSetId"] = cloudformation.create_stack_set(StackSetName=name, **request)["StackSetId"]
            steps = [lambda: create()]
            if targets:
                steps.append(lambda: cloudformation.create_stack_instances(StackSetName=name, **targets, **_prefs(job))["OperationId"])
        else:
            variables["StackSetId"] = existing["StackSetId"]
            steps = []
            update = dict(request)
            if update["PermissionModel"] == existing.get("PermissionModel"):
                del update["PermissionModel"]
            if targets:
                steps.append(lambda: self._add_missing(cloudformation, name, targets, job))
                steps.append(lambda: cloudformation.update_stack_set(StackSetName=name, **update, **targets, **_prefs(job))["OperationId"])
            else:
                steps.append(lambda: cloudformation.update_stack_set(StackSetName=name, **update, **_prefs(job))["OperationId"])
        run = job.run_record
        run.external_execution_url = f"https://console.aws.amazon.com/cloudformation/home?region={job.region}#/stacksets/{name}/info"
        follow(job, name, steps, variables)

    @staticmethod
    def _stack_set_request(job, template: str) -> dict:
        config = job.configuration
        model = config.get("PermissionModel") or "SELF_MANAGED"
        if model not in PERMISSION_MODELS:
            raise ConfigurationProblem(f"PermissionModel must be SELF_MANAGED or SERVICE_MANAGED, not '{model}'")
        capabilities = comma_list(job, "Capabilities")
        unknown = [c for c in capabilities if c not in CAPABILITIES]
        if unknown:
            raise ConfigurationProblem(f"Capabilities: {', '.join(unknown)} is not one of {', '.join(CAPABILITIES)} (comma-separated, no spaces)")
        request = {"TemplateBody": template, "PermissionModel": model, "Capabilities": capabilities}
        given = parameters(job, "Parameters")
        if given is not None:
            request["Parameters"] = given
        if config.get("Description"):
            request["Description"] = config["Description"]
        if model == "SELF_MANAGED":
            if config.get("OrganizationsAutoDeployment"):
                raise ConfigurationProblem("OrganizationsAutoDeployment applies to SERVICE_MANAGED stack sets only")
            request["AdministrationRoleARN"] = (config.get("AdministrationRoleArn")
                                                or f"arn:aws:iam::{job.engine.account.account_id}:role/AWSCloudFormationStackSetAdministrationRole")
            request["ExecutionRoleName"] = config.get("ExecutionRoleName") or "AWSCloudFormationStackSetExecutionRole"
        else:
            for key in ("AdministrationRoleArn", "ExecutionRoleName"):
                if config.get(key):
                    raise ConfigurationProblem(f"{key} applies to SELF_MANAGED stack sets only")
            auto = config.get("OrganizationsAutoDeployment") or "Disabled"
            if auto not in AUTO_DEPLOYMENT:
                raise ConfigurationProblem(f"OrganizationsAutoDeployment must be one of {', '.join(AUTO_DEPLOYMENT)}, not '{auto}'")
            request["AutoDeployment"] = AUTO_DEPLOYMENT[auto]
        return request

    @staticmethod
    def _add_missing(cloudformation, name: str, targets: dict, job) -> str | None:
        """CreateStackInstances for the targets that have no instance yet (None when all have one)."""
        existing = {(i["Account"], i["Region"]) for i in cloudformation.list_stack_instances(StackSetName=name)["Summaries"]}
        accounts = targets["DeploymentTargets"].get("Accounts")
        if accounts is None:                      # OUs: CloudFormation skips the instances that exist
            return cloudformation.create_stack_instances(StackSetName=name, **targets, **_prefs(job))["OperationId"]
        regions = [r for r in targets["Regions"] if any((a, r) not in existing for a in accounts)]
        missing = [a for a in accounts if any((a, r) not in existing for r in regions)]
        if not missing:
            return None
        return cloudformation.create_stack_instances(StackSetName=name, DeploymentTargets={"Accounts": missing}, Regions=regions,
                                                     **_prefs(job))["OperationId"]


def _prefs(job) -> dict:
    found = preferences(job)
    return {"OperationPreferences": found} if found else {}
