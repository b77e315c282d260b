"""One reading of the console: everything the widget shows, from boto3 calls made as the console's caller."""

from __future__ import annotations

from botocore.exceptions import ClientError

from codepipeline_lab.console.details import action_details, build_log_tail
from codepipeline_lab.console.errors import shown_error
from codepipeline_lab.console.formatting import clock
from codepipeline_lab.console.history import HISTORY_LENGTH, execution_rows, timelines
from codepipeline_lab.console.stages import stage_views


class Clients:
    """The boto3 clients of one caller: the Lab's administrator, or the IAM user of ``credentials``."""

    def __init__(self, lab, credentials=None) -> None:
        self.lab = lab
        self.credentials = tuple(credentials) if credentials is not None else None

    def __getattr__(self, service: str):
        if service.startswith("_"):
            raise AttributeError(service)
        return self.lab.client(service, credentials=self.credentials)

    def caller(self) -> str:
        """Who the console is signed in as: the account's root for the Lab's administrator, else the
        ARN from sts.get_caller_identity (which needs no permission)."""
        if self.credentials is None:
            return f"arn:aws:iam::{self.lab.account_id}:root"
        try:
            return self.sts.get_caller_identity()["Arn"]
        except ClientError as exc:
            return f"(unknown caller: {shown_error(exc)['code']})"


def read_view(clients: Clients, pipeline_name: str, now, caller: str) -> dict:
    view = {"pipeline": pipeline_name, "version": None, "now": clock(now), "as": caller,
            "stages": [], "executions": [], "timelines": {}, "details": {}, "readError": None}
    try:
        declaration = clients.codepipeline.get_pipeline(name=pipeline_name)["pipeline"]
        state = clients.codepipeline.get_pipeline_state(name=pipeline_name)
    except ClientError as exc:
        view["readError"] = shown_error(exc)
        return view
    view["version"] = declaration.get("version")
    view["stages"] = stage_views(declaration, state, now)
    try:
        summaries = clients.codepipeline.list_pipeline_executions(
            pipelineName=pipeline_name, maxResults=HISTORY_LENGTH)["pipelineExecutionSummaries"]
        runs = all_action_executions(clients.codepipeline, pipeline_name)
    except ClientError as exc:
        view["readError"] = shown_error(exc)
        return view
    view["executions"] = execution_rows(summaries, now)
    view["timelines"] = timelines(runs, [row["id"] for row in view["executions"]])
    view["details"] = shown_details(clients, view["stages"], runs)
    return view


def all_action_executions(codepipeline, pipeline_name: str) -> list[dict]:
    found, token = [], None
    while True:
        page = codepipeline.list_action_executions(pipelineName=pipeline_name, maxResults=100,
                                                   **({"nextToken": token} if token else {}))
        found.extend(page.get("actionExecutionDetails", []))
        token = page.get("nextToken")
        if not token:
            return found


def shown_details(clients: Clients, stages: list[dict], runs: list[dict]) -> dict[str, dict]:
    """Details of the action runs on the pipeline view (the ones "View details" opens), with build log tails."""
    by_id = {run["actionExecutionId"]: run for run in runs}
    details = {}
    for stage in stages:
        for action in stage["actions"]:
            run = by_id.get(action["detail"])
            if run is None:
                continue
            shown = action_details(run)
            if action["provider"] == "CodeBuild" and shown["external"]:
                shown["log"] = build_log_tail(clients.codebuild, clients.logs, shown["external"])
            details[action["detail"]] = shown
    return details
