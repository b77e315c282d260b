"""The StackSets operations of CloudFormation's API, answered by the simulator behind boto3
(``services/stacksets.py`` keeps instances and operations; the sets stay in moto).

Requests are checked as CloudFormation checks them: the set's name, targets that fit the
permission model (accounts for SELF_MANAGED, organizational units for SERVICE_MANAGED), one
operation at a time, and for SERVICE_MANAGED an organization whose management account makes
the call with trusted access for StackSets turned on.
"""

from __future__ import annotations

import re

from codepipeline_lab.simulator import api
from codepipeline_lab.simulator.errors import AwsError
from codepipeline_lab.simulator.services.stacksets import (STACKSETS_PRINCIPAL, StackInstanceNotFoundException,
                                                           StackSetNotEmptyException, ValidationError)

STACK_SET_NAME = re.compile(r"[a-zA-Z][-a-zA-Z0-9]*")
OU_ID = re.compile(r"ou-[a-z0-9]{4,32}-[a-z0-9]{8,32}|r-[a-z0-9]{4,32}")
NameAlreadyExistsException = type("NameAlreadyExistsException", (AwsError,),
                                   {"code": "NameAlreadyExistsException", "__module__": __name__})
CAPABILITIES = ("CAPABILITY_IAM", "CAPABILITY_NAMED_IAM", "CAPABILITY_AUTO_EXPAND")


def stackset_operations(account) -> dict:
    service = account.stacksets

    def create_stack_set(params, ctx):
        name = params.get("StackSetName") or ""
        if len(name) > 128 or not STACK_SET_NAME.fullmatch(name):
            raise ValidationError(f"1 validation error detected: Value '{name}' at 'stackSetName' failed to satisfy constraint: "
                                  f"Member must satisfy regular expression pattern: {STACK_SET_NAME.pattern}")
        if api.stack_set(ctx.account_id, ctx.region, name) is not None:
            raise NameAlreadyExistsException(f"StackSet {name} already exists")
        model = params.get("PermissionModel") or "SELF_MANAGED"
        if model == "SERVICE_MANAGED":
            _organization_admin(ctx.account_id, params.get("CallAs"))
        template = _template(params, ctx)
        _check_capabilities(params.get("Capabilities") or [])
        record = api.create_stack_set(ctx.account_id, ctx.region, name, template,
                                      {p["ParameterKey"]: p.get("ParameterValue") for p in params.get("Parameters") or []},
                                      model, params.get("AdministrationRoleARN"), params.get("ExecutionRoleName"),
                                      params.get("Description"), {t["Key"]: t["Value"] for t in params.get("Tags") or []})
        state = service.state(ctx.account_id, ctx.region, record.id)
        state.capabilities = list(params.get("Capabilities") or [])
        state.auto_deployment = params.get("AutoDeployment")
        return {"StackSetId": record.id}

    def create_stack_instances(params, ctx):
        record = service.record(ctx.account_id, ctx.region, params.get("StackSetName") or "")
        targets = _targets(record, params, ctx)
        regions = _regions(params)
        operation = service.start(ctx.account_id, ctx.region, record, "CREATE", targets, regions,
                                  params.get("OperationPreferences") or {}, params.get("OperationId"),
                                  overrides=params.get("ParameterOverrides") or [], deployment_targets=params.get("DeploymentTargets"))
        return {"OperationId": operation.id}

    def update_stack_set(params, ctx):
        record = service.record(ctx.account_id, ctx.region, params.get("StackSetName") or "")
        state = service.state(ctx.account_id, ctx.region, record.id)
        model = params.get("PermissionModel")
        if model and model != record.permission_model and state.instances:
            raise ValidationError("The permission model of a StackSet can be changed only when it has no stack instances")
        template = None if params.get("UsePreviousTemplate") else _template(params, ctx, required=False)
        parameters = dict(record.parameters)
        if params.get("Parameters") is not None:
            parameters = {p["ParameterKey"]: (record.parameters.get(p["ParameterKey"]) if p.get("UsePreviousValue") else p.get("ParameterValue"))
                          for p in params["Parameters"]}
        if params.get("Capabilities") is not None:
            _check_capabilities(params["Capabilities"])
            state.capabilities = list(params["Capabilities"])
        api.set_stack_set_fields(ctx.account_id, ctx.region, record.id, template, parameters, params.get("Description"),
                                 params.get("AdministrationRoleARN"), params.get("ExecutionRoleName"))
        if params.get("AutoDeployment") is not None:
            state.auto_deployment = params["AutoDeployment"]
        record = service.record(ctx.account_id, ctx.region, record.id)
        state.version += 1
        if params.get("Regions") or params.get("Accounts") or params.get("DeploymentTargets"):
            targets, regions = _targets(record, params, ctx), _regions(params)
            missing = [(a, r) for a, _ in targets for r in regions if (a, r) not in state.instances]
            if missing:
                raise StackInstanceNotFoundException(f"StackInstance {missing[0][0]}/{missing[0][1]} not found in StackSet {record.name}")
        else:                                # every instance of the set
            targets = list(dict.fromkeys((i.account, i.organizational_unit) for i in state.instances.values()))
            regions = list(dict.fromkeys(i.region for i in state.instances.values()))
        operation = service.start(ctx.account_id, ctx.region, record, "UPDATE", targets, regions,
                                  params.get("OperationPreferences") or {}, params.get("OperationId"),
                                  deployment_targets=params.get("DeploymentTargets"), existing_only=True)
        return {"OperationId": operation.id}

    def delete_stack_instances(params, ctx):
        record = service.record(ctx.account_id, ctx.region, params.get("StackSetName") or "")
        if params.get("RetainStacks") is None:
            raise ValidationError("1 validation error detected: Value null at 'retainStacks' failed to satisfy constraint: Member must not be null")
        targets, regions = _targets(record, params, ctx), _regions(params)
        operation = service.start(ctx.account_id, ctx.region, record, "DELETE", targets, regions,
                                  params.get("OperationPreferences") or {}, params.get("OperationId"),
                                  deployment_targets=params.get("DeploymentTargets"), retain_stacks=bool(params["RetainStacks"]),
                                  existing_only=True)
        return {"OperationId": operation.id}

    def delete_stack_set(params, ctx):
        record = api.stack_set(ctx.account_id, ctx.region, params.get("StackSetName") or "")
        if record is None:
            return {}
        if service.state(ctx.account_id, ctx.region, record.id).instances:
            raise StackSetNotEmptyException("StackSet is not empty")
        api.mark_stack_set_deleted(ctx.account_id, ctx.region, record.id)
        return {}

    def list_stack_instances(params, ctx):
        record = service.record(ctx.account_id, ctx.region, params.get("StackSetName") or "")
        state = service.state(ctx.account_id, ctx.region, record.id)
        summaries = [i.summary(record.id, state.version) for i in state.instances.values()
                     if params.get("StackInstanceAccount") in (None, i.account) and params.get("StackInstanceRegion") in (None, i.region)]
        for wanted in params.get("Filters") or []:
            key = {"DETAILED_STATUS": lambda s: s["StackInstanceStatus"]["DetailedStatus"],
                   "LAST_OPERATION_ID": lambda s: s.get("LastOperationId"),
                   "DRIFT_STATUS": lambda s: s.get("DriftStatus")}.get(wanted.get("Name"))
            if key is not None:
                summaries = [s for s in summaries if key(s) == wanted.get("Values")]
        return {"Summaries": summaries}

    def describe_stack_instance(params, ctx):
        record = service.record(ctx.account_id, ctx.region, params.get("StackSetName") or "")
        state = service.state(ctx.account_id, ctx.region, record.id)
        instance = state.instances.get((params.get("StackInstanceAccount"), params.get("StackInstanceRegion")))
        if instance is None:
            raise StackInstanceNotFoundException(f"Stack instance {params.get('StackInstanceAccount')}/{params.get('StackInstanceRegion')} "
                                                 f"not found in StackSet {record.name}")
        summary = instance.summary(record.id, state.version)
        summary["ParameterOverrides"] = instance.overrides
        return {"StackInstance": summary}

    def _operation(params, ctx):
        record = service.record(ctx.account_id, ctx.region, params.get("StackSetName") or "")
        return service.operation(service.state(ctx.account_id, ctx.region, record.id), params.get("OperationId") or "")

    def describe_stack_set_operation(params, ctx):
        return {"StackSetOperation": _operation(params, ctx).describe()}

    def list_stack_set_operations(params, ctx):
        record = service.record(ctx.account_id, ctx.region, params.get("StackSetName") or "")
        operations = service.state(ctx.account_id, ctx.region, record.id).operations
        return {"Summaries": [op.summary() for op in reversed(operations)]}

    def list_stack_set_operation_results(params, ctx):
        return {"Summaries": [result.summary() for result in _operation(params, ctx).results.values()]}

    def stop_stack_set_operation(params, ctx):
        service.stop(_operation(params, ctx))
        return {}

    return {name: handler for name, handler in locals().items() if name in api.STACK_SET_OPERATIONS}


# -- request pieces ----------------------------------------------------------------------------

def _template(params: dict, ctx, required: bool = True) -> str | None:
    if params.get("TemplateBody") and params.get("TemplateURL"):
        raise ValidationError("Specify exactly one of TemplateBody or TemplateUrl.")
    if params.get("TemplateURL"):
        return api.template_from_s3_url(ctx.account_id, params["TemplateURL"])
    if params.get("TemplateBody"):
        return params["TemplateBody"]
    if required:
        raise ValidationError("Either Template URL or Template Body must be specified.")
    return None


def _check_capabilities(capabilities: list) -> None:
    unknown = [c for c in capabilities if c not in CAPABILITIES]
    if unknown:
        raise ValidationError(f"Requires capabilities : [{', '.join(unknown)}] which are not valid capabilities")


def _regions(params: dict) -> list[str]:
    regions = list(dict.fromkeys(params.get("Regions") or []))
    if not regions:
        raise ValidationError("1 validation error detected: Value null at 'regions' failed to satisfy constraint: Member must not be null")
    return regions


def _organization_admin(account_id: str, call_as: str | None) -> api.OrganizationView:
    """The organization whose management account ``account_id`` is, with trusted access on."""
    organization = api.organization_of(account_id)
    if call_as == "DELEGATED_ADMIN":
        raise ValidationError(f"Account {account_id} is not registered as a delegated administrator for StackSets "
                              "(the simulator does not offer delegated administrators)")
    if organization is None or organization.management_account_id != account_id:
        raise ValidationError(f"Account {account_id} is not the management account of an organization: StackSets with "
                              "SERVICE_MANAGED permission model are managed from the organization's management account")
    if STACKSETS_PRINCIPAL not in organization.trusted_services:
        raise ValidationError("You must enable organizations access to operate a service managed stack set")
    return organization


def _targets(record: api.StackSetRecord, params: dict, ctx) -> list[tuple[str, str | None]]:
    """The accounts an operation deploys to, each with the OU it was reached through."""
    targets = params.get("DeploymentTargets") or {}
    accounts = list(params.get("Accounts") or []) + list(targets.get("Accounts") or [])
    units = list(targets.get("OrganizationalUnitIds") or [])
    for unit in units:
        if not OU_ID.fullmatch(unit):
            raise ValidationError(f"1 validation error detected: Value '[{unit}]' at 'deploymentTargets.organizationalUnitIds' failed "
                                  f"to satisfy constraint: Member must satisfy regular expression pattern: ^({OU_ID.pattern})$")
    if record.permission_model != "SERVICE_MANAGED":
        if units:
            raise ValidationError("StackSets with SELF_MANAGED permission model can only have accounts as target")
        if not accounts:
            raise ValidationError("1 validation error detected: Value null at 'accounts' failed to satisfy constraint: Member must not be null")
        for account in accounts:
            if not re.fullmatch(r"[0-9]{12}", account):
                raise ValidationError(f"Account ID {account} is not a 12-digit AWS account ID")
        return [(a, None) for a in dict.fromkeys(accounts)]
    if not units:
        raise ValidationError("StackSets with SERVICE_MANAGED permission model can only have OrganizationalUnit as target")
    organization = _organization_admin(ctx.account_id, params.get("CallAs"))
    for unit in units:
        if unit not in organization.parents and unit not in organization.root_ids:
            raise ValidationError(f"Organizational unit {unit} is not in the organization")
    reached = {}
    for account in organization.parents:
        if not re.fullmatch(r"[0-9]{12}", account) or account == organization.management_account_id:
            continue                         # CloudFormation never deploys to the management account
        node = organization.parents.get(account)
        while node is not None:
            if node in units:
                reached.setdefault(account, node)
                break
            node = organization.parents.get(node)
    kind = targets.get("AccountFilterType") or "NONE"
    chosen = list(reached)
    if kind == "INTERSECTION":
        chosen = [a for a in chosen if a in accounts]
    elif kind == "DIFFERENCE":
        chosen = [a for a in chosen if a not in accounts]
    elif kind == "UNION":
        chosen += [a for a in accounts if a not in reached]
    return [(a, reached.get(a)) for a in sorted(chosen)]
