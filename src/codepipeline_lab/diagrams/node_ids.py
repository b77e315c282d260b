"""Stable, readable Graphviz node ids. The graphviz package reads ':' in an edge end as a port,
so ids never contain one (ARNs become arn_aws_sns_...)."""

from __future__ import annotations


def node_id(*parts: str) -> str:
    return "/".join(str(part) for part in parts).replace(":", "_")
