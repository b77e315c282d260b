"""CODEBUILD_CLONE_REF from a connection (facts §M2, §I4): the source action's artifact holds a
reference to the repository and commit, not the files; CodeBuild's DOWNLOAD_SOURCE phase
clones it as the build's role, which therefore needs ``codestar-connections:UseConnection``
(``codeconnections:UseConnection`` for a codeconnections ARN) on the connection.

The reference is a JSON file of our own design (AWS does not document the artifact's
content); the clone is a real git repository with the commit's history, so ``git log`` in
the build shows it. It is written object by object (``triggers/git_objects.py``); the git
command, when installed, only builds the index so that ``git status`` is clean.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess

from codepipeline_lab.simulator.errors import AwsError
from codepipeline_lab.simulator.identity.calls import ApiCall
from codepipeline_lab.simulator.identity.resources import iam_action
from codepipeline_lab.simulator.services.connections.store import parse_arn
from codepipeline_lab.simulator.triggers import git_objects

REF_FILE = "codepipeline-clone-ref.json"
CLONE_URLS = {"GitHub": "https://github.com/{repo}.git", "Bitbucket": "https://bitbucket.org/{repo}.git",
              "GitLab": "https://gitlab.com/{repo}.git"}


class CloneRefError(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code, self.message = code, message


def reference(connection, provider: str, full_name: str, branch: str, commit_id: str) -> dict[str, bytes]:
    """The files of a CODEBUILD_CLONE_REF artifact."""
    document = {"Kind": "CodeStarSourceConnection", "ConnectionArn": connection.arn, "ProviderType": provider,
                "FullRepositoryId": full_name, "BranchName": branch, "CommitId": commit_id,
                "CloneUrl": CLONE_URLS[provider].format(repo=full_name)}
    return {REF_FILE: (json.dumps(document, indent=2) + "\n").encode()}


def is_reference(directory: str) -> bool:
    return os.path.isfile(os.path.join(directory, REF_FILE)) and len(os.listdir(directory)) == 1


def materialize(directory: str, environment: dict[str, str]) -> bool:
    """If ``directory`` holds a clone reference, replace it by the cloned repository, acting as
    the build's role (its key is in the build's environment). False when it is not one."""
    if not is_reference(directory):
        return False
    with open(os.path.join(directory, REF_FILE), encoding="utf-8") as handle:
        ref = json.load(handle)
    from codepipeline_lab.lab import active_lab
    lab = active_lab()
    account = lab.account if lab is not None else None
    arn = ref.get("ConnectionArn", "")
    if account is None:
        raise CloneRefError("CLIENT_ERROR", f"no Lab is running to clone {ref.get('FullRepositoryId')} through {arn}")
    _authorize(account, arn, environment.get("AWS_ACCESS_KEY_ID"))
    host = account.connections.git_hosts.find(ref["ProviderType"])
    repo = host.repositories.get(ref["FullRepositoryId"]) if host else None
    if repo is None or ref["CommitId"] not in repo.commits:
        raise CloneRefError("CLIENT_ERROR", f"repository {ref['FullRepositoryId']} or commit {ref['CommitId']} not found through connection {arn}")
    os.remove(os.path.join(directory, REF_FILE))
    _write_clone(directory, repo, ref)
    return True


def _authorize(account, arn: str, access_key: str | None) -> None:
    parts = parse_arn(arn)
    service = parts[0] if parts else "codestar-connections"
    principal = account.authorizer.principal(access_key or "", account.account_id)
    connection = account.connections.connection_for(arn)
    region = connection.region if connection else account.lab.region
    call = ApiCall(service, "UseConnection", region, account.account_id, principal, {"ConnectionArn": arn}, [arn])
    try:
        account.authorizer.authorize(call, iam_action(service, "UseConnection"))
    except AwsError as denied:
        raise CloneRefError("CLIENT_ERROR", f"failed to clone through connection {arn}: the build's service role may not use it. "
                            f"Error: {denied.message}") from None
    if connection is None or connection.status != "AVAILABLE":
        status = connection.status if connection else "not found"
        raise CloneRefError("CLIENT_ERROR", f"failed to clone through connection {arn}: the connection is {status}")


def _write_clone(directory: str, repo, ref: dict) -> None:
    commit_id, branch = ref["CommitId"], ref["BranchName"]
    reachable = set(repo.ancestors(commit_id))
    objects = dict(repo.objects)         # every object of the host's repository; git reads what it needs
    refs = {f"refs/heads/{branch}": commit_id}
    refs.update({f"refs/tags/{tag}": target for tag, target in repo.tags.items() if target in reachable})
    git_objects.write_repository(directory, objects, refs, f"refs/heads/{branch}")
    with open(os.path.join(directory, ".git", "config"), "a", encoding="utf-8") as handle:
        handle.write(f'[remote "origin"]\n\turl = {ref["CloneUrl"]}\n\tfetch = +refs/heads/*:refs/remotes/origin/*\n')
    for path, content in repo.commits[commit_id].tree.items():
        target = os.path.join(directory, *path.split("/"))
        os.makedirs(os.path.dirname(target), exist_ok=True)
        with open(target, "wb") as handle:
            handle.write(content)
    git = shutil.which("git")
    if git:
        subprocess.run([git, "-C", directory, "read-tree", "HEAD"], check=False, capture_output=True, timeout=30)
        subprocess.run([git, "-C", directory, "update-index", "-q", "--refresh"], check=False, capture_output=True, timeout=30)
