"""Write the student copy of the course (make student): notebooks without their solutions.

For every notebook in notebooks/: cells tagged `solution` get their code replaced by a prompt
and lose their outputs; cells tagged `exercise` (the answer cell and the check cell) lose their
outputs, so learners see their own result first. Everything else keeps its stored outputs, and
the copies are trusted (`jupyter trust`) so diagrams and quizzes show before anything is run.

    python scripts/make_student.py [destination]      # default: student/
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parent.parent
PROMPT = ("# Solution left out of the student copy: write your answer in the cell above,\n"
          "# then run the check cell below. Your instructor has the solution.")


def student_notebook(notebook):
    for cell in notebook.cells:
        tags = cell.metadata.get("tags", [])
        if cell.cell_type != "code":
            continue
        if "solution" in tags:
            cell.source = PROMPT
        if "solution" in tags or "exercise" in tags:
            cell.outputs = []
            cell.execution_count = None
    return notebook


def write_student_copy(destination: Path, source: Path = ROOT / "notebooks", trust: bool = True) -> list[Path]:
    if destination.exists():
        shutil.rmtree(destination)
    destination.mkdir(parents=True)
    written = []
    for path in sorted(source.glob("*.ipynb")):
        notebook = student_notebook(nbformat.read(path, as_version=4))
        target = destination / path.name
        nbformat.write(notebook, target)
        written.append(target)
    jupyter = Path(sys.executable).with_name("jupyter")
    if trust and written and jupyter.exists():
        subprocess.run([str(jupyter), "trust", *map(str, written)], check=True, capture_output=True)
    return written


if __name__ == "__main__":
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "student"
    for path in write_student_copy(target):
        print(f"wrote {path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}")
