"""Deploy/AWS/S3: put the input artifact into a bucket — unzipped under a key prefix
(Extract=true) or as one object (Extract=false, ObjectKey) — with CannedACL, CacheControl and
KMSEncryptionKeyARN applied to every object written (facts §A4)."""

from __future__ import annotations

import mimetypes
from datetime import timedelta

from botocore.exceptions import ClientError

from codepipeline_lab.simulator.actions.base import Provider, register
from codepipeline_lab.simulator.identity.failures import as_denial, s3_denied

CANNED_ACLS = ("private", "public-read", "public-read-write", "aws-exec-read", "authenticated-read",
               "bucket-owner-read", "bucket-owner-full-control", "log-delivery-write")


@register
class S3Deploy(Provider):
    category = "Deploy"
    provider = "S3"
    duration = timedelta(seconds=5)

    def denied_message(self, job, denial) -> str:
        return s3_denied(job.configuration["BucketName"], denial)

    def run(self, job) -> None:
        config = job.configuration
        extract = str(config.get("Extract", "")).lower()
        if extract not in ("true", "false"):
            job.fail(f"Extract must be true or false, not {config.get('Extract')!r}", "ConfigurationError")
            return
        if extract == "false" and not config.get("ObjectKey"):
            job.fail("ObjectKey is required when Extract is false: it names the object the artifact is copied to", "ConfigurationError")
            return
        if config.get("CannedACL") and config["CannedACL"] not in CANNED_ACLS:
            job.fail(f"CannedACL {config['CannedACL']} is not one of {', '.join(CANNED_ACLS)}", "ConfigurationError")
            return
        objects = self._objects(job, extract == "true")
        s3 = job.client("s3")
        bucket = config["BucketName"]
        try:
            for key, body, content_type in objects:
                s3.put_object(Bucket=bucket, Key=key, Body=body, ContentType=content_type, **_options(config))
        except ClientError as problem:
            if as_denial(problem):
                raise
            error = problem.response["Error"]
            job.fail(f"Could not write s3://{bucket}/{key}: {error.get('Code')}: {error.get('Message')}", "JobFailed")
            return
        job.succeed(summary=f"Deployed {len(objects)} object(s) to s3://{bucket}/{(config.get('ObjectKey') or '').strip('/')}",
                    external_execution_url=f"https://s3.console.aws.amazon.com/s3/buckets/{bucket}?region={job.region}")

    def _objects(self, job, extract: bool) -> list[tuple[str, bytes, str]]:
        if not extract:
            return [(job.configuration["ObjectKey"], job.read_input(), "application/zip")]
        prefix = (job.configuration.get("ObjectKey") or "").strip("/")
        return [(f"{prefix}/{path}" if prefix else path, body, mimetypes.guess_type(path)[0] or "binary/octet-stream")
                for path, body in sorted(job.input_files().items())]


def _options(config: dict) -> dict:
    options = {}
    if config.get("CannedACL"):
        options["ACL"] = config["CannedACL"]
    if config.get("CacheControl"):
        options["CacheControl"] = config["CacheControl"]
    if config.get("KMSEncryptionKeyARN"):
        options.update(ServerSideEncryption="aws:kms", SSEKMSKeyId=config["KMSEncryptionKeyARN"])
    return options
