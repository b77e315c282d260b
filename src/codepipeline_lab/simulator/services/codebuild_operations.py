"""CodeBuild's API operations for projects and builds, in AWS's request and response shapes."""

from __future__ import annotations

from codepipeline_lab.simulator import api
from codepipeline_lab.simulator.identity.trust import trusts_service
from codepipeline_lab.simulator.pagination import paginate
from codepipeline_lab.simulator.services.codebuild import (
    InvalidInputException, ResourceAlreadyExistsException, check_request,
)


def codebuild_operations(account) -> dict:
    store = account.codebuild

    def create_project(params, ctx):
        check_request(params, "CreateProjectInput")
        if (ctx.region, params["name"]) in store.projects:
            raise ResourceAlreadyExistsException(f"Project already exists: arn:aws:codebuild:{ctx.region}:{ctx.account_id}:project/{params['name']}")
        _check_service_role(ctx, params["serviceRole"])
        return {"project": store.save_project(ctx.region, params, None)}

    def update_project(params, ctx):
        check_request(params, "UpdateProjectInput")
        existing = store.project(ctx.region, params["name"])
        if params.get("serviceRole"):
            _check_service_role(ctx, params["serviceRole"])
        return {"project": store.save_project(ctx.region, params, existing)}

    def batch_get_projects(params, ctx):
        names = params.get("names") or []
        if not names:
            raise InvalidInputException("names must contain at least 1 project name")
        found, missing = [], []
        for name in names:
            project = store.projects.get((ctx.region, name.split("/")[-1]))
            (found if project else missing).append(project or name)
        return {"projects": found, "projectsNotFound": missing}

    def list_projects(params, ctx):
        names = sorted(name for (region, name) in store.projects if region == ctx.region)
        if params.get("sortOrder") == "DESCENDING":
            names.reverse()
        page, token = paginate(names, params.get("nextToken"), None)
        return {"projects": page, **({"nextToken": token} if token else {})}

    def delete_project(params, ctx):
        store.projects.pop((ctx.region, params.get("name", "").split("/")[-1]), None)
        return {}

    def batch_get_builds(params, ctx):
        ids = params.get("ids") or []
        if not ids:
            raise InvalidInputException("ids must contain at least 1 build id")
        found, missing = [], []
        for build_id in ids:
            build = store.builds.get(build_id.split("/")[-1])
            if build is None or build.region != ctx.region:
                missing.append(build_id)
            else:
                found.append(store.build_shape(build))
        return {"builds": found, "buildsNotFound": missing}

    def list_builds_for_project(params, ctx):
        store.project(ctx.region, params.get("projectName", ""))
        ids = [b.id for b in store.builds.values() if b.region == ctx.region and b.project["name"] == params["projectName"]]
        return _ids_page(ids, params)

    def list_builds(params, ctx):
        return _ids_page([b.id for b in store.builds.values() if b.region == ctx.region], params)

    def start_build(params, ctx):
        project = store.project(ctx.region, params.get("projectName", ""))
        source_type = params.get("sourceTypeOverride") or project.get("source", {}).get("type")
        if source_type != "NO_SOURCE":
            raise InvalidInputException(
                f"The simulator starts builds outside a pipeline only for source type NO_SOURCE (project {project['name']} has {source_type}); "
                "run it from a CodePipeline action, or give the project a NO_SOURCE source with an inline buildspec")
        if params.get("buildspecOverride"):
            project = {**project, "source": {**project["source"], "buildspec": params["buildspecOverride"]}}
            store.projects[(ctx.region, project["name"])] = project
        build = store.run(ctx.region, project["name"], [], [], params.get("environmentVariablesOverride") or [],
                          account.caller_arn(ctx.access_key_id).split(":")[-1], None)
        return {"build": store.build_shape(build)}

    handlers = (create_project, update_project, batch_get_projects, list_projects, delete_project, batch_get_builds,
                list_builds_for_project, list_builds, start_build)
    return {f.__name__: f for f in handlers}


def _ids_page(ids: list[str], params: dict) -> dict:
    ids = list(reversed(ids)) if params.get("sortOrder", "DESCENDING") == "DESCENDING" else ids
    page, token = paginate(ids, params.get("nextToken"), None)
    return {"ids": page, **({"nextToken": token} if token else {})}


def _check_service_role(ctx, role_arn: str) -> None:
    """CodeBuild assumes the project's role: it must exist and trust codebuild.amazonaws.com (facts §I4)."""
    if not role_arn.startswith("arn:"):
        role_arn = f"arn:aws:iam::{ctx.account_id}:role/{role_arn}"
    trust = api.role_trust_policy(role_arn.split(":")[4], role_arn)
    if trust is None or not trusts_service(trust, "codebuild.amazonaws.com"):
        raise InvalidInputException(
            "CodeBuild is not authorized to perform: sts:AssumeRole on service role. Please verify that: "
            "1) The provided service role exists, 2) The role name is case-sensitive and matches exactly, and "
            "3) The role has the necessary trust policy configured.")
