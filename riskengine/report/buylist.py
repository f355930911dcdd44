"""The report's first section: what to buy from whom, then the answers in one screen.

The buy list (:func:`riskengine.buy_list`) of the plan's first year, the
purchases to make now, leads ``report.html``; ``tables/buy_list.csv`` and the
first sheet of ``tables.xlsx`` hold every planning year. Below the list, four
answers: what is short, what fails the CRMA 65% test, what the plan costs and
what risk remains.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

from riskengine._render import render
from riskengine.enums import OptimiserModel
from riskengine.formatting import money
from riskengine.optimise.buylist import BUY_LIST_HEADERS, buy_list
from riskengine.report.html import Column, fmt_num, fmt_pct, fmt_t, fmt_usd, table_html
from riskengine.report.model import ReportData

if TYPE_CHECKING:
    from markupsafe import Markup

    from riskengine.scenarios.stochastic_result import StochasticResult

__all__ = ["answers", "buy_section", "buy_tables", "two_stage_answers", "two_stage_section"]

#: Tonnes below this count as zero.
_TOL_T = 1e-6


def buy_tables(data: ReportData) -> dict[str, pd.DataFrame]:
    """``{"buy_list": ...}``: the buy list of every planning year (the first without a horizon)."""
    return {"buy_list": buy_list(data.horizon or data.result, data.dataset)}


def _first_year(data: ReportData, orders: pd.DataFrame) -> pd.DataFrame:
    if "year" not in orders.columns or data.horizon is None:
        return orders
    return orders[orders["year"] == data.horizon.years[0]].reset_index(drop=True)


def _when(data: ReportData) -> str:
    return f" in {data.horizon.years[0]}" if data.horizon is not None else ""


def _short(data: ReportData) -> str:
    s = data.result.shortfalls
    gaps = s[s["shortfall_t"] > _TOL_T]
    if gaps.empty:
        return f"Short{_when(data)}: nothing; every buyer's demand is met."
    parts = [
        f"{r['buyer']} {r['commodity']} {r['shortfall_t']:,.1f} t "
        f"({r['shortfall_t'] / r['demand_t']:.0%} of demand)"
        for r in gaps.sort_values(["buyer", "commodity"], kind="stable").to_dict("records")
    ]
    total = float(gaps["shortfall_t"].sum())
    return f"Short{_when(data)}: {total:,.1f} t in all: " + "; ".join(parts) + "."


def _range(shares: pd.Series) -> str:
    low, high = float(shares.min()), float(shares.max())
    return f"{low:.0%}" if round(low, 2) == round(high, 2) else f"{low:.0%}-{high:.0%}"


def _benchmark(data: ReportData) -> str:
    m = data.result.metrics
    bad = m[m["crma_compliant"].eq(False)].sort_values(["buyer", "commodity"], kind="stable")
    if bad.empty:
        return (
            f"CRMA 65% test{_when(data)}: every buyer meets it for every commodity it buys "
            "(no country outside its home supplies more than 65% of its purchases at any stage)."
        )
    parts = []
    for (buyer, country), part in bad.groupby(["buyer", "top_foreign_country"], sort=True):
        of = int((m["buyer"] == buyer).sum())
        parts.append(
            f"{buyer} {len(part)} of {of} commodities ({', '.join(part['commodity'])}: "
            f"{country} {_range(part['top_foreign_share'])} of purchases)"
        )
    return (
        f"Fails the CRMA 65% test{_when(data)} (one country outside the buyer's home "
        "above 65% of its purchases at some stage): " + "; ".join(parts) + "."
    )


def _cost(data: ReportData) -> str:
    res = data.result
    bought = float(res.allocations["tonnes"].sum())
    parts = [f"purchase cost {money(res.purchase_cost_usd)} for {bought:,.1f} t"]
    if bought > 0:
        parts[0] += f", USD {res.purchase_cost_usd / bought / 1000:,.2f}/kg on average"
    per = res.allocations.groupby("buyer", sort=True)["purchase_usd"].sum()
    if len(per) > 1:
        parts.append(", ".join(f"{b} {money(v)}" for b, v in per.items()))
    plan = data.horizon
    if plan is not None and len(plan.years) > 1:
        parts.append(f"{money(plan.purchase_cost_usd)} over {plan.years[0]}-{plan.years[-1]}")
    return (
        f"Cost{_when(data)}: "
        + "; ".join(parts)
        + ". Money paid to suppliers; the model costs are in the summary."
    )


def _risk(data: ReportData) -> str:
    res = data.result
    alloc = res.allocations
    bought = float(alloc["tonnes"].sum())
    if bought <= 0:
        return "Risk that remains: nothing is bought, so all demand is exposed."
    china = float(alloc.loc[alloc["country"] == "CN", "tonnes"].sum()) / bought
    risk = float((alloc["risk_score"] * alloc["tonnes"]).sum()) / bought
    top = alloc.sort_values(["expected_loss_usd", "supplier_id"], ascending=[False, True]).iloc[0]
    return (
        f"Risk that remains{_when(data)}: a disruption loss to expect of "
        f"{money(res.expected_loss_usd)} a year (model figure: disruption probability x "
        f"lost-supply value x tonnes); average risk score {risk:.0f} of 100; China sells "
        f"{china:.0%} of the tonnes; the largest single exposure is {top['buyer']}'s "
        f"{top['commodity']} from {top['supplier_id']} ({money(top['expected_loss_usd'])})."
    )


def answers(data: ReportData) -> list[str]:
    """Four plain-text answers about the plan's first year: short, CRMA 65% test, cost, risk."""
    return [_short(data), _benchmark(data), _cost(data), _risk(data)]


def _columns(orders: pd.DataFrame) -> list[Column]:
    formats = {
        "tonnes": fmt_t,
        "price_usd_per_kg": fmt_num(2),
        "purchase_usd": fmt_usd,
        "risk_score": fmt_num(1),
        "disruption_probability": fmt_pct,
    }
    skip = {"year", "buyer"}
    headers = BUY_LIST_HEADERS | {
        "disruption_probability": "disruption p a year",
        "route": "route by stage",
    }
    columns: list[Column] = [
        (c, headers[c], formats.get(c)) for c in orders.columns if c not in skip
    ]
    return columns


def _route_text(value: object) -> str:
    """``mining:AU;separation:MY`` as ``mining AU > separation MY``, with no-break spaces
    (a route stays on one line)."""
    return "\u00a0>\u00a0".join(p.replace(":", "\u00a0") for p in str(value).split(";") if p)


def _buyer(buyer: object, part: pd.DataFrame) -> tuple[object, Markup, int, str, str]:
    """(buyer, buy-list table, orders, tonnes, USD) of one buyer's part of the list."""
    t, usd = float(part["tonnes"].sum()), float(part["purchase_usd"].sum())
    return buyer, table_html(part, _columns(part)), len(part), f"{t:,.1f}", f"{usd:,.0f}"


def buy_section(data: ReportData, tables: dict[str, pd.DataFrame]) -> Markup:
    """The "To buy" section: the answers, then the first year's buy list per buyer.

    With ``optimiser.model: stochastic`` the report recommends the two-stage
    plan: the section lists its contracts instead (:func:`two_stage_section`).
    """
    if data.config.optimiser.model is OptimiserModel.STOCHASTIC and data.stochastic is not None:
        return two_stage_section(data, data.stochastic)
    orders = _first_year(data, tables["buy_list"])
    shown = orders.assign(route=orders["route"].map(_route_text))
    return render(
        "report/buy.html",
        when=_when(data).strip() or "now",
        in_year=_when(data),
        answers=answers(data),
        horizon=data.horizon is not None,
        note=None,
        buyers=[_buyer(buyer, part) for buyer, part in shown.groupby("buyer", sort=True)],
    )


# --------------------------------------------------------------------------- two-stage plan

_CONTRACT_COLUMNS: list[Column] = [
    ("supplier_id", "offer", None),
    ("commodity", "commodity", None),
    ("country", "country", None),
    ("contracted_t", "to contract t", fmt_t),
    ("expected_delivered_t", "of which delivered t (mean)", fmt_t),
    ("expected_value_t", "expected-value plan t", fmt_t),
    ("price_usd_per_kg", "USD/kg", fmt_num(2)),
    ("risk_score", "risk score", fmt_num(1)),
    ("disruption_probability", "disruption p a year", fmt_pct),
]


def _first(frame: pd.DataFrame, result: StochasticResult) -> pd.DataFrame:
    if "year" not in frame.columns:
        return frame
    return frame[frame["year"] == result.settings["year"]].reset_index(drop=True)


def two_stage_answers(result: StochasticResult) -> list[str]:
    """Short, cost and risk of the two-stage plan's first year, over its drawn scenarios."""
    needs, year = _first(result.needs, result), result.settings["year"]
    n = result.settings["scenarios"]
    short = float(needs["expected_shortfall_t"].sum())
    worst = needs.sort_values(
        ["shortfall_p95_t", "buyer", "commodity"], ascending=[False, True, True]
    )
    top = worst.iloc[0] if len(worst) else None
    tail = (
        ""
        if top is None or top["shortfall_p95_t"] <= _TOL_T
        else (
            f"; the worst 5% of scenarios leave {top['buyer']} {top['commodity']} "
            f"{top['shortfall_p95_t']:,.1f} t short or more"
        )
    )
    contracts = _first(result.contracts, result)
    tonnes = float(contracts["contracted_t"].sum())
    china = (
        contracts.loc[contracts["country"] == "CN", "contracted_t"].sum() / tonnes
        if tonnes
        else 0.0
    )
    paid = float(needs["expected_purchase_usd"].sum())
    return [
        f"Short in {year} (mean over {n} scenarios): {short:,.1f} t{tail}.",
        f"Contracts for {year}: {tonnes:,.1f} t, of which China {china:.0%}; they deliver "
        f"{float(contracts['expected_delivered_t'].sum()):,.1f} t on average (licences and "
        "outages cut the rest), the spot market fills part of the gap.",
        f"Cost in {year}: {money(paid)} paid on average for contracts and spot purchases.",
        f"Risk that remains: a loss of {money(result.cvar_usd)} in the worst "
        f"{1 - result.settings['alpha']:.0%} of scenarios (CVaR, summed over buyers and "
        f"commodities, {result.settings['period']}; model figure), against "
        f"{money(result.metric('cvar_usd', 'expected_value'))} for the expected-value plan.",
    ]


def _contract_buyer(buyer: object, part: pd.DataFrame) -> tuple[object, Markup, int, str, str]:
    t = float(part["contracted_t"].sum())
    usd = float((part["contracted_t"] * part["price_usd_per_kg"]).sum() * 1000.0)
    return buyer, table_html(part, _CONTRACT_COLUMNS), len(part), f"{t:,.1f}", f"{usd:,.0f}"


def two_stage_section(data: ReportData, result: StochasticResult) -> Markup:
    """The "To buy" section of the two-stage plan: its first year's contracts per buyer."""
    contracts = _first(result.contracts, result)
    kept = contracts[contracts["contracted_t"] > _TOL_T].sort_values(
        ["buyer", "commodity", "contracted_t", "supplier_id"],
        ascending=[True, True, False, True],
        kind="stable",
    )
    year = result.settings["year"]
    return render(
        "report/buy.html",
        when=f"in {year}",
        in_year=f" in {year}",
        answers=two_stage_answers(result),
        horizon=False,
        note=(
            f"The two-stage plan (optimiser.model: stochastic): per buyer, the contracts to sign "
            f"for {year}, largest first within a commodity, with what they deliver on average "
            "over the drawn scenarios and what the expected-value plan would buy. USD: the "
            "contracts at their price if everything arrives. Every year and both plans: the "
            "Two-stage plan section."
        ),
        buyers=[_contract_buyer(b, part) for b, part in kept.groupby("buyer", sort=True)],
    )
