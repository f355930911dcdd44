"""Checks across tables for the version-2 columns and tables (contract section 2).

Each check returns :class:`~riskengine.exceptions.InputIssue` rows naming file,
line, column and value, and saying what would be valid; the loader raises them
all together (exit code 2 on the command line).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd

from riskengine.data.readers import RawTable
from riskengine.data.routes import RouteError, parse_route
from riskengine.exceptions import InputIssue

__all__ = ["plan_problems"]

_Tables = dict[str, pd.DataFrame]
_Raws = dict[str, RawTable]
#: Columns of bom.csv that describe a product and must agree on all its rows.
_PRODUCT_COLUMNS = ("variant_of", "base_share", "premium_usd_per_t", "max_switch_share_per_year")


def _text(frame: pd.DataFrame, name: str) -> pd.Series:
    if name not in frame.columns:
        return pd.Series("", index=frame.index, dtype=object)
    values = frame[name]
    text = values.astype(object).where(values.notna(), "").astype(str).str.strip()
    return text.replace({"nan": "", "<NA>": ""})


def _numbers(frame: pd.DataFrame, name: str) -> pd.Series:
    if name not in frame.columns:
        return pd.Series(np.nan, index=frame.index)
    return pd.to_numeric(frame[name], errors="coerce").astype(float)


def _problem(
    raw: RawTable, row: int, column: str | None, value: object, message: str
) -> InputIssue:
    shown = None if value is None or str(value) in ("", "nan", "<NA>") else str(value)
    return InputIssue(raw.source, raw.lines[row], column, shown, message)


def _route_problems(tables: _Tables, raws: _Raws) -> list[InputIssue]:
    suppliers, raw = tables.get("suppliers"), raws.get("suppliers")
    countries = tables.get("countries")
    if suppliers is None or raw is None or "route" not in suppliers.columns:
        return []
    codes = set(countries["country"].astype(str)) if countries is not None else None
    problems = []
    for row, text in enumerate(_text(suppliers, "route")):
        try:
            parse_route(text, codes)
        except RouteError as exc:
            problems.append(_problem(raw, row, "route", text, str(exc)))
    return problems


def _offer_keys(tables: _Tables) -> set[tuple[str, str]]:
    suppliers = tables.get("suppliers")
    if suppliers is None:
        return set()
    return set(
        zip(suppliers["supplier_id"].astype(str), suppliers["commodity"].astype(str), strict=True)
    )


def _contract_problems(tables: _Tables, raws: _Raws) -> list[InputIssue]:
    contracts, raw = tables.get("contracts"), raws.get("contracts")
    suppliers = tables.get("suppliers")
    if contracts is None or raw is None or suppliers is None:
        return []
    offers = _offer_keys(tables)
    problems = []
    ids = contracts["supplier_id"].astype(str)
    goods = contracts["commodity"].astype(str)
    for row, (sid, good) in enumerate(zip(ids, goods, strict=True)):
        if (sid, good) not in offers:
            known = sorted(s for s, c in offers if c == good)
            problems.append(
                _problem(
                    raw,
                    row,
                    "supplier_id",
                    sid,
                    f"no offer ({sid}, {good}) in suppliers.csv; a contract names an offer's "
                    f"supplier_id and commodity, e.g. one of: {', '.join(known[:8]) or 'none'}",
                )
            )
    start, end = _numbers(contracts, "from_year"), _numbers(contracts, "to_year")
    for late in np.flatnonzero((end < start).to_numpy(bool)):
        row = int(late)
        problems.append(
            _problem(
                raw,
                row,
                "to_year",
                f"{end.iloc[row]:g}",
                f"is before from_year {start.iloc[row]:g}; expected a year >= from_year, "
                "or empty for an open-ended contract",
            )
        )
    return problems


def _capacity_problems(tables: _Tables, raws: _Raws) -> list[InputIssue]:
    contracts, raw = tables.get("contracts"), raws.get("contracts")
    suppliers = tables.get("suppliers")
    if contracts is None or raw is None or suppliers is None:
        return []
    return _contract_capacity_problems(contracts, raw, suppliers)


def _contract_capacity_problems(
    contracts: pd.DataFrame, raw: RawTable, suppliers: pd.DataFrame
) -> list[InputIssue]:
    """Contracts on one offer may not add up to more than its capacity in any year."""
    capacity = {
        (str(s), str(c)): float(k)
        for s, c, k in zip(
            suppliers["supplier_id"], suppliers["commodity"], suppliers["capacity_t"], strict=True
        )
    }
    start = _numbers(contracts, "from_year")
    end = _numbers(contracts, "to_year").fillna(np.inf)
    tonnes = _numbers(contracts, "tonnes_per_year").fillna(0.0)
    keys = list(
        zip(contracts["supplier_id"].astype(str), contracts["commodity"].astype(str), strict=True)
    )
    problems = []
    for row, key in enumerate(keys):
        if key not in capacity or np.isnan(start.iloc[row]):
            continue
        year = start.iloc[row]
        active = [
            i for i, k in enumerate(keys) if k == key and start.iloc[i] <= year <= end.iloc[i]
        ]
        total = float(tonnes.iloc[active].sum())
        if total > capacity[key] + 1e-9 and row == max(active):
            problems.append(
                _problem(
                    raw,
                    row,
                    "tonnes_per_year",
                    f"{tonnes.iloc[row]:g}",
                    f"contracts on ({key[0]}, {key[1]}) add up to {total:g} t in {year:g}, more "
                    f"than its capacity_t {capacity[key]:g} in suppliers.csv; lower the "
                    "tonnes or raise the capacity",
                )
            )
    return problems


def _bom_products(tables: _Tables) -> tuple[set[str], set[str]]:
    """All products of bom.csv, and the base products (variant_of empty)."""
    bom = tables.get("bom")
    if bom is None:
        return set(), set()
    products = set(bom["product"].astype(str))
    bases = set(bom.loc[_text(bom, "variant_of") == "", "product"].astype(str))
    return products, bases


def _demand_product_problems(tables: _Tables, raws: _Raws) -> list[InputIssue]:
    products, bases = _bom_products(tables)
    problems = []
    for name in ("demand", "demand_outlook"):
        frame, raw = tables.get(name), raws.get(name)
        if frame is None or raw is None or "product" not in frame.columns:
            continue
        for row, product in enumerate(_text(frame, "product")):
            if not product or product in bases:
                continue
            if product in products:
                message = "is a variant in bom.csv; a demand row names the base product"
            elif "bom" not in tables:
                message = "names a product but the data has no bom.csv; add bom.csv"
            else:
                message = (
                    f"is not a product of bom.csv; base products are {', '.join(sorted(bases))}"
                )
            problems.append(_problem(raw, row, "product", product, message))
    return problems


def _bom_problems(tables: _Tables, raws: _Raws) -> list[InputIssue]:
    bom, raw = tables.get("bom"), raws.get("bom")
    if bom is None or raw is None:
        return []
    products, bases = _bom_products(tables)
    problems = []
    variant_of = _text(bom, "variant_of")
    for row, base in enumerate(variant_of):
        if base and base not in bases:
            what = "is itself a variant" if base in products else "is not a product of bom.csv"
            problems.append(_problem(raw, row, "variant_of", base, f"{what}; name a base product"))
    for column in _PRODUCT_COLUMNS:
        if column not in bom.columns:
            continue
        values = _text(bom, column)
        for product, group in values.groupby(bom["product"].astype(str)):
            if group.nunique() > 1:
                row = int(group.index[-1])
                problems.append(
                    _problem(
                        raw,
                        row,
                        column,
                        values.iloc[row],
                        f"differs between the rows of product {product}; give one value",
                    )
                )
    return problems + _share_problems(bom, raw)


def _share_problems(bom: pd.DataFrame, raw: RawTable) -> list[InputIssue]:
    """The base_share of a base product and its variants sum to 1 when given."""
    if "base_share" not in bom.columns:
        return []
    first = bom.drop_duplicates("product")
    family = _text(first, "variant_of").where(
        _text(first, "variant_of") != "", first["product"].astype(str)
    )
    shares = pd.to_numeric(first["base_share"], errors="coerce")
    problems = []
    for base, group in shares.groupby(family):
        if group.isna().all():
            continue
        total = float(group.fillna(0.0).sum())
        if abs(total - 1.0) > 1e-3:
            row = int(group.index[-1])
            problems.append(
                _problem(
                    raw,
                    row,
                    "base_share",
                    _text(first, "base_share").loc[row],
                    f"the shares of {base} and its variants add up to {total:g}; they must "
                    "add up to 1",
                )
            )
    return problems


def _stock_problems(tables: _Tables, raws: _Raws) -> list[InputIssue]:
    stocks, raw = tables.get("stocks"), raws.get("stocks")
    if stocks is None or raw is None:
        return []
    opening, most = _numbers(stocks, "opening_t"), _numbers(stocks, "max_t")
    return [
        _problem(
            raw,
            int(row),
            "opening_t",
            f"{opening.iloc[row]:g}",
            f"is above max_t {most.iloc[row]:g}; expected an opening stock <= max_t",
        )
        for row in np.flatnonzero((opening > most).to_numpy(bool))
    ]


def _flow_problems(tables: _Tables, raws: _Raws) -> list[InputIssue]:
    flows, raw = tables.get("export_flows"), raws.get("export_flows")
    countries = tables.get("countries")
    if flows is None or raw is None or countries is None:
        return []
    codes = set(countries["country"].astype(str))
    blocs = set(countries["bloc"].fillna("").astype(str)) - {""}
    problems = []
    for row, dest in enumerate(_text(flows, "destination")):
        if dest and dest not in codes | blocs:
            problems.append(
                _problem(
                    raw,
                    row,
                    "destination",
                    dest,
                    "unknown destination; use a country code or bloc from countries.csv, or "
                    "leave empty for all destinations",
                )
            )
    if "product_tonnes" in flows.columns:
        stray = (_text(flows, "product_tonnes") != "") & (_text(flows, "form") != "magnet")
        for found in np.flatnonzero(stray.to_numpy(bool)):
            row = int(found)
            problems.append(
                _problem(
                    raw,
                    row,
                    "product_tonnes",
                    _text(flows, "product_tonnes").iloc[row],
                    "is set on an oxide row; product_tonnes belongs to magnet rows",
                )
            )
    return problems


_CHECKS: tuple[Callable[[_Tables, _Raws], list[InputIssue]], ...] = (
    _route_problems,
    _contract_problems,
    _capacity_problems,
    _bom_problems,
    _demand_product_problems,
    _stock_problems,
    _flow_problems,
)


def plan_problems(
    tables: _Tables, raws: _Raws, *, contract_capacity: bool = True
) -> list[InputIssue]:
    """Every cross-table problem of the version-2 columns and tables, in a fixed order.

    ``contract_capacity=False`` leaves out contracts above their offer's capacity:
    tables derived in memory (a scenario's outage) may hold them on purpose.
    """
    checks = [c for c in _CHECKS if contract_capacity or c is not _capacity_problems]
    return [p for check in checks for p in check(tables, raws)]
