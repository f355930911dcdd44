"""An Excel template of the input tables: one sheet per table, validation lists, a README.

:func:`write_template` writes a workbook that :func:`~riskengine.data.load_dataset`
reads back to the same tables: the header row of each sheet is the table's
columns, cells hold the dataset's rows (or none), and columns whose values come
from a list (commodity ids, country codes, stages, statuses, ...) carry an Excel
drop-down fed by a hidden ``lists`` sheet. A ``README`` sheet explains the
tables and every column. A sheet may be deleted: the table is then read from
the shipped reference tables (``seeds/``), and the run says so.
"""

from __future__ import annotations

import math
import os
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from riskengine.data.columns import Column, TableSpec
from riskengine.data.dataset import Dataset, load_dataset
from riskengine.data.schema import TABLES
from riskengine.exceptions import ArgumentError

if TYPE_CHECKING:
    from openpyxl import Workbook
    from openpyxl.worksheet.worksheet import Worksheet

__all__ = ["LISTS_SHEET", "README_SHEET", "write_template"]

README_SHEET = "README"
LISTS_SHEET = "lists"
#: Rows below the header that carry the drop-down lists (room to add rows).
_VALIDATED_ROWS = 2_000
_README = (
    "riskengine input workbook",
    "",
    "One sheet per table; the first row of a sheet is its header (column names as below).",
    "Sheet names may be written in any case. Quantities are tonnes of oxide equivalent a "
    "year, prices USD per kg of oxide equivalent.",
    "Delete a sheet to use the shipped reference table instead (seeds/ of riskengine); "
    "the run names the tables it took from there. A suppliers-only workbook is your "
    "offers over the shipped commodities, countries, production, export controls and demand.",
    "Columns with a drop-down take one of the values of the hidden 'lists' sheet; "
    "dates are YYYY-MM-DD; true/false columns take true or false.",
    "Check the workbook with: riskengine validate --data <this file>",
    "",
)


def _cells(spec: TableSpec, frame: pd.DataFrame) -> pd.DataFrame:
    """The frame as the values written to cells: dates as YYYY-MM-DD, booleans as true/false."""
    out = frame.copy()
    for col in spec.columns:
        if col.name not in out.columns:
            continue
        if col.kind == "date":
            out[col.name] = out[col.name].dt.strftime("%Y-%m-%d")
        elif col.kind == "bool":
            out[col.name] = out[col.name].map({True: "true", False: "false"})
    return out


def _put(sheet: Worksheet, row: int, column: int, value: object) -> None:
    """One cell: numbers as numbers, text as text (never a formula), empty left empty."""
    value = value.item() if hasattr(value, "item") else value  # numpy -> Python
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return
    cell = sheet.cell(row=row, column=column)
    if isinstance(value, int | float) and not isinstance(value, bool):
        cell.value = value
        return
    cell.value = str(value)
    cell.data_type = "s"  # openpyxl would store text starting with '=' as a formula


def _lists(dataset: Dataset) -> dict[str, tuple[str, ...]]:
    """Valid values by column kind: commodity ids and country codes from the dataset."""
    return {
        "commodity": tuple(sorted(dataset.commodities["commodity"].astype(str))),
        "country": tuple(sorted(dataset.countries["country"].astype(str))),
    }


def _choices(col: Column, lists: dict[str, tuple[str, ...]]) -> tuple[str, ...]:
    if col.kind == "choice":
        return col.choices
    if col.kind == "bool":
        return ("true", "false")
    return lists.get(col.kind, ())


class _ListSheet:
    """The hidden sheet holding one validation list per column; one range per distinct list."""

    def __init__(self, book: Workbook) -> None:
        self.sheet = book.create_sheet(LISTS_SHEET)
        self.sheet.sheet_state = "hidden"
        self.ranges: dict[tuple[str, ...], str] = {}

    def range_of(self, name: str, values: tuple[str, ...]) -> str:
        from openpyxl.utils import get_column_letter

        if values not in self.ranges:
            column = len(self.ranges) + 1
            _put(self.sheet, 1, column, name)
            for i, value in enumerate(values, start=2):
                _put(self.sheet, i, column, value)
            letter = get_column_letter(column)
            self.ranges[values] = f"{LISTS_SHEET}!${letter}$2:${letter}${len(values) + 1}"
        return self.ranges[values]


def _validate(sheet: Worksheet, j: int, col: Column, values: tuple[str, ...], where: str) -> None:
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    rule = DataValidation(type="list", formula1=f"={where}", allow_blank=not col.required)
    rule.error = f"{col.name}: choose one of the values in the list ({col.meaning})"
    rule.errorTitle = f"Invalid {col.name}"
    rule.showErrorMessage = True
    letter = get_column_letter(j)
    rule.add(f"{letter}2:{letter}{_VALIDATED_ROWS + 1}")
    sheet.add_data_validation(rule)


def _table_sheet(
    book: Workbook,
    spec: TableSpec,
    frame: pd.DataFrame,
    lists: _ListSheet,
    valid: dict[str, tuple[str, ...]],
) -> None:
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    sheet = book.create_sheet(spec.name)
    columns = [str(c) for c in frame.columns]
    for j, name in enumerate(columns, start=1):
        _put(sheet, 1, j, name)
        sheet.cell(row=1, column=j).font = Font(bold=True)
        sheet.column_dimensions[get_column_letter(j)].width = max(12, min(40, len(name) + 4))
        col = spec.column(name)
        values = _choices(col, valid) if col is not None else ()
        if col is not None and values:
            _validate(sheet, j, col, values, lists.range_of(f"{spec.name}.{name}", values))
    for i, record in enumerate(_cells(spec, frame).itertuples(index=False, name=None), start=2):
        for j, value in enumerate(record, start=1):
            _put(sheet, i, j, value)
    sheet.freeze_panes = "A2"


def _readme(book: Workbook, specs: Sequence[TableSpec]) -> None:
    sheet = book.create_sheet(README_SHEET)
    rows: list[tuple[str, ...]] = [(line,) for line in _README]
    rows.append(("table", "column", "unit", "required", "meaning", "valid values"))
    for spec in specs:
        rows.append((spec.name, "", "", "", spec.meaning, ""))
        for col in spec.columns:
            valid = ", ".join(col.choices) if col.kind == "choice" else _kind_hint(col)
            rows += [("", col.name, col.unit, "yes" if col.required else "no", col.meaning, valid)]
    for i, row in enumerate(rows, start=1):
        for j, value in enumerate(row, start=1):
            if value:
                _put(sheet, i, j, value)
    for letter, width in zip("ABCDEF", (18, 30, 10, 10, 70, 40), strict=True):
        sheet.column_dimensions[letter].width = width


def _kind_hint(col: Column) -> str:
    hints = {
        "commodity": "a commodity id (list)",
        "country": "a country code (list)",
        "date": "YYYY-MM-DD",
        "bool": "true or false",
        "integer": "a whole number",
    }
    if col.kind == "number":
        low = "" if col.low is None else f"{col.low:g}"
        high = "" if col.high is None else f"{col.high:g}"
        return f"a number from {low or '-inf'} to {high or 'inf'}" if low or high else "a number"
    return hints.get(col.kind, "")


def write_template(
    path: str | os.PathLike[str],
    dataset: Dataset | None = None,
    *,
    rows: bool = True,
) -> Path:
    """Write an input workbook: README, one sheet per table, hidden validation lists.

    Parameters
    ----------
    path : path-like
        The ``.xlsx`` file to write (its folder must exist; an existing file is refused).
    dataset : Dataset, optional
        Its tables (the six and the optional ones it has) become the sheets;
        default the shipped tables. Commodity and country lists come from it.
    rows : bool
        Write the dataset's rows; False leaves headers only (an empty template).

    Returns
    -------
    Path
        The workbook written.

    Raises
    ------
    ArgumentError
        When ``path`` exists, does not end in ``.xlsx`` or its folder is missing.

    Examples
    --------
    >>> import tempfile, pathlib, riskengine
    >>> from riskengine.data.template import write_template
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     book = write_template(pathlib.Path(tmp) / "data.xlsx")
    ...     loaded = riskengine.load_dataset(book)
    >>> len(loaded.suppliers) == len(riskengine.load_dataset().suppliers)
    True
    """
    from openpyxl import Workbook

    target = Path(path)
    if target.suffix.lower() != ".xlsx":
        raise ArgumentError(f"write_template: {target}: give a file name ending in .xlsx")
    if target.exists():
        raise ArgumentError(f"write_template: {target}: already exists; choose a new file name")
    if not target.parent.is_dir():
        raise ArgumentError(f"write_template: {target.parent}: folder does not exist; create it")
    data = dataset if dataset is not None else load_dataset()
    specs = [t for t in TABLES if t.name in data.table_names]
    book = Workbook()
    book.remove(book.worksheets[0])  # the default empty sheet
    _readme(book, specs)
    lists, valid = _ListSheet(book), _lists(data)
    for spec in specs:
        frame = data.table(spec.name)
        _table_sheet(book, spec, frame if rows else frame.iloc[0:0], lists, valid)
    book.move_sheet(LISTS_SHEET, offset=len(book.sheetnames))
    book.save(target)
    return target
