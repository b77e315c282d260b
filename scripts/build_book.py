"""Build the static book (make book): book/ + notebooks/ -> book/_build/html, with no kernel and no CDN.

1. Stage: copy book/*.md, _config.yml, _toc.yml, _ext/, _static/ and the notebooks named in _toc.yml into
   book/_build/source. Cells tagged `solution` also get `hide-cell`, so the book shows them
   folded behind a "Show the solution" button. Notebooks are never executed: the book shows stored outputs.
2. Build with Jupyter Book 1 (`jupyter-book build`), into book/_build/html.
3. Widget JavaScript: require.js, @jupyter-widgets/html-manager and anywidget are taken from
   the npm registry (`npm pack`, or a direct download of the same tarball when npm is not
   installed; pinned versions, integrity checked), cached in
   ~/.cache/codepipeline-lab/npm (or $CODEPIPELINE_LAB_NPM_CACHE), and copied into the site's
   `_static/_widgets/` folder, which book/_config.yml names in `nb_ipywidgets_js`. They are copied
   after the build, not placed in the source `_static/`, where Jupyter Book would add every .js
   file to every page.
4. Practice exam (book/practice-exam.md): the quiz widget's quiz.js and quiz.css, the page's driver
   from book/_exam/, and bank.json — every question of quizzes/*.yaml as the widget receives it —
   go to the site's `_static/_exam/`, also after the build, for the same reason.

Every URL in the site is relative to the page (all pages sit at the top level), so the site works
at any address, e.g. under a GitHub Pages project prefix https://<owner>.github.io/<repo>/.
"""

from __future__ import annotations

import base64
import fnmatch
import hashlib
import io
import json
import os
import shutil
import subprocess
import sys
import tarfile
import time
import urllib.request
import warnings
from pathlib import Path

import nbformat
import yaml

ROOT = Path(__file__).resolve().parent.parent
BOOK = ROOT / "book"
NOTEBOOKS = ROOT / "notebooks"
BUILD = BOOK / "_build"
SOURCE = BUILD / "source"
HTML = BUILD / "html"
EXAM = BOOK / "_exam"

# (package, version, sha512 integrity from the registry, {file pattern in the tarball: path(s) under _static/_widgets/; a folder ends with /})
WIDGET_PACKAGES = [
    ("requirejs", "2.3.7",
     "sha512-DouTG8T1WanGok6Qjg2SXuCMzszOo0eHeH9hDZ5Y4x8Je+9JB38HdTLT4/VA8OaUhBa0JPVHJ0pyBkM1z+pDsw==",
     {"package/require.js": "require.js"}),
    ("@jupyter-widgets/html-manager", "1.0.15",
     "sha512-5thBIV6ymNgmPVOHvzx+gGy8ZSKmSazhtGw4/c4xJDVzRhG9PTeQsRjF3FUTopvFi//SABeNz1yp47bCrJ3CQA==",
     {"package/dist/embed-amd.js": "embed-amd.js",
      # icon fonts, where webpack looks for them (see book/_ext/offline_site.py)
      "package/dist/*.woff*": ["jupyter-widgets/", "jupyter-widgets/html-manager/dist/"]}),
    # RequireJS finds it through the `paths` set in book/_ext/offline_site.py.
    ("anywidget", "0.11.0",
     "sha512-LHZgW2j5UjyerZSZcO+BtZPXGMSORQV2bUT480hOR5x/BXS8sOradi/71amJfMueSEnKX0dqPwTfsOGHTsyZpQ==",
     {"package/dist/index.js": "anywidget/index.js"}),
]


def npm_cache() -> Path:
    return Path(os.environ.get("CODEPIPELINE_LAB_NPM_CACHE", Path.home() / ".cache" / "codepipeline-lab" / "npm"))


def _integrity(data: bytes) -> str:
    return "sha512-" + base64.b64encode(hashlib.sha512(data).digest()).decode()


def tarball_name(package: str, version: str) -> str:
    """The file name `npm pack` gives the tarball, e.g. jupyter-widgets-html-manager-1.0.15.tgz."""
    return f"{package.lstrip('@').replace('/', '-')}-{version}.tgz"


UNAVAILABLE = 3   # exit status when the widget JavaScript cannot be obtained (no cache, no registry)


def registry() -> str:
    return os.environ.get("NPM_CONFIG_REGISTRY", "https://registry.npmjs.org/").rstrip("/") + "/"


def fetch(package: str, version: str, destination: Path) -> str | None:
    """Put the tarball in destination with `npm pack`, or else straight from the registry; None or a problem."""
    if shutil.which("npm"):
        result = subprocess.run(["npm", "pack", f"{package}@{version}", "--silent", "--pack-destination",
                                 str(destination.parent)], capture_output=True, text=True)
        if result.returncode == 0 and destination.exists():
            return None
        problem = f"`npm pack {package}@{version}` failed: {result.stderr.strip()[-500:]}"
    else:
        problem = "npm is not installed"
    url = f"{registry()}{package}/-/{package.split('/')[-1]}-{version}.tgz"
    try:
        with urllib.request.urlopen(url, timeout=60) as answer:
            destination.write_bytes(answer.read())
        return None
    except OSError as error:
        return f"{problem}, and {url} could not be downloaded ({error})"


def tarball(package: str, version: str, integrity: str) -> bytes:
    """The package's npm tarball, from the cache, `npm pack` or the registry; its integrity is always checked."""
    cache = npm_cache()
    path = cache / tarball_name(package, version)
    if not path.exists():
        cache.mkdir(parents=True, exist_ok=True)
        problem = fetch(package, version, path)
        if problem:
            print(f"build_book: the widget JavaScript {package}@{version} is not in {cache}: {problem}. "
                  "Connect to the npm registry once (or install Node.js, which brings npm) and run `make book` again.",
                  file=sys.stderr)
            sys.exit(UNAVAILABLE)
    data = path.read_bytes()
    if _integrity(data) != integrity:
        path.unlink()
        sys.exit(f"build_book: {path.name} does not match its pinned integrity; removed it from the cache, run again.")
    return data


def install_widget_js(site: Path) -> None:
    target = site / "_static" / "_widgets"
    for package, version, integrity, files in WIDGET_PACKAGES:
        with tarfile.open(fileobj=io.BytesIO(tarball(package, version, integrity)), mode="r:gz") as archive:
            names = archive.getnames()
            for pattern, destinations in files.items():
                members = fnmatch.filter(names, pattern)
                if not members:
                    sys.exit(f"build_book: {package}@{version} has no file matching {pattern}")
                for member in members:
                    data = archive.extractfile(member).read()
                    for destination in [destinations] if isinstance(destinations, str) else destinations:
                        out = target / destination / Path(member).name if destination.endswith("/") else target / destination
                        out.parent.mkdir(parents=True, exist_ok=True)
                        out.write_bytes(data)


def install_practice_exam(site: Path) -> int:
    """Write the practice exam's files into the site's _static/_exam/; the number of questions in the bank."""
    from codepipeline_lab.quiz import bank as quiz_bank, payload, widget

    target = site / "_static" / "_exam"
    target.mkdir(parents=True, exist_ok=True)
    with warnings.catch_warnings(record=True) as problems:   # a broken question is left out, and named here
        warnings.simplefilter("always")
        questions = quiz_bank.load_bank().questions
    for problem in problems:
        print(f"build_book: practice exam: {problem.message}", file=sys.stderr)
    data = {"labels": payload.labels(), "questions": [payload.question_payload(q) for q in questions]}
    (target / "bank.json").write_text(json.dumps(data, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")
    shutil.copy(widget.ESM_PATH, target / "quiz.js")
    shutil.copy(widget.CSS_PATH, target / "quiz.css")
    for path in sorted(EXAM.glob("*.js")) + sorted(EXAM.glob("*.css")):
        shutil.copy(path, target / path.name)
    return len(questions)


def toc_files(toc: dict) -> list[str]:
    files = [toc["root"]]
    for part in toc.get("parts", []):
        files += [chapter["file"] for chapter in part.get("chapters", [])]
    return files


def stage_notebook(source: Path, destination: Path) -> None:
    notebook = nbformat.read(source, as_version=4)
    for cell in notebook.cells:
        tags = cell.metadata.get("tags", [])
        if "solution" in tags and "hide-cell" not in tags:
            cell.metadata["tags"] = tags + ["hide-cell"]
            cell.metadata["mystnb"] = {"code_prompt_show": "Show the solution", "code_prompt_hide": "Hide the solution"}
    nbformat.write(notebook, destination)


def stage() -> None:
    if SOURCE.exists():
        shutil.rmtree(SOURCE)
    SOURCE.mkdir(parents=True)
    for path in sorted(BOOK.iterdir()):
        if path.is_file() and path.suffix in (".md", ".yml"):
            shutil.copy(path, SOURCE / path.name)
    for folder in ("_ext", "_static"):   # _static: CSS only (Jupyter Book adds every file there to every page)
        shutil.copytree(BOOK / folder, SOURCE / folder, ignore=shutil.ignore_patterns("__pycache__"))
    toc = yaml.safe_load((BOOK / "_toc.yml").read_text(encoding="utf-8"))
    for name in toc_files(toc):
        notebook = NOTEBOOKS / f"{name}.ipynb"
        if notebook.exists():
            stage_notebook(notebook, SOURCE / notebook.name)
        elif not (SOURCE / f"{name}.md").exists():
            sys.exit(f"build_book: _toc.yml names {name!r}, but neither notebooks/{name}.ipynb nor book/{name}.md exists")


def build() -> float:
    started = time.monotonic()
    stage()
    if HTML.exists():
        shutil.rmtree(HTML)
    jupyter_book = Path(sys.executable).with_name("jupyter-book")
    # --path-output book puts the site in book/_build/html; -W turns Sphinx warnings into errors.
    command = [str(jupyter_book), "build", str(SOURCE), "--path-output", str(BOOK), "--builder", "html", "-W", "-n",
               "--keep-going"]
    result = subprocess.run(command, capture_output=True, text=True)
    if result.returncode != 0:
        sys.stdout.write(result.stdout[-6000:])
        sys.stderr.write(result.stderr[-6000:])
        sys.exit(f"build_book: jupyter-book build failed (exit {result.returncode})")
    install_widget_js(HTML)
    count = install_practice_exam(HTML)
    print(f"practice exam: {count} questions in {HTML / '_static' / '_exam' / 'bank.json'}")
    return time.monotonic() - started


if __name__ == "__main__":
    seconds = build()
    print(f"built the book in {seconds:.1f} s: {HTML / 'index.html'}")
