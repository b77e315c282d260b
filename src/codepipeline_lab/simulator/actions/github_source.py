"""Source/ThirdParty/GitHub/1: the legacy GitHub (version 1, OAuth) source action (facts §A4, §C).

Configuration: ``Owner``, ``Repo``, ``Branch``, ``OAuthToken`` (all required) and
``PollForSourceChanges`` ("true" when left out, polled by ``triggers/polling.py``). The action
reads the head of ``Branch`` in ``Owner/Repo`` on the Lab's GitHub (``lab.git_host("GitHub")``)
— the revision is read when the execution starts, as for the other sources — and zips the
commit's files (CODE_ZIP; version 1 has no clone-ref format).

The Lab's GitHub knows no tokens, so any token is accepted except one that cannot be a token:
blank, or ``****`` — the mask GetPipeline shows in its place, which is what a pipeline gets
when a learner pastes GetPipeline's answer back into UpdatePipeline (our choice; AWS also
fails such a pipeline at its source action, with the "access token" message below).
No AWS API is called for GitHub, so the pipeline's role needs no permission for this action.
"""

from __future__ import annotations

import json
from datetime import timedelta

from codepipeline_lab.simulator.actions.base import Provider, register
from codepipeline_lab.simulator.artifacts import zip_files

MASK = "****"       # what GetPipeline shows instead of the OAuthToken (facts §A4)
ISO = "%Y-%m-%dT%H:%M:%SZ"


def full_name(config: dict) -> str:
    return f"{config.get('Owner', '')}/{config.get('Repo', '')}"


def repository(account, config: dict):
    """The action's repository on the Lab's GitHub, or None."""
    host = account.connections.git_hosts.find("GitHub")
    return host.repositories.get(full_name(config)) if host else None


def head(account, config: dict) -> str | None:
    """The commit id at the head of the action's branch now (None: no repository or branch)."""
    repo = repository(account, config)
    return repo.branches.get(config.get("Branch", "")) if repo else None


def revision(config: dict, commit) -> dict:
    name = full_name(config)
    return {"revisionId": commit.id, "revisionChangeIdentifier": commit.id,
            "revisionSummary": json.dumps({"ProviderType": "GitHub", "CommitMessage": commit.message}),
            "created": commit.date,
            "revisionUrl": f"https://github.com/{name}/commit/{commit.id}"}


def _no_access(config: dict) -> str:
    return (f"Either the GitHub repository {config.get('Repo', '')!r} (owner {config.get('Owner', '')!r}) does not exist, "
            "or the GitHub access token provided has insufficient permissions to access the repository. "
            "Verify that the repository exists and edit the pipeline to reconnect the source action to GitHub.")


@register
class GitHubSource(Provider):
    owner = "ThirdParty"
    category = "Source"
    provider = "GitHub"
    duration = timedelta(seconds=5)

    def source_revision(self, context) -> dict | None:
        config = context.action.get("configuration", {})
        repo = repository(context.engine.account, config)
        if repo is None:
            return None
        override = context.override or {}
        if override.get("revisionType") == "COMMIT_ID":
            commit = repo.commits.get(override.get("revisionValue"))
        else:
            commit = repo.commits.get(repo.branches.get(config.get("Branch", ""), ""))
        return revision(config, commit) if commit is not None else None

    def run(self, job) -> None:
        config = job.configuration
        token = str(config.get("OAuthToken", "")).strip()
        if not token or token == MASK:
            job.fail(_no_access(config) + (" The OAuthToken is the mask GetPipeline shows (****), not a token: "
                                           "give the real token when you update the pipeline." if token == MASK else
                                           " The OAuthToken is empty."), "JobFailed")
            return
        repo = repository(job.engine.account, config)
        if repo is None:
            job.fail(_no_access(config), "JobFailed")
            return
        name, branch = job.action["name"], config["Branch"]
        found = job.execution.source_revisions.get(name)
        if found is None:           # nothing at the start (e.g. the branch did not exist yet): read it now
            commit_id = repo.branches.get(branch)
            if commit_id is None:
                job.fail(f"The action failed because no branch named {branch} was found in the selected GitHub "
                         f"repository {repo.full_name}. Make sure you are using the correct branch name, and then "
                         "try again.", "JobFailed")
                return
            found = revision(config, repo.commits[commit_id])
            job.execution.source_revisions[name] = found
        commit = repo.commits[found["revisionId"]]
        job.write_output(job.output_names[0], zip_files(commit.tree))
        date = commit.date.strftime(ISO)
        job.succeed(summary=commit.message.splitlines()[0] if commit.message else "", external_execution_id=commit.id,
                    external_execution_url=found["revisionUrl"],
                    output_variables={"AuthorDate": date, "BranchName": branch, "CommitId": commit.id,
                                      "CommitMessage": commit.message, "CommitterDate": date,
                                      "CommitUrl": f"https://api.github.com/repos/{repo.full_name}/commits/{commit.id}",
                                      "RepositoryName": config["Repo"]})
