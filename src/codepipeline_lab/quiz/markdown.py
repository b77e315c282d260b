"""A very small Markdown to HTML conversion for question stems: paragraphs, `code`, **bold**, *italic*."""

from __future__ import annotations

import html
import re

_INLINE = [
    (re.compile(r"`([^`]+)`"), r"<code>\1</code>"),
    (re.compile(r"\*\*([^*]+)\*\*"), r"<strong>\1</strong>"),
    (re.compile(r"(?<![*\w])\*([^*\s][^*]*)\*(?![*\w])"), r"<em>\1</em>"),
]


def _inline(text: str) -> str:
    parts = re.split(r"(`[^`]+`)", html.escape(text, quote=False))
    out = []
    for part in parts:
        if part.startswith("`") and part.endswith("`") and len(part) > 1:
            out.append(_INLINE[0][0].sub(_INLINE[0][1], part))
            continue
        for pattern, replacement in _INLINE[1:]:
            part = pattern.sub(replacement, part)
        out.append(part)
    return "".join(out)


def to_html(markdown: str) -> str:
    paragraphs = [p.strip() for p in re.split(r"\n\s*\n", markdown.strip()) if p.strip()]
    return "".join(f"<p>{_inline(' '.join(p.split()))}</p>" for p in paragraphs)
