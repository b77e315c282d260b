"""Folders of the user's code: which one feeds which source action, and their files as a dict
or a zip (entries sorted, fixed timestamps: the same folder gives the same bytes)."""

from __future__ import annotations

import io
import os
import zipfile
from pathlib import Path

from codepipeline_lab.runner.problems import Unusable

SKIPPED_FOLDERS = {".git", "__pycache__", ".venv", "node_modules"}


def parse_sources(options: list[str]) -> tuple[Path | None, dict[str, Path]]:
    """``--source DIR`` (for every source action) and ``--source NAME=DIR`` (for one)."""
    default, named, problems = None, {}, []
    for option in options:
        name, _, folder = option.partition("=") if "=" in option and not os.path.isdir(option) else ("", "", option)
        path = Path(folder).expanduser()
        if not path.is_dir():
            problems.append(f"--source {option}: the folder {folder} does not exist" if not path.exists()
                            else f"--source {option}: {folder} is a file, not a folder")
            continue
        if name:
            named[name] = path
        elif default is not None:
            problems.append(f"--source {option}: a second folder without an action name; use --source ActionName=DIR")
        else:
            default = path
    if problems:
        raise Unusable(problems)
    return default, named


def source_actions(declaration: dict) -> list[tuple[str, dict]]:
    """(JSON path, action) of each Source action (they are all in the first stage)."""
    found = []
    for s, stage in enumerate(declaration.get("stages") or []):
        for a, action in enumerate((stage or {}).get("actions") or []):
            if ((action or {}).get("actionTypeId") or {}).get("category") == "Source":
                found.append((f"pipeline.stages[{s}].actions[{a}]", action))
    return found


def assign(declaration: dict, default: Path | None, named: dict[str, Path], file: str) -> dict[str, Path]:
    actions = source_actions(declaration)
    names = {a.get("name") for _, a in actions}
    problems = [f"{file}: --source {n}=…: the pipeline has no source action named {n} (it has {', '.join(sorted(map(str, names)))})"
                for n in named if n not in names]
    chosen = {}
    for place, action in actions:
        folder = named.get(action.get("name"), default)
        if folder is None:
            problems.append(f"{file}: {place}: source action {action.get('name')} has no folder: give --source DIR "
                            f"or --source {action.get('name')}=DIR")
        else:
            chosen[action.get("name")] = folder
    if problems:
        raise Unusable(problems)
    return chosen


def files_of(folder: Path) -> dict[str, bytes]:
    files = {}
    for root, directories, names in os.walk(folder):
        directories[:] = sorted(d for d in directories if d not in SKIPPED_FOLDERS)
        for name in sorted(names):
            full = Path(root) / name
            if full.is_file():
                files[full.relative_to(folder).as_posix()] = full.read_bytes()
    return files


def zip_of(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(files):
            entry = zipfile.ZipInfo(path, date_time=(2025, 1, 6, 9, 0, 0))
            entry.external_attr = 0o644 << 16
            archive.writestr(entry, files[path], zipfile.ZIP_DEFLATED)
    return buffer.getvalue()
