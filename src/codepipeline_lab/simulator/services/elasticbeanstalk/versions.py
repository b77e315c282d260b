"""Elastic Beanstalk for the simulator: applications and environments stay in moto
(create_application, create_environment, describe_environments …); moto has no application
versions and no UpdateEnvironment, so CreateApplicationVersion, DescribeApplicationVersions and
UpdateEnvironment are answered here. An update sets the environment's VersionLabel in moto (so
describe_environments shows it) and keeps it ``Updating`` for DEPLOY_TIME of virtual time."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from codepipeline_lab.simulator import api
from codepipeline_lab.simulator.errors import _error

InvalidParameterValue = _error("InvalidParameterValue")
InvalidRequestException = _error("InvalidRequestException")

DEPLOY_TIME = timedelta(seconds=60)       # our choice: an environment update takes a virtual minute


@dataclass
class ApplicationVersion:
    arn: str
    application: str
    label: str
    description: str | None
    bucket: str | None
    key: str | None
    created: datetime

    def describe(self) -> dict:
        answer = {"ApplicationVersionArn": self.arn, "ApplicationName": self.application, "VersionLabel": self.label,
                  "DateCreated": self.created, "DateUpdated": self.created, "Status": "UNPROCESSED"}
        if self.description:
            answer["Description"] = self.description
        if self.bucket:
            answer["SourceBundle"] = {"S3Bucket": self.bucket, "S3Key": self.key}
        return answer


class ElasticBeanstalk:
    def __init__(self, account) -> None:
        self.account = account
        self.versions: dict[tuple[str, str, str], ApplicationVersion] = {}      # (region, application, label)

    def create_version(self, region: str, application: str, label: str, description: str | None,
                       bundle: dict | None) -> ApplicationVersion:
        if not api.beanstalk_application_exists(self.account.account_id, region, application):
            raise InvalidParameterValue(f"No Application named '{application}' found.")
        if (region, application, label) in self.versions:
            raise InvalidParameterValue(f"Application Version {label} already exists.")
        arn = f"arn:aws:elasticbeanstalk:{region}:{self.account.account_id}:applicationversion/{application}/{label}"
        bundle = bundle or {}
        version = ApplicationVersion(arn, application, label, description, bundle.get("S3Bucket"), bundle.get("S3Key"),
                                     self.account.lab.scheduler.now)
        self.versions[(region, application, label)] = version
        return version

    def list_versions(self, region: str, application: str | None, labels: list[str] | None) -> list[ApplicationVersion]:
        found = [v for (r, app, label), v in self.versions.items()
                 if r == region and application in (None, app) and (not labels or label in labels)]
        return sorted(found, key=lambda v: v.created, reverse=True)

    def update_environment(self, region: str, application: str | None, name: str, label: str | None) -> api.BeanstalkEnvironment:
        account_id, now = self.account.account_id, self.account.lab.scheduler.now
        environment = api.beanstalk_environment(account_id, region, application, name)
        if environment is None:
            raise InvalidParameterValue(f"No Environment found for EnvironmentName = '{name}'.")
        if environment.status != "Ready":
            raise InvalidRequestException(f"Environment named {name} is in an invalid state for this operation. Must be Ready.")
        if label is not None:
            if (region, environment.application, label) not in self.versions:
                raise InvalidParameterValue(f"No Application Version named '{label}' found.")
            api.set_beanstalk_environment(account_id, region, environment.application, name, now, version_label=label, status="Updating")
            self.account.lab.scheduler.after(DEPLOY_TIME, lambda: api.set_beanstalk_environment(
                account_id, region, environment.application, name, self.account.lab.scheduler.now, status="Ready"))
        return api.beanstalk_environment(account_id, region, environment.application, name)


def _environment_description(environment: api.BeanstalkEnvironment, when: datetime) -> dict:
    answer = {"EnvironmentName": environment.name, "ApplicationName": environment.application,
              "EnvironmentArn": environment.arn, "Status": environment.status, "DateUpdated": when,
              "AbortableOperationInProgress": environment.status == "Updating"}
    if environment.environment_id:
        answer["EnvironmentId"] = environment.environment_id
    if environment.version_label:
        answer["VersionLabel"] = environment.version_label
    return answer


def elasticbeanstalk_operations(account) -> dict:
    service = account.elasticbeanstalk

    def create_application_version(params, ctx):
        version = service.create_version(ctx.region, params.get("ApplicationName"), params.get("VersionLabel"),
                                         params.get("Description"), params.get("SourceBundle"))
        return {"ApplicationVersion": version.describe()}

    def describe_application_versions(params, ctx):
        versions = service.list_versions(ctx.region, params.get("ApplicationName"), params.get("VersionLabels"))
        return {"ApplicationVersions": [v.describe() for v in versions]}

    def update_environment(params, ctx):
        environment = service.update_environment(ctx.region, params.get("ApplicationName"), params.get("EnvironmentName"),
                                                 params.get("VersionLabel"))
        return _environment_description(environment, account.lab.scheduler.now)

    return {"create_application_version": create_application_version,
            "describe_application_versions": describe_application_versions,
            "update_environment": update_environment}
