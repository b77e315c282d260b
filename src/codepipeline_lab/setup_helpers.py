"""Short, visible helpers for the set-up every lesson repeats: a service role and a bucket.

Each one is a few ordinary boto3 calls that a learner could type; they exist so that a lesson
can spend its cells on what it teaches.
"""

from __future__ import annotations

import json

from codepipeline_lab.simulator.identity.default_policies import BY_SERVICE

CODEPIPELINE_TRUST_POLICY = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Principal": {"Service": "codepipeline.amazonaws.com"}, "Action": "sts:AssumeRole"}],
}


def create_service_role(lab, name: str = "CodePipelineServiceRole", service: str = "codepipeline.amazonaws.com",
                        policy: dict | None | bool = True) -> str:
    """Create an IAM role that ``service`` may assume; return its ARN.

    ``policy=True`` gives it AWS's documented permissions for that service (for CodePipeline the
    per-provider service-role policy, see ``simulator/identity/default_policies.py``) as an
    inline policy named ``<name>Policy``; pass a policy document of your own instead, or
    ``None`` for a role with no permissions at all.
    """
    trust = {**CODEPIPELINE_TRUST_POLICY, "Statement": [{**CODEPIPELINE_TRUST_POLICY["Statement"][0], "Principal": {"Service": service}}]}
    iam = lab.client("iam")
    arn = iam.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(trust))["Role"]["Arn"]
    document = BY_SERVICE.get(service) if policy is True else policy
    if document:
        iam.put_role_policy(RoleName=name, PolicyName=f"{name}Policy", PolicyDocument=json.dumps(document))
    return arn


def create_bucket(lab, name: str, region: str | None = None, versioned: bool = False) -> str:
    """Create an S3 bucket (in the Lab's region unless told otherwise); return its name."""
    region = region or lab.region
    s3 = lab.client("s3", region_name=region)
    if region == "us-east-1":
        s3.create_bucket(Bucket=name)
    else:
        s3.create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": region})
    if versioned:
        s3.put_bucket_versioning(Bucket=name, VersioningConfiguration={"Status": "Enabled"})
    return name


def push(lab, repository: str, files: dict[str, str | bytes], message: str, branch: str = "main",
         author: str = "Learner", email: str = "learner@example.com") -> str:
    """Commit ``files`` ({path: content}) on top of the branch's head, as `git push` would; return the commit id."""
    codecommit = lab.client("codecommit")
    try:
        parent = codecommit.get_branch(repositoryName=repository, branchName=branch)["branch"]["commitId"]
    except codecommit.exceptions.BranchDoesNotExistException:
        parent = None
    changes = [{"filePath": path, "fileContent": content.encode() if isinstance(content, str) else content}
               for path, content in sorted(files.items())]
    arguments = {"parentCommitId": parent} if parent else {}
    return codecommit.create_commit(repositoryName=repository, branchName=branch, authorName=author, email=email,
                                    commitMessage=message, putFiles=changes, **arguments)["commitId"]


def create_user(lab, name: str, statements: list[dict], policy_name: str = "inline") -> tuple[str, str]:
    """An IAM user with one inline policy of ``statements`` and an access key; return
    ``(access_key_id, secret_access_key)`` for ``lab.client(..., credentials=...)``."""
    iam = lab.client("iam")
    iam.create_user(UserName=name)
    iam.put_user_policy(UserName=name, PolicyName=policy_name,
                        PolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": statements}))
    key = iam.create_access_key(UserName=name)["AccessKey"]
    return key["AccessKeyId"], key["SecretAccessKey"]
