"""The Git providers a connection reaches — GitHub, Bitbucket, GitLab — as small in-Lab hosts.

AWS has no API for them (they are the outside world), so the Lab gives a Python facade::

    host = lab.git_host("GitHub")
    host.create_repository("octo/app")
    commit = host.push("octo/app", "main", {"app.py": "print('hi')\\n"}, "First commit")
    number = host.open_pull_request("octo/app", "feature", "main", "Add a feature")

Commits are git objects hashed as git hashes them (``git_objects.py``), so their ids are
deterministic and a build that clones the repository sees the same ids. Every push, tag and
pull-request change is announced to the Lab's accounts as a ``GitEvent``, which is what the
connections' change detection and V2 triggers react to (``v2_triggers.py``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Callable

from codepipeline_lab.simulator.triggers import git_objects

PROVIDERS = ("GitHub", "Bitbucket", "GitLab")
AUTHOR = ("Learner", "learner@example.com")
NO_COMMIT = "0" * 40
FULL_NAME = re.compile(r"^[A-Za-z0-9_.\-]+(/[A-Za-z0-9_.\-]+)+$")


class GitHostError(ValueError):
    """Bad input to a Git host: a missing repository, branch, commit or pull request."""


@dataclass
class Commit:
    id: str
    tree: dict[str, bytes]
    parents: list[str]
    message: str
    author: tuple[str, str]
    date: datetime
    changed: list[str]            # paths added, modified or deleted against the first parent


@dataclass
class PullRequest:
    number: int
    title: str
    source_branch: str
    destination_branch: str
    state: str = "OPEN"           # OPEN | CLOSED | MERGED
    merge_commit: str | None = None


@dataclass
class Repository:
    full_name: str
    default_branch: str
    branches: dict[str, str] = field(default_factory=dict)      # branch -> head commit id
    tags: dict[str, str] = field(default_factory=dict)          # tag -> commit id
    commits: dict[str, Commit] = field(default_factory=dict)
    objects: dict[str, git_objects.GitObject] = field(default_factory=dict)
    pull_requests: dict[int, PullRequest] = field(default_factory=dict)

    def commit(self, commit_id: str) -> Commit:
        found = self.commits.get(commit_id)
        if found is None:
            raise GitHostError(f"Repository {self.full_name} has no commit {commit_id}")
        return found

    def head(self, branch: str) -> Commit:
        if branch not in self.branches:
            raise GitHostError(f"Repository {self.full_name} has no branch {branch!r}; its branches: {', '.join(sorted(self.branches)) or 'none yet'}")
        return self.commits[self.branches[branch]]

    def ancestors(self, commit_id: str) -> list[str]:
        """``commit_id`` and every commit before it, nearest first (breadth first)."""
        seen, queue = [], [commit_id]
        while queue:
            current = queue.pop(0)
            if current in seen or current not in self.commits:
                continue
            seen.append(current)
            queue.extend(self.commits[current].parents)
        return seen

    def merge_base(self, one: str, other: str) -> str | None:
        theirs = set(self.ancestors(other))
        return next((c for c in self.ancestors(one) if c in theirs), None)


@dataclass(frozen=True)
class GitEvent:
    """One change on a Git host, as a connection's webhook would report it."""
    provider: str
    repository: str                       # full name, owner/repo
    kind: str                             # "push" | "pull_request"
    commit_id: str                        # the commit the pipeline would build
    changed_files: tuple[str, ...]        # paths the change touched (empty for a new branch or a tag)
    branch: str | None = None             # push to a branch; a pull request's source branch
    tag: str | None = None                # push of a tag
    before: str = NO_COMMIT               # the ref's previous commit (NO_COMMIT when it is new)
    pull_request: int | None = None
    pull_request_event: str | None = None  # OPEN | UPDATED | CLOSED
    destination_branch: str | None = None


def changed_paths(old: dict[str, bytes] | None, new: dict[str, bytes]) -> list[str]:
    old = old or {}
    return sorted(path for path in set(old) | set(new) if old.get(path) != new.get(path))


class GitHost:
    """One provider's repositories (GitHub, Bitbucket or GitLab), shared by the Lab's accounts."""

    def __init__(self, provider: str, now: Callable[[], datetime], announce: Callable[[GitEvent], None]) -> None:
        self.provider = provider
        self._now = now
        self._announce = announce
        self.repositories: dict[str, Repository] = {}

    def __repr__(self) -> str:
        return f"GitHost({self.provider!r}, repositories={sorted(self.repositories)})"

    # -- repositories and branches ---------------------------------------------------------------
    def create_repository(self, full_name: str, default_branch: str = "main") -> Repository:
        """An empty repository ``owner/name``; its first push creates ``default_branch``."""
        if not isinstance(full_name, str) or not FULL_NAME.match(full_name):
            raise GitHostError(f"A repository's full name is owner/name (letters, digits, '.', '-', '_'); got {full_name!r}")
        if full_name in self.repositories:
            raise GitHostError(f"{self.provider} already has a repository {full_name}")
        _check_ref_name(default_branch, "branch")
        repo = Repository(full_name, default_branch)
        self.repositories[full_name] = repo
        return repo

    def repository(self, full_name: str) -> Repository:
        repo = self.repositories.get(full_name)
        if repo is None:
            known = ", ".join(sorted(self.repositories)) or "none yet"
            raise GitHostError(f"{self.provider} has no repository {full_name!r} (create it with create_repository); its repositories: {known}")
        return repo

    def create_branch(self, full_name: str, branch: str, from_branch: str | None = None) -> str:
        """A new branch at the head of ``from_branch`` (default: the default branch); its commit id."""
        repo = self.repository(full_name)
        _check_ref_name(branch, "branch")
        if branch in repo.branches:
            raise GitHostError(f"Branch {branch!r} already exists in {full_name}")
        start = repo.head(from_branch or repo.default_branch)
        repo.branches[branch] = start.id
        self._announce(GitEvent(self.provider, full_name, "push", start.id, (), branch=branch))
        return start.id

    # -- commits --------------------------------------------------------------------------------------
    def push(self, full_name: str, branch: str, files: dict, message: str) -> str:
        """Commit ``files`` ({path: str | bytes, or None to delete}) on top of ``branch`` and push
        it; a missing branch is created from the default branch. Returns the commit id."""
        repo = self.repository(full_name)
        _check_ref_name(branch, "branch")
        if not isinstance(files, dict):
            raise GitHostError(f"files must be a dict of path -> str | bytes | None; got {type(files).__name__}")
        if not isinstance(message, str) or not message.strip():
            raise GitHostError("A commit needs a non-empty message")
        before = repo.branches.get(branch)
        if before is None and repo.branches:
            start = repo.branches.get(repo.default_branch) or next(iter(repo.branches.values()))
        else:
            start = before
        tree = dict(repo.commits[start].tree) if start else {}
        for path, content in files.items():
            path = _check_path(path)
            if content is None:
                if path not in tree:
                    raise GitHostError(f"Cannot delete {path}: it is not in {full_name} on {branch}")
                del tree[path]
            elif isinstance(content, (str, bytes)):
                tree[path] = content.encode() if isinstance(content, str) else bytes(content)
            else:
                raise GitHostError(f"The content of {path} must be str or bytes (None deletes it); got {type(content).__name__}")
        commit = self._commit(repo, tree, [start] if start else [], message)
        repo.branches[branch] = commit.id
        self._pushed(repo, branch, before, commit.id)
        return commit.id

    def create_tag(self, full_name: str, tag: str, commit_id: str | None = None) -> str:
        """A (lightweight) tag on ``commit_id``, by default the default branch's head; pushed at once."""
        repo = self.repository(full_name)
        _check_ref_name(tag, "tag")
        if tag in repo.tags:
            raise GitHostError(f"Tag {tag!r} already exists in {full_name}")
        target = repo.commit(commit_id).id if commit_id else repo.head(repo.default_branch).id
        repo.tags[tag] = target
        self._announce(GitEvent(self.provider, full_name, "push", target, (), tag=tag))
        return target

    # -- pull requests -------------------------------------------------------------------------------
    def open_pull_request(self, full_name: str, source_branch: str, destination_branch: str, title: str) -> int:
        repo = self.repository(full_name)
        source = repo.head(source_branch)
        repo.head(destination_branch)
        if source_branch == destination_branch:
            raise GitHostError("A pull request needs two different branches")
        number = max(repo.pull_requests, default=0) + 1
        repo.pull_requests[number] = PullRequest(number, title, source_branch, destination_branch)
        self._pull_request_event(repo, repo.pull_requests[number], "OPEN", source.id)
        return number

    def merge_pull_request(self, full_name: str, number: int) -> str:
        """Merge an open pull request with a merge commit (a three-way merge of files); its id."""
        repo = self.repository(full_name)
        request = self._open_request(repo, number)
        ours, theirs = repo.head(request.destination_branch), repo.head(request.source_branch)
        base_id = repo.merge_base(ours.id, theirs.id)
        base = repo.commits[base_id].tree if base_id else {}
        tree = dict(ours.tree)
        for path in changed_paths(base, theirs.tree):
            if path in changed_paths(base, ours.tree) and ours.tree.get(path) != theirs.tree.get(path):
                raise GitHostError(f"Pull request #{number} cannot be merged: {path} was changed on both "
                                   f"{request.source_branch} and {request.destination_branch}")
            if path in theirs.tree:
                tree[path] = theirs.tree[path]
            else:
                tree.pop(path, None)
        message = f"Merge pull request #{number} from {request.source_branch}\n\n{request.title}"
        commit = self._commit(repo, tree, [ours.id, theirs.id], message)
        repo.branches[request.destination_branch] = commit.id
        request.state, request.merge_commit = "MERGED", commit.id
        self._pushed(repo, request.destination_branch, ours.id, commit.id)
        self._pull_request_event(repo, request, "CLOSED", theirs.id)
        return commit.id

    def close_pull_request(self, full_name: str, number: int) -> None:
        repo = self.repository(full_name)
        request = self._open_request(repo, number)
        request.state = "CLOSED"
        self._pull_request_event(repo, request, "CLOSED", repo.head(request.source_branch).id)

    # -- inside -----------------------------------------------------------------------------------------
    def _open_request(self, repo: Repository, number: int) -> PullRequest:
        request = repo.pull_requests.get(number)
        if request is None:
            raise GitHostError(f"Repository {repo.full_name} has no pull request #{number}")
        if request.state != "OPEN":
            raise GitHostError(f"Pull request #{number} of {repo.full_name} is already {request.state.lower()}")
        return request

    def _commit(self, repo: Repository, tree: dict[str, bytes], parents: list[str], message: str) -> Commit:
        root, objects = git_objects.tree_objects(tree)
        when = self._now()
        made = git_objects.commit_object(root, parents, git_objects.signature(*AUTHOR, when), message)
        for found in objects + [made]:
            repo.objects.setdefault(found.id, found)
        first = repo.commits[parents[0]].tree if parents else None
        commit = Commit(made.id, tree, parents, message, AUTHOR, when, changed_paths(first, tree))
        repo.commits.setdefault(commit.id, commit)
        return repo.commits[commit.id]

    def _pushed(self, repo: Repository, branch: str, before: str | None, after: str) -> None:
        old = repo.commits[before].tree if before else None
        changed = tuple(changed_paths(old, repo.commits[after].tree)) if before else ()
        self._announce(GitEvent(self.provider, repo.full_name, "push", after, changed, branch=branch, before=before or NO_COMMIT))
        for request in repo.pull_requests.values():
            if request.state == "OPEN" and request.source_branch == branch:
                self._pull_request_event(repo, request, "UPDATED", after)

    def _pull_request_event(self, repo: Repository, request: PullRequest, kind: str, commit_id: str) -> None:
        """OPEN, UPDATED or CLOSED, with the files the pull request changes against its destination."""
        destination = (repo.commits[request.merge_commit].parents[0] if request.merge_commit
                       else repo.branches[request.destination_branch])
        base_id = repo.merge_base(destination, commit_id)
        base = repo.commits[base_id].tree if base_id else {}
        changed = tuple(changed_paths(base, repo.commits[commit_id].tree))
        self._announce(GitEvent(self.provider, repo.full_name, "pull_request", commit_id, changed,
                                branch=request.source_branch, pull_request=request.number,
                                pull_request_event=kind, destination_branch=request.destination_branch))


def _check_ref_name(name, what: str) -> None:
    if not isinstance(name, str) or not name or name.startswith(("/", "-")) or name.endswith(("/", ".lock")) \
            or ".." in name or any(c in name for c in " ~^:?*[\\\x7f") or any(ord(c) < 32 for c in name):
        raise GitHostError(f"{name!r} is not a valid git {what} name")


def _check_path(path) -> str:
    if not isinstance(path, str) or not path or path.startswith("/") or any(part in ("", ".", "..", ".git") for part in path.split("/")):
        raise GitHostError(f"{path!r} is not a file path inside a repository (relative, no '.', '..' or '.git' parts)")
    return path


class GitHosts:
    """The Lab's Git hosts, one per provider, made on first use."""

    def __init__(self, now: Callable[[], datetime], announce: Callable[[GitEvent], None]) -> None:
        self._now, self._announce = now, announce
        self._hosts: dict[str, GitHost] = {}

    def host(self, provider: str) -> GitHost:
        if provider not in PROVIDERS:
            raise ValueError(f"The Lab has Git hosts for {', '.join(PROVIDERS)}; got {provider!r}")
        if provider not in self._hosts:
            self._hosts[provider] = GitHost(provider, self._now, self._announce)
        return self._hosts[provider]

    def find(self, provider: str) -> GitHost | None:
        return self._hosts.get(provider)
