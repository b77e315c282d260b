"""CloudFormation StackSet and StackInstances actions: stacks really made in every target
account and Region, execution roles and failure tolerance, service-managed sets through
Organizations, and configurations the actions refuse."""

import json

import pytest
from actions_kit import commit, details, latest_execution, pipeline
from botocore.exceptions import ClientError
from builders import action

ADMIN = "123456789012"
TARGETS = ("222222222222", "333333333333")
TEMPLATE = json.dumps({
    "Parameters": {"Env": {"Type": "String", "Default": "dev"}},
    "Resources": {"Bucket": {"Type": "AWS::S3::Bucket",
                             "Properties": {"BucketName": {"Fn::Sub": "app-${Env}-${AWS::AccountId}-${AWS::Region}"}}}},
})
ALLOW_ALL = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}


def trust(principal):
    return json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": principal, "Action": "sts:AssumeRole"}]})


def self_managed_roles(lab, targets=TARGETS):
    """AWS's two roles: the administration role in the admin account, an execution role in each target."""
    iam = lab.client("iam")
    iam.create_role(RoleName="AWSCloudFormationStackSetAdministrationRole",
                    AssumeRolePolicyDocument=trust({"Service": "cloudformation.amazonaws.com"}))
    iam.put_role_policy(RoleName="AWSCloudFormationStackSetAdministrationRole", PolicyName="AssumeExecution",
                        PolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": [{
                            "Effect": "Allow", "Action": "sts:AssumeRole",
                            "Resource": "arn:aws:iam::*:role/AWSCloudFormationStackSetExecutionRole"}]}))
    for account in targets:
        target = lab.client("iam", account_id=account)
        target.create_role(RoleName="AWSCloudFormationStackSetExecutionRole",
                           AssumeRolePolicyDocument=trust({"AWS": f"arn:aws:iam::{ADMIN}:root"}))
        target.put_role_policy(RoleName="AWSCloudFormationStackSetExecutionRole", PolicyName="Admin",
                               PolicyDocument=json.dumps(ALLOW_ALL))


def stack_set_stage(**configuration):
    config = {"StackSetName": "app-baseline", "TemplatePath": "SourceOutput::template.json", **configuration}
    return {"name": "StackSet", "actions": [action("StackSet", "Deploy", "CloudFormationStackSet", inputs=["SourceOutput"],
                                                    configuration=config, namespace="SS")]}


def instances_stage(**configuration):
    return {"name": "Instances", "actions": [action("Instances", "Deploy", "CloudFormationStackInstances",
                                                     configuration={"StackSetName": "app-baseline", **configuration})]}


def run_pipeline(lab, role, *stages, files=None):
    commit(lab, files or {"template.json": TEMPLATE})
    lab.client("codepipeline").create_pipeline(pipeline=pipeline(role, *stages))
    lab.run()
    return details(lab)


def buckets(lab, account):
    return sorted(b["Name"] for b in lab.client("s3", account_id=account).list_buckets()["Buckets"])


def stack_names(lab, account, region):
    return [s["StackName"] for s in lab.client("cloudformation", account_id=account, region_name=region).describe_stacks()["Stacks"]]


def instances(lab):
    return {(i["Account"], i["Region"]): i for i in lab.client("cloudformation").list_stack_instances(StackSetName="app-baseline")["Summaries"]}


def test_stack_set_in_two_accounts_and_two_regions_then_a_region_added(lab, role):
    self_managed_roles(lab)
    found = run_pipeline(lab, role,
                         stack_set_stage(DeploymentTargets=",".join(TARGETS), Regions="us-east-1,us-west-2",
                                         Parameters="ParameterKey=Env,ParameterValue=prod", MaxConcurrentPercentage="100"),
                         instances_stage(DeploymentTargets=",".join(TARGETS), Regions="eu-west-1"))
    assert latest_execution(lab)["status"] == "Succeeded"
    stack_set = found["StackSet"]
    assert stack_set["status"] == "Succeeded"
    variables = stack_set["output"]["outputVariables"]
    assert variables["StackSetId"].startswith("app-baseline:")
    cloudformation = lab.client("cloudformation")
    operation = cloudformation.describe_stack_set_operation(StackSetName="app-baseline", OperationId=variables["OperationId"])
    assert operation["StackSetOperation"]["Status"] == "SUCCEEDED"
    assert operation["StackSetOperation"]["EndTimestamp"] > operation["StackSetOperation"]["CreationTimestamp"]
    results = cloudformation.list_stack_set_operation_results(StackSetName="app-baseline", OperationId=variables["OperationId"])
    assert sorted((r["Account"], r["Region"], r["Status"]) for r in results["Summaries"]) == [
        (a, r, "SUCCEEDED") for a in TARGETS for r in ("us-east-1", "us-west-2")]
    for account in TARGETS:
        assert buckets(lab, account) == sorted(f"app-prod-{account}-{r}" for r in ("eu-west-1", "us-east-1", "us-west-2"))
        for region in ("us-east-1", "us-west-2", "eu-west-1"):
            [name] = stack_names(lab, account, region)
            assert name.startswith("StackSet-app-baseline-")
    assert buckets(lab, ADMIN) == ["demo-artifacts"]           # nothing in the administrator's own account
    summaries = instances(lab)
    assert len(summaries) == 6
    assert {i["Status"] for i in summaries.values()} == {"CURRENT"}
    assert found["Instances"]["status"] == "Succeeded"
    assert found["Instances"]["output"]["outputVariables"]["OperationId"] != variables["OperationId"]


def test_operation_runs_on_virtual_time(lab, role):
    self_managed_roles(lab)
    commit(lab, {"template.json": TEMPLATE})
    lab.client("codepipeline").create_pipeline(pipeline=pipeline(role, stack_set_stage(DeploymentTargets=",".join(TARGETS),
                                                                                       Regions="us-east-1,us-west-2")))
    started = lab.now
    lab.run()
    # one account at a time by default: 4 instances, 30 virtual seconds each
    operations = lab.client("cloudformation").list_stack_set_operations(StackSetName="app-baseline")["Summaries"]
    assert [o["Action"] for o in operations] == ["CREATE"]
    assert (operations[0]["EndTimestamp"] - operations[0]["CreationTimestamp"]).total_seconds() == 120
    assert (lab.now - started).total_seconds() >= 120


@pytest.mark.parametrize("tolerance, outcome", [("0", "Failed"), ("50", "Succeeded")])
def test_missing_execution_role_and_failure_tolerance(lab, role, tolerance, outcome):
    self_managed_roles(lab, targets=TARGETS[:1])                 # 333333333333 has no execution role
    found = run_pipeline(lab, role, stack_set_stage(DeploymentTargets=",".join(TARGETS), Regions="us-east-1",
                                                    FailureTolerancePercentage=tolerance, MaxConcurrentPercentage="100"))
    detail = found["StackSet"]
    assert detail["status"] == outcome
    reason = ("Account 333333333333 should have 'AWSCloudFormationStackSetExecutionRole' role with trust relationship "
              "to Role 'AWSCloudFormationStackSetAdministrationRole'.")
    failed = instances(lab)[("333333333333", "us-east-1")]
    assert failed["Status"] == "OUTDATED"
    assert failed["StackInstanceStatus"]["DetailedStatus"] == "FAILED"
    assert failed["StatusReason"] == reason
    assert instances(lab)[("222222222222", "us-east-1")]["Status"] == "CURRENT"
    assert buckets(lab, "222222222222") == ["app-dev-222222222222-us-east-1"]
    assert buckets(lab, "333333333333") == []
    if outcome == "Failed":
        message = detail["output"]["executionResult"]["externalExecutionSummary"]
        assert "Account 333333333333 Region us-east-1" in message and reason in message


def test_failure_in_first_region_cancels_the_next(lab, role):
    self_managed_roles(lab, targets=TARGETS[:1])
    found = run_pipeline(lab, role, stack_set_stage(DeploymentTargets="333333333333", Regions="us-east-1,us-west-2"))
    assert found["StackSet"]["status"] == "Failed"
    later = instances(lab)[("333333333333", "us-west-2")]
    assert later["StackInstanceStatus"]["DetailedStatus"] == "CANCELLED"
    assert later["StatusReason"] == "Cancelled since failure tolerance has exceeded"


def organization(lab, trusted=True):
    """An organization of the Lab's account, with an OU holding one new member account."""
    orgs = lab.client("organizations")
    orgs.create_organization(FeatureSet="ALL")
    if trusted:
        orgs.enable_aws_service_access(ServicePrincipal="member.org.stacksets.cloudformation.amazonaws.com")
    root = orgs.list_roots()["Roots"][0]["Id"]
    unit = orgs.create_organizational_unit(ParentId=root, Name="workloads")["OrganizationalUnit"]["Id"]
    status = orgs.create_account(Email="member@example.com", AccountName="member")["CreateAccountStatus"]
    member = status["AccountId"]
    orgs.move_account(AccountId=member, SourceParentId=root, DestinationParentId=unit)
    orgs.create_account(Email="other@example.com", AccountName="other")      # stays under the root
    return unit, member


def test_service_managed_stack_set_reaches_the_accounts_of_an_ou(lab, role):
    unit, member = organization(lab)
    found = run_pipeline(lab, role, stack_set_stage(PermissionModel="SERVICE_MANAGED", DeploymentTargets=unit,
                                                    Regions="us-east-1", OrganizationsAutoDeployment="Disabled"))
    assert found["StackSet"]["status"] == "Succeeded"
    summaries = instances(lab)
    assert list(summaries) == [(member, "us-east-1")]
    assert summaries[(member, "us-east-1")]["OrganizationalUnitId"] == unit
    assert buckets(lab, member) == [f"app-dev-{member}-us-east-1"]
    assert stack_names(lab, member, "us-east-1")[0].startswith("StackSet-app-baseline-")
    stack_set = lab.client("cloudformation").describe_stack_set(StackSetName="app-baseline")["StackSet"]
    assert stack_set["PermissionModel"] == "SERVICE_MANAGED"


def test_service_managed_needs_trusted_access(lab, role):
    unit, _ = organization(lab, trusted=False)
    found = run_pipeline(lab, role, stack_set_stage(PermissionModel="SERVICE_MANAGED", DeploymentTargets=unit, Regions="us-east-1"))
    assert found["StackSet"]["status"] == "Failed"
    assert "You must enable organizations access" in found["StackSet"]["output"]["executionResult"]["externalExecutionSummary"]


def test_service_managed_only_from_the_management_account(lab):
    with pytest.raises(ClientError) as refused:
        lab.client("cloudformation").create_stack_set(StackSetName="org-wide", TemplateBody=TEMPLATE, PermissionModel="SERVICE_MANAGED")
    assert refused.value.response["Error"]["Code"] == "ValidationError"
    assert "management account" in refused.value.response["Error"]["Message"]


def test_stack_set_name_is_required(lab, role):
    declared = pipeline(role, stack_set_stage())
    del declared["stages"][1]["actions"][0]["configuration"]["StackSetName"]
    with pytest.raises(ClientError) as refused:
        lab.client("codepipeline").create_pipeline(pipeline=declared)
    assert "StackSetName" in refused.value.response["Error"]["Message"]


@pytest.mark.parametrize("configuration, words", [
    ({"Parameters": "Env=prod"}, "is not of the form ParameterKey=Name,ParameterValue=Value"),
    ({"Parameters": "[{\"ParameterKey\": \"Env\""}, "Parameters is not valid JSON"),
    ({"TemplatePath": "SourceOutput::missing.json"}, "the file missing.json was not found in the input artifact SourceOutput"),
    ({"DeploymentTargets": "222222222222"}, "DeploymentTargets needs Regions"),
])
def test_bad_configuration(lab, role, configuration, words):
    self_managed_roles(lab)
    detail = run_pipeline(lab, role, stack_set_stage(**configuration))["StackSet"]
    assert detail["status"] == "Failed"
    assert words in detail["output"]["executionResult"]["externalExecutionSummary"]
    with pytest.raises(ClientError):
        lab.client("cloudformation").describe_stack_set(StackSetName="app-baseline")


def test_stack_instances_needs_an_existing_stack_set(lab, role):
    detail = run_pipeline(lab, role, instances_stage(DeploymentTargets="222222222222", Regions="us-east-1"))["Instances"]
    assert detail["status"] == "Failed"
    assert "StackSetNotFoundException" in detail["output"]["executionResult"]["externalExecutionSummary"]


def test_update_leaves_untargeted_instances_outdated(lab, role):
    self_managed_roles(lab)
    cloudformation = lab.client("cloudformation")
    cloudformation.create_stack_set(StackSetName="app-baseline", TemplateBody=TEMPLATE)
    cloudformation.create_stack_instances(StackSetName="app-baseline", Accounts=list(TARGETS), Regions=["us-east-1"])
    lab.run()
    operation = cloudformation.update_stack_set(StackSetName="app-baseline", TemplateBody=TEMPLATE,
                                                Parameters=[{"ParameterKey": "Env", "ParameterValue": "test"}],
                                                Accounts=["222222222222"], Regions=["us-east-1"])["OperationId"]
    with pytest.raises(ClientError) as busy:
        cloudformation.create_stack_instances(StackSetName="app-baseline", Accounts=["222222222222"], Regions=["us-west-2"])
    assert busy.value.response["Error"]["Code"] == "OperationInProgressException"
    lab.run()
    assert cloudformation.describe_stack_set_operation(StackSetName="app-baseline", OperationId=operation)["StackSetOperation"]["Status"] == "SUCCEEDED"
    summaries = instances(lab)
    assert summaries[("222222222222", "us-east-1")]["Status"] == "CURRENT"
    assert summaries[("333333333333", "us-east-1")]["Status"] == "OUTDATED"
    with pytest.raises(ClientError) as not_empty:
        cloudformation.delete_stack_set(StackSetName="app-baseline")
    assert not_empty.value.response["Error"]["Code"] == "StackSetNotEmptyException"
