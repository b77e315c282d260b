"""A drawn diagram: DOT source, inline SVG for notebooks, and saving to a file."""

from __future__ import annotations

from pathlib import Path

import graphviz

from codepipeline_lab.diagrams.errors import GraphvizNotInstalledError

SAVE_FORMATS = ("svg", "png", "pdf", "dot")


class Diagram:
    """One picture. ``.source`` is its DOT text; Jupyter shows it as SVG; ``.save(path)`` writes it."""

    def __init__(self, graph: graphviz.Digraph, kind: str, subject: str, summary: str = "") -> None:
        self.graph = graph
        self.kind = kind            # e.g. "pipeline structure"
        self.subject = subject      # e.g. "pipeline 'MyPipeline'"
        self.summary = summary      # e.g. "7 stages, 8 actions"

    @property
    def source(self) -> str:
        return self.graph.source

    def svg(self) -> str:
        return self._pipe("svg").decode("utf-8")

    def png(self) -> bytes:
        return self._pipe("png")

    def save(self, path: str | Path) -> Path:
        """Write the diagram; the suffix (.svg, .png, .pdf or .dot) chooses the format."""
        path = Path(path)
        fmt = path.suffix.lstrip(".").lower()
        if fmt not in SAVE_FORMATS:
            raise ValueError(f"cannot save a diagram as {path.name!r}: use one of .svg, .png, .pdf, .dot")
        data = self.source.encode("utf-8") if fmt == "dot" else self._pipe(fmt)
        path.write_bytes(data)
        return path

    def _pipe(self, fmt: str) -> bytes:
        try:
            return self.graph.pipe(format=fmt)
        except graphviz.ExecutableNotFound:
            raise GraphvizNotInstalledError() from None

    # -- notebook display ----------------------------------------------------------
    def _repr_svg_(self) -> str:
        return self.svg()

    def _repr_mimebundle_(self, include=None, exclude=None) -> dict:
        return {"image/svg+xml": self.svg(), "text/plain": repr(self)}

    def __repr__(self) -> str:
        details = f" ({self.summary})" if self.summary else ""
        return f"<{self.kind} diagram of {self.subject}{details}>"
