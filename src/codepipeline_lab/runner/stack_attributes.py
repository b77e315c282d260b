"""Fn::GetAtt of the resources the simulator's CloudFormation created, read back through the
ordinary APIs (the runner knows the common attributes; any other is reported, not guessed)."""

from __future__ import annotations


def attribute(lab, kind: str, physical: str, name: str):
    """The value of attribute ``name`` of a ``kind`` resource whose physical id is ``physical``,
    or None when the runner does not know it."""
    region, account = lab.region, lab.account_id
    reader = _READERS.get((kind, name))
    return reader(lab, physical, region, account) if reader else None


def _role(lab, physical, *_):
    return lab.client("iam").get_role(RoleName=physical)["Role"]


def _function(lab, physical, *_):
    return lab.client("lambda").get_function(FunctionName=physical)["Configuration"]


def _queue_arn(lab, physical, *_):
    return lab.client("sqs").get_queue_attributes(QueueUrl=physical, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]


def _ecr(lab, physical, *_):
    return lab.client("ecr").describe_repositories(repositoryNames=[physical])["repositories"][0]


_READERS = {
    ("AWS::IAM::Role", "Arn"): lambda lab, p, *_: _role(lab, p)["Arn"],
    ("AWS::IAM::Role", "RoleId"): lambda lab, p, *_: _role(lab, p)["RoleId"],
    ("AWS::IAM::User", "Arn"): lambda lab, p, *_: lab.client("iam").get_user(UserName=p)["User"]["Arn"],
    ("AWS::IAM::InstanceProfile", "Arn"): lambda lab, p, *_: lab.client("iam").get_instance_profile(InstanceProfileName=p)["InstanceProfile"]["Arn"],
    ("AWS::S3::Bucket", "Arn"): lambda lab, p, *_: f"arn:aws:s3:::{p}",
    ("AWS::S3::Bucket", "DomainName"): lambda lab, p, *_: f"{p}.s3.amazonaws.com",
    ("AWS::S3::Bucket", "RegionalDomainName"): lambda lab, p, r, *_: f"{p}.s3.{r}.amazonaws.com",
    ("AWS::S3::Bucket", "WebsiteURL"): lambda lab, p, r, *_: f"http://{p}.s3-website-{r}.amazonaws.com",
    ("AWS::SNS::Topic", "TopicArn"): lambda lab, p, *_: p,
    ("AWS::SNS::Topic", "TopicName"): lambda lab, p, *_: p.rsplit(":", 1)[-1],
    ("AWS::SQS::Queue", "Arn"): _queue_arn,
    ("AWS::SQS::Queue", "QueueUrl"): lambda lab, p, *_: p,
    ("AWS::SQS::Queue", "QueueName"): lambda lab, p, *_: p.rsplit("/", 1)[-1],
    ("AWS::Lambda::Function", "Arn"): lambda lab, p, *_: _function(lab, p)["FunctionArn"],
    ("AWS::KMS::Key", "Arn"): lambda lab, p, *_: lab.client("kms").describe_key(KeyId=p)["KeyMetadata"]["Arn"],
    ("AWS::KMS::Key", "KeyId"): lambda lab, p, *_: lab.client("kms").describe_key(KeyId=p)["KeyMetadata"]["KeyId"],
    ("AWS::ECR::Repository", "Arn"): lambda lab, p, *_: _ecr(lab, p)["repositoryArn"],
    ("AWS::ECR::Repository", "RepositoryUri"): lambda lab, p, *_: _ecr(lab, p)["repositoryUri"],
    ("AWS::Events::Rule", "Arn"): lambda lab, p, r, a: f"arn:aws:events:{r}:{a}:rule/{p}",
    ("AWS::Logs::LogGroup", "Arn"): lambda lab, p, r, a: f"arn:aws:logs:{r}:{a}:log-group:{p}:*",
    ("AWS::StepFunctions::StateMachine", "Arn"): lambda lab, p, *_: p,
    ("AWS::StepFunctions::StateMachine", "Name"): lambda lab, p, *_: p.rsplit(":", 1)[-1],
    ("AWS::ECS::Cluster", "Arn"): lambda lab, p, r, a: p if p.startswith("arn:") else f"arn:aws:ecs:{r}:{a}:cluster/{p}",
    ("AWS::SSM::Parameter", "Value"): lambda lab, p, *_: lab.client("ssm").get_parameter(Name=p)["Parameter"]["Value"],
    ("AWS::SSM::Parameter", "Type"): lambda lab, p, *_: lab.client("ssm").get_parameter(Name=p)["Parameter"]["Type"],
}
