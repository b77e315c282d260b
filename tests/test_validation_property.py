"""Generated declarations, well-formed or not: create_pipeline accepts them or raises one of
CodePipeline's typed errors — never anything else."""

import pytest
from botocore.exceptions import ClientError, ParamValidationError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from codepipeline_lab import Lab
from codepipeline_lab.setup_helpers import create_service_role
from codepipeline_lab.simulator.validation import Context, problems

TYPED = {"ValidationException", "InvalidStructureException", "InvalidStageDeclarationException",
         "InvalidActionDeclarationException", "PipelineNameInUseException"}

names = st.sampled_from(["Source", "Build", "Test", "Deploy", "bad name", "", "x" * 120, "SourceOutput"])
artifacts = st.lists(st.fixed_dictionaries({"name": names}), max_size=3)
type_ids = st.fixed_dictionaries({
    "category": st.sampled_from(["Source", "Build", "Test", "Deploy", "Approval", "Invoke", "Nonsense"]),
    "owner": st.sampled_from(["AWS", "ThirdParty", "Custom"]),
    "provider": st.sampled_from(["CodeCommit", "S3", "CodeBuild", "Manual", "Lambda", "CloudFormation", "Unknown"]),
    "version": st.sampled_from(["1", "2"]),
})
configs = st.dictionaries(st.sampled_from(["RepositoryName", "BranchName", "ProjectName", "BucketName", "Extract", "FunctionName", "Junk"]),
                          st.one_of(st.text(max_size=5), st.just("x" * 1001)), max_size=4)
actions = st.fixed_dictionaries(
    {"name": names, "actionTypeId": type_ids},
    optional={"runOrder": st.integers(-1, 1001), "configuration": configs, "inputArtifacts": artifacts,
              "outputArtifacts": artifacts, "region": st.sampled_from(["us-east-1", "eu-west-1"]), "namespace": names},
)
stages = st.fixed_dictionaries({"name": names, "actions": st.lists(actions, max_size=3)})
junk = st.one_of(st.none(), st.integers(), st.text(max_size=3), st.lists(st.integers(), max_size=2))
declarations = st.fixed_dictionaries(
    {"name": st.sampled_from(["demo", "bad name"]), "roleArn": st.just("arn:aws:iam::123456789012:role/CodePipelineServiceRole"),
     "stages": st.one_of(st.lists(stages, max_size=4), junk)},
    optional={"artifactStore": st.just({"type": "S3", "location": "demo-artifacts"}),
              "artifactStores": st.dictionaries(st.sampled_from(["us-east-1", "eu-west-1", "xx-nowhere-9"]),
                                                st.just({"type": "S3", "location": "bucket-x"}), max_size=2),
              "executionMode": st.sampled_from(["QUEUED", "SUPERSEDED", "PARALLEL", "WRONG"]),
              "pipelineType": st.sampled_from(["V1", "V2"]), "extra": junk},
)


@settings(max_examples=150, deadline=None)
@given(declarations | junk)
def test_validation_never_raises(declared):
    assert isinstance(problems(declared, Context()), list)


@pytest.fixture(scope="module")
def module_lab():
    with Lab() as lab:
        create_service_role(lab)
        yield lab


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(declared=declarations)
def test_create_pipeline_accepts_or_raises_a_typed_error(module_lab, declared):
    cp = module_lab.client("codepipeline")
    try:
        cp.create_pipeline(pipeline=declared)
    except ParamValidationError:
        pass  # botocore refused it on the client side, as it would against AWS
    except ClientError as error:
        assert error.response["Error"]["Code"] in TYPED, error.response["Error"]
    else:
        cp.delete_pipeline(name=declared["name"])
