"""What binds a buyer beyond the market: export licences, offtake contracts and strategic stocks.

- **Licences** (``export_controls.csv`` ``approval_rate``): a control in force
  on an offer's country and commodity, for all destinations or the buyer's,
  lets the buyer receive at most ``approval_rate`` of the offer's capacity:
  ``x[b,o,t] <= g[b,o] K[o,t]`` (contract 5.2). Several controls: the lowest
  rate. No rate given: no limit (the control's severity still enters the
  risk score).
- **Offtakes** (``contracts.csv``): a buyer's contract with an offer is a lower
  bound on that buyer's purchases in each year it covers, never pooled away
  in joint mode. A contract the offer cannot deliver that year (a plant not
  yet running, a licence share) binds only up to what can be delivered; the
  rest is reported as not deliverable. Offtakes and stocks need a horizon:
  the one-period model (no ``horizon``) is the market as it stands and reads
  neither.
- **Stocks** (``stocks.csv`` and ``buyers.<B>.stock_target_days``): a stock
  column per need whose buyer and commodity have a stocks row, carried from
  year to year; a soft target of days of demand at each year's end (the
  configuration's ``stock_target_days``, else the table's ``target_days``).

Each function returns plain arrays aligned with the model's index tables.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from riskengine.config.schema import Config
from riskengine.data.dataset import Dataset

__all__ = ["STOCK_GAP_SHARE", "approval_share", "offtake_tonnes", "stock_table"]

#: Price of a kg below the stock target when none is configured: this share of V. A stock
#: exists to cover supply that is lost, so a kg missing from it is valued like lost supply;
#: a lower price lets the plan skip the target whenever buying for stock costs more.
STOCK_GAP_SHARE = 1.0


def _table(dataset: Dataset, name: str) -> pd.DataFrame | None:
    frame = getattr(dataset, name, None)
    return frame if isinstance(frame, pd.DataFrame) and len(frame) else None


def _in_force(controls: pd.DataFrame) -> pd.Series:
    if "in_force" not in controls.columns:
        return pd.Series(True, index=controls.index)
    return controls["in_force"].fillna(True).astype(bool)


def approval_share(dataset: Dataset, config: Config, x: pd.DataFrame) -> np.ndarray | None:
    """``g[b,o]`` per x variable (0-1), or None when no control gives an approval rate."""
    controls = dataset.export_controls
    if "approval_rate" not in controls.columns:
        return None
    rate = pd.to_numeric(controls["approval_rate"], errors="coerce")
    rows = controls[rate.notna() & _in_force(controls)].assign(rate=rate)
    if rows.empty:
        return None
    dest = rows["destination"].fillna("").astype(str) if "destination" in rows else ""
    rows = rows.assign(destination=dest)
    share = np.ones(len(x))
    names = {b: {b, *spec.home} for b, spec in config.buyers.items()}
    for r in rows.itertuples():
        hit = (x["country"] == r.country) & (x["commodity"] == r.commodity)
        if r.destination:
            hit &= x["buyer"].map(lambda b, d=r.destination: d in names.get(b, {b}))
        share = np.where(hit.to_numpy(), np.minimum(share, float(r.rate)), share)
    return share if (share < 1.0).any() else None


def offtake_tonnes(dataset: Dataset, x: pd.DataFrame) -> np.ndarray:
    """Contracted tonnes per x variable in its year (0 where none; rows add up)."""
    contracts = _table(dataset, "contracts")
    out = np.zeros(len(x))
    if contracts is None:
        return out
    year = x["year"].to_numpy()
    for r in contracts.itertuples():
        first = getattr(r, "from_year", np.nan)
        last = getattr(r, "to_year", np.nan)
        hit = (
            (x["buyer"] == str(r.buyer))
            & (x["supplier_id"] == str(r.supplier_id))
            & (x["commodity"] == str(r.commodity))
        ).to_numpy(copy=True)
        if len(year) and year[0] >= 0:  # a horizon: only the contract's years (empty = open)
            low = float(first) if pd.notna(first) else -np.inf
            high = float(last) if pd.notna(last) else np.inf
            hit &= (year >= low) & (year <= high)
        out = out + np.where(hit, float(r.tonnes_per_year), 0.0)
    return out


def stock_table(dataset: Dataset, config: Config, need: pd.DataFrame) -> pd.DataFrame:
    """One row per need holding a strategic stock, in need order.

    Columns: ``need, buyer, commodity, year, previous`` (the row of the same
    stock a year before, -1 for the first year), ``opening_t`` (the stock
    before the first year, on the first row only), ``max_t``,
    ``holding_usd_per_kg_year``, ``target_t`` (days of that year's demand,
    NaN without a target) and ``gap_usd_per_kg``.
    """
    stocks = _table(dataset, "stocks")
    columns = [
        "need",
        "buyer",
        "commodity",
        "year",
        "previous",
        "opening_t",
        "max_t",
        "holding_usd_per_kg_year",
        "target_t",
        "gap_usd_per_kg",
    ]
    if stocks is None:
        return pd.DataFrame(columns=columns)
    keys = ["buyer", "commodity"]
    spec = stocks.assign(**{k: stocks[k].astype(str) for k in keys}).drop_duplicates(keys)
    frame = need.merge(spec, on=keys, how="inner").sort_values("need", kind="stable")
    frame = frame.reset_index(drop=True)
    first = ~frame.duplicated(keys, keep="first")
    frame["previous"] = np.where(first, -1, np.arange(len(frame)) - 1)
    frame["opening_t"] = np.where(first, pd.to_numeric(frame["opening_t"]).fillna(0.0), 0.0)
    frame["max_t"] = pd.to_numeric(frame["max_t"], errors="coerce").fillna(np.inf)
    frame["holding_usd_per_kg_year"] = pd.to_numeric(
        frame.get("holding_usd_per_kg_year", 0.0), errors="coerce"
    ).fillna(0.0)
    configured = frame["buyer"].map(lambda b: config.buyers[b].stock_target_days)
    table_days = pd.to_numeric(frame.get("target_days", np.nan), errors="coerce")
    days = configured.astype(float).fillna(table_days)  # the configuration wins
    frame["target_t"] = days / 365.0 * frame["demand_t"]
    frame["gap_usd_per_kg"] = [
        _gap_price(config, b, c, v)
        for b, c, v in zip(
            frame["buyer"], frame["commodity"], frame["lost_value_usd_per_kg"], strict=True
        )
    ]
    return frame[columns]


def _gap_price(config: Config, buyer: str, commodity: str, value: float) -> float:
    price = config.buyers[buyer].stock_gap_usd_per_kg
    if price is None:
        return STOCK_GAP_SHARE * value
    if isinstance(price, float):
        return price
    return float(price.get(commodity, price.get("default", STOCK_GAP_SHARE * value)))
