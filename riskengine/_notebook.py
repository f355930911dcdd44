"""Helpers shared by the result objects: compact HTML views and ``to_frame(table)``.

The views are rendered from the templates in ``riskengine/templates/notebook/`` by
:mod:`riskengine._render`, which escapes every text that comes from data (supplier
ids, scenario names, messages), so a hostile name shows as text and never
becomes markup.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

import pandas as pd

from riskengine._render import render
from riskengine._text import did_you_mean
from riskengine.exceptions import RiskEngineError
from riskengine.formatting import MISSING, fmt_pct, fmt_t, fmt_usd_m, fmt_yes, is_missing

if TYPE_CHECKING:
    from markupsafe import Markup

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


def _table(
    frame: pd.DataFrame, columns: Sequence[Column], max_rows: int, more: str
) -> dict[str, Any]:
    """The context of ``notebook/macros.html``'s table: headers, formatted cells, row counts."""
    rows = [
        [str(fmt(record.get(name))) for name, _, fmt in columns]
        for record in frame.head(max_rows).to_dict("records")
    ]
    head = [title for _, title, _ in columns]
    return {"head": head, "rows": rows, "shown": max_rows, "total": len(frame), "more": more}


def html_table(
    title: str, frame: pd.DataFrame, columns: Sequence[Column], max_rows: int = 20, more: str = ""
) -> Markup:
    """A bold ``title`` line, then ``frame`` as a small table (at most ``max_rows`` rows,
    with the hint ``more`` when rows are left out); template ``notebook/table.html``."""
    return render("notebook/table.html", title=title, **_table(frame, columns, max_rows, more))


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
    before: Markup | None = None,
    heading: str = "",
) -> str:
    """A status line (``kind: status · fact · fact``), then a small table (``notebook/view.html``).

    ``more`` is the hint shown when ``frame`` has more than ``max_rows`` rows;
    ``before`` is HTML (an :func:`html_table`) placed between the line and the table,
    ``heading`` a bold line above the table.
    """
    return str(
        render(
            "notebook/view.html",
            kind=kind,
            status=status,
            colour="#1e8449" if ok else "#c0392b",
            facts=facts,
            before=before or "",
            heading=heading,
            **_table(frame, columns, max_rows, more),
        )
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
