"""Graphviz HTML-like labels: action boxes, notes and legends."""

from __future__ import annotations

from html import escape

from codepipeline_lab.diagrams.declaration import Action
from codepipeline_lab.diagrams.style import (
    CATEGORY_COLOURS, INK, LEGEND_STATES, PROBLEM, category_colour, status_colours,
)


def html(rows: list[str], **table_attrs: str) -> str:
    """Wrap table rows into a Graphviz HTML-like label."""
    attrs = {"BORDER": "0", "CELLBORDER": "0", "CELLSPACING": "0", "CELLPADDING": "2", **table_attrs}
    opening = "<TABLE " + " ".join(f'{k}="{v}"' for k, v in attrs.items()) + ">"
    return "<" + opening + "".join(rows) + "</TABLE>>"


def small(text: str, colour: str = INK, size: int = 8) -> str:
    return f'<FONT POINT-SIZE="{size}" COLOR="{colour}">{escape(text)}</FONT>'


def action_label(action: Action, status: str | None = None, notes: tuple[str, ...] = (),
                 broken: bool = False) -> str:
    """A box: a category band ("Build · CodeBuild"), the action name, then optional status and notes."""
    fill, border = status_colours(status) if status else ("#ffffff", INK)
    band = " · ".join(part for part in (action.category or "?", action.provider or "?"))
    rows = [
        f'<TR><TD BGCOLOR="{category_colour(action.category)}">{small(band)}</TD></TR>',
        f"<TR><TD><B>{escape(action.name)}</B></TD></TR>",
    ]
    if status:
        rows.append(f"<TR><TD>{small(status)}</TD></TR>")
    rows += [f"<TR><TD>{small(note)}</TD></TR>" for note in notes]
    if broken:
        rows.append(f"<TR><TD>{small('breaks a rule, see note', PROBLEM)}</TD></TR>")
    outline = PROBLEM if broken else border
    width = "2" if broken or status in ("InProgress", "Waiting for approval") else "1"
    return html(rows, BORDER=width, COLOR=outline, BGCOLOR=fill, CELLPADDING="3")


def swatch(text: str, fill: str, border: str) -> str:
    return f'<TD BGCOLOR="{fill}" COLOR="{border}" BORDER="1">{small(text, INK, 9)}</TD>'


def status_legend_row() -> str:
    cells = "<TD>" + small("Legend:", INK, 9) + "</TD>"
    cells += "".join(swatch(state, *status_colours(state)) for state in LEGEND_STATES)
    return f'<TR><TD ALIGN="LEFT"><TABLE BORDER="0" CELLSPACING="3" CELLPADDING="2"><TR>{cells}</TR></TABLE></TD></TR>'


def category_legend_row(categories: list[str]) -> str:
    known = [c for c in CATEGORY_COLOURS if c in categories]
    if not known:
        return ""
    cells = "<TD>" + small("Categories:", INK, 9) + "</TD>"
    cells += "".join(swatch(c, CATEGORY_COLOURS[c], CATEGORY_COLOURS[c]) for c in known)
    return f'<TR><TD ALIGN="LEFT"><TABLE BORDER="0" CELLSPACING="3" CELLPADDING="2"><TR>{cells}</TR></TABLE></TD></TR>'


def title_row(title: str, subtitle: str = "") -> str:
    text = f"<B>{escape(title)}</B>"
    if subtitle:
        text += "   " + small(subtitle, INK, 10)
    return f'<TR><TD ALIGN="LEFT">{text}</TD></TR>'


def problem_rows(messages: list[str]) -> list[str]:
    if not messages:
        return []
    rows = [f'<TR><TD ALIGN="LEFT">{small("This declaration breaks these rules:", PROBLEM, 9)}</TD></TR>']
    return rows + [f'<TR><TD ALIGN="LEFT">{small("• " + m, PROBLEM, 9)}</TD></TR>' for m in messages]


def graph_label(rows: list[str]) -> str:
    return html([row for row in rows if row])
