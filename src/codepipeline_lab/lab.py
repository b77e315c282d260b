"""The Lab: one simulated AWS account, a virtual clock, and boto3 clients bound to them."""

from __future__ import annotations

from datetime import datetime, timedelta

import boto3
from botocore.config import Config
from moto import mock_aws
from moto.moto_api._internal import mock_random

from codepipeline_lab.clock import Scheduler
from codepipeline_lab.ids import IdFactory
from codepipeline_lab.sandbox import FAKE_ACCESS_KEY_ID, FAKE_SECRET_ACCESS_KEY, EnvironmentSandbox
from codepipeline_lab.simulator import api
from codepipeline_lab.simulator.account import SimulatedAccount

_active: "Lab | None" = None

# moto runs Lambda functions in Docker by default; the simulator runs Python handlers itself.
_MOTO_CONFIG = {"lambda": {"use_docker": False}, "core": {"reset_boto3_session": True}}


_session: boto3.session.Session | None = None


def _shared_session() -> boto3.session.Session:
    """One botocore session for every Lab: service models are parsed once per process.
    Clients get the Lab's credentials and region explicitly, so the session holds no secrets."""
    global _session
    if _session is None:
        _session = boto3.session.Session()
    return _session


def _check_account_id(account_id) -> None:
    if not (isinstance(account_id, str) and len(account_id) == 12 and account_id.isdigit()):
        raise ValueError(f"account_id must be 12 digits, as AWS account ids are; got {account_id!r}")


def active_lab() -> "Lab | None":
    return _active


class Lab:
    """A sandboxed, simulated AWS account. Use ``with Lab() as lab:`` or ``lab.start()``/``lab.stop()``."""

    def __init__(self, seed: int = 0, region: str = "us-east-1", account_id: str = "123456789012") -> None:
        _check_account_id(account_id)
        if not isinstance(seed, int):
            raise TypeError(f"seed must be an int; got {type(seed).__name__}")
        self.seed = seed
        self.region = region
        self.account_id = account_id
        self._sandbox = EnvironmentSandbox(region, account_id)
        self._mock = None
        self.scheduler: Scheduler | None = None
        self.ids: IdFactory | None = None
        self.account: SimulatedAccount | None = None
        self._session: boto3.session.Session | None = None
        self._clients: dict = {}
        self.admin_keys: dict[str, str] = {}     # access key -> account id, for accounts besides the Lab's own
        self._endpoint = None
        self._proxy = None
        self._webhook_listener = None

    # -- life cycle -------------------------------------------------------------------
    def start(self) -> "Lab":
        global _active
        if self._mock is not None:
            return self
        if _active is not None:
            _active.stop()  # one simulated account at a time: moto's mock is process-wide
        self._sandbox.enter()
        try:
            self._mock = mock_aws(config=_MOTO_CONFIG)
            self._mock.start()
            mock_random.seed(self.seed)  # moto's own ids (S3 versions, role ids ...) become repeatable
            self._session = _shared_session()
            self._clients = {}
            self.admin_keys = {FAKE_ACCESS_KEY_ID: self.account_id}
            self.scheduler = Scheduler()
            self.ids = IdFactory(self.seed)
            self.account = SimulatedAccount(self)
            api.install(self.account)
            api.install_cloudformation(lambda: self.scheduler.now)
        except BaseException:
            self._teardown()
            raise
        _active = self
        return self

    def stop(self) -> None:
        global _active
        if self._mock is None:
            return
        self._teardown()
        if _active is self:
            _active = None

    def _teardown(self) -> None:
        for server in (self._endpoint, self._proxy, self._webhook_listener):
            if server is not None:
                server.stop()            # a stopped Lab leaves nothing listening
        self._endpoint = self._proxy = self._webhook_listener = None
        api.uninstall()
        if self._mock is not None:
            self._mock.stop()  # moto forgets every resource of the account
            self._mock = None
        self.account = None
        self._session, self._clients = None, {}
        self._sandbox.exit()

    def __enter__(self) -> "Lab":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    def __repr__(self) -> str:
        state = "running" if self._mock is not None else "stopped"
        return f"Lab(seed={self.seed}, region={self.region!r}, account_id={self.account_id!r}) [{state}]"

    # -- clients ----------------------------------------------------------------------
    def client(self, service_name: str, region_name: str | None = None, credentials: tuple | None = None,
               account_id: str | None = None):
        """A boto3 client of the simulated account.

        By default it acts as the administrator of the Lab's account; ``account_id`` makes it the
        administrator of another account of the same Lab; ``credentials`` — ``(key, secret)`` of
        an IAM user, or ``(key, secret, session_token)`` of a role session — makes it that principal.
        """
        self._require_running()
        if credentials is not None and account_id is not None:
            raise TypeError("client() takes credentials or account_id, not both: credentials already name their account")
        if credentials is None:
            credentials = self.admin_credentials(account_id or self.account_id)
        key, secret, token = (tuple(credentials) + (None,))[:3]
        cache_key = (service_name, region_name or self.region, key, secret, token)
        if cache_key not in self._clients:  # clients are reusable; building one costs ~0.1 s
            self._clients[cache_key] = self._session.client(
                service_name,
                region_name=region_name or self.region,
                aws_access_key_id=key,
                aws_secret_access_key=secret,
                aws_session_token=token,
                config=Config(retries={"max_attempts": 1}),
            )
        return self._clients[cache_key]

    def admin_credentials(self, account_id: str) -> tuple[str, str]:
        """The access key of an account's administrator (any 12-digit id: accounts exist on first use)."""
        _check_account_id(account_id)
        if account_id == self.account_id:
            return FAKE_ACCESS_KEY_ID, FAKE_SECRET_ACCESS_KEY
        key = f"AKIALAB{account_id}A"       # 20 characters, like an IAM access key id
        self.admin_keys[key] = account_id
        return key, FAKE_SECRET_ACCESS_KEY

    # -- the outside world's stand-ins (loopback only, while the Lab runs) -------------------
    @property
    def endpoint_url(self) -> str:
        """The Lab's accounts over HTTP on 127.0.0.1, for the AWS CLI and other processes
        (``AWS_ENDPOINT_URL``); it accepts the Lab's keys and those of its IAM principals."""
        self._require_running()
        if self._endpoint is None:
            from codepipeline_lab.simulator.outside.endpoint import AccountEndpoint
            self._endpoint = AccountEndpoint()
        return self._endpoint.url

    @property
    def http_proxy(self) -> str:
        """An HTTP proxy on 127.0.0.1 through which the Lab's load balancers answer by DNS name."""
        self._require_running()
        if self._proxy is None:
            from codepipeline_lab.simulator.outside.http_proxy import HttpProxy
            proxy = HttpProxy(self.account)
            proxy.start()
            self._proxy = proxy
        return self._proxy.url

    # -- what AWS has no API for: Git providers and the console's connection handshake ------
    def git_host(self, provider: str = "GitHub"):
        """The Lab's stand-in for a Git provider ("GitHub", "Bitbucket" or "GitLab"): repositories,
        branches, pushes, tags and pull requests, whose events reach pipelines through connections."""
        self._require_running()
        return self.account.connections.git_hosts.host(provider)

    def complete_connection(self, connection_arn: str) -> str:
        """What finishing the handshake in the console does: a PENDING connection (or host)
        becomes AVAILABLE. Returns the new status."""
        self._require_running()
        return self.account.connections.complete(connection_arn).status

    @property
    def webhook_listener_url(self) -> str:
        """Where the Lab's CodePipeline webhooks receive requests (127.0.0.1): started by the
        first PutWebhook, closed when the Lab stops."""
        self._require_running()
        if self._webhook_listener is None:
            from codepipeline_lab.simulator.outside.webhook_server import WebhookServer
            listener = WebhookServer(self.account.webhooks)
            listener.start()
            self._webhook_listener = listener
        return self._webhook_listener.url

    # -- virtual time -----------------------------------------------------------------
    @property
    def now(self) -> datetime:
        self._require_running()
        return self.scheduler.now

    def run(self) -> None:
        """Carry out every piece of pending work, moving the virtual clock as it goes."""
        self._require_running()
        self.scheduler.run()

    def step(self) -> bool:
        """Carry out the next piece of pending work; return False when nothing can progress."""
        self._require_running()
        return self.scheduler.step()

    def advance(self, delta: timedelta | None = None, **duration: float) -> None:
        """Move the clock forward by ``delta`` or by keywords (``hours=2``, ``days=7``), firing what falls due."""
        self._require_running()
        if delta is not None and duration:
            raise TypeError("advance() takes a timedelta or keyword durations, not both")
        if delta is None:
            try:
                delta = timedelta(**duration)
            except TypeError as exc:
                raise TypeError(f"advance() keywords are those of datetime.timedelta (days, hours, minutes, seconds ...): {exc}") from None
        if not isinstance(delta, timedelta):
            raise TypeError(f"advance() needs a datetime.timedelta; got {type(delta).__name__}")
        self.scheduler.advance(delta)

    def _require_running(self) -> None:
        if self._mock is None:
            raise RuntimeError("This Lab is not running: use `with Lab() as lab:` or call lab.start() first.")
