"""The IAM policy simulator through boto3: request and response shapes, positions, errors,
and agreement with what the authorizer enforces."""

import json

import pytest
from botocore.exceptions import ClientError

from codepipeline_lab.setup_helpers import create_user

ACCOUNT = "123456789012"
PIPELINE = f"arn:aws:codepipeline:us-east-1:{ACCOUNT}:MyPipeline"
APPROVE = f"{PIPELINE}/Deploy/Approve"
BOB = f"arn:aws:iam::{ACCOUNT}:user/bob"


def document(*statements) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)}, indent=2)


def allow(action, resource="*", **more):
    return {"Effect": "Allow", "Action": action, "Resource": resource, **more}


@pytest.fixture
def iam(lab):
    return lab.client("iam")


@pytest.fixture
def bob(iam):
    """bob: an approver by inline policy, a reader through his group, and a managed deny."""
    iam.create_user(UserName="bob")
    iam.put_user_policy(UserName="bob", PolicyName="approver",
                        PolicyDocument=document(allow("codepipeline:PutApprovalResult", f"{PIPELINE}/*")))
    iam.create_group(GroupName="readers")
    iam.add_user_to_group(GroupName="readers", UserName="bob")
    iam.put_group_policy(GroupName="readers", PolicyName="read", PolicyDocument=document(allow("codepipeline:Get*")))
    arn = iam.create_policy(PolicyName="no-delete", PolicyDocument=document(
        {"Effect": "Deny", "Action": "codepipeline:DeletePipeline", "Resource": "*"}))["Policy"]["Arn"]
    iam.attach_user_policy(UserName="bob", PolicyArn=arn)
    return arn


def results(answer):
    return {(r["EvalActionName"], r["EvalResourceName"]): r for r in answer["EvaluationResults"]}


def test_principal_policy_uses_inline_group_and_managed_policies(iam, bob):
    answer = iam.simulate_principal_policy(
        PolicySourceArn=BOB, ActionNames=["codepipeline:PutApprovalResult", "codepipeline:GetPipeline",
                                          "codepipeline:DeletePipeline", "codepipeline:StartPipelineExecution"])
    found = {r["EvalActionName"]: r for r in answer["EvaluationResults"]}
    assert answer["IsTruncated"] is False
    assert found["codepipeline:PutApprovalResult"]["EvalDecision"] == "implicitDeny"     # "*" is not under MyPipeline/
    assert found["codepipeline:GetPipeline"]["EvalDecision"] == "allowed"
    assert found["codepipeline:GetPipeline"]["MatchedStatements"][0]["SourcePolicyId"] == "read"
    assert found["codepipeline:GetPipeline"]["MatchedStatements"][0]["SourcePolicyType"] == "group"
    assert found["codepipeline:DeletePipeline"]["EvalDecision"] == "explicitDeny"
    assert found["codepipeline:DeletePipeline"]["MatchedStatements"][0]["SourcePolicyId"] == bob
    assert found["codepipeline:DeletePipeline"]["MatchedStatements"][0]["SourcePolicyType"] == "user-managed"
    assert found["codepipeline:StartPipelineExecution"]["EvalDecision"] == "implicitDeny"
    assert "ResourceSpecificResults" not in found["codepipeline:GetPipeline"]
    assert "EvalDecisionDetails" not in found["codepipeline:GetPipeline"]


def test_resource_arns_give_resource_specific_results_and_positions(iam, bob):
    answer = iam.simulate_principal_policy(PolicySourceArn=BOB, ActionNames=["codepipeline:PutApprovalResult"],
                                           ResourceArns=[APPROVE, f"arn:aws:codepipeline:us-east-1:{ACCOUNT}:Other/Deploy/Approve"])
    found = results(answer)
    allowed = found[("codepipeline:PutApprovalResult", APPROVE)]
    assert allowed["EvalDecision"] == "allowed"
    assert allowed["EvalDecisionDetails"] == {}
    statement = {"SourcePolicyId": "approver", "SourcePolicyType": "user",
                 "StartPosition": {"Line": 4, "Column": 6}, "EndPosition": {"Line": 8, "Column": 6}}
    assert allowed["MatchedStatements"] == [statement]
    assert allowed["ResourceSpecificResults"] == [{"EvalResourceName": APPROVE, "EvalResourceDecision": "allowed",
                                                   "MatchedStatements": [statement], "MissingContextValues": []}]
    other = found[("codepipeline:PutApprovalResult", f"arn:aws:codepipeline:us-east-1:{ACCOUNT}:Other/Deploy/Approve")]
    assert other["EvalDecision"] == "implicitDeny" and other["MatchedStatements"] == []


def test_role_and_extra_policy_inputs(iam):
    role = iam.create_role(RoleName="deployer", AssumeRolePolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"Service": "codepipeline.amazonaws.com"}, "Action": "sts:AssumeRole"}]}))["Role"]["Arn"]
    iam.put_role_policy(RoleName="deployer", PolicyName="s3", PolicyDocument=document(allow("s3:GetObject")))
    extra = '{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"codebuild:StartBuild","Resource":"*"}}'
    found = {r["EvalActionName"]: r for r in iam.simulate_principal_policy(
        PolicySourceArn=role, ActionNames=["s3:GetObject", "codebuild:StartBuild"], PolicyInputList=[extra])["EvaluationResults"]}
    assert found["s3:GetObject"]["MatchedStatements"][0]["SourcePolicyType"] == "role"
    started = found["codebuild:StartBuild"]["MatchedStatements"][0]
    assert started["SourcePolicyId"] == "PolicyInputList.1"
    assert (started["StartPosition"], started["EndPosition"]) == ({"Line": 1, "Column": 38}, {"Line": 1, "Column": 102})


def test_policy_exclusion_list_leaves_a_policy_out(iam, bob):
    answer = iam.simulate_principal_policy(PolicySourceArn=BOB, ActionNames=["codepipeline:DeletePipeline"],
                                           PolicyExclusionList=[{"PolicyArn": bob}])
    assert answer["EvaluationResults"][0]["EvalDecision"] == "implicitDeny"


def test_custom_policy_with_context_entries(iam):
    policy = '{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"dynamodb:*","Resource":"*",' \
             '"Condition":{"DateGreaterThan":{"aws:CurrentTime":"2018-08-16T12:00:00Z"}}}}'
    later = iam.simulate_custom_policy(PolicyInputList=[policy], ActionNames=["dynamodb:CreateBackup"], ContextEntries=[
        {"ContextKeyName": "aws:CurrentTime", "ContextKeyValues": ["2019-04-25T11:00:00Z"], "ContextKeyType": "date"}])
    result = later["EvaluationResults"][0]
    assert result["EvalDecision"] == "allowed" and result["EvalResourceName"] == "*"
    assert result["MatchedStatements"][0]["StartPosition"] == {"Line": 1, "Column": 38}
    assert result["MatchedStatements"][0]["EndPosition"] == {"Line": 1, "Column": 167}
    earlier = iam.simulate_custom_policy(PolicyInputList=[policy], ActionNames=["dynamodb:CreateBackup"], ContextEntries=[
        {"ContextKeyName": "aws:CurrentTime", "ContextKeyValues": ["2017-04-25T11:00:00Z"], "ContextKeyType": "date"}])
    assert earlier["EvaluationResults"][0]["EvalDecision"] == "implicitDeny"


def test_missing_context_is_reported_where_iam_puts_it(iam):
    policy = document(allow("iam:PassRole", Condition={"StringEquals": {"iam:PassedToService": "codebuild.amazonaws.com"}}))
    everywhere = iam.simulate_custom_policy(PolicyInputList=[policy], ActionNames=["iam:PassRole"])["EvaluationResults"][0]
    assert everywhere["EvalDecision"] == "implicitDeny"
    assert everywhere["MissingContextValues"] == ["iam:PassedToService"]
    role = f"arn:aws:iam::{ACCOUNT}:role/build"
    one = iam.simulate_custom_policy(PolicyInputList=[policy], ActionNames=["iam:PassRole"], ResourceArns=[role])["EvaluationResults"][0]
    assert one["MissingContextValues"] == []
    assert one["ResourceSpecificResults"][0]["MissingContextValues"] == ["iam:PassedToService"]


def test_cross_account_resource_policy_needs_both_sides(iam):
    caller = "arn:aws:iam::111122223333:user/eve"
    identity = document(allow("s3:GetObject", "arn:aws:s3:::artifacts/*"))
    bucket = json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"},
                                                                 "Action": "s3:GetObject", "Resource": "arn:aws:s3:::artifacts/*"}]})
    common = dict(PolicyInputList=[identity], ActionNames=["s3:GetObject"], ResourceArns=["arn:aws:s3:::artifacts/a.zip"],
                  CallerArn=caller, ResourceOwner=f"arn:aws:iam::{ACCOUNT}:root")
    granted = iam.simulate_custom_policy(ResourcePolicy=bucket, **common)["EvaluationResults"][0]
    assert granted["EvalDecision"] == "allowed"
    assert granted["EvalDecisionDetails"] == {"IAM Policy": "allowed", "Resource Policy": "allowed"}
    assert {m["SourcePolicyType"] for m in granted["MatchedStatements"]} == {"IAM Policy", "resource"}
    refused = iam.simulate_custom_policy(ResourcePolicy=bucket.replace("111122223333", "444455556666"), **common)["EvaluationResults"][0]
    assert refused["EvalDecision"] == "implicitDeny"
    assert refused["ResourceSpecificResults"][0]["EvalDecisionDetails"] == {"IAM Policy": "allowed", "Resource Policy": "implicitDeny"}


def test_permissions_boundary_decision_detail(iam):
    answer = iam.simulate_custom_policy(PolicyInputList=[document(allow("*"))], ActionNames=["s3:GetObject", "iam:CreateUser"],
                                        PermissionsBoundaryPolicyInputList=[document(allow("s3:*"))])
    found = {r["EvalActionName"]: r for r in answer["EvaluationResults"]}
    assert found["s3:GetObject"]["EvalDecision"] == "allowed"
    assert found["s3:GetObject"]["PermissionsBoundaryDecisionDetail"] == {"AllowedByPermissionsBoundary": True}
    assert found["iam:CreateUser"]["EvalDecision"] == "implicitDeny"
    assert found["iam:CreateUser"]["PermissionsBoundaryDecisionDetail"] == {"AllowedByPermissionsBoundary": False}


def test_max_items_and_marker_page_the_results(iam):
    actions = ["s3:GetObject", "s3:PutObject", "s3:ListBucket"]
    first = iam.simulate_custom_policy(PolicyInputList=[document(allow("s3:*"))], ActionNames=actions, MaxItems=2)
    assert [r["EvalActionName"] for r in first["EvaluationResults"]] == actions[:2] and first["IsTruncated"] is True
    rest = iam.simulate_custom_policy(PolicyInputList=[document(allow("s3:*"))], ActionNames=actions, MaxItems=2, Marker=first["Marker"])
    assert [r["EvalActionName"] for r in rest["EvaluationResults"]] == actions[2:] and rest["IsTruncated"] is False
    paged = iam.get_paginator("simulate_custom_policy").paginate(PolicyInputList=[document(allow("s3:*"))], ActionNames=actions,
                                                                 PaginationConfig={"PageSize": 1})
    assert [r["EvalActionName"] for page in paged for r in page["EvaluationResults"]] == actions


# -- errors ---------------------------------------------------------------------------------

def error_of(call, **params):
    with pytest.raises(ClientError) as raised:
        call(**params)
    return raised.value.response["Error"]["Code"], raised.value.response["Error"]["Message"]


def test_unknown_principals_are_no_such_entity(iam):
    assert error_of(iam.simulate_principal_policy, PolicySourceArn=f"arn:aws:iam::{ACCOUNT}:user/nobody",
                    ActionNames=["s3:GetObject"]) == ("NoSuchEntity", "The user with name nobody cannot be found.")
    assert error_of(iam.simulate_principal_policy, PolicySourceArn=f"arn:aws:iam::{ACCOUNT}:role/team/ghost",
                    ActionNames=["s3:GetObject"]) == ("NoSuchEntity", "The role with name ghost cannot be found.")


def test_malformed_input_policy_names_the_policy(iam):
    code, message = error_of(iam.simulate_custom_policy, PolicyInputList=[document(allow("s3:*")), '{"Version": "2012-10-17", "Statement": ['],
                             ActionNames=["s3:GetObject"])
    assert code == "MalformedPolicyDocument" and message.startswith("PolicyInputList.2 is not a valid policy: not valid JSON")


def test_unknown_condition_operator_names_the_statement(iam):
    policy = document(allow("s3:*"), allow("s3:*", Condition={"StringEqualz": {"aws:username": "bob"}}))
    code, message = error_of(iam.simulate_custom_policy, PolicyInputList=[policy], ActionNames=["s3:GetObject"])
    assert code == "MalformedPolicyDocument"
    assert "PolicyInputList.1" in message and "Statement[1]" in message and "StringEqualz" in message


def test_invalid_action_name_and_missing_caller(iam):
    code, message = error_of(iam.simulate_custom_policy, PolicyInputList=[document(allow("s3:*"))], ActionNames=["GetObject"])
    assert code == "InvalidInput" and "GetObject" in message
    bucket = json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "s3:*", "Resource": "*"}]})
    code, message = error_of(iam.simulate_custom_policy, PolicyInputList=[document(allow("s3:*"))], ActionNames=["s3:GetObject"],
                             ResourcePolicy=bucket)
    assert code == "InvalidInput" and "CallerArn" in message


def test_resource_policy_without_principal_is_malformed(iam):
    code, message = error_of(iam.simulate_custom_policy, PolicyInputList=[document(allow("s3:*"))], ActionNames=["s3:GetObject"],
                             ResourcePolicy=document(allow("s3:*")), CallerArn=BOB)
    assert code == "MalformedPolicyDocument" and "ResourcePolicy" in message and "Principal" in message


# -- explanation and enforcement agree -----------------------------------------------------

def test_the_simulator_explains_what_the_authorizer_enforces(lab, iam):
    keys = create_user(lab, "carol", [allow("codepipeline:ListPipelines")])
    as_carol = lab.client("codepipeline", credentials=keys)
    carol = f"arn:aws:iam::{ACCOUNT}:user/carol"
    found = {r["EvalActionName"]: r["EvalDecision"] for r in iam.simulate_principal_policy(
        PolicySourceArn=carol, ActionNames=["codepipeline:ListPipelines", "codepipeline:GetPipeline"],
        ResourceArns=[PIPELINE])["EvaluationResults"]}
    assert found == {"codepipeline:ListPipelines": "allowed", "codepipeline:GetPipeline": "implicitDeny"}
    as_carol.list_pipelines()
    with pytest.raises(ClientError) as denied:
        as_carol.get_pipeline(name="MyPipeline")
    assert denied.value.response["Error"]["Code"] == "AccessDeniedException"
