"""Reading a source's file (CSV or xlsx) as text cells, and the error for a bad one."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from riskengine.exceptions import DataError, InputIssue

__all__ = ["read_any", "source_error"]


def source_error(path: Path, message: str) -> DataError:
    """A bad-input error naming the source file."""
    return DataError([InputIssue(str(path), None, None, None, message)])


def read_any(path: Path, sheet: str | int = 0) -> pd.DataFrame:
    """A CSV (UTF-8, with or without BOM) or xlsx file as a DataFrame of text cells."""
    if not path.is_file():
        raise source_error(path, "does not exist; give the file downloaded from the source")
    try:
        if path.suffix.lower() in (".xlsx", ".xlsm"):
            return pd.read_excel(path, sheet_name=sheet, dtype=str, engine="openpyxl")
        frame = pd.read_csv(path, dtype=str, encoding="utf-8-sig", keep_default_na=False)
    except (UnicodeDecodeError, pd.errors.ParserError, ValueError) as exc:
        raise source_error(path, f"cannot be read as CSV or xlsx: {exc}") from exc
    return frame.loc[:, [not str(c).startswith("Unnamed:") for c in frame.columns]]
