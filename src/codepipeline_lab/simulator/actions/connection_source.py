"""Source/AWS/CodeStarSourceConnection: a branch of a GitHub, Bitbucket or GitLab repository,
reached through a connection (facts §A4, §M2).

``OutputArtifactFormat`` ``CODE_ZIP`` (default) zips the commit's files; ``CODEBUILD_CLONE_REF``
writes a reference that only CodeBuild can use: the build clones the repository itself, as
its own role (``services/connections/clone_ref.py``). The pipeline's role needs
``codestar-connections:UseConnection`` (``codeconnections:`` for a connection with a
codeconnections ARN) on the connection, and the connection must be AVAILABLE.
"""

from __future__ import annotations

import json
from datetime import timedelta

from codepipeline_lab.simulator.actions.base import Provider, register
from codepipeline_lab.simulator.artifacts import zip_files
from codepipeline_lab.simulator.identity.failures import role_cannot_access
from codepipeline_lab.simulator.services.connections import clone_ref
from codepipeline_lab.simulator.services.connections.store import parse_arn

COMMIT_URLS = {"GitHub": "https://github.com/{repo}/commit/{commit}",
               "Bitbucket": "https://bitbucket.org/{repo}/commits/{commit}",
               "GitLab": "https://gitlab.com/{repo}/-/commit/{commit}"}


class SourceProblem(Exception):
    pass


@register
class ConnectionSource(Provider):
    category = "Source"
    provider = "CodeStarSourceConnection"
    duration = timedelta(seconds=6)

    # -- the revision an execution starts from ------------------------------------------------------
    def source_revision(self, context) -> dict | None:
        config = context.action.get("configuration", {})
        try:
            repo, host = _repository(context.engine.account, config)
        except SourceProblem:
            return None
        override = context.override or {}
        if override.get("revisionType") == "COMMIT_ID":
            commit = repo.commits.get(override.get("revisionValue"))
            branch = override.get("branch") or config.get("BranchName")
        else:
            branch = config.get("BranchName")
            commit = repo.commits.get(repo.branches.get(branch, ""))
        if commit is None:
            return None
        context.engine.account.connections.execution_branches[(context.execution.id, context.action["name"])] = branch
        return revision(host.provider, repo.full_name, commit)

    # -- the action ----------------------------------------------------------------------------------
    def denied_message(self, job, denial) -> str:
        return role_cannot_access(f"the connection {job.configuration.get('ConnectionArn')}", denial)

    def run(self, job) -> None:
        config = job.configuration
        arn = config["ConnectionArn"]
        parts = parse_arn(arn)
        if parts is None or parts[3] != "connection":
            job.fail(f"ConnectionArn {arn} is not the ARN of a connection (arn:aws:codestar-connections:<region>:<account>:connection/<id>)", "ConfigurationError")
            return
        job.require(parts[0], "UseConnection", arn, {"ConnectionArn": arn})
        account = job.engine.account
        connection = account.connections.connection_for(arn)
        if connection is None or connection.owner != account.account_id:
            job.fail(f"Connection {arn} not found. Check the ConnectionArn of action {job.action['name']}.", "ConfigurationError")
            return
        if connection.status != "AVAILABLE":
            job.fail(f"Connection {arn} is not available: its status is {connection.status}. "
                     "A connection created with the CLI, an SDK or CloudFormation stays PENDING until its handshake "
                     "is completed in the console; complete it, then retry the stage.", "JobFailed")
            return
        try:
            repo, host = _repository(account, config)
        except SourceProblem as problem:
            job.fail(str(problem), "JobFailed")
            return
        name = job.action["name"]
        found = job.execution.source_revisions.get(name)
        if found is None:       # nothing to read at the start (e.g. the connection was PENDING): read it now
            head = repo.branches.get(config["BranchName"])
            if head is None:
                job.fail(f"The action failed because no branch named {config['BranchName']} was found in the selected "
                         f"{host.provider} repository {repo.full_name}. Make sure you are using the correct branch name, "
                         "and then try again.", "JobFailed")
                return
            found = revision(host.provider, repo.full_name, repo.commits[head])
            job.execution.source_revisions[name] = found
        commit = repo.commits[found["revisionId"]]
        branch = account.connections.execution_branches.get((job.execution.id, name), config["BranchName"])
        output_format = config.get("OutputArtifactFormat", "CODE_ZIP")
        if output_format == "CODEBUILD_CLONE_REF":
            data = clone_ref.reference(connection, host.provider, repo.full_name, branch, commit.id)
        else:
            data = commit.tree
        job.write_output(job.output_names[0], zip_files(data))
        job.succeed(summary=commit.message.splitlines()[0] if commit.message else "", external_execution_id=commit.id,
                    external_execution_url=found["revisionUrl"],
                    output_variables={"AuthorDate": commit.date.strftime("%Y-%m-%dT%H:%M:%SZ"), "BranchName": branch,
                                      "CommitId": commit.id, "CommitMessage": commit.message,
                                      "ConnectionArn": arn, "FullRepositoryName": repo.full_name})


def revision(provider: str, full_name: str, commit) -> dict:
    return {"revisionId": commit.id, "revisionChangeIdentifier": commit.id,
            "revisionSummary": json.dumps({"ProviderType": provider, "CommitMessage": commit.message}),
            "created": commit.date,
            "revisionUrl": COMMIT_URLS[provider].format(repo=full_name, commit=commit.id)}


def _repository(account, config: dict):
    """The repository the action's connection points to, on the Lab's host for its provider."""
    connection = account.connections.connection_for(config.get("ConnectionArn"))
    if connection is None:
        raise SourceProblem(f"Connection {config.get('ConnectionArn')} not found")
    host = account.connections.git_hosts.find(connection.provider_type)
    full_name = config.get("FullRepositoryId")
    repo = host.repositories.get(full_name) if host else None
    if repo is None:
        raise SourceProblem(f"Could not access the repository {full_name} through connection {connection.arn}: "
                            f"{connection.provider_type} has no such repository, or the connection's app cannot reach it.")
    return repo, host
