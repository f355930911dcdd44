"""The calibration panel: supply units, their risk scores, and which years history disrupted them.

A *unit* is one (buyer, country, commodity, stage) with a row in
``production.csv``: a source of supply that history can have disrupted. The
panel has one row per unit and year of the window
(``risk.calibration.start_year`` to ``end_year``). Its feature is the unit's
risk score, computed with :func:`~riskengine.scoring.score_suppliers` for a
stand-in offer (producing, the country's median lead time) from *today's*
indicators; its label says whether an event in ``disruptions.csv`` took at
least ``min_share`` of the unit's supply that year. See
``docs/methodology.md``, "Disruption probability".
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from riskengine.config.schema import CalibrationConfig, Config
from riskengine.data.dataset import Dataset
from riskengine.data.history import shipped_disruptions
from riskengine.enums import DisruptionKind
from riskengine.scoring.scorer import offer_scores

__all__ = ["calibration_events", "disruption_panel", "unit_offers", "unit_scores"]

_UNIT = ["buyer", "country", "commodity", "stage"]
_KINDS = tuple(k.value for k in DisruptionKind)


def unit_offers(dataset: Dataset) -> pd.DataFrame:
    """One stand-in offer per (country, commodity, stage) of ``production.csv``.

    Each is ``producing``, with the median lead time of the country's offers in
    ``suppliers.csv`` (of all offers when the country has none). Optional
    indicator columns of ``suppliers.csv`` are filled so that the stand-ins
    are scored on the same indicators as the real offers:
    ``chinese_technology`` is true for Chinese units, ``parent_country`` is the
    unit's country.
    """
    units = dataset.production[["country", "commodity", "stage"]].drop_duplicates()
    units = units.sort_values(["country", "commodity", "stage"]).reset_index(drop=True)
    suppliers = dataset.suppliers
    lead = suppliers.groupby("country")["lead_time_days"].median()
    fallback = float(suppliers["lead_time_days"].median()) if len(suppliers) else 0.0
    offers = units.assign(
        supplier_id=[f"unit:{r.country}:{r.commodity}:{r.stage}" for r in units.itertuples()],
        name=[f"{r.country} {r.commodity} {r.stage}" for r in units.itertuples()],
        status="producing",
        capacity_t=1.0,
        price_usd_per_kg=1.0,
        lead_time_days=units["country"].map(lead).fillna(fallback).to_numpy(float),
    )
    if "chinese_technology" in suppliers.columns:
        offers["chinese_technology"] = offers["country"] == "CN"
    if "parent_country" in suppliers.columns:
        offers["parent_country"] = offers["country"]
    return offers


def unit_scores(dataset: Dataset, config: Config) -> pd.DataFrame:
    """Risk score (0-100) of every unit for every buyer: ``buyer, country, commodity, stage,
    risk_score``, scored exactly like an offer of ``suppliers.csv``."""
    offers = unit_offers(dataset)
    scores = offer_scores(dataset.with_tables(suppliers=offers), config)  # built here: no check
    return scores[[*_UNIT, "risk_score"]].reset_index(drop=True)


def calibration_events(
    dataset: Dataset, calibration: CalibrationConfig
) -> tuple[pd.DataFrame, str]:
    """The history the calibration uses, filtered by the configuration, and where it came from.

    Returns the events (the dataset's ``disruptions`` table, or the shipped one
    when the data has none) keeping the configured kinds, only confirmed rows
    when ``confirmed_only``, and rows on comparable materials (commodity
    ``other``) only when ``include_analogues``; and a sentence naming the source.
    """
    if dataset.disruptions is not None:
        events, source = dataset.disruptions, f"disruptions.csv of {dataset.source}"
    else:
        events = shipped_disruptions()
        source = "the shipped seeds/disruptions.csv (the data folder has no disruptions.csv)"
    keep = events["kind"].isin([k.value for k in calibration.kinds])
    if calibration.confirmed_only:
        keep &= events["basis"].astype(str) == "confirmed"
    if not calibration.include_analogues:
        keep &= events["commodity"].astype(str) != "other"
    return events[keep].reset_index(drop=True), source


def _destination_match(
    destination: str, buyers: np.ndarray, config: Config, blocs: dict[str, str]
) -> np.ndarray:
    """Units whose buyer is the event's destination (a country or its bloc); all if empty."""
    if not destination:
        return np.ones(len(buyers), bool)
    codes = {destination, blocs.get(destination, "")} - {""}
    targeted = [name for name, spec in config.buyers.items() if set(spec.home) & codes]
    return np.isin(buyers, targeted)


def _unit_mask(
    units: dict[str, np.ndarray], event: pd.Series, config: Config, blocs: dict[str, str]
) -> np.ndarray:
    """Units the event hit (country, commodity, stage, destination), whatever the year."""
    commodity, stage = str(event["commodity"]), str(event["stage"])
    mask = units["country"] == event["country"]
    if commodity not in ("all", "other"):
        mask &= units["commodity"] == commodity
    if stage:
        mask &= units["stage"] == stage
    return np.asarray(
        mask & _destination_match(str(event["destination"]), units["buyer"], config, blocs)
    )


def _years(years: np.ndarray, event: pd.Series, end: int) -> tuple[np.ndarray, np.ndarray]:
    """Years that are the event's first, and years that are its later ones."""
    first = int(event["start_year"])
    last = end if pd.isna(event["end_year"]) else int(event["end_year"])
    return years == first, (years > first) & (years <= last)


def _label(
    units: pd.DataFrame,
    years: np.ndarray,
    events: pd.DataFrame,
    config: Config,
    blocs: dict[str, str],
) -> dict[str, np.ndarray]:
    """Arrays [unit, year]: share, event id, continuing flag, and one hit array per kind."""
    calibration = config.risk.calibration
    shape = (len(units), len(years))
    arrays = {name: units[name].astype(str).to_numpy() for name in _UNIT}
    out = {"share": np.zeros(shape), "event_id": np.full(shape, "", dtype=object)}
    out["continuing"] = np.zeros(shape, bool)
    out |= {f"hit_{kind}": np.zeros(shape, bool) for kind in _KINDS}
    for _, event in events.iterrows():
        value = float(event["share_affected"])
        if value <= 0 or value < calibration.min_share:
            continue
        unit = _unit_mask(arrays, event, config, blocs)[:, None]
        onset, later = _years(years, event, calibration.end_year)
        if calibration.count == "ongoing":
            onset, later = onset | later, np.zeros_like(later)
        out[f"hit_{event['kind']}"] |= unit & onset
        out["continuing"] |= unit & later
        better = unit & onset & (value > out["share"])
        out["share"][better], out["event_id"][better] = value, event["event_id"]
    return out


def disruption_panel(dataset: Dataset, config: Config | None = None) -> tuple[pd.DataFrame, str]:
    """The calibration panel and the sentence naming where its history came from.

    Returns
    -------
    panel : DataFrame
        One row per (buyer, country, commodity, stage, year): ``risk_score``
        (0-100, today's indicators); ``share``, the largest share of supply
        (0-1) taken by an event counting that year (one that took at least
        ``min_share``; with ``count: onset`` only in the event's first year);
        ``event_id`` (that event); ``disrupted`` (share > 0); ``at_risk``
        (false for years an earlier event was still under way, with ``count:
        onset``: the unit was not supplying normally, so it is left out of the
        fit); ``target`` (the label the fit uses: 0/1 for ``label: event``, the
        share for ``label: share``) and one boolean ``hit_<kind>`` per kind.
    source : str
        Where the events came from (the data's table or the shipped one).
    """
    config = config if config is not None else Config()
    calibration = config.risk.calibration
    events, source = calibration_events(dataset, calibration)
    units = unit_scores(dataset, config)
    years = np.arange(calibration.start_year, calibration.end_year + 1)
    countries = dataset.countries
    blocs = dict(zip(countries["country"].astype(str), countries["bloc"].astype(str), strict=True))
    labels = _label(units, years, events, config, blocs)
    panel = units.loc[units.index.repeat(len(years))].reset_index(drop=True)
    panel["year"] = np.tile(years, len(units))
    for name, values in labels.items():
        panel[name] = values.reshape(-1)
    panel["disrupted"] = panel["share"] > 0
    panel["at_risk"] = panel["disrupted"] | ~panel.pop("continuing")
    share = calibration.label == "share"
    panel["target"] = panel["share"] if share else panel["disrupted"].astype(float)
    return panel, source
