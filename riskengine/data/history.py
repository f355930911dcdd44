"""The optional history table ``disruptions.csv``: its cross-row checks and the shipped copy.

The table lists past supply disruptions (export restrictions, border
closures, conflicts, plant outages, insolvencies) by country or plant. It
calibrates how a risk score becomes a yearly disruption probability
(:mod:`riskengine.scoring.calibration`). A data folder may leave it out; the
calibration then falls back to the shipped table and says so.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

from riskengine.data.readers import RawTable, read_csv_table
from riskengine.data.schema import DISRUPTION_TABLE
from riskengine.data.validate import parse_table
from riskengine.exceptions import DataError, InputIssue

__all__ = ["check_disruptions", "parse_disruptions", "read_disruptions", "shipped_disruptions"]

_ISO2 = re.compile(r"^[A-Z]{2}$")


def _problems(
    raw: RawTable, mask: np.ndarray, column: str, values: pd.Series, message: str
) -> list[InputIssue]:
    return [
        InputIssue(raw.source, raw.lines[row], column, str(values.iloc[row]) or None, message)
        for row in np.flatnonzero(mask)
    ]


def check_disruptions(frame: pd.DataFrame, raw: RawTable) -> list[InputIssue]:
    """Problems across columns of a parsed ``disruptions`` table.

    Checks that ``end_year`` is not before ``start_year``, that ``country`` is an
    ISO 3166-1 alpha-2 code, and that rows with commodity ``other`` name their
    ``material``. Column types, ranges and choices are checked by the schema.
    """
    problems: list[InputIssue] = []
    start = pd.to_numeric(frame["start_year"], errors="coerce").astype(float)
    if "end_year" in frame.columns:
        end = pd.to_numeric(frame["end_year"], errors="coerce").astype(float)
        before = (end < start).to_numpy(bool)
        problems += [
            InputIssue(
                raw.source,
                raw.lines[row],
                "end_year",
                f"{end.iloc[row]:g}",
                f"is before start_year {start.iloc[row]:g}; expected a year >= start_year, "
                "or empty for an event still under way",
            )
            for row in np.flatnonzero(before)
        ]
    country = frame["country"].astype(str)
    bad = ~country.str.match(_ISO2).to_numpy() & (country != "").to_numpy()
    problems += _problems(
        raw,
        bad,
        "country",
        country,
        "is not an ISO 3166-1 alpha-2 code; expected two capital letters such as CN or MM",
    )
    if "material" in frame.columns:
        material = frame["material"].astype(str).str.strip()
    else:
        material = pd.Series("", index=frame.index)
    unnamed = ((frame["commodity"].astype(str) == "other") & (material == "")).to_numpy()
    problems += [
        InputIssue(
            raw.source,
            raw.lines[row],
            "material",
            None,
            "is empty; a row with commodity 'other' must name the material, e.g. gallium",
        )
        for row in np.flatnonzero(unnamed)
    ]
    return problems


def _with_defaults(frame: pd.DataFrame) -> pd.DataFrame:
    """Add absent optional columns with their neutral values (empty text, no end year)."""
    frame = frame.copy()
    for col in DISRUPTION_TABLE.columns:
        if col.name not in frame.columns:
            frame[col.name] = np.nan if col.kind == "integer" else ""
    for name in ("start_year", "end_year"):
        frame[name] = pd.to_numeric(frame[name], errors="coerce").round().astype("Int64")
    return frame


def parse_disruptions(raw: RawTable) -> tuple[pd.DataFrame | None, list[InputIssue]]:
    """Parse and check a raw ``disruptions`` table; absent optional columns are added."""
    frame, problems = parse_table(DISRUPTION_TABLE, raw)
    if frame is None:
        return None, problems
    problems += check_disruptions(frame, raw)
    return _with_defaults(frame), problems


def read_disruptions(path: str | Path) -> pd.DataFrame:
    """Read and validate one ``disruptions.csv`` file.

    Raises
    ------
    DataError
        Listing every problem (file, line, column, value, what is valid).
    """
    file = Path(path)
    frame, problems = parse_disruptions(read_csv_table(file, str(file)))
    if problems or frame is None:
        raise DataError(problems)
    return frame


@lru_cache(maxsize=1)
def _shipped() -> pd.DataFrame:
    from riskengine._resources import shipped

    return read_disruptions(shipped("seeds") / f"{DISRUPTION_TABLE.name}.csv")


def shipped_disruptions() -> pd.DataFrame:
    """The shipped history table (``seeds/disruptions.csv``), validated; a fresh copy."""
    return _shipped().copy()
