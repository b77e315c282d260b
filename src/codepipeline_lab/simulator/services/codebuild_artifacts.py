"""Collect a build's output files as the buildspec's ``artifacts`` section says: ``files``
patterns (``*``, ``?`` and ``**`` for any depth) under ``base-directory``, minus
``exclude-paths``, optionally flattened with ``discard-paths``."""

from __future__ import annotations

import os
import re

from codepipeline_lab.simulator.artifacts import read_directory
from codepipeline_lab.simulator.services.codebuild_buildspec import ArtifactSpec


class ArtifactError(Exception):
    """The artifacts section found nothing to upload; the message is CodeBuild's."""


def pattern(glob: str) -> re.Pattern:
    """A regular expression for a CodeBuild file pattern, matched against '/'-separated paths."""
    glob = glob.strip()
    glob = glob[2:] if glob.startswith("./") else glob
    out, i = "", 0
    while i < len(glob):
        if glob.startswith("**/", i):
            out, i = out + "(?:.*/)?", i + 3
        elif glob.startswith("**", i):
            out, i = out + ".*", i + 2
        elif glob[i] == "*":
            out, i = out + "[^/]*", i + 1
        elif glob[i] == "?":
            out, i = out + "[^/]", i + 1
        else:
            out, i = out + re.escape(glob[i]), i + 1
    return re.compile(out + "(?:/.*)?")   # a directory name takes everything below it


def collect(source_directory: str, spec: ArtifactSpec) -> dict[str, bytes]:
    """{path in the artifact: content} for ``spec``, relative to ``source_directory``."""
    base = source_directory
    if spec.base_directory:
        base = os.path.join(source_directory, spec.base_directory)
        if not os.path.isdir(base):
            raise ArtifactError(f"CLIENT_ERROR: no matching base directory path found for {spec.base_directory}")
    files = read_directory(base)
    wanted = [pattern(g) for g in spec.files]
    unwanted = [pattern(g) for g in spec.exclude_paths]
    chosen = {path: data for path, data in files.items()
              if any(p.fullmatch(path) for p in wanted) and not any(p.fullmatch(path) for p in unwanted)}
    if not chosen:
        raise ArtifactError(f"CLIENT_ERROR: no matching artifact paths found (files: {', '.join(spec.files)})")
    if spec.discard_paths:
        chosen = {path.rsplit("/", 1)[-1]: data for path, data in sorted(chosen.items())}
    return chosen
