"""Colours and fonts shared by every diagram, so a category or a status looks the same everywhere."""

from __future__ import annotations

FONT = "Helvetica"
INK = "#263238"        # text and ordinary lines
MUTED = "#78909c"      # secondary text, sequencing arrows
PROBLEM = "#d50000"    # parts of a declaration that break a rule

# One small colour band per action category (ActionCategory in the CodePipeline API).
CATEGORY_COLOURS = {
    "Source": "#90caf9",
    "Build": "#ffcc80",
    "Test": "#ce93d8",
    "Deploy": "#a5d6a7",
    "Approval": "#f48fb1",
    "Invoke": "#80deea",
    "Compute": "#bcaaa4",
}
UNKNOWN_CATEGORY_COLOUR = "#e0e0e0"

# Execution states: (fill, border). Keys are the API's status words, plus the two
# teaching states that are not API statuses: a manual approval that waits, an action not yet run.
WAITING_FOR_APPROVAL = "Waiting for approval"
NOT_YET_RUN = "Not yet run"
STATUS_COLOURS = {
    "Succeeded": ("#c8e6c9", "#2e7d32"),
    "InProgress": ("#bbdefb", "#1565c0"),
    WAITING_FOR_APPROVAL: ("#fff59d", "#f9a825"),
    "Failed": ("#ffcdd2", "#c62828"),
    "Stopping": ("#ffe0b2", "#ef6c00"),
    "Stopped": ("#ffe0b2", "#ef6c00"),
    "Abandoned": ("#d7ccc8", "#5d4037"),
    "Superseded": ("#e1bee7", "#6a1b9a"),
    "Cancelled": ("#cfd8dc", "#455a64"),
    "Skipped": ("#eceff1", "#90a4ae"),
    NOT_YET_RUN: ("#ffffff", "#9e9e9e"),
}
# The states the legend explains, in the order a run passes through them.
LEGEND_STATES = (
    "Succeeded", "InProgress", WAITING_FOR_APPROVAL, "Failed", "Stopped",
    "Abandoned", "Superseded", NOT_YET_RUN,
)

# notebook column ≈ 900 px; Graphviz sizes are inches at 72 pt, browsers show 96 px per inch.
MAX_SIZE = "9.3,40"

GRAPH_ATTRS = {
    "fontname": FONT, "fontsize": "11", "fontcolor": INK,
    "nodesep": "0.15", "ranksep": "0.22", "size": MAX_SIZE,
    "compound": "true", "newrank": "true", "bgcolor": "white", "pad": "0.1",
}
NODE_ATTRS = {"fontname": FONT, "fontsize": "10", "fontcolor": INK, "shape": "plain"}
EDGE_ATTRS = {"fontname": FONT, "fontsize": "9", "fontcolor": INK, "color": INK, "arrowsize": "0.6"}


def category_colour(category: str | None) -> str:
    return CATEGORY_COLOURS.get(category or "", UNKNOWN_CATEGORY_COLOUR)


def status_colours(status: str | None) -> tuple[str, str]:
    return STATUS_COLOURS.get(status or NOT_YET_RUN, STATUS_COLOURS[NOT_YET_RUN])
