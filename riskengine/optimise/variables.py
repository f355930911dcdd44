"""The index tables of the sourcing model: needs, offers and the x variables that link them.

- a *need* is one buyer's demand for one commodity (a row of ``demand.csv``
  with demand > 0), with its lost-supply value V;
- an *offer* is one row of ``suppliers.csv``, with the capacity usable now;
- an *x variable* is one (buyer, offer) pair: tonnes a year the buyer buys
  from the offer, one for every offer of a commodity the buyer needs.

Everything is sorted by stable keys (buyer, commodity, supplier_id) and joined
on integer codes, so the order of the input tables never changes the model
and no string merge runs on the hot path.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from riskengine.config.schema import Config
from riskengine.data.checks import home_and_partners
from riskengine.data.dataset import Dataset
from riskengine.exceptions import ConfigError, RiskEngineError
from riskengine.optimise._contracts import contracted_tonnes
from riskengine.optimise.policy import ModelSettings, lost_supply_values

__all__ = ["RELATIONS", "needs", "offers", "x_variables"]

#: Relation of an offer's country to a buyer, by code.
RELATIONS = ("home", "partner", "other")


def needs(dataset: Dataset, config: Config, settings: ModelSettings) -> tuple[pd.DataFrame, tuple]:
    """Buyer-commodity needs with positive demand, sorted, with V; and notes on V fallbacks.

    Columns: ``buyer, commodity, demand_t, lost_value_usd_per_kg, need``.
    """
    demand = dataset.demand[["buyer", "commodity", "demand_t"]].astype(
        {"buyer": str, "commodity": str}
    )
    demand = demand[demand["demand_t"].astype(float) > 0]
    unknown = sorted(set(demand["buyer"]) - set(config.buyers))
    if unknown:
        raise ConfigError(
            f"demand.csv names buyer(s) {', '.join(map(repr, unknown))} that the "
            f"configuration lacks; add buyers.<B> (home, partners) for each"
        )
    frame = demand.sort_values(["buyer", "commodity"], kind="stable").reset_index(drop=True)
    frame["demand_t"] = frame["demand_t"].astype(float)
    commodities = sorted(set(frame["commodity"]))
    values, notes = lost_supply_values(dataset, config, commodities, settings.version)
    by_commodity = dict(zip(commodities, values, strict=True))
    frame["lost_value_usd_per_kg"] = frame["commodity"].map(by_commodity).astype(float)
    frame["need"] = np.arange(len(frame))
    return frame, notes


def offers(dataset: Dataset, config: Config) -> pd.DataFrame:
    """Offers with the capacity usable now (``capacity_t`` x ``status_availability``).

    Columns: ``supplier_id, commodity, country, capacity_t, price_usd_per_kg,
    contracted_t, offer``, sorted by commodity and supplier id. ``row`` keeps
    the offer's position in ``suppliers.csv`` (for scenarios and messages).
    """
    sup = dataset.suppliers
    frame = pd.DataFrame(
        {
            "supplier_id": sup["supplier_id"].astype(str).to_numpy(),
            "commodity": sup["commodity"].astype(str).to_numpy(),
            "country": sup["country"].astype(str).to_numpy(),
            "capacity_t": sup["capacity_t"].astype(float).to_numpy(),
            "price_usd_per_kg": sup["price_usd_per_kg"].astype(float).to_numpy(),
            "row": np.arange(len(sup)),
        }
    )
    available = {str(k): v for k, v in config.optimiser.status_availability.items()}
    share = sup["status"].astype(str).map(available).fillna(1.0).to_numpy(dtype=float)
    frame["capacity_t"] = frame["capacity_t"].to_numpy() * share
    frame["contracted_t"] = contracted_tonnes(dataset).to_numpy(dtype=float)
    frame = frame.sort_values(["commodity", "supplier_id"], kind="stable").reset_index(drop=True)
    frame["offer"] = np.arange(len(frame))
    return frame


def _relations(dataset: Dataset, config: Config, buyers: np.ndarray, countries: np.ndarray):
    table = home_and_partners(dataset, config)
    lookup = dict(
        zip(
            zip(table["buyer"], table["country"].astype(str), strict=True),
            table["relation"],
            strict=True,
        )
    )
    codes = [lookup.get((b, k), 2) for b, k in zip(buyers, countries, strict=True)]
    return np.array(codes, dtype=int)


def x_variables(
    dataset: Dataset,
    config: Config,
    need: pd.DataFrame,
    offer: pd.DataFrame,
    scores: pd.DataFrame,
) -> pd.DataFrame:
    """One row per (buyer, offer of a commodity the buyer needs), in (buyer, commodity, supplier) order.

    Columns: ``buyer, commodity, supplier_id, country, relation, need,
    offer, risk_score`` and, when ``scores`` has it, ``disruption_probability``.
    """
    by_commodity = offer.groupby("commodity", sort=False)["offer"]
    first = by_commodity.min().to_dict()
    count = by_commodity.size().to_dict()
    starts = need["commodity"].map(first).fillna(0).to_numpy(dtype=int)
    sizes = need["commodity"].map(count).fillna(0).to_numpy(dtype=int)
    need_of_x = np.repeat(need["need"].to_numpy(), sizes)
    offsets = np.arange(sizes.sum()) - np.repeat(np.cumsum(sizes) - sizes, sizes)
    offer_of_x = np.repeat(starts, sizes) + offsets
    x = pd.DataFrame(
        {
            "buyer": need["buyer"].to_numpy()[need_of_x],
            "commodity": need["commodity"].to_numpy()[need_of_x],
            "supplier_id": offer["supplier_id"].to_numpy()[offer_of_x],
            "country": offer["country"].to_numpy()[offer_of_x],
            "need": need_of_x,
            "offer": offer_of_x,
        }
    )
    codes = _relations(dataset, config, x["buyer"].to_numpy(), x["country"].to_numpy())
    x["relation"] = np.asarray(RELATIONS, dtype=object)[codes]
    return _attach_scores(x, scores, offer)


def _attach_scores(x: pd.DataFrame, scores: pd.DataFrame, offer: pd.DataFrame) -> pd.DataFrame:
    keys = ["buyer", "supplier_id", "commodity"]
    missing = [c for c in [*keys, "risk_score"] if c not in scores.columns]
    if missing:
        raise RiskEngineError(
            f"scores lack column(s) {', '.join(missing)}; pass the frame "
            "returned by riskengine.score_suppliers"
        )
    index = pd.MultiIndex.from_arrays([offer["supplier_id"], offer["commodity"]])
    offer_code = index.get_indexer(
        pd.MultiIndex.from_arrays(
            [scores["supplier_id"].astype(str), scores["commodity"].astype(str)]
        )
    )
    buyers = sorted(set(x["buyer"]))
    buyer_code = pd.Index(buyers).get_indexer(scores["buyer"].astype(str))
    keep = (offer_code >= 0) & (buyer_code >= 0)
    slot = buyer_code[keep] * len(offer) + offer_code[keep]
    x_slot = pd.Index(buyers).get_indexer(x["buyer"]) * len(offer) + x["offer"].to_numpy()
    out = x.copy()
    for column in ("risk_score", "disruption_probability"):
        if column not in scores.columns:
            continue
        table = np.full(len(buyers) * len(offer), np.nan)
        table[slot] = scores[column].to_numpy(dtype=float)[keep]  # the last duplicate wins
        out[column] = table[x_slot]
    bad = out[out["risk_score"].isna()]
    if not bad.empty:
        first = bad.iloc[0]
        raise RiskEngineError(
            f"scores have no risk_score for {len(bad)} (buyer, offer) pair(s), e.g. buyer "
            f"{first['buyer']!r}, supplier_id {first['supplier_id']!r}, commodity "
            f"{first['commodity']!r}; score every offer for every buyer with demand"
        )
    return out
