"""One formatted workbook, ``tables.xlsx``: a sheet per table.

Each sheet has a styled, frozen header row with an auto-filter, column widths
fitted to the content and number formats chosen from the column's unit
(``_t`` tonnes, ``_usd`` dollars, ``share`` percentages, scores one
decimal). Text cells are always stored as text: a value such as
``=HYPERLINK(...)``, ``+1`` or ``@SUM(A1)`` is written as a string cell with
Excel's quote prefix, never as a formula.

The file is byte-identical for the same tables: zip entries carry a fixed
date and the document properties hold no creation or modification time
(the run's time is in ``manifest.json``).
"""

from __future__ import annotations

import math
import re
import zipfile
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

import pandas as pd

from riskengine.formatting import is_formula_like, xlsx_text

if TYPE_CHECKING:  # openpyxl itself is imported when a workbook is written
    from openpyxl import Workbook
    from openpyxl.cell import Cell
    from openpyxl.worksheet.worksheet import Worksheet

__all__ = ["header_label", "number_format", "write_workbook"]

_MAX_WIDTH = 60
_MIN_WIDTH = 6
_WIDTH_SAMPLE = 500


@cache
def _header_style() -> tuple[Any, Any, Any]:
    """Font, fill and alignment of the header row."""
    from openpyxl.styles import Alignment, Font, PatternFill

    return (
        Font(bold=True, color="FFFFFF"),
        PatternFill("solid", fgColor="1F4E79"),
        Alignment(vertical="center"),
    )


def number_format(column: str) -> str:
    """Excel number format for a column, from its name's unit."""
    name = column.lower()
    rules = [
        (name.endswith("_usd_per_kg") or name.endswith("_usd_per_t"), "#,##0.00"),
        (name.endswith("_usd"), "#,##0"),
        (name.endswith("_t") or name == "tonnes" or name.startswith("capacity"), "#,##0.0"),
        (
            "share" in name or name in ("import_reliance", "disruption_probability"),
            "0.0%",
        ),
        (name == "value", "#,##0.00"),
        (name in ("rank", "rows", "commodities", "year"), "0"),
        (name.startswith("sr_") or name.startswith("hhi"), "0.000"),
    ]
    for matched, fmt in rules:
        if matched:
            return fmt
    return "0.00"


def _put(cell: Cell, value: object, fmt: str) -> None:
    """Write one value: text stays text, numbers get ``fmt``, NaN stays empty."""
    if _is_empty(value):
        return
    if isinstance(value, bool):
        cell.value = value
    elif isinstance(value, int | float):
        cell.value = value
        cell.number_format = fmt
    else:
        _put_text(cell, value)


def _is_empty(value: object) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA


def _put_text(cell: Cell, value: object) -> None:
    text = xlsx_text(str(value))
    cell.value = text
    cell.data_type = "s"  # openpyxl would store text starting with '=' as a formula
    if is_formula_like(text):
        cell.quotePrefix = True


def _header(sheet: Worksheet, columns: list[str]) -> None:
    font, fill, alignment = _header_style()
    for j, name in enumerate(columns, start=1):
        cell = cast("Cell", sheet.cell(row=1, column=j))  # a fresh header row has no merged cells
        _put(cell, name, "")
        cell.font, cell.fill = font, fill
        cell.alignment = alignment
    sheet.freeze_panes = "A2"


def _widths(sheet: Worksheet, frame: pd.DataFrame) -> None:
    from openpyxl.utils import get_column_letter

    for j, name in enumerate(frame.columns, start=1):
        sample = frame[name].head(_WIDTH_SAMPLE)
        texts = [str(name)] + [
            f"{v:,.2f}" if isinstance(v, float) else str(v) for v in sample if not pd.isna(v)
        ]
        width = max(len(t) for t in texts) + 2
        sheet.column_dimensions[get_column_letter(j)].width = max(
            _MIN_WIDTH, min(_MAX_WIDTH, width)
        )


def _rows(sheet: Worksheet, frame: pd.DataFrame, formats: list[str]) -> Iterator[list[Cell]]:
    """The data rows as cells, built as :func:`_put` would write them but without its lookups.

    A number's style is copied from the first cell of its format, whose format was set
    (and so registered with the workbook) in the same row-major order as cell by cell.
    """
    from openpyxl.cell import Cell

    styles: dict[str, Any] = {}
    for record in frame.itertuples(index=False, name=None):
        row = []
        for value, fmt in zip(record, formats, strict=True):
            value = value.item() if hasattr(value, "item") else value  # numpy -> Python
            # types-openpyxl makes Cell's row and column required; openpyxl defaults them
            # to None and fills them in on append, and the stubs omit Cell._style
            if _is_empty(value):
                cell = Cell(sheet)  # type: ignore[call-arg]
            elif isinstance(value, bool):
                cell = Cell(sheet, value=value)  # type: ignore[call-arg]
            elif isinstance(value, int | float):
                cell = Cell(sheet, value=value, style_array=styles.get(fmt))  # type: ignore[call-arg]
                if fmt not in styles:
                    cell.number_format = fmt
                    styles[fmt] = cell._style  # type: ignore[attr-defined]  # copied by later cells
            else:
                cell = Cell(sheet)  # type: ignore[call-arg]
                _put_text(cell, value)
            row.append(cell)
        yield row


#: Column-name endings and the unit a readable header shows, longest first.
_UNITS = (
    ("_usd_per_kg", "USD/kg"),
    ("_usd_per_t", "USD/t"),
    ("_usd", "USD"),
    ("_days", "days"),
    ("_t", "t"),
)
#: Columns whose ``_t`` is not tonnes.
_NOT_TONNES = ("hhi_wgi_t",)


def header_label(column: str) -> str:
    """A readable header from a snake_case column: ``purchase_cost_usd`` -> ``purchase cost
    (USD)``, ``demand_t`` -> ``demand (t)``, ``china_share`` -> ``china share``."""
    name = str(column)
    if name not in _NOT_TONNES:
        for suffix, unit in _UNITS:
            if name.endswith(suffix) and len(name) > len(suffix):
                return f"{name[: -len(suffix)].replace('_', ' ')} ({unit})"
    return name.replace("_", " ")


def _sheet(
    book: Workbook, name: str, frame: pd.DataFrame, headers: dict[str, str] | None = None
) -> None:
    from openpyxl.utils import get_column_letter

    sheet = book.create_sheet(title=name[:31])
    columns = [str(c) for c in frame.columns]
    _header(sheet, columns if headers is None else [headers.get(c, c) for c in columns])
    for row in _rows(sheet, frame, [number_format(c) for c in columns]):
        sheet.append(row)
    _widths(sheet, frame if headers is None else frame.rename(columns=headers))
    if columns:
        sheet.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{len(frame) + 1}"


def write_workbook(
    tables: dict[str, pd.DataFrame],
    path: Path,
    *,
    readable: bool = False,
    headers: dict[str, dict[str, str]] | None = None,
) -> Path:
    """Write ``tables`` (sheet name -> DataFrame, names of at most 31 characters) to ``path``.

    Number formats follow the column names; with ``readable`` the header row
    shows :func:`header_label` of each column, or ``headers[sheet][column]``
    where given.
    """
    from openpyxl import Workbook

    book = Workbook()
    if book.active is not None:  # the default empty sheet
        book.remove(book.active)
    book.properties.creator = "riskengine"
    for name, frame in tables.items():
        labels = None
        if readable:
            given = (headers or {}).get(name, {})
            labels = {str(c): given.get(str(c), header_label(str(c))) for c in frame.columns}
        _sheet(book, name, frame, labels)
    book.save(path)
    _without_times(path)
    return path


_TIMES = re.compile(rb"<dcterms:(created|modified)[^>]*>[^<]*</dcterms:\1>")
_FIXED_DATE = (1980, 1, 1, 0, 0, 0)


def _without_times(path: Path) -> None:
    """Rewrite the xlsx zip with fixed entry dates and no times in docProps/core.xml."""
    with zipfile.ZipFile(path) as source:
        entries = [(info.filename, source.read(info)) for info in source.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for name, payload in entries:
            if name == "docProps/core.xml":
                payload = _TIMES.sub(b"", payload)
            info = zipfile.ZipInfo(name, date_time=_FIXED_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            target.writestr(info, payload)
