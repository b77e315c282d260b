"""Deploy/AWS/CloudFormationStackInstances: add stack instances of an existing stack set in
more accounts or Regions (CreateStackInstances, with ParameterOverrides), and wait for the
operation (facts §L). Calls, as the action's role: DescribeStackSet, CreateStackInstances,
DescribeStackSetOperation, ListStackInstances. Output variable: OperationId.

Without DeploymentTargets, the accounts are those the set already has instances in (our
reading of the action reference, which makes the key optional)."""

from __future__ import annotations

from datetime import timedelta

from botocore.exceptions import ClientError

from codepipeline_lab.simulator.actions.base import Provider, register
from codepipeline_lab.simulator.actions.stackset import (ConfigurationProblem, _prefs, comma_list, deployment_targets, follow,
                                                         parameters, preferences)
from codepipeline_lab.simulator.identity.failures import as_denial, role_cannot_access


@register
class CloudFormationStackInstances(Provider):
    category = "Deploy"
    provider = "CloudFormationStackInstances"
    duration = timedelta(seconds=2)

    def denied_message(self, job, denial) -> str:
        return role_cannot_access(f"the stack set {job.configuration.get('StackSetName')}", denial)

    def run(self, job) -> None:
        name = job.configuration.get("StackSetName") or ""
        try:
            if not name:
                raise ConfigurationProblem("StackSetName is required")
            regions = comma_list(job, "Regions")
            if not regions:
                raise ConfigurationProblem("Regions is required: name the Regions to deploy the stack instances in")
            accounts, units = deployment_targets(job)
            overrides = parameters(job, "ParameterOverrides")
            preferences(job)
        except ConfigurationProblem as problem:
            job.fail(str(problem), "ConfigurationError")
            return
        cloudformation = job.client("cloudformation")
        try:
            stack_set = cloudformation.describe_stack_set(StackSetName=name)["StackSet"]
            if not (accounts or units):
                known = cloudformation.list_stack_instances(StackSetName=name)["Summaries"]
                if stack_set.get("PermissionModel") == "SERVICE_MANAGED":
                    units = sorted({i["OrganizationalUnitId"] for i in known if i.get("OrganizationalUnitId")})
                else:
                    accounts = sorted({i["Account"] for i in known})
        except ClientError as problem:
            if as_denial(problem):
                raise
            error = problem.response["Error"]
            kind = "ConfigurationError" if error.get("Code") == "StackSetNotFoundException" else "JobFailed"
            job.fail(f"{error.get('Code')}: {error.get('Message')}", kind)
            return
        if not (accounts or units):
            job.fail(f"DeploymentTargets is required: stack set {name} has no stack instances to take accounts from", "ConfigurationError")
            return
        request = {"DeploymentTargets": {"Accounts": accounts} if accounts else {"OrganizationalUnitIds": units},
                   "Regions": regions, **_prefs(job)}
        if overrides is not None:
            request["ParameterOverrides"] = overrides
        job.run_record.external_execution_url = f"https://console.aws.amazon.com/cloudformation/home?region={job.region}#/stacksets/{name}/info"
        follow(job, name, [lambda: cloudformation.create_stack_instances(StackSetName=name, **request)["OperationId"]], {})
