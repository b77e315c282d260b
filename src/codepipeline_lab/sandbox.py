"""Keep a Lab sealed off from the learner's real AWS set-up, and put everything back afterwards.

Inside a Lab, every AWS_* variable of the learner (keys, profile, config files, endpoints) is
set aside and replaced by fake credentials, so no code path can find real credentials; and a
botocore hook refuses any request that moto does not answer, so nothing can reach a real
endpoint even when a client is given an ``endpoint_url``.
"""

from __future__ import annotations

import os

import boto3
import botocore.handlers
from moto.core.models import botocore_stubber

FAKE_ACCESS_KEY_ID = "AKIAIOSFODNN7EXAMPLE"  # AWS's documented example key: never a real one
FAKE_SECRET_ACCESS_KEY = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"


class RealAwsRequestBlocked(RuntimeError):
    """A request inside a Lab was about to leave the simulated account."""


_blocking = False


def _stub_or_refuse(event_name, request, **kwargs):
    # botocore calls every before-send handler, so the guard wraps moto's: moto answers every
    # AWS URL it knows and returns None otherwise, and inside a Lab None means "would go out".
    response = botocore_stubber(event_name, request, **kwargs)
    if response is None and _blocking:
        raise RealAwsRequestBlocked(
            f"CodePipeline Lab blocked a request to {request.url}: inside a Lab nothing may reach "
            "a real endpoint. Leave out endpoint_url, or use the service through lab.client()."
        )
    return response


_index = botocore.handlers.BUILTIN_HANDLERS.index(("before-send", botocore_stubber))
botocore.handlers.BUILTIN_HANDLERS[_index] = ("before-send", _stub_or_refuse)


def _is_aws_setting(name: str) -> bool:
    return name.startswith("AWS_") or name in {"MOTO_ACCOUNT_ID", "BOTO_CONFIG"}


class EnvironmentSandbox:
    """Swap the process's AWS settings for fake ones, and restore them exactly."""

    def __init__(self, region: str, account_id: str) -> None:
        self.region = region
        self.account_id = account_id
        self._saved: dict[str, str] | None = None
        self._saved_session = None

    def enter(self) -> None:
        global _blocking
        self._saved = {k: v for k, v in os.environ.items() if _is_aws_setting(k)}
        for name in self._saved:
            del os.environ[name]
        os.environ.update(
            AWS_ACCESS_KEY_ID=FAKE_ACCESS_KEY_ID,
            AWS_SECRET_ACCESS_KEY=FAKE_SECRET_ACCESS_KEY,
            AWS_DEFAULT_REGION=self.region,
            AWS_REGION=self.region,
            AWS_CONFIG_FILE=os.devnull,
            AWS_SHARED_CREDENTIALS_FILE=os.devnull,
            AWS_EC2_METADATA_DISABLED="true",
            MOTO_ACCOUNT_ID=self.account_id,
        )
        # boto3's default session caches credentials found earlier: start from a clean one.
        self._saved_session = boto3.DEFAULT_SESSION
        boto3.DEFAULT_SESSION = None
        _blocking = True

    def exit(self) -> None:
        global _blocking
        _blocking = False
        if self._saved is None:
            return
        for name in [k for k in os.environ if _is_aws_setting(k)]:
            del os.environ[name]
        os.environ.update(self._saved)
        boto3.DEFAULT_SESSION = self._saved_session
        self._saved = None
