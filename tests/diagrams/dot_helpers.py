import shutil

import pytest

needs_dot = pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz `dot` is not installed")


def node_line(source: str, node_id: str) -> str:
    """The DOT line that declares ``node_id`` (quoted or not)."""
    for line in source.splitlines():
        stripped = line.strip()
        if stripped.startswith((f'"{node_id}" [', f"{node_id} [")):
            return stripped
    raise AssertionError(f"no node {node_id!r} in:\n{source}")


def edge_lines(source: str, tail: str, head: str) -> list[str]:
    return [line.strip() for line in source.splitlines()
            if line.strip().startswith((f'"{tail}" -> "{head}"', f"{tail} -> {head}", f'"{tail}" -> {head}',
                                        f'{tail} -> "{head}"'))]
