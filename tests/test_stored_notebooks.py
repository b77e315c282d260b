"""Stored notebooks carry no execution timings: a re-run or a learner's save changes only outputs."""

from pathlib import Path

import nbformat
import pytest

NOTEBOOKS = sorted((Path(__file__).resolve().parents[1] / "notebooks").glob("*.ipynb"))


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_no_execution_timings_are_stored(path):
    notebook = nbformat.read(path, as_version=4)
    timed = [i for i, cell in enumerate(notebook.cells) if "execution" in cell.metadata]
    assert timed == [], f"{path.name} stores execution timings in cells {timed}; run scripts/execute_notebooks.py"
