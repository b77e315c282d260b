"""Every structural rule of facts §A1–A5, each with a declaration that breaks it and one that keeps it."""

import pytest

from codepipeline_lab.simulator.validation import Context, problems
from builders import action, codebuild, codecommit_source, declaration

CTX = Context(region="us-east-1")


def codes(declared, context=CTX):
    return [(p.code, p.message) for p in problems(declared, context)]


def only(declared, code, fragment, context=CTX):
    found = codes(declared, context)
    assert any(c == code and fragment in m for c, m in found), found


def test_the_base_declaration_is_valid():
    assert codes(declaration()) == []


# -- fields: patterns, lengths, types (ValidationException) ------------------------------

@pytest.mark.parametrize("field, value, fragment", [
    ("name", "has space", "regular expression pattern"),
    ("name", "x" * 101, "less than or equal to 100"),
    ("name", "", "greater than or equal to 1"),
    ("roleArn", "not-an-arn", "regular expression pattern"),
    ("executionMode", "FASTEST", "enum value set"),
    ("stages", {"Source": {}}, "must be a list"),
    ("surprise", 1, "Unknown field 'surprise'"),
])
def test_field_constraints(field, value, fragment):
    only(declaration(**{field: value}), "ValidationException", fragment)


def test_configuration_values_must_be_short_strings():
    long_value = declaration()
    long_value["stages"][1]["actions"][0]["configuration"]["ProjectName"] = "p" * 1001
    only(long_value, "ValidationException", "less than or equal to 1000")
    not_string = declaration()
    not_string["stages"][0]["actions"][0]["configuration"]["PollForSourceChanges"] = False
    only(not_string, "ValidationException", "must be a string")


def test_run_order_between_1_and_999():
    for bad in (0, 1000):
        declared = declaration()
        declared["stages"][1]["actions"][0]["runOrder"] = bad
        only(declared, "ValidationException", "runOrder")
    declared = declaration()
    declared["stages"][1]["actions"][0]["runOrder"] = 999
    assert codes(declared) == []


def test_missing_required_member_is_named():
    declared = declaration()
    del declared["stages"][1]["actions"][0]["actionTypeId"]["provider"]
    only(declared, "ValidationException", "pipeline.stages[1].actions[0].actionTypeId.provider' is required")


# -- artifact stores ------------------------------------------------------------------

def test_exactly_one_of_artifact_store_and_artifact_stores():
    both = declaration(artifactStores={"us-east-1": {"type": "S3", "location": "b-east"}})
    only(both, "InvalidStructureException", "exactly one of artifactStore and artifactStores")
    neither = declaration()
    del neither["artifactStore"]
    only(neither, "InvalidStructureException", "exactly one of")


def cross_region(stores):
    declared = declaration()
    del declared["artifactStore"]
    declared["artifactStores"] = {r: {"type": "S3", "location": f"artifacts-{r}"} for r in stores}
    declared["stages"][1]["actions"][0]["region"] = "eu-west-1"
    return declared


def test_artifact_stores_cover_the_pipeline_region_and_every_action_region():
    assert codes(cross_region(["us-east-1", "eu-west-1"])) == []
    only(cross_region(["us-east-1"]), "InvalidStructureException", "no artifact store for region eu-west-1")
    only(cross_region(["eu-west-1"]), "InvalidStructureException", "no artifact store for region us-east-1")


def test_a_cross_region_action_needs_artifact_stores():
    declared = declaration()
    declared["stages"][1]["actions"][0]["region"] = "eu-west-1"
    only(declared, "InvalidStructureException", "must use artifactStores")


def test_artifact_store_regions_must_exist():
    only(cross_region(["us-east-1", "eu-west-1", "mars-north-1"]), "ValidationException", "mars-north-1 specified in 'pipeline.artifactStores' is not a valid AWS Region")


# -- stages ---------------------------------------------------------------------------

def test_two_to_fifty_stages():
    one = declaration(stages=[{"name": "Source", "actions": [codecommit_source()]}])
    only(one, "InvalidStructureException", "Pipeline has only 1 stage(s)")
    many = declaration(stages=[{"name": "Source", "actions": [codecommit_source()]}] +
                       [{"name": f"S{i}", "actions": [codebuild()]} for i in range(50)])
    only(many, "InvalidStructureException", "maximum of 50 stages")
    fifty = declaration(stages=[{"name": "Source", "actions": [codecommit_source()]}] +
                        [{"name": f"S{i}", "actions": [codebuild()]} for i in range(49)])
    assert codes(fifty) == []


def test_first_stage_holds_only_source_actions_and_at_least_one():
    mixed = declaration()
    mixed["stages"][0]["actions"].append(codebuild(inputs=()))
    only(mixed, "InvalidStructureException", "may contain only Source actions")
    no_source = declaration(stages=[{"name": "Build", "actions": [codebuild(inputs=())]}, {"name": "Test", "actions": [codebuild(inputs=())]}])
    only(no_source, "InvalidStructureException", "must contain at least one Source action")


def test_source_actions_only_in_the_first_stage():
    declared = declaration()
    declared["stages"][1]["actions"].append(codecommit_source(name="Late", output="LateOutput"))
    only(declared, "InvalidStructureException", "Source actions may appear only in the first stage")


def test_at_least_one_non_source_stage():
    declared = declaration(stages=[{"name": "Source", "actions": [codecommit_source()]},
                                   {"name": "More", "actions": [codecommit_source(name="Other", output="Other")]}])
    only(declared, "InvalidStructureException", "at least one stage with an action that is not a Source action")


def test_stage_and_action_names_unique():
    declared = declaration()
    declared["stages"].append({"name": "Build", "actions": [codebuild(name="Again")]})
    only(declared, "InvalidStageDeclarationException", "Stage name 'Build' is used more than once")
    declared = declaration()
    declared["stages"][1]["actions"].append(codebuild())
    only(declared, "InvalidStageDeclarationException", "Action name 'Build' is used more than once")
    declared = declaration()
    declared["stages"][1]["actions"].append(codebuild(name="Source"))  # same name, other stage: fine
    assert codes(declared) == []


def test_stage_needs_an_action():
    declared = declaration()
    declared["stages"].append({"name": "Empty", "actions": []})
    only(declared, "InvalidStageDeclarationException", "Stage 'Empty' has no actions")


# -- actions --------------------------------------------------------------------------

def test_unknown_action_type():
    declared = declaration()
    declared["stages"][1]["actions"][0]["actionTypeId"]["provider"] = "Jenkinz"
    only(declared, "InvalidActionDeclarationException", "Provider: 'Jenkinz'")
    declared = declaration()
    declared["stages"][1]["actions"][0]["actionTypeId"]["version"] = "2"
    only(declared, "InvalidActionDeclarationException", "is not available")


def test_artifact_counts_per_provider():
    declared = declaration()
    declared["stages"][1]["actions"][0]["inputArtifacts"] = []
    only(declared, "InvalidActionDeclarationException", "declares 0 input artifacts which is less than the minimum count (1)")
    declared = declaration()
    declared["stages"][0]["actions"][0]["outputArtifacts"].append({"name": "Second"})
    only(declared, "InvalidActionDeclarationException", "which is more than the maximum count (1)")
    approval = declaration()
    approval["stages"][1]["actions"].append(action("Approve", "Approval", "Manual", inputs=["SourceOutput"], run_order=2))
    only(approval, "InvalidActionDeclarationException", "declares 1 input artifacts which is more than the maximum count (0)")


def test_required_and_unknown_configuration_keys():
    declared = declaration()
    del declared["stages"][0]["actions"][0]["configuration"]["BranchName"]
    only(declared, "InvalidActionDeclarationException", "missing required configuration 'BranchName'")
    declared = declaration()
    declared["stages"][1]["actions"][0]["configuration"]["Project"] = "typo"
    only(declared, "InvalidActionDeclarationException", "unknown configuration 'Project'")


def test_configuration_values_of_known_keys():
    declared = declaration()
    declared["stages"][0]["actions"][0]["configuration"]["PollForSourceChanges"] = "False"
    only(declared, "InvalidActionDeclarationException", "PollForSourceChanges must be one of true, false")
    deploy = declaration()
    deploy["stages"][1]["actions"].append(action("Deploy", "Deploy", "S3", inputs=["SourceOutput"], configuration={"BucketName": "site", "Extract": "false"}))
    only(deploy, "InvalidActionDeclarationException", "ObjectKey is required when Extract is false")
    cfn = declaration()
    cfn["stages"][1]["actions"].append(action("Stack", "Deploy", "CloudFormation", inputs=["SourceOutput"],
                                              configuration={"ActionMode": "CREATE_UPDATE", "StackName": "s", "RoleArn": "arn:aws:iam::123456789012:role/cfn"}))
    assert codes(cfn) == []          # the keys an ActionMode needs are checked when the action runs
    cfn["stages"][1]["actions"][-1]["configuration"]["ActionMode"] = "CREATE_OR_UPDATE"
    only(cfn, "InvalidActionDeclarationException", "ActionMode must be one of")


def test_codebuild_with_two_inputs_needs_primary_source():
    declared = declaration()
    declared["stages"][0]["actions"].append(codecommit_source(name="Tools", output="ToolsOutput"))
    declared["stages"][1]["actions"][0]["inputArtifacts"].append({"name": "ToolsOutput"})
    only(declared, "InvalidActionDeclarationException", "PrimarySource is required")
    declared["stages"][1]["actions"][0]["configuration"]["PrimarySource"] = "SourceOutput"
    assert codes(declared) == []


def test_no_region_on_source_actions():
    declared = cross_region(["us-east-1", "eu-west-1"])
    declared["stages"][0]["actions"][0]["region"] = "eu-west-1"
    only(declared, "InvalidActionDeclarationException", "cannot set a region")


def test_commands_only_on_compute_actions():
    declared = declaration()
    declared["stages"][1]["actions"][0]["commands"] = ["make"]
    only(declared, "InvalidActionDeclarationException", "cannot contain a commands field")
    compute = declaration(pipelineType="V2")
    compute["stages"][1]["actions"] = [action("Run", "Compute", "Commands", inputs=["SourceOutput"])]
    only(compute, "InvalidActionDeclarationException", "must have a non-empty commands field")
    compute["stages"][1]["actions"][0]["commands"] = ["echo hi"]
    assert codes(compute) == []


# -- artifacts --------------------------------------------------------------------------

def test_output_artifact_names_unique_in_the_pipeline():
    declared = declaration()
    declared["stages"][1]["actions"][0]["outputArtifacts"] = [{"name": "SourceOutput"}]
    only(declared, "InvalidStructureException", "SourceOutput has been used more than once")


def test_inputs_come_from_earlier_actions():
    declared = declaration()
    declared["stages"][1]["actions"][0]["inputArtifacts"] = [{"name": "Nowhere"}]
    only(declared, "InvalidStructureException", "Input artifact 'Nowhere'")
    same_order = declaration()
    same_order["stages"][1]["actions"] = [codebuild("Compile", outputs=["Built"]), codebuild("Test", inputs=["Built"])]
    only(same_order, "InvalidStructureException", "does not run earlier")
    later = declaration()
    later["stages"][1]["actions"] = [codebuild("Compile", outputs=["Built"]), codebuild("Test", inputs=["Built"], run_order=2)]
    assert codes(later) == []


# -- namespaces and variables -------------------------------------------------------------

def test_namespaces_unique_and_not_artifact_names():
    declared = declaration()
    declared["stages"][0]["actions"][0]["namespace"] = "SourceVariables"
    declared["stages"][1]["actions"][0]["namespace"] = "SourceVariables"
    only(declared, "InvalidStructureException", "Namespace 'SourceVariables'")
    declared = declaration()
    declared["stages"][1]["actions"][0]["namespace"] = "SourceOutput"
    only(declared, "InvalidStructureException", "has the name of an artifact")


def test_variable_references_need_an_earlier_namespace():
    declared = declaration()
    declared["stages"][0]["actions"][0]["namespace"] = "SourceVariables"
    declared["stages"][1]["actions"][0]["configuration"]["EnvironmentVariables"] = '[{"name":"C","value":"#{SourceVariables.CommitId}"}]'
    assert codes(declared) == []
    declared["stages"][1]["actions"][0]["configuration"]["EnvironmentVariables"] = '[{"name":"C","value":"#{Missing.CommitId}"}]'
    only(declared, "InvalidActionDeclarationException", "no action declares the namespace 'Missing'")


def test_v2_only_fields():
    declared = declaration(executionMode="QUEUED")
    only(declared, "ValidationException", "only available for pipelines of type V2")
    declared = declaration(executionMode="QUEUED", pipelineType="V2", variables=[{"name": "Env", "defaultValue": "dev"}])
    assert codes(declared) == []


# -- the role -------------------------------------------------------------------------

def test_role_must_trust_codepipeline():
    trusting = Context("us-east-1", lambda arn: arn.endswith("/good"))
    assert codes(declaration(role="arn:aws:iam::123456789012:role/good"), trusting) == []
    only(declaration(role="arn:aws:iam::123456789012:role/bad"), "InvalidStructureException", "not authorized to perform AssumeRole", trusting)


def test_every_problem_is_reported_not_only_the_first():
    declared = declaration(name="bad name")
    declared["stages"][1]["actions"][0]["inputArtifacts"] = [{"name": "Nowhere"}]
    declared["stages"][0]["actions"][0]["configuration"] = {}
    assert len(problems(declared, CTX)) >= 4


@pytest.mark.parametrize("garbage", [None, [], "pipeline", 42, {"stages": [1, "x", None]}, {"stages": [{"actions": {"a": 1}}]},
                                     {"stages": [{"name": "S", "actions": [{"actionTypeId": "AWS"}]}]}])
def test_garbage_gives_problems_not_exceptions(garbage):
    assert problems(garbage, CTX)
