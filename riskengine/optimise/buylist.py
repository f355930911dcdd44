"""The plan as a purchase order: :func:`buy_list`, what each buyer is to buy from whom.

One row per buyer, supplier offer, commodity (and year with a planning
horizon): tonnes to buy, price, money paid, the offer's risk and yearly
disruption probability, where the material comes from (country and route)
and whether an offtake contract reserves it. Called "to buy" everywhere, never
"planned", which is a plant status in ``suppliers.csv``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

if TYPE_CHECKING:
    from riskengine.data.dataset import Dataset
    from riskengine.optimise.result import OptimisationResult

__all__ = ["BUY_LIST_COLUMNS", "BUY_LIST_HEADERS", "buy_list", "buy_list_text"]

#: Columns of :func:`buy_list`, in order (``name`` only with a dataset, ``year`` with a horizon).
BUY_LIST_COLUMNS = [
    "buyer",
    "supplier_id",
    "name",
    "commodity",
    "year",
    "tonnes",
    "price_usd_per_kg",
    "purchase_usd",
    "risk_score",
    "disruption_probability",
    "country",
    "route",
    "terms",
]
#: Column -> header an analyst reads (text, HTML, xlsx).
BUY_LIST_HEADERS = {
    "buyer": "buyer",
    "supplier_id": "offer",
    "name": "supplier",
    "commodity": "commodity",
    "year": "year",
    "tonnes": "to buy t",
    "price_usd_per_kg": "USD/kg",
    "purchase_usd": "USD",
    "risk_score": "risk score",
    "disruption_probability": "disruption probability",
    "country": "country",
    "route": "route (stage:country)",
    "terms": "offtake or spot",
}
#: Tonnes of an offtake within this of the purchase count as all offtake.
_TOL_T = 1e-6


def _terms(offtake_t: pd.Series, tonnes: pd.Series) -> np.ndarray:
    """``offtake`` (the contract covers it), ``offtake + spot`` or ``spot``, per row."""
    off = offtake_t.fillna(0.0).to_numpy(dtype=float)
    t = tonnes.to_numpy(dtype=float)
    return np.where(off <= _TOL_T, "spot", np.where(off >= t - _TOL_T, "offtake", "offtake + spot"))


def buy_list(result: OptimisationResult, dataset: Dataset | None = None) -> pd.DataFrame:
    """The plan's purchases to make: per buyer, offer, commodity (and year), what to buy.

    Parameters
    ----------
    result : OptimisationResult
        An optimised plan (:func:`riskengine.optimise`), or one year of it
        (``result.for_year(year)``).
    dataset : Dataset, optional
        The tables the plan was made from; adds each supplier's ``name``.

    Returns
    -------
    DataFrame
        Columns :data:`BUY_LIST_COLUMNS`: ``tonnes`` to buy a year, ``price_usd_per_kg``
        (USD/kg), ``purchase_usd`` (USD paid, tonnes x 1,000 x price),
        ``risk_score`` (0-100, higher is riskier), ``disruption_probability``
        (0-1, a year), ``country`` (the seller's), ``route`` (each processing
        stage's country, ``mining:BR;separation:CN``; the seller's country when
        ``suppliers.csv`` gives no route) and ``terms``: ``offtake`` when a minimum
        offtake contract of the buyer (``contracts.csv``, ``binding: minimum``)
        covers the tonnes, ``spot`` when none does, ``offtake + spot`` for both. ``name`` only with ``dataset``,
        ``year`` only with a planning horizon. Sorted by buyer, commodity,
        year, then USD, largest first. Its tonnes add up to what the plan buys
        (``result.shortfalls["bought_t"]``).

    Examples
    --------
    >>> import riskengine
    >>> data = riskengine.load_dataset()
    >>> result = riskengine.optimise(data, riskengine.Config())
    >>> orders = riskengine.buy_list(result.for_year(2026), data)
    >>> orders.columns.tolist()[:6]
    ['buyer', 'supplier_id', 'name', 'commodity', 'year', 'tonnes']
    """
    alloc = result.allocations
    frame = alloc.assign(
        route=_route(alloc),
        terms=_terms(alloc.get("offtake_t", pd.Series(0.0, index=alloc.index)), alloc["tonnes"]),
    )
    if dataset is not None:
        names = dataset.suppliers[["supplier_id", "commodity", "name"]].drop_duplicates(
            ["supplier_id", "commodity"]
        )
        frame = frame.merge(names, on=["supplier_id", "commodity"], how="left")
    columns = [c for c in BUY_LIST_COLUMNS if c in frame.columns]
    keys = [c for c in ("buyer", "commodity", "year") if c in frame.columns]
    frame = frame.sort_values(
        [*keys, "purchase_usd", "supplier_id"],
        ascending=[True] * len(keys) + [False, True],
        kind="stable",
    )
    return frame[columns].reset_index(drop=True)


def _route(alloc: pd.DataFrame) -> pd.Series:
    """The allocation's route, or the seller's country where it has none."""
    if "route" not in alloc.columns:
        return alloc["country"].astype(str)
    route = alloc["route"].fillna("").astype(str)
    return route.where(route != "", alloc["country"].astype(str))


def buy_list_text(orders: pd.DataFrame, limit: int | None = None) -> str:
    """A buy list as aligned plain text, one line per order, with a total per buyer.

    The ``year`` column is left out when the rows are of one year, and the
    supplier's name always (the offer id names it).

    Parameters
    ----------
    orders : DataFrame
        :func:`buy_list` output (any subset of its rows).
    limit : int, optional
        Show at most this many orders per buyer (the totals still count them all).
    """
    if orders.empty:
        return "(nothing to buy)"
    shown = orders.groupby("buyer", sort=False).head(limit) if limit else orders
    one_year = "year" in shown.columns and shown["year"].nunique() <= 1
    skip = {"name", "year"} if one_year else {"name"}
    columns = [c for c in BUY_LIST_COLUMNS if c in shown.columns and c not in skip]
    text = shown[columns].assign(
        tonnes=shown["tonnes"].map(lambda v: f"{v:,.1f}"),
        price_usd_per_kg=shown["price_usd_per_kg"].map(lambda v: f"{v:,.2f}"),
        purchase_usd=shown["purchase_usd"].map(lambda v: f"{v:,.0f}"),
        risk_score=shown["risk_score"].map(lambda v: f"{v:.1f}"),
        disruption_probability=shown["disruption_probability"].map(lambda v: f"{v:.1%}"),
    )
    headers = BUY_LIST_HEADERS | {"disruption_probability": "disruption p", "route": "route"}
    text = text.rename(columns=headers).astype(str)
    lines = [text.to_string(index=False)]
    for buyer, part in orders.groupby("buyer", sort=True):
        hidden = len(part) - len(shown[shown["buyer"] == buyer])
        more = f" ({hidden} smaller orders not shown)" if hidden else ""
        lines.append(
            f"{buyer}: {len(part)} orders, {part['tonnes'].sum():,.1f} t to buy, "
            f"USD {part['purchase_usd'].sum():,.0f}{more}"
        )
    return "\n".join(lines)
