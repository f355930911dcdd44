"""Self-contained HTML: inline CSS, inline SVG, no script, no external URL or font.

The markup is in the templates of ``riskengine/templates/report/``, rendered by
:mod:`riskengine._render` with autoescape: every text that comes from data or
configuration is escaped by the template that prints it. This module holds
the table helper (:func:`table_html`) and :func:`inline_svg`, which drops a
figure's XML prologue, metadata and comments and prefixes every id so that
several figures can share one page, and marks the result as trusted HTML.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING

import pandas as pd

from riskengine._render import escape, render, template_text, trusted
from riskengine.formatting import (
    MISSING,
    fmt_num,
    fmt_pct,
    fmt_t,
    fmt_usd,
    fmt_usd_m,
    fmt_yes,
    is_missing,
)

if TYPE_CHECKING:
    from markupsafe import Markup

__all__ = [
    "CSS",
    "Column",
    "esc",
    "fmt_num",
    "fmt_pct",
    "fmt_t",
    "fmt_usd",
    "fmt_usd_m",
    "fmt_yes",
    "inline_svg",
    "table_html",
]

#: (column, header, formatter); formatter None shows the escaped value.
Column = tuple[str, str, Callable[[object], str] | None]

#: The report's stylesheet (``templates/report/report.css``), inlined by ``report/page.html``.
CSS = "\n" + template_text("report/report.css")


#: Escaped text of any value (control characters -> U+FFFD, then ``&``, ``<``, ``>``, both
#: quotes): what every template prints for a value that is not Markup.
esc = escape


def _cell(value: object, fmt: Callable[[object], str] | None) -> tuple[bool, object]:
    """(numeric, value) of one cell: the formatted number, or the value (- when missing)."""
    if fmt is not None:
        return True, fmt(value)
    return False, MISSING if is_missing(value) else value


def table_html(
    frame: pd.DataFrame,
    columns: Sequence[Column],
    bad: pd.Series | None = None,
    extra: Mapping[str, Sequence[Markup]] | None = None,
    scroll: bool = False,
) -> Markup:
    """An HTML table of ``frame`` showing ``columns`` (template ``report/table.html``).

    Parameters
    ----------
    frame : DataFrame
        Rows to show, in order.
    columns : sequence of (column, header, formatter)
        Formatter None: the value escaped as text; else the formatted number.
    bad : Series of bool, optional
        Rows to highlight (aligned with ``frame``'s rows).
    extra : mapping, optional
        Header -> cell bodies, one per row, appended: HTML rendered by a template (Markup).
    scroll : bool
        Wrap the table in a scrolling box with a sticky header.
    """
    extra = extra or {}
    flags = [False] * len(frame) if bad is None else list(bad.astype(bool))
    rows = [
        {
            "bad": flags[i],
            "cells": [_cell(record.get(c), f) for c, _, f in columns]
            + [(False, bodies[i]) for bodies in extra.values()],
        }
        for i, record in enumerate(frame.to_dict("records"))
    ]
    head = [h for _, h, _ in columns] + list(extra)
    return render("report/table.html", head=head, rows=rows, span=len(columns), scroll=scroll)


_PROLOGUE = re.compile(r"<\?xml.*?\?>|<!DOCTYPE.*?>|<metadata>.*?</metadata>|<!--.*?-->", re.S)
_ID = re.compile(r'\bid="([^"]+)"')
_REF = re.compile(r'(href="#|url\(#)([^")]+)')


def inline_svg(svg: str, prefix: str) -> Markup:
    """SVG text ready to place in HTML: prologue, metadata and comments removed, ids prefixed.

    ``svg`` must be a figure the report drew (matplotlib escapes the text in it):
    the result is trusted HTML, printed by templates as it is.
    """
    body = _PROLOGUE.sub("", svg).strip()
    body = _ID.sub(lambda m: f'id="{prefix}-{m.group(1)}"', body)
    return trusted(_REF.sub(lambda m: f"{m.group(1)}{prefix}-{m.group(2)}", body))
