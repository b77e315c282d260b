"""The files repo2docker (JupyterHub, Binder) builds the course image from, tried without Docker:
installed into a fresh environment, they run a course notebook."""

import os
import subprocess
import sys
import tomllib
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BINDER = ROOT / "binder"


def test_the_image_gets_the_python_and_system_packages_the_course_needs():
    assert (BINDER / "runtime.txt").read_text().strip() == "python-3.11"
    requires = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["requires-python"]
    assert requires.startswith(">=3.11")
    assert {"graphviz", "git", "curl"} <= set((BINDER / "apt.txt").read_text().split())


def test_a_fresh_environment_built_from_the_hosting_files_runs_a_notebook(tmp_path):
    env_dir = tmp_path / "image"
    venv.EnvBuilder(with_pip=True).create(env_dir)
    python, bin_dir = env_dir / "bin" / "python", env_dir / "bin"
    environment = dict(os.environ, PATH=f"{bin_dir}{os.pathsep}{os.environ['PATH']}", VIRTUAL_ENV=str(env_dir),
                       JUPYTER_DATA_DIR=str(tmp_path / "jupyter-data"))
    environment.pop("PYTHONPATH", None)

    def run(*command):
        done = subprocess.run(command, cwd=ROOT, env=environment, capture_output=True, text=True, timeout=900)
        assert done.returncode == 0, f"{' '.join(map(str, command))} failed:\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}"
        return done

    run(str(python), "-m", "pip", "install", "--quiet", "-r", "binder/requirements.txt")
    run("bash", "binder/postBuild")
    run(str(bin_dir / "aws"), "--version")
    executed = tmp_path / "00-welcome.ipynb"
    run(str(bin_dir / "jupyter"), "nbconvert", "--to", "notebook", "--execute", "--ExecutePreprocessor.timeout=300",
        "--output", str(executed), "notebooks/00-welcome.ipynb")
    assert executed.exists() and "Traceback" not in executed.read_text()
    assert sys.executable != str(python)       # the check really used the fresh environment
