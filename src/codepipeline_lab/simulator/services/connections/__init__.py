"""Connections to Git providers: the CodeStar Connections / CodeConnections APIs, the Lab's Git
hosts they reach, and the change detection that starts pipelines from those hosts' events.

moto has neither service; ``simulator/api.py`` routes their requests to response classes of
the Lab's own, on which these handlers are set like the other services' (facts §C, §M1).
"""

from __future__ import annotations

from codepipeline_lab.simulator.services.connections.operations import connection_operations as _operations
from codepipeline_lab.simulator.services.connections.store import SERVICES, Connection, ConnectionStore
from codepipeline_lab.simulator.triggers.git_hosts import GitEvent, GitHosts


class Connections:
    """The account's connections and hosts, and the Lab's Git hosts whose events reach pipelines."""

    def __init__(self, account) -> None:
        self.account = account
        self.store = ConnectionStore(account.lab.ids)
        self.git_hosts = GitHosts(lambda: account.lab.scheduler.now, self._git_event)
        # (execution id, source action) -> the branch a triggered execution was started for
        self.execution_branches: dict[tuple[str, str], str] = {}

    def complete(self, arn: str):
        return self.store.complete(arn)

    def connection_for(self, arn) -> Connection | None:
        return self.store.find_connection(arn)

    def _git_event(self, event: GitEvent) -> None:
        from codepipeline_lab.simulator.triggers.v2_triggers import start_pipelines_for
        start_pipelines_for(self.account, event)


def connection_operations(account) -> dict[str, dict]:
    """Per service name, the handlers of both APIs."""
    return {service: _operations(account.connections, service) for service in SERVICES}
