"""iam.simulate_principal_policy and enforcement come from one evaluator: for each policy of a
table, what the simulator says about a call is what happens when the user makes it."""

import json

import pytest
from botocore.exceptions import ClientError
from engine.scenario import approval_pipeline

from codepipeline_lab.setup_helpers import create_bucket, create_service_role, create_user

PIPELINE = "arn:aws:codepipeline:us-east-1:123456789012:demo"
OTHER = "arn:aws:codepipeline:us-east-1:123456789012:other"

POLICIES = {
    "allow all of codepipeline": [{"Effect": "Allow", "Action": "codepipeline:*", "Resource": "*"}],
    "wildcard Get* on the pipeline": [{"Effect": "Allow", "Action": "codepipeline:GetPipeline*", "Resource": PIPELINE}],
    "another pipeline only": [{"Effect": "Allow", "Action": "codepipeline:*", "Resource": OTHER}],
    "explicit deny beats allow": [{"Effect": "Allow", "Action": "codepipeline:*", "Resource": "*"},
                                  {"Effect": "Deny", "Action": "codepipeline:GetPipelineState", "Resource": "*"}],
    "NotAction": [{"Effect": "Allow", "NotAction": "codepipeline:GetPipeline", "Resource": "*"}],
    "NotResource": [{"Effect": "Allow", "Action": "codepipeline:*", "NotResource": PIPELINE}],
    "case-insensitive action": [{"Effect": "Allow", "Action": "CodePipeline:getpipeline", "Resource": PIPELINE}],
    "nothing": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}],
}

CALLS = [  # (IAM action, resource ARN, the boto3 call)
    ("codepipeline:GetPipeline", PIPELINE, lambda cp: cp.get_pipeline(name="demo")),
    ("codepipeline:GetPipelineState", PIPELINE, lambda cp: cp.get_pipeline_state(name="demo")),
    ("codepipeline:ListPipelineExecutions", PIPELINE, lambda cp: cp.list_pipeline_executions(pipelineName="demo")),
    ("codepipeline:ListPipelines", "*", lambda cp: cp.list_pipelines()),
]


@pytest.mark.parametrize("name", sorted(POLICIES))
def test_the_simulator_agrees_with_enforcement(lab, name):
    create_bucket(lab, "demo-artifacts")
    lab.client("codepipeline").create_pipeline(pipeline=approval_pipeline(create_service_role(lab)))
    credentials = create_user(lab, "dev", POLICIES[name])
    as_dev = lab.client("codepipeline", credentials=credentials)
    iam = lab.client("iam")
    for action, resource, call in CALLS:
        simulated = iam.simulate_principal_policy(PolicySourceArn="arn:aws:iam::123456789012:user/dev",
                                                  ActionNames=[action], ResourceArns=[resource])
        decision = simulated["EvaluationResults"][0]["EvalDecision"]
        try:
            call(as_dev)
            enforced = "allowed"
        except ClientError as denied:
            assert denied.response["Error"]["Code"] == "AccessDeniedException"
            enforced = "explicitDeny" if "explicit deny" in denied.response["Error"]["Message"] else "implicitDeny"
        assert (action, decision) == (action, enforced), f"policy {name!r}"


def test_the_table_covers_every_decision(lab):
    # the cases above are only worth something if they reach all three answers
    create_bucket(lab, "demo-artifacts")
    iam = lab.client("iam")
    decisions = set()
    for index, statements in enumerate(POLICIES.values()):
        create_user(lab, f"u{index}", statements)
        for action, resource, _ in CALLS:
            result = iam.simulate_principal_policy(PolicySourceArn=f"arn:aws:iam::123456789012:user/u{index}",
                                                   ActionNames=[action], ResourceArns=[resource])
            decisions.add(result["EvaluationResults"][0]["EvalDecision"])
    assert decisions == {"allowed", "explicitDeny", "implicitDeny"}


def test_cloudformation_calls_are_authorized_on_the_stack(lab):
    lab.client("cloudformation").create_stack(StackName="web-test", TemplateBody=json.dumps(
        {"Resources": {"Topic": {"Type": "AWS::SNS::Topic"}}}))
    credentials = create_user(lab, "reader", [{"Effect": "Allow", "Action": "cloudformation:DescribeStacks",
                                                "Resource": "arn:aws:cloudformation:us-east-1:123456789012:stack/web-test/*"}])
    cfn = lab.client("cloudformation", credentials=credentials)
    assert cfn.describe_stacks(StackName="web-test")["Stacks"][0]["StackName"] == "web-test"
    lab.client("cloudformation").create_stack(StackName="web-prod", TemplateBody=json.dumps(
        {"Resources": {"Topic": {"Type": "AWS::SNS::Topic"}}}))
    with pytest.raises(ClientError) as denied:
        cfn.describe_stacks(StackName="web-prod")
    assert "stack/web-prod/*" in denied.value.response["Error"]["Message"]
