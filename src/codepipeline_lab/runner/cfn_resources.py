"""Resource types the simulator's CloudFormation does not create (moto has no model for them),
created by the runner through the service's own API instead, each with a printed line.

Each kind says which property names the resource, whether it can be created before the stack
(it needs nothing the stack makes) and how its Ref and attributes read."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Callable

from codepipeline_lab.runner.cfn_pipeline import camel


@dataclass
class Made:
    ref: str
    attributes: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Kind:
    name_property: str | None
    before_stack: bool
    create: Callable | None            # (lab, properties, name) -> Made; None: the run creates it (pipelines)
    attributes: Callable[[str, str, str], dict] = lambda name, region, account: {}
    used_properties: tuple[str, ...] | None = None   # properties read before the stack (others are ignored)


def _repository(lab, properties: dict, name: str) -> Made:
    arguments = {"repositoryName": name}
    if properties.get("RepositoryDescription"):
        arguments["repositoryDescription"] = properties["RepositoryDescription"]
    made = lab.client("codecommit").create_repository(**arguments)["repositoryMetadata"]
    return Made(made["repositoryId"], {"Arn": made["Arn"], "Name": name, "CloneUrlHttp": made.get("cloneUrlHttp", ""),
                                       "CloneUrlSsh": made.get("cloneUrlSsh", "")})


def _connection(service: str):
    def create(lab, properties: dict, name: str) -> Made:
        arguments = {"ConnectionName": name}
        for key in ("ProviderType", "HostArn"):
            if properties.get(key):
                arguments[key] = properties[key]
        arn = lab.client(service).create_connection(**arguments)["ConnectionArn"]
        return Made(arn, {"ConnectionArn": arn, "ConnectionStatus": "PENDING", "OwnerAccountId": lab.account_id})
    return create


def _custom_action_type(lab, properties: dict, name: str) -> Made:
    arguments = camel({k: v for k, v in properties.items() if k != "Tags"})
    for details in ("inputArtifactDetails", "outputArtifactDetails"):
        arguments[details] = {k: int(v) for k, v in (arguments.get(details) or {}).items()}
    for prop in arguments.get("configurationProperties") or []:
        for flag in ("key", "required", "secret", "queryable"):
            if isinstance(prop.get(flag), str):
                prop[flag] = prop[flag].lower() == "true"
    arguments["version"] = str(arguments.get("version"))
    lab.client("codepipeline").create_custom_action_type(**arguments)
    return Made(f"{arguments['category']}|{arguments['provider']}|{arguments['version']}")


def _codebuild_project(lab, properties: dict, name: str) -> Made:
    body = {k: v for k, v in properties.items() if k not in ("Triggers", "Visibility", "ResourceAccessRole", "Name")}
    arguments = camel(body)
    arguments["name"] = name
    source = arguments.get("source") or {}
    if "buildSpec" in source:
        source["buildspec"] = source.pop("buildSpec")
    for variable in ((arguments.get("environment") or {}).get("environmentVariables") or []):
        variable["value"] = str(variable.get("value", ""))
    project = lab.client("codebuild").create_project(**arguments)["project"]
    return Made(name, {"Arn": project["arn"]})


def _codedeploy_application(lab, properties: dict, name: str) -> Made:
    arguments = {"applicationName": name}
    if properties.get("ComputePlatform"):
        arguments["computePlatform"] = properties["ComputePlatform"]
    lab.client("codedeploy").create_application(**arguments)
    return Made(name)


def _deployment_group(lab, properties: dict, name: str) -> Made:
    arguments = {"applicationName": properties.get("ApplicationName"), "deploymentGroupName": name,
                 "serviceRoleArn": properties.get("ServiceRoleArn")}
    for source, target in (("DeploymentConfigName", "deploymentConfigName"), ("Ec2TagFilters", "ec2TagFilters"),
                           ("OnPremisesInstanceTagFilters", "onPremisesInstanceTagFilters"),
                           ("AutoScalingGroups", "autoScalingGroups")):
        if properties.get(source):
            arguments[target] = properties[source]
    for source, target in (("DeploymentStyle", "deploymentStyle"), ("ECSServices", "ecsServices"),
                           ("BlueGreenDeploymentConfiguration", "blueGreenDeploymentConfiguration"),
                           ("LoadBalancerInfo", "loadBalancerInfo")):
        if properties.get(source):
            arguments[target] = camel(properties[source])
    lab.client("codedeploy").create_deployment_group(**arguments)
    return Made(name)


def _bucket_policy(lab, properties: dict, name: str) -> Made:
    lab.client("s3").put_bucket_policy(Bucket=properties["Bucket"], Policy=json.dumps(properties["PolicyDocument"]))
    return Made(name)


def _topic_policy(lab, properties: dict, name: str) -> Made:
    sns = lab.client("sns")
    for topic in properties.get("Topics") or []:
        sns.set_topic_attributes(TopicArn=topic, AttributeName="Policy", AttributeValue=json.dumps(properties["PolicyDocument"]))
    return Made(name)


KINDS: dict[str, Kind] = {
    "AWS::CodeCommit::Repository": Kind("RepositoryName", True, _repository,
                                        used_properties=("RepositoryName", "RepositoryDescription")),
    "AWS::CodeStarConnections::Connection": Kind("ConnectionName", True, _connection("codestar-connections"),
                                                 used_properties=("ConnectionName", "ProviderType", "HostArn")),
    "AWS::CodeConnections::Connection": Kind("ConnectionName", True, _connection("codeconnections"),
                                             used_properties=("ConnectionName", "ProviderType", "HostArn")),
    "AWS::CodePipeline::CustomActionType": Kind(None, True, _custom_action_type),
    "AWS::CodeDeploy::Application": Kind("ApplicationName", True, _codedeploy_application,
                                         used_properties=("ApplicationName", "ComputePlatform")),
    "AWS::CodeBuild::Project": Kind("Name", False, _codebuild_project,
                                    lambda n, r, a: {"Arn": f"arn:aws:codebuild:{r}:{a}:project/{n}"}),
    "AWS::CodeDeploy::DeploymentGroup": Kind("DeploymentGroupName", False, _deployment_group),
    "AWS::S3::BucketPolicy": Kind(None, False, _bucket_policy),
    "AWS::SNS::TopicPolicy": Kind(None, False, _topic_policy),
    "AWS::CodePipeline::Pipeline": Kind("Name", False, None, lambda n, r, a: {"Version": "1"}),
}
