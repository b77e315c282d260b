"""Source/AWS/ECR: the image of a repository that carries ``ImageTag`` (default ``latest``);
its digest is the revision, and the output artifact holds ``imageDetail.json`` (facts §J5)."""

from __future__ import annotations

import json
from datetime import timedelta

from botocore.exceptions import ClientError

from codepipeline_lab.simulator.actions.base import Provider, register
from codepipeline_lab.simulator.identity.failures import role_cannot_access
from codepipeline_lab.simulator.identity.sessions import AssumeRoleError


@register
class EcrSource(Provider):
    category = "Source"
    provider = "ECR"
    duration = timedelta(seconds=3)

    def source_revision(self, context) -> dict | None:
        config = context.action.get("configuration", {})
        repository, tag = config.get("RepositoryName"), config.get("ImageTag") or "latest"
        try:   # CodePipeline reads the image as the pipeline's role
            credentials = context.engine.pipeline_session(context.execution).credentials
        except AssumeRoleError:
            return None
        ecr = context.lab.client("ecr", region_name=context.region, credentials=credentials)
        image_id = {"imageTag": tag}
        if context.override and context.override.get("revisionType") == "IMAGE_DIGEST":
            image_id = {"imageDigest": context.override["revisionValue"]}
        try:
            image = ecr.describe_images(repositoryName=repository, imageIds=[image_id])["imageDetails"][0]
        except (ClientError, IndexError):
            return None
        digest = image["imageDigest"]
        return {"revisionId": digest, "revisionChangeIdentifier": digest,
                "revisionSummary": f"Image tag: {tag}, digest: {digest}",
                # moto stamps imagePushedAt with the real clock; the revision is dated by the virtual one
                "created": context.engine.scheduler.now,
                "image": {"registryId": image["registryId"], "size": image.get("imageSizeInBytes") or 0, "tag": tag}}

    def denied_message(self, job, denial) -> str:
        return role_cannot_access(f"the Amazon ECR repository named {job.configuration.get('RepositoryName')}", denial)

    def run(self, job) -> None:
        repository = job.configuration["RepositoryName"]
        tag = job.configuration.get("ImageTag") or "latest"
        revision = job.execution.source_revisions.get(job.action["name"])
        if revision is None:
            job.fail(f"The image tag {tag} was not found in the Amazon ECR repository {repository} "
                     "in this Region, or the pipeline role cannot read it.", "JobFailed")
            return
        image = revision.pop("image")
        digest = revision["revisionId"]
        uri = f"{image['registryId']}.dkr.ecr.{job.region}.amazonaws.com/{repository}@{digest}"
        detail = {"ImageSizeInBytes": str(image["size"]), "ImageDigest": digest, "Version": "1.0",
                  "ImagePushedAt": revision["created"].strftime("%a %b %d %H:%M:%S UTC %Y"),
                  "RegistryId": image["registryId"], "RepositoryName": repository, "ImageURI": uri,
                  "ImageTags": [tag]}
        job.write_output(job.output_names[0], {"imageDetail.json": json.dumps(detail, indent=2).encode()})
        job.succeed(summary=revision["revisionSummary"], external_execution_id=digest,
                    output_variables={"RegistryId": image["registryId"], "RepositoryName": repository,
                                      "ImageTag": tag, "ImageDigest": digest, "ImageURI": uri})
