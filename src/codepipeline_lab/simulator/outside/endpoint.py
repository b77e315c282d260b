"""The Lab's account over HTTP, for processes other than the Lab's own: build shells, the AWS
CLI, a learner's terminal.

moto's server application runs in this process, so it answers from the same state as the
Lab's boto3 clients, through the same simulator handlers and the same authorizer: a call made
with a role session's keys is authorized and audited as that role.
"""

from __future__ import annotations

import threading

from codepipeline_lab.simulator import api


class AccountEndpoint:
    def __init__(self) -> None:
        self._server = None
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        if self._server is None:
            self._server = api.account_http_server("127.0.0.1", 0)     # port 0: a free port
            self._thread = threading.Thread(target=self._server.serve_forever, name="lab-endpoint", daemon=True)
            self._thread.start()

    @property
    def url(self) -> str:
        self.start()
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def stop(self) -> None:
        """Close the socket and wait for the server's thread: nothing keeps listening."""
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._thread.join()
            self._server, self._thread = None, None
