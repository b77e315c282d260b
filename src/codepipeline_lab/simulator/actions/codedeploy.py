"""Deploy/AWS/CodeDeploy: create a deployment of the input artifact (bundleType zip) in the
application's deployment group and report its outcome when it completes (facts §A4)."""

from __future__ import annotations

from datetime import timedelta

from codepipeline_lab.simulator.actions.base import Provider, register
from codepipeline_lab.simulator.identity.failures import role_cannot_access
from codepipeline_lab.simulator.errors import AwsError


@register
class CodeDeployAction(Provider):
    category = "Deploy"
    provider = "CodeDeploy"
    duration = timedelta(seconds=1)

    def denied_message(self, job, denial) -> str:
        return role_cannot_access(f"the AWS CodeDeploy application {job.configuration['ApplicationName']}", denial)

    def run(self, job) -> None:
        ref = job.inputs[0]
        deployment = start_deployment(job, {"revisionType": "S3", "s3Location": {
            "bucket": ref.bucket, "key": ref.key, "bundleType": "zip"}})
        if deployment is not None:
            job.run_record.pending = job.lab.scheduler.at(deployment.complete, lambda: _report(job, deployment))


def start_deployment(job, revision: dict):
    """What CodePipeline does for both CodeDeploy providers: the calls its role must be allowed
    (facts §I1), then the deployment of ``revision``; None when CodeDeploy refused it."""
    config, account = job.configuration, job.engine.account.account_id
    application = f"arn:aws:codedeploy:{job.region}:{account}:application:{config['ApplicationName']}"
    group = f"arn:aws:codedeploy:{job.region}:{account}:deploymentgroup:{config['ApplicationName']}/{config['DeploymentGroupName']}"
    for operation, resource in (("RegisterApplicationRevision", application), ("CreateDeployment", group),
                                ("GetDeploymentConfig", "*"), ("GetApplicationRevision", application)):
        job.require("codedeploy", operation, resource)
    request = {"applicationName": config["ApplicationName"], "deploymentGroupName": config["DeploymentGroupName"],
               "revision": revision}
    try:
        deployment = job.engine.account.codedeploy.create(job.region, request, creator="CodePipeline")
    except AwsError as problem:
        job.fail(f"{type(problem).__name__}: {problem}", "ConfigurationError")
        return None
    run = job.run_record
    run.external_execution_id = deployment.id
    run.external_execution_url = f"https://console.aws.amazon.com/codedeploy/home?region={job.region}#/deployments/{deployment.id}"
    return deployment


def _report(job, deployment) -> None:
    job.run_record.pending = None
    hooks = ", ".join(f"{event} ({script})" for event, script in deployment.hooks) or "none"
    if deployment.status == "Succeeded":
        job.succeed(summary=f"Deployment {deployment.id} Succeeded; lifecycle hooks: {hooks}",
                    external_execution_id=deployment.id, external_execution_url=job.run_record.external_execution_url)
    else:
        job.fail(f"Deployment {deployment.id} Failed: {deployment.error['code']}: {deployment.error['message']}", "JobFailed",
                 external_execution_id=deployment.id)
