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
from pathlib import Path

import pandas as pd
from openpyxl import Workbook
from openpyxl.cell import Cell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from riskengine.report._format import is_formula_like, xlsx_text

__all__ = ["number_format", "write_workbook"]

_HEADER_FONT = Font(bold=True, color="FFFFFF")
_HEADER_FILL = PatternFill("solid", fgColor="1F4E79")
_MAX_WIDTH = 60
_MIN_WIDTH = 6
_WIDTH_SAMPLE = 500


def number_format(column: str) -> str:
    """Excel number format for a column, from its name's unit."""
    name = column.lower()
    rules = [
        (name.endswith("_usd_per_kg") or name.endswith("_usd_per_t"), "#,##0.00"),
        (name.endswith("_usd"), "#,##0"),
        (name.endswith("_t") or name == "tonnes" or name.startswith("capacity"), "#,##0.0"),
        ("share" in name or name == "import_reliance", "0.0%"),
        (name in ("rank", "rows", "commodities", "year"), "0"),
        (name.startswith("sr_") or name.startswith("hhi"), "0.000"),
    ]
    for matched, fmt in rules:
        if matched:
            return fmt
    return "0.00"


def _put(cell: Cell, value: object, fmt: str) -> None:
    """Write one value: text stays text, numbers get ``fmt``, NaN stays empty."""
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA:
        return
    if isinstance(value, bool):
        cell.value = value
    elif isinstance(value, int | float):
        cell.value = value
        cell.number_format = fmt
    else:
        text = xlsx_text(str(value))
        cell.value = text
        cell.data_type = "s"  # openpyxl would store text starting with '=' as a formula
        if is_formula_like(text):
            cell.quotePrefix = True


def _header(sheet: Worksheet, columns: list[str]) -> None:
    for j, name in enumerate(columns, start=1):
        cell = sheet.cell(row=1, column=j)
        _put(cell, name, "")
        cell.font, cell.fill = _HEADER_FONT, _HEADER_FILL
        cell.alignment = Alignment(vertical="center")
    sheet.freeze_panes = "A2"


def _widths(sheet: Worksheet, frame: pd.DataFrame) -> None:
    for j, name in enumerate(frame.columns, start=1):
        sample = frame[name].head(_WIDTH_SAMPLE)
        texts = [str(name)] + [
            f"{v:,.2f}" if isinstance(v, float) else str(v) for v in sample if not pd.isna(v)
        ]
        width = max(len(t) for t in texts) + 2
        sheet.column_dimensions[get_column_letter(j)].width = max(
            _MIN_WIDTH, min(_MAX_WIDTH, width)
        )


def _sheet(book: Workbook, name: str, frame: pd.DataFrame) -> None:
    sheet = book.create_sheet(title=name[:31])
    columns = [str(c) for c in frame.columns]
    _header(sheet, columns)
    formats = [number_format(c) for c in columns]
    for i, record in enumerate(frame.itertuples(index=False, name=None), start=2):
        for j, value in enumerate(record, start=1):
            if hasattr(value, "item"):
                value = value.item()  # numpy scalar -> Python
            _put(sheet.cell(row=i, column=j), value, formats[j - 1])
    _widths(sheet, frame)
    if columns:
        sheet.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{len(frame) + 1}"


def write_workbook(tables: dict[str, pd.DataFrame], path: Path) -> Path:
    """Write ``tables`` (sheet name -> DataFrame, names of at most 31 characters) to ``path``."""
    book = Workbook()
    book.remove(book.active)
    book.properties.creator = "riskengine"
    for name, frame in tables.items():
        _sheet(book, name, frame)
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
