"""Source/AWS/S3: one object of a versioned bucket; its version is the revision."""

from __future__ import annotations

from datetime import timedelta

from botocore.exceptions import ClientError

from codepipeline_lab.simulator.actions.base import Provider, register
from codepipeline_lab.simulator.identity.failures import s3_denied
from codepipeline_lab.simulator.identity.sessions import AssumeRoleError


@register
class S3Source(Provider):
    category = "Source"
    provider = "S3"
    duration = timedelta(seconds=3)

    def source_revision(self, context) -> dict | None:
        config = context.action.get("configuration", {})
        # CodePipeline reads the object's version as the pipeline's role
        try:
            credentials = context.engine.pipeline_session(context.execution).credentials
        except AssumeRoleError:
            return None
        s3 = context.lab.client("s3", region_name=context.region, credentials=credentials)
        arguments = {"Bucket": config.get("S3Bucket"), "Key": config.get("S3ObjectKey")}
        if context.override and context.override.get("revisionType") == "S3_OBJECT_VERSION_ID":
            arguments["VersionId"] = context.override["revisionValue"]
        try:
            head = s3.head_object(**arguments)
        except ClientError:
            return None
        version = head.get("VersionId")
        if not version or version == "null":
            return {"unversioned": True}
        return {"revisionId": version, "revisionChangeIdentifier": head["ETag"].strip('"'),
                "revisionSummary": f"Amazon S3 version id: {version}",
                # moto stamps LastModified with the real clock; the revision is dated by the virtual one
                "created": context.engine.scheduler.now,
                "etag": head["ETag"].strip('"')}

    def denied_message(self, job, denial) -> str:
        return s3_denied(job.configuration["S3Bucket"], denial)

    def run(self, job) -> None:
        bucket, key = job.configuration["S3Bucket"], job.configuration["S3ObjectKey"]
        revision = job.execution.source_revisions.get(job.action["name"])
        if revision is None:
            job.fail(f"The object s3://{bucket}/{key} does not exist, or the pipeline role cannot read it.", "JobFailed")
            return
        if revision.get("unversioned"):
            job.execution.source_revisions.pop(job.action["name"], None)
            job.fail(f"The S3 source bucket {bucket} is not versioned. An S3 source action needs a bucket with versioning enabled.", "ConfigurationError")
            return
        body = job.client("s3").get_object(Bucket=bucket, Key=key, VersionId=revision["revisionId"])["Body"].read()
        job.write_output(job.output_names[0], body)
        etag = revision.pop("etag")
        job.succeed(summary=revision["revisionSummary"], external_execution_id=revision["revisionId"],
                    output_variables={"ETag": etag, "VersionId": revision["revisionId"]})
