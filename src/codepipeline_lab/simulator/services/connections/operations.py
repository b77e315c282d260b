"""The CodeStar Connections / CodeConnections operations, in AWS's request and response shapes
(botocore ``codestar-connections/2019-12-01`` and ``codeconnections/2023-12-01``)."""

from __future__ import annotations

from codepipeline_lab.simulator.services.connections.store import ValidationException


def _page(items: list, params: dict) -> tuple[list, str | None]:
    size = params.get("MaxResults") or 100          # the model allows 0; AWS then uses its default
    token = params.get("NextToken")
    start = 0
    if token is not None:
        if not (isinstance(token, str) and token.isdigit() and int(token) <= len(items)):
            raise ValidationException(f"NextToken {token!r} is not valid for this list")
        start = int(token)
    end = start + size
    return items[start:end], (str(end) if end < len(items) else None)


def connection_operations(connections, service: str) -> dict:
    """Handlers (by snake_case operation name) of one of the two APIs over the shared store."""
    store = connections.store

    def create_connection(params: dict, ctx) -> dict:
        made = store.create_connection(service, ctx.account_id, ctx.region, params["ConnectionName"], params.get("ProviderType"),
                                       params.get("HostArn"), params.get("ProviderEndpoint"), params.get("Tags") or [])
        return {"ConnectionArn": made.arn, "Tags": made.tags}

    def get_connection(params: dict, ctx) -> dict:
        return {"Connection": store.connection(params["ConnectionArn"], ctx.account_id, ctx.region).shape()}

    def list_connections(params: dict, ctx) -> dict:
        provider, host = params.get("ProviderTypeFilter"), params.get("HostArnFilter")
        found = [c for c in store.connections.values() if c.owner == ctx.account_id and c.region == ctx.region
                 and (provider is None or c.provider_type == provider)
                 and (host is None or (c.host_arn and store.find_host(host) is store.find_host(c.host_arn)))]
        page, token = _page(found, params)
        return {"Connections": [c.shape() for c in page], **({"NextToken": token} if token else {})}

    def delete_connection(params: dict, ctx) -> dict:
        store.delete(params["ConnectionArn"], ctx.account_id, ctx.region, "connection")
        return {}

    def create_host(params: dict, ctx) -> dict:
        made = store.create_host(service, ctx.account_id, ctx.region, params["Name"], params["ProviderType"],
                                 params["ProviderEndpoint"], params.get("VpcConfiguration"), params.get("Tags") or [])
        return {"HostArn": made.arn, "Tags": made.tags}

    def get_host(params: dict, ctx) -> dict:
        return store.host(params["HostArn"], ctx.account_id, ctx.region).shape(with_arn=False)

    def list_hosts(params: dict, ctx) -> dict:
        found = [h for h in store.hosts.values() if h.owner == ctx.account_id and h.region == ctx.region]
        page, token = _page(found, params)
        return {"Hosts": [h.shape() for h in page], **({"NextToken": token} if token else {})}

    def delete_host(params: dict, ctx) -> dict:
        store.delete(params["HostArn"], ctx.account_id, ctx.region, "host")
        return {}

    def tag_resource(params: dict, ctx) -> dict:
        store.tag(store.resource(params["ResourceArn"], ctx.account_id, ctx.region), params.get("Tags") or [])
        return {}

    def untag_resource(params: dict, ctx) -> dict:
        store.untag(store.resource(params["ResourceArn"], ctx.account_id, ctx.region), params.get("TagKeys") or [])
        return {}

    def list_tags_for_resource(params: dict, ctx) -> dict:
        return {"Tags": list(store.resource(params["ResourceArn"], ctx.account_id, ctx.region).tags)}

    return {f.__name__: f for f in (create_connection, get_connection, list_connections, delete_connection, create_host,
                                    get_host, list_hosts, delete_host, tag_resource, untag_resource, list_tags_for_resource)}
