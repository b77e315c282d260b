"""Artifacts: zip files in the pipeline's S3 artifact store, with AWS's key layout (facts §D)."""

from __future__ import annotations

import io
import os
import zipfile

from botocore.exceptions import ClientError

from codepipeline_lab.simulator.executions import ArtifactRef
from codepipeline_lab.simulator.identity.failures import as_denial, s3_denied


class ArtifactStoreError(Exception):
    """An artifact could not be written to or read from its store."""

    code = "JobFailed"


class ArtifactStoreDenied(ArtifactStoreError):
    """The role reading or writing the artifact may not use the bucket (or its KMS key)."""

    code = "PermissionError"


def _explain(problem: ClientError) -> str:
    error = problem.response["Error"]
    return f"{error.get('Code')}: {error.get('Message')}"

# A fixed timestamp inside every zip entry keeps artifacts byte-for-byte repeatable.
ZIP_DATE = (2025, 1, 6, 9, 0, 0)


def artifact_key(pipeline_name: str, artifact_name: str, suffix: str) -> str:
    """<first 20 chars of the pipeline name>/<first 10 of the artifact name>/<7-char id>."""
    return f"{pipeline_name[:20]}/{artifact_name[:10]}/{suffix}"


def zip_files(files: dict[str, bytes]) -> bytes:
    """A zip of {path: content}, entries sorted, with fixed timestamps."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(files):
            info = zipfile.ZipInfo(path, ZIP_DATE)
            info.external_attr = 0o644 << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, files[path])
    return buffer.getvalue()


def unzip(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {name: archive.read(name) for name in archive.namelist() if not name.endswith("/")}


def read_directory(root: str) -> dict[str, bytes]:
    files = {}
    for folder, _, names in os.walk(root):
        for name in names:
            path = os.path.join(folder, name)
            with open(path, "rb") as handle:
                files[os.path.relpath(path, root).replace(os.sep, "/")] = handle.read()
    return files


def extract(data: bytes, directory: str) -> None:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        archive.extractall(directory)


class ArtifactStore:
    """Reads and writes artifact zips in the store of a region, through boto3 on the Lab."""

    def __init__(self, lab, ids) -> None:
        self._lab = lab
        self._ids = ids

    def store_for(self, declaration: dict, region: str) -> dict:
        if declaration.get("artifactStores"):
            return declaration["artifactStores"][region]
        return declaration["artifactStore"]

    def write(self, declaration: dict, region: str, artifact_name: str, data: bytes, credentials=None) -> ArtifactRef:
        store = self.store_for(declaration, region)
        located = bucket_region(store["location"])
        if located is not None and located != region:
            raise ArtifactStoreError(f"The artifact store bucket {store['location']} is in {located}, not in {region}: "
                                     f"an action in {region} needs an artifact store in {region} (CodePipeline does not "
                                     f"use a bucket of another region; for a cross-region pipeline use artifactStores)")
        key = artifact_key(declaration["name"], artifact_name, self._ids.token(7))
        extra = {"ServerSideEncryption": "aws:kms"}   # AWS's default: SSE-KMS with aws/s3
        if store.get("encryptionKey"):
            extra["SSEKMSKeyId"] = store["encryptionKey"]["id"]
        try:
            self._lab.client("s3", region_name=region, credentials=credentials).put_object(Bucket=store["location"], Key=key, Body=data, **extra)
        except ClientError as problem:
            _raise_if_denied(problem, store["location"])
            raise ArtifactStoreError(f"Could not write the artifact {artifact_name} to the artifact store "
                                     f"s3://{store['location']} in {region}: {_explain(problem)}") from None
        return ArtifactRef(artifact_name, store["location"], key, region)

    def read(self, ref: ArtifactRef, credentials=None) -> bytes:
        try:
            return self._lab.client("s3", region_name=ref.region, credentials=credentials).get_object(Bucket=ref.bucket, Key=ref.key)["Body"].read()
        except ClientError as problem:
            _raise_if_denied(problem, ref.bucket)
            raise ArtifactStoreError(f"Could not read the artifact {ref.name} from s3://{ref.bucket}/{ref.key}: {_explain(problem)}") from None

    def copy_to_region(self, declaration: dict, ref: ArtifactRef, region: str, credentials=None) -> ArtifactRef:
        """CodePipeline copies a cross-region action's inputs into that region's store itself,
        as the pipeline's role."""
        if ref.region == region:
            return ref
        return self.write(declaration, region, ref.name, self.read(ref, credentials), credentials)


def bucket_region(bucket: str) -> str | None:
    """The region moto keeps a bucket in (None when the bucket does not exist)."""
    from moto.s3.models import s3_backends
    owner = s3_backends.bucket_accounts.get(bucket)      # (partition, account id)
    found = s3_backends[owner[1]]["aws"].buckets.get(bucket) if owner else None
    return found.region_name if found is not None else None


def _raise_if_denied(problem: ClientError, bucket: str) -> None:
    denial = as_denial(problem)
    if denial is not None:
        raise ArtifactStoreDenied(s3_denied(bucket, denial)) from None
