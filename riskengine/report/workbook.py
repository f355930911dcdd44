"""The sheets of ``tables.xlsx``: the buy list first, then Summary, Assumptions and Units.

After these four come the report's tables (``tables/*.csv``), one sheet each,
in the same order. Headers are readable (``purchase cost (USD)``, not
``purchase_cost_usd``); the CSV files keep the column names.
"""

from __future__ import annotations

import json
from enum import Enum
from pathlib import PurePath
from typing import Any

import pandas as pd
from pydantic import BaseModel

from riskengine.optimise.buylist import BUY_LIST_HEADERS
from riskengine.report.buylist import answers
from riskengine.report.model import ReportData
from riskengine.report.tables import TABLE_TITLES

__all__ = ["UNITS", "assumptions_table", "summary_table", "units_table", "workbook_sheets"]

#: Sheet name of the buy list, the workbook's first sheet.
BUY_SHEET = "To buy"
#: How a column's name gives its unit (every table, CSV and xlsx).
UNITS: list[tuple[str, str]] = [
    ("..._t, tonnes", "tonnes a year of oxide equivalent (t)"),
    ("..._usd", "US dollars (USD), a year unless the table says over the horizon"),
    ("..._usd_per_kg", "US dollars per kg (USD/kg)"),
    ("..._usd_per_t", "US dollars per tonne (USD/t)"),
    ("...share..., disruption_probability", "fraction 0-1, shown as a percentage"),
    ("risk_score, contributions", "points 0-100, higher is riskier"),
    ("sr_...", "EU JRC supply risk (index, higher is riskier)"),
    ("hhi...", "Herfindahl-Hirschman index of concentration, 0-1"),
    ("..._days", "days of the year's demand"),
    ("year", "calendar year of the plan"),
    ("(model)", "a model figure (risk charge, lost supply, violations), not money paid"),
]


def _row(item: str, value: object, unit: str = "") -> dict[str, object]:
    return {"item": item, "value": value, "unit": unit}


def summary_table(data: ReportData) -> pd.DataFrame:
    """The headline figures, one per row (``item``, ``value``, ``unit``), then the answers."""
    res, plan = data.result, data.horizon
    when = f" {plan.years[0]}" if plan is not None else ""
    rows = [
        _row("configuration", data.config.name),
        _row("data vintage", data.dataset.vintage),
        _row("plan status", res.status.value),
        _row("buying", res.mode.value),
        _row("risk aversion (lambda)", res.risk_aversion),
        _row(f"purchase cost{when}", res.purchase_cost_usd, "USD"),
        _row(f"demand{when}", float(res.shortfalls["demand_t"].sum()), "t"),
        _row(f"to buy{when}", float(res.allocations["tonnes"].sum()), "t"),
        _row(f"shortfall{when}", res.shortfall_t, "t"),
        _row(f"disruption loss to expect{when} (model)", res.expected_loss_usd, "USD"),
        _row(f"model cost{when} (model)", res.objective_usd, "USD"),
    ]
    for buyer, usd in res.allocations.groupby("buyer", sort=True)["purchase_usd"].sum().items():
        rows.append(_row(f"purchase cost{when}, {buyer}", float(usd), "USD"))
    if plan is not None:
        span = f"{plan.years[0]}-{plan.years[-1]}"
        rows.append(_row(f"purchase cost {span}", plan.purchase_cost_usd, "USD"))
        rows.append(_row(f"shortfall {span}", plan.shortfall_t, "t"))
    rows += [_row("answer", text) for text in answers(data)]
    return pd.DataFrame(rows, columns=["item", "value", "unit"])


def _flatten(model: BaseModel, prefix: str = "") -> list[dict[str, object]]:
    rows: list[dict[str, object]] = []
    for name, field in type(model).model_fields.items():
        value = getattr(model, name)
        key = f"{prefix}{name}"
        if isinstance(value, BaseModel):
            rows += _flatten(value, f"{key}.")
        elif (
            isinstance(value, dict)
            and value
            and all(isinstance(v, BaseModel) for v in value.values())
        ):
            for sub, item in sorted(value.items()):
                rows += _flatten(item, f"{key}.{sub}.")
        else:
            rows.append({"setting": key, "value": _plain(value), "meaning": field.description})
    return rows


def _plain(value: Any) -> object:
    """A cell value: numbers and text as they are, anything else as compact JSON."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, Enum):
        return str(value.value)
    if isinstance(value, PurePath):
        return str(value)
    return json.dumps(_jsonable(value), ensure_ascii=False, sort_keys=True, default=str)


def _jsonable(value: Any) -> Any:
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json")
    if isinstance(value, list | tuple | set | frozenset):
        return [_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, Enum):
        return value.value
    return value


def assumptions_table(data: ReportData) -> pd.DataFrame:
    """Every setting of the configuration as resolved: ``setting``, ``value``, ``meaning``."""
    return pd.DataFrame(_flatten(data.config), columns=["setting", "value", "meaning"])


def units_table(tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """What the columns' names mean, then every sheet with its title."""
    rows = [{"name": name, "meaning": meaning} for name, meaning in UNITS]
    rows += [
        {"name": f"sheet {stem}", "meaning": TABLE_TITLES.get(stem, stem.replace("_", " "))}
        for stem in tables
        if stem != "buy_list"
    ]
    return pd.DataFrame(rows, columns=["name", "meaning"])


def workbook_sheets(
    data: ReportData, tables: dict[str, pd.DataFrame]
) -> tuple[dict[str, pd.DataFrame], dict[str, dict[str, str]]]:
    """Sheet name -> table in workbook order, and per sheet the headers that are not
    :func:`riskengine.report.xlsx.header_label` of the column."""
    front = {
        BUY_SHEET: tables["buy_list"],
        "Summary": summary_table(data),
        "Assumptions": assumptions_table(data),
        "Units": units_table(tables),
    }
    rest = {k: v for k, v in tables.items() if k != "buy_list"}
    return front | rest, {BUY_SHEET: dict(BUY_LIST_HEADERS)}
