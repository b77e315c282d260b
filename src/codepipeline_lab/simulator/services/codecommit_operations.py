"""CodeCommit's API operations for repository content, in AWS's request and response shapes."""

from __future__ import annotations

import base64

from codepipeline_lab.simulator.params import required
from codepipeline_lab.simulator.services.codecommit import (
    BranchNameExistsException, FileDoesNotExistException, FolderDoesNotExistException,
    SameFileContentException, blob_id, tree_id,
)

FILE_MODE = "NORMAL"


def _blob(value) -> bytes:
    """Blobs travel base64-encoded in the JSON body."""
    if isinstance(value, bytes):
        return value
    try:
        return base64.b64decode(value or "", validate=True)
    except (ValueError, TypeError):
        return (value or "").encode()


def _path(value: str) -> str:
    return (value or "").strip("/")


def codecommit_operations(account) -> dict:
    store = account.codecommit

    def repo(params, ctx):
        return store.repository(ctx.region, required(params, "repositoryName"))

    def create_repository(params, ctx):
        created = store.create(ctx.region, required(params, "repositoryName"), params.get("repositoryDescription", ""))
        return {"repositoryMetadata": created.metadata()}

    def get_repository(params, ctx):
        return {"repositoryMetadata": repo(params, ctx).metadata()}

    def delete_repository(params, ctx):
        found = store.repositories.pop((ctx.region, required(params, "repositoryName")), None)
        return {"repositoryId": found.repository_id} if found else {}

    def list_repositories(params, ctx):
        names = sorted((r for (region, _), r in store.repositories.items() if region == ctx.region), key=lambda r: r.name)
        return {"repositories": [{"repositoryName": r.name, "repositoryId": r.repository_id} for r in names]}

    def put_file(params, ctx):
        repository = repo(params, ctx)
        branch, path = required(params, "branchName"), _path(required(params, "filePath"))
        content = _blob(params.get("fileContent"))
        tree = dict(repository.head(branch).tree) if branch in repository.branches else {}
        if tree.get(path) == content:
            raise SameFileContentException(f"The file {path} already has this content on branch {branch}")
        tree[path] = content
        commit = store.commit(repository, branch, params.get("parentCommitId"), tree,
                              params.get("commitMessage") or f"Added {path}", params.get("name", ""), params.get("email", ""))
        return {"commitId": commit.commit_id, "blobId": blob_id(content), "treeId": tree_id(commit.tree)}

    def create_commit(params, ctx):
        repository = repo(params, ctx)
        branch, parent = required(params, "branchName"), params.get("parentCommitId")
        base = repository.commits[parent].tree if parent in repository.commits else {}
        tree = dict(base)
        added, updated, deleted = [], [], []
        for item in params.get("putFiles", []):
            path, content = _path(item["filePath"]), _blob(item.get("fileContent"))
            (updated if path in tree else added).append({"absolutePath": path, "blobId": blob_id(content), "fileMode": item.get("fileMode", FILE_MODE)})
            tree[path] = content
        for item in params.get("deleteFiles", []):
            path = _path(item["filePath"])
            if path not in tree:
                raise FileDoesNotExistException(f"The file {path} does not exist on branch {branch}")
            deleted.append({"absolutePath": path, "blobId": blob_id(tree.pop(path)), "fileMode": FILE_MODE})
        commit = store.commit(repository, branch, parent, tree, params.get("commitMessage", ""),
                              params.get("authorName", ""), params.get("email", ""))
        return {"commitId": commit.commit_id, "treeId": tree_id(commit.tree),
                "filesAdded": added, "filesUpdated": updated, "filesDeleted": deleted}

    def get_branch(params, ctx):
        repository = repo(params, ctx)
        branch = required(params, "branchName")
        return {"branch": {"branchName": branch, "commitId": repository.head(branch).commit_id}}

    def create_branch(params, ctx):
        repository = repo(params, ctx)
        branch = required(params, "branchName")
        if branch in repository.branches:
            raise BranchNameExistsException(f"Branch {branch} already exists in repository {repository.name}")
        commit = repository.commit(required(params, "commitId"))
        store.move_branch(repository, branch, commit.commit_id)
        return {}

    def list_branches(params, ctx):
        return {"branches": sorted(repo(params, ctx).branches)}

    def get_commit(params, ctx):
        return {"commit": repo(params, ctx).commit(required(params, "commitId")).shape()}

    def get_file(params, ctx):
        commit = repo(params, ctx).commit(params.get("commitSpecifier"))
        path = _path(required(params, "filePath"))
        if path not in commit.tree:
            raise FileDoesNotExistException(f"The file {path} does not exist in commit {commit.commit_id}")
        content = commit.tree[path]
        return {"commitId": commit.commit_id, "blobId": blob_id(content), "filePath": path,
                "fileMode": FILE_MODE, "fileSize": len(content), "fileContent": content}

    def get_folder(params, ctx):
        commit = repo(params, ctx).commit(params.get("commitSpecifier"))
        folder = _path(params.get("folderPath", ""))
        prefix = f"{folder}/" if folder else ""
        inside = {p: c for p, c in commit.tree.items() if p.startswith(prefix)}
        if folder and not inside:
            raise FolderDoesNotExistException(f"The folder {folder} does not exist in commit {commit.commit_id}")
        files, folders = [], set()
        for path, content in sorted(inside.items()):
            relative = path[len(prefix):]
            if "/" in relative:
                folders.add(relative.split("/")[0])
            else:
                files.append({"blobId": blob_id(content), "absolutePath": path, "relativePath": relative, "fileMode": FILE_MODE})
        sub_folders = [{"treeId": tree_id({p: c for p, c in inside.items() if p.startswith(f"{prefix}{f}/")}),
                        "absolutePath": f"{prefix}{f}", "relativePath": f} for f in sorted(folders)]
        return {"commitId": commit.commit_id, "folderPath": folder or "/", "treeId": tree_id(inside),
                "subFolders": sub_folders, "files": files, "symbolicLinks": [], "subModules": []}

    def get_differences(params, ctx):
        repository = repo(params, ctx)
        after = repository.commit(required(params, "afterCommitSpecifier"))
        before = repository.commit(params["beforeCommitSpecifier"]).tree if params.get("beforeCommitSpecifier") else {}
        differences = []
        for path in sorted(set(before) | set(after.tree)):
            old, new = before.get(path), after.tree.get(path)
            if old == new:
                continue
            change = "A" if old is None else "D" if new is None else "M"
            entry = {"changeType": change}
            if old is not None:
                entry["beforeBlob"] = {"blobId": blob_id(old), "path": path, "mode": "100644"}
            if new is not None:
                entry["afterBlob"] = {"blobId": blob_id(new), "path": path, "mode": "100644"}
            differences.append(entry)
        return {"differences": differences}

    handlers = (create_repository, get_repository, delete_repository, list_repositories, put_file, create_commit,
                get_branch, create_branch, list_branches, get_commit, get_file, get_folder, get_differences)
    return {f.__name__: f for f in handlers}
