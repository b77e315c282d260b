"""Every `refs` heading exists in its notebook (once the notebook exists), and docs/quiz.md lists them."""

import pytest

from codepipeline_lab.quiz import load_bank
from codepipeline_lab.quiz.refs import headings_needed, notebook_headings, notebooks_dir

NEEDED = headings_needed(load_bank(strict=True).questions)


@pytest.mark.parametrize("notebook", sorted(NEEDED))
def test_referenced_headings_exist(notebook):
    path = notebooks_dir() / notebook
    if not path.exists():
        pytest.skip(f"notebooks/{notebook} does not exist yet; the headings it needs are listed in docs/quiz.md")
    missing = sorted(NEEDED[notebook] - notebook_headings(path))
    assert missing == [], f"notebooks/{notebook} lacks the headings {missing} that quiz questions refer to"


def test_docs_list_every_referenced_heading():
    text = (notebooks_dir().parent / "docs" / "quiz.md").read_text(encoding="utf-8")
    for notebook, headings in NEEDED.items():
        section = text.split(f"`{notebook}`", 1)
        assert len(section) == 2, f"docs/quiz.md does not list {notebook}"
        body = section[1].split("\n- `", 1)[0] + "\n"
        for heading in headings:
            assert f"  - {heading}\n" in body, f"docs/quiz.md does not list the heading {heading!r} of {notebook}"


def test_heading_extraction(tmp_path):
    path = tmp_path / "n.ipynb"
    path.write_text('{"cells": [{"cell_type": "markdown", "source": ["# Title\\n", "text\\n", "## Stages and actions ##\\n"]},'
                    '{"cell_type": "code", "source": "# not a heading"}]}', encoding="utf-8")
    assert notebook_headings(path) == {"Title", "Stages and actions"}
