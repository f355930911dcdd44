"""Reading raw tables from CSV files, keeping line numbers (xlsx: :mod:`.workbook`).

Cells are read as text, Unicode NFC-normalised (so one identifier typed two
ways is one identifier); :mod:`riskengine.data.validate` parses and checks
them. Files are opened read-only and never modified.
"""

from __future__ import annotations

import csv
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from riskengine.exceptions import InputIssue

__all__ = ["MAX_COLUMNS", "RawTable", "read_csv_table", "read_xlsx_tables", "to_raw"]

#: Most columns a table may have (the widest input table has about 20).
MAX_COLUMNS = 1_000
#: Rows with the wrong number of fields reported one by one before the rest are counted.
_MAX_WIDTH_PROBLEMS = 20
#: Characters that, alone in a one-field header, show the file uses another separator.
_OTHER_DELIMITERS = {";": "semicolons", "\t": "tabs", "|": "vertical bars"}


@dataclass(frozen=True)
class RawTable:
    """A table as text cells, with the editor line (or sheet row) of every record.

    ``line_label`` says what ``lines`` count in messages: "line" in files,
    "row" for a table given in memory.
    """

    source: str
    header: tuple[str, ...]
    frame: pd.DataFrame
    lines: tuple[int, ...]
    problems: tuple[InputIssue, ...] = ()
    line_label: str = "line"


def _nfc(text: str) -> str:
    return text if text.isascii() else unicodedata.normalize("NFC", text)


def _failed(source: str, message: str, line: int | None = None) -> RawTable:
    return RawTable(
        source, (), pd.DataFrame(), (), (InputIssue(source, line, None, None, message),)
    )


def to_raw(source: str, header: list[str], records: list[tuple[int, list[str]]]) -> RawTable:
    """A raw table from a header and (line, cells) records; blank rows are skipped."""
    if len(header) > MAX_COLUMNS:
        return _failed(
            source,
            f"has {len(header):,} columns; riskengine reads tables of at most {MAX_COLUMNS:,} "
            "columns: check the header row (and, in a CSV file, the separator)",
            1,
        )
    header = [_nfc(h.strip()) for h in header]
    problems: list[InputIssue] = []
    rows: list[list[str]] = []
    lines: list[int] = []
    width = len(header)
    wrong = 0
    for line, cells in records:
        text = "".join(cells)  # one C-level pass: blank row? all ASCII (nothing to normalise)?
        if not text.strip():
            continue
        if len(cells) != width:
            extra = cells[width:]
            if len(cells) > width and not any(c.strip() for c in extra):
                cells = cells[:width]
            else:
                wrong += 1
                if wrong <= _MAX_WIDTH_PROBLEMS:
                    message = f"has {len(cells)} fields but the header has {width}"
                    problems.append(InputIssue(source, line, None, None, message))
                continue
        rows.append(cells if text.isascii() else [_nfc(c) for c in cells])
        lines.append(line)
    if wrong > _MAX_WIDTH_PROBLEMS:
        more = wrong - _MAX_WIDTH_PROBLEMS
        problems.append(
            InputIssue(
                source, None, None, None, f"{more} more rows with the wrong number of fields"
            )
        )
    frame = (
        pd.DataFrame(rows, columns=header, dtype=object)
        if rows
        else pd.DataFrame(columns=header, dtype=object)
    )
    return RawTable(source, tuple(header), frame, tuple(lines), tuple(problems))


def _delimiter_problem(source: str, header: list[str]) -> RawTable | None:
    """A single clear problem when the header shows another separator than the comma."""
    if len(header) != 1:
        return None
    for mark, name in _OTHER_DELIMITERS.items():
        if mark in header[0]:
            return _failed(
                source,
                f"is separated by {name} ({mark!r}), not commas; riskengine reads "
                "comma-separated files: save it as 'CSV UTF-8 (comma delimited)'",
                1,
            )
    return None


def _csv_error(source: str, line: int, exc: csv.Error) -> RawTable:
    text = str(exc)
    if "field larger than field limit" in text:
        message = (
            f"a field is longer than {csv.field_size_limit():,} characters; look for a "
            'quote (") that is opened and never closed'
        )
    elif "NUL" in text:
        message = "holds a NUL byte; this is not a text CSV file"
    else:
        message = f"is not valid CSV: {text}"
    return _failed(source, message, line)


def read_csv_table(path: Path, source: str) -> RawTable:
    """Read one CSV file (UTF-8, with or without BOM, LF or CRLF) as text cells.

    Parameters
    ----------
    path : Path
        The file.
    source : str
        How messages name the file.
    """
    records: list[tuple[int, list[str]]] = []
    header = None
    line = 1
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            reader = csv.reader(handle)
            header = next(reader, None)
            line = reader.line_num + 1
            for row in reader:
                if "".join(row).strip():  # blank lines are skipped, not kept
                    records.append((reader.line_num, row))
                line = reader.line_num + 1
    except UnicodeDecodeError as exc:
        return _failed(source, f"is not UTF-8 text (byte {exc.start}); save it as CSV UTF-8")
    except csv.Error as exc:
        return _csv_error(source, line, exc)
    except OSError as exc:
        return _failed(source, f"cannot be read ({exc.strerror or exc})")
    if header is None:
        return _failed(source, "is empty; expected a header row")
    return _delimiter_problem(source, header) or to_raw(source, header, records)


def read_xlsx_tables(path: Path, names: tuple[str, ...]) -> dict[str, RawTable]:
    """The sheets called ``names`` of an xlsx workbook (see :mod:`riskengine.data.workbook`)."""
    from riskengine.data.workbook import read_xlsx_tables as read

    return read(path, names)
