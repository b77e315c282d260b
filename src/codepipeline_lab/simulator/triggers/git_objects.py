"""Git's own object format for the Lab's Git hosts: blobs, trees and commits hashed exactly as
git hashes them, and written as a real repository on disk.

Because the ids are git's, a repository that CodeBuild clones (CODEBUILD_CLONE_REF) shows the
same commit ids in ``git log`` as the pipeline's ``CommitId`` variable, and the same content
always gets the same id: runs are repeatable without drawing from the Lab's id generator.
"""

from __future__ import annotations

import hashlib
import os
import zlib
from dataclasses import dataclass
from datetime import datetime


def object_id(kind: str, body: bytes) -> str:
    return hashlib.sha1(f"{kind} {len(body)}\0".encode() + body).hexdigest()


@dataclass(frozen=True)
class GitObject:
    kind: str          # blob | tree | commit | tag
    body: bytes

    @property
    def id(self) -> str:
        return object_id(self.kind, self.body)


def tree_objects(files: dict[str, bytes]) -> tuple[str, list[GitObject]]:
    """The root tree id of ``files`` ({path: content}) and every blob and tree object in it."""
    made: list[GitObject] = []

    def build(entries: dict[str, bytes], prefix: str) -> str:
        children: dict[str, dict[str, bytes]] = {}
        rows: list[tuple[str, bytes, bytes]] = []        # (sort key, mode, raw id) per entry
        for path, content in entries.items():
            head, _, rest = path.partition("/")
            if rest:
                children.setdefault(head, {})[rest] = content
            else:
                blob = GitObject("blob", content)
                made.append(blob)
                rows.append((head, b"100644 " + head.encode(), bytes.fromhex(blob.id)))
        for name, nested in children.items():
            rows.append((name + "/", b"40000 " + name.encode(), bytes.fromhex(build(nested, f"{prefix}{name}/"))))
        # git orders entries by name, a directory's name compared as if it ended in "/"
        body = b"".join(mode_name + b"\0" + raw for _, mode_name, raw in sorted(rows, key=lambda row: row[0].encode()))
        tree = GitObject("tree", body)
        made.append(tree)
        return tree.id

    return build(files, ""), made


def signature(name: str, email: str, when: datetime) -> str:
    return f"{name} <{email}> {int(when.timestamp())} +0000"


def commit_object(tree: str, parents: list[str], author: str, message: str) -> GitObject:
    lines = [f"tree {tree}"] + [f"parent {p}" for p in parents] + [f"author {author}", f"committer {author}", ""]
    text = "\n".join(lines) + "\n" + (message if message.endswith("\n") else message + "\n")
    return GitObject("commit", text.encode())


def tag_object(target: str, tag: str, tagger: str, message: str) -> GitObject:
    text = f"object {target}\ntype commit\ntag {tag}\ntagger {tagger}\n\n{message if message.endswith(chr(10)) else message + chr(10)}"
    return GitObject("tag", text.encode())


def write_repository(directory: str, objects: dict[str, GitObject], refs: dict[str, str], head: str) -> None:
    """A git repository in ``directory``: the objects as loose objects, ``refs``
    ({"refs/heads/main": id, ...}) and HEAD pointing at ``head`` (a ref name, or a commit id
    for a detached HEAD). The work tree is left to the caller."""
    git = os.path.join(directory, ".git")
    for folder in ("objects", "refs/heads", "refs/tags", "info"):
        os.makedirs(os.path.join(git, folder), exist_ok=True)
    with open(os.path.join(git, "config"), "w", encoding="utf-8") as handle:
        handle.write("[core]\n\trepositoryformatversion = 0\n\tfilemode = true\n\tbare = false\n")
    with open(os.path.join(git, "HEAD"), "w", encoding="utf-8") as handle:
        handle.write(f"ref: {head}\n" if head.startswith("refs/") else f"{head}\n")
    for name, target in refs.items():
        path = os.path.join(git, *name.split("/"))
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w", encoding="utf-8") as handle:
            handle.write(target + "\n")
    for found in objects.values():
        oid = found.id
        path = os.path.join(git, "objects", oid[:2], oid[2:])
        if os.path.exists(path):
            continue
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as handle:
            handle.write(zlib.compress(f"{found.kind} {len(found.body)}\0".encode() + found.body))
