"""Deploy/AWS/CloudFormation: create, update, replace or delete a stack, or create and execute
a change set, with moto's CloudFormation really creating the resources (facts §F).

The action's role calls CloudFormation (cloudformation:* and iam:PassRole on RoleArn, passed
to cloudformation.amazonaws.com); CloudFormation assumes RoleArn, which must trust it. The
stack's outputs become the action's output variables and, with OutputFileName, a JSON file in
its output artifact. A stack that fails rolls back as in CloudFormation (``api.py``), and the
action fails with the first failed resource's reason."""

from __future__ import annotations

import json
from datetime import timedelta

from botocore.exceptions import ClientError

from codepipeline_lab.simulator.actions.base import Provider, register
from codepipeline_lab.simulator.actions.cloudformation_inputs import ActionInputs, InputProblem, StackRequest, read_request
from codepipeline_lab.simulator.identity.failures import as_denial, role_cannot_access
from codepipeline_lab.simulator.identity.sessions import AssumeRoleError
from codepipeline_lab.simulator.services.cloudformation import request_rules, templates

CLOUDFORMATION = "cloudformation.amazonaws.com"
MODES_NEEDING = {
    "TemplatePath": ("CREATE_UPDATE", "REPLACE_ON_FAILURE", "CHANGE_SET_REPLACE"),
    "ChangeSetName": ("CHANGE_SET_REPLACE", "CHANGE_SET_EXECUTE"),
    "RoleArn": ("CREATE_UPDATE", "REPLACE_ON_FAILURE", "DELETE_ONLY", "CHANGE_SET_REPLACE"),
}
# Stacks REPLACE_ON_FAILURE deletes and creates again (facts §F).
FAILED_STATES = ("ROLLBACK_COMPLETE", "ROLLBACK_FAILED", "CREATE_FAILED", "DELETE_FAILED", "UPDATE_ROLLBACK_FAILED")
GOOD_STATES = ("CREATE_COMPLETE", "UPDATE_COMPLETE")
NO_CHANGES = "The submitted information didn't contain changes"


class StackFailed(Exception):
    """CloudFormation refused a request or a stack ended badly; the message says which and why."""


@register
class CloudFormationDeploy(Provider):
    category = "Deploy"
    provider = "CloudFormation"
    duration = timedelta(seconds=20)

    def denied_message(self, job, denial) -> str:
        if denial.service == "iam":          # iam:PassRole of RoleArn: IAM's sentence as it is (facts §I3)
            return denial.detail
        return role_cannot_access(f"the AWS CloudFormation stack {job.configuration.get('StackName')}", denial)

    def run(self, job) -> None:
        config = job.configuration
        mode = config.get("ActionMode")
        try:
            request = self._prepare(job, mode)
            self._assume_cloudformation_role(job)
            outcome = MODES[mode](job, _RoleClient(job), request)
        except InputProblem as problem:
            job.fail(problem.message, problem.code)
            return
        except StackFailed as problem:
            job.fail(str(problem), "JobFailed")
            return
        except ClientError as problem:
            if as_denial(problem):
                raise
            job.fail(_message(problem), "JobFailed")
            return
        summary, stack = outcome
        outputs = {o["OutputKey"]: o["OutputValue"] for o in (stack or {}).get("Outputs", [])}
        if config.get("OutputFileName") and mode != "DELETE_ONLY":
            job.write_output(job.output_names[0], {config["OutputFileName"]: json.dumps(outputs, indent=2, sort_keys=True).encode()})
        stack_id = (stack or {}).get("StackId")
        job.succeed(summary=summary, external_execution_id=stack_id,
                    external_execution_url=f"https://console.aws.amazon.com/cloudformation/home?region={job.region}#/stacks/stackinfo?stackId={stack_id}" if stack_id else None,
                    output_variables=outputs if mode != "DELETE_ONLY" else None)

    def _prepare(self, job, mode: str) -> StackRequest:
        """Every check that needs no stack: required keys, names, inputs, PassRole."""
        config = job.configuration
        for key, modes in MODES_NEEDING.items():
            if mode in modes and not config.get(key):
                raise InputProblem(f"Configuration Property {key} should not be empty in current ActionMode")
        problem = request_rules.stack_name_problem(config.get("StackName", ""))
        if problem:
            raise InputProblem(f"StackName: {problem}")
        if config.get("OutputFileName") and not job.output_names:
            raise InputProblem(f"OutputFileName {config['OutputFileName']} needs an output artifact: action {job.action['name']} declares none")
        request = read_request(job, ActionInputs(job), needs_template=mode in MODES_NEEDING["TemplatePath"])
        if _role(job):
            job.require("iam", "PassRole", _role(job), {"roleArn": _role(job)}, context={"iam:PassedToService": CLOUDFORMATION})
        return request

    def _assume_cloudformation_role(self, job) -> None:
        """CloudFormation acts as RoleArn: the role must exist and trust cloudformation.amazonaws.com."""
        role = _role(job)
        if not role:
            return
        try:
            job.engine.account.sessions.for_service(role, CLOUDFORMATION, job.region, session_name=lambda: "AWSCloudFormation")
        except AssumeRoleError:
            raise StackFailed(f"Role {role} is invalid or cannot be assumed") from None


def _role(job) -> str | None:
    """RoleArn, except for CHANGE_SET_EXECUTE, which runs with the change set's role (facts §F)."""
    return job.configuration.get("RoleArn") if job.configuration.get("ActionMode") != "CHANGE_SET_EXECUTE" else None


def _message(problem: ClientError) -> str:
    return problem.response["Error"].get("Message") or problem.response["Error"].get("Code", "")


def _describe(cfn, name: str) -> dict | None:
    try:
        return cfn.describe_stacks(StackName=name)["Stacks"][0]
    except ClientError as problem:
        if "does not exist" in _message(problem):
            return None
        raise


class _RoleClient:
    """The CloudFormation client acting as the action's role, except for reading the stack's
    events: CodePipeline reads them as the service itself (AWS's documented service-role policy
    for CloudFormation actions has no cloudformation:DescribeStackEvents, and pipelines built
    on it work), so the events that explain a failure are read with the Lab's own client."""

    def __init__(self, job) -> None:
        self._role = job.client("cloudformation")
        self._service = job.lab.client("cloudformation", region_name=job.region)

    def describe_stack_events(self, **kwargs):
        return self._service.describe_stack_events(**kwargs)

    def __getattr__(self, name):
        return getattr(self._role, name)


def _events(cfn, stack_id: str) -> list[dict]:
    """The stack's events, oldest first."""
    return cfn.describe_stack_events(StackName=stack_id)["StackEvents"][::-1]


def _finished(cfn, name: str, stack_id: str, events_before: int, verb: str) -> dict:
    """The stack after an operation, or StackFailed with the first resource that failed."""
    stack = cfn.describe_stacks(StackName=stack_id)["Stacks"][0]
    if stack["StackStatus"] in GOOD_STATES:
        return stack
    new = _events(cfn, stack_id)[events_before:]
    failed = next((e for e in new if e["ResourceStatus"].endswith("_FAILED") and e["ResourceType"] != "AWS::CloudFormation::Stack"), None)
    cause = (f" The first resource that failed: {failed['LogicalResourceId']} ({failed['ResourceType']}): {failed.get('ResourceStatusReason')}"
             if failed else "")
    raise StackFailed(f"Stack {name} failed to {verb} and is now {stack['StackStatus']}.{cause}")


def _role_args(job) -> dict:
    return {"RoleARN": _role(job)} if _role(job) else {}


def _create(job, cfn, request: StackRequest) -> tuple[str, dict]:
    name = job.configuration["StackName"]
    extra = {"StackPolicyBody": json.dumps(request.stack_policy)} if request.stack_policy else {}
    stack_id = cfn.create_stack(StackName=name, TemplateBody=request.template_body, Parameters=request.api_parameters(),
                                Capabilities=request.capabilities, Tags=request.api_tags(), **_role_args(job), **extra)["StackId"]
    return f"Stack {name} created", _finished(cfn, name, stack_id, 0, "create")


def _unchanged(cfn, stack: dict, request: StackRequest) -> bool:
    current = cfn.get_template(StackName=stack["StackId"])["TemplateBody"]
    current = current if isinstance(current, dict) else templates.parse(current)
    defaults = {k: str(v.get("Default")) for k, v in templates.parameters(request.template).items() if isinstance(v, dict) and "Default" in v}
    wanted = {**defaults, **request.parameters}
    have = {p["ParameterKey"]: p["ParameterValue"] for p in stack.get("Parameters", [])}
    tags = {t["Key"]: t["Value"] for t in stack.get("Tags", [])}
    return current == request.template and have == wanted and (not request.tags or tags == request.tags)


def _update(job, cfn, request: StackRequest, stack: dict) -> tuple[str, dict]:
    name = job.configuration["StackName"]
    if stack["StackStatus"] in GOOD_STATES + ("UPDATE_ROLLBACK_COMPLETE",) and _unchanged(cfn, stack, request):
        return f"Stack {name}: No updates are to be performed.", stack
    before = len(_events(cfn, stack["StackId"]))
    extra = {"StackPolicyBody": json.dumps(request.stack_policy)} if request.stack_policy else {}
    try:
        cfn.update_stack(StackName=name, TemplateBody=request.template_body, Parameters=request.api_parameters(),
                         Capabilities=request.capabilities, Tags=request.api_tags(), **_role_args(job), **extra)
    except ClientError as problem:
        if "ROLLBACK_COMPLETE state" in _message(problem):
            raise StackFailed(f"{_message(problem)} A stack whose creation failed must be deleted before it can be "
                              "created again (or use ActionMode REPLACE_ON_FAILURE).") from None
        raise
    return f"Stack {name} updated", _finished(cfn, name, stack["StackId"], before, "update")


def create_update(job, cfn, request):
    stack = _describe(cfn, job.configuration["StackName"])
    return _create(job, cfn, request) if stack is None else _update(job, cfn, request, stack)


def replace_on_failure(job, cfn, request):
    name = job.configuration["StackName"]
    stack = _describe(cfn, name)
    if stack is not None and stack["StackStatus"] in FAILED_STATES:
        _delete(job, cfn, stack)
        stack = None
    return _create(job, cfn, request) if stack is None else _update(job, cfn, request, stack)


def _delete(job, cfn, stack: dict) -> None:
    before = len(_events(cfn, stack["StackId"]))
    cfn.delete_stack(StackName=stack["StackId"], **_role_args(job))
    after = cfn.describe_stacks(StackName=stack["StackId"])["Stacks"][0]
    if after["StackStatus"] != "DELETE_COMPLETE":
        _finished(cfn, stack["StackName"], stack["StackId"], before, "delete")


def delete_only(job, cfn, request):
    name = job.configuration["StackName"]
    stack = _describe(cfn, name)
    if stack is None:
        return f"Stack {name} does not exist; nothing to delete", None
    _delete(job, cfn, stack)
    return f"Stack {name} deleted", None


def _change_sets_of(cfn, stack_id: str, name: str) -> list[dict]:
    return [s for s in cfn.list_change_sets(StackName=stack_id).get("Summaries", [])
            if s["StackId"] == stack_id and s["ChangeSetName"] == name]


def change_set_replace(job, cfn, request):
    config = job.configuration
    name, change_set = config["StackName"], config["ChangeSetName"]
    stack = _describe(cfn, name)
    if stack is not None:
        for existing in _change_sets_of(cfn, stack["StackId"], change_set):
            cfn.delete_change_set(ChangeSetName=existing["ChangeSetId"])
    change_set_type = "CREATE" if stack is None or stack["StackStatus"] == "REVIEW_IN_PROGRESS" else "UPDATE"
    answer = cfn.create_change_set(StackName=name, ChangeSetName=change_set, ChangeSetType=change_set_type,
                                   TemplateBody=request.template_body, Parameters=request.api_parameters(),
                                   Capabilities=request.capabilities, Tags=request.api_tags(), **_role_args(job))
    described = cfn.describe_change_set(ChangeSetName=answer["Id"])
    if described["Status"] == "FAILED" and NO_CHANGES not in (described.get("StatusReason") or ""):
        raise StackFailed(f"Change set {change_set} of stack {name} is FAILED: {described.get('StatusReason')}")
    stack = cfn.describe_stacks(StackName=answer["StackId"])["Stacks"][0]
    changes = len(described.get("Changes", []))
    summary = (f"Change set {change_set} of stack {name}: no changes ({described.get('StatusReason')})"
               if described["Status"] == "FAILED" else f"Change set {change_set} of stack {name} created with {changes} change(s)")
    return summary, stack


def change_set_execute(job, cfn, request):
    config = job.configuration
    name, change_set = config["StackName"], config["ChangeSetName"]
    described = cfn.describe_change_set(ChangeSetName=change_set, StackName=name)
    stack_id = described["StackId"]
    if described["Status"] == "FAILED" and NO_CHANGES in (described.get("StatusReason") or ""):
        return f"Change set {change_set} of stack {name} has no changes to execute", cfn.describe_stacks(StackName=stack_id)["Stacks"][0]
    before = len(_events(cfn, stack_id))
    cfn.execute_change_set(ChangeSetName=described["ChangeSetId"])
    verb = "create" if cfn.describe_stacks(StackName=stack_id)["Stacks"][0]["StackStatus"].startswith(("CREATE", "ROLLBACK")) else "update"
    return f"Change set {change_set} of stack {name} executed", _finished(cfn, name, stack_id, before, verb)


MODES = {"CREATE_UPDATE": create_update, "REPLACE_ON_FAILURE": replace_on_failure, "DELETE_ONLY": delete_only,
         "CHANGE_SET_REPLACE": change_set_replace, "CHANGE_SET_EXECUTE": change_set_execute}
