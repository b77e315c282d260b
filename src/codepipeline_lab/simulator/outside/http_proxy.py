"""Load balancers that answer HTTP: a forward proxy on 127.0.0.1 through which ``curl``,
``urllib`` or ``requests`` reach the Lab's Application Load Balancers by their DNS names.

A request for ``http://<DNSName>/<path>`` is answered as the load balancer would answer it:
the listener on the port, its rules by priority (else the default actions), then a fixed
response, a redirect, or a forward to a target group — a Lambda function runs in-process with
ALB's event, an instance or IP target gives the Lab's stand-in answer (see "Load balancers over
HTTP" in docs/simulation-notes.md). Any other host gets a 502 that says the Lab reaches no real
network: the proxy never opens a connection of its own.

Requests arrive on the server's threads, possibly while the Lab's own thread is waiting for a
build's ``curl``; one lock makes sure the simulator is touched by one request at a time.
"""

from __future__ import annotations

import base64
import ipaddress
import json
import re
import threading
from dataclasses import dataclass, field
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

from codepipeline_lab.simulator import api
from codepipeline_lab.simulator.outside.loopback import LoopbackServer

RESPONSE_TAG = "codepipeline-lab:response"      # on a target group: what its instance/IP targets answer
ALB_SERVER = "awselb/2.0"
WAIT_SECONDS = 30                               # how long a request waits for the one before it                       # the Server header of answers the load balancer makes itself
_TEXT_TYPES = ("text/", "application/json", "application/javascript", "application/xml")


@dataclass
class HttpRequest:
    method: str
    host: str                       # lower case, without the port
    port: int
    path: str                       # as sent, without the query
    query: str                      # as sent, without the "?"
    headers: list[tuple[str, str]]  # as sent, in order
    body: bytes = b""
    client: str = "127.0.0.1"

    def header(self, name: str) -> str | None:
        found = [value for key, value in self.headers if key.lower() == name.lower()]
        return found[-1] if found else None


@dataclass
class HttpResponse:
    status: int
    body: bytes = b""
    headers: list[tuple[str, str]] = field(default_factory=list)
    reason: str | None = None


def _text(status: int, message: str, server: str | None = ALB_SERVER) -> HttpResponse:
    headers = [("Content-Type", "text/plain; charset=utf-8")] + ([("Server", server)] if server else [])
    return HttpResponse(status, (message.rstrip("\n") + "\n").encode(), headers)


# -- the server --------------------------------------------------------------------------------

class HttpProxy(LoopbackServer):
    """An HTTP forward proxy on 127.0.0.1 (a free port) answering for the Lab's load balancers."""

    thread_name = "lab-http-proxy"

    def __init__(self, account) -> None:
        super().__init__()
        self.account = account
        self._lock = threading.Lock()
        self._turns: dict[str, int] = {}                # round-robin positions, per target group
        self._weights: dict[str, dict[str, int]] = {}   # smooth weighted round-robin, per forward action
        self._requests = 0

    def _make_server(self):
        server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        server.daemon_threads = True
        return server

    def answer(self, request: HttpRequest) -> HttpResponse:
        """What the Lab's network answers to one request (one request at a time)."""
        if not self._lock.acquire(timeout=WAIT_SECONDS):
            return _text(504, f"504 Gateway Timeout: another request held the Lab's proxy for {WAIT_SECONDS} s (a Lambda "
                              "target calling a load balancer through the proxy waits for itself).", server=None)
        try:
            self._requests += 1
            balancer = api.load_balancer_by_dns_name(request.host)
            if balancer is None:
                return _text(502, f"502 Bad Gateway: the Lab reaches no real network, and {request.host} is not the DNS "
                                  "name of a load balancer in the Lab. Nothing was sent anywhere.", server=None)
            return _LoadBalancerAnswer(self, balancer, request).answer()
        finally:
            self._lock.release()

    # deterministic choices, kept for the proxy's lifetime
    def next_turn(self, key: str, count: int) -> int:
        turn = self._turns.get(key, 0)
        self._turns[key] = turn + 1
        return turn % count

    def weighted_choice(self, key: str, weights: list[tuple[str, int]]) -> str:
        """Smooth weighted round-robin: with weights 2 and 1 the sequence is A, B, A, A, B, A …"""
        current = self._weights.setdefault(key, {})
        total = sum(weight for _, weight in weights)
        for arn, weight in weights:
            current[arn] = current.get(arn, 0) + weight
        chosen = max(weights, key=lambda item: current[item[0]])[0]     # first of the largest, in listed order
        current[chosen] -= total
        return chosen

    def trace_id(self) -> str:
        seconds = int(self.account.lab.scheduler.now.timestamp())
        return f"Root=1-{seconds:08x}-{self._requests:024x}"


# -- one request to one load balancer ----------------------------------------------------------

class _LoadBalancerAnswer:
    def __init__(self, proxy: HttpProxy, balancer: api.LoadBalancer, request: HttpRequest) -> None:
        self.proxy, self.balancer, self.request = proxy, balancer, request

    def answer(self) -> HttpResponse:
        balancer, request = self.balancer, self.request
        if balancer.type != "application":
            return _text(502, f"502 Bad Gateway: {balancer.name} is a {balancer.type} load balancer; the Lab answers HTTP "
                              "for Application Load Balancers only.", server=None)
        listener = next((found for found in balancer.listeners if found.port == request.port), None)
        if listener is None:
            return _text(502, f"502 Bad Gateway: {balancer.name} has no listener on port {request.port}; a real client "
                              "would get no connection at all.", server=None)
        if listener.protocol != "HTTP":
            return _text(502, f"502 Bad Gateway: the listener of {balancer.name} on port {request.port} speaks "
                              f"{listener.protocol}; the Lab's proxy carries plain HTTP only.", server=None)
        rule = next(rule for rule in listener.rules if rule.priority is None or _rule_matches(rule, request))
        return self.act(rule)

    def act(self, rule: api.ListenerRule) -> HttpResponse:
        actions = sorted(rule.actions, key=lambda action: action.get("Order", 0))
        for action in actions:
            kind = action.get("Type")
            if kind == "fixed-response":
                return _fixed_response(action.get("FixedResponseConfig") or {})
            if kind == "redirect":
                return _redirect(action.get("RedirectConfig") or {}, self.request)
            if kind == "forward":
                return self.forward(rule.arn, action)
            if kind in ("authenticate-oidc", "authenticate-cognito"):
                return _text(501, f"501 Not Implemented: the Lab does not simulate the {kind} action of {self.balancer.name}.")
        return _text(500, f"500 Internal Server Error: rule {rule.arn} has no action the Lab can take.")

    def forward(self, rule_arn: str, action: dict) -> HttpResponse:
        groups = [(group["TargetGroupArn"], int(group.get("Weight", 1)))
                  for group in (action.get("ForwardConfig") or {}).get("TargetGroups", [])]
        if action.get("TargetGroupArn"):
            arn = action["TargetGroupArn"]
        elif [group for group in groups if group[1] > 0]:
            arn = self.proxy.weighted_choice(rule_arn, [group for group in groups if group[1] > 0])
        else:
            return _text(503, "503 Service Temporarily Unavailable: the forward action has no target group with a weight above 0.")
        group = api.elbv2_target_group(arn)
        if group is None:
            return _text(503, f"503 Service Temporarily Unavailable: target group {arn} does not exist.")
        if group.target_type == "lambda":
            return _LambdaTarget(self.proxy, group, self.request).answer()
        healthy = [target for target in group.targets if target[2] == "healthy"]
        if not healthy:
            return _text(503, f"503 Service Temporarily Unavailable: target group {group.name} has no healthy targets "
                              f"({len(group.targets)} registered).")
        target = healthy[self.proxy.next_turn(group.arn, len(healthy))]
        return _instance_answer(group, target)


# -- rules ---------------------------------------------------------------------------------------

def _wildcard(pattern: str, case_sensitive: bool) -> re.Pattern:
    """ALB's patterns: ``*`` any characters, ``?`` exactly one; everything else literal."""
    text = "".join(".*" if char == "*" else "." if char == "?" else re.escape(char) for char in pattern)
    return re.compile(text, 0 if case_sensitive else re.IGNORECASE | re.DOTALL)


def _values(condition: dict, config: str) -> list:
    return list(condition.get("Values") or (condition.get(config) or {}).get("Values") or [])


def _any(patterns: list[str], value: str | None, case_sensitive: bool = False) -> bool:
    return value is not None and any(_wildcard(pattern, case_sensitive).fullmatch(value) for pattern in patterns)


def _query_pairs(query: str) -> list[tuple[str, str]]:
    return [tuple(part.split("=", 1)) if "=" in part else (part, "") for part in query.split("&") if part]


def _condition_matches(condition: dict, request: HttpRequest) -> bool:
    kind = condition.get("Field")
    if kind == "path-pattern":
        return _any(_values(condition, "PathPatternConfig"), request.path, case_sensitive=True)
    if kind == "host-header":
        return _any(_values(condition, "HostHeaderConfig"), request.host)
    if kind == "http-header":
        config = condition.get("HttpHeaderConfig") or {}
        name = (config.get("HttpHeaderName") or "").lower()
        return any(_any(config.get("Values") or [], value) for key, value in request.headers if key.lower() == name)
    if kind == "http-request-method":
        return request.method in _values(condition, "HttpRequestMethodConfig")
    if kind == "query-string":
        wanted = (condition.get("QueryStringConfig") or {}).get("Values") or []
        return any((pair.get("Key") is None or _any([pair["Key"]], key)) and _any([pair.get("Value", "")], value)
                   for pair in wanted for key, value in _query_pairs(request.query))
    if kind == "source-ip":
        client = ipaddress.ip_address(request.client)
        return any(client in ipaddress.ip_network(cidr, strict=False) for cidr in _values(condition, "SourceIpConfig"))
    return False


def _rule_matches(rule: api.ListenerRule, request: HttpRequest) -> bool:
    return all(_condition_matches(condition, request) for condition in rule.conditions)


# -- actions the load balancer answers itself ----------------------------------------------------

def _fixed_response(config: dict) -> HttpResponse:
    headers = [("Server", ALB_SERVER)]
    if config.get("ContentType"):
        headers.insert(0, ("Content-Type", config["ContentType"]))
    return HttpResponse(int(config.get("StatusCode", 200)), (config.get("MessageBody") or "").encode(), headers)


def _redirect(config: dict, request: HttpRequest) -> HttpResponse:
    """Each part defaults to the request's own (``#{protocol}``, ``#{host}``, ``#{port}``,
    ``/#{path}``, ``#{query}``); the keywords may also be used inside the configured values."""
    words = {"protocol": "http", "host": request.host, "port": str(request.port),
             "path": request.path.lstrip("/"), "query": request.query}

    def part(name: str, default: str) -> str:
        return re.sub(r"#\{(\w+)\}", lambda found: words.get(found.group(1), found.group(0)), config.get(name) or default)

    protocol = part("Protocol", "#{protocol}").lower()
    port = part("Port", "#{port}")
    path = part("Path", "/#{path}")
    query = part("Query", "#{query}")
    shown_port = "" if (protocol, port) in (("http", "80"), ("https", "443")) else f":{port}"
    location = f"{protocol}://{part('Host', '#{host}')}{shown_port}{path}" + (f"?{query}" if query else "")
    status = 302 if config.get("StatusCode") == "HTTP_302" else 301
    return HttpResponse(status, b"", [("Location", location), ("Server", ALB_SERVER)])


def _instance_answer(group: api.TargetGroup, target: tuple) -> HttpResponse:
    """The Lab runs no software on instances: a target answers what its group's tag says, or
    200 with a sentence saying which simulated target answered."""
    target_id, port, _ = target
    tagged = group.tags.get(RESPONSE_TAG)
    if tagged:
        status, _, rest = tagged.strip().partition(" ")
        content_type, _, body = rest.partition(" ") if "/" in rest.split(" ", 1)[0] else ("text/plain", "", rest)
        if status.isdigit() and len(status) == 3:
            return HttpResponse(int(status), body.encode(), [("Content-Type", content_type)])
        return _text(502, f"502 Bad Gateway: the {RESPONSE_TAG} tag of {group.name} should read "
                          f"'<status> [<content type>] <body>', e.g. '200 text/plain OK'; it reads {tagged!r}.")
    kind = "instance" if group.target_type == "instance" else "target"
    return _text(200, f"simulated {kind} {target_id} (port {port}) of target group {group.name}: the Lab runs no software "
                      f"on targets; tag the target group {RESPONSE_TAG} = '<status> [<content type>] <body>' to choose "
                      "this answer.", server=None)


# -- Lambda targets ------------------------------------------------------------------------------

class _LambdaTarget:
    def __init__(self, proxy: HttpProxy, group: api.TargetGroup, request: HttpRequest) -> None:
        self.proxy, self.group, self.request = proxy, group, request
        self.multi_value = str(group.attributes.get("lambda.multi_value_headers.enabled", "false")).lower() == "true"

    def answer(self) -> HttpResponse:
        if not self.group.targets:
            return _text(503, f"503 Service Temporarily Unavailable: target group {self.group.name} has no Lambda function registered.")
        function_arn = self.group.targets[0][0]
        # the function is in the target group's account and region (as ALB requires), which
        # need not be the Lab's own account: look it up there, run it through the Lab's runtime
        function = api.lambda_function(self.group.account_id, self.group.region, function_arn)
        if function is None:
            return _text(502, f"502 Bad Gateway: the Lambda function {function_arn} registered in {self.group.name} does not exist.")
        invocation = self.proxy.account.lambda_service.run(function, self.event())
        if invocation.error:
            error = invocation.error
            return _text(502, f"502 Bad Gateway: the Lambda function {function.name} failed: "
                              f"{error.get('errorType', 'Error')}: {error.get('errorMessage', '')}")
        return self.response(function.name, invocation.payload)

    def event(self) -> dict:
        request = self.request
        headers = [(name.lower(), value) for name, value in request.headers if not name.lower().startswith("proxy-")]
        headers += [("x-amzn-trace-id", self.proxy.trace_id()), ("x-forwarded-for", request.client),
                    ("x-forwarded-port", str(request.port)), ("x-forwarded-proto", "http")]
        body, encoded = _event_body(request)
        event = {"requestContext": {"elb": {"targetGroupArn": self.group.arn}}, "httpMethod": request.method,
                 "path": request.path}
        pairs = _query_pairs(request.query)
        if self.multi_value:
            event["multiValueQueryStringParameters"] = _grouped(pairs)
            event["multiValueHeaders"] = _grouped(headers)
        else:
            event["queryStringParameters"] = dict(pairs)        # the last value of a repeated name
            event["headers"] = dict(headers)
        event.update(body=body, isBase64Encoded=encoded)
        return event

    def response(self, name: str, payload: bytes) -> HttpResponse:
        try:
            answer = json.loads(payload or b"null")
            status = int(answer["statusCode"])
            if answer.get("isBase64Encoded"):
                body = base64.b64decode(answer.get("body") or "")
            else:
                body = (answer.get("body") or "").encode()
        except (ValueError, TypeError, KeyError, AttributeError) as problem:
            return _text(502, f"502 Bad Gateway: the Lambda function {name} answered without a valid response for a load "
                              f"balancer (a JSON object with statusCode, headers, body): {type(problem).__name__}: {problem}")
        headers = []
        if self.multi_value:
            for key, values in (answer.get("multiValueHeaders") or {}).items():
                headers += [(key, str(value)) for value in values]
        else:
            headers = [(key, str(value)) for key, value in (answer.get("headers") or {}).items()]
        reason = (answer.get("statusDescription") or "").partition(" ")[2] or None
        return HttpResponse(status, body, headers, reason)


def _event_body(request: HttpRequest) -> tuple[str, bool]:
    """Text bodies as they are; a binary or content-encoded body base64-encoded."""
    if not request.body:
        return "", False
    content_type = (request.header("content-type") or "").lower()
    if not request.header("content-encoding") and content_type.startswith(_TEXT_TYPES):
        try:
            return request.body.decode("utf-8"), False
        except UnicodeDecodeError:
            pass
    return base64.b64encode(request.body).decode(), True


def _grouped(pairs: list[tuple[str, str]]) -> dict[str, list[str]]:
    grouped: dict[str, list[str]] = {}
    for key, value in pairs:
        grouped.setdefault(key, []).append(value)
    return grouped


# -- HTTP on the socket --------------------------------------------------------------------------

def _handler_for(proxy: HttpProxy) -> type:
    class Handler(_ProxyRequestHandler):
        pass
    Handler.proxy = proxy
    return Handler


class _ProxyRequestHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    proxy: HttpProxy

    def log_message(self, format, *args) -> None:      # a notebook's output stays clean
        pass

    def do_CONNECT(self) -> None:
        self._send(_text(501, f"501 Not Implemented: the Lab's proxy carries plain HTTP only and cannot open a tunnel to "
                              f"{self.path}; ask for http://… (an HTTPS listener cannot be reached through it).", server=None))

    def _serve(self) -> None:
        try:
            request = self._request()
        except ValueError as problem:
            self._send(_text(400, f"400 Bad Request: {problem}", server=None))
            return
        if request is None:
            self.do_CONNECT()
            return
        try:
            response = self.proxy.answer(request)
        except Exception as problem:  # an answer, never a dropped connection
            response = _text(500, f"500 Internal Server Error: the Lab's proxy failed: {type(problem).__name__}: {problem}", server=None)
        self._send(response)

    do_GET = do_HEAD = do_POST = do_PUT = do_DELETE = do_PATCH = do_OPTIONS = _serve

    def _request(self) -> HttpRequest | None:
        """The request, from the absolute form (``GET http://host/path``) or the origin form with a
        Host header; None for an https:// URL."""
        target = self.path
        if target.lower().startswith("https://"):
            return None
        if target.lower().startswith("http://"):
            parts = urlsplit(target)
            host, port = parts.hostname or "", parts.port or 80
            path, query = parts.path or "/", parts.query
        else:
            host_header = self.headers.get("Host") or ""
            if not host_header:
                raise ValueError("the request names no host (absolute URL or Host header)")
            parts = urlsplit(f"http://{host_header}")
            host, port = parts.hostname or "", parts.port or 80
            path, _, query = target.partition("?")
        return HttpRequest(self.command, host.lower(), port, path, query, list(self.headers.items()), self._body(),
                           self.client_address[0])

    def _body(self) -> bytes:
        if (self.headers.get("Transfer-Encoding") or "").lower() == "chunked":
            chunks = []
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline().strip():      # trailers, up to the empty line
                        pass
                    return b"".join(chunks)
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def _send(self, response: HttpResponse) -> None:
        try:
            reason = response.reason or HTTPStatus(response.status).phrase
        except ValueError:
            reason = ""
        self.send_response_only(response.status, reason)
        skipped = {"content-length", "connection", "transfer-encoding"}
        for name, value in response.headers:
            if name.lower() not in skipped:
                self.send_header(name, value)
        self.send_header("Content-Length", str(len(response.body)))
        self.send_header("Connection", "close")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(response.body)
        self.close_connection = True
