"""JRC criticality-study tables: supply shares and trade factors (2023 study, Appendix 7).

Reads the table as extracted to CSV (columns ``Material, Stage, Country,
Share, t``; stage ``E`` extraction or ``P`` processing; shares such as
``84.4%`` or ``<0.1%``), the layout of the global-supply and the EU-sourcing
parts of Appendix 7. Only the controlled commodities are kept; the EU table's
heavy-rare-earth group row is applied to each heavy rare earth that has no
row of its own.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from riskengine.data.importers._files import read_any, source_error
from riskengine.data.importers._names import alpha2_of_name
from riskengine.enums import COMMODITIES

__all__ = ["HREE_GROUP", "read_jrc_shares"]

#: JRC's group label and the controlled commodities it covers.
HREE_GROUP = (
    "heavy rare earths elements",
    ("dysprosium", "terbium", "gadolinium", "lutetium", "yttrium"),
)
_STAGE = {"E": "mining", "P": "refining"}


def _share(text: str) -> float:
    text = str(text).strip()
    if text.startswith("<"):
        return 0.0
    return float(text.rstrip("%")) / 100.0


def _expand_group(frame: pd.DataFrame) -> pd.DataFrame:
    label, members = HREE_GROUP
    group = frame[frame["material"] == label]
    rows = [frame[frame["material"].isin(COMMODITIES)]]
    for member in members:
        for stage, part in group.groupby("stage"):
            own = (frame["material"] == member) & (frame["stage"] == stage)
            if not own.any():
                rows.append(part.assign(material=member))
    return pd.concat(rows, ignore_index=True)


def read_jrc_shares(path: str | Path, countries: pd.DataFrame | None = None) -> pd.DataFrame:
    """Supply shares of the controlled commodities from a JRC Appendix 7 table.

    Returns
    -------
    DataFrame
        ``commodity, stage (mining|refining), country (ISO alpha-2), share (0-1), t``,
        with ``country_name`` as JRC spells it.
    """
    path = Path(path)
    raw = read_any(path)
    need = ["Material", "Stage", "Country", "Share", "t"]
    missing = [c for c in need if c not in raw.columns]
    if missing:
        raise source_error(
            path,
            f"is not a JRC supply-share table: missing column(s) {', '.join(missing)}; expected {', '.join(need)}",
        )
    frame = raw[need].set_axis(["material", "stage", "country_name", "share", "t"], axis=1)
    frame["material"] = frame["material"].str.strip().str.lower()
    frame = _expand_group(frame)
    bad = ~frame["stage"].str.strip().isin(_STAGE)
    if bad.any():
        raise source_error(path, f"has stage {frame.loc[bad, 'stage'].iloc[0]!r}; expected E or P")
    frame["stage"] = frame["stage"].str.strip().map(_STAGE)
    frame["share"] = frame["share"].map(_share)
    frame["t"] = pd.to_numeric(frame["t"], errors="coerce").fillna(1.0)
    frame["country"] = frame["country_name"].map(lambda n: alpha2_of_name(n, countries))
    unknown = sorted(set(frame.loc[frame["country"].isna(), "country_name"]))
    if unknown:
        raise source_error(
            path, f"names countries riskengine cannot map to ISO codes: {', '.join(unknown)}"
        )
    frame = frame.rename(columns={"material": "commodity"})
    cols = ["commodity", "stage", "country", "share", "t", "country_name"]
    return (
        frame[cols]
        .sort_values(["commodity", "stage", "share"], ascending=[True, True, False])
        .reset_index(drop=True)
    )
