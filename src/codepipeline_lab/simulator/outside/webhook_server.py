"""The listener behind CodePipeline webhook URLs: a small HTTP server on 127.0.0.1, started by
the first PutWebhook and closed when the Lab stops.

``POST /trigger?t=<token>&v=1`` is handed to the account's webhooks (``triggers/webhooks.py``),
which check the request and may start a pipeline. Requests arrive on the server's threads; one
lock makes sure the simulator is touched by one request at a time.
"""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

from codepipeline_lab.simulator.outside.loopback import LoopbackServer

MAX_BODY = 25 * 1024 * 1024          # GitHub caps webhook payloads at 25 MB


class WebhookServer(LoopbackServer):
    thread_name = "lab-webhooks"

    def __init__(self, webhooks) -> None:
        super().__init__()
        self._webhooks = webhooks
        self._lock = threading.Lock()

    def _make_server(self):
        server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_class(self))
        server.daemon_threads = True
        return server

    def handle(self, path: str, headers: dict, body: bytes, client_ip: str):
        split = urlsplit(path)
        token = (parse_qs(split.query).get("t") or [None])[0]
        with self._lock:
            return self._webhooks.receive(token if split.path == "/trigger" else None, headers, body, client_ip)


def _handler_class(server: WebhookServer) -> type:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            if length > MAX_BODY:
                self._send(413, b'{"message": "The payload is larger than 25 MB"}')
                return
            body = self.rfile.read(length) if length else b""
            try:
                answer = server.handle(self.path, dict(self.headers.items()), body, self.client_address[0])
            except Exception as problem:     # a broken request must not kill the listener
                self._send(500, f'{{"message": "{type(problem).__name__}"}}'.encode())
                return
            self._send(answer.status, answer.body())

        def do_GET(self) -> None:
            self._send(405, b'{"message": "Webhooks accept POST requests only"}', [("Allow", "POST")])

        do_PUT = do_DELETE = do_PATCH = do_GET

        def _send(self, status: int, body: bytes, headers: list | None = None) -> None:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            for name, value in headers or []:
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args) -> None:     # quiet: a notebook's output must stay clean
            pass

    return Handler
