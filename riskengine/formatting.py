"""How numbers are shown and written: display formatters, rounding, formula neutralisation, JSON.

The display formatters (``fmt_*``, :func:`formatter_for`) are the one place a
number becomes text for a reader: the report's HTML, the notebook views and
the command line's tables all use them, so a share prints as ``12.3%`` and a
missing value as :data:`MISSING` everywhere.

Every number a report writes goes through :func:`round_value`, so the same
inputs give byte-identical CSV and JSON files: floats are rounded to
``DECIMALS`` decimal places (solver noise such as ``-7e-09`` becomes ``0``)
and then to ``SIGNIFICANT`` significant digits.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable, Mapping
from typing import Any

import numpy as np
import pandas as pd

from riskengine._text import replace_controls

__all__ = [
    "DECIMALS",
    "FORMULA_PREFIXES",
    "MISSING",
    "SIGNIFICANT",
    "fmt_num",
    "fmt_pct",
    "fmt_t",
    "fmt_usd",
    "fmt_usd_m",
    "fmt_yes",
    "formatter_for",
    "frame_records",
    "is_formula_like",
    "is_missing",
    "json_ready",
    "json_text",
    "money",
    "neutralise_csv",
    "neutralise_text",
    "round_frame",
    "round_value",
    "xlsx_text",
]

#: Decimal places kept in written numbers (below this is solver noise).
DECIMALS = 6
#: Significant digits kept in written numbers.
SIGNIFICANT = 10
#: First characters that make a spreadsheet treat a text cell as a formula (OWASP CSV injection).
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
#: Line breaks a spreadsheet may start a new row at (inside a cell, each line is checked).
_LINE_BREAK = re.compile(r"(\r\n|\r|\n)")


#: What a missing value (NaN, None) prints as, in every view.
MISSING = "-"


def is_missing(value: object) -> bool:
    """True for None and NaN (and for values pandas calls missing)."""
    try:
        return value is None or bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def _rounded(value: object, digits: int) -> float:
    """``value`` rounded to ``digits`` decimals, with -0 shown as 0."""
    return round(float(value), digits) + 0.0  # type: ignore[arg-type]


def fmt_t(value: object) -> str:
    """Tonnes: one decimal and thousands separators (``1,302.7``)."""
    return MISSING if is_missing(value) else f"{_rounded(value, 1):,.1f}"


def fmt_usd(value: object) -> str:
    """Whole US dollars with thousands separators (``98,163,235``)."""
    return MISSING if is_missing(value) else f"{_rounded(value, 0):,.0f}"


def fmt_usd_m(value: object) -> str:
    """US dollars as millions with one decimal (``383.5``)."""
    return MISSING if is_missing(value) else f"{_rounded(float(value) / 1e6, 1):,.1f}"  # type: ignore[arg-type]


def fmt_pct(value: object) -> str:
    """A share 0-1 as a percentage with one decimal (``89.7%``)."""
    return MISSING if is_missing(value) else f"{_rounded(value, 3):.1%}"


def fmt_num(digits: int = 2) -> Callable[[object], str]:
    """A formatter with ``digits`` decimals and thousands separators."""

    def fmt(value: object) -> str:
        return MISSING if is_missing(value) else f"{_rounded(value, digits):,.{digits}f}"

    return fmt


def fmt_yes(value: object) -> str:
    """A flag as ``yes`` / ``no``; ``n/a`` when it does not apply (nothing bought)."""
    return "n/a" if is_missing(value) else ("yes" if bool(value) else "no")


def formatter_for(column: str) -> Callable[[object], str]:
    """The display formatter a column's unit suffix calls for.

    ``_t`` tonnes, ``_usd`` dollars, ``_usd_per_kg`` two decimals, ``share`` and
    ``_probability`` percentages, anything else two decimals.
    """
    if column.endswith("_t"):
        return fmt_t
    if column.endswith("_usd"):
        return fmt_usd
    if column.endswith(("share", "_probability")):
        return fmt_pct
    return fmt_num(2)


def round_value(value: float) -> float:
    """``value`` rounded to :data:`DECIMALS` places, then :data:`SIGNIFICANT` digits; -0 -> 0.

    NaN and infinities are returned unchanged.
    """
    value = float(value)
    if not math.isfinite(value):
        return value
    value = round(value, DECIMALS)
    if value == 0.0:
        return 0.0
    digits = SIGNIFICANT - 1 - math.floor(math.log10(abs(value)))
    return float(round(value, digits)) + 0.0


def round_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` with every float column rounded by :func:`round_value`."""
    out = frame.copy()
    for column in out.columns:
        if pd.api.types.is_float_dtype(out[column]):
            out[column] = out[column].map(round_value).astype(float)
    return out.reset_index(drop=True)


def is_formula_like(text: str) -> bool:
    """True when a spreadsheet would read ``text`` as a formula (it starts with = + - @ tab CR)."""
    return text.startswith(FORMULA_PREFIXES)


def neutralise_csv(frame: pd.DataFrame) -> pd.DataFrame:
    """Prefix formula-like text cells with a single quote, as OWASP recommends for CSV.

    Only text values change; numbers (including negative ones) stay numbers.
    ``'=HYPERLINK(...)`` opens in a spreadsheet as the text ``=HYPERLINK(...)``.
    """
    out = frame.copy()
    for column in out.columns:
        series = out[column]
        if not (pd.api.types.is_object_dtype(series) or pd.api.types.is_string_dtype(series)):
            continue
        out[column] = series.map(_quote_if_formula).astype(object)
    return out


def _quote_if_formula(value: Any) -> Any:
    return neutralise_text(value) if isinstance(value, str) else value


def neutralise_text(text: str) -> str:
    """``text`` with each line that a spreadsheet would run as a formula prefixed by a quote.

    A cell is split at its line breaks first, as a spreadsheet reading a
    carelessly quoted file would split the row: ``"name\r=cmd|..."`` becomes
    ``"name\r'=cmd|..."``. Control and bidi-override characters become U+FFFD.
    """
    parts = _LINE_BREAK.split(replace_controls(text))
    return "".join(
        f"'{part}" if i % 2 == 0 and is_formula_like(part) else part for i, part in enumerate(parts)
    )


def xlsx_text(text: str) -> str:
    """Text an xlsx cell can hold and show as written: control and bidi-override characters
    (XML cannot hold the C0 ones) replaced by U+FFFD."""
    return replace_controls(text)


def frame_records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """Rows of a DataFrame as JSON-ready dicts: NaN -> None, numpy scalars -> Python,
    timestamps in ISO format, floats rounded to 10 decimal places. The one converter
    of tables to JSON (results' ``to_dict``; the command line's ``--format json``
    writes a DataFrame's text through :func:`json_text` without the dicts)."""
    rows: list[dict[str, Any]] = json.loads(_frame_text(frame, "\n"))
    return rows


def _column_tokens(column: pd.Series) -> list[str]:
    """Each value of ``column`` as JSON text (C-speed for numbers and booleans)."""
    kind = column.dtype.kind if isinstance(column.dtype, np.dtype) else "O"  # NA-able: slow
    if kind in "iub":
        return json.dumps(column.to_numpy().tolist())[1:-1].split(", ")
    if kind == "f":
        values = column.to_numpy(dtype=float)
        with np.errstate(over="ignore", invalid="ignore"):  # above 1e298, x * 1e10 overflows
            rounded = np.round(values, 10)
        numbers = np.where(np.isfinite(rounded), rounded, values).tolist()
        tokens = json.dumps(numbers)[1:-1].split(", ")
        if not np.isfinite(values).all():
            tokens = [t if t not in _NOT_FINITE else "null" for t in tokens]
        return tokens
    clean = column.astype(object).where(column.notna(), None)
    values = clean.tolist()
    if all(value is None or type(value) is str for value in values):  # text: the usual case
        return [_QUOTED(value) if value is not None else "null" for value in values]
    values = json.loads(clean.to_json(orient="records", date_format="iso", double_precision=10))
    return [_json_flat(value) for value in values]


_QUOTED = json.encoder.encode_basestring  # a str as JSON text, non-ASCII kept (json's C code)


_NOT_FINITE = frozenset({"NaN", "Infinity", "-Infinity"})


def _frame_text(frame: pd.DataFrame, newline: str) -> str:
    """The JSON text of ``frame``'s records, indented at ``newline``: ``json_text``'s layout."""
    if frame.empty:
        return "[]"
    inner, fields = newline + "  ", newline + "    "
    keys = [_json_flat(str(name)) + ": " for name in frame.columns]
    columns = [
        [key + token for token in _column_tokens(frame.iloc[:, i])] for i, key in enumerate(keys)
    ]
    rows = (fields + f",{fields}".join(cells) for cells in zip(*columns, strict=True))
    return f"[{inner}{{" + f"{inner}}},{inner}{{".join(rows) + f"{inner}}}{newline}]"


def json_text(value: Any) -> str:
    """``json.dumps(value, indent=2, ensure_ascii=False, allow_nan=False, default=str)``.

    The same text, faster for tables: a list of records (dicts of scalars, as
    :func:`frame_records` gives) is written by json's C encoder in one call,
    with the records' indentation as its separator, and the line between two
    records re-indented (a raw line break is never inside a JSON string, so
    ``},<line break>{`` only ever joins two records). ``indent=2`` alone takes
    json's pure-Python encoder: about 1 s against 0.4 s for the 10,000-offer plan.
    A DataFrame is written as its :func:`frame_records`, a column at a time
    (numbers by json's C encoder), without the dicts: 0.15 s for the
    10,000-offer plan's document against 0.38 s through the dicts.
    """
    parts: list[str] = []
    _json_parts(value, "\n", parts)
    return "".join(parts)


def _json_flat(value: Any, separator: str = ",") -> str:
    return json.dumps(
        value, ensure_ascii=False, allow_nan=False, default=str, separators=(separator, ": ")
    )


def _is_record(value: Any) -> bool:
    """A non-empty dict of scalars (no dict, list or tuple inside)."""
    return (
        isinstance(value, dict)
        and bool(value)
        and not any(isinstance(v, dict | list | tuple | pd.DataFrame) for v in value.values())
    )


def _json_parts(value: Any, newline: str, out: list[str]) -> None:
    """Append the text of ``value`` indented at ``newline`` (a line break and spaces)."""
    if isinstance(value, pd.DataFrame):
        out.append(_frame_text(value, newline))
        return
    is_dict = isinstance(value, dict)
    if not (is_dict or isinstance(value, list | tuple)) or not value:
        out.append(_json_flat(value))
        return
    inner = newline + "  "
    if not is_dict and all(_is_record(item) for item in value):
        fields = inner + "  "
        between = f"{inner}}},{inner}{{{fields}"  # the end of one record, the start of the next
        text = _json_flat(value, "," + fields)[2:-2].replace("}," + fields + "{", between)
        out += ["[", inner, "{", fields, text, inner, "}", newline, "]"]
        return
    out.append("{" if is_dict else "[")
    for i, item in enumerate(value.items() if is_dict else value):
        out.append(inner if i == 0 else "," + inner)
        if is_dict:
            out.append(_json_flat({item[0]: 0})[1:-4] + ": ")
            item = item[1]
        _json_parts(item, inner, out)
    out += [newline, "}" if is_dict else "]"]


def json_ready(value: Any) -> Any:
    """``value`` with numpy scalars as Python, floats rounded, NaN as None, keys as str."""
    if isinstance(value, Mapping):
        return {str(k): json_ready(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [json_ready(v) for v in value]
    if isinstance(value, bool | np.bool_):
        return bool(value)
    if isinstance(value, int | np.integer):
        return int(value)
    if isinstance(value, float | np.floating):
        number = round_value(float(value))
        return number if math.isfinite(number) else None
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    return value if isinstance(value, str) else str(value)


def money(usd: float) -> str:
    """``USD 808.7 million``-style wording of an amount in USD."""
    if pd.isna(usd):
        return "n/a"
    size = abs(usd)
    if size >= 1e9:
        return f"USD {usd / 1e9:,.2f} billion"
    if size >= 1e6:
        return f"USD {usd / 1e6:,.1f} million"
    return f"USD {usd:,.0f}"
