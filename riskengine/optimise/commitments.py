"""What binds a buyer beyond the market: export licences, offtake contracts and strategic stocks.

- **Licences** (``export_controls.csv`` ``approval_rate``): a control in force
  on an offer's country and commodity, for all destinations or the buyer's,
  lets the buyer receive at most ``approval_rate`` of the offer's capacity:
  ``x[b,o,t] <= g[b,o] K[o,t]`` (contract 5.2). Several controls: the lowest
  rate. No rate given: no limit (the control's severity still enters the
  risk score).
- **Offtakes** (``contracts.csv``): a buyer's contract with an offer is a lower
  bound on that buyer's purchases in each year it covers, never pooled away
  in joint mode (``binding: minimum``; ``reserved`` capacity, which the
  buyer may leave, is not a lower bound). A contract the offer cannot deliver that year (a plant not
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

__all__ = [
    "STOCK_GAP_SHARE",
    "approval_share",
    "export_channels",
    "offtake_tonnes",
    "stock_table",
]

#: Price of a kg below the stock target when none is configured: this share of V. A stock
#: exists to cover supply that is lost, so a kg missing from it is valued almost like lost
#: supply: high enough that the plan holds the target whenever it can buy, below V so that
#: in a shortage the plan draws the stock rather than leave demand unmet.
STOCK_GAP_SHARE = 0.9


def _table(dataset: Dataset, name: str) -> pd.DataFrame | None:
    frame = getattr(dataset, name, None)
    return frame if isinstance(frame, pd.DataFrame) and len(frame) else None


def _in_force(controls: pd.DataFrame) -> pd.Series:
    if "in_force" not in controls.columns:
        return pd.Series(True, index=controls.index)
    return controls["in_force"].fillna(True).astype(bool)


def _buyer_names(config: Config) -> dict[str, set[str]]:
    return {b: {b, *spec.home} for b, spec in config.buyers.items()}


def approval_share(
    dataset: Dataset, config: Config, x: pd.DataFrame, channelled: np.ndarray | None = None
) -> np.ndarray | None:
    """``g[b,o]`` per x variable (0-1), or None when no control gives an approval rate.

    A control applies to offers of its country and commodity at its ``stage``
    (empty = every stage: a ban on exporting ore does not touch separated
    oxide), for every destination or the buyer's. x variables in an export
    channel (``channelled``) are limited by the channel's licensed flow
    instead, which already reflects the approvals.
    """
    controls = dataset.export_controls
    if "approval_rate" not in controls.columns:
        return None
    rate = pd.to_numeric(controls["approval_rate"], errors="coerce")
    rows = controls[rate.notna() & _in_force(controls)].assign(rate=rate)
    if rows.empty:
        return None
    text = {
        c: rows[c].fillna("").astype(str) if c in rows else "" for c in ("destination", "stage")
    }
    rows = rows.assign(**text)
    offer_stage = _offer_stage(dataset, x)
    share = np.ones(len(x))
    names = _buyer_names(config)
    for r in rows.itertuples():
        hit = ((x["country"] == r.country) & (x["commodity"] == r.commodity)).to_numpy(copy=True)
        if r.stage:
            hit &= offer_stage == r.stage
        if r.destination:
            hit &= x["buyer"].map(lambda b, d=r.destination: d in names.get(b, {b})).to_numpy()
        share = np.where(hit, np.minimum(share, float(r.rate)), share)
    if channelled is not None:
        share = np.where(channelled, 1.0, share)
    return share if (share < 1.0).any() else None


def _offer_stage(dataset: Dataset, x: pd.DataFrame) -> np.ndarray:
    sup = dataset.suppliers
    key = sup["supplier_id"].astype(str) + "\x1f" + sup["commodity"].astype(str)
    stage = pd.Series(sup["stage"].astype(str).to_numpy(), index=key.to_numpy())
    want = (x["supplier_id"].astype(str) + "\x1f" + x["commodity"].astype(str)).to_numpy()
    return np.asarray(stage.reindex(want).fillna("").to_numpy())


def export_channels(dataset: Dataset, config: Config, x: pd.DataFrame) -> pd.DataFrame:
    """Licensed export flows per buyer, exporter and commodity, and the price they carry.

    From ``export_flows.csv``: for each exporter, commodity and destination
    naming the buyer (or its home), the latest year with ``licensed`` true,
    summed over forms (oxide, and the element inside magnets), priced at the
    tonne-weighted price the destination pays. Columns: ``buyer, country,
    commodity, tonnes, price_usd_per_kg``; empty without the table. Every
    planning year gets the latest licensed flow ("licensing as today").
    """
    flows = _table(dataset, "export_flows")
    columns = ["buyer", "country", "commodity", "tonnes", "price_usd_per_kg"]
    if flows is None:
        return pd.DataFrame(columns=columns)
    licensed = flows["licensed"].astype(str).str.lower().isin(["true", "1", "yes"])
    flows = flows[licensed & flows["destination"].notna()]
    rows = []
    for buyer, names in _buyer_names(config).items():
        mine = flows[flows["destination"].astype(str).isin(names)]
        for (country, commodity), part in mine.groupby(["country", "commodity"]):
            latest = part[part["year"] == part["year"].max()]
            tonnes = float(latest["tonnes"].astype(float).sum())
            weight = latest["tonnes"].astype(float)
            price = (
                float((latest["price_usd_per_kg"].astype(float) * weight).sum() / tonnes)
                if (tonnes > 0)
                else float(latest["price_usd_per_kg"].astype(float).mean())
            )
            rows.append((buyer, str(country), str(commodity), tonnes, price))
    frame = pd.DataFrame(rows, columns=columns)
    present = set(zip(x["buyer"], x["country"], x["commodity"], strict=True))
    keep = [
        k in present for k in zip(frame["buyer"], frame["country"], frame["commodity"], strict=True)
    ]
    return frame[keep].reset_index(drop=True)


def offtake_tonnes(dataset: Dataset, x: pd.DataFrame) -> np.ndarray:
    """Contracted tonnes per x variable in its year (0 where none; rows add up)."""
    contracts = _table(dataset, "contracts")
    out = np.zeros(len(x))
    if contracts is None:
        return out
    year = x["year"].to_numpy()
    if "binding" in contracts.columns:  # "reserved" capacity: the buyer may take less
        kind = contracts["binding"].fillna("minimum").astype(str).str.strip().str.lower()
        contracts = contracts[kind.isin(["", "minimum"])]
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
    ``holding_usd_per_kg_year``, ``target_days`` (NaN without a target),
    ``target_t`` (those days of the year's direct demand; the element content
    of the products made joins in the LP row, so the target follows the
    variants the plan chooses) and ``gap_usd_per_kg``.
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
        "target_days",
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
    frame["target_days"] = days
    direct = frame["direct_t"] if "direct_t" in frame.columns else frame["demand_t"]
    frame["target_t"] = days / 365.0 * direct  # products' element use joins in the LP row
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
