"""The events a drawn scenario can fire, derived from the data (``docs/scenarios.md`` section 5).

Two kinds of event:

- **physical**: one per supplying country and one per offer. Their yearly
  probabilities come from the calibrated disruption probability ``q[b,o]``
  (:mod:`riskengine.scoring.calibration`) split by the offer's risk score:
  the country part (governance, concentration, partner) gives the country
  event, the offer part (maturity, lead time, parent country) the company
  event. The export-control part (export control, Chinese technology) is
  left to the explicit policy model below, so it is not counted twice. With
  ``s_k`` the score's country share, ``1 - q = (1 - q)^s_policy (1 - q)^s_k
  (1 - q)^s_offer``, so an offer that only these events touch keeps its
  calibrated ``q``. How much a fired event takes is drawn from the shares of
  the historical events of the same level in ``disruptions.csv``.
- **policy**: the export controls of ``export_controls.csv``. Each control in
  force limits what its destination buyers may take from the offers it
  covers to an approval share drawn from a range that depends on China's
  policy state (:data:`APPROVAL`) or on the table's ``approval_rate`` columns.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np
import pandas as pd

from riskengine.config.schema import Config
from riskengine.data.dataset import Dataset
from riskengine.enums import ChinaPolicy, DisruptionKind, Indicator

__all__ = [
    "APPROVAL",
    "POLICY_COUNTRY",
    "Controls",
    "PhysicalEvents",
    "controls",
    "physical_events",
    "plan_year",
]

#: The country whose export policy is drawn as a state (contract 5.3).
POLICY_COUNTRY = "CN"
#: Score indicators whose share of q is left to the explicit policy model.
POLICY_PART = (Indicator.EXPORT_CONTROL.value, Indicator.CHINESE_TECHNOLOGY.value)
#: Score indicators whose share of q is a country event.
COUNTRY_PART = (Indicator.GOVERNANCE.value, Indicator.CONCENTRATION.value, Indicator.PARTNER.value)
#: Severity from which a control is destination-restrictive (Ann. 1/2026 for JP: 0.75) or a ban.
RESTRICTIVE, BAN = 0.75, 1.0
#: Approval share ranges (low, high) by kind of control and China's policy state;
#: sources and judgements in docs/scenarios.md, section 5.
APPROVAL: dict[str, dict[ChinaPolicy, tuple[float, float]]] = {
    "licence": {
        ChinaPolicy.LICENSING: (0.60, 0.95),
        ChinaPolicy.TIGHTENING: (0.0, 0.30),
        ChinaPolicy.OCTOBER_PACKAGE: (0.60, 0.95),
        ChinaPolicy.EASING: (0.90, 1.0),
    },
    "restrictive": {
        ChinaPolicy.LICENSING: (0.05, 0.50),
        ChinaPolicy.TIGHTENING: (0.0, 0.10),
        ChinaPolicy.OCTOBER_PACKAGE: (0.05, 0.50),
        ChinaPolicy.EASING: (0.05, 0.50),
    },
    "returning": {state: (0.05, 0.55) for state in ChinaPolicy},
}


@dataclass(frozen=True, repr=False)
class PhysicalEvents:
    """Country and company events: probabilities a year and the depths to draw from.

    Attributes
    ----------
    countries : ndarray of str
        Supplying countries, sorted.
    offer_country : ndarray of int
        Per ``suppliers`` row, its country's position in ``countries``.
    country_p : ndarray
        Yearly probability of each country's event.
    company_p : ndarray
        Yearly probability of each offer's own event.
    country_depth, company_depth : ndarray
        Shares of supply taken by the historical events of each level (drawn with replacement).
    depth_source : str
        Where the depths came from.
    """

    countries: np.ndarray
    offer_country: np.ndarray
    country_p: np.ndarray
    company_p: np.ndarray
    country_depth: np.ndarray
    company_depth: np.ndarray
    depth_source: str


@dataclass(frozen=True, repr=False)
class Controls:
    """Export controls that a draw can apply, one row per control and destination.

    Attributes
    ----------
    table : DataFrame
        ``country, commodity, stage, destination, severity, kind`` (licence,
        restrictive, ban or returning), ``group`` (one latent draw per group
        and buyer), ``low, high`` (the data's approval range, NaN = the
        default of :data:`APPROVAL`), ``offers`` (how many offers it covers).
    cover : ndarray of bool
        ``(controls, suppliers rows)``: offers each control covers.
    who : ndarray of bool
        ``(controls, buyers)``: buyers each control applies to.
    year : int
        The plan year.
    returning_share : float
        Share of the plan year after the suspended controls' end date (0-1).
    """

    table: pd.DataFrame
    cover: np.ndarray
    who: np.ndarray
    year: int
    returning_share: float

    @cached_property
    def n_groups(self) -> int:
        """Number of latent groups."""
        return int(self.table["group"].max()) + 1 if len(self.table) else 0


# --------------------------------------------------------------------------- physical


def _offer_scores(scores: pd.DataFrame, dataset: Dataset, buyers: tuple[str, ...]) -> pd.DataFrame:
    """Scores aligned on (buyer, suppliers row): one row per pair, NaN where unscored."""
    sup = dataset.suppliers.reset_index(drop=True)
    grid = pd.DataFrame(
        {
            "buyer": np.repeat(buyers, len(sup)),
            "supplier_id": np.tile(sup["supplier_id"].astype(str).to_numpy(), len(buyers)),
            "commodity": np.tile(sup["commodity"].astype(str).to_numpy(), len(buyers)),
        }
    )
    keys = ["buyer", "supplier_id", "commodity"]
    clean = scores.astype({k: str for k in keys}).drop_duplicates(keys, keep="last")
    return grid.merge(clean, on=keys, how="left")


def _split_q(frame: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Country and company probabilities per (buyer, offer) from q and the score's parts."""
    q = frame["disruption_probability"].fillna(0.0).to_numpy(float).clip(0.0, 1.0 - 1e-12)
    score = frame["risk_score"].fillna(0.0).to_numpy(float)

    def part(columns: tuple[str, ...]) -> np.ndarray:
        present = [c for c in columns if c in frame.columns]
        total = frame[present].fillna(0.0).to_numpy(float).sum(axis=1) if present else 0.0
        return np.asarray(np.divide(total, score, out=np.zeros_like(score), where=score > 0))

    country = part(COUNTRY_PART)
    company = np.clip(1.0 - part(POLICY_PART) - country, 0.0, 1.0)
    company = np.where(score > 0, company, 1.0)  # no score: q is the base rate, the offer's own
    survive = 1.0 - q
    return 1.0 - survive**country, 1.0 - survive**company


def _depths(dataset: Dataset, config: Config) -> tuple[np.ndarray, np.ndarray, str]:
    from riskengine.scoring.panel import calibration_events

    calibration = config.risk.calibration
    events, source = calibration_events(dataset, calibration)
    share = pd.to_numeric(events["share_affected"], errors="coerce").fillna(0.0)
    keep = (share >= calibration.min_share) & (
        events["kind"].astype(str) != DisruptionKind.EXPORT_RESTRICTION.value
    )
    company = events["supplier_id"].fillna("").astype(str).str.strip() != ""
    fallback = np.array([calibration.min_share, 1.0])
    country_depth = share[keep & ~company].to_numpy(float)
    company_depth = share[keep & company].to_numpy(float)
    return (
        np.sort(country_depth) if len(country_depth) else fallback,
        np.sort(company_depth) if len(company_depth) else fallback,
        source,
    )


def physical_events(
    dataset: Dataset,
    config: Config,
    scores: pd.DataFrame,
    buyers: tuple[str, ...],
    weights: np.ndarray,
    capacity_t: np.ndarray,
) -> PhysicalEvents:
    """Country and company events of the offers in ``dataset.suppliers``.

    Parameters
    ----------
    scores : DataFrame
        Risk scores with their indicator contributions and ``disruption_probability``.
    buyers : tuple of str
        Buyers with demand, sorted.
    weights : ndarray
        Each buyer's share of total demand (averages the buyers' probabilities).
    capacity_t : ndarray
        Usable capacity per ``suppliers`` row (averages a country's offers).
    """
    frame = _offer_scores(scores, dataset, buyers)
    n_sup = len(dataset.suppliers)
    p_country, p_company = (p.reshape(len(buyers), n_sup) for p in _split_q(frame))
    country = dataset.suppliers["country"].astype(str).to_numpy()
    codes, offer_country = np.unique(country, return_inverse=True)
    weight_k = np.where(capacity_t > 0, capacity_t, 1e-9)
    per_buyer = np.vstack(
        [
            np.bincount(offer_country, weight_k * p_country[b], len(codes))
            / np.bincount(offer_country, weight_k, len(codes))
            for b in range(len(buyers))
        ]
    )
    country_depth, company_depth, source = _depths(dataset, config)
    return PhysicalEvents(
        countries=codes,
        offer_country=offer_country.astype(int),
        country_p=weights @ per_buyer,
        company_p=weights @ p_company,
        country_depth=country_depth,
        company_depth=company_depth,
        depth_source=source,
    )


# --------------------------------------------------------------------------- controls


def _dates(frame: pd.DataFrame, column: str) -> pd.Series:
    if column not in frame.columns:
        return pd.Series(pd.NaT, index=frame.index)
    return pd.to_datetime(
        frame[column].astype(str).replace({"": None, "nan": None}), errors="coerce"
    )


def _text(frame: pd.DataFrame, column: str) -> pd.Series:
    if column not in frame.columns:
        return pd.Series("", index=frame.index)
    return frame[column].fillna("").astype(str).replace("nan", "").str.strip()


def plan_year(dataset: Dataset, config: Config) -> int:
    """``optimiser.stochastic.year``, else the year after the latest control in force."""
    if config.optimiser.stochastic.year is not None:
        return int(config.optimiser.stochastic.year)
    table = dataset.export_controls
    since = _dates(table, "since")
    if "in_force" in table.columns:
        since = since[table["in_force"].fillna(True).astype(bool)]
    latest = since.dropna()
    return int(latest.dt.year.max()) + 1 if len(latest) else 2027


def _kind(severity: float, suspended: bool) -> str:
    if suspended:
        return "returning"
    if severity >= BAN:
        return "ban"
    return "restrictive" if severity >= RESTRICTIVE else "licence"


def _destination_buyers(
    dest: str, buyers: tuple[str, ...], config: Config, blocs: dict[str, str]
) -> np.ndarray:
    if not dest:
        return np.ones(len(buyers), bool)
    codes = {dest, blocs.get(dest, "")} - {""}
    return np.array(
        [b in config.buyers and bool(codes & set(config.buyers[b].home)) for b in buyers], bool
    )


def _cover(table: pd.DataFrame, sup: pd.DataFrame) -> np.ndarray:
    """Offers each control covers; a suspended (returning) one, offers abroad built on its tech."""
    country = sup["country"].astype(str).to_numpy()
    commodity = sup["commodity"].astype(str).to_numpy()
    stage = sup["stage"].astype(str).to_numpy()
    tech = (
        sup["chinese_technology"].fillna(False).astype(bool).to_numpy()
        if "chinese_technology" in sup.columns
        else np.zeros(len(sup), bool)
    )
    rows = []
    for rule in table.itertuples(index=False):
        same = commodity == rule.commodity
        if rule.kind == "returning":
            rows.append(same & tech & (country != rule.country))
            continue
        at_stage = np.ones(len(sup), bool) if not rule.stage else stage == rule.stage
        rows.append(same & at_stage & (country == rule.country))
    return np.vstack(rows) if rows else np.zeros((0, len(sup)), bool)


def _approval_range(table: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """The data's approval range per control (``approval_rate[_low|_high]``), NaN if absent."""

    def column(name: str) -> np.ndarray:
        if name not in table.columns:
            return np.full(len(table), np.nan)
        return np.asarray(pd.to_numeric(table[name], errors="coerce").to_numpy(float))

    rate = column("approval_rate")
    low, high = column("approval_rate_low"), column("approval_rate_high")
    return np.where(np.isnan(low), rate, low), np.where(np.isnan(high), rate, high)


def controls(dataset: Dataset, config: Config, buyers: tuple[str, ...]) -> Controls:
    """Controls in force in the plan year, and China's suspended ones that may return."""
    raw = dataset.export_controls.reset_index(drop=True)
    year = plan_year(dataset, config)
    start, end = pd.Timestamp(year, 1, 1), pd.Timestamp(year, 12, 31)
    since, until = _dates(raw, "since"), _dates(raw, "until")
    flag = raw["in_force"].fillna(True).astype(bool) if "in_force" in raw.columns else None
    started = since.isna() | (since <= end)
    active = started & (until.isna() | (until >= start))
    if flag is not None:
        active &= flag
    returning = (
        (~flag if flag is not None else False)
        & until.notna()
        & (until < end)
        & (raw["country"].astype(str) == POLICY_COUNTRY)
    )
    keep = active | returning
    low, high = _approval_range(raw)
    table = pd.DataFrame(
        {
            "country": raw["country"].astype(str),
            "commodity": raw["commodity"].astype(str),
            "stage": _text(raw, "stage"),
            "destination": _text(raw, "destination"),
            "severity": pd.to_numeric(raw["severity"], errors="coerce").fillna(0.0),
            "returning": returning,
            "low": low,
            "high": high,
        }
    )[keep].reset_index(drop=True)
    table["kind"] = [
        _kind(s, r) for s, r in zip(table["severity"], table["returning"], strict=True)
    ]
    sup = dataset.suppliers.reset_index(drop=True)
    cover = _cover(table, sup)
    table["offers"] = cover.sum(axis=1)
    blocs = dict(
        zip(
            dataset.countries["country"].astype(str),
            dataset.countries["bloc"].astype(str),
            strict=True,
        )
    )
    who = np.array(
        [_destination_buyers(d, buyers, config, blocs) for d in table["destination"]], bool
    ).reshape(len(table), len(buyers))
    used = (table["offers"] > 0).to_numpy() & who.any(axis=1)
    table, cover, who = table[used].reset_index(drop=True), cover[used], who[used]
    table["group"] = table.groupby(["country", "destination", "returning"], sort=True).ngroup()
    last = until[returning].max() if bool(returning.any()) else pd.NaT
    share = 0.0 if pd.isna(last) else float(np.clip((end - last).days / 365.0, 0.0, 1.0))
    return Controls(table.drop(columns="returning"), cover, who, year, share)
