"""Risk indicators of supplier offers, each on a fixed scale in [0, 1] (1 = riskiest).

Scales are absolute (never min-max over the rows at hand), so an offer's
indicators do not change when an unrelated offer is added. The formulas are
written out in ``docs/methodology.md``.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

from riskengine.enums import Indicator, Status

__all__ = [
    "MATURITY_LEVEL",
    "RELATION_LEVEL",
    "export_exposure",
    "governance_risk",
    "indicator_frame",
    "relation_of",
    "wgi_to_jrc",
]

#: Maturity indicator by offer status.
MATURITY_LEVEL: dict[str, float] = {Status.PRODUCING: 0.0, Status.RAMPING: 0.5, Status.PLANNED: 1.0}
#: Partner indicator by relation to the buyer: home, partner, other.
RELATION_LEVEL: tuple[float, float, float] = (0.0, 0.5, 1.0)


def wgi_to_jrc(wgi: pd.Series | np.ndarray | float) -> pd.Series | np.ndarray | float:
    """WGI mean estimate (-2.5 best ... 2.5 worst reversed) to the JRC 0-10 scale, 10 = worst.

    ``WGI_JRC = (2.5 - WGI) * 2``; e.g. China's 2022 mean -0.33 gives 5.66.
    """
    return (2.5 - wgi) * 2.0


def governance_risk(wgi: pd.Series) -> pd.Series:
    """Governance indicator in [0, 1]: the JRC 0-10 WGI divided by 10."""
    return (wgi_to_jrc(wgi) / 10.0).clip(0.0, 1.0)


def relation_of(codes: pd.Series, countries: pd.DataFrame, home: Iterable[str],
                partners: Iterable[str]) -> pd.Series:
    """Relation of each country code to a buyer: 0 home, 1 partner, 2 other.

    A country is home (partner) when its code or its bloc is listed in ``home``
    (``partners``); home wins over partner.
    """
    home, partners = set(home), set(partners)
    bloc = countries.set_index("country")["bloc"].astype(str)
    code_bloc = codes.map(bloc).fillna("")
    is_home = codes.isin(home) | code_bloc.isin(home)
    is_partner = codes.isin(partners) | code_bloc.isin(partners)
    return pd.Series(np.where(is_home, 0, np.where(is_partner, 1, 2)), index=codes.index)


def _applies_to(destination: pd.Series, buyer_codes: set[str]) -> pd.Series:
    return (destination == "") | destination.isin(buyer_codes)


def export_exposure(offers: pd.DataFrame, controls: pd.DataFrame,
                    buyer_codes: Iterable[str]) -> pd.Series:
    """Highest severity of the export controls in force on each offer, for one buyer.

    A control applies to an offer when it is in force, names the offer's
    country and commodity, covers its stage (empty stage = all stages) and
    targets all destinations or one of ``buyer_codes`` (the buyer's home
    countries and blocs). Offers with no control get 0.
    """
    buyer_codes = set(buyer_codes)
    active = controls[controls["in_force"].astype(bool)
                      & _applies_to(controls["destination"].astype(str), buyer_codes)]
    if active.empty or offers.empty:
        return pd.Series(0.0, index=offers.index)
    left = offers[["country", "commodity", "stage"]].reset_index(names="_row")
    right = active[["country", "commodity", "stage", "severity"]].rename(
        columns={"stage": "control_stage"})
    joined = left.merge(right, on=["country", "commodity"], how="inner")
    joined = joined[(joined["control_stage"] == "") | (joined["control_stage"] == joined["stage"])]
    worst = joined.groupby("_row")["severity"].max()
    return pd.Series(worst.reindex(range(len(offers))).fillna(0.0).to_numpy(), index=offers.index)


def _optional_flag(offers: pd.DataFrame, column: str) -> pd.Series:
    return offers[column].fillna(False).astype(bool).astype(float)


def indicator_frame(
    offers: pd.DataFrame,
    countries: pd.DataFrame,
    concentration: pd.DataFrame,
    controls: pd.DataFrame,
    home: Iterable[str],
    partners: Iterable[str],
    lead_time_scale_days: float,
) -> pd.DataFrame:
    """One column per indicator, in [0, 1], for each offer and one buyer.

    Parameters
    ----------
    offers : DataFrame
        Rows of ``suppliers.csv``.
    countries : DataFrame
        ``countries.csv`` (governance = WGI mean estimate).
    concentration : DataFrame
        Per (commodity, stage), column ``concentration`` in [0, 1]
        (see :func:`riskengine.scoring.criticality.concentration_indicator`).
    controls : DataFrame
        ``export_controls.csv``.
    home, partners : iterable of str
        The buyer's home and partner countries or blocs.
    lead_time_scale_days : float
        Lead time, in days, at which the lead-time indicator reaches 1.

    Returns
    -------
    DataFrame
        Indexed like ``offers``; optional indicators appear only when their
        column exists in ``offers``.
    """
    home, partners = tuple(home), tuple(partners)
    wgi = offers["country"].map(countries.set_index("country")["governance"])
    keys = pd.MultiIndex.from_frame(offers[["commodity", "stage"]])
    conc = concentration.set_index(["commodity", "stage"])["concentration"]
    relation = relation_of(offers["country"], countries, home, partners)
    frame = pd.DataFrame({
        Indicator.GOVERNANCE.value: governance_risk(wgi).to_numpy(),
        Indicator.EXPORT_CONTROL.value: export_exposure(offers, controls, home).to_numpy(),
        Indicator.CONCENTRATION.value: conc.reindex(keys).fillna(1.0).to_numpy(),
        Indicator.MATURITY.value: offers["status"].map(MATURITY_LEVEL).to_numpy(),
        Indicator.PARTNER.value: np.take(RELATION_LEVEL, relation.to_numpy()),
        Indicator.LEAD_TIME.value: (offers["lead_time_days"] / lead_time_scale_days)
        .clip(0.0, 1.0).to_numpy(),
    }, index=offers.index)
    if "chinese_technology" in offers.columns:
        frame[Indicator.CHINESE_TECHNOLOGY.value] = _optional_flag(offers, "chinese_technology")
    if "parent_country" in offers.columns:
        parent = offers["parent_country"].fillna("").astype(str)
        parent = parent.where(parent != "", offers["country"])
        level = np.take(RELATION_LEVEL, relation_of(parent, countries, home, partners).to_numpy())
        frame[Indicator.PARENT_COUNTRY.value] = level
    return frame.astype(float)
