"""Columns of the sourcing LP: buyer-commodity pairs, offers, and one x per (buyer, offer).

Everything is sorted by stable keys (buyer, commodity, supplier_id), so the
order of the input tables never changes the problem.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from riskengine.config.schema import Config
from riskengine.data.checks import home_and_partners
from riskengine.data.dataset import Dataset
from riskengine.enums import Mode
from riskengine.exceptions import ConfigError, RiskEngineError
from riskengine.optimise._contracts import contracted_tonnes

__all__ = ["all_columns", "base_cost", "offers", "pairs", "risk_cost", "x_columns"]

_RELATIONS = {0: "home", 1: "partner", 2: "other"}


def pairs(dataset: Dataset, config: Config) -> pd.DataFrame:
    """Buyer-commodity pairs with positive demand, sorted, with their penalty."""
    demand = dataset.demand[["buyer", "commodity", "demand_t"]].copy()
    demand = demand[demand["demand_t"] > 0].astype({"buyer": str, "commodity": str})
    unknown = sorted(set(demand["buyer"]) - set(config.buyers))
    if unknown:
        raise ConfigError(
            f"demand.csv names buyer(s) {', '.join(map(repr, unknown))} that the "
            f"configuration lacks; add buyers.<B> (home, partners) for each"
        )
    pairs = demand.sort_values(["buyer", "commodity"], kind="stable").reset_index(drop=True)
    pairs["demand_t"] = pairs["demand_t"].astype(float)
    pairs["penalty_usd_per_kg"] = [config.penalty_usd_per_kg(c) for c in pairs["commodity"]]
    pairs["pair"] = np.arange(len(pairs))
    return pairs


def offers(dataset: Dataset, config: Config) -> pd.DataFrame:
    """Offers with the capacity usable now (``capacity_t`` x ``status_availability``)."""
    keep = ["supplier_id", "commodity", "country", "capacity_t", "price_usd_per_kg"]
    offers = dataset.suppliers[keep].astype({"supplier_id": str, "commodity": str, "country": str})
    offers = offers.astype({"capacity_t": float, "price_usd_per_kg": float})
    available = {str(k): v for k, v in config.optimiser.status_availability.items()}
    share = dataset.suppliers["status"].astype(str).map(available).fillna(1.0)
    offers["capacity_t"] = offers["capacity_t"] * share.to_numpy()
    offers["contracted_t"] = contracted_tonnes(dataset)
    return offers.sort_values(["commodity", "supplier_id"], kind="stable").reset_index(drop=True)


def x_columns(
    dataset: Dataset, config: Config, scores: pd.DataFrame, pairs: pd.DataFrame, mode: Mode
) -> pd.DataFrame:
    """One row per (buyer, offer) of a commodity the buyer needs, with bounds."""
    x = pairs.merge(offers(dataset, config), on="commodity", how="inner")
    x = x.sort_values(["buyer", "commodity", "supplier_id"], kind="stable").reset_index(drop=True)
    relation = home_and_partners(dataset, config).astype({"country": str})
    x = x.merge(relation, on=["buyer", "country"], how="left")
    x["relation"] = x["relation"].fillna(2).astype(int).map(_RELATIONS)
    x = _attach_scores(x, scores)
    return _x_bounds(x, config.optimiser.max_supplier_share, mode)


def _attach_scores(x: pd.DataFrame, scores: pd.DataFrame) -> pd.DataFrame:
    keys = ["buyer", "supplier_id", "commodity"]
    missing = [c for c in [*keys, "risk_score"] if c not in scores.columns]
    if missing:
        raise RiskEngineError(
            f"scores lack column(s) {', '.join(missing)}; pass the frame "
            "returned by riskengine.score_suppliers"
        )
    table = scores[[*keys, "risk_score"]].astype({k: str for k in keys})
    table = table.drop_duplicates(keys, keep="last")
    out = x.merge(table, on=keys, how="left", validate="one_to_one")
    bad = out[out["risk_score"].isna()]
    if not bad.empty:
        first = bad.iloc[0]
        raise RiskEngineError(
            f"scores have no risk_score for {len(bad)} (buyer, offer) pair(s), e.g. buyer "
            f"{first['buyer']!r}, supplier_id {first['supplier_id']!r}, commodity "
            f"{first['commodity']!r}; score every offer for every buyer with demand"
        )
    out["risk_score"] = out["risk_score"].astype(float)
    return out


def _x_bounds(x: pd.DataFrame, sigma: float, mode: Mode) -> pd.DataFrame:
    """Upper bound of each x: the supplier cap, or the capacity where it is one variable's."""
    supplier_ub = sigma * x["demand_t"].to_numpy()
    if mode is Mode.SEPARATE:
        total = x.drop_duplicates("pair").groupby("commodity")["demand_t"].sum()
        share = x["demand_t"].to_numpy() / x["commodity"].map(total).to_numpy(dtype=float)
        capacity_ub = x["capacity_t"].to_numpy() * share
    else:
        alone = x.groupby(["commodity", "supplier_id"])["buyer"].transform("size") == 1
        capacity_ub = np.where(alone.to_numpy(), x["capacity_t"].to_numpy(), np.inf)
    x["ub_t"] = np.minimum(supplier_ub, capacity_ub)
    x["ub_source"] = np.where(capacity_ub <= supplier_ub, "capacity", "supplier_cap")
    return x


def all_columns(xcols: pd.DataFrame, pairs: pd.DataFrame) -> pd.DataFrame:
    """x columns, then one shortfall column per pair."""
    short = pairs.assign(kind="shortfall", ub_t=np.inf, ub_source="")
    frame = pd.concat([xcols.assign(kind="x"), short], ignore_index=True)
    order = [
        "kind",
        "buyer",
        "commodity",
        "supplier_id",
        "country",
        "relation",
        "price_usd_per_kg",
        "risk_score",
        "demand_t",
        "penalty_usd_per_kg",
        "capacity_t",
        "ub_t",
        "ub_source",
        "pair",
    ]
    return frame[order]


def base_cost(columns: pd.DataFrame) -> np.ndarray:
    """Price (x) or penalty (shortfall), USD per tonne; 0 for the binary y of a MILP."""
    kind = columns["kind"].to_numpy()
    per_kg = np.where(
        kind == "x",
        columns["price_usd_per_kg"].to_numpy(dtype=float),
        columns["penalty_usd_per_kg"].to_numpy(dtype=float),
    )
    return 1000.0 * np.where(kind == "y", 0.0, per_kg)


def risk_cost(columns: pd.DataFrame) -> np.ndarray:
    """Risk charge per unit of lambda, USD per tonne: 1000 * price * risk / 100."""
    price = columns["price_usd_per_kg"].fillna(0.0).to_numpy(dtype=float)
    risk = columns["risk_score"].fillna(0.0).to_numpy(dtype=float)
    return 1000.0 * price * risk / 100.0
