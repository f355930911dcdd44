"""Data vintages and the share of estimated figures, per table.

A row's figures are estimates when its basis column (``basis``, or
``governance_basis`` for countries) starts with ``estimate``; the seeds start
the others with ``confirmed``. Data years are read from the year columns
(``year``, ``price_year``, ``governance_year``, ``data_year``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

if TYPE_CHECKING:
    from riskengine.data.dataset import Dataset

__all__ = ["YEAR_COLUMNS", "vintage_range", "vintage_table"]

#: Columns holding a figure's data year.
YEAR_COLUMNS: tuple[str, ...] = ("year", "price_year", "governance_year", "data_year")
_TABLES = (
    "commodities",
    "countries",
    "production",
    "export_controls",
    "suppliers",
    "demand",
    "sourcing",
)


def _present(dataset: Dataset) -> list[str]:
    """The tables of :data:`_TABLES` this dataset has (optional ones may be absent)."""
    names = set(getattr(dataset, "table_names", _TABLES))
    return [n for n in _TABLES if n in names]


def _years(table: pd.DataFrame) -> pd.Series:
    cols = [c for c in YEAR_COLUMNS if c in table.columns]
    if not cols:
        return pd.Series([], dtype=float)
    years = pd.concat([pd.to_numeric(table[c], errors="coerce") for c in cols])
    return years[years.between(1900, 2100)]  # unchecked extra columns: ignore what is no year


def _estimated(table: pd.DataFrame) -> pd.Series | None:
    col = next((c for c in ("basis", "governance_basis") if c in table.columns), None)
    if col is None:
        return None
    return table[col].astype(str).str.strip().str.lower().str.startswith("estimate")


def vintage_table(dataset: Dataset) -> pd.DataFrame:
    """One row per table: ``table, rows, years, estimated_rows, estimated_share``.

    ``years`` is the range of data years (e.g. '2020-2025', '' when the table
    has none); ``estimated_share`` is NaN when the table has no basis column.
    """
    rows = []
    for name in _present(dataset):
        table = dataset.table(name)
        years = _years(table)
        span = (
            ""
            if years.empty
            else f"{int(years.min())}-{int(years.max())}".replace(
                f"{int(years.min())}-{int(years.min())}", f"{int(years.min())}"
            )
        )
        flags = _estimated(table)
        count = None if flags is None else int(flags.sum())
        share = (
            float("nan") if flags is None or count is None or not len(flags) else count / len(flags)
        )
        rows.append((name, len(table), span, count, share))
    return pd.DataFrame(
        rows, columns=["table", "rows", "years", "estimated_rows", "estimated_share"]
    )


def vintage_range(dataset: Dataset) -> tuple[str, float]:
    """Data years across all tables ('2020-2025') and the share of estimated rows overall."""
    years = pd.concat([_years(dataset.table(n)) for n in _present(dataset)])
    table = vintage_table(dataset).dropna(subset=["estimated_share"])
    share = table["estimated_rows"].sum() / table["rows"].sum() if len(table) else float("nan")
    span = "unknown" if years.empty else f"{int(years.min())}-{int(years.max())}"
    return span, float(share)
