"""An API error as the console shows it: the error code and AWS's message, nothing from Python."""

from __future__ import annotations

from botocore.exceptions import ClientError


def shown_error(exc: ClientError) -> dict:
    error = exc.response.get("Error", {})
    operation = getattr(exc, "operation_name", "") or ""
    return {"code": error.get("Code", "Error"), "message": error.get("Message", str(exc)), "operation": operation}
