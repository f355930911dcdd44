"""Self-contained HTML: inline CSS, inline SVG, no script, no external URL or font.

Every text that comes from data or configuration goes through :func:`esc`
(``html.escape`` with quotes). Figures are inlined by :func:`inline_svg`,
which drops the XML prologue, metadata and comments and prefixes every id
so that several figures can share one page.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Sequence

import pandas as pd

from riskengine._text import replace_controls
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
    "page",
    "table_html",
]

#: (column, header, formatter); formatter None shows the escaped value.
Column = tuple[str, str, Callable[[object], str] | None]

CSS = """
:root { --ink: #1c2833; --muted: #5d6d7e; --line: #d5d8dc; --accent: #1f4e79; }
* { box-sizing: border-box; }
body { font-family: "Segoe UI", "Helvetica Neue", Arial, sans-serif; color: var(--ink);
       margin: 0; line-height: 1.45; font-size: 14px; background: #fff; }
header { background: var(--accent); color: #fff; padding: 18px 32px; }
header h1 { margin: 0 0 4px 0; font-size: 22px; }
header p { margin: 0; opacity: 0.9; }
nav { padding: 8px 32px; border-bottom: 1px solid var(--line); font-size: 13px; }
nav a { margin-right: 14px; color: var(--accent); text-decoration: none; }
main { padding: 8px 32px 32px 32px; max-width: 1340px; }
section { margin-top: 22px; }
h2 { font-size: 18px; border-bottom: 2px solid var(--accent); padding-bottom: 3px; }
h3 { font-size: 15px; margin-bottom: 6px; }
p.note { color: var(--muted); font-size: 12.5px; }
ul.summary li { margin-bottom: 6px; }
ul.answers { background: #f4f6f7; border-left: 4px solid var(--accent); padding: 8px 12px 8px 28px;
             margin: 6px 0 10px 0; }
ul.answers li { margin-bottom: 3px; }
p.total { font-size: 12.5px; font-weight: 600; margin: -8px 0 12px 0; }
table { border-collapse: collapse; font-size: 12.5px; margin: 6px 0 12px 0; }
th, td { border-bottom: 1px solid var(--line); padding: 3px 8px; text-align: left;
         vertical-align: top; }
th { background: #eaf0f6; font-weight: 600; }
td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
tr.bad td { background: #fdedec; }
.scroll { max-height: 520px; overflow-y: auto; border: 1px solid var(--line); }
.scroll table { margin: 0; }
.scroll th { position: sticky; top: 0; }
.figure svg { width: 100%; max-width: 880px; height: auto; }
.bar { display: flex; width: 260px; height: 12px; background: #f4f6f7; }
.bar span { display: block; height: 100%; }
.legend span { display: inline-block; margin-right: 12px; font-size: 12px; }
.legend i { display: inline-block; width: 10px; height: 10px; margin-right: 4px; }
.ok { color: #1e8449; font-weight: 600; }
.fail { color: #c0392b; font-weight: 600; }
.na { color: #777; }
pre { background: #f4f6f7; padding: 10px; overflow-x: auto; font-size: 12px; }
footer { color: var(--muted); font-size: 12px; padding: 12px 32px; border-top: 1px solid
         var(--line); }
@media print {
  body { font-size: 11px; }
  header { background: none; color: var(--ink); padding: 0 0 6px 0; }
  nav { display: none; }
  main { padding: 0; max-width: none; }
  .scroll { max-height: none; overflow: visible; border: none; }
  .scroll th { position: static; }
  table { page-break-inside: auto; }
  tr { page-break-inside: avoid; }
  thead { display: table-header-group; }
  h2, h3 { page-break-after: avoid; }
  .figure svg { max-width: 100%; page-break-inside: avoid; }
  pre { white-space: pre-wrap; }
}
"""


def esc(value: object) -> str:
    """Escaped text of any value (``&``, ``<``, ``>``, both quotes; control characters -> U+FFFD)."""
    return html.escape(replace_controls(str(value)), quote=True)


def _cell(value: object, fmt: Callable[[object], str] | None) -> str:
    if fmt is not None:
        return f'<td class="num">{esc(fmt(value))}</td>'
    return f"<td>{MISSING if is_missing(value) else esc(value)}</td>"


def table_html(
    frame: pd.DataFrame,
    columns: Sequence[Column],
    bad: pd.Series | None = None,
    extra: dict[str, Sequence[str]] | None = None,
    scroll: bool = False,
) -> str:
    """An HTML table of ``frame`` showing ``columns``.

    Parameters
    ----------
    frame : DataFrame
        Rows to show, in order.
    columns : sequence of (column, header, formatter)
        Formatter None: the value escaped as text; else the formatted number.
    bad : Series of bool, optional
        Rows to highlight (aligned with ``frame``'s rows).
    extra : dict, optional
        Header -> ready-made (already escaped) HTML cell bodies, one per row, appended.
    scroll : bool
        Wrap the table in a scrolling box with a sticky header.
    """
    extra = extra or {}
    head = "".join(f"<th>{esc(h)}</th>" for _, h, _ in columns)
    head += "".join(f"<th>{esc(h)}</th>" for h in extra)
    flags = [False] * len(frame) if bad is None else list(bad.astype(bool))
    rows = []
    for i, record in enumerate(frame.to_dict("records")):
        cells = "".join(_cell(record.get(c), f) for c, _, f in columns)
        cells += "".join(f"<td>{bodies[i]}</td>" for bodies in extra.values())
        marker = ' class="bad"' if flags[i] else ""
        rows.append(f"<tr{marker}>{cells}</tr>")
    body = "\n".join(rows) if rows else f'<tr><td colspan="{len(columns)}">(no rows)</td></tr>'
    table = f"<table>\n<thead><tr>{head}</tr></thead>\n<tbody>\n{body}\n</tbody></table>"
    return f'<div class="scroll">{table}</div>' if scroll else table


_PROLOGUE = re.compile(r"<\?xml.*?\?>|<!DOCTYPE.*?>|<metadata>.*?</metadata>|<!--.*?-->", re.S)
_ID = re.compile(r'\bid="([^"]+)"')
_REF = re.compile(r'(href="#|url\(#)([^")]+)')


def inline_svg(svg: str, prefix: str) -> str:
    """SVG text ready to place in HTML: prologue, metadata and comments removed, ids prefixed."""
    body = _PROLOGUE.sub("", svg).strip()
    body = _ID.sub(lambda m: f'id="{prefix}-{m.group(1)}"', body)
    return _REF.sub(lambda m: f"{m.group(1)}{prefix}-{m.group(2)}", body)


def page(title: str, subtitle: str, nav: Sequence[tuple[str, str]], body: str, footer: str) -> str:
    """A whole HTML document with inline CSS; ``body`` and ``footer`` must be escaped HTML."""
    links = "".join(f'<a href="#{esc(anchor)}">{esc(label)}</a>' for anchor, label in nav)
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{esc(title)}</title>\n<style>{CSS}</style>\n</head>\n<body>\n"
        f"<header><h1>{esc(title)}</h1><p>{esc(subtitle)}</p></header>\n"
        f"<nav>{links}</nav>\n<main>\n{body}\n</main>\n<footer>{footer}</footer>\n"
        "</body>\n</html>\n"
    )
