"""Demand rows by year and by product (version 2), and element demand from ``bom.csv``.

A demand row names either a commodity (``demand_t``, oxide tonnes) or a product
of ``bom.csv`` (``product_t``, tonnes of product); a ``year`` makes it the demand
of that year, and rows without a year apply to every year. ``demand.csv`` is the
one-year view the version-1 model reads; ``demand_outlook.csv`` (same columns)
holds the planning horizon. :func:`demand_by_year` resolves both into one row per
buyer, commodity or product, and year; :func:`element_demand` turns product rows
into element tonnes through the bill of materials.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace

import numpy as np
import pandas as pd

from riskengine.data.readers import RawTable
from riskengine.data.schema_plan import DEMAND_OUTLOOK_TABLE
from riskengine.data.validate import parse_table
from riskengine.exceptions import InputIssue

__all__ = ["demand_by_year", "element_demand", "parse_demand", "product_shares"]

_RELAXED = ("commodity", "demand_t")


def _text(frame: pd.DataFrame, name: str) -> pd.Series:
    if name not in frame.columns:
        return pd.Series("", index=frame.index, dtype=object)
    values = frame[name]
    text = values.astype(object).where(values.notna(), "").astype(str).str.strip()
    return text.replace({"nan": "", "<NA>": ""})


def _row_problems(frame: pd.DataFrame, raw: RawTable) -> list[InputIssue]:
    """A row names a commodity (with demand_t) or a product (with product_t), not both."""
    product, commodity = _text(frame, "product"), _text(frame, "commodity")
    demand = _text(raw.frame, "demand_t")  # as written: a bad number is reported once, not as empty
    amount = _text(raw.frame, "product_t")
    checks = (
        (
            (product == "") & (commodity == ""),
            "commodity",
            "is empty; expected a commodity id, or a product of bom.csv in column product",
        ),
        (
            (product == "") & (commodity != "") & (demand == ""),
            "demand_t",
            "is empty; expected a number >= 0 t/yr (oxide equivalent)",
        ),
        (
            (product != "") & (commodity != ""),
            "commodity",
            "is set on a product row; a row names a commodity or a product, not both",
        ),
        (
            (product != "") & (demand != ""),
            "demand_t",
            "is set on a product row; give the product's tonnes in product_t",
        ),
        (
            (product != "") & (amount == ""),
            "product_t",
            "is empty on a product row; expected tonnes of product a year (a number >= 0)",
        ),
    )
    problems = []
    for mask, column, message in checks:
        values = _text(frame, column)
        for row in np.flatnonzero(mask.to_numpy(bool)):
            problems.append(
                InputIssue(raw.source, raw.lines[row], column, values.iloc[row] or None, message)
            )
    return problems


def parse_demand(
    raw: RawTable, name: str = "demand"
) -> tuple[pd.DataFrame | None, list[InputIssue]]:
    """Parse ``demand.csv`` or ``demand_outlook.csv``: types, key, and the row rules.

    ``commodity`` and ``demand_t`` must be columns of the file but may be empty on
    product rows. Absent optional columns are not added (the version-1 view stays
    as it was).
    """
    from riskengine.data.schema import DEMAND_TABLE

    strict = DEMAND_TABLE if name == "demand" else DEMAND_OUTLOOK_TABLE
    relaxed = replace(
        strict,
        columns=tuple(
            replace(c, required=False) if c.name in _RELAXED else c for c in strict.columns
        ),
    )
    frame, problems = parse_table(relaxed, raw)
    if frame is None:
        return None, problems
    missing = [c for c in _RELAXED if c not in raw.header]
    for column in missing:
        problems.append(
            InputIssue(
                raw.source,
                1,
                None,
                None,
                f"missing required column {column!r}; required columns are: "
                "buyer, commodity, demand_t",
            )
        )
    if missing:
        return None, problems
    return frame, problems + _row_problems(frame, raw)


def product_shares(bom: pd.DataFrame) -> pd.DataFrame:
    """Each product's family and its share of the family's volume in the data year.

    Columns ``product, family, share``: ``family`` is the base product (the product
    itself when ``variant_of`` is empty); ``share`` is ``base_share``, or 1 for a base
    product without variants whose ``base_share`` is empty.
    """
    products = bom.drop_duplicates("product").copy()
    family = _text(products, "variant_of")
    products["family"] = family.where(family != "", products["product"].astype(str))
    if "base_share" in products.columns:
        share = pd.to_numeric(products["base_share"], errors="coerce")
    else:
        share = pd.Series(np.nan, index=products.index)
    has_variants = products["family"].map(products["family"].value_counts()) > 1
    products["share"] = share.where(share.notna(), np.where(has_variants, 0.0, 1.0))
    return products[["product", "family", "share"]].reset_index(drop=True)


def element_demand(demand: pd.DataFrame, bom: pd.DataFrame) -> pd.DataFrame:
    """Element tonnes of every demand row, product rows split by the data-year shares.

    Returns ``buyer, commodity, year, demand_t`` (``year`` NaN for undated rows),
    summed over the rows' sources: commodity rows as given, plus, for each product
    row, ``product_t x share x kg_per_t / 1000`` over the product's family (its
    base product and variants, at :func:`product_shares`).
    """
    year = demand["year"] if "year" in demand.columns else pd.Series(np.nan, index=demand.index)
    product = _text(demand, "product")
    direct = demand.loc[product == "", ["buyer", "commodity", "demand_t"]].assign(
        year=year[product == ""]
    )
    rows = demand.loc[product != ""].assign(product=product[product != ""], year=year)
    if not len(rows):
        parts = [direct]
    else:
        shares = product_shares(bom)
        mix = rows[["buyer", "product", "product_t", "year"]].merge(
            shares.rename(columns={"product": "variant", "family": "product"}), on="product"
        )
        mix = mix.merge(
            bom[["product", "commodity", "kg_per_t"]].rename(columns={"product": "variant"}),
            on="variant",
        )
        mix["demand_t"] = (
            mix["product_t"].astype(float) * mix["share"] * mix["kg_per_t"].astype(float) / 1000
        )
        parts = [direct, mix[["buyer", "commodity", "demand_t", "year"]]]
    out = pd.concat(parts, ignore_index=True)
    out["demand_t"] = out["demand_t"].astype(float)
    out["year"] = pd.to_numeric(out["year"], errors="coerce")
    keys = ["buyer", "commodity", "year"]
    return out.groupby(keys, dropna=False, sort=True)["demand_t"].sum().reset_index()


def demand_by_year(
    demand: pd.DataFrame, years: Iterable[int], outlook: pd.DataFrame | None = None
) -> pd.DataFrame:
    """Demand rows for each planning year: dated rows of that year, else undated ones.

    Parameters
    ----------
    demand : DataFrame
        ``demand.csv`` (rows with or without ``year``, commodity or product rows).
    years : iterable of int
        The planning years.
    outlook : DataFrame, optional
        ``demand_outlook.csv``; for the years it covers it replaces ``demand`` whole.

    Returns
    -------
    DataFrame
        The input columns with ``year`` set, one row per buyer, commodity or product
        and year. For a buyer and year, a dated row of a commodity or product replaces
        the undated row of the same commodity or product.
    """
    frames = []
    covered = set()
    if outlook is not None and "year" in outlook.columns:
        covered = set(pd.to_numeric(outlook["year"], errors="coerce").dropna().astype(int))
    for year in years:
        source = outlook if outlook is not None and year in covered else demand
        dated = (
            pd.to_numeric(source["year"], errors="coerce")
            if "year" in source.columns
            else pd.Series(np.nan, index=source.index)
        )
        this = source[dated == year]
        undated = source[dated.isna()]
        item = _text(undated, "commodity") + "|" + _text(undated, "product")
        have = set(
            zip(this["buyer"], _text(this, "commodity") + "|" + _text(this, "product"), strict=True)
        )
        keep = [(b, i) not in have for b, i in zip(undated["buyer"], item, strict=True)]
        frames.append(pd.concat([this, undated[keep]]).assign(year=year))
    return pd.concat(frames, ignore_index=True)
