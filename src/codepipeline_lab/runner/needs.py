"""What the pipeline needs and the file does not declare: its service role, artifact buckets,
source repositories and buckets, build projects referenced by name, S3 deploy buckets, CodeDeploy
applications and deployment groups,
approval topics. Each is
created with a printed line; with ``--strict`` each is reported instead (exit 2)."""

from __future__ import annotations

import json
import re

from botocore.exceptions import ClientError

from codepipeline_lab.runner.folders import source_actions
from codepipeline_lab.setup_helpers import CODEPIPELINE_TRUST_POLICY
from codepipeline_lab.simulator.identity.default_policies import BY_SERVICE

BUILD_ROLE = "codepipeline-lab-run-codebuild-role"
DEPLOY_ROLE = "codepipeline-lab-run-codedeploy-role"
_ROLE_ARN = re.compile(r"^arn:aws[a-z-]*:iam::(\d{12}):role/(.*/)?([^/]+)$")


class Needs:
    def __init__(self, lab, declaration: dict, strict: bool, say) -> None:
        self.lab, self.declaration, self.strict, self.say = lab, declaration, strict, say
        self.missing: list[str] = []

    def _lack(self, place: str, what: str, create) -> None:
        if self.strict:
            self.missing.append(f"{place}: {what} does not exist (--strict: the runner creates nothing)")
            return
        self.say(f"created {what}: the pipeline needs it and the file does not declare it")
        create()

    def check(self) -> list[str]:
        self._role()
        self._artifact_stores()
        for place, action in source_actions(self.declaration):
            self._source(place, action)
        for place, action in self._actions():
            kind = action.get("actionTypeId") or {}
            config = action.get("configuration") or {}
            if kind.get("provider") == "CodeBuild" and config.get("ProjectName"):
                self._project(place, config["ProjectName"], action.get("region"))
            if (kind.get("category"), kind.get("provider")) == ("Deploy", "S3") and config.get("BucketName"):
                self._bucket(f"{place}.configuration.BucketName", config["BucketName"], action.get("region") or self.lab.region,
                             False, "deploy target")
            if (kind.get("category"), kind.get("provider")) == ("Deploy", "CodeDeploy") and config.get("ApplicationName"):
                self._codedeploy(place, config["ApplicationName"], config.get("DeploymentGroupName"),
                                 action.get("region") or self.lab.region)
            if kind.get("category") == "Approval" and config.get("NotificationArn"):
                self._topic(place, config["NotificationArn"])
        return self.missing

    def _actions(self):
        for s, stage in enumerate(self.declaration.get("stages") or []):
            for a, action in enumerate((stage or {}).get("actions") or []):
                yield f"pipeline.stages[{s}].actions[{a}]", action

    # -- the role ------------------------------------------------------------------------
    def _role(self) -> None:
        arn = self.declaration.get("roleArn") or ""
        match = _ROLE_ARN.match(arn)
        if not match or match.group(1) != self.lab.account_id:
            return                         # validation reports it
        path, name = "/" + (match.group(2) or ""), match.group(3)
        iam = self.lab.client("iam")
        try:
            iam.get_role(RoleName=name)
            return
        except ClientError:
            pass

        def create():
            iam.create_role(RoleName=name, Path=path, AssumeRolePolicyDocument=json.dumps(CODEPIPELINE_TRUST_POLICY))
            iam.put_role_policy(RoleName=name, PolicyName=f"{name}Policy",
                                PolicyDocument=json.dumps(BY_SERVICE["codepipeline.amazonaws.com"]))
        self._lack("pipeline.roleArn", f"IAM role {name} (trusting codepipeline.amazonaws.com, with AWS's documented "
                                       f"CodePipeline service-role policy)", create)

    # -- buckets ---------------------------------------------------------------------------
    def _bucket_exists(self, name: str, region: str) -> bool:
        try:
            self.lab.client("s3", region_name=region).head_bucket(Bucket=name)
            return True
        except ClientError:
            return False

    def _bucket(self, place: str, name: str, region: str, versioned: bool, purpose: str) -> None:
        if not name or self._bucket_exists(name, region):
            return

        def create():
            s3 = self.lab.client("s3", region_name=region)
            if region == "us-east-1":
                s3.create_bucket(Bucket=name)
            else:
                s3.create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": region})
            if versioned:
                s3.put_bucket_versioning(Bucket=name, VersioningConfiguration={"Status": "Enabled"})
        self._lack(place, f"S3 bucket {name} in {region} ({purpose}{', versioned' if versioned else ''})", create)

    def _artifact_stores(self) -> None:
        store = self.declaration.get("artifactStore")
        if isinstance(store, dict):
            self._bucket("pipeline.artifactStore.location", store.get("location"), self.lab.region, False, "artifact store")
        for region, store in (self.declaration.get("artifactStores") or {}).items():
            if isinstance(store, dict):
                self._bucket(f"pipeline.artifactStores.{region}.location", store.get("location"), region, False,
                             "artifact store")

    # -- sources -------------------------------------------------------------------------
    def _source(self, place: str, action: dict) -> None:
        provider = (action.get("actionTypeId") or {}).get("provider")
        config = action.get("configuration") or {}
        if provider == "CodeCommit" and config.get("RepositoryName"):
            codecommit = self.lab.client("codecommit")
            try:
                codecommit.get_repository(repositoryName=config["RepositoryName"])
            except ClientError:
                self._lack(f"{place}.configuration.RepositoryName", f"CodeCommit repository {config['RepositoryName']}",
                           lambda: codecommit.create_repository(repositoryName=config["RepositoryName"]))
        elif provider == "S3" and config.get("S3Bucket"):
            self._bucket(f"{place}.configuration.S3Bucket", config["S3Bucket"], self.lab.region, True, "source")
        elif provider == "ECR" and config.get("RepositoryName"):
            ecr = self.lab.client("ecr")
            try:
                ecr.describe_repositories(repositoryNames=[config["RepositoryName"]])
            except ClientError:
                self._lack(f"{place}.configuration.RepositoryName", f"ECR repository {config['RepositoryName']}",
                           lambda: ecr.create_repository(repositoryName=config["RepositoryName"]))
        elif provider == "CodeStarSourceConnection" and config.get("ConnectionArn"):
            self._connection(place, action, config)

    def _connection(self, place: str, action: dict, config: dict) -> None:
        arn = config["ConnectionArn"]
        service = "codeconnections" if ":codeconnections:" in arn else "codestar-connections"
        client = self.lab.client(service)
        try:
            client.get_connection(ConnectionArn=arn)
            return
        except ClientError:
            pass
        if self.strict:
            self.missing.append(f"{place}.configuration.ConnectionArn: connection {arn} does not exist "
                                f"(--strict: the runner creates nothing)")
            return
        provider = "GitHub"
        made = client.create_connection(ConnectionName=f"run-{action.get('name')}"[:32], ProviderType=provider)["ConnectionArn"]
        config["ConnectionArn"] = made
        self.say(f"created {provider} connection {made} and used it for action {action.get('name')} "
                 f"in place of {arn} (a connection ARN cannot be chosen)")

    # -- build projects and topics ----------------------------------------------------------
    def _project(self, place: str, name: str, region: str | None) -> None:
        codebuild = self.lab.client("codebuild", region_name=region)
        if codebuild.batch_get_projects(names=[name])["projects"]:
            return

        def create():
            codebuild.create_project(name=name, source={"type": "CODEPIPELINE"}, artifacts={"type": "CODEPIPELINE"},
                                     environment={"type": "LINUX_CONTAINER", "image": "aws/codebuild/standard:7.0",
                                                  "computeType": "BUILD_GENERAL1_SMALL"},
                                     serviceRole=self._build_role())
        self._lack(f"{place}.configuration.ProjectName", f"CodeBuild project {name} (buildspec.yml from the source, "
                                                          f"role {BUILD_ROLE})", create)

    def _build_role(self) -> str:
        return self._service_role(BUILD_ROLE, "codebuild.amazonaws.com")

    def _codedeploy(self, place: str, application: str, group: str | None, region: str) -> None:
        codedeploy = self.lab.client("codedeploy", region_name=region)
        try:
            codedeploy.get_application(applicationName=application)
        except ClientError:
            self._lack(f"{place}.configuration.ApplicationName", f"CodeDeploy application {application} in {region}",
                       lambda: codedeploy.create_application(applicationName=application, computePlatform="Server"))
            if self.strict:
                return
        if not group:
            return
        try:
            codedeploy.get_deployment_group(applicationName=application, deploymentGroupName=group)
        except ClientError:
            self._lack(f"{place}.configuration.DeploymentGroupName",
                       f"CodeDeploy deployment group {group} of {application} in {region} (no instances: the simulator runs none)",
                       lambda: codedeploy.create_deployment_group(applicationName=application, deploymentGroupName=group,
                                                                  serviceRoleArn=self._service_role(DEPLOY_ROLE, "codedeploy.amazonaws.com")))

    def _service_role(self, name: str, service: str) -> str:
        iam = self.lab.client("iam")
        try:
            return iam.get_role(RoleName=name)["Role"]["Arn"]
        except ClientError:
            trust = {**CODEPIPELINE_TRUST_POLICY, "Statement": [{**CODEPIPELINE_TRUST_POLICY["Statement"][0],
                                                                 "Principal": {"Service": service}}]}
            arn = iam.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(trust))["Role"]["Arn"]
            if service in BY_SERVICE:
                iam.put_role_policy(RoleName=name, PolicyName=f"{name}Policy", PolicyDocument=json.dumps(BY_SERVICE[service]))
            return arn

    def _topic(self, place: str, arn: str) -> None:
        sns = self.lab.client("sns")
        try:
            sns.get_topic_attributes(TopicArn=arn)
        except ClientError:
            self._lack(f"{place}.configuration.NotificationArn", f"SNS topic {arn.rsplit(':', 1)[-1]}",
                       lambda: sns.create_topic(Name=arn.rsplit(":", 1)[-1]))
