"""Risk indicators of supplier offers, each on a fixed scale in [0, 1] (1 = riskiest).

Scales are absolute (never min-max over the rows at hand), so an offer's
indicators do not change when an unrelated offer is added. The formulas are
written out in ``docs/methodology.md``.

Everything that does not depend on the buyer (governance, concentration,
maturity, lead time) is looked up once per table of offers through integer
codes; only the partner relation and the export-control exposure are computed
per buyer. This keeps scoring a small fraction of optimisation time at any
size.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property
from typing import TypeVar

import numpy as np
import pandas as pd

from riskengine.enums import Indicator, OfferStatus, Stage
from riskengine.exceptions import DataError

__all__ = [
    "MATURITY_LEVEL",
    "RELATION_LEVEL",
    "OfferCodes",
    "Reference",
    "export_exposure",
    "governance_risk",
    "indicator_frame",
    "relation_of",
    "wgi_to_jrc",
]

#: Maturity indicator by offer status.
MATURITY_LEVEL: dict[str, float] = {
    OfferStatus.PRODUCING: 0.0,
    OfferStatus.RAMPING: 0.5,
    OfferStatus.PLANNED: 1.0,
}
#: Partner indicator by relation to the buyer: home, partner, other.
RELATION_LEVEL: tuple[float, float, float] = (0.0, 0.5, 1.0)
_STAGES = [s.value for s in Stage]
_Wgi = TypeVar("_Wgi", pd.Series, np.ndarray, float)
_STATUSES = list(MATURITY_LEVEL)


def wgi_to_jrc(wgi: _Wgi) -> _Wgi:
    """WGI mean estimate (-2.5 to 2.5, higher better) to the JRC 0-10 scale, 10 = worst.

    ``WGI_JRC = (2.5 - WGI) * 2``; e.g. China's 2022 mean -0.33 gives 5.66.
    """
    return (2.5 - wgi) * 2.0


def governance_risk(wgi: pd.Series | np.ndarray) -> pd.Series | np.ndarray:
    """Governance indicator in [0, 1]: the JRC 0-10 WGI divided by 10."""
    return np.clip(wgi_to_jrc(wgi) / 10.0, 0.0, 1.0)


def relation_of(
    codes: pd.Series, countries: pd.DataFrame, home: Iterable[str], partners: Iterable[str]
) -> pd.Series:
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


@dataclass(frozen=True)
class Reference:
    """Lookups measured once from the reference tables (countries, production, controls).

    ``concentration`` is indexed [commodity code, stage code].
    """

    countries: pd.Index
    wgi: np.ndarray
    bloc: np.ndarray
    commodities: pd.Index
    concentration: np.ndarray
    controls: pd.DataFrame

    @classmethod
    def from_tables(
        cls,
        countries: pd.DataFrame,
        concentration: pd.DataFrame,
        controls: pd.DataFrame,
        commodities: Iterable[str] = (),
    ) -> Reference:
        """Build the lookups; ``concentration`` has commodity, stage, concentration columns."""
        known = set(concentration["commodity"]) | set(controls["commodity"]) | set(commodities)
        names = pd.Index(sorted(map(str, known)))
        table = np.ones((len(names), len(_STAGES)))  # no production data: worst case
        c_idx = names.get_indexer(concentration["commodity"])
        s_idx = pd.Index(_STAGES).get_indexer(concentration["stage"])
        table[c_idx, s_idx] = concentration["concentration"].to_numpy(float)
        return cls(
            pd.Index(countries["country"].astype(str)),
            countries["governance"].to_numpy(float),
            countries["bloc"].astype(str).to_numpy(),
            names,
            table,
            controls,
        )

    def relation(self, home: Iterable[str], partners: Iterable[str]) -> np.ndarray:
        """Relation (0 home, 1 partner, 2 other) of every reference country to a buyer."""
        home, partners = set(home), set(partners)
        code = self.countries.to_numpy()
        is_home = np.isin(code, list(home)) | np.isin(self.bloc, list(home))
        is_partner = np.isin(code, list(partners)) | np.isin(self.bloc, list(partners))
        return np.where(is_home, 0, np.where(is_partner, 1, 2))

    @cached_property
    def _control_codes(self) -> tuple[np.ndarray, ...]:
        c = self.controls
        known = (
            self.countries.get_indexer(c["country"].astype(str)),
            self.commodities.get_indexer(c["commodity"].astype(str)),
        )
        n = len(c)
        empty = np.full(n, "", dtype=object)
        return (
            *known,  # optional columns absent (a table built in memory) mean: all stages, all
            # destinations, in force
            c["stage"].fillna("").astype(str).to_numpy() if "stage" in c else empty,
            c["destination"].fillna("").astype(str).to_numpy() if "destination" in c else empty,
            c["in_force"].to_numpy(bool) if "in_force" in c else np.ones(n, dtype=bool),
            c["severity"].to_numpy(float),
        )

    def severity(self, buyer_codes: Iterable[str]) -> np.ndarray:
        """Worst severity in force, indexed [country, commodity, stage], for one buyer."""
        k, m, stage, destination, in_force, severity = self._control_codes
        applies = (
            in_force
            & (k >= 0)
            & (m >= 0)
            & ((destination == "") | np.isin(destination, list(buyer_codes)))
        )
        out = np.zeros((len(self.countries), len(self.commodities), len(_STAGES)))
        for stage_index, name in enumerate(_STAGES):
            hit = applies & ((stage == "") | (stage == name))
            np.maximum.at(out[:, :, stage_index], (k[hit], m[hit]), severity[hit])
        return out


@dataclass(frozen=True)
class OfferCodes:
    """Integer codes of the offers' country, commodity, stage and status in a Reference."""

    country: np.ndarray
    commodity: np.ndarray
    stage: np.ndarray
    status: np.ndarray

    @classmethod
    def of(cls, offers: pd.DataFrame, ref: Reference) -> OfferCodes:
        """Codes for every offer; unknown values are a :class:`DataError` naming them."""
        codes = cls(
            ref.countries.get_indexer(offers["country"].astype(str)),
            ref.commodities.get_indexer(offers["commodity"].astype(str)),
            pd.Index(_STAGES).get_indexer(offers["stage"].astype(str)),
            pd.Index(_STATUSES).get_indexer(offers["status"].astype(str)),
        )
        _check_codes(offers, codes)
        return codes


def _check_codes(offers: pd.DataFrame, codes: OfferCodes) -> None:
    problems = []
    for column, code, valid in (
        ("country", codes.country, "a code of countries.csv"),
        ("commodity", codes.commodity, "a commodity of the reference"),
        ("stage", codes.stage, "mining or refining"),
        ("status", codes.status, "producing, ramping or planned"),
    ):
        bad = sorted(set(offers[column].astype(str).to_numpy()[code < 0]))
        if bad:
            problems.append(
                f"suppliers column {column}: unknown value(s) "
                f"{', '.join(map(repr, bad[:10]))}; expected {valid}"
            )
    if problems:
        raise DataError("\n".join(problems))


def export_exposure(
    offers: pd.DataFrame,
    controls: pd.DataFrame,
    countries: pd.DataFrame,
    buyer_codes: Iterable[str],
) -> pd.Series:
    """Highest severity of the export controls in force on each offer, for one buyer.

    A control applies to an offer when it is in force, names the offer's
    country and commodity, covers its stage (empty stage = all stages) and
    targets all destinations or one of ``buyer_codes`` (the buyer's home
    countries and blocs). Offers with no control get 0.
    """
    empty = pd.DataFrame(
        {
            "commodity": pd.Series([], dtype=str),
            "stage": pd.Series([], dtype=str),
            "concentration": [],
        }
    )
    ref = Reference.from_tables(countries, empty, controls, offers["commodity"].astype(str))
    codes = OfferCodes.of(offers, ref)
    severity = ref.severity(buyer_codes)[codes.country, codes.commodity, codes.stage]
    return pd.Series(severity, index=offers.index)


def indicator_frame(
    offers: pd.DataFrame,
    ref: Reference,
    home: Iterable[str],
    partners: Iterable[str],
    lead_time_scale_days: float,
    codes: OfferCodes | None = None,
) -> pd.DataFrame:
    """One column per indicator, in [0, 1], for each offer and one buyer.

    Parameters
    ----------
    offers : DataFrame
        Rows of ``suppliers.csv``.
    ref : Reference
        Lookups from the reference tables (see :meth:`Reference.from_tables`).
    home, partners : iterable of str
        The buyer's home and partner countries or blocs.
    lead_time_scale_days : float
        Lead time, in days, at which the lead-time indicator reaches 1.
    codes : OfferCodes, optional
        Codes of ``offers`` in ``ref`` when already computed (saves time per buyer).

    Returns
    -------
    DataFrame
        Indexed like ``offers``; optional indicators appear only when their
        column exists in ``offers``.
    """
    codes = codes if codes is not None else OfferCodes.of(offers, ref)
    home, partners = tuple(home), tuple(partners)
    relation = ref.relation(home, partners)
    lead = offers["lead_time_days"].to_numpy(float) / lead_time_scale_days
    columns = {
        Indicator.GOVERNANCE.value: governance_risk(ref.wgi)[codes.country],
        Indicator.EXPORT_CONTROL.value: ref.severity(home)[
            codes.country, codes.commodity, codes.stage
        ],
        Indicator.CONCENTRATION.value: ref.concentration[codes.commodity, codes.stage],
        Indicator.MATURITY.value: np.array(list(MATURITY_LEVEL.values()))[codes.status],
        Indicator.PARTNER.value: np.take(RELATION_LEVEL, relation[codes.country]),
        Indicator.LEAD_TIME.value: np.clip(lead, 0.0, 1.0),
    }
    if "route" in offers.columns:
        _worst_along_routes(offers, ref, codes, relation, home, columns)
    if "chinese_technology" in offers.columns:
        flag = offers["chinese_technology"].fillna(False).astype(bool).to_numpy(float)
        columns[Indicator.CHINESE_TECHNOLOGY.value] = flag
    if "parent_country" in offers.columns:
        parent = offers["parent_country"].fillna("").astype(str)
        parent = parent.where(parent != "", offers["country"].astype(str))
        index = ref.countries.get_indexer(parent)
        level = np.where(index >= 0, np.take(RELATION_LEVEL, relation[index]), 1.0)
        columns[Indicator.PARENT_COUNTRY.value] = level
    return pd.DataFrame(columns, index=offers.index, dtype=float)


#: Route stage -> the stage of the reference tables (production, export controls).
_ROUTE_TO_STAGE = {
    "mining": "mining",
    "recycling": "mining",
    "separation": "refining",
    "metal": "refining",
    "magnet": "refining",
}


def _worst_along_routes(
    offers: pd.DataFrame,
    ref: Reference,
    codes: OfferCodes,
    relation: np.ndarray,
    home: tuple[str, ...],
    columns: dict[str, np.ndarray],
) -> None:
    """Country indicators over the offer's whole route: the worst stage counts.

    An offer whose concentrate is separated in China carries China's export
    control, governance and relation to the buyer, as its route makes it
    depend on them (docs/methodology.md, "Routes"). Offers without a route
    keep the indicators of their own country. In place on ``columns``.
    """
    from riskengine.data.routes import route_stages

    stages = route_stages(offers.reset_index(drop=True))
    if stages.empty:
        return
    row = stages["row"].to_numpy(dtype=int)
    country = ref.countries.get_indexer(stages["country"].astype(str))
    known = country >= 0
    row, country = row[known], country[known]
    stage = pd.Index(_STAGES).get_indexer(stages["stage"].map(_ROUTE_TO_STAGE)[known])
    commodity = codes.commodity[row]
    n = len(offers)
    for name, values in (
        (Indicator.GOVERNANCE.value, governance_risk(ref.wgi)[country]),
        (Indicator.EXPORT_CONTROL.value, ref.severity(home)[country, commodity, stage]),
        (Indicator.PARTNER.value, np.take(RELATION_LEVEL, relation[country])),
    ):
        worst = np.zeros(n)
        np.maximum.at(worst, row, values)
        columns[name] = np.maximum(columns[name], worst)
