"""Connections and hosts (facts §C, §M1): the resources behind CodeStar Connections and its
renamed twin CodeConnections.

One store serves both APIs: a connection created through ``codestar-connections`` has an
``arn:aws:codestar-connections:…`` ARN, one created through ``codeconnections`` an
``arn:aws:codeconnections:…`` ARN, and either API finds either by either ARN style (AWS
accepts both). Connections and hosts start ``PENDING``; AWS makes them ``AVAILABLE`` only
through the console handshake, which the Lab stands in for with ``lab.complete_connection``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from codepipeline_lab.simulator.errors import _error

ResourceNotFoundException = _error("ResourceNotFoundException")
LimitExceededException = _error("LimitExceededException")
ValidationException = _error("ValidationException")

SERVICES = ("codestar-connections", "codeconnections")
# Provider types whose repositories live on an installed server, reached through a host.
HOST_PROVIDERS = ("GitHubEnterpriseServer", "GitLabSelfManaged")
# Per account and region (the Developer Tools console quotas; see simulation-notes).
MAX_CONNECTIONS, MAX_HOSTS, MAX_TAGS = 250, 50, 200

ARN = re.compile(r"^arn:aws(?:-[\w]+)*:(codestar-connections|codeconnections):([a-z0-9-]+):(\d{12}):(connection|host)/(.+)$")


@dataclass
class Connection:
    arn: str
    name: str
    provider_type: str
    owner: str
    region: str
    status: str = "PENDING"
    host_arn: str | None = None
    provider_endpoint: str | None = None
    tags: list[dict] = field(default_factory=list)

    def shape(self) -> dict:
        shown = {"ConnectionName": self.name, "ConnectionArn": self.arn, "ProviderType": self.provider_type,
                 "OwnerAccountId": self.owner, "ConnectionStatus": self.status}
        if self.host_arn:
            shown["HostArn"] = self.host_arn
        if self.provider_endpoint:
            shown["ProviderEndpoint"] = self.provider_endpoint
        return shown


@dataclass
class Host:
    arn: str
    name: str
    provider_type: str
    provider_endpoint: str
    owner: str
    region: str
    vpc_configuration: dict | None = None
    status: str = "PENDING"
    tags: list[dict] = field(default_factory=list)

    def shape(self, with_arn: bool = True) -> dict:
        shown = {"Name": self.name, "ProviderType": self.provider_type, "ProviderEndpoint": self.provider_endpoint,
                 "Status": self.status}
        if with_arn:
            shown = {"Name": self.name, "HostArn": self.arn, **{k: v for k, v in shown.items() if k != "Name"}}
        if self.vpc_configuration:
            shown["VpcConfiguration"] = self.vpc_configuration
        return shown


def parse_arn(arn) -> tuple[str, str, str, str, str] | None:
    """(service, region, account, kind, id) of a connection or host ARN, or None."""
    match = ARN.match(arn) if isinstance(arn, str) else None
    return match.groups() if match else None


class ConnectionStore:
    def __init__(self, ids) -> None:
        self._ids = ids
        self.connections: dict[tuple, Connection] = {}      # (account, region, id) -> connection
        self.hosts: dict[tuple, Host] = {}                  # (account, region, id) -> host

    # -- lookups (either ARN style) --------------------------------------------------------------
    @staticmethod
    def _key(arn) -> tuple[tuple, str] | None:
        parts = parse_arn(arn)
        return ((parts[2], parts[1], parts[4]), parts[3]) if parts else None

    def find_connection(self, arn) -> Connection | None:
        key = self._key(arn)
        return self.connections.get(key[0]) if key and key[1] == "connection" else None

    def find_host(self, arn) -> Host | None:
        key = self._key(arn)
        return self.hosts.get(key[0]) if key and key[1] == "host" else None

    def connection(self, arn, account: str, region: str) -> Connection:
        found = self.find_connection(arn)
        if found is None or found.owner != account or found.region != region:
            raise ResourceNotFoundException(f"Connection {arn} not found")
        return found

    def host(self, arn, account: str, region: str) -> Host:
        found = self.find_host(arn)
        if found is None or found.owner != account or found.region != region:
            raise ResourceNotFoundException(f"Host {arn} not found")
        return found

    def resource(self, arn, account: str, region: str) -> Connection | Host:
        found = self.find_connection(arn) or self.find_host(arn)
        if found is None or found.owner != account or found.region != region:
            raise ResourceNotFoundException(f"Resource {arn} not found")
        return found

    # -- life cycle --------------------------------------------------------------------------------
    def create_connection(self, service: str, account: str, region: str, name: str, provider_type: str | None,
                          host_arn: str | None, provider_endpoint: str | None, tags: list[dict]) -> Connection:
        if sum(1 for c in self.connections.values() if c.owner == account and c.region == region) >= MAX_CONNECTIONS:
            raise LimitExceededException(f"Exceeded the maximum of {MAX_CONNECTIONS} connections in {region}; delete a connection first")
        host = None
        if host_arn:
            host = self.host(host_arn, account, region)
            if provider_type and provider_type != host.provider_type:
                raise ValidationException(f"ProviderType {provider_type} does not match the host's provider type {host.provider_type}")
        elif not provider_type:
            raise ValidationException("A connection needs a ProviderType, or a HostArn for an installed provider")
        elif provider_type in HOST_PROVIDERS:
            raise ValidationException(f"A {provider_type} connection is created through a host: pass HostArn instead of ProviderType")
        _check_tags(tags)
        uuid = self._ids.uuid()
        connection = Connection(f"arn:aws:{service}:{region}:{account}:connection/{uuid}", name,
                                host.provider_type if host else provider_type, account, region,
                                host_arn=host.arn if host else None, provider_endpoint=provider_endpoint, tags=list(tags))
        self.connections[(account, region, uuid)] = connection
        return connection

    def create_host(self, service: str, account: str, region: str, name: str, provider_type: str, endpoint: str,
                    vpc: dict | None, tags: list[dict]) -> Host:
        if sum(1 for h in self.hosts.values() if h.owner == account and h.region == region) >= MAX_HOSTS:
            raise LimitExceededException(f"Exceeded the maximum of {MAX_HOSTS} hosts in {region}; delete a host first")
        if provider_type not in HOST_PROVIDERS:
            raise ValidationException(f"Hosts are for installed providers ({', '.join(HOST_PROVIDERS)}), not {provider_type}")
        _check_tags(tags)
        suffix = f"{name}-{self._ids.hex(8)}"
        host = Host(f"arn:aws:{service}:{region}:{account}:host/{suffix}", name, provider_type, endpoint, account, region,
                    vpc_configuration=vpc, tags=list(tags))
        self.hosts[(account, region, suffix)] = host
        return host

    def delete(self, arn, account: str, region: str, kind: str) -> None:
        found = self.connection(arn, account, region) if kind == "connection" else self.host(arn, account, region)
        table = self.connections if kind == "connection" else self.hosts
        key = next(k for k, v in table.items() if v is found)
        del table[key]

    def complete(self, arn: str) -> Connection | Host:
        """What the console's "Update pending connection" handshake does: PENDING → AVAILABLE."""
        found = self.find_connection(arn) or self.find_host(arn)
        if found is None:
            raise ValueError(f"No connection or host {arn!r} in this Lab (create it with create_connection first)")
        found.status = "AVAILABLE"
        return found

    def tag(self, resource, tags: list[dict]) -> None:
        merged = {t["Key"]: t.get("Value", "") for t in resource.tags}
        merged.update({t["Key"]: t.get("Value", "") for t in tags})
        if len(merged) > MAX_TAGS:
            raise LimitExceededException(f"A resource can have at most {MAX_TAGS} tags")
        resource.tags = [{"Key": k, "Value": v} for k, v in merged.items()]

    @staticmethod
    def untag(resource, keys: list[str]) -> None:
        resource.tags = [t for t in resource.tags if t["Key"] not in set(keys)]


def _check_tags(tags: list[dict]) -> None:
    if len({t["Key"] for t in tags}) > MAX_TAGS:
        raise LimitExceededException(f"A resource can have at most {MAX_TAGS} tags")
