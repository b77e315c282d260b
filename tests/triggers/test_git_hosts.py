"""The Lab's Git hosts: repositories, branches, commits with git's ids, tags and pull requests."""

import hashlib

import pytest

from codepipeline_lab.simulator.triggers.git_hosts import GitHostError


def test_pushes_make_commits_with_parents_messages_and_changed_paths(lab):
    host = lab.git_host("GitHub")
    host.create_repository("octo/app")
    first = host.push("octo/app", "main", {"a.txt": "one\n", "src/b.py": b"print()\n"}, "first")
    second = host.push("octo/app", "main", {"a.txt": None, "c.txt": "three"}, "second")
    repo = host.repository("octo/app")
    assert repo.branches == {"main": second}
    assert repo.commits[first].parents == [] and repo.commits[second].parents == [first]
    assert repo.commits[second].message == "second"
    assert repo.commits[second].changed == ["a.txt", "c.txt"]
    assert repo.commits[second].tree == {"src/b.py": b"print()\n", "c.txt": b"three"}


def test_commit_ids_are_git_object_ids_and_repeat_with_the_seed(lab):
    host = lab.git_host("GitHub")
    host.create_repository("octo/app")
    commit = host.push("octo/app", "main", {"a.txt": "one\n"}, "first")
    stored = host.repository("octo/app").objects[commit]
    assert hashlib.sha1(b"commit %d\0" % len(stored.body) + stored.body).hexdigest() == commit
    blob = hashlib.sha1(b"blob 4\0one\n").hexdigest()
    assert blob in host.repository("octo/app").objects
    other = lab.git_host("Bitbucket")
    other.create_repository("octo/app")
    assert other.push("octo/app", "main", {"a.txt": "one\n"}, "first") == commit   # same content, same instant


def test_a_push_to_a_missing_branch_starts_it_from_the_default_branch(lab):
    host = lab.git_host("GitLab")
    host.create_repository("group/app", default_branch="trunk")
    base = host.push("group/app", "trunk", {"a.txt": "1"}, "base")
    feature = host.push("group/app", "feature/x", {"b.txt": "2"}, "feature work")
    repo = host.repository("group/app")
    assert repo.commits[feature].parents == [base]
    assert repo.commits[feature].tree == {"a.txt": b"1", "b.txt": b"2"}
    assert host.create_branch("group/app", "release", from_branch="feature/x") == feature


def test_tags_point_at_the_default_branch_head_or_a_given_commit(lab):
    host = lab.git_host()
    host.create_repository("octo/app")
    first = host.push("octo/app", "main", {"a": "1"}, "one")
    second = host.push("octo/app", "main", {"a": "2"}, "two")
    assert host.create_tag("octo/app", "v2") == second
    assert host.create_tag("octo/app", "v1", commit_id=first) == first
    assert host.repository("octo/app").tags == {"v2": second, "v1": first}


def test_pull_requests_are_updated_by_pushes_and_merged_with_a_merge_commit(lab):
    host = lab.git_host()
    host.create_repository("octo/app")
    base = host.push("octo/app", "main", {"a": "1", "b": "1"}, "base")
    host.push("octo/app", "feature", {"b": "2"}, "feature")
    number = host.open_pull_request("octo/app", "feature", "main", "Change b")
    tip = host.push("octo/app", "feature", {"c": "new"}, "more")
    main = host.push("octo/app", "main", {"a": "2"}, "main moves on")
    merged = host.merge_pull_request("octo/app", number)
    repo = host.repository("octo/app")
    assert repo.commits[merged].parents == [main, tip]
    assert repo.commits[merged].tree == {"a": b"2", "b": b"2", "c": b"new"}
    assert repo.pull_requests[number].state == "MERGED" and repo.branches["main"] == merged
    assert base in repo.ancestors(merged)
    with pytest.raises(GitHostError, match="already merged"):
        host.close_pull_request("octo/app", number)


def test_conflicting_changes_cannot_be_merged_and_a_pull_request_can_be_closed(lab):
    host = lab.git_host()
    host.create_repository("octo/app")
    host.push("octo/app", "main", {"a": "1"}, "base")
    host.push("octo/app", "feature", {"a": "feature"}, "feature")
    host.push("octo/app", "main", {"a": "main"}, "main")
    number = host.open_pull_request("octo/app", "feature", "main", "Conflict")
    with pytest.raises(GitHostError, match="changed on both"):
        host.merge_pull_request("octo/app", number)
    host.close_pull_request("octo/app", number)
    assert host.repository("octo/app").pull_requests[number].state == "CLOSED"


def test_bad_input_names_the_problem(lab):
    host = lab.git_host()
    with pytest.raises(GitHostError, match="no repository 'octo/missing'"):
        host.push("octo/missing", "main", {"a": "1"}, "x")
    with pytest.raises(GitHostError, match="owner/name"):
        host.create_repository("no-owner")
    host.create_repository("octo/app")
    with pytest.raises(GitHostError, match="has no branch 'main'"):
        host.create_branch("octo/app", "dev")
    with pytest.raises(GitHostError, match="not a valid git branch name"):
        host.push("octo/app", "bad name", {"a": "1"}, "x")
    with pytest.raises(GitHostError, match="str or bytes"):
        host.push("octo/app", "main", {"a": 1}, "x")
    with pytest.raises(GitHostError, match="not in octo/app"):
        host.push("octo/app", "main", {"a": None}, "x")
    with pytest.raises(ValueError, match="GitHub, Bitbucket, GitLab"):
        lab.git_host("SourceForge")
