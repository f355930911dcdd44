"""Text renderings of an optimisation result (summary, country mix)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

from riskengine.formatting import fmt_pct, fmt_yes
from riskengine.optimise._tables import CRMA_BENCHMARK

if TYPE_CHECKING:
    from riskengine.optimise.result import OptimisationResult

__all__ = ["country_mix_text", "summary_text"]


_pct = fmt_pct  # one display formatter for the report, the notebook and the command line
_yes = fmt_yes


def _usd_m(value: float) -> str:
    return "n/a" if pd.isna(value) else f"USD {value / 1e6:,.1f} m"


def _has_plan(result: OptimisationResult) -> bool:
    return bool(result.shortfalls["served_t"].notna().all())


def _header(result: OptimisationResult) -> list[str]:
    title = (
        f"Sourcing plan ({result.mode.value}, risk_aversion={result.risk_aversion:g}): "
        f"{result.status.value}"
    )
    solver = (
        f"  solver {result.solver} {result.solver_version} via {result.backend}: "
        f"build {result.build_s:.3f} s, solve {result.solve_s:.3f} s"
    )
    if not _has_plan(result):
        return [title, f"  no plan: {result.message or 'the solver returned no solution'}", solver]
    demand = result.shortfalls["demand_t"].sum()
    years = result.years
    period = f"over {years[0]}-{years[-1]}" if years else "a year"
    lines = [
        title,
        f"  purchase cost {_usd_m(result.purchase_cost_usd)} {period} (what would be paid to "
        "suppliers)"
        + (f"; stock holding {_usd_m(result.holding_usd)}" if result.holding_usd else ""),
        f"  served {result.served_t:,.1f} t of {demand:,.1f} t demanded (short "
        f"{result.shortfall_t:,.1f} t); bought {result.shortfalls['bought_t'].sum():,.1f} t",
        f"  expected disruption loss {_usd_m(result.expected_loss_usd)} {period} (q x V x tonnes)",
        f"  model cost {_usd_m(result.objective_usd)} = purchase + risk charge "
        f"{_usd_m(result.risk_charge_usd)} + lost supply {_usd_m(result.lost_supply_usd)} + "
        f"policy violations {_usd_m(result.violation_usd)}"
        + (f" + holding {_usd_m(result.holding_usd)}" if result.holding_usd else "")
        + (f" + thrifting premium {_usd_m(result.thrifting_usd)}" if result.thrifting_usd else "")
        + " (model terms, not money paid)",
        solver,
    ]
    if result.message:
        lines.append(f"  note: {result.message}")
    lines += [f"  note: {note}" for note in result.notes]
    return lines


def _metric_lines(result: OptimisationResult) -> list[str]:
    lines = [
        "",
        "  buyer commodity       bought t      short t  USD/kg     q     CN  trusted  "
        "top non-home    CRMA",
    ]  # shares are of what the buyer buys
    for r in result.metrics.to_dict("records"):
        top = (
            "-"
            if pd.isna(r["top_foreign_country"])
            else f"{r['top_foreign_country']} {_pct(r['top_foreign_share'])}"
        )
        price = (
            "-"
            if pd.isna(r["average_price_usd_per_kg"])
            else f"{r['average_price_usd_per_kg']:,.0f}"
        )
        q = (
            "-"
            if pd.isna(r["average_disruption_probability"])
            else (f"{r['average_disruption_probability']:.2f}")
        )
        lines.append(
            f"  {r['buyer']:<5} {r['commodity']:<12} {r['bought_t']:>11,.1f} "
            f"{r['shortfall_t']:>12,.1f} {price:>7} {q:>5} {_pct(r['china_share']):>6} "
            f"{_pct(r['home_partner_share']):>8}  {top:<15} {_yes(r['crma_compliant']):>4}"
        )
    return lines


def _binding_lines(result: OptimisationResult, top: int) -> list[str]:
    if not result.duals_available:
        why = (
            "the model is a MILP: minimum order quantity / supplier limit"
            if result.milp and result.is_optimal
            else "the plan is not optimal"
        )
        return ["", f"  Shadow prices: not available ({why})."]
    if result.binding.empty:
        return ["", "  No constraint binds with a non-zero shadow price."]
    lines = [
        "",
        f"  Most valuable constraints to relax ({len(result.binding)} binding; savings in "
        "model cost):",
    ]
    lines += [f"  - {s}" for s in result.binding["sentence"].head(top)]
    return lines


def _year_lines(result: OptimisationResult) -> list[str]:
    table = result.by_year()
    lines = [
        "",
        f"  Plan by year ({result.years[0]}-{result.years[-1]}; money in USD m):",
        "  year   bought t   short t  purchase  holding  exp. loss  violations     CN",
    ]
    for r in table.to_dict("records"):
        lines.append(
            f"  {int(r['year'])} {r['bought_t']:>10,.1f} {r['shortfall_t']:>9,.1f} "
            f"{r['purchase_cost_usd'] / 1e6:>9,.1f} {r['holding_usd'] / 1e6:>8,.1f} "
            f"{r['expected_loss_usd'] / 1e6:>10,.1f} {r['violation_usd'] / 1e6:>11,.1f} "
            f"{_pct(r['china_share']):>6}"
        )
    lines.append(f"  Per commodity, {result.years[0]} (result.for_year(YEAR) for any year):")
    return lines


def summary_text(result: OptimisationResult, top: int = 5) -> str:
    """Status, money, volumes, per-commodity metrics and the top shadow prices."""
    lines = _header(result)
    if result.years and _has_plan(result):
        lines += _year_lines(result)
        first = result.for_year(result.years[0])
        lines += _metric_lines(first)[1:] if not first.metrics.empty else []
    elif not result.metrics.empty and _has_plan(result):
        lines += _metric_lines(result)
    if not result.metrics.empty and _has_plan(result):
        lines.append(
            f"  (shares of what each buyer buys; CRMA: no non-home country above "
            f"{CRMA_BENCHMARK:.0%} of purchases, n/a when nothing is bought; q: average yearly "
            "disruption probability)"
        )
        policies = result.model.get("policies", {})
        lines += [f"  policy {buyer}: {text}" for buyer, text in policies.items()]
    lines += _binding_lines(result, top)
    return "\n".join(lines)


def country_mix_text(result: OptimisationResult) -> str:
    """Mix by country per buyer and commodity, as shares of purchases; marks countries at cap."""
    lines = []
    for (buyer, commodity), group in result.mix_by_country.groupby(["buyer", "commodity"]):
        demand = float(group["demand_t"].iloc[0])
        bought = float(group["tonnes"].sum())
        caps = sorted(set(group["cap_share"].dropna()))
        cap_text = ", ".join(f"{c:.0%}" for c in caps) or "none"
        lines.append(
            f"{buyer} {commodity}: demand {demand:,.1f} t, bought {bought:,.1f} t; "
            f"non-home cap {cap_text} of purchases"
        )
        ordered = group.sort_values(["tonnes", "country"], ascending=[False, True])
        for r in ordered.to_dict("records"):
            cap = r["cap_share"]
            share = r["share_of_purchases"]
            flag = ""
            if not pd.isna(cap) and share > cap + 1e-6:
                flag = f"  <- above the {cap:.0%} cap (soft: priced as a violation)"
            elif not pd.isna(cap) and share >= cap - 1e-6:
                flag = f"  <- at the {cap:.0%} cap"
            lines.append(
                f"  {r['country']:<3} {r['relation']:<8} {r['tonnes']:>11,.1f} t "
                f"{_pct(share):>5} of purchases{flag}"
            )
    return "\n".join(lines)
