"""Checking tables given in memory with the same checks the file loader applies.

A :class:`~riskengine.data.dataset.Dataset` built or edited in Python
(``data.with_tables(suppliers=edited)``) is checked by :func:`check_dataset`
like one read from files: types, finite numbers in range, unique keys,
references between tables and lookalike identifiers. One file rule is left
out: contracts above their offer's capacity, which a scenario's outage
(:func:`riskengine.scenarios.apply_scenario`) creates on purpose. Problems name the file
and line when the table still matches the file it came from, else the table
and its row position (``iloc``). The public functions call :func:`check_inputs`
first, so bad tables raise :class:`~riskengine.exceptions.DataError` with the
command line's message instead of a pandas or solver error later. A dataset
already checked and unchanged since (:mod:`riskengine.data.checked`) is not
parsed again.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from dataclasses import replace
from typing import Any

import numpy as np
import pandas as pd

from riskengine.config.arguments import check_config
from riskengine.config.schema import Config
from riskengine.data import checked
from riskengine.data.checks import check_buyers
from riskengine.data.dataset import Dataset, cross_checks, table_parser
from riskengine.data.readers import RawTable
from riskengine.data.schema import RANGE_SUFFIXES, TABLES, Column, TableSpec
from riskengine.exceptions import ArgumentError, DataError, InputIssue

__all__ = ["check_dataset", "check_inputs", "check_scores", "scale_column"]

_SCORE_COLUMNS = ("buyer", "supplier_id", "commodity", "risk_score")


def _cell(value: Any) -> str:
    """One in-memory cell as the text a CSV file would hold."""
    if value is None or value is pd.NA or value is pd.NaT:
        return ""
    if isinstance(value, str):
        return value if value.isascii() else unicodedata.normalize("NFC", value)
    if isinstance(value, bool | np.bool_):
        return "true" if value else "false"
    if isinstance(value, float) and np.isnan(value):
        return ""
    if isinstance(value, dt.datetime | pd.Timestamp):
        return value.strftime("%Y-%m-%d")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def _as_text(col: Column, series: pd.Series) -> pd.Series:
    """A column as text cells, except numbers in numeric columns, which stay numbers."""
    numeric = pd.api.types.is_numeric_dtype(series) and not pd.api.types.is_bool_dtype(series)
    if col.kind in ("number", "integer") and numeric:
        return series
    if pd.api.types.is_string_dtype(series):
        text = series.astype(object).where(series.notna(), "")
        odd = ~text.str.isascii().to_numpy(dtype=bool)
        if odd.any():
            text[odd] = text[odd].map(_cell)
        return text
    return pd.Series([_cell(v) for v in series], index=series.index, dtype=object)


def _raw(dataset: Dataset, spec: TableSpec, frame: pd.DataFrame) -> RawTable:
    """The table as the validator reads it, named by file and line when they still apply."""
    source, _, label = (
        dataset.origin(spec.name, 0) if len(frame) else (f"{spec.name} table", 0, "row")
    )
    lines = dataset.lines[spec.name] if label == "line" else tuple(range(len(frame)))
    text = frame.reset_index(drop=True)
    text.columns = [str(c) for c in text.columns]
    for col in spec.columns:
        if col.name in text.columns and isinstance(text[col.name], pd.Series):
            text[col.name] = _as_text(col, text[col.name])
    return RawTable(source, tuple(text.columns), text, tuple(lines), line_label=label)


def check_dataset(dataset: Any, who: str) -> Dataset:
    """``dataset`` checked like files are, with typed tables; refuse anything else.

    Parameters
    ----------
    dataset : Dataset
        The tables.
    who : str
        The function checking, for messages (e.g. "optimise").

    Returns
    -------
    Dataset
        The same tables parsed to their types (text NFC-normalised, row index 0..n-1).

    Raises
    ------
    ArgumentError
        When ``dataset`` is not a Dataset or a table is not a DataFrame.
    DataError
        Listing every problem, worded as for files.
    """
    if not isinstance(dataset, Dataset):
        raise ArgumentError(
            f"{who}: dataset should be a riskengine Dataset (riskengine.load_dataset(...) or "
            f"generate_dataset(...)), got {type(dataset).__name__}"
        )
    if checked.unchanged(dataset):  # checked before in this process, tables as they were
        return dataset
    raws: dict[str, RawTable] = {}
    tables: dict[str, pd.DataFrame] = {}
    problems: list[InputIssue] = []
    for spec in TABLES:
        frame = getattr(dataset, spec.name)
        if frame is None and spec.optional:
            continue
        if not isinstance(frame, pd.DataFrame):
            raise ArgumentError(
                f"{who}: dataset.{spec.name} should be a pandas DataFrame, "
                f"got {type(frame).__name__}"
            )
        raws[spec.name] = _raw(dataset, spec, frame)
        parsed, found = table_parser(spec)(raws[spec.name])
        problems += found
        if parsed is not None:
            tables[spec.name] = parsed
    problems += cross_checks(tables, raws, contract_capacity=False)
    if problems:
        raise DataError(problems)
    return checked.remember(replace(dataset, **tables), also=dataset)


def check_scores(scores: Any, who: str) -> pd.DataFrame | None:
    """Risk scores given to a public function: a DataFrame with finite scores from 0 to 100."""
    if scores is None:
        return None
    if not isinstance(scores, pd.DataFrame):
        raise ArgumentError(
            f"{who}: scores should be a DataFrame from riskengine.score_suppliers, "
            f"got {type(scores).__name__}"
        )
    missing = [c for c in _SCORE_COLUMNS if c not in scores.columns]
    if missing:
        raise ArgumentError(
            f"{who}: scores lack the column(s) {', '.join(missing)}; "
            "use riskengine.score_suppliers(data, config)"
        )
    risk = pd.to_numeric(scores["risk_score"], errors="coerce").to_numpy(dtype=float)
    bad = ~(np.isfinite(risk) & (risk >= 0) & (risk <= 100))
    if bad.any():
        row = int(np.flatnonzero(bad)[0])
        value = scores["risk_score"].iloc[row]
        raise DataError(
            [
                InputIssue(
                    "scores table",
                    row,
                    "risk_score",
                    str(value),
                    f"expected a finite number from 0 to 100 ({int(bad.sum())} such rows)",
                    line_label="row",
                )
            ]
        )
    return scores


def check_inputs(
    who: str, dataset: Any, config: Any, scores: Any = None, *, optional_config: bool = False
) -> tuple[Dataset, Config]:
    """The dataset and configuration of a public function, checked as the command line does.

    Checks the tables (:func:`check_dataset`), the configuration's type, the
    scores when given, and that every buyer in ``demand`` is configured.
    (Country codes of the configuration unknown to the data are harmless to
    the computation; the command line reports them.)
    """
    config = check_config(config, who, optional=optional_config)
    dataset = check_dataset(dataset, who)
    check_scores(scores, who)
    check_buyers(dataset, config)
    return dataset, config


def scale_column(frame: pd.DataFrame, column: str, factor: np.ndarray) -> None:
    """Multiply ``column`` and its ``_low``/``_high`` range columns by ``factor`` (in place).

    A range brackets its central value in every table the loader accepts; scaling
    them together keeps it so (e.g. a scenario's demand multiplier).
    """
    for name in (column, *(column + suffix for suffix in RANGE_SUFFIXES)):
        if name in frame.columns:
            frame[name] = frame[name].to_numpy(dtype=float) * factor
