"""CSV text that every reader splits the same way: one record a line, LF line ends.

pandas (through Python's csv module) quotes a field only when it holds the
delimiter, a quote or a character of the line terminator, so with LF line
ends a field holding a bare carriage return is written unquoted, and a
spreadsheet or ``csv.reader`` then splits the record in two. Here every field
holding a CR, an LF, a comma or a quote is quoted, quotes doubled. Values are
written as pandas writes them: floats in their shortest round-trip form,
missing values empty, dates ``YYYY-MM-DD`` (with the time when there is one).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd

__all__ = ["column_text", "csv_text"]

_SPECIAL = (",", '"', "\r", "\n")


def _quote(text: str) -> str:
    if any(mark in text for mark in _SPECIAL):
        return '"' + text.replace('"', '""') + '"'
    return text


def _object_cell(value: object) -> str:
    if value is None or value is pd.NA or value is pd.NaT:
        return ""
    if isinstance(value, float | np.floating) and np.isnan(value):
        return ""
    return str(value)


def column_text(series: pd.Series) -> list[str]:
    """The cells of one column as the text pandas' ``to_csv`` writes (before quoting)."""
    values = series.to_numpy(dtype=object, na_value=None)
    if pd.api.types.is_bool_dtype(series):
        return ["" if v is None else str(bool(v)) for v in values]
    if pd.api.types.is_float_dtype(series):
        return ["" if v is None or np.isnan(v) else repr(float(v)) for v in values]
    if pd.api.types.is_integer_dtype(series):
        return ["" if v is None else str(int(v)) for v in values]
    if pd.api.types.is_datetime64_any_dtype(series):
        dated = series.dt.normalize().eq(series) | series.isna()
        fmt = "%Y-%m-%d" if bool(dated.all()) else "%Y-%m-%d %H:%M:%S"
        dates: list[str] = series.dt.strftime(fmt).fillna("").tolist()
        return dates
    return [_object_cell(v) for v in values]


def csv_text(frame: pd.DataFrame, cell: Callable[[str], str] | None = None) -> str:
    """``frame`` as CSV text (header row, no index), each field passed through ``cell`` first."""
    columns = [column_text(frame[name]) for name in frame.columns]
    header = [str(name) for name in frame.columns]
    rows = [header, *zip(*columns, strict=True)] if columns else [header]
    change = cell or (lambda text: text)
    return "".join(",".join(_quote(change(c)) for c in row) + "\n" for row in rows)
