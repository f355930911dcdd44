"""USGS Mineral Commodity Summaries data release: world mine production by country.

Reads the MCS world-data CSV (``MCS2025_World_Data.csv``, doi:10.5066/P13XCP3R):
columns ``COMMODITY, COUNTRY, TYPE, UNIT_MEAS`` and one production column per
year, ``PROD_<year>`` or ``PROD_EST_<year>`` (the 2025 release spells the
latter ``PROD_EST_ 2024``, with a space). Values may carry thousands
separators or a leading ``>``; ``W`` (withheld) and empty cells are no data.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from riskengine.data.importers._files import read_any, source_error
from riskengine.data.importers._names import alpha2_of_name

__all__ = ["read_usgs_mine_production"]

_PROD = re.compile(r"^prod_(est_)?\s*(\d{4})$", re.IGNORECASE)
_NOT_COUNTRIES = ("world total", "other countries", "world", "total")


def _number(text: object) -> float:
    cleaned = str(text).strip().lstrip(">").replace(",", "")
    return float(pd.to_numeric(cleaned, errors="coerce"))


def _year_column(raw: pd.DataFrame, path: Path, year: int | None) -> tuple[str, int]:
    found = {int(m.group(2)): c for c in raw.columns if (m := _PROD.match(str(c).strip()))}
    if not found:
        raise source_error(path, "has no production column PROD_<year> or PROD_EST_<year>")
    chosen = max(found) if year is None else year
    if chosen not in found:
        raise source_error(path, f"has no production column for {chosen}; it has {sorted(found)}")
    return found[chosen], chosen


def read_usgs_mine_production(
    path: str | Path, commodity: str = "rare earths", year: int | None = None
) -> pd.DataFrame:
    """Mine production per country of one USGS commodity (default rare earths, t REO).

    Returns
    -------
    DataFrame
        ``country`` (ISO alpha-2), ``country_name``, ``tonnes``, ``year``, ``unit``,
        plus one row with country ``WORLD`` when the file has a world total.
    """
    path = Path(path)
    raw = read_any(path)
    need = ("COMMODITY", "COUNTRY", "TYPE")
    if any(n not in raw.columns for n in need):
        raise source_error(
            path, f"is not an MCS world-data file: expected columns {', '.join(need)}"
        )
    column, chosen = _year_column(raw, path, year)
    rows = raw[
        raw["COMMODITY"].str.strip().str.lower().str.startswith(commodity.lower())
        & raw["TYPE"].str.lower().str.contains("mine production")
    ]
    if rows.empty:
        raise source_error(path, f"has no 'Mine production' rows for commodity {commodity!r}")
    name = rows["COUNTRY"].str.strip()
    out = pd.DataFrame({"country_name": name, "tonnes": rows[column].map(_number)})
    out["unit"] = rows["UNIT_MEAS"].str.strip() if "UNIT_MEAS" in rows.columns else ""
    world = name.str.lower().str.startswith("world")
    out["country"] = [
        "WORLD" if w else (None if n.lower() in _NOT_COUNTRIES else alpha2_of_name(n))
        for n, w in zip(name, world, strict=True)
    ]
    out = out.dropna(subset=["country", "tonnes"]).assign(year=chosen)
    return out[["country", "country_name", "tonnes", "year", "unit"]].reset_index(drop=True)
