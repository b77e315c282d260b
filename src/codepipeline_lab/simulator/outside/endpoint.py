"""The Lab's account over HTTP, for processes other than the Lab's own: build shells, the AWS
CLI, a learner's terminal.

moto's server application runs in this process, so it answers from the same state as the
Lab's boto3 clients, through the same simulator handlers and the same authorizer: a call made
with a role session's keys is authorized and audited as that role.
"""

from __future__ import annotations

from codepipeline_lab.simulator import api
from codepipeline_lab.simulator.outside.loopback import LoopbackServer


class AccountEndpoint(LoopbackServer):
    thread_name = "lab-endpoint"

    def _make_server(self):
        return api.account_http_server("127.0.0.1", 0)     # port 0: a free port
