"""Reading raw tables from CSV folders and xlsx workbooks, keeping line numbers.

Cells are read as text; :mod:`riskengine.data.validate` parses and checks them.
Files are opened read-only and never modified.
"""

from __future__ import annotations

import csv
import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from riskengine.exceptions import Problem

__all__ = ["RawTable", "read_csv_table", "read_xlsx_tables"]


@dataclass(frozen=True)
class RawTable:
    """A table as text cells, with the editor line (or sheet row) of every record."""

    source: str
    header: tuple[str, ...]
    frame: pd.DataFrame
    lines: tuple[int, ...]
    problems: tuple[Problem, ...] = ()


def _to_raw(source: str, header: list[str], records: list[tuple[int, list[str]]]) -> RawTable:
    header = [h.strip() for h in header]
    problems: list[Problem] = []
    rows: list[list[str]] = []
    lines: list[int] = []
    width = len(header)
    for line, cells in records:
        if not any(c.strip() for c in cells):
            continue
        if len(cells) != width:
            extra = cells[width:]
            if len(cells) > width and not any(c.strip() for c in extra):
                cells = cells[:width]
            else:
                message = f"has {len(cells)} fields but the header has {width}"
                problems.append(Problem(source, line, None, None, message))
                continue
        rows.append(cells)
        lines.append(line)
    frame = (
        pd.DataFrame(rows, columns=header, dtype=object)
        if rows
        else pd.DataFrame(columns=header, dtype=object)
    )
    return RawTable(source, tuple(header), frame, tuple(lines), tuple(problems))


def read_csv_table(path: Path, source: str) -> RawTable:
    """Read one CSV file (UTF-8, with or without BOM, LF or CRLF) as text cells.

    Parameters
    ----------
    path : Path
        The file.
    source : str
        How messages name the file.
    """
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            reader = csv.reader(handle)
            header = next(reader, None)
            records = [(reader.line_num, row) for row in reader]
    except UnicodeDecodeError as exc:
        problem = Problem(
            source, None, None, None, f"is not UTF-8 text (byte {exc.start}); save it as CSV UTF-8"
        )
        return RawTable(source, (), pd.DataFrame(), (), (problem,))
    except csv.Error as exc:
        problem = Problem(source, None, None, None, f"is not valid CSV: {exc}")
        return RawTable(source, (), pd.DataFrame(), (), (problem,))
    if header is None:
        problem = Problem(source, None, None, None, "is empty; expected a header row")
        return RawTable(source, (), pd.DataFrame(), (), (problem,))
    return _to_raw(source, header, records)


def _cell_text(value: object) -> str:
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


def read_xlsx_tables(path: Path, names: tuple[str, ...]) -> dict[str, RawTable]:
    """Read the sheets called ``names`` from an xlsx workbook (row numbers as Excel shows them).

    Missing sheets are left out of the result; the validator reports them.
    """
    from openpyxl import load_workbook

    workbook = load_workbook(path, read_only=True, data_only=True)
    try:
        tables = {}
        for name in names:
            if name not in workbook.sheetnames:
                continue
            rows = workbook[name].iter_rows(values_only=True)
            header = next(rows, None)
            source = f"{path.name}[{name}]"
            if header is None:
                problem = Problem(source, None, None, None, "is empty; expected a header row")
                tables[name] = RawTable(source, (), pd.DataFrame(), (), (problem,))
                continue
            while header and header[-1] is None:
                header = header[:-1]
            width = len(header)
            records = []
            for number, row in enumerate(rows, start=2):
                cells = [_cell_text(v) for v in row]
                records.append((number, cells + [""] * (width - len(cells))))
            tables[name] = _to_raw(source, [_cell_text(h) for h in header], records)
        return tables
    finally:
        workbook.close()
