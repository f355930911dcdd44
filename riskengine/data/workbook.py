"""Reading the tables of an xlsx workbook safely, with the real extent of every sheet.

openpyxl's read-only mode trusts a sheet's ``<dimension>`` element: a stale one
silently drops rows, and one reaching XFD1048576 pads every row to 16,384
columns. Here the sheet XML is streamed row by row and only the cells that
are really there are kept. Limits keep a small hostile file from taking
minutes or gigabytes:

- the archive unzips to at most :data:`MAX_XLSX_BYTES` bytes, in at most
  :data:`MAX_XLSX_PARTS` parts, and a part that is not a sheet (shared strings,
  styles, which openpyxl reads whole) to at most :data:`MAX_XLSX_PART_BYTES`;
- the sheets hold at most :data:`MAX_XLSX_CELLS` cells (counted as XML
  elements, three to a cell, so no other element can take their place);
- a part holding a document type declaration (where XML entities, and so
  "billion laughs" expansion, are defined) is refused.

Formulas without a saved result are reported as formulas, and a value right
of the last header column is reported with its column letter.
"""

from __future__ import annotations

import datetime as dt
import warnings
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO
from xml.etree import ElementTree

import pandas as pd

from riskengine.data.readers import MAX_COLUMNS, RawTable, to_raw
from riskengine.exceptions import DataError, InputIssue

__all__ = [
    "MAX_XLSX_BYTES",
    "MAX_XLSX_CELLS",
    "MAX_XLSX_PARTS",
    "MAX_XLSX_PART_BYTES",
    "read_xlsx_book",
    "read_xlsx_tables",
]

#: Most bytes a workbook may unzip to (its XML parts together); 250,000 cells take about 10 MB.
MAX_XLSX_BYTES = 16 * 1024 * 1024
#: Most bytes a part other than a sheet may unzip to (50,000 distinct strings take about 2 MB).
MAX_XLSX_PART_BYTES = 2 * 1024 * 1024
#: Most parts (files) inside the workbook's zip archive.
MAX_XLSX_PARTS = 5_000
#: Most cells read from the workbook's sheets together; larger tables belong in CSV files.
MAX_XLSX_CELLS = 200_000
#: Bytes at the start of each XML part searched for a document type declaration.
_PROLOG_BYTES = 64 * 1024
_DTD_MARKS = tuple(
    mark.encode(encoding)
    for mark in ("<!DOCTYPE", "<!ENTITY")
    for encoding in ("utf-8", "utf-16-le", "utf-16-be")
)


def _refuse(path: Path, message: str) -> DataError:
    return DataError([InputIssue(path.name, None, None, None, message)])


def _check_archive(path: Path) -> None:
    """Refuse a file that is not a zip archive, unzips too large, or holds a DTD."""
    not_xlsx = (
        "is not an xlsx workbook ({}); save it from Excel as .xlsx, or give a folder of CSV files"
    )
    try:
        with zipfile.ZipFile(path) as archive:
            parts = archive.infolist()
            if len(parts) > MAX_XLSX_PARTS:
                raise _refuse(
                    path,
                    f"holds {len(parts):,} parts; an xlsx workbook may hold at most {MAX_XLSX_PARTS:,}",
                )
            size = sum(part.file_size for part in parts)
            if size > MAX_XLSX_BYTES:
                raise _refuse(
                    path,
                    f"unzips to {size:,} bytes; riskengine reads workbooks of at most "
                    f"{MAX_XLSX_BYTES:,} bytes: save large tables as CSV files",
                )
            for part in parts:
                _check_part_size(path, part)
                if part.filename.endswith((".xml", ".rels")) and _has_dtd(archive, part):
                    raise _refuse(
                        path,
                        f"part {part.filename} declares a document type (<!DOCTYPE or <!ENTITY>), "
                        "which Excel never writes and which can expand without bound; "
                        "save the workbook again from Excel",
                    )
    except DataError:
        raise
    except (
        zipfile.BadZipFile,
        zipfile.LargeZipFile,
        zlib.error,
        EOFError,
        ValueError,
        NotImplementedError,
        RuntimeError,
    ) as exc:
        raise _refuse(path, not_xlsx.format(f"not a readable zip archive: {exc}")) from None
    except OSError as exc:
        raise _refuse(path, f"cannot be read ({exc.strerror or exc})") from None


def _check_part_size(path: Path, part: zipfile.ZipInfo) -> None:
    sheet = part.filename.startswith("xl/worksheets/") and part.filename.endswith(".xml")
    if not sheet and part.file_size > MAX_XLSX_PART_BYTES:
        raise _refuse(
            path,
            f"part {part.filename} unzips to {part.file_size:,} bytes; riskengine reads parts "
            f"other than sheets of at most {MAX_XLSX_PART_BYTES:,} bytes: save large tables "
            "as CSV files",
        )


def _has_dtd(archive: zipfile.ZipFile, part: zipfile.ZipInfo) -> bool:
    with archive.open(part) as handle:
        head = handle.read(_PROLOG_BYTES)
    return any(mark in head for mark in _DTD_MARKS)


def _open_workbook(path: Path, handle: BinaryIO) -> Any:
    """openpyxl's read-only workbook over ``handle`` (which the caller closes, even on failure)."""
    from openpyxl import load_workbook

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return load_workbook(handle, read_only=True, data_only=True)
    except Exception as exc:  # a hostile file can fail anywhere inside openpyxl
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise _refuse(
            path,
            f"is not a readable xlsx workbook ({reason}); save it again from Excel as .xlsx, "
            "or give a folder of CSV files",
        ) from None


def cell_text(value: object) -> str:
    """A cell's value as the text a CSV file would hold (dates YYYY-MM-DD, whole floats as ints)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


class _Budget:
    """XML elements left to read in the sheets of the whole workbook (three to a cell)."""

    def __init__(self, path: Path) -> None:
        self.path, self.left = path, 3 * MAX_XLSX_CELLS

    def spend(self, elements: int) -> None:
        self.left -= elements
        if self.left < 0:
            raise _refuse(
                self.path,
                f"holds more than {MAX_XLSX_CELLS:,} cells ({3 * MAX_XLSX_CELLS:,} XML elements "
                "in its sheets); riskengine reads workbooks of at most that many: save large "
                "tables as CSV files",
            )


_NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_ROW, _VALUE, _FORMULA, _INLINE, _TEXT = (_NS + tag for tag in ("row", "v", "f", "is", "t"))


@dataclass
class _Sheet:
    """What reading one sheet needs: its XML part, shared strings, date styles, epoch."""

    part: str
    strings: list[Any]
    dates: set[int]
    epoch: dt.datetime


def _sheet_of(workbook: Any, sheet: Any) -> _Sheet:
    return _Sheet(
        sheet._worksheet_path,
        sheet._shared_strings,
        set(workbook._date_formats),
        workbook.epoch,
    )


def _column(ref: str) -> int:
    """Column number of a cell reference: 'C7' -> 3, 'XFD1048576' -> 16384."""
    number = 0
    for char in ref:
        if not "A" <= char <= "Z":
            break
        number = number * 26 + ord(char) - 64
    return number


def _letter(column: int) -> str:
    """Column letters: 3 -> 'C', 16384 -> 'XFD'."""
    letters = ""
    while column > 0:
        column, rest = divmod(column - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _number_text(text: str, style: str | None, sheet: _Sheet) -> str:
    """A numeric cell as CSV text: dates YYYY-MM-DD, whole numbers without '.0'."""
    number = float(text)
    if style is not None and int(style) in sheet.dates:
        from openpyxl.utils.datetime import from_excel

        return cell_text(from_excel(number, sheet.epoch))
    if number.is_integer() and abs(number) < 1e15:
        return str(int(number))
    return text


def _cell(cell: Any, sheet: _Sheet) -> tuple[str, str | None]:
    """(text, formula) of one ``<c>`` element; formula is set only when no result is saved."""
    kind = cell.get("t", "n")
    value = cell.findtext(_VALUE)
    if value is None:
        if kind == "inlineStr":
            inline = cell.find(_INLINE)
            if inline is None:
                return "", None
            return "".join(t.text or "" for t in inline.iter(_TEXT)), None
        if cell.find(_FORMULA) is not None:
            formula = cell.findtext(_FORMULA) or ""
            return "", (f"={formula}" if formula else "(a shared formula)")
        return "", None
    if kind == "s":
        index = int(value)
        if not 0 <= index < len(sheet.strings):
            raise ValueError(f"cell {cell.get('r')} names shared string {index}, which is missing")
        return cell_text(sheet.strings[index]), None
    if kind == "n":
        return _number_text(value, cell.get("s"), sheet), None
    if kind == "b":
        return ("true" if value.strip() == "1" else "false"), None
    return value, None


_Row = tuple[int, dict[int, str], dict[int, str]]


def _sheet_rows(source: Any, sheet: _Sheet, budget: _Budget) -> Iterator[_Row]:
    """(row number, {column: text}, {column: formula}) of every row holding something."""
    number = elements = 0
    for _, element in ElementTree.iterparse(source):
        elements += 1
        if elements == 10_000:
            budget.spend(elements)
            elements = 0
        if element.tag != _ROW:
            continue
        ref = element.get("r")
        number = int(ref) if ref else number + 1
        texts, formulas, column = {}, {}, 0
        for cell in element:
            ref = cell.get("r")
            column = _column(ref) if ref else column + 1
            text, formula = _cell(cell, sheet)
            if formula is not None:
                formulas[column] = formula
            elif text.strip():
                texts[column] = text
        element.clear()  # the row stays in the tree, empty: the element budget bounds them
        if texts or formulas:
            yield number, texts, formulas
    budget.spend(elements)


def _table(source: str, rows: Iterator[_Row]) -> RawTable:
    """A raw table from sparse rows: the first row with a value is the header."""
    first = next(rows, None)
    if first is None or not first[1]:
        problem = InputIssue(source, None, None, None, "is empty; expected a header row")
        return RawTable(source, (), pd.DataFrame(), (), (problem,))
    head = first[1]
    width = max(head)
    if width > MAX_COLUMNS:
        return to_raw(source, [""] * width, [])  # refused there, with the count
    header = [head.get(c, "") for c in range(1, width + 1)]
    problems: list[InputIssue] = []
    records: list[tuple[int, list[str]]] = []
    for number, texts, formulas in rows:
        found = _row_problems(source, number, texts, formulas, header)
        if found:
            problems += found
            continue
        records.append((number, [texts.get(c, "") for c in range(1, width + 1)]))
    raw = to_raw(source, header, records)
    return RawTable(raw.source, raw.header, raw.frame, raw.lines, (*problems, *raw.problems))


def _row_problems(
    source: str, number: int, texts: dict[int, str], formulas: dict[int, str], header: list[str]
) -> list[InputIssue]:
    width = len(header)
    problems = []
    beyond = sorted(c for c in (*texts, *formulas) if c > width)
    if beyond:
        problems.append(
            InputIssue(
                source,
                number,
                None,
                texts.get(beyond[0], formulas.get(beyond[0])),
                f"has a value in column {_letter(beyond[0])}, right of the last header column "
                f"{_letter(width)}; delete it or give its column a header",
            )
        )
    for column, formula in sorted(formulas.items()):
        if column <= width:
            problems.append(
                InputIssue(
                    source,
                    number,
                    header[column - 1] or _letter(column),
                    formula,
                    "is a formula with no saved result; open the workbook in Excel and save it, "
                    "or paste the values",
                )
            )
    return problems


def _read_sheet(workbook: Any, name: str, source: str, budget: _Budget) -> RawTable:
    sheet = workbook[name]
    if not hasattr(sheet, "_worksheet_path"):
        problem = InputIssue(source, None, None, None, "is a chart sheet, not a table")
        return RawTable(source, (), pd.DataFrame(), (), (problem,))
    try:
        with workbook._archive.open(sheet._worksheet_path) as part:
            return _table(source, _sheet_rows(part, _sheet_of(workbook, sheet), budget))
    except DataError:
        raise
    except Exception as exc:  # malformed sheet XML fails in many ways
        problem = InputIssue(
            source,
            None,
            None,
            None,
            f"cannot be read ({type(exc).__name__}: {exc}); save the workbook again from Excel",
        )
        return RawTable(source, (), pd.DataFrame(), (), (problem,))


def read_xlsx_tables(path: Path, names: tuple[str, ...]) -> dict[str, RawTable]:
    """Read the sheets called ``names`` (row numbers as Excel shows them).

    Sheet names match case-insensitively (``Suppliers`` is ``suppliers``).
    Missing sheets are left out of the result; the validator reports them.

    Raises
    ------
    DataError
        When the file is not a readable xlsx workbook or exceeds a limit above.
    """
    return read_xlsx_book(path, names)[0]


def read_xlsx_book(
    path: Path, names: tuple[str, ...]
) -> tuple[dict[str, RawTable], tuple[str, ...]]:
    """The sheets called ``names`` (any case), keyed by name, and every sheet name found."""
    _check_archive(path)
    budget = _Budget(path)
    with path.open("rb") as handle:
        workbook = _open_workbook(path, handle)
        try:
            found = tuple(str(s) for s in workbook.sheetnames)
            by_lower: dict[str, str] = {}
            for sheet in found:
                by_lower.setdefault(sheet.lower(), sheet)
            return {
                name: _read_sheet(workbook, match, f"{path.name}[{match}]", budget)
                for name in names
                if (match := by_lower.get(name.lower())) is not None
            }, found
        finally:
            workbook.close()
