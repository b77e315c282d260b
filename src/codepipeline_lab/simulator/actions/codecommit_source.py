"""Source/AWS/CodeCommit: the branch's head commit, zipped (OutputArtifactFormat CODE_ZIP)."""

from __future__ import annotations

import json
from datetime import timedelta

from codepipeline_lab.simulator.actions.base import Provider, register
from codepipeline_lab.simulator.artifacts import zip_files
from codepipeline_lab.simulator.identity.failures import role_cannot_access


@register
class CodeCommitSource(Provider):
    category = "Source"
    provider = "CodeCommit"
    duration = timedelta(seconds=4)

    def source_revision(self, context) -> dict | None:
        config = context.action.get("configuration", {})
        repo = context.engine.account.codecommit.repositories.get((context.region, config.get("RepositoryName")))
        if repo is None:
            return None
        if context.override and context.override.get("revisionType") == "COMMIT_ID":
            commit = repo.commits.get(context.override["revisionValue"])
        else:
            commit = repo.commits.get(repo.branches.get(config.get("BranchName")))
        if commit is None:
            return None
        return {
            "revisionId": commit.commit_id,
            "revisionChangeIdentifier": commit.commit_id,
            "revisionSummary": json.dumps({"ProviderType": "CodeCommit", "CommitMessage": commit.message}),
            "created": commit.author.date,
            "revisionUrl": f"https://{context.region}.console.aws.amazon.com/codesuite/codecommit/repositories/{repo.name}/commit/{commit.commit_id}?region={context.region}",
        }

    def denied_message(self, job, denial) -> str:
        return role_cannot_access(f"the AWS CodeCommit repository named {job.configuration['RepositoryName']}", denial)

    def run(self, job) -> None:
        repo_name, branch = job.configuration["RepositoryName"], job.configuration["BranchName"]
        repo = job.engine.account.codecommit.repositories.get((job.region, repo_name))
        revision = job.execution.source_revisions.get(job.action["name"])
        if repo is None:
            job.fail(f"The repository {repo_name} does not exist in {job.region}, or the pipeline role cannot read it.", "JobFailed")
            return
        if revision is None:
            job.fail(f"The action failed because no branch named {branch} was found in the selected AWS CodeCommit repository {repo_name}. "
                     "Make sure you are using the correct branch name, and then try again.", "JobFailed")
            return
        # What CodePipeline calls as the action's role: the branch, the commit, then the archive.
        codecommit = job.client("codecommit")
        codecommit.get_branch(repositoryName=repo_name, branchName=branch)
        codecommit.get_commit(repositoryName=repo_name, commitId=revision["revisionId"])
        job.require("codecommit", "UploadArchive", repository_arn(job, repo_name))
        commit = repo.commits[revision["revisionId"]]
        job.write_output(job.output_names[0], zip_files(commit.tree))
        date = commit.author.date.strftime("%Y-%m-%dT%H:%M:%SZ")
        job.succeed(summary=commit.message, external_execution_id=commit.commit_id,
                    external_execution_url=revision["revisionUrl"],
                    output_variables={"CommitId": commit.commit_id, "CommitMessage": commit.message,
                                      "RepositoryName": repo_name, "BranchName": branch,
                                      "AuthorDate": date, "CommitterDate": date})


def repository_arn(job, name: str) -> str:
    return f"arn:aws:codecommit:{job.region}:{job.engine.account.account_id}:{name}"
