"""The README's first command, `make lab`, trusts the notebooks and opens JupyterLab on 00-welcome.ipynb."""

import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def lab_commands():
    if shutil.which("make") is None:
        pytest.skip("`make` is not installed")
    dry_run = subprocess.run(["make", "-n", "lab"], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert dry_run.returncode == 0, dry_run.stderr
    return [line.strip() for line in dry_run.stdout.splitlines()]


def test_readme_starts_with_make_lab():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    first_command = readme.split("```sh", 1)[1].split("```", 1)[0].strip().splitlines()[0]
    assert first_command.startswith("make lab")


def test_make_lab_trusts_every_notebook_before_opening_the_welcome(lab_commands):
    trust = next(k for k, line in enumerate(lab_commands) if "jupyter trust" in line)
    launch = next(k for k, line in enumerate(lab_commands) if "jupyter lab" in line)
    assert trust < launch
    assert "notebooks/*.ipynb" in lab_commands[trust] or "notebooks/00-welcome.ipynb" in lab_commands[trust]
    assert lab_commands[launch].endswith("notebooks/00-welcome.ipynb")
    assert "--notebook-dir=notebooks" in lab_commands[launch]
