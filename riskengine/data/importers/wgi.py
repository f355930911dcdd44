"""World Bank Worldwide Governance Indicators: the mean of the six estimates per country.

Reads the World Bank's own files:

* ``WGIData.csv`` of the WGI bulk download (World Development Indicators layout:
  ``Country Name, Country Code, Indicator Name, Indicator Code, 1996, ..., 2022``
  with indicator codes ``CC.EST, GE.EST, PV.EST, RQ.EST, RL.EST, VA.EST``);
* the long layout of the 2024+ releases (``wgidataset`` as CSV or xlsx: columns
  ``code, countryname, year, indicator, estimate`` with indicators ``va, pv,
  ge, rq, rl, cc``).

``governance`` is the mean of the six estimates (-2.5 to 2.5, higher better);
a country gets a value only when all six are present for the year.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from riskengine.data.importers._files import read_any, source_error
from riskengine.data.importers._names import alpha2_of_alpha3

__all__ = ["WGI_INDICATORS", "read_wgi"]

#: The six WGI dimensions, as the wide file codes them.
WGI_INDICATORS: tuple[str, ...] = ("VA.EST", "PV.EST", "GE.EST", "RQ.EST", "RL.EST", "CC.EST")


def _from_wide(raw: pd.DataFrame, path: Path) -> pd.DataFrame:
    est = raw[raw["Indicator Code"].astype(str).str.strip().isin(WGI_INDICATORS)]
    years = [c for c in raw.columns if str(c).strip().isdigit()]
    if est.empty or not years:
        raise source_error(path, "has no WGI estimate rows (Indicator Code VA.EST ... CC.EST)")
    long = est.melt(id_vars=["Country Code", "Indicator Code"], value_vars=years, var_name="year")
    long = long.rename(columns={"Country Code": "code", "Indicator Code": "indicator"})
    return long.assign(value=pd.to_numeric(long["value"], errors="coerce"))


def _from_long(raw: pd.DataFrame, path: Path) -> pd.DataFrame:
    cols = {str(c).strip().lower(): c for c in raw.columns}
    need = ("code", "year", "indicator", "estimate")
    if any(n not in cols for n in need):
        raise source_error(
            path,
            "is not a WGI file: expected the columns 'Country Code', 'Indicator Code' and years "
            "(WGIData.csv) or 'code', 'year', 'indicator', 'estimate' (wgidataset)",
        )
    long = raw[[cols[n] for n in need]].set_axis(list(need), axis=1)
    long["indicator"] = long["indicator"].astype(str).str.strip().str.upper() + ".EST"
    long = long[long["indicator"].isin(WGI_INDICATORS)]
    return long.assign(value=pd.to_numeric(long["estimate"].replace("..", np.nan), errors="coerce"))


def read_wgi(path: str | Path, year: int | None = None) -> pd.DataFrame:
    """Mean WGI estimate per country for one year.

    Parameters
    ----------
    path : path-like
        ``WGIData.csv`` or a ``wgidataset`` CSV/xlsx, as downloaded from the World Bank.
    year : int, optional
        Data year; default the latest year with values.

    Returns
    -------
    DataFrame
        ``country`` (ISO alpha-2), ``code`` (as in the file), ``year``,
        ``governance`` (mean of six estimates, unrounded), ``indicators`` (6).
    """
    path = Path(path)
    raw = read_any(path)
    wide = "Indicator Code" in [str(c).strip() for c in raw.columns]
    long = (
        _from_wide(raw.rename(columns=lambda c: str(c).strip()), path)
        if wide
        else _from_long(raw, path)
    )
    long["year"] = pd.to_numeric(long["year"], errors="coerce")
    long = long.dropna(subset=["value", "year"])
    if long.empty:
        raise source_error(path, "has no WGI estimates")
    chosen = int(long["year"].max()) if year is None else int(year)
    part = long[long["year"] == chosen]
    if part.empty:
        years = sorted(long["year"].astype(int).unique())
        raise source_error(
            path, f"has no estimates for {chosen}; years in the file: {years[0]}-{years[-1]}"
        )
    stats = part.groupby("code")["value"].agg(["mean", "count"]).reset_index()
    stats = stats[stats["count"] == len(WGI_INDICATORS)]
    stats["country"] = stats["code"].astype(str).map(alpha2_of_alpha3)
    out = stats.dropna(subset=["country"]).rename(
        columns={"mean": "governance", "count": "indicators"}
    )
    return out.assign(year=chosen)[
        ["country", "code", "year", "governance", "indicators"]
    ].reset_index(drop=True)
