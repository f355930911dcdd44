"""Reading the tables of an xlsx workbook safely, with the real extent of every sheet.

openpyxl's read-only mode trusts a sheet's ``<dimension>`` element: a stale one
silently drops rows, and one reaching XFD1048576 pads every row to 16,384
columns. Here the sheet XML is streamed row by row and only the cells that
are really there are kept. Limits keep a small hostile file from taking
minutes or gigabytes:

- the archive unzips to at most :data:`MAX_XLSX_BYTES` bytes, in at most
  :data:`MAX_XLSX_PARTS` parts;
- at most :data:`MAX_XLSX_CELLS` cells are read;
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
from pathlib import Path
from typing import Any

import pandas as pd

from riskengine.data.readers import RawTable, to_raw
from riskengine.exceptions import DataError, Problem

__all__ = ["MAX_XLSX_BYTES", "MAX_XLSX_CELLS", "MAX_XLSX_PARTS", "read_xlsx_tables"]

#: Most bytes a workbook may unzip to (its XML parts together).
MAX_XLSX_BYTES = 64 * 1024 * 1024
#: Most parts (files) inside the workbook's zip archive.
MAX_XLSX_PARTS = 5_000
#: Most cells read from the workbook's sheets together; larger tables belong in CSV files.
MAX_XLSX_CELLS = 1_000_000
#: Bytes at the start of each XML part searched for a document type declaration.
_PROLOG_BYTES = 64 * 1024
_DTD_MARKS = tuple(
    mark.encode(encoding)
    for mark in ("<!DOCTYPE", "<!ENTITY")
    for encoding in ("utf-8", "utf-16-le", "utf-16-be")
)


def _refuse(path: Path, message: str) -> DataError:
    return DataError([Problem(path.name, None, None, None, message)])


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


def _has_dtd(archive: zipfile.ZipFile, part: zipfile.ZipInfo) -> bool:
    with archive.open(part) as handle:
        head = handle.read(_PROLOG_BYTES)
    return any(mark in head for mark in _DTD_MARKS)


def _open_workbook(path: Path) -> Any:
    from openpyxl import load_workbook

    _check_archive(path)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # a hostile file can fail anywhere inside openpyxl
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise _refuse(
            path,
            f"is not a readable xlsx workbook ({reason}); save it again from Excel as .xlsx, "
            "or give a folder of CSV files",
        ) from None


def _sheet_parser(workbook: Any, sheet: Any, source: Any) -> Any:
    """openpyxl's streaming sheet parser, noting formulas that have no saved value."""
    from openpyxl.worksheet._reader import FORMULA_TAG, WorkSheetParser

    class _Parser(WorkSheetParser):
        def parse_cell(self, element: Any) -> dict[str, Any]:
            cell = super().parse_cell(element)
            if cell["value"] is None and element.find(FORMULA_TAG) is not None:
                text = element.findtext(FORMULA_TAG) or ""
                cell["formula"] = f"={text}" if text else "(a shared formula)"
            return cell

    return _Parser(
        source,
        sheet._shared_strings,
        data_only=True,
        epoch=workbook.epoch,
        date_formats=workbook._date_formats,
        timedelta_formats=workbook._timedelta_formats,
    )


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
    """Cells left to read in the whole workbook."""

    def __init__(self, path: Path) -> None:
        self.path, self.left = path, MAX_XLSX_CELLS

    def spend(self, cells: int) -> None:
        self.left -= cells
        if self.left < 0:
            raise _refuse(
                self.path,
                f"holds more than {MAX_XLSX_CELLS:,} cells; riskengine reads workbooks of at "
                "most that many: save large tables as CSV files",
            )


def _rows(workbook: Any, sheet: Any, budget: _Budget) -> list[tuple[int, list[dict[str, Any]]]]:
    """(row number, cells) of every row that has a cell, as stored (no padding)."""
    rows = []
    with sheet._get_source() as source, warnings.catch_warnings():
        warnings.simplefilter("ignore")
        parser = _sheet_parser(workbook, sheet, source)
        for number, cells in parser.parse():
            budget.spend(len(cells) + 1)
            if cells:
                rows.append((number, cells))
    return rows


def _letter(column: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(column)


def _table(source: str, rows: list[tuple[int, list[dict[str, Any]]]]) -> RawTable:
    """A raw table from sparse rows: the first row with a value is the header."""
    texts = [(n, {c["column"]: cell_text(c["value"]) for c in cells}, cells) for n, cells in rows]
    texts = [(n, t, cells) for n, t, cells in texts if any(v.strip() for v in t.values())]
    if not texts:
        problem = Problem(source, None, None, None, "is empty; expected a header row")
        return RawTable(source, (), pd.DataFrame(), (), (problem,))
    _, head, _ = texts[0]
    width = max(c for c, v in head.items() if v.strip())
    header = [head.get(c, "") for c in range(1, width + 1)]
    problems: list[Problem] = []
    records: list[tuple[int, list[str]]] = []
    for number, text, cells in texts[1:]:
        found = _row_problems(source, number, text, cells, header)
        if found:
            problems += found
            continue
        records.append((number, [text.get(c, "") for c in range(1, width + 1)]))
    raw = to_raw(source, header, records)
    return RawTable(raw.source, raw.header, raw.frame, raw.lines, (*problems, *raw.problems))


def _row_problems(
    source: str, number: int, text: dict[int, str], cells: list[dict[str, Any]], header: list[str]
) -> list[Problem]:
    width = len(header)
    problems = []
    beyond = sorted(c for c, v in text.items() if c > width and v.strip())
    if beyond:
        problems.append(
            Problem(
                source,
                number,
                None,
                text[beyond[0]],
                f"has a value in column {_letter(beyond[0])}, right of the last header column "
                f"{_letter(width)}; delete it or give its column a header",
            )
        )
    for cell in cells:
        if "formula" in cell and cell["column"] <= width:
            name = header[cell["column"] - 1] or _letter(cell["column"])
            problems.append(
                Problem(
                    source,
                    number,
                    name,
                    cell["formula"],
                    "is a formula with no saved result; open the workbook in Excel and save it, "
                    "or paste the values",
                )
            )
    return problems


def read_xlsx_tables(path: Path, names: tuple[str, ...]) -> dict[str, RawTable]:
    """Read the sheets called ``names`` (row numbers as Excel shows them).

    Missing sheets are left out of the result; the validator reports them.

    Raises
    ------
    DataError
        When the file is not a readable xlsx workbook or exceeds a limit above.
    """
    workbook = _open_workbook(path)
    budget = _Budget(path)
    try:
        tables = {}
        for name in names:
            if name not in workbook.sheetnames:
                continue
            source = f"{path.name}[{name}]"
            sheet = workbook[name]
            if not hasattr(sheet, "_get_source"):
                problem = Problem(source, None, None, None, "is a chart sheet, not a table")
                tables[name] = RawTable(source, (), pd.DataFrame(), (), (problem,))
                continue
            try:
                rows = _rows(workbook, sheet, budget)
            except DataError:
                raise
            except Exception as exc:  # malformed sheet XML fails in many ways
                problem = Problem(
                    source,
                    None,
                    None,
                    None,
                    f"cannot be read ({type(exc).__name__}: {exc}); "
                    "save the workbook again from Excel",
                )
                tables[name] = RawTable(source, (), pd.DataFrame(), (), (problem,))
                continue
            tables[name] = _table(source, rows)
        return tables
    finally:
        workbook.close()
