"""What every stand-in of the outside world shares: a server on 127.0.0.1 (a free port), run on
its own thread from the first use, and closed with its thread when the Lab stops."""

from __future__ import annotations

import threading


class LoopbackServer:
    """Subclasses say how to make their server (``_make_server``) and name their thread."""

    thread_name = "lab-loopback"

    def __init__(self) -> None:
        self._server = None
        self._thread: threading.Thread | None = None

    def _make_server(self):
        raise NotImplementedError

    def start(self) -> None:
        if self._server is None:
            self._server = self._make_server()
            self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05},
                                            name=self.thread_name, daemon=True)
            self._thread.start()

    @property
    def url(self) -> str:
        self.start()
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    @property
    def listening(self) -> bool:
        return self._server is not None

    def stop(self) -> None:
        """Close the socket and wait for the server's thread: nothing keeps listening."""
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._thread.join()
            self._server, self._thread = None, None
