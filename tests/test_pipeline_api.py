"""create/get/update/list/delete_pipeline and tags through a plain boto3 client of the Lab."""

import json

import pytest
from botocore.exceptions import ClientError

from codepipeline_lab.setup_helpers import create_service_role
from builders import declaration


def error_of(call, **kwargs):
    with pytest.raises(ClientError) as caught:
        call(**kwargs)
    return caught.value.response["Error"]


def test_create_and_get_with_metadata(lab, role_arn):
    cp = lab.client("codepipeline")
    created = cp.create_pipeline(pipeline=declaration(role_arn))["pipeline"]
    assert created["version"] == 1
    got = cp.get_pipeline(name="demo")
    assert got["pipeline"]["stages"][1]["actions"][0]["runOrder"] == 1
    assert got["pipeline"]["executionMode"] == "SUPERSEDED" and got["pipeline"]["pipelineType"] == "V1"
    assert got["metadata"]["pipelineArn"] == "arn:aws:codepipeline:us-east-1:123456789012:demo"
    assert got["metadata"]["created"] == lab.now


def test_v2_fields_are_stored_and_returned(lab, role_arn):
    cp = lab.client("codepipeline")
    declared = declaration(role_arn, pipelineType="V2", executionMode="QUEUED", variables=[{"name": "Env", "defaultValue": "dev", "description": "target"}])
    cp.create_pipeline(pipeline=declared)
    got = cp.get_pipeline(name="demo")["pipeline"]
    assert (got["pipelineType"], got["executionMode"], got["variables"]) == ("V2", "QUEUED", declared["variables"])


def test_name_in_use(lab, role_arn):
    cp = lab.client("codepipeline")
    cp.create_pipeline(pipeline=declaration(role_arn))
    assert error_of(cp.create_pipeline, pipeline=declaration(role_arn))["Code"] == "PipelineNameInUseException"


def test_update_increments_version_and_keeps_old_versions(lab, role_arn):
    cp = lab.client("codepipeline")
    cp.create_pipeline(pipeline=declaration(role_arn))
    changed = declaration(role_arn)
    changed["stages"][1]["name"] = "Compile"
    assert cp.update_pipeline(pipeline=changed)["pipeline"]["version"] == 2
    assert cp.get_pipeline(name="demo")["pipeline"]["stages"][1]["name"] == "Compile"
    assert cp.get_pipeline(name="demo", version=1)["pipeline"]["stages"][1]["name"] == "Build"
    assert error_of(cp.get_pipeline, name="demo", version=3)["Code"] == "PipelineVersionNotFoundException"


def test_update_validates_like_create(lab, role_arn):
    cp = lab.client("codepipeline")
    cp.create_pipeline(pipeline=declaration(role_arn))
    broken = declaration(role_arn)
    broken["stages"] = broken["stages"][:1]
    error = error_of(cp.update_pipeline, pipeline=broken)
    assert error["Code"] == "InvalidStructureException" and "only 1 stage(s)" in error["Message"]
    assert cp.get_pipeline(name="demo")["pipeline"]["version"] == 1


def test_update_of_missing_pipeline(lab, role_arn):
    error = error_of(lab.client("codepipeline").update_pipeline, pipeline=declaration(role_arn, name="ghost"))
    assert error["Code"] == "PipelineNotFoundException" and "ghost" in error["Message"]


def test_list_and_delete(lab, role_arn):
    cp = lab.client("codepipeline")
    for name in ("b-pipe", "a-pipe", "c-pipe"):
        cp.create_pipeline(pipeline=declaration(role_arn, name=name))
    first = cp.list_pipelines(maxResults=2)
    assert [p["name"] for p in first["pipelines"]] == ["a-pipe", "b-pipe"]
    rest = cp.list_pipelines(maxResults=2, nextToken=first["nextToken"])
    assert [p["name"] for p in rest["pipelines"]] == ["c-pipe"] and "nextToken" not in rest
    cp.delete_pipeline(name="b-pipe")
    assert [p["name"] for p in cp.list_pipelines()["pipelines"]] == ["a-pipe", "c-pipe"]
    assert error_of(cp.get_pipeline, name="b-pipe")["Code"] == "PipelineNotFoundException"


def test_role_must_exist_and_trust_codepipeline(lab):
    cp = lab.client("codepipeline")
    missing = error_of(cp.create_pipeline, pipeline=declaration("arn:aws:iam::123456789012:role/nobody"))
    assert missing["Code"] == "InvalidStructureException" and "not authorized to perform AssumeRole" in missing["Message"]
    build_role = create_service_role(lab, "BuildRole", service="codebuild.amazonaws.com")
    assert error_of(cp.create_pipeline, pipeline=declaration(build_role))["Code"] == "InvalidStructureException"


def test_role_trusting_a_list_of_services(lab):
    policy = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
              "Principal": {"Service": ["codebuild.amazonaws.com", "codepipeline.amazonaws.com"]}}]}
    arn = lab.client("iam").create_role(RoleName="Both", AssumeRolePolicyDocument=json.dumps(policy))["Role"]["Arn"]
    assert lab.client("codepipeline").create_pipeline(pipeline=declaration(arn))["pipeline"]["name"] == "demo"


def test_errors_name_the_place(lab, role_arn):
    declared = declaration(role_arn)
    declared["stages"][1]["actions"][0]["inputArtifacts"] = [{"name": "Nowhere"}]
    error = error_of(lab.client("codepipeline").create_pipeline, pipeline=declared)
    assert error["Code"] == "InvalidStructureException"
    assert "'Nowhere'" in error["Message"] and "stage 'Build', action 'Build'" in error["Message"]


def test_tags(lab, role_arn):
    cp = lab.client("codepipeline")
    arn = cp.create_pipeline(pipeline=declaration(role_arn), tags=[{"key": "team", "value": "blue"}])
    arn = cp.get_pipeline(name="demo")["metadata"]["pipelineArn"]
    cp.tag_resource(resourceArn=arn, tags=[{"key": "env", "value": "dev"}])
    cp.untag_resource(resourceArn=arn, tagKeys=["team"])
    assert cp.list_tags_for_resource(resourceArn=arn)["tags"] == [{"key": "env", "value": "dev"}]
    assert error_of(cp.list_tags_for_resource, resourceArn=arn + "x")["Code"] == "ResourceNotFoundException"
