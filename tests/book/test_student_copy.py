"""The student copy (make student): no solution text, exercise outputs cleared, everything else kept."""

from __future__ import annotations

import sys
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts"))

from make_student import PROMPT, write_student_copy  # noqa: E402

NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))


def tagged(notebook, tag):
    return [cell for cell in notebook.cells if tag in cell.metadata.get("tags", [])]


def solution_lines(notebook) -> list[str]:
    """The lines of solution code worth searching for (not blank, not bare brackets)."""
    lines = []
    for cell in tagged(notebook, "solution"):
        lines += [line.strip() for line in cell.source.splitlines() if len(line.strip()) > 8]
    return lines


def test_every_course_notebook_has_a_solution_and_a_check():
    course = [path for path in NOTEBOOKS if path.name[:2].isdigit()]
    assert course, "no course notebooks found"
    for path in course:
        notebook = nbformat.read(path, as_version=4)
        assert solution_lines(notebook), f"{path.name} has no cell tagged solution"
        assert tagged(notebook, "exercise"), f"{path.name} has no cell tagged exercise (answer and check cells)"


def test_student_copy_has_no_solution_text(tmp_path):
    written = write_student_copy(tmp_path / "student", trust=False)
    assert sorted(p.name for p in written) == [p.name for p in NOTEBOOKS]
    for path in NOTEBOOKS:
        original = nbformat.read(path, as_version=4)
        text = (tmp_path / "student" / path.name).read_text(encoding="utf-8")
        for line in solution_lines(original):
            assert line not in text, f"student/{path.name} still contains solution text: {line!r}"


def test_student_copy_clears_exercise_outputs_and_keeps_the_rest(tmp_path):
    write_student_copy(tmp_path / "student", trust=False)
    for path in NOTEBOOKS:
        original = nbformat.read(path, as_version=4)
        copy = nbformat.read(tmp_path / "student" / path.name, as_version=4)
        assert len(copy.cells) == len(original.cells)
        for before, after in zip(original.cells, copy.cells):
            tags = before.metadata.get("tags", [])
            if before.cell_type != "code":
                assert after.source == before.source
            elif "solution" in tags:
                assert after.source == PROMPT and after.outputs == []
            elif "exercise" in tags:
                assert after.source == before.source and after.outputs == []
            else:
                assert after.source == before.source and after.outputs == before.outputs
