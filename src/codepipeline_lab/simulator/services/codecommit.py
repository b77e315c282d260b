"""CodeCommit repositories with content: commits, trees, branches, and their events.

moto keeps only repository records, so the simulator keeps the repositories itself: each
commit holds the whole tree (path -> bytes), which is plenty for teaching-sized repositories.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime

from codepipeline_lab.simulator.errors import _error

RepositoryDoesNotExistException = _error("RepositoryDoesNotExistException")
RepositoryNameExistsException = _error("RepositoryNameExistsException")
BranchDoesNotExistException = _error("BranchDoesNotExistException")
BranchNameExistsException = _error("BranchNameExistsException")
CommitDoesNotExistException = _error("CommitDoesNotExistException")
FileDoesNotExistException = _error("FileDoesNotExistException")
FolderDoesNotExistException = _error("FolderDoesNotExistException")
ParentCommitIdRequiredException = _error("ParentCommitIdRequiredException")
ParentCommitIdOutdatedException = _error("ParentCommitIdOutdatedException")
ParentCommitDoesNotExistException = _error("ParentCommitDoesNotExistException")
NoChangeException = _error("NoChangeException")
SameFileContentException = _error("SameFileContentException")
CommitMessageLengthExceededException = _error("CommitMessageLengthExceededException")


def blob_id(content: bytes) -> str:
    """Git's blob id, so ids look and behave like CodeCommit's."""
    return hashlib.sha1(b"blob %d\0" % len(content) + content).hexdigest()


def tree_id(tree: dict[str, bytes]) -> str:
    digest = hashlib.sha1()
    for path in sorted(tree):
        digest.update(path.encode() + b"\0" + blob_id(tree[path]).encode())
    return digest.hexdigest()


@dataclass
class Person:
    name: str
    email: str
    date: datetime

    def shape(self) -> dict:
        return {"name": self.name, "email": self.email, "date": f"{int(self.date.timestamp())} +0000"}


@dataclass
class Commit:
    commit_id: str
    tree: dict[str, bytes]
    parents: list[str]
    message: str
    author: Person

    def shape(self) -> dict:
        return {"commitId": self.commit_id, "treeId": tree_id(self.tree), "parents": list(self.parents),
                "message": self.message, "author": self.author.shape(), "committer": self.author.shape(),
                "additionalData": ""}


@dataclass
class Repository:
    name: str
    repository_id: str
    arn: str
    region: str
    account_id: str
    description: str
    created: datetime
    last_modified: datetime
    default_branch: str | None = None
    branches: dict[str, str] = field(default_factory=dict)     # branch -> head commit id
    commits: dict[str, Commit] = field(default_factory=dict)

    def metadata(self) -> dict:
        shape = {"accountId": self.account_id, "repositoryId": self.repository_id, "repositoryName": self.name,
                 "repositoryDescription": self.description, "lastModifiedDate": self.last_modified,
                 "creationDate": self.created, "Arn": self.arn,
                 "cloneUrlHttp": f"https://git-codecommit.{self.region}.amazonaws.com/v1/repos/{self.name}",
                 "cloneUrlSsh": f"ssh://git-codecommit.{self.region}.amazonaws.com/v1/repos/{self.name}"}
        if self.default_branch:
            shape["defaultBranch"] = self.default_branch
        return shape

    def commit(self, specifier: str | None) -> Commit:
        """A commit by id, or the head of a branch; the default branch when not given."""
        specifier = specifier or self.default_branch
        commit_id = self.branches.get(specifier, specifier)
        if commit_id not in self.commits:
            raise CommitDoesNotExistException(f"Commit or branch '{specifier}' does not exist in repository {self.name}")
        return self.commits[commit_id]

    def head(self, branch: str) -> Commit:
        if branch not in self.branches:
            raise BranchDoesNotExistException(f"Branch '{branch}' does not exist in repository {self.name}")
        return self.commits[self.branches[branch]]


class CodeCommit:
    """The repositories of the account, and the one way their branches move: ``commit``."""

    def __init__(self, account) -> None:
        self._account = account
        self.repositories: dict[tuple[str, str], Repository] = {}

    @property
    def _lab(self):
        return self._account.lab

    def repository(self, region: str, name) -> Repository:
        repo = self.repositories.get((region, name))
        if repo is None:
            raise RepositoryDoesNotExistException(f"{name} does not exist")
        return repo

    def create(self, region: str, name: str, description: str = "") -> Repository:
        if (region, name) in self.repositories:
            raise RepositoryNameExistsException(f"Repository named {name} already exists")
        now = self._lab.scheduler.now
        account_id = self._account.account_id
        repo = Repository(name, self._lab.ids.uuid(), f"arn:aws:codecommit:{region}:{account_id}:{name}",
                          region, account_id, description, now, now)
        self.repositories[(region, name)] = repo
        return repo

    def commit(self, repo: Repository, branch: str, parent_id: str | None, tree: dict[str, bytes],
               message: str, author: str, email: str) -> Commit:
        """Add a commit on ``branch`` (creating the branch for a repository's first commit)."""
        if branch in repo.branches:
            head = repo.branches[branch]
            if not parent_id:
                raise ParentCommitIdRequiredException(f"A parent commit ID is required to commit to branch {branch}; its head is {head}")
            if parent_id != head:
                raise ParentCommitIdOutdatedException(f"The parent commit ID {parent_id} is not the head of branch {branch} ({head})")
        elif repo.branches:
            if not parent_id:
                raise BranchDoesNotExistException(f"Branch '{branch}' does not exist in repository {repo.name}; give a parentCommitId to create it")
            if parent_id not in repo.commits:
                raise ParentCommitDoesNotExistException(f"Parent commit {parent_id} does not exist in repository {repo.name}")
        parents = [parent_id] if parent_id else []
        if parents and repo.commits[parent_id].tree == tree:
            raise NoChangeException("The commit cannot be created because no files have been changed, added, or deleted")
        now = self._lab.scheduler.now
        new = Commit(self._lab.ids.hex(40), dict(tree), parents, message, Person(author or "", email or "", now))
        repo.commits[new.commit_id] = new
        self.move_branch(repo, branch, new.commit_id)
        return new

    def move_branch(self, repo: Repository, branch: str, commit_id: str) -> None:
        old = repo.branches.get(branch)
        repo.branches[branch] = commit_id
        repo.default_branch = repo.default_branch or branch
        repo.last_modified = self._lab.scheduler.now
        self._emit(repo, branch, commit_id, old)

    def _emit(self, repo: Repository, branch: str, commit_id: str, old: str | None) -> None:
        """CodeCommit Repository State Change, as EventBridge receives it (facts §B3)."""
        detail = {"callerUserArn": f"arn:aws:iam::{repo.account_id}:root",
                  "event": "referenceUpdated" if old else "referenceCreated",
                  "repositoryName": repo.name, "repositoryId": repo.repository_id,
                  "referenceType": "branch", "referenceName": branch,
                  "referenceFullName": f"refs/heads/{branch}", "commitId": commit_id}
        if old:
            detail["oldCommitId"] = old
        self._account.eventbridge.put_service_event("aws.codecommit", "CodeCommit Repository State Change",
                                                    detail, repo.region, [repo.arn])
