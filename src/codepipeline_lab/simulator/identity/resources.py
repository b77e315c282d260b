"""Which IAM action a request is, and which resource ARNs it is authorized against (facts §A7).

The table covers the services the course uses; any other request is authorized against "*",
which is what IAM does for operations that have no resource type.
"""

from __future__ import annotations

import re
from urllib.parse import unquote

from codepipeline_lab.simulator import api
from codepipeline_lab.simulator.identity.codepipeline_permissions import required_permission

# endpoint prefix -> IAM service prefix, where they differ
IAM_PREFIX = {"monitoring": "cloudwatch", "email": "ses", "states": "states", "stepfunctions": "states"}


# operations whose IAM action has another name
IAM_ACTION_NAMES = {("lambda", "Invoke"): "InvokeFunction", ("s3", "ListObjectsV2"): "ListBucket"}


def iam_action(service: str, operation: str) -> str:
    return f"{IAM_PREFIX.get(service, service)}:{IAM_ACTION_NAMES.get((service, operation), operation)}"


def _snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def resource_arns(request: api.Request) -> list[str]:
    """The ARNs of what the request touches (["*"] when IAM has no resource for it)."""
    finder = _FINDERS.get(request.service)
    arns = finder(request) if finder else None
    return [a for a in (arns or []) if a] or ["*"]


def _s3(request) -> list[str]:
    return [request.s3_resource] if request.s3_resource else []


def _codepipeline(request) -> list[str]:
    needed = required_permission(_snake(request.operation), request.params, request.region, request.account_id)
    return [needed[1]] if needed else []


def _codecommit(request) -> list[str]:
    name = request.params.get("repositoryName")
    return [f"arn:aws:codecommit:{request.region}:{request.account_id}:{name}"] if name else []


def _codebuild(request) -> list[str]:
    names = request.params.get("names") or [request.params.get("projectName") or request.params.get("name")]
    return [n if str(n).startswith("arn:") else f"arn:aws:codebuild:{request.region}:{request.account_id}:project/{n}"
            for n in names if n and ":build/" not in str(n)]


def _lambda(request) -> list[str]:
    match = re.search(r"/functions/([^/]+)", request.path)
    if not match:
        return []
    name = unquote(match.group(1))
    return [name if name.startswith("arn:") else f"arn:aws:lambda:{request.region}:{request.account_id}:function:{name}"]


def _sns(request) -> list[str]:
    return [request.params.get("TopicArn")]


def _sqs(request) -> list[str]:
    url = request.params.get("QueueUrl")
    if not url:
        return []
    account_id, name = url.rstrip("/").split("/")[-2:]
    return [f"arn:aws:sqs:{request.region}:{account_id}:{name}"]


def _iam(request) -> list[str]:
    params, account = request.params, request.account_id
    if params.get("RoleName"):
        return [f"arn:aws:iam::{account}:role/{params['RoleName']}"]
    if params.get("UserName"):
        return [f"arn:aws:iam::{account}:user/{params['UserName']}"]
    if params.get("PolicySourceArn"):
        return [params["PolicySourceArn"]]
    return [params.get("PolicyArn")]


def _sts(request) -> list[str]:
    return [request.params.get("RoleArn")]


def _kms(request) -> list[str]:
    key = request.params.get("KeyId")
    if not key:
        return []
    return [key if key.startswith("arn:") else f"arn:aws:kms:{request.region}:{request.account_id}:{key if key.startswith('alias/') else 'key/' + key}"]


def _events(request) -> list[str]:
    name = request.params.get("Name") or request.params.get("Rule")
    return [f"arn:aws:events:{request.region}:{request.account_id}:rule/{name}"] if name else []


def _stepfunctions(request) -> list[str]:
    """A state machine's ARN, or an execution's (StartExecution is authorized on the machine)."""
    return [request.params.get("stateMachineArn") or request.params.get("executionArn")]


def _cloudformation(request) -> list[str]:
    """A stack's ARN for operations that name a stack (the stack id part as a wildcard when only
    the name is given: policies name stacks as stack/<name>/*)."""
    name = request.params.get("StackName")
    if not name:
        return []
    return [name if name.startswith("arn:") else f"arn:aws:cloudformation:{request.region}:{request.account_id}:stack/{name}/*"]


_FINDERS = {"s3": _s3, "codepipeline": _codepipeline, "codecommit": _codecommit, "codebuild": _codebuild,
            "lambda": _lambda, "sns": _sns, "sqs": _sqs, "iam": _iam, "sts": _sts, "kms": _kms, "events": _events,
            "stepfunctions": _stepfunctions, "cloudformation": _cloudformation}


def owner_of(arn: str, default: str) -> str:
    """The account that owns a resource: the ARN's account field, or a bucket's owner."""
    if arn.startswith("arn:aws:s3:::"):
        return api.bucket_owner(arn[len("arn:aws:s3:::"):].split("/", 1)[0]) or default
    parts = arn.split(":")
    return parts[4] if len(parts) > 4 and parts[4].isdigit() else default
