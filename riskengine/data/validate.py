"""Parsing and checking raw tables: types, ranges, keys and cross-table references.

Every check collects problems instead of stopping at the first, so an analyst
sees everything to fix in one run.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import replace

import numpy as np
import pandas as pd

from riskengine._text import did_you_mean
from riskengine.data.identifiers import hidden_characters, lookalike_of, skeleton
from riskengine.data.readers import RawTable
from riskengine.data.schema import RANGE_SUFFIXES, Column, TableSpec
from riskengine.exceptions import InputIssue

__all__ = ["check_lookalikes", "check_references", "parse_table"]

_TRUE = {"true", "yes", "1", "y", "t"}
_FALSE = {"false", "no", "0", "n", "f", ""}
#: Problems reported per column and kind before the rest are summarised.
_MAX_PER_CHECK = 20


def _expected(col: Column) -> str:
    unit = f" {col.unit}" if col.unit else ""
    if col.kind in ("number", "integer"):
        noun = "a whole number" if col.kind == "integer" else "a number"
        if col.low is not None and col.high is not None and col.positive:
            return f"{noun} > {col.low:g} and at most {_bound(col.high)}{unit}"
        if col.low is not None and col.high is not None:
            return f"{noun} from {col.low:g} to {_bound(col.high)}{unit}"
        if col.low is not None:
            return f"{noun} {'>' if col.positive else '>='} {col.low:g}{unit}"
        return noun + unit
    if col.kind == "date":
        return "a date written YYYY-MM-DD"
    if col.kind == "bool":
        return "true or false"
    if col.kind == "choice":
        return "one of " + ", ".join(col.choices)
    return "a non-empty value"


def _bound(value: float) -> str:
    """A bound as written in messages: 2100, 2.5, 10,000,000."""
    return f"{int(value):,}" if float(value).is_integer() and abs(value) >= 10_000 else f"{value:g}"


class _Collector:
    """Gathers problems for one table, summarising floods of the same kind.

    ``inherit`` starts from the reader's problems (once per table, not once per check).
    """

    def __init__(self, raw: RawTable, inherit: bool = True) -> None:
        self.raw = raw
        self.problems: list[InputIssue] = list(raw.problems) if inherit else []

    def add(
        self,
        mask: np.ndarray,
        column: str,
        values: pd.Series,
        message: str | Callable[[str, int], str],
    ) -> None:
        """One problem per row of ``mask`` (``message`` may depend on the value), then a count."""
        rows = np.flatnonzero(mask)
        for row in rows[:_MAX_PER_CHECK]:
            value = values.iloc[row]
            shown = None if value is None or value == "" else str(value)
            text = message(str(value), int(row)) if callable(message) else message
            line = self.raw.lines[row]
            self.problems.append(
                InputIssue(
                    self.raw.source, line, column, shown, text, line_label=self.raw.line_label
                )
            )
        if len(rows) > _MAX_PER_CHECK:
            more = len(rows) - _MAX_PER_CHECK
            self.problems.append(
                InputIssue(
                    self.raw.source, None, column, None, f"{more} more rows with the same problem"
                )
            )


def _parse_column(col: Column, text: pd.Series, out: _Collector) -> pd.Series:
    if col.kind in ("number", "integer") and _is_numeric(text):
        values = text.astype(float)
        if col.required:
            out.add(
                values.isna().to_numpy(), col.name, text, f"is empty; expected {_expected(col)}"
            )
        return _check_numbers(col, values, text, out)
    stripped = text.astype(str).str.strip()
    empty = (stripped == "").to_numpy()
    if col.required:
        out.add(empty, col.name, stripped, f"is empty; expected {_expected(col)}")
    if col.kind in ("number", "integer"):
        values = _to_numbers(stripped.where(~empty))
        bad = values.isna().to_numpy() & ~empty
        out.add(bad, col.name, stripped, f"is not a number; expected {_expected(col)}")
        return _check_numbers(col, values, stripped, out)
    if col.kind == "date":
        values = pd.to_datetime(stripped.where(~empty), format="%Y-%m-%d", errors="coerce")
        out.add(
            values.isna().to_numpy() & ~empty,
            col.name,
            stripped,
            f"is not a date; expected {_expected(col)}",
        )
        return values
    if col.kind == "bool":
        lower = stripped.str.lower()
        bad = ~lower.isin(_TRUE | _FALSE).to_numpy()
        out.add(bad, col.name, stripped, f"is not a yes/no value; expected {_expected(col)}")
        return lower.isin(_TRUE)
    if col.kind == "choice":
        bad = ~stripped.isin(col.choices).to_numpy() & ~empty
        out.add(
            bad,
            col.name,
            stripped,
            lambda v, _: (
                f"is not valid; expected {_expected(col)}{did_you_mean(v.lower(), col.choices)}"
            ),
        )
        return stripped
    return stripped


def _is_numeric(series: pd.Series) -> bool:
    return pd.api.types.is_numeric_dtype(series) and not pd.api.types.is_bool_dtype(series)


def _check_numbers(col: Column, values: pd.Series, shown: pd.Series, out: _Collector) -> pd.Series:
    """Refuse infinite and out-of-range numbers; whole numbers for integer columns."""
    infinite = np.isinf(values.to_numpy())
    out.add(infinite, col.name, shown, f"is not a finite number; expected {_expected(col)}")
    values = values.where(~infinite)
    finite = values.notna().to_numpy()
    low_bad = np.zeros(len(values), bool)
    if col.low is not None:
        low_bad = finite & ((values <= col.low) if col.positive else (values < col.low))
    high_bad = np.zeros(len(values), bool)
    if col.high is not None:
        high_bad = finite & (values > col.high)
    out.add(
        np.asarray(low_bad | high_bad),
        col.name,
        shown,
        f"is out of range; expected {_expected(col)}",
    )
    if col.kind == "integer":
        frac = finite & (values != values.round())
        out.add(np.asarray(frac), col.name, shown, f"expected {_expected(col)}")
        values = values.where(~frac)
        return values.astype("Int64") if not values.isna().any() else values
    return values


def _check_header(spec: TableSpec, raw: RawTable, out: _Collector) -> bool:
    header = set(raw.header)
    top = 1 if raw.line_label == "line" else None
    ok = True
    for col in spec.columns:
        if col.required and col.name not in header:
            hint = did_you_mean(col.name, raw.header)
            out.problems.append(
                InputIssue(
                    raw.source,
                    top,
                    None,
                    None,
                    f"missing required column {col.name!r}{hint}; "
                    f"required columns are: {', '.join(c.name for c in spec.columns if c.required)}",
                )
            )
            ok = False
    duplicated = sorted(name for name, n in Counter(raw.header).items() if n > 1)
    for name in duplicated:
        out.problems.append(InputIssue(raw.source, top, name, None, "appears twice in the header"))
        ok = False
    return ok


def _key_text(series: pd.Series) -> pd.Series:
    """A key column as text, missing values (unparsed dates, numbers) as ''."""
    return series.astype(object).where(series.notna(), "").astype(str)


def _check_key(spec: TableSpec, frame: pd.DataFrame, out: _Collector) -> None:
    key = [k for k in spec.key if k in frame.columns]
    keyed = pd.DataFrame({k: _key_text(frame[k]) for k in key}, index=frame.index)
    dup = keyed.duplicated(keep=False).to_numpy()
    if not dup.any():
        return
    first_line: dict[tuple[str, ...], int] = {}
    for row in np.flatnonzero(dup)[: _MAX_PER_CHECK * 2]:
        value = tuple(keyed.iloc[row])
        line = out.raw.lines[row]
        if value not in first_line:
            first_line[value] = line
            continue
        shown = ", ".join(value)
        label = out.raw.line_label
        out.problems.append(
            InputIssue(
                out.raw.source,
                line,
                None,
                None,
                f"duplicate ({', '.join(key)}) = ({shown}); first given at {label} "
                f"{first_line[value]}",
                line_label=label,
            )
        )


def parse_table(spec: TableSpec, raw: RawTable) -> tuple[pd.DataFrame | None, list[InputIssue]]:
    """Parse a raw table into typed columns, collecting every problem.

    Returns the typed frame (None when the header is unusable) and the problems.
    Extra columns are kept as text. Optional columns that are absent get their
    neutral value (``in_force`` true, ``stage``/``destination`` empty = all, ``bloc`` empty).
    """
    out = _Collector(raw)
    if not raw.header or not _check_header(spec, raw, out):
        return None, out.problems
    frame = raw.frame.copy()
    for col in spec.columns:
        if col.name in frame.columns:
            frame[col.name] = _parse_column(col, frame[col.name], out)
    _parse_ranges(spec, frame, out)
    _check_key(spec, frame, out)
    if "in_force" not in frame.columns and spec.column("in_force") is not None:
        frame["in_force"] = True
    for name in ("stage", "destination", "bloc"):
        if name not in frame.columns and spec.column(name) is not None:
            frame[name] = ""
    frame.index = pd.RangeIndex(len(frame))
    return frame, out.problems


def _parse_ranges(spec: TableSpec, frame: pd.DataFrame, out: _Collector) -> None:
    """Parse ``<column>_low`` / ``<column>_high`` like their numeric column; they must bracket it."""
    for col in spec.columns:
        if col.kind not in ("number", "integer") or col.name not in frame.columns:
            continue
        low_name, high_name = (col.name + suffix for suffix in RANGE_SUFFIXES)
        for name in (low_name, high_name):
            if name in frame.columns:
                part = replace(col, name=name, required=False, kind="number")
                frame[name] = _parse_column(part, frame[name], out)
        central = frame[col.name].astype(float)
        for name, bad_side, word in ((low_name, 1, "above"), (high_name, -1, "below")):
            if name not in frame.columns:
                continue
            values = frame[name].astype(float)
            bad = ((values - central) * bad_side > 1e-9).to_numpy()
            out.add(
                bad,
                name,
                frame[name].astype(str),
                f"is {word} {col.name} of the same row; a range must bracket its central value",
            )


def check_references(
    frame: pd.DataFrame,
    raw: RawTable,
    column: str,
    valid: Iterable[str],
    what: str,
    fix: str,
    allow_empty: bool = False,
) -> list[InputIssue]:
    """Problems for cells of ``column`` whose value is not in ``valid``."""
    if column not in frame.columns:
        return []
    valid = sorted(set(valid))
    values = frame[column].astype(str)
    bad = ~values.isin(valid)
    if allow_empty:
        bad &= values != ""
    out = _Collector(raw, inherit=False)
    out.add(bad.to_numpy(), column, values, lambda v, _: f"unknown {what}; {fix}{_hint(v, valid)}")
    return out.problems


def _hint(value: str, valid: list[str]) -> str:
    """A lookalike warning when ``value`` only looks like a valid one, else did-you-mean."""
    twin = lookalike_of(value, valid)
    if twin is not None:
        return f" ({value!r} looks like {twin!r} but holds {hidden_characters(value)}; retype it)"
    return did_you_mean(value, valid)


def _to_numbers(text: pd.Series) -> pd.Series:
    """Text as floats; NaN where it is not a number (including 'nan' itself)."""
    numbers = pd.to_numeric(text, errors="coerce")
    return pd.Series(np.asarray(numbers, dtype=float), index=text.index)


def _colliding(values: pd.Series) -> dict[str, str]:
    """Skeleton of every distinct value that shares its skeleton with another value."""
    distinct = pd.Series(pd.unique(values), dtype=object)
    plain = ~distinct.str.contains(r"[^\x20-\x7e]|  ", regex=True)
    if plain.all():
        return {}
    keys = distinct.where(plain, distinct[~plain].map(skeleton))
    clash = keys.duplicated(keep=False)
    return dict(zip(distinct[clash], keys[clash], strict=True))


def check_lookalikes(frame: pd.DataFrame, raw: RawTable, column: str) -> list[InputIssue]:
    """Problems for identifiers that differ only by invisible or lookalike characters."""
    if column not in frame.columns:
        return []
    values = frame[column].astype(str)
    keys = _colliding(values)
    if not keys:
        return []
    first: dict[str, tuple[str, int]] = {}
    clash = np.zeros(len(values), bool)
    twin: dict[int, tuple[str, int]] = {}
    for row in np.flatnonzero(values.isin(list(keys)).to_numpy()):
        value = values.iloc[row]
        seen = first.setdefault(keys[value], (value, int(row)))
        if seen[0] != value:
            clash[row], twin[int(row)] = True, seen
    out = _Collector(raw, inherit=False)

    def message(value: str, at: int) -> str:
        other, row = twin[at]
        return (
            f"looks the same as {other!r} ({raw.line_label} {raw.lines[row]}) once invisible and lookalike "
            f"characters are removed ({hidden_characters(value + other) or 'spacing'}); "
            "identifiers must differ visibly: use one spelling"
        )

    out.add(clash, column, values, message)
    return out.problems
