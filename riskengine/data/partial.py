"""Finding the tables in a folder or a workbook that may hold only some of them.

An analyst's folder (CSV files) or workbook (one sheet per table) must hold at
least one of the six tables; each of the six it lacks is read from the shipped
reference tables (``seeds/``), and a note says which. A suppliers-only workbook
is thus the analyst's offers over the shipped commodities, countries,
production, export controls and demand. Sheet and file names match
case-insensitively. A sheet or file whose name is close to a missing table's
(``supplier``, ``Demands.csv``) is an error rather than a silent fallback.
"""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from pathlib import Path

from riskengine.data.readers import RawTable, read_csv_table
from riskengine.data.schema import TABLES
from riskengine.data.workbook import read_xlsx_book
from riskengine.exceptions import DataError, InputIssue

__all__ = ["SEEDS_LABEL", "read_tables"]

#: How notes name the shipped reference tables (not this machine's path).
SEEDS_LABEL = "the shipped reference tables (seeds/)"
_REQUIRED = tuple(t.name for t in TABLES if not t.optional)
_ALL = tuple(t.name for t in TABLES)
#: Sheets a workbook may hold besides tables without being mistaken for a typo.
_IGNORED = {"readme", "lists"}


def _problem(where: str, message: str) -> InputIssue:
    return InputIssue(where, None, None, None, message)


def _close_misses(where: str, kind: str, found: Sequence[str], missing: Sequence[str]) -> list[str]:
    """Messages for found names that look like a missing table's (a typo, not another sheet)."""
    messages = []
    for name in found:
        stem = name.rsplit(".", 1)[0] if kind == "file" else name
        if stem.lower() in _IGNORED:
            continue
        close = difflib.get_close_matches(stem.lower(), list(missing), n=1, cutoff=0.8)
        if close:
            wanted = f"{close[0]}.csv" if kind == "file" else close[0]
            messages.append(
                f"has a {kind} {name!r} but no {kind} {wanted!r}; rename it to {wanted!r} "
                f"(without it, {close[0]} would be read from {SEEDS_LABEL})"
            )
    return messages


def _from_workbook(path: Path) -> tuple[dict[str, RawTable], list[InputIssue], list[str]]:
    raws, sheets = read_xlsx_book(path, _ALL)
    missing = [n for n in _REQUIRED if n not in raws]
    problems = [_problem(path.name, m) for m in _close_misses(path.name, "sheet", sheets, missing)]
    return raws, problems, list(sheets)


def _from_folder(path: Path) -> tuple[dict[str, RawTable], list[InputIssue], list[str], list[Path]]:
    try:
        names = sorted(p.name for p in path.iterdir() if p.is_file())
    except OSError as exc:
        raise DataError([_problem(str(path), f"cannot be read ({exc.strerror or exc})")]) from None
    by_lower: dict[str, str] = {}
    for name in names:
        by_lower.setdefault(name.lower(), name)
    raws: dict[str, RawTable] = {}
    files: list[Path] = []
    for spec in TABLES:
        actual = by_lower.get(spec.file.lower())
        if actual is None:
            continue
        file = path / actual
        raws[spec.name] = read_csv_table(file, str(file))
        files.append(file)
    missing = [n for n in _REQUIRED if n not in raws]
    csvs = [n for n in names if n.lower().endswith(".csv")]
    problems = [_problem(str(path), m) for m in _close_misses(str(path), "file", csvs, missing)]
    return raws, problems, csvs, files


def _fill(raws: dict[str, RawTable], seeds: Path) -> tuple[list[str], list[Path]]:
    """Read each of the six tables ``raws`` lacks from ``seeds``."""
    missing = [n for n in _REQUIRED if n not in raws]
    files = []
    for name in missing:
        file = seeds / f"{name}.csv"
        raws[name] = read_csv_table(file, str(file))
        files.append(file)
    return missing, files


def read_tables(
    path: Path, seeds: Path
) -> tuple[dict[str, RawTable], list[InputIssue], tuple[Path, ...], tuple[str, ...]]:
    """The raw tables of a folder or workbook, the six it lacks read from ``seeds``.

    Parameters
    ----------
    path : Path
        A folder of CSV files or an ``.xlsx`` workbook.
    seeds : Path
        The shipped reference tables (a folder of the six CSV files).

    Returns
    -------
    raws : dict of str to RawTable
        By table name.
    problems : list of InputIssue
        No table at all (listing the sheets or files found), or a name close to
        a missing table's.
    files : tuple of Path
        The files read (the workbook or CSV files, then the reference tables used).
    notes : tuple of str
        One line naming the tables read from the shipped reference tables, if any.

    Raises
    ------
    DataError
        When ``path`` is neither a folder nor a workbook, or cannot be read.
    """
    workbook = path.is_file() and path.suffix.lower() in (".xlsx", ".xlsm")
    if workbook:
        raws, problems, found = _from_workbook(path)
        files: list[Path] = [path]
        kind, where = "sheets", path.name
    elif path.is_dir():
        raws, problems, found, files = _from_folder(path)
        kind, where = "CSV files", str(path)
    else:
        what = "does not exist" if not path.exists() else "is not a folder or an .xlsx workbook"
        raise DataError(
            [_problem(str(path), f"{what}; give a folder of CSV tables or an .xlsx workbook")]
        )
    if not any(n in raws for n in _REQUIRED):
        named = ", ".join(f"{n}.csv" if not workbook else n for n in _REQUIRED)
        problems.append(
            _problem(
                where,
                f"holds none of the tables riskengine reads; name the {kind} after the "
                f"tables, in any case ({named}); the tables it lacks are read from "
                f"{SEEDS_LABEL}; {kind} found: {', '.join(found) or '(none)'}",
            )
        )
        return raws, problems, tuple(files), ()
    if problems:
        return raws, problems, tuple(files), ()
    missing, used = _fill(raws, seeds)
    notes: tuple[str, ...] = ()
    if missing:
        what = "sheet" if workbook else "file"
        notes = (
            f"{', '.join(missing)} read from {SEEDS_LABEL}: "
            f"{Path(where).name} has no {what} for {'it' if len(missing) == 1 else 'them'}",
        )
    return raws, problems, tuple(files + used), notes
