"""The errors a diagram can raise, each saying what to do about it."""

from __future__ import annotations

import graphviz

INSTALL_GRAPHVIZ = (
    "Drawing diagrams needs the Graphviz program `dot`, which was not found on PATH. Install it:\n"
    "  Debian/Ubuntu:  sudo apt-get install graphviz\n"
    "  macOS:          brew install graphviz\n"
    "then restart the kernel. (The DOT text of a diagram is still available as `.source`.)"
)


class DiagramInputError(ValueError):
    """The data given to a diagram function cannot be drawn (wrong shape, unknown execution ...)."""


class GraphvizNotInstalledError(graphviz.ExecutableNotFound):
    """Graphviz's `dot` program is missing; the message says how to install it."""

    def __init__(self) -> None:
        RuntimeError.__init__(self, INSTALL_GRAPHVIZ)

    def __str__(self) -> str:
        return INSTALL_GRAPHVIZ
