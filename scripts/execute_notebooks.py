"""Re-execute the course notebooks in place, so their stored outputs are current (make notebooks).

No execution timings are stored (`record_timing=False`, and old ones are dropped), so a notebook
re-run or saved by a learner differs from the stored one only where its outputs do.
"""

import sys
from pathlib import Path

import nbformat
from nbclient import NotebookClient


def without_timings(notebook) -> None:
    for cell in notebook.cells:
        cell.metadata.pop("execution", None)


def execute(path: Path) -> None:
    notebook = nbformat.read(path, as_version=4)
    NotebookClient(notebook, timeout=300, kernel_name="python3", record_timing=False,
                   resources={"metadata": {"path": str(path.parent)}}).execute()
    without_timings(notebook)
    nbformat.write(notebook, path)
    print(f"executed {path}")


if __name__ == "__main__":
    targets = [Path(p) for p in sys.argv[1:]] or sorted(Path("notebooks").glob("*.ipynb"))
    for target in targets:
        execute(target)
