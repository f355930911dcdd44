"""Apply a parsed source file to the data tables, diff them, and write the result safely.

Tables are handled as text cells (as in the CSV files) so that columns and
cells an import does not touch are written back unchanged. Nothing here
writes into the input folder except :func:`write_in_place`, which replaces
each file atomically and keeps a backup of the old one.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from riskengine.exceptions import DataError, InputIssue

__all__ = [
    "ImportResult",
    "diff_table",
    "read_text_table",
    "write_copy",
    "write_in_place",
]


@dataclass(frozen=True)
class ImportResult:
    """The tables an import changed.

    Attributes
    ----------
    kind : str
        Importer name (wgi, usgs, comtrade, jrc).
    source : Path
        The file read.
    tables : dict of str to DataFrame
        New content (text cells) of each changed table, by file stem.
    changes : DataFrame
        ``table, key, column, before, after, change`` (change = after - before
        for numbers, empty otherwise); added and removed rows have ``column``
        ``(row)``.
    notes : tuple of str
        What was not applied and why.
    """

    kind: str
    source: Path
    tables: dict[str, pd.DataFrame]
    changes: pd.DataFrame
    notes: tuple[str, ...] = field(default=())


def read_text_table(folder: Path, name: str) -> pd.DataFrame:
    """``<folder>/<name>.csv`` as text cells (empty table with no columns if absent)."""
    path = folder / f"{name}.csv"
    if not path.is_file():
        return pd.DataFrame()
    return pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")


def _num(value: object) -> float | None:
    try:
        return float(str(value))
    except ValueError:
        return None


def diff_table(
    name: str, before: pd.DataFrame, after: pd.DataFrame, key: list[str], columns: list[str]
) -> pd.DataFrame:
    """Cell changes of ``columns`` between two versions of a table, matched on ``key``."""
    old = before.set_index(key) if len(before) else pd.DataFrame(columns=columns)
    new = after.set_index(key)
    rows: list[tuple[str, str, str, str, str, float | None]] = []
    for idx in new.index.union(old.index):
        label = "|".join(idx) if isinstance(idx, tuple) else str(idx)
        if idx not in old.index or idx not in new.index:
            state = ("", "added") if idx not in old.index else ("present", "removed")
            rows.append((name, label, "(row)", *state, None))
            continue
        for col in columns:
            a = str(old.at[idx, col]) if col in old.columns else ""
            b = str(new.at[idx, col]) if col in new.columns else ""
            if a != b:
                x, y = _num(a), _num(b)
                change = y - x if x is not None and y is not None else None
                rows.append((name, label, col, a, b, change))
    return pd.DataFrame(rows, columns=["table", "key", "column", "before", "after", "change"])


def write_copy(data_dir: Path, tables: dict[str, pd.DataFrame], out: Path) -> Path:
    """Copy the data folder to ``out`` (must not exist or be empty) with ``tables`` replaced.

    Written into a temporary sibling first and renamed, so ``out`` is whole or absent.
    """
    if out.exists() and any(out.iterdir()):
        raise DataError(
            [
                InputIssue(
                    str(out),
                    None,
                    None,
                    None,
                    "is not empty; give a new folder for the imported data",
                )
            ]
        )
    tmp = out.with_name(f".{out.name}.partial")
    shutil.rmtree(tmp, ignore_errors=True)
    shutil.copytree(data_dir, tmp, ignore=shutil.ignore_patterns("*.bak-*", ".*"))
    for name, frame in tables.items():
        frame.to_csv(tmp / f"{name}.csv", index=False, lineterminator="\n")
    if out.exists():
        out.rmdir()
    tmp.rename(out)
    return out


def write_in_place(data_dir: Path, tables: dict[str, pd.DataFrame]) -> list[Path]:
    """Replace each table file atomically, keeping the old one as ``<name>.csv.bak-<stamp>``."""
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    backups = []
    for name, frame in tables.items():
        path = data_dir / f"{name}.csv"
        tmp = path.with_name(f".{path.name}.new")
        frame.to_csv(tmp, index=False, lineterminator="\n")
        if path.exists():
            backup = path.with_name(f"{path.name}.bak-{stamp}")
            shutil.copy2(path, backup)
            backups.append(backup)
        os.replace(tmp, path)
    return backups
