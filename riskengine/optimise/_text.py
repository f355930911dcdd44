"""Text renderings of an optimisation result (summary, country mix)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

from riskengine.optimise._tables import CRMA_BENCHMARK

if TYPE_CHECKING:
    from riskengine.optimise.result import OptimisationResult

__all__ = ["country_mix_text", "summary_text"]


def _pct(value: float) -> str:
    return "-" if pd.isna(value) else f"{value:.0%}"


def _yes(flag: bool) -> str:
    return "yes" if flag else "NO"


def _money(value: float) -> str:
    return "n/a" if pd.isna(value) else f"USD {value:,.0f}"


def _has_plan(result: OptimisationResult) -> bool:
    return bool(result.shortfalls["served_t"].notna().all())


def _header(result: OptimisationResult) -> list[str]:
    metrics = result.metrics
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
    lines = [
        title,
        f"  objective {_money(result.objective_usd)} = purchase "
        f"{_money(metrics['purchase_cost_usd'].sum())} + risk charge "
        f"{_money(metrics['risk_charge_usd'].sum())} + shortfall penalty "
        f"{_money(metrics['shortfall_penalty_usd'].sum())}",
        f"  served {result.shortfalls['served_t'].sum():,.1f} t of "
        f"{result.shortfalls['demand_t'].sum():,.1f} t (shortfall {result.shortfall_t:,.1f} t)",
        solver,
    ]
    if result.message:
        lines.append(f"  note: {result.message}")
    return lines


def _metric_lines(result: OptimisationResult) -> list[str]:
    lines = [
        "",
        "  buyer commodity       served t  shortfall t  USD/kg  risk  CN  "
        "trusted  top non-home   CRMA",
    ]  # top non-home: share of volume served
    for r in result.metrics.to_dict("records"):
        top = (
            "-"
            if pd.isna(r["top_foreign_country"])
            else (f"{r['top_foreign_country']} {_pct(r['top_foreign_share_of_served'])}")
        )
        price = (
            "-"
            if pd.isna(r["average_price_usd_per_kg"])
            else (f"{r['average_price_usd_per_kg']:,.0f}")
        )
        risk = "-" if pd.isna(r["average_risk"]) else f"{r['average_risk']:.0f}"
        lines.append(
            f"  {r['buyer']:<5} {r['commodity']:<12} {r['served_t']:>11,.1f} "
            f"{r['shortfall_t']:>12,.1f} {price:>7} {risk:>5} {_pct(r['china_share']):>4} "
            f"{_pct(r['home_partner_share']):>8}  {top:<13} {_yes(r['crma_compliant']):>4}"
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
        f"  Most valuable constraints to relax (objective terms, {len(result.binding)} binding):",
    ]
    lines += [f"  - {s}" for s in result.binding["sentence"].head(top)]
    return lines


def summary_text(result: OptimisationResult, top: int = 5) -> str:
    """Status, money, volumes, per-commodity metrics and the top shadow prices."""
    lines = _header(result)
    if not result.metrics.empty and _has_plan(result):
        lines += _metric_lines(result)
        lines.append(
            f"  (CRMA: every non-home country <= {CRMA_BENCHMARK:.0%} of the volume "
            "served, i.e. of consumption)"
        )
    lines += _binding_lines(result, top)
    return "\n".join(lines)


def country_mix_text(result: OptimisationResult) -> str:
    """Mix by country per buyer and commodity; marks countries at their cap (e.g. 65% of demand)."""
    lines = []
    for (buyer, commodity), group in result.mix_by_country.groupby(["buyer", "commodity"]):
        demand = float(group["demand_t"].iloc[0])
        caps = sorted(set(group["cap_share"].dropna()))
        cap_text = ", ".join(f"{c:.0%}" for c in caps) or "none bought"
        lines.append(f"{buyer} {commodity}: demand {demand:,.1f} t; non-home cap {cap_text}")
        for r in group.sort_values(["tonnes", "country"], ascending=[False, True]).to_dict(
            "records"
        ):
            cap = r["cap_share"]
            at_cap = not pd.isna(cap) and r["share_of_demand"] >= cap - 1e-9
            flag = f"  <- at the {cap:.0%} cap" if at_cap else ""
            lines.append(
                f"  {r['country']:<3} {r['relation']:<8} {r['tonnes']:>11,.1f} t "
                f"{_pct(r['share_of_demand']):>5} of demand{flag}"
            )
    return "\n".join(lines)
