"""CodePipeline's declaration operations, in AWS's request and response shapes."""

from __future__ import annotations

import copy

from codepipeline_lab.simulator import errors
from codepipeline_lab.simulator.params import required


def pipeline_operations(account) -> dict:
    store = account.pipelines

    def create_pipeline(params, ctx):
        pipeline = store.create(ctx.region, required(params, "pipeline"), params.get("tags"))
        try:
            account_hooks(account, "pipeline_created", pipeline)
        except Exception:
            # A CreatePipeline that fails must leave nothing behind.
            store.delete(ctx.region, pipeline.name)
            account_hooks(account, "pipeline_deleted", pipeline)
            raise
        return {"pipeline": pipeline.declaration, "tags": params.get("tags") or []}

    def update_pipeline(params, ctx):
        pipeline = store.update(ctx.region, required(params, "pipeline"))
        account_hooks(account, "pipeline_updated", pipeline)
        return {"pipeline": pipeline.declaration}

    def get_pipeline(params, ctx):
        name = required(params, "name")
        declaration = masked(store.declaration(ctx.region, name, params.get("version")))
        return {"pipeline": declaration, "metadata": store.get(ctx.region, name).metadata()}

    def list_pipelines(params, ctx):
        return store.summaries(ctx.region, params.get("nextToken"), params.get("maxResults"))

    def delete_pipeline(params, ctx):
        pipeline = store.delete(ctx.region, required(params, "name"))
        if pipeline is not None:
            account_hooks(account, "pipeline_deleted", pipeline)
        return {}

    def list_tags_for_resource(params, ctx):
        pipeline = store.by_arn(required(params, "resourceArn"))
        return {"tags": [{"key": k, "value": v} for k, v in sorted(pipeline.tags.items())]}

    def tag_resource(params, ctx):
        pipeline = store.by_arn(required(params, "resourceArn"))
        for tag in required(params, "tags"):
            pipeline.tags[tag["key"]] = tag["value"]
        if len(pipeline.tags) > 50:
            raise errors.TooManyTagsException(f"A resource can have at most 50 tags; {pipeline.arn} would have {len(pipeline.tags)}")
        return {}

    def untag_resource(params, ctx):
        pipeline = store.by_arn(required(params, "resourceArn"))
        for key in required(params, "tagKeys"):
            pipeline.tags.pop(key, None)
        return {}

    return {f.__name__: f for f in (create_pipeline, update_pipeline, get_pipeline, list_pipelines,
                                    delete_pipeline, list_tags_for_resource, tag_resource, untag_resource)}


def masked(declaration: dict) -> dict:
    """The declaration as GetPipeline shows it: a GitHub (version 1) action's OAuthToken is
    ``****`` (facts §A4). The stored declaration keeps the token."""
    if not any(a.get("actionTypeId", {}).get("owner") == "ThirdParty" and "OAuthToken" in (a.get("configuration") or {})
               for stage in declaration.get("stages", []) for a in stage.get("actions", [])):
        return declaration
    shown = copy.deepcopy(declaration)
    for stage in shown.get("stages", []):
        for action in stage.get("actions", []):
            kind = action.get("actionTypeId", {})
            if (kind.get("owner"), kind.get("provider")) == ("ThirdParty", "GitHub") and "OAuthToken" in (action.get("configuration") or {}):
                action["configuration"]["OAuthToken"] = "****"
    return shown


def account_hooks(account, event: str, pipeline) -> None:
    """Tell the execution engine (when there is one) what happened to a pipeline."""
    engine = getattr(account, "engine", None)
    if engine is not None:
        getattr(engine, event)(pipeline)
    for watcher in getattr(account, "pipeline_watchers", ()):     # polling schedules, webhooks, triggers
        getattr(watcher, event, lambda _pipeline: None)(pipeline)
