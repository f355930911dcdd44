"""Demand for products (magnets, coatings...) turned into element demand, with thrifting.

A demand row may name a product of ``bom.csv`` (``product_t`` tonnes of
product) instead of a commodity. A product *family* is a base product and its
variants (``variant_of``): e.g. bulk-alloyed high-coercivity NdFeB and the same
grade made by grain-boundary diffusion of Dy or Tb, or heavy-rare-earth free.
The plan chooses how much of each family is made with each variant:

- ``z[b,v,t] >= 0`` tonnes of product made with variant *v*, and
  ``sum_v z[b,v,t] = P[b,family,t]`` (the product demand);
- each variant's share moves from its data-year share (``base_share``) by at
  most ``max_switch_share_per_year`` a year, up or down; the base product
  takes the rest;
- a variant costs ``premium_usd_per_t`` per tonne of product (money, reported
  as ``thrifting_usd``);
- the element demand of the need (b, c, t) gains ``sum_v kg_per_t[v,c] / 1000 x
  z[b,v,t]`` tonnes of oxide, so when an element is scarce the plan switches
  to the variants that use less of it before it leaves demand unmet.

Without product rows (or without ``bom.csv``) the model has no z columns.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from riskengine.data.dataset import Dataset
from riskengine.data.demand import product_shares

__all__ = ["DATA_YEAR", "products"]

#: The year the bill of materials' ``base_share`` describes (the 2025 mix).
DATA_YEAR = 2025


def _text(frame: pd.DataFrame, name: str) -> pd.Series:
    if name not in frame.columns:
        return pd.Series("", index=frame.index, dtype=object)
    return frame[name].astype(object).where(frame[name].notna(), "").astype(str).str.strip()


def products(dataset: Dataset, rows: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The z variables of the product rows of ``rows``, and their element contents.

    Parameters
    ----------
    dataset : Dataset
        Needs ``bom`` when ``rows`` has product rows.
    rows : DataFrame
        Demand rows by year (``buyer, product, product_t, year``).

    Returns
    -------
    (variants, contents) : DataFrames
        ``variants``: one row per (buyer, family, year, variant): ``buyer,
        family, variant, year, product_t`` (the family's demand), ``share_low,
        share_high, base_share, premium_usd_per_t`` and ``z`` (its index);
        ``contents``: ``z, commodity, t_per_t`` (tonnes of oxide per tonne of
        product). Both empty without product rows.
    """
    columns = [
        "buyer",
        "family",
        "variant",
        "year",
        "product_t",
        "share_low",
        "share_high",
        "base_share",
        "premium_usd_per_t",
        "z",
    ]
    product = _text(rows, "product")
    demand = rows[product != ""].assign(family=product[product != ""])
    bom = getattr(dataset, "bom", None)
    if demand.empty or bom is None:
        return pd.DataFrame(columns=columns), pd.DataFrame(columns=["z", "commodity", "t_per_t"])
    shares = product_shares(bom).rename(columns={"product": "variant", "share": "base_share"})
    info = bom.drop_duplicates("product").set_index("product")
    shares["premium_usd_per_t"] = pd.to_numeric(
        shares["variant"].map(info.get("premium_usd_per_t", pd.Series(dtype=float))),
        errors="coerce",
    ).fillna(0.0)
    shares["switch"] = pd.to_numeric(
        shares["variant"].map(info.get("max_switch_share_per_year", pd.Series(dtype=float))),
        errors="coerce",
    ).fillna(0.0)
    grid = demand[["buyer", "family", "year", "product_t"]].merge(shares, on="family")
    steps = (grid["year"].astype(float) - DATA_YEAR).clip(lower=1.0)
    base = grid["variant"] == grid["family"]
    move = grid["switch"] * steps
    grid["share_low"] = np.where(base, 0.0, (grid["base_share"] - move).clip(lower=0.0))
    grid["share_high"] = np.where(base, 1.0, (grid["base_share"] + move).clip(upper=1.0))
    grid = grid.sort_values(["buyer", "family", "year", "variant"], kind="stable")
    grid = grid.reset_index(drop=True)
    grid["z"] = np.arange(len(grid))
    contents = grid[["variant", "z"]].merge(
        bom[["product", "commodity", "kg_per_t"]].rename(columns={"product": "variant"}),
        on="variant",
    )
    contents["t_per_t"] = pd.to_numeric(contents["kg_per_t"], errors="coerce") / 1000.0
    return grid[columns], contents[["z", "commodity", "t_per_t"]]
