"""The notebook headings that questions point to (`refs`), and where the notebooks live."""

from __future__ import annotations

import json
import re
from pathlib import Path

from codepipeline_lab.quiz.bank import quizzes_dir

_HEADING = re.compile(r"^\s{0,3}(#{1,6})\s+(.*?)\s*#*\s*$")


def notebooks_dir() -> Path:
    return quizzes_dir().parent / "notebooks"


def notebook_headings(path: Path) -> set[str]:
    """The text of every Markdown heading in a notebook's Markdown cells."""
    notebook = json.loads(Path(path).read_text(encoding="utf-8"))
    headings = set()
    for cell in notebook.get("cells", []):
        if cell.get("cell_type") != "markdown":
            continue
        source = cell.get("source", "")
        text = "".join(source) if isinstance(source, list) else source
        for line in text.splitlines():
            match = _HEADING.match(line)
            if match:
                headings.add(match.group(2))
    return headings


def headings_needed(questions) -> dict[str, set[str]]:
    """notebook file name -> the headings questions refer to in it."""
    needed: dict[str, set[str]] = {}
    for question in questions:
        needed.setdefault(question.refs.notebook, set()).add(question.refs.heading)
    return needed
