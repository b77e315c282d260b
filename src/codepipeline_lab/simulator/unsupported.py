"""Every operation answers: the operations of the Code* services that nobody simulates.

botocore knows every operation of CodePipeline, CodeBuild, CodeCommit, CodeStar Connections and
CodeConnections; moto answers some of them and the simulator others. For the rest, moto would
raise ``NotImplementedError`` (or, for the connection services it does not have at all, answer
a bare 404 "Not yet implemented"). Here each of those operations gets a handler that raises an
exception of the service's own model, with a message that names the operation and points to
the simulation notes, so a learner's ``except ClientError`` sees an ordinary AWS answer.

``current_notes_section()`` writes the section of docs/simulation-notes.md that lists them.
"""

from __future__ import annotations

import textwrap
from functools import lru_cache
from typing import Iterable

import botocore.session
from moto.core.utils import camelcase_to_underscores

from codepipeline_lab.simulator import api, errors

SERVICES = ("codepipeline", "codebuild", "codecommit", "codestar-connections", "codeconnections")

# The exception each service answers for an operation the simulator does not support: a shape of
# the service's own model, the one its operations document for a request it cannot take
# (ValidationException on all 44 CodePipeline operations, InvalidInputException on 58 of 59
# CodeBuild operations; CodeCommit documents no general one, its model has ValidationException;
# the connection services model UnsupportedOperationException, "The operation is not supported").
ERROR_CODES = {
    "codepipeline": "ValidationException",
    "codebuild": "InvalidInputException",
    "codecommit": "ValidationException",
    "codestar-connections": "UnsupportedOperationException",
    "codeconnections": "UnsupportedOperationException",
}

_ERRORS = {"ValidationException": errors.ValidationException,
           "InvalidInputException": errors.InvalidInputException,
           "UnsupportedOperationException": errors.UnsupportedOperationException}

NOTES = "docs/simulation-notes.md"
SECTION = "Operations the simulator does not support"


@lru_cache(maxsize=None)
def operation_names(service: str) -> tuple[str, ...]:
    """AWS's operation names of ``service``, from botocore's model."""
    return tuple(botocore.session.get_session().get_service_model(service).operation_names)


def message(service: str, operation: str) -> str:
    return (f"The CodePipeline Lab simulator does not support {operation} ({service}) yet; "
            f"see '{SECTION}' in {NOTES}.")


def unsupported_operations(handled: Iterable[tuple[str, str]]) -> dict[str, list[str]]:
    """Per service, the AWS operation names that neither the simulator (``handled``: its
    (service, snake_case name) keys) nor moto answers."""
    handled = set(handled)
    found = {}
    for service in SERVICES:
        found[service] = [operation for operation in operation_names(service)
                          if (service, camelcase_to_underscores(operation)) not in handled
                          and not api.moto_answers(service, camelcase_to_underscores(operation))]
    return found


def _handler(service: str, operation: str):
    error = _ERRORS[ERROR_CODES[service]]

    def unsupported(params: dict, ctx) -> dict:
        raise error(message(service, operation))
    unsupported.__name__ = camelcase_to_underscores(operation)
    return unsupported


def unsupported_handlers(handled: Iterable[tuple[str, str]]) -> dict[str, dict]:
    """Per service, handlers (by snake_case name) for the operations nobody answers."""
    return {service: {camelcase_to_underscores(operation): _handler(service, operation) for operation in operations}
            for service, operations in unsupported_operations(handled).items()}


def notes_section(handled: Iterable[tuple[str, str]]) -> str:
    """The markdown of the section of the simulation notes that lists them."""
    found = unsupported_operations(handled)
    lines = [f"## {SECTION}", "",
             "Every operation of CodePipeline, CodeBuild, CodeCommit, CodeStar Connections and CodeConnections",
             "answers. moto or the simulator answers the ones the course uses; each of the others raises",
             "`ClientError` with the exception below (a shape of the service's own model) and a message",
             "that names the operation, for example:", "",
             "```", message("codebuild", "StartSandbox"), "```", "",
             "The IAM check comes first, as in AWS: a caller without permission gets `AccessDeniedException`.",
             "moto has no CodeStar Connections or CodeConnections at all; the Lab answers their",
             "requests with its own response classes (`simulator/api.py`), on which the simulator's",
             "handlers are set as on moto's.", "",
             "The lists are computed when a Lab starts (`simulator/unsupported.py`), so an operation",
             "leaves them as soon as moto or the simulator answers it. This list was generated with",
             "`unsupported.current_notes_section()`; run it again to refresh it.", ""]
    for service in SERVICES:
        names = found[service]
        total = len(operation_names(service))
        lines.append(f"- **{service}** — {len(names)} of {total} operations, `{ERROR_CODES[service]}`:")
        lines.append(textwrap.fill(", ".join(names) + "." if names else "none.", width=100,
                                   initial_indent="  ", subsequent_indent="  ", break_on_hyphens=False))
    return "\n".join(lines) + "\n"


def current_notes_section() -> str:
    """The section as it stands in a fresh Lab (to paste into the simulation notes)."""
    from codepipeline_lab import Lab
    with Lab(seed=0) as lab:
        handled = [key for key, handler in lab.account.handlers().items()
                   if getattr(handler, "__module__", None) != __name__]
        return notes_section(handled)
