"""Input the runner cannot use: one line per problem, naming the file and the place."""

from __future__ import annotations


class Unusable(Exception):
    """The input cannot be used; ``lines`` are printed one per problem and the exit status is 2."""

    def __init__(self, lines: list[str] | str) -> None:
        self.lines = [lines] if isinstance(lines, str) else list(lines)
        super().__init__("; ".join(self.lines))


def where(file: str, place: str, message: str) -> str:
    """``file: place: message`` (the place left out when there is none)."""
    return f"{file}: {place}: {message}" if place else f"{file}: {message}"
