"""Benchmark of `codepipeline-lab run` as a whole process (run by hand or with `make bench`).

Times `codepipeline-lab run examples/classic/template.yaml --source examples/classic/app`
(deploying the template, creating the repository and build project, committing the folder,
CodeCommit → CodeBuild → S3 deploy on the virtual clock) beside `python -c "import
codepipeline_lab"` alone, so the import cost can be told apart from the run. Aim: the run
under 3 s; the figures say what dominates."""

from __future__ import annotations

import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RUNS = 5
RUN = [sys.executable, "-m", "codepipeline_lab.cli", "run", str(ROOT / "examples/classic/template.yaml"),
       "--source", str(ROOT / "examples/classic/app")]
IMPORT = [sys.executable, "-c", "import codepipeline_lab"]
LAB_START = [sys.executable, "-c", "from codepipeline_lab import Lab\nwith Lab(): pass"]


def median_seconds(command: list[str]) -> float:
    times = []
    for _ in range(RUNS):
        start = time.perf_counter()
        done = subprocess.run(command, capture_output=True, text=True, cwd=ROOT)
        times.append(time.perf_counter() - start)
        if done.returncode != 0:
            raise SystemExit(f"{' '.join(command)} exited {done.returncode}: {done.stderr or done.stdout}")
    return statistics.median(times)


def main() -> None:
    imported = median_seconds(IMPORT)
    started = median_seconds(LAB_START)
    whole = median_seconds(RUN)
    print(f"python -c 'import codepipeline_lab'          {imported:6.2f} s  (median of {RUNS})")
    print(f"python -c 'with Lab(): pass'                 {started:6.2f} s")
    print(f"codepipeline-lab run (classic, from template) {whole:6.2f} s")
    print(f"the run itself, beyond starting a Lab         {whole - started:6.2f} s")


if __name__ == "__main__":
    main()
