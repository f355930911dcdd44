"""Country names and codes as the sources spell them, mapped to ISO 3166-1 alpha-2.

``iso3166.csv`` (next to this module) lists the ISO 3166-1 countries with their
alpha-3 and alpha-2 codes (plus two codes the World Bank uses: ANT, XKX).
Names are matched case-insensitively against the ISO names, the names of the
project's ``countries.csv`` and the aliases below.
"""

from __future__ import annotations

import csv
from functools import cache
from pathlib import Path

import pandas as pd

__all__ = ["alpha2_of_alpha3", "alpha2_of_name"]

#: Spellings used by JRC, USGS and Comtrade that differ from the ISO short names.
ALIASES: dict[str, str] = {
    "burma": "MM",
    "myanmar": "MM",
    "russia": "RU",
    "korea, south": "KR",
    "korea, rep.": "KR",
    "south korea": "KR",
    "korea, north": "KP",
    "vietnam": "VN",
    "laos": "LA",
    "congo, d.r.": "CD",
    "congo (kinshasa)": "CD",
    "congo, dem. rep.": "CD",
    "united states": "US",
    "usa": "US",
    "united kingdom": "GB",
    "uk": "GB",
    "czech republic": "CZ",
    "iran": "IR",
    "turkey": "TR",
    "taiwan": "TW",
    "hong kong": "HK",
    "bolivia": "BO",
    "tanzania": "TZ",
    "venezuela": "VE",
    "kyrgyzstan": "KG",
    "brasilia": "BR",
}


@cache
def _table() -> pd.DataFrame:
    path = Path(__file__).with_name("iso3166.csv")
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    return pd.DataFrame(rows)


def alpha2_of_alpha3(code: str) -> str | None:
    """ISO alpha-2 of an alpha-3 code (e.g. 'CHN' -> 'CN'), or None."""
    table = _table()
    hit = table.loc[table["alpha3"] == code.strip().upper(), "alpha2"]
    return str(hit.iloc[0]) if len(hit) else None


def alpha2_of_name(name: str, countries: pd.DataFrame | None = None) -> str | None:
    """ISO alpha-2 of a country name as a source spells it, or None when unknown."""
    key = " ".join(name.strip().lower().split())
    if key in ALIASES:
        return ALIASES[key]
    names = {n.lower(): a for n, a in zip(_table()["name"], _table()["alpha2"], strict=True)}
    if countries is not None:
        names |= {
            str(n).lower(): str(c)
            for n, c in zip(countries["name"], countries["country"], strict=False)
        }
    return names.get(key)
