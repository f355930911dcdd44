"""Helpers shared by the result objects: compact HTML views and ``to_frame(table)``.

Every text that comes from data (supplier ids, scenario names, messages) is
escaped with :func:`html.escape`, so a hostile name shows as text and never
becomes markup.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from html import escape
from typing import Any

import pandas as pd

from riskengine._text import did_you_mean
from riskengine.exceptions import RiskEngineError
from riskengine.formatting import MISSING, fmt_pct, fmt_t, fmt_usd_m, fmt_yes, is_missing

__all__ = [
    "Column",
    "fmt_pct",
    "fmt_t",
    "fmt_usd_m",
    "fmt_yes",
    "html_table",
    "html_view",
    "number",
    "pick_table",
]

#: A column of an HTML table: (source column, header, formatter of one value).
Column = tuple[str, str, Callable[[Any], str]]


def number(value: Any, digits: int = 0) -> str:
    """A number with thousands separators (``-`` for NaN)."""
    if is_missing(value) or (isinstance(value, float) and math.isinf(value)):
        return MISSING
    return f"{float(value):,.{digits}f}"


def html_table(
    title: str, frame: pd.DataFrame, columns: Sequence[Column], max_rows: int = 20, more: str = ""
) -> str:
    """A bold ``title`` line, then ``frame`` as a small table (at most ``max_rows`` rows,
    with the hint ``more`` when rows are left out)."""
    extra = ""
    if len(frame) > max_rows:
        extra = (
            f'<p style="font-size:11px;color:#666">{max_rows} of {len(frame)} rows; '
            f"{escape(more)}</p>"
        )
    return f"<p><b>{escape(title)}</b></p>{_table(frame, columns, max_rows)}{extra}"


def _table(frame: pd.DataFrame, columns: Sequence[Column], max_rows: int) -> str:
    head = "".join(f"<th>{escape(title)}</th>" for _, title, _ in columns)
    rows = []
    for record in frame.head(max_rows).to_dict("records"):
        cells = "".join(
            f"<td>{escape(str(fmt(record.get(name))))}</td>" for name, _, fmt in columns
        )
        rows.append(f"<tr>{cells}</tr>")
    return (
        f'<table class="dataframe"><thead><tr>{head}</tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table>"
    )


def html_view(
    kind: str,
    status: str,
    ok: bool,
    facts: Sequence[str],
    frame: pd.DataFrame,
    columns: Sequence[Column],
    *,
    max_rows: int = 20,
    more: str = "",
    before: str = "",
) -> str:
    """A status line (``kind: status · fact · fact``), then a small table.

    ``more`` is the hint shown when ``frame`` has more than ``max_rows`` rows;
    ``before`` is ready-made (escaped) HTML placed between the line and the table.
    """
    colour = "#1e8449" if ok else "#c0392b"
    line = " · ".join(
        [f'<b style="color:{colour}">{escape(status)}</b>', *(escape(f) for f in facts)]
    )
    extra = ""
    if len(frame) > max_rows:
        extra = (
            f'<p style="font-size:11px;color:#666">{max_rows} of {len(frame)} rows; '
            f"{escape(more)}</p>"
        )
    return (
        f'<div class="riskengine-result"><p><b>{escape(kind)}</b>: {line}</p>'
        f"{before}{_table(frame, columns, max_rows)}{extra}</div>"
    )


def pick_table(owner: object, table: str, choices: Sequence[str]) -> pd.DataFrame:
    """A copy of ``owner``'s table ``table``, or an error naming the valid choices."""
    if table not in choices:
        raise RiskEngineError(
            f"table={table!r} is not a table of {type(owner).__name__}"
            f"{did_you_mean(table, choices)}; valid tables: "
            f"{', '.join(choices)}"
        )
    frame = getattr(owner, table)
    return (frame() if callable(frame) else frame).copy()
