"""nextToken pagination, as AWS list operations do it."""

from __future__ import annotations

from codepipeline_lab.simulator.errors import InvalidNextTokenException, ValidationException


def paginate(items: list, next_token, max_results, default: int = 100) -> tuple[list, str | None]:
    size = default if max_results is None else max_results
    if not isinstance(size, int) or size < 1:
        raise ValidationException(f"maxResults must be a positive integer, not {max_results!r}")
    start = 0
    if next_token is not None:
        if not (isinstance(next_token, str) and next_token.isdigit() and int(next_token) <= len(items)):
            raise InvalidNextTokenException(f"The nextToken '{next_token}' is not valid for this list")
        start = int(next_token)
    end = start + size
    return items[start:end], (str(end) if end < len(items) else None)
