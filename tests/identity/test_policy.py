"""The policy evaluator: one table of IAM's rules, then positions, missing context and errors."""

import json

import pytest

from codepipeline_lab.simulator.identity.policy import (ALLOWED, EXPLICIT_DENY, IMPLICIT_DENY, Caller, PolicyError,
                                                        PolicySource, evaluate, evaluate_request, validate_document)

ACCOUNT = "123456789012"
PIPELINE = f"arn:aws:codepipeline:us-east-1:{ACCOUNT}:MyPipeline"
APPROVE = f"{PIPELINE}/Deploy/Approve"
ROLE = f"arn:aws:iam::{ACCOUNT}:role/service-role/AWSCodePipelineServiceRole-us-east-1-MyPipeline"


def policy(*statements, version="2012-10-17", source_id="p", source_type="user") -> PolicySource:
    return PolicySource(source_id, source_type, json.dumps({"Version": version, "Statement": list(statements)}, indent=2))


def allow(action, resource="*", **more):
    return {"Effect": "Allow", "Action": action, "Resource": resource, **more}


def deny(action, resource="*", **more):
    return {"Effect": "Deny", "Action": action, "Resource": resource, **more}


PASS_ROLE = allow("iam:PassRole", "*", Condition={"StringEqualsIfExists": {
    "iam:PassedToService": ["cloudformation.amazonaws.com", "codebuild.amazonaws.com"]}})
SAME_ACCOUNT_S3 = allow("s3:GetObject", "arn:aws:s3:::artifacts/*",
                        Condition={"StringEquals": {"aws:ResourceAccount": ACCOUNT}})

CASES = [
    # (name, statements, action, resource, context, expected decision)
    ("no statement matches", [allow("s3:GetObject")], "codepipeline:GetPipeline", PIPELINE, None, IMPLICIT_DENY),
    ("action wildcard", [allow("codepipeline:*")], "codepipeline:GetPipeline", PIPELINE, None, ALLOWED),
    ("action match ignores case", [allow("CodePipeline:getpipeline")], "codepipeline:GetPipeline", PIPELINE, None, ALLOWED),
    ("action ? wildcard", [allow("codepipeline:?etPipeline")], "codepipeline:GetPipeline", PIPELINE, None, ALLOWED),
    ("action prefix wildcard", [allow("codepipeline:Get*")], "codepipeline:ListPipelines", PIPELINE, None, IMPLICIT_DENY),
    ("explicit deny beats allow", [allow("codepipeline:*"), deny("codepipeline:DeletePipeline")],
     "codepipeline:DeletePipeline", PIPELINE, None, EXPLICIT_DENY),
    ("deny of another action leaves allow", [allow("codepipeline:*"), deny("codepipeline:DeletePipeline")],
     "codepipeline:GetPipeline", PIPELINE, None, ALLOWED),
    ("NotAction allows everything else", [{"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"}],
     "codepipeline:GetPipeline", PIPELINE, None, ALLOWED),
    ("NotAction excludes its actions", [{"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"}],
     "iam:CreateUser", "*", None, IMPLICIT_DENY),
    ("resource exact", [allow("codepipeline:GetPipeline", PIPELINE)], "codepipeline:GetPipeline", PIPELINE, None, ALLOWED),
    ("resource is case-sensitive", [allow("codepipeline:GetPipeline", PIPELINE.lower())],
     "codepipeline:GetPipeline", PIPELINE, None, IMPLICIT_DENY),
    ("pipeline ARN does not cover its actions", [allow("codepipeline:PutApprovalResult", PIPELINE)],
     "codepipeline:PutApprovalResult", APPROVE, None, IMPLICIT_DENY),
    ("trailing * covers stage/action", [allow("codepipeline:PutApprovalResult", f"{PIPELINE}/*")],
     "codepipeline:PutApprovalResult", APPROVE, None, ALLOWED),
    ("action ARN exact", [allow("codepipeline:PutApprovalResult", APPROVE)],
     "codepipeline:PutApprovalResult", APPROVE, None, ALLOWED),
    ("? matches one character", [allow("codepipeline:PutApprovalResult", f"{PIPELINE}/Deploy/Approv?")],
     "codepipeline:PutApprovalResult", APPROVE, None, ALLOWED),
    ("* inside a segment stays in it", [allow("codepipeline:GetPipeline", f"arn:aws:codepipeline:us-*-1:{ACCOUNT}:MyPipeline")],
     "codepipeline:GetPipeline", PIPELINE, None, ALLOWED),
    ("* ending the region segment", [allow("codepipeline:GetPipeline", f"arn:aws:codepipeline:*:{ACCOUNT}:MyPipeline")],
     "codepipeline:GetPipeline", PIPELINE, None, ALLOWED),
    ("other account's ARN", [allow("codepipeline:GetPipeline", "arn:aws:codepipeline:us-east-1:111122223333:*")],
     "codepipeline:GetPipeline", PIPELINE, None, IMPLICIT_DENY),
    ("NotResource excludes", [{"Effect": "Allow", "Action": "codepipeline:*", "NotResource": f"{PIPELINE}*"}],
     "codepipeline:GetPipeline", PIPELINE, None, IMPLICIT_DENY),
    ("NotResource allows the others", [{"Effect": "Allow", "Action": "codepipeline:*", "NotResource": f"{PIPELINE}*"}],
     "codepipeline:GetPipeline", f"arn:aws:codepipeline:us-east-1:{ACCOUNT}:Other", None, ALLOWED),
    ("deny with NotResource", [allow("*"), {"Effect": "Deny", "Action": "codepipeline:*", "NotResource": f"{PIPELINE}*"}],
     "codepipeline:DeletePipeline", f"arn:aws:codepipeline:us-east-1:{ACCOUNT}:Other", None, EXPLICIT_DENY),
    ("PassedToService listed", [PASS_ROLE], "iam:PassRole", ROLE, {"iam:PassedToService": ["codebuild.amazonaws.com"]}, ALLOWED),
    ("PassedToService not listed", [PASS_ROLE], "iam:PassRole", ROLE, {"iam:PassedToService": ["ec2.amazonaws.com"]}, IMPLICIT_DENY),
    ("IfExists without the key", [PASS_ROLE], "iam:PassRole", ROLE, {}, ALLOWED),
    ("ResourceAccount equal", [SAME_ACCOUNT_S3], "s3:GetObject", "arn:aws:s3:::artifacts/a.zip", {"aws:ResourceAccount": [ACCOUNT]}, ALLOWED),
    ("ResourceAccount other", [SAME_ACCOUNT_S3], "s3:GetObject", "arn:aws:s3:::artifacts/a.zip", {"aws:ResourceAccount": ["111122223333"]}, IMPLICIT_DENY),
    ("ResourceAccount missing", [SAME_ACCOUNT_S3], "s3:GetObject", "arn:aws:s3:::artifacts/a.zip", {}, IMPLICIT_DENY),
    ("condition keys ignore case", [SAME_ACCOUNT_S3], "s3:GetObject", "arn:aws:s3:::artifacts/a.zip", {"AWS:resourceaccount": [ACCOUNT]}, ALLOWED),
    ("negated operator holds without the key", [allow("s3:*", Condition={"StringNotEquals": {"aws:SourceVpc": "vpc-1"}})],
     "s3:GetObject", "*", {}, ALLOWED),
    ("StringLike", [allow("s3:*", Condition={"StringLike": {"s3:prefix": "home/*"}})], "s3:ListBucket", "*", {"s3:prefix": ["home/ann"]}, ALLOWED),
    ("StringNotLike", [allow("s3:*", Condition={"StringNotLike": {"s3:prefix": "home/*"}})], "s3:ListBucket", "*", {"s3:prefix": ["home/ann"]}, IMPLICIT_DENY),
    ("StringEqualsIgnoreCase", [allow("s3:*", Condition={"StringEqualsIgnoreCase": {"aws:PrincipalTag/team": "Ops"}})],
     "s3:GetObject", "*", {"aws:PrincipalTag/team": ["OPS"]}, ALLOWED),
    ("StringEquals is case-sensitive", [allow("s3:*", Condition={"StringEquals": {"aws:PrincipalTag/team": "Ops"}})],
     "s3:GetObject", "*", {"aws:PrincipalTag/team": ["OPS"]}, IMPLICIT_DENY),
    ("values are ORed", [allow("s3:*", Condition={"StringEquals": {"aws:PrincipalTag/team": ["a", "b"]}})],
     "s3:GetObject", "*", {"aws:PrincipalTag/team": ["b"]}, ALLOWED),
    ("keys are ANDed", [allow("s3:*", Condition={"StringEquals": {"aws:PrincipalTag/team": "a", "aws:PrincipalTag/env": "prod"}})],
     "s3:GetObject", "*", {"aws:PrincipalTag/team": ["a"], "aws:PrincipalTag/env": ["dev"]}, IMPLICIT_DENY),
    ("operators are ANDed", [allow("s3:*", Condition={"StringEquals": {"aws:PrincipalTag/team": "a"}, "Bool": {"aws:SecureTransport": "true"}})],
     "s3:GetObject", "*", {"aws:PrincipalTag/team": ["a"], "aws:SecureTransport": ["false"]}, IMPLICIT_DENY),
    ("Bool with a JSON boolean", [deny("s3:*", Condition={"Bool": {"aws:SecureTransport": False}}), allow("s3:*")],
     "s3:GetObject", "*", {"aws:SecureTransport": ["false"]}, EXPLICIT_DENY),
    ("NumericLessThan", [allow("s3:ListBucket", Condition={"NumericLessThanEquals": {"s3:max-keys": "10"}})],
     "s3:ListBucket", "*", {"s3:max-keys": ["7"]}, ALLOWED),
    ("NumericGreaterThan fails", [allow("s3:ListBucket", Condition={"NumericGreaterThan": {"s3:max-keys": "10"}})],
     "s3:ListBucket", "*", {"s3:max-keys": ["7"]}, IMPLICIT_DENY),
    ("DateGreaterThan", [allow("dynamodb:*", Condition={"DateGreaterThan": {"aws:CurrentTime": "2018-08-16T12:00:00Z"}})],
     "dynamodb:CreateBackup", "*", {"aws:CurrentTime": ["2019-04-25T11:00:00Z"]}, ALLOWED),
    ("DateLessThan with epoch seconds", [allow("dynamodb:*", Condition={"DateLessThan": {"aws:CurrentTime": "2018-08-16T12:00:00Z"}})],
     "dynamodb:CreateBackup", "*", {"aws:CurrentTime": ["1500000000"]}, ALLOWED),
    ("IpAddress in range", [allow("s3:*", Condition={"IpAddress": {"aws:SourceIp": "203.0.113.0/24"}})],
     "s3:GetObject", "*", {"aws:SourceIp": ["203.0.113.9"]}, ALLOWED),
    ("NotIpAddress in range", [allow("s3:*", Condition={"NotIpAddress": {"aws:SourceIp": "203.0.113.0/24"}})],
     "s3:GetObject", "*", {"aws:SourceIp": ["203.0.113.9"]}, IMPLICIT_DENY),
    ("ArnLike source", [allow("sns:Publish", Condition={"ArnLike": {"aws:SourceArn": f"arn:aws:codepipeline:*:{ACCOUNT}:*"}})],
     "sns:Publish", "*", {"aws:SourceArn": [PIPELINE]}, ALLOWED),
    ("ArnNotEquals", [allow("sns:Publish", Condition={"ArnNotEquals": {"aws:SourceArn": PIPELINE}})],
     "sns:Publish", "*", {"aws:SourceArn": [PIPELINE]}, IMPLICIT_DENY),
    ("BinaryEquals", [allow("s3:*", Condition={"BinaryEquals": {"x:blob": "QmluYXJ5"}})], "s3:GetObject", "*", {"x:blob": ["QmluYXJ5"]}, ALLOWED),
    ("Null true: key absent", [deny("ec2:*", Condition={"Null": {"aws:RequestTag/owner": "true"}}), allow("ec2:*")],
     "ec2:RunInstances", "*", {}, EXPLICIT_DENY),
    ("Null true: key present", [deny("ec2:*", Condition={"Null": {"aws:RequestTag/owner": "true"}}), allow("ec2:*")],
     "ec2:RunInstances", "*", {"aws:RequestTag/owner": ["ann"]}, ALLOWED),
    ("ForAllValues: every value listed", [allow("s3:*", Condition={"ForAllValues:StringEquals": {"aws:TagKeys": ["env", "team"]}})],
     "s3:PutObjectTagging", "*", {"aws:TagKeys": ["env", "team"]}, ALLOWED),
    ("ForAllValues: one value not listed", [allow("s3:*", Condition={"ForAllValues:StringEquals": {"aws:TagKeys": ["env", "team"]}})],
     "s3:PutObjectTagging", "*", {"aws:TagKeys": ["env", "cost"]}, IMPLICIT_DENY),
    ("ForAllValues: key absent holds", [allow("s3:*", Condition={"ForAllValues:StringEquals": {"aws:TagKeys": ["env"]}})],
     "s3:PutObjectTagging", "*", {}, ALLOWED),
    ("ForAnyValue: one value listed", [allow("s3:*", Condition={"ForAnyValue:StringEquals": {"aws:TagKeys": ["env"]}})],
     "s3:PutObjectTagging", "*", {"aws:TagKeys": ["cost", "env"]}, ALLOWED),
    ("ForAnyValue: key absent fails", [allow("s3:*", Condition={"ForAnyValue:StringEquals": {"aws:TagKeys": ["env"]}})],
     "s3:PutObjectTagging", "*", {}, IMPLICIT_DENY),
    ("${aws:username} in the resource", [allow("s3:*", "arn:aws:s3:::home/${aws:username}/*")],
     "s3:GetObject", "arn:aws:s3:::home/ann/notes.txt", {"aws:username": ["ann"]}, ALLOWED),
    ("${aws:username} of someone else", [allow("s3:*", "arn:aws:s3:::home/${aws:username}/*")],
     "s3:GetObject", "arn:aws:s3:::home/bob/notes.txt", {"aws:username": ["ann"]}, IMPLICIT_DENY),
    ("a substituted * is literal", [allow("s3:*", "arn:aws:s3:::home/${aws:username}/*")],
     "s3:GetObject", "arn:aws:s3:::home/bob/notes.txt", {"aws:username": ["*"]}, IMPLICIT_DENY),
    ("variable with a default", [allow("s3:*", "arn:aws:s3:::home/${aws:username, 'guest'}/*")],
     "s3:GetObject", "arn:aws:s3:::home/guest/x", {}, ALLOWED),
    ("variable in a condition", [allow("iam:*", Condition={"StringEquals": {"aws:PrincipalAccount": "${aws:ResourceAccount}"}})],
     "iam:GetUser", "*", {"aws:PrincipalAccount": [ACCOUNT], "aws:ResourceAccount": [ACCOUNT]}, ALLOWED),
]


@pytest.mark.parametrize("name, statements, action, resource, context, expected", CASES, ids=[c[0] for c in CASES])
def test_decision_table(name, statements, action, resource, context, expected):
    assert evaluate([policy(*statements)], action, resource, context).decision == expected


def test_version_2008_takes_variables_literally():
    source = policy(allow("s3:*", "arn:aws:s3:::home/${aws:username}/*"), version="2008-10-17")
    assert evaluate([source], "s3:GetObject", "arn:aws:s3:::home/${aws:username}/x", {"aws:username": ["ann"]}).allowed
    assert not evaluate([source], "s3:GetObject", "arn:aws:s3:::home/ann/x", {"aws:username": ["ann"]}).allowed


def test_only_the_deciding_statements_are_matched():
    decision = evaluate([policy(allow("codepipeline:*"), deny("codepipeline:DeletePipeline"), source_id="team")],
                        "codepipeline:DeletePipeline", PIPELINE)
    assert [(m.source_id, m.effect) for m in decision.matched] == [("team", "Deny")]


# -- missing context -----------------------------------------------------------------------

def test_missing_condition_key_is_reported_not_allowed():
    decision = evaluate([policy(SAME_ACCOUNT_S3)], "s3:GetObject", "arn:aws:s3:::artifacts/a.zip")
    assert decision.decision == IMPLICIT_DENY
    assert decision.missing_context == ["aws:ResourceAccount"]


def test_every_missing_key_is_reported_and_ifexists_too():
    statement = allow("iam:PassRole", Condition={"StringEquals": {"aws:ResourceAccount": ACCOUNT},
                                                 "StringEqualsIfExists": {"iam:PassedToService": "codebuild.amazonaws.com"}})
    assert evaluate([policy(statement)], "iam:PassRole", ROLE).missing_context == ["aws:ResourceAccount", "iam:PassedToService"]


def test_missing_policy_variable_is_reported_and_does_not_match():
    decision = evaluate([policy(allow("s3:*", "arn:aws:s3:::home/${aws:username}/*"))], "s3:GetObject", "arn:aws:s3:::home/ann/x")
    assert decision.decision == IMPLICIT_DENY and decision.missing_context == ["aws:username"]


def test_null_check_answers_absence_without_reporting_it():
    decision = evaluate([policy(allow("ec2:*", Condition={"Null": {"aws:RequestTag/owner": "false"}}))], "ec2:RunInstances", "*", {})
    assert decision.decision == IMPLICIT_DENY and decision.missing_context == []


def test_statements_for_other_actions_need_no_context():
    assert evaluate([policy(SAME_ACCOUNT_S3)], "codepipeline:GetPipeline", PIPELINE).missing_context == []


# -- principals in resource-based policies ---------------------------------------------------

BUCKET = "arn:aws:s3:::artifacts/a.zip"
USER = Caller(f"arn:aws:iam::{ACCOUNT}:user/ann", ACCOUNT)
SESSION = Caller(f"arn:aws:sts::{ACCOUNT}:assumed-role/AWSCodePipelineServiceRole-us-east-1-MyPipeline/1726745559598",
                 ACCOUNT, role_arn=ROLE)
OUTSIDER = Caller("arn:aws:iam::111122223333:user/eve", "111122223333")
SERVICE = Caller("codepipeline.amazonaws.com", ACCOUNT, service="codepipeline.amazonaws.com")


def bucket_policy(principal, key="Principal", effect="Allow"):
    return PolicySource("resource", "resource", json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": effect, key: principal, "Action": "s3:GetObject", "Resource": "arn:aws:s3:::artifacts/*"}]}))


PRINCIPAL_CASES = [
    ("everyone", "*", USER, True),
    ("AWS *", {"AWS": "*"}, OUTSIDER, True),
    ("account id", {"AWS": ACCOUNT}, USER, True),
    ("account root means the account", {"AWS": f"arn:aws:iam::{ACCOUNT}:root"}, SESSION, True),
    ("account root of another account", {"AWS": "arn:aws:iam::111122223333:root"}, USER, False),
    ("user ARN", {"AWS": [f"arn:aws:iam::{ACCOUNT}:user/ann"]}, USER, True),
    ("another user's ARN", {"AWS": f"arn:aws:iam::{ACCOUNT}:user/bob"}, USER, False),
    ("role ARN covers its sessions", {"AWS": ROLE}, SESSION, True),
    ("session ARN", {"AWS": SESSION.arn}, SESSION, True),
    ("service principal", {"Service": "codepipeline.amazonaws.com"}, SERVICE, True),
    ("another service", {"Service": "codebuild.amazonaws.com"}, SERVICE, False),
]


@pytest.mark.parametrize("name, principal, caller, allowed", PRINCIPAL_CASES, ids=[c[0] for c in PRINCIPAL_CASES])
def test_principal_matching(name, principal, caller, allowed):
    assert evaluate([bucket_policy(principal)], "s3:GetObject", BUCKET, caller=caller).allowed is allowed


def test_not_principal_denies_everyone_else():
    source = bucket_policy({"AWS": ROLE}, key="NotPrincipal", effect="Deny")
    assert evaluate([source], "s3:GetObject", BUCKET, caller=USER).decision == EXPLICIT_DENY
    assert evaluate([source], "s3:GetObject", BUCKET, caller=SESSION).decision == IMPLICIT_DENY


# -- identity, resource policy and boundary together ----------------------------------------

READ = policy(allow("s3:GetObject", "arn:aws:s3:::artifacts/*"))


def test_same_account_either_side_allows():
    decision = evaluate_request([], "s3:GetObject", BUCKET, caller=USER, resource_policy=bucket_policy({"AWS": USER.arn}),
                                resource_account=ACCOUNT)
    assert decision.allowed and decision.details == {}


def test_cross_account_needs_both_sides():
    only_identity = evaluate_request([READ], "s3:GetObject", BUCKET, caller=OUTSIDER, resource_account=ACCOUNT)
    assert only_identity.decision == IMPLICIT_DENY and only_identity.details == {"IAM Policy": ALLOWED}
    both = evaluate_request([READ], "s3:GetObject", BUCKET, caller=OUTSIDER, resource_account=ACCOUNT,
                            resource_policy=bucket_policy({"AWS": "arn:aws:iam::111122223333:root"}))
    assert both.allowed and both.details == {"IAM Policy": ALLOWED, "Resource Policy": ALLOWED}


def test_resource_policy_deny_wins_over_identity_allow():
    decision = evaluate_request([READ], "s3:GetObject", BUCKET, caller=USER, resource_account=ACCOUNT,
                                resource_policy=bucket_policy("*", effect="Deny"))
    assert decision.decision == EXPLICIT_DENY and decision.matched[0].source_type == "resource"


def test_permissions_boundary_limits_identity_policies():
    boundary = [policy(allow("codepipeline:Get*"), source_id="boundary")]
    wide = [policy(allow("*"))]
    assert evaluate_request(wide, "codepipeline:GetPipeline", PIPELINE, boundary=boundary).allowed
    limited = evaluate_request(wide, "codepipeline:DeletePipeline", PIPELINE, boundary=boundary)
    assert limited.decision == IMPLICIT_DENY and limited.allowed_by_boundary is False


# -- positions and errors -------------------------------------------------------------------

def test_positions_are_those_iam_reports():
    # the AWS CLI's simulate-custom-policy example: reported as Line 1, Column 38 to Line 1, Column 167
    text = ('{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"dynamodb:*","Resource":"*",'
            '"Condition":{"DateGreaterThan":{"aws:CurrentTime":"2018-08-16T12:00:00Z"}}}}')
    decision = evaluate([PolicySource("PolicyInputList.1", "none", text)], "dynamodb:CreateBackup", "*",
                        {"aws:CurrentTime": ["2019-04-25T11:00:00Z"]})
    assert (decision.matched[0].start, decision.matched[0].end) == ((1, 38), (1, 167))


def test_positions_of_statements_on_several_lines():
    text = '{\n  "Version": "2012-10-17",\n  "Statement": [\n    {"Effect": "Deny", "Action": "s3:*", "Resource": "*"},\n' \
           '    {\n      "Effect": "Allow",\n      "Action": "codepipeline:*",\n      "Resource": "*"\n    }\n  ]\n}'
    decision = evaluate([PolicySource("p", "user", text)], "codepipeline:GetPipeline", PIPELINE)
    assert (decision.matched[0].start, decision.matched[0].end) == ((5, 6), (9, 6))


def test_unknown_operator_names_policy_statement_and_operator():
    source = policy(allow("s3:*"), allow("s3:*", Condition={"StringEqualz": {"aws:username": "ann"}}), source_id="team-policy")
    with pytest.raises(PolicyError, match=r"team-policy.*Statement\[1\].*StringEqualz"):
        evaluate([source], "s3:GetObject", "*")


def test_broken_json_names_the_policy():
    with pytest.raises(PolicyError, match="policy broken: not valid JSON"):
        evaluate([PolicySource("broken", "user", '{"Statement": [')], "s3:GetObject", "*")


@pytest.mark.parametrize("statement, kind, problem", [
    (allow("s3:*", Principal="*"), "identity", "should not specify a principal"),
    (allow("s3:*"), "resource", "Missing required field Principal"),
    (allow("s3:*", Condition={"StringEqualz": {"a:b": "c"}}), "identity", "unknown condition operator 'StringEqualz'"),
    ({"Effect": "Allow", "Action": "s3:*"}, "identity", "must contain resources"),
    ({"Effect": "Permit", "Action": "s3:*", "Resource": "*"}, "identity", "Effect must be Allow or Deny"),
    (allow("GetObject"), "identity", "must be prefaced by a service"),
])
def test_validate_document_names_the_problem(statement, kind, problem):
    problems = validate_document(json.dumps({"Version": "2012-10-17", "Statement": [statement]}), kind)
    assert any(problem in p and p.startswith("Statement[0]") for p in problems), problems


def test_validate_document_accepts_a_good_policy():
    assert validate_document(json.dumps({"Version": "2012-10-17", "Statement": [PASS_ROLE, SAME_ACCOUNT_S3]})) == []


def test_request_context_feeds_variables_and_conditions():
    from datetime import datetime, timezone
    from codepipeline_lab.simulator.identity.policy import request_context
    context = request_context(f"arn:aws:iam::{ACCOUNT}:user/ann", ACCOUNT, "User", "AIDAEXAMPLE", resource_account=ACCOUNT,
                              user_name="ann", now=datetime(2026, 1, 2, 3, 4, 5, tzinfo=timezone.utc),
                              extra={"iam:PassedToService": "codebuild.amazonaws.com"})
    assert context["aws:CurrentTime"] == ["2026-01-02T03:04:05Z"]
    home = policy(allow("s3:*", "arn:aws:s3:::home/${aws:username}/*"), SAME_ACCOUNT_S3, PASS_ROLE)
    assert evaluate([home], "s3:GetObject", "arn:aws:s3:::home/ann/x", context).allowed
    assert evaluate([home], "s3:GetObject", "arn:aws:s3:::artifacts/a.zip", context).allowed
    assert evaluate([home], "iam:PassRole", ROLE, context).missing_context == []
