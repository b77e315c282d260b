"""CloudFormation StackSets beside moto: stack instances and the operations that deploy them.

The stack sets themselves (name, template, parameters, permission model, roles) stay in moto.
Instances and operations are kept here, because moto neither checks the roles, nor fails, nor
takes time: an operation walks its Regions in order and, in each, its accounts in batches of
the maximum concurrency, one batch per ``BATCH_TIME`` of virtual time. Each instance's stack is
made in its account and Region through an ordinary boto3 client:

* self-managed: CloudFormation assumes the administration role (which must trust
  ``cloudformation.amazonaws.com``), and that session assumes the execution role of the target
  account; the stack is created as the execution role;
* service-managed: as the target account's administrator (AWS uses a role it creates there).

A Region whose failures exceed the failure tolerance stops the operation: the rest of that
Region and every later Region are CANCELLED and the operation ends FAILED.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from botocore.exceptions import ClientError

from codepipeline_lab.simulator import api
from codepipeline_lab.simulator.errors import AwsError
from codepipeline_lab.simulator.identity.sessions import AssumeRoleError

BATCH_TIME = timedelta(seconds=30)        # our choice: one batch of concurrent accounts in one Region
ADMIN_SERVICE = "cloudformation.amazonaws.com"
STACKSETS_PRINCIPAL = "member.org.stacksets.cloudformation.amazonaws.com"
CANCELLED_REASON = "Cancelled since failure tolerance has exceeded"


def _error(name: str) -> type[AwsError]:
    return type(name, (AwsError,), {"code": name, "__module__": __name__})


ValidationError = _error("ValidationError")
StackSetNotFoundException = _error("StackSetNotFoundException")
StackInstanceNotFoundException = _error("StackInstanceNotFoundException")
OperationNotFoundException = _error("OperationNotFoundException")
OperationInProgressException = _error("OperationInProgressException")
StackSetNotEmptyException = _error("StackSetNotEmptyException")


@dataclass
class Instance:
    account: str
    region: str
    stack_name: str
    organizational_unit: str | None = None
    stack_id: str | None = None
    version: int = -1                      # the set's version the stack was last deployed with
    detailed_status: str = "PENDING"       # of its last operation
    reason: str | None = None
    last_operation: str | None = None
    overrides: list = field(default_factory=list)

    def summary(self, stack_set_id: str, current_version: int) -> dict:
        status = "CURRENT" if self.detailed_status == "SUCCEEDED" and self.version == current_version else "OUTDATED"
        answer = {"StackSetId": stack_set_id, "Region": self.region, "Account": self.account, "Status": status,
                  "StackInstanceStatus": {"DetailedStatus": self.detailed_status}, "DriftStatus": "NOT_CHECKED"}
        for key, value in (("StackId", self.stack_id), ("StatusReason", self.reason),
                           ("OrganizationalUnitId", self.organizational_unit), ("LastOperationId", self.last_operation)):
            if value:
                answer[key] = value
        return answer


@dataclass
class Result:
    account: str
    region: str
    organizational_unit: str | None
    status: str = "PENDING"
    reason: str | None = None

    def summary(self) -> dict:
        answer = {"Account": self.account, "Region": self.region, "Status": self.status,
                  "AccountGateResult": {"Status": "SKIPPED",
                                        "StatusReason": "Function not found: arn:aws:lambda:"
                                                        f"{self.region}:{self.account}:function:AWSCloudFormationStackSetAccountGate"}}
        if self.reason:
            answer["StatusReason"] = self.reason
        if self.organizational_unit:
            answer["OrganizationalUnitId"] = self.organizational_unit
        return answer


@dataclass
class Operation:
    id: str
    stack_set_id: str
    action: str                             # CREATE | UPDATE | DELETE
    created: datetime
    regions: list[str]
    accounts: list[tuple[str, str | None]]  # (account, OU it was targeted through)
    tolerance: dict                          # region -> failures allowed
    concurrency: dict                        # region -> accounts at once
    preferences: dict
    administration_role_arn: str | None
    execution_role_name: str | None
    deployment_targets: dict | None = None
    retain_stacks: bool | None = None
    status: str = "RUNNING"
    ended: datetime | None = None
    reason: str | None = None
    results: dict = field(default_factory=dict)     # (account, region) -> Result
    pending: object = None

    def describe(self) -> dict:
        failed = sum(1 for r in self.results.values() if r.status == "FAILED")
        answer = {"OperationId": self.id, "StackSetId": self.stack_set_id, "Action": self.action, "Status": self.status,
                  "OperationPreferences": self.preferences, "CreationTimestamp": self.created,
                  "StatusDetails": {"FailedStackInstancesCount": failed}}
        for key, value in (("EndTimestamp", self.ended), ("StatusReason", self.reason),
                           ("AdministrationRoleARN", self.administration_role_arn),
                           ("ExecutionRoleName", self.execution_role_name),
                           ("DeploymentTargets", self.deployment_targets)):
            if value:
                answer[key] = value
        if self.retain_stacks is not None:
            answer["RetainStacks"] = self.retain_stacks
        return answer

    def summary(self) -> dict:
        full = self.describe()
        return {k: full[k] for k in ("OperationId", "Action", "Status", "CreationTimestamp", "EndTimestamp",
                                     "StatusReason", "StatusDetails", "OperationPreferences") if k in full}


@dataclass
class StackSetState:
    """What the simulator keeps about one of moto's stack sets."""
    capabilities: list = field(default_factory=list)
    auto_deployment: dict | None = None
    version: int = 0
    instances: dict = field(default_factory=dict)      # (account, region) -> Instance
    operations: list = field(default_factory=list)     # Operation, oldest first


def preferences_counts(preferences: dict, accounts: int) -> tuple[int, int]:
    """(failures allowed, accounts at once) in one Region with ``accounts`` targets, as
    CloudFormation reads OperationPreferences: percentages rounded down (concurrency at least 1),
    and no more accounts at once than one beyond the failures allowed."""
    for pair in (("FailureToleranceCount", "FailureTolerancePercentage"), ("MaxConcurrentCount", "MaxConcurrentPercentage")):
        if all(preferences.get(key) is not None for key in pair):
            raise ValidationError(f"Only one of {pair[0]} and {pair[1]} may be specified")
    for key in ("FailureTolerancePercentage", "MaxConcurrentPercentage"):
        value = preferences.get(key)
        if value is not None and not 0 <= int(value) <= 100:
            raise ValidationError(f"{key} must be between 0 and 100")
    if preferences.get("FailureToleranceCount") is not None:
        tolerance = int(preferences["FailureToleranceCount"])
    else:
        tolerance = math.floor(accounts * int(preferences.get("FailureTolerancePercentage") or 0) / 100)
    if preferences.get("MaxConcurrentCount") is not None:
        concurrency = int(preferences["MaxConcurrentCount"])
    elif preferences.get("MaxConcurrentPercentage") is not None:
        concurrency = math.floor(accounts * int(preferences["MaxConcurrentPercentage"]) / 100)
    else:
        concurrency = 1
    return tolerance, max(1, min(concurrency, tolerance + 1))


class StackSets:
    def __init__(self, account) -> None:
        self._account = account
        self._sets: dict[tuple[str, str, str], StackSetState] = {}    # (account, region, set id) -> state

    @property
    def lab(self):
        return self._account.lab

    # -- lookups ----------------------------------------------------------------------------
    def record(self, account_id: str, region: str, name: str) -> api.StackSetRecord:
        found = api.stack_set(account_id, region, name)
        if found is None:
            raise StackSetNotFoundException(f"StackSet {name} not found")
        return found

    def state(self, account_id: str, region: str, stack_set_id: str) -> StackSetState:
        return self._sets.setdefault((account_id, region, stack_set_id), StackSetState())

    def operation(self, state: StackSetState, operation_id: str) -> Operation:
        for operation in state.operations:
            if operation.id == operation_id:
                return operation
        raise OperationNotFoundException(f"Operation {operation_id} not found")

    # -- starting operations ------------------------------------------------------------------
    def start(self, admin: str, region: str, record: api.StackSetRecord, action: str, targets: list[tuple[str, str | None]],
              regions: list[str], preferences: dict, operation_id: str | None = None, overrides: list | None = None,
              deployment_targets: dict | None = None, retain_stacks: bool | None = None,
              existing_only: bool = False) -> Operation:
        """Start an operation over ``targets`` × ``regions`` (only the instances that exist when
        ``existing_only``); its batches then run on the virtual clock."""
        state = self.state(admin, region, record.id)
        if any(op.status in ("RUNNING", "QUEUED", "STOPPING") for op in state.operations):
            raise OperationInProgressException(f"Another Operation on StackSet [{record.id}] is in progress")
        order = list(preferences.get("RegionOrder") or [])
        regions = [r for r in order if r in regions] + [r for r in regions if r not in order]
        pairs = [(account, r, ou) for r in regions for account, ou in targets
                 if not existing_only or (account, r) in state.instances]
        regions = [r for r in regions if any(p[1] == r for p in pairs)]
        tolerance, concurrency = {}, {}
        for r in regions:
            tolerance[r], concurrency[r] = preferences_counts(preferences, sum(1 for p in pairs if p[1] == r))
        self_managed = record.permission_model != "SERVICE_MANAGED"
        operation = Operation(operation_id or self.lab.ids.uuid(), record.id, action, self.lab.scheduler.now, regions, targets,
                              tolerance, concurrency, preferences,
                              record.administration_role_arn if self_managed else None,
                              record.execution_role_name if self_managed else None,
                              deployment_targets=deployment_targets, retain_stacks=retain_stacks)
        for account, r, ou in pairs:
            operation.results[(account, r)] = Result(account, r, ou)
            if action == "CREATE" and (account, r) not in state.instances:
                name = f"StackSet-{record.name}-{self.lab.ids.uuid()}"
                state.instances[(account, r)] = Instance(account, r, name, ou, overrides=list(overrides or []))
            elif action == "CREATE" and overrides:
                state.instances[(account, r)].overrides = list(overrides)
        state.operations.append(operation)
        self._next_batch(admin, region, record.id, operation)
        return operation

    # -- running them on virtual time ---------------------------------------------------------
    def _next_batch(self, admin: str, region: str, stack_set_id: str, operation: Operation) -> None:
        batch = self._pending_batch(operation)
        if operation.status == "STOPPING" or not batch:
            self._finish(operation)
            return
        for result in batch:
            result.status = "RUNNING"
        operation.pending = self.lab.scheduler.after(BATCH_TIME, lambda: self._complete(admin, region, stack_set_id, operation, batch))

    def _pending_batch(self, operation: Operation) -> list[Result]:
        for r in operation.regions:
            waiting = [res for (account, reg), res in operation.results.items() if reg == r and res.status == "PENDING"]
            if waiting:
                return waiting[:operation.concurrency[r]]
        return []

    def _complete(self, admin: str, region: str, stack_set_id: str, operation: Operation, batch: list[Result]) -> None:
        operation.pending = None
        record = api.stack_set(admin, region, stack_set_id)
        state = self.state(admin, region, stack_set_id)
        for result in batch:
            if record is None:
                result.status, result.reason = "CANCELLED", "The stack set was deleted"
                continue
            instance = state.instances.get((result.account, result.region))
            ok, reason = self._apply(admin, region, record, state, operation, instance, result)
            result.status, result.reason = ("SUCCEEDED" if ok else "FAILED"), reason
            if instance is not None and (result.account, result.region) in state.instances:
                instance.detailed_status, instance.reason, instance.last_operation = result.status, reason, operation.id
                if ok:
                    instance.version = state.version
        r = batch[0].region
        failures = sum(1 for res in operation.results.values() if res.region == r and res.status == "FAILED")
        if failures > operation.tolerance[r]:
            later = operation.regions[operation.regions.index(r):]
            for res in operation.results.values():
                if res.region in later and res.status == "PENDING":
                    res.status, res.reason = "CANCELLED", CANCELLED_REASON
                    instance = state.instances.get((res.account, res.region))
                    if instance is not None:
                        instance.detailed_status, instance.reason, instance.last_operation = "CANCELLED", CANCELLED_REASON, operation.id
            operation.status = "FAILED"
            operation.reason = f"Failure tolerance exceeded in Region {r}: {failures} of {sum(1 for x in operation.results.values() if x.region == r)} account(s) failed"
            self._finish(operation)
            return
        self._next_batch(admin, region, stack_set_id, operation)

    def _finish(self, operation: Operation) -> None:
        operation.ended = self.lab.scheduler.now
        if operation.status == "STOPPING":
            for res in operation.results.values():
                if res.status == "PENDING":
                    res.status = "CANCELLED"
            operation.status = "STOPPED"
        elif operation.status == "RUNNING":
            operation.status = "SUCCEEDED"

    def stop(self, operation: Operation) -> None:
        if operation.status == "RUNNING":
            operation.status = "STOPPING"

    # -- one instance ------------------------------------------------------------------------
    def _apply(self, admin, region, record, state, operation, instance, result) -> tuple[bool, str | None]:
        try:
            cloudformation = self._client(admin, region, record, result.account, result.region)
        except AssumeRoleError as problem:
            return False, str(problem)
        if operation.action == "DELETE":
            return self._delete(cloudformation, state, operation, instance)
        if instance is None:
            return False, f"Stack instance {result.account}/{result.region} does not exist"
        parameters = dict(record.parameters)
        parameters.update({p["ParameterKey"]: p.get("ParameterValue") for p in instance.overrides if "ParameterValue" in p})
        request = {"TemplateBody": record.template, "Parameters": [{"ParameterKey": k, "ParameterValue": v} for k, v in parameters.items()],
                   "Capabilities": list(state.capabilities)}
        try:
            if instance.stack_id and self._stack_status(cloudformation, instance.stack_id) not in (None, "DELETE_COMPLETE", "ROLLBACK_COMPLETE"):
                try:
                    cloudformation.update_stack(StackName=instance.stack_id, **request)
                except ClientError as problem:
                    if "No updates are to be performed" not in problem.response["Error"].get("Message", ""):
                        raise
            else:
                instance.stack_id = cloudformation.create_stack(StackName=instance.stack_name, **request)["StackId"]
        except ClientError as problem:
            error = problem.response["Error"]
            return False, f"{error.get('Code')}: {error.get('Message')}"
        status = self._stack_status(cloudformation, instance.stack_id)
        if status in ("CREATE_COMPLETE", "UPDATE_COMPLETE"):
            return True, None
        return False, self._failure_reason(cloudformation, instance.stack_id, status)

    def _delete(self, cloudformation, state, operation, instance) -> tuple[bool, str | None]:
        if instance is None:
            return True, None
        if not operation.retain_stacks and instance.stack_id:
            try:
                cloudformation.delete_stack(StackName=instance.stack_id)
            except ClientError as problem:
                error = problem.response["Error"]
                return False, f"{error.get('Code')}: {error.get('Message')}"
        state.instances.pop((instance.account, instance.region), None)
        return True, None

    def _client(self, admin: str, set_region: str, record: api.StackSetRecord, account: str, region: str):
        if record.permission_model == "SERVICE_MANAGED":
            return self.lab.client("cloudformation", region_name=region, account_id=account)
        sessions = self._account.sessions
        admin_arn = record.administration_role_arn
        try:
            admin_session = sessions.for_service(admin_arn, ADMIN_SERVICE, set_region)
        except AssumeRoleError as problem:
            raise AssumeRoleError(f"Could not assume the administration role {admin_arn}: {problem}") from None
        execution_arn = f"arn:aws:iam::{account}:role/{record.execution_role_name}"
        try:
            execution = sessions.assume(admin_session, execution_arn, region)
        except AssumeRoleError:
            raise AssumeRoleError(f"Account {account} should have '{record.execution_role_name}' role with trust "
                                  f"relationship to Role '{admin_arn.rsplit('/', 1)[-1]}'.") from None
        return self.lab.client("cloudformation", region_name=region, credentials=execution.credentials)

    @staticmethod
    def _stack_status(cloudformation, stack_id: str) -> str | None:
        try:
            return cloudformation.describe_stacks(StackName=stack_id)["Stacks"][0]["StackStatus"]
        except ClientError:
            return None

    @staticmethod
    def _failure_reason(cloudformation, stack_id: str, status: str | None) -> str:
        try:
            events = cloudformation.describe_stack_events(StackName=stack_id)["StackEvents"]
        except ClientError:
            events = []
        for event in reversed(events):
            if event.get("ResourceStatus", "").endswith("_FAILED") and event.get("LogicalResourceId") != event.get("StackName"):
                return (f"ResourceLogicalId:{event['LogicalResourceId']}, ResourceType:{event.get('ResourceType')}, "
                        f"ResourceStatusReason:{event.get('ResourceStatusReason')}.")
        return f"The stack ended {status}"
