"""The glob syntax of V2 trigger filters (facts §M3; AWS's "syntax-glob" page follows Java's glob):

* ``*``   any characters within one path segment (never ``/``)
* ``**``  any characters across segments (``/`` included)
* ``?``   exactly one character (not ``/``)
* ``[abc]``, ``[a-z]``, ``[!abc]``  one character of (or not of) a set
* ``{main,release/*}``  one of the alternatives (no nesting)
* ``\\``   escapes the next character

A pattern matches the whole branch name, tag name or file path.
"""

from __future__ import annotations

import re
from functools import lru_cache


class GlobError(ValueError):
    pass


@lru_cache(maxsize=512)
def compile_glob(pattern: str) -> re.Pattern:
    return re.compile(_translate(pattern, nested=False) + r"\Z", re.DOTALL)


def matches(pattern: str, text: str) -> bool:
    return compile_glob(pattern).match(text) is not None


def _translate(pattern: str, nested: bool) -> str:
    out, i, n = [], 0, len(pattern)
    while i < n:
        c = pattern[i]
        if c == "\\":
            if i + 1 >= n:
                raise GlobError(f"Glob pattern {pattern!r} ends with an escape character")
            out.append(re.escape(pattern[i + 1]))
            i += 2
            continue
        if c == "*":
            if pattern.startswith("**", i):
                out.append(".*")
                i += 2
            else:
                out.append("[^/]*")
                i += 1
            continue
        if c == "?":
            out.append("[^/]")
        elif c == "[":
            end = pattern.find("]", i + 2 if pattern.startswith("[!", i) else i + 1)
            if end < 0:
                raise GlobError(f"Glob pattern {pattern!r} has a '[' without its ']'")
            body = pattern[i + 1:end]
            negate = body.startswith("!")
            body = body[1:] if negate else body
            chars = "".join("\\" + ch if ch in "\\^]" else ch for ch in body)
            out.append(f"[^/{chars}]" if negate else f"[{chars}]")
            i = end + 1
            continue
        elif c == "{":
            if nested:
                raise GlobError(f"Glob pattern {pattern!r} nests '{{' groups, which the syntax does not allow")
            end = pattern.find("}", i)
            if end < 0:
                raise GlobError(f"Glob pattern {pattern!r} has a '{{' without its '}}'")
            alternatives = pattern[i + 1:end].split(",")
            out.append("(?:" + "|".join(_translate(a, nested=True) for a in alternatives) + ")")
            i = end + 1
            continue
        else:
            out.append(re.escape(c))
        i += 1
    return "".join(out)
