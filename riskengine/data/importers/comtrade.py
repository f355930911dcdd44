"""UN Comtrade (or customs) imports by HS code and partner: a buyer's sourcing shares.

Reads the CSV that Comtrade exports, in either layout:

* Comtrade+ (``refYear, reporterISO, flowCode, partnerISO, cmdCode, netWgt,
  primaryValue`` ...), partners as ISO alpha-3, ``W00`` = world;
* legacy Comtrade (``Year, Reporter ISO, Trade Flow, Partner ISO, Commodity
  Code, Netweight (kg), Trade Value (US$)``).

Only import rows (flow ``M`` / ``Import``) of the given HS codes are kept;
world and area totals are dropped. Shares are by net weight, or by value
with ``basis="value"`` (or when no weights are given).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from riskengine.data.importers._files import read_any, source_error
from riskengine.data.importers._names import alpha2_of_alpha3

__all__ = ["read_comtrade_imports"]

_LAYOUTS = (
    {
        "year": "refYear",
        "flow": "flowCode",
        "partner": "partnerISO",
        "hs": "cmdCode",
        "kg": "netWgt",
        "usd": "primaryValue",
    },
    {
        "year": "Year",
        "flow": "Trade Flow",
        "partner": "Partner ISO",
        "hs": "Commodity Code",
        "kg": "Netweight (kg)",
        "usd": "Trade Value (US$)",
    },
)


def _layout(raw: pd.DataFrame, path: Path) -> dict[str, str]:
    for layout in _LAYOUTS:
        if all(v in raw.columns for k, v in layout.items() if k not in ("kg",)):
            return layout
    raise source_error(
        path,
        "is not a Comtrade export: expected columns refYear, flowCode, partnerISO, cmdCode, "
        "primaryValue (Comtrade+) or Year, Trade Flow, Partner ISO, Commodity Code, Trade Value (US$)",
    )


def read_comtrade_imports(
    path: str | Path, hs_codes: tuple[str, ...], basis: str = "weight"
) -> pd.DataFrame:
    """Import shares by partner for the given HS codes (prefix match, e.g. '284690').

    Returns
    -------
    DataFrame
        ``country`` (ISO alpha-2), ``partner`` (as in the file), ``kg``, ``usd``,
        ``share`` (0-1), ``year`` (latest year in the file).
    """
    path = Path(path)
    raw = read_any(path)
    cols = _layout(raw, path)
    flow = raw[cols["flow"]].str.strip().str.lower()
    hs = raw[cols["hs"]].str.strip()
    keep = flow.isin(("m", "import", "imports")) & hs.str.startswith(tuple(hs_codes))
    rows = raw[keep]
    if rows.empty:
        raise source_error(path, f"has no import rows for HS {', '.join(hs_codes)}")
    year = int(pd.to_numeric(rows[cols["year"]], errors="coerce").max())
    rows = rows[pd.to_numeric(rows[cols["year"]], errors="coerce") == year]
    out = pd.DataFrame({"partner": rows[cols["partner"]].str.strip()})
    out["kg"] = pd.to_numeric(rows.get(cols["kg"], pd.Series(dtype=str)), errors="coerce")
    out["usd"] = pd.to_numeric(rows[cols["usd"]], errors="coerce")
    out["country"] = out["partner"].map(alpha2_of_alpha3)
    out = (
        out.dropna(subset=["country"])
        .groupby(["country", "partner"], as_index=False)[["kg", "usd"]]
        .sum()
    )
    weight = "kg" if basis == "weight" and out["kg"].fillna(0).sum() > 0 else "usd"
    out["share"] = out[weight] / out[weight].sum()
    return out.assign(year=year).sort_values("share", ascending=False).reset_index(drop=True)
