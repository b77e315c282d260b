"""Putting each source folder where its action reads: a commit on the CodeCommit branch, a new
version of the S3 object, a push to the Lab's Git host behind a connection, an image in ECR."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from botocore.exceptions import ClientError

from codepipeline_lab.runner.folders import files_of, source_actions, zip_of
from codepipeline_lab.runner.problems import Unusable
from codepipeline_lab.setup_helpers import push

MESSAGE = "codepipeline-lab run: the source folder"


def place_all(lab, declaration: dict, folders: dict[str, Path], file: str, say) -> dict[str, dict[str, bytes]]:
    """Place every folder; return the files of each source action's folder."""
    placed = {}
    for place, action in source_actions(declaration):
        folder = folders[action["name"]]
        files = files_of(folder)
        provider = (action.get("actionTypeId") or {}).get("provider")
        config = action.get("configuration") or {}
        placer = _PLACERS.get(provider)
        if placer is None:
            raise Unusable(f"{file}: {place}: source provider {provider} cannot be fed from a folder by the runner "
                           f"(it places CodeCommit, S3, CodeStarSourceConnection and ECR sources)")
        try:
            said = placer(lab, config, folder, files, place, file)
        except ClientError as error:
            info = error.response.get("Error", {})
            raise Unusable(f"{file}: {place}: could not place {folder}: {info.get('Code')}: {info.get('Message')}") from None
        except ValueError as error:          # the Lab's Git host refuses a name or branch
            raise Unusable(f"{file}: {place}: could not place {folder}: {error}") from None
        say(f"source {action['name']}: {folder} ({len(files)} file(s)) {said}")
        placed[action["name"]] = files
    return placed


def _codecommit(lab, config, folder, files, place, file) -> str:
    if not files:
        raise Unusable(f"{file}: {place}: the folder {folder} is empty; a commit needs at least one file")
    branch = config.get("BranchName", "main")
    commit = push(lab, config["RepositoryName"], files, MESSAGE, branch=branch)
    return f"committed to {config['RepositoryName']}@{branch} as {commit[:8]}"


def _s3(lab, config, folder, files, place, file) -> str:
    body = zip_of(files)
    version = lab.client("s3").put_object(Bucket=config["S3Bucket"], Key=config["S3ObjectKey"], Body=body).get("VersionId")
    return f"uploaded as s3://{config['S3Bucket']}/{config['S3ObjectKey']}" + (f" (version {version})" if version else "")


def _connection(lab, config, folder, files, place, file) -> str:
    arn = config["ConnectionArn"]
    service = "codeconnections" if ":codeconnections:" in arn else "codestar-connections"
    connection = lab.client(service).get_connection(ConnectionArn=arn)["Connection"]
    if connection.get("ConnectionStatus") == "PENDING":
        lab.complete_connection(arn)
    host = lab.git_host(connection.get("ProviderType", "GitHub"))
    full, branch = config["FullRepositoryId"], config.get("BranchName", "main")
    try:
        host.repository(full)
    except ValueError:                   # GitHostError: no such repository yet
        host.create_repository(full, default_branch=branch)
    commit = host.push(full, branch, files, MESSAGE)
    return f"pushed to {connection.get('ProviderType')} {full}@{branch} as {str(commit)[:8]} (connection made AVAILABLE)"


def _ecr(lab, config, folder, files, place, file) -> str:
    if "imageDetail.json" not in files:
        raise Unusable(f"{file}: {place}: an ECR source folder needs an imageDetail.json; {folder} has none")
    try:
        detail = json.loads(files["imageDetail.json"])
    except ValueError as error:
        raise Unusable(f"{file}: {place}: {folder}/imageDetail.json is not JSON: {error}") from None
    tag = config.get("ImageTag", "latest")
    digest = "sha256:" + hashlib.sha256(files["imageDetail.json"]).hexdigest()
    manifest = json.dumps({"schemaVersion": 2, "mediaType": "application/vnd.docker.distribution.manifest.v2+json",
                           "config": {"mediaType": "application/vnd.docker.container.image.v1+json", "size": 2,
                                      "digest": detail.get("ImageDigest", digest) if isinstance(detail, dict) else digest},
                           "layers": []})
    lab.client("ecr").put_image(repositoryName=config["RepositoryName"], imageManifest=manifest, imageTag=tag)
    return f"put as image {config['RepositoryName']}:{tag}"


_PLACERS = {"CodeCommit": _codecommit, "S3": _s3, "CodeStarSourceConnection": _connection, "ECR": _ecr}


def buildspec_problems(lab, declaration: dict, placed: dict[str, dict[str, bytes]], file: str) -> list[str]:
    """A CodeBuild action whose primary input comes straight from a source folder, and whose
    project reads a buildspec file that the folder does not have."""
    produced = {}
    for _, action in source_actions(declaration):
        for artifact in action.get("outputArtifacts") or []:
            produced[artifact.get("name")] = action["name"]
    problems = []
    for s, stage in enumerate(declaration.get("stages") or []):
        for a, action in enumerate((stage or {}).get("actions") or []):
            if (action.get("actionTypeId") or {}).get("provider") != "CodeBuild":
                continue
            config = action.get("configuration") or {}
            inputs = [i.get("name") for i in action.get("inputArtifacts") or []]
            primary = config.get("PrimarySource") or (inputs[0] if inputs else None)
            if primary not in produced or produced[primary] not in placed:
                continue
            try:
                projects = lab.client("codebuild", region_name=action.get("region")).batch_get_projects(names=[config.get("ProjectName", "")])["projects"]
            except ClientError:
                continue
            if not projects:
                continue
            spec = (projects[0].get("source") or {}).get("buildspec") or "buildspec.yml"
            if "\n" in spec or ":" in spec:
                continue                     # an inline buildspec, or one in S3
            if spec not in placed[produced[primary]]:
                problems.append(f"{file}: pipeline.stages[{s}].actions[{a}]: project {config.get('ProjectName')} reads "
                                f"{spec} from artifact {primary}, but the folder of source action {produced[primary]} has no {spec}")
    return problems
