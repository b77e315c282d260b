"""A rule's calls that are not boto3 requests (Lambda's InvokeFunction, CodeBuild's StartBuild)
are authorized and recorded as the rule's role, like an action's (actions/base.py: Job.require)."""

from __future__ import annotations

from codepipeline_lab.simulator.errors import AwsError
from codepipeline_lab.simulator.identity.calls import ApiCall
from codepipeline_lab.simulator.identity.failures import ActionDenied
from codepipeline_lab.simulator.identity.principals import root
from codepipeline_lab.simulator.identity.resources import iam_action


def require(job, service: str, operation: str, resource: str, parameters: dict | None = None) -> None:
    account = job.engine.account
    session = job.session
    principal = account.authorizer.principal(session.access_key_id, account.account_id) if session else root(account.account_id)
    owner = resource.split(":")[4] if resource.count(":") >= 5 and resource.split(":")[4] else principal.account_id
    call = ApiCall(service, operation, job.region, owner, principal, parameters or {}, [resource])
    try:
        account.authorizer.authorize(call, iam_action(service, operation))
    except AwsError as denied:
        raise ActionDenied(denied.code, denied.message, service) from None
