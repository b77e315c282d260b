"""Deploy/AWS/ElasticBeanstalk: copy the input artifact to the region's Elastic Beanstalk bucket,
create an application version from it, update the environment to that version, and succeed
when the environment is Ready again on it (facts §A4, §J3).

Everything is done with the action's role: s3:PutObject (and s3:CreateBucket the first time),
elasticbeanstalk:DescribeEnvironments, CreateApplicationVersion and UpdateEnvironment.
"""

from __future__ import annotations

from datetime import timedelta

from botocore.exceptions import ClientError

from codepipeline_lab.simulator.actions.base import Provider, register
from codepipeline_lab.simulator.identity.failures import as_denial, role_cannot_access

POLL_EVERY = timedelta(seconds=15)     # our choice: how often the action looks at the environment
GIVE_UP_AFTER = timedelta(hours=1)     # our choice: an environment that never becomes Ready fails the action


def storage_bucket(region: str, account_id: str) -> str:
    """The bucket Elastic Beanstalk keeps application versions in (one per region and account)."""
    return f"elasticbeanstalk-{region}-{account_id}"


def version_label(job) -> str:
    """``code-pipeline-<epoch milliseconds>-<action execution id>`` (AWS's labels start with
    ``code-pipeline-<epoch ms>-``; what follows varies, so the tail here is our choice)."""
    return f"code-pipeline-{int(job.lab.scheduler.now.timestamp() * 1000)}-{job.id}"


@register
class ElasticBeanstalkDeploy(Provider):
    category = "Deploy"
    provider = "ElasticBeanstalk"
    duration = timedelta(seconds=5)

    def denied_message(self, job, denial) -> str:
        return role_cannot_access(f"the AWS Elastic Beanstalk environment {job.configuration['EnvironmentName']}", denial)

    def run(self, job) -> None:
        application, environment = job.configuration["ApplicationName"], job.configuration["EnvironmentName"]
        eb = job.client("elasticbeanstalk")
        problem = _missing(eb, application, environment)
        if problem:
            job.fail(problem, "ConfigurationError")
            return
        label = version_label(job)
        account_id = job.engine.account.account_id
        bucket, key = storage_bucket(job.region, account_id), f"{application}/{label}.zip"
        try:
            _ensure_bucket(job.client("s3"), bucket, job.region)
            job.client("s3").put_object(Bucket=bucket, Key=key, Body=job.read_input())
            eb.create_application_version(ApplicationName=application, VersionLabel=label,
                                          Description=f"Deployed by pipeline {job.pipeline_name}, action {job.action['name']}",
                                          SourceBundle={"S3Bucket": bucket, "S3Key": key})
            eb.update_environment(ApplicationName=application, EnvironmentName=environment, VersionLabel=label)
        except ClientError as failure:
            if as_denial(failure):
                raise
            error = failure.response["Error"]
            job.fail(f"Deployment failed. {error.get('Code')}: {error.get('Message')}", "JobFailed")
            return
        run = job.run_record
        run.external_execution_id = label
        run.external_execution_url = (f"https://console.aws.amazon.com/elasticbeanstalk/home?region={job.region}"
                                      f"#/environment/dashboard?applicationName={application}&environmentId={environment}")
        started = job.lab.scheduler.now
        run.pending = job.lab.scheduler.after(POLL_EVERY, lambda: _look(job, application, environment, label, started))


def _missing(eb, application: str, environment: str) -> str | None:
    """Elastic Beanstalk's own sentences for an application or environment that does not exist."""
    if application not in {a["ApplicationName"] for a in eb.describe_applications()["Applications"]}:
        return f"No Application named '{application}' found."
    found = eb.describe_environments(ApplicationName=application, EnvironmentNames=[environment])["Environments"]
    if not any(e["ApplicationName"] == application and e["EnvironmentName"] == environment for e in found):
        return f"No Environment found for EnvironmentName = '{environment}'."
    return None


def _ensure_bucket(s3, bucket: str, region: str) -> None:
    try:
        s3.head_bucket(Bucket=bucket)
        return
    except ClientError as failure:
        if as_denial(failure) or failure.response["Error"].get("Code") not in ("404", "NoSuchBucket"):
            raise
    if region == "us-east-1":
        s3.create_bucket(Bucket=bucket)
    else:
        s3.create_bucket(Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": region})


def _look(job, application: str, environment: str, label: str, started) -> None:
    """DescribeEnvironments as the action's role until the environment is Ready on the new version."""
    job.run_record.pending = None
    if job.ended:
        return
    found = job.client("elasticbeanstalk").describe_environments(ApplicationName=application, EnvironmentNames=[environment])
    current = next((e for e in found["Environments"]
                    if e["ApplicationName"] == application and e["EnvironmentName"] == environment), None)
    if current is None:
        job.fail(f"No Environment found for EnvironmentName = '{environment}'.", "JobFailed")
    elif current.get("Status") == "Ready" and current.get("VersionLabel") == label:
        job.succeed(summary=f"Environment {environment} of application {application} is Ready on version {label}",
                    external_execution_id=label)
    elif current.get("Status") == "Ready" or job.lab.scheduler.now - started >= GIVE_UP_AFTER:
        job.fail(f"Deployment failed. Environment {environment} is {current.get('Status')} on version "
                 f"{current.get('VersionLabel')}, not on {label}", "JobFailed")
    else:
        job.run_record.pending = job.lab.scheduler.after(POLL_EVERY, lambda: _look(job, application, environment, label, started))
