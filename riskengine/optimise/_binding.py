"""Binding constraints with shadow prices, each with a sentence an analyst can quote.

Sign convention: ``shadow_price_usd_per_kg`` is the change of the objective
(USD) per extra kg of the constraint's right-hand side (or of an offer's
upper bound). Caps (``<=``) have prices <= 0: raising them saves money. The
partner floor and contracts (``>=``) have prices >= 0: lowering them saves
money.
``saving_usd_per_t`` is the money saved by relaxing the constraint by one
tonne, always >= 0. Savings are in objective terms (purchase cost, risk charge
and shortfall penalty) and hold for small changes only.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from riskengine.optimise._tables import BINDING_COLUMNS
from riskengine.optimise.problem import Problem
from riskengine.optimise.solution import Solution

__all__ = ["binding"]


def _tolerance(problem: Problem) -> float:
    """Duals smaller than this (USD/kg) are solver noise."""
    largest = float(np.max(problem.base_cost, initial=1000.0)) / 1000.0
    return 1e-9 * max(1.0, largest)


def _row_duals(problem: Problem, solution: Solution, tol: float) -> pd.DataFrame:
    rows = problem.rows.assign(shadow_price_usd_per_kg=solution.row_dual_usd_per_kg)
    keep = (rows["family"] != "demand") & (rows["shadow_price_usd_per_kg"].abs() > tol)
    return rows[keep]


def _bound_duals(problem: Problem, solution: Solution, tol: float) -> pd.DataFrame:
    """x columns held at their upper bound with a negative reduced cost."""
    n_x = problem.n_x
    cols = problem.columns.iloc[:n_x]
    dual = np.asarray(solution.col_dual_usd_per_kg)[:n_x]
    at_upper = np.asarray(solution.values_t)[:n_x] >= cols["ub_t"].to_numpy() * (1 - 1e-7) - 1e-9
    frame = cols[(dual < -tol) & at_upper].assign(
        shadow_price_usd_per_kg=dual[(dual < -tol) & at_upper]
    )
    sigma = float(problem.settings.get("sigma", 1.0))
    share = np.where(frame["ub_source"] == "supplier_cap", sigma, np.nan)
    return frame.assign(family=frame["ub_source"], share=share, rhs_t=frame["ub_t"])


def _sentence(row: dict[str, Any], mode: str) -> str:
    save = f"would save USD {row['saving_usd_per_t']:,.0f}"
    where = f"{row['buyer']} {row['commodity']}"
    family = row["family"]
    if family == "country_cap":
        return (
            f"Raising the {row['share']:.0%} cap on {row['country']} for {where} "
            f"by one tonne {save}."
        )
    if family == "partner_floor":
        return (
            f"Lowering the {row['share']:.0%} home-and-partner floor for {where} "
            f"by one tonne {save}."
        )
    if family == "contract":
        return (
            f"Releasing one tonne of the contracted minimum at {row['supplier_id']} "
            f"({row['country']}, {row['commodity']}) {save}."
        )
    if family == "supplier_cap":
        return (
            f"Raising the {row['share']:.0%} single-offer cap on {row['supplier_id']} "
            f"({row['country']}) for {where} by one tonne {save}."
        )
    offer = f"{row['supplier_id']} ({row['country']}, {row['commodity']})"
    if isinstance(row["buyer"], str) and mode == "separate":
        return f"One more tonne of {row['buyer']}'s pro-rata capacity at {offer} {save}."
    return f"One more tonne of capacity at {offer} {save}."


def binding(problem: Problem, solution: Solution) -> pd.DataFrame:
    """Binding constraints with non-zero shadow prices, most valuable to relax first.

    Empty when the solution has no duals (not optimal).
    """
    if not solution.duals_available or solution.values_t is None:
        return pd.DataFrame(columns=BINDING_COLUMNS)
    tol = _tolerance(problem)
    parts = [
        f
        for f in (_row_duals(problem, solution, tol), _bound_duals(problem, solution, tol))
        if not f.empty
    ]
    if not parts:
        return pd.DataFrame(columns=BINDING_COLUMNS)
    frame = pd.concat([p.reindex(columns=BINDING_COLUMNS) for p in parts], ignore_index=True)
    frame["saving_usd_per_t"] = frame["shadow_price_usd_per_kg"].abs() * 1000.0
    frame["sentence"] = [_sentence(r, problem.mode.value) for r in frame.to_dict("records")]
    frame = frame.sort_values(
        ["saving_usd_per_t", "family", "buyer", "commodity", "country", "supplier_id"],
        ascending=[False, True, True, True, True, True],
        kind="stable",
        na_position="first",
    )
    return frame.reset_index(drop=True)
