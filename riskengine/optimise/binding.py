"""Binding constraints with shadow prices, each with a sentence an analyst can quote.

Sign convention: ``shadow_price_usd_per_kg`` is the change of the objective
(USD) per extra kg of the constraint's right-hand side (or of an offer's
upper bound). Caps (``<=``) have prices <= 0: raising them saves money. The
partner floor and contracts (``>=``) have prices >= 0: lowering them saves
money. ``saving_usd_per_t`` is the saving of relaxing the constraint by one
tonne, always >= 0. Savings are in model terms and hold for small changes
only. A soft policy cap the plan exceeds is not listed: its dual is just its
violation price, and the result's ``violations`` table reports it; :mod:`riskengine.optimise.drivers` splits each into the objective's
terms (purchase price, risk charge, lost supply, policy violation) and names
the largest as the ``driver``.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from riskengine.optimise._tables import BINDING_COLUMNS
from riskengine.optimise.drivers import DRIVER_NAMES, dual_parts
from riskengine.optimise.parameters import COST_PARTS
from riskengine.optimise.problem import Problem
from riskengine.optimise.solution import Solution

__all__ = ["SENTENCES", "binding"]

_PART_COLUMNS = {term: f"{term}_usd_per_kg" for term in COST_PARTS}
#: Families whose duals are bookkeeping, not a limit an analyst can move.
_HIDDEN = {"demand", "bought", "service", "product"}


def _tolerance(problem: Problem) -> float:
    """Duals smaller than this (USD/kg) are solver noise."""
    largest = float(np.max(np.abs(problem.cost), initial=1000.0)) / 1000.0
    return 1e-9 * max(1.0, largest)


def _exceeded(problem: Problem, solution: Solution) -> np.ndarray:
    """True for soft policy rows the plan exceeds: their dual is just the violation price.

    They are listed in the result's ``violations`` (tonnes over, price), not here.
    """
    out = np.zeros(problem.n_rows, dtype=bool)
    lay = problem.layout
    if not lay.n_violation or solution.values_t is None:
        return out
    over = np.asarray(solution.values_t)[lay.violation] > 1e-6
    rows = problem.matrix.tocsc()[:, lay.violation][:, over].tocoo().row
    out[rows] = True
    return out


def _row_duals(problem: Problem, solution: Solution, tol: float, parts: Any) -> pd.DataFrame:
    rows = problem.rows.assign(shadow_price_usd_per_kg=solution.row_dual_usd_per_kg)
    for term, column in _PART_COLUMNS.items():
        rows[column] = np.nan if parts is None else parts[0][term]
    keep = (~rows["family"].isin(_HIDDEN)) & (rows["shadow_price_usd_per_kg"].abs() > tol)
    return rows[keep & ~_exceeded(problem, solution)]


def _bound_duals(problem: Problem, solution: Solution, tol: float, parts: Any) -> pd.DataFrame:
    """x columns held at their upper bound with a negative reduced cost."""
    lay = problem.layout
    x = problem.structure.x
    dual = np.asarray(solution.col_dual_usd_per_kg)[lay.x]
    upper = problem.arrays.x_upper_t
    value = np.asarray(solution.values_t)[lay.x]
    hit = (dual < -tol) & (value >= upper * (1 - 1e-7) - 1e-9) & np.isfinite(upper)
    frame = x.loc[hit, ["buyer", "commodity", "country", "supplier_id", "year"]].copy()
    frame["shadow_price_usd_per_kg"] = dual[hit]
    capacity = problem.arrays.x_capacity_t[hit]
    by_capacity = capacity <= upper[hit] * (1 + 1e-12)
    sigma = problem.structure.max_supplier_share
    frame["family"] = np.where(by_capacity, "capacity", "supplier_cap")
    frame["share"] = np.where(by_capacity, np.nan, sigma)
    frame["rhs_t"] = upper[hit]
    for term, column in _PART_COLUMNS.items():
        frame[column] = np.nan if parts is None else parts[1][term][lay.x][hit]
    return frame


def _why(row: dict[str, Any]) -> str:
    """' (of which lost supply +4,000, purchase price -3,000)': each term's part of the saving."""
    if not row["driver"]:
        return ""
    sign = -1.0 if row["shadow_price_usd_per_kg"] < 0 else 1.0  # saving = -dual on a cap
    terms = sorted(
        ((DRIVER_NAMES[t], sign * row[c]) for t, c in _PART_COLUMNS.items()),
        key=lambda item: -abs(item[1]),
    )
    shown = [f"{name} {value:+,.0f}" for name, value in terms if abs(value) >= 0.5]
    return f" (of which {', '.join(shown)})" if shown else ""


def _sentence(row: dict[str, Any], mode: str) -> str:
    kg = row["saving_usd_per_t"] / 1000.0
    year = row.get("year")
    when = f" in {int(year)}" if year is not None and pd.notna(year) and year >= 0 else ""
    save = f"would save USD {kg:,.0f}/kg{_why(row)}"
    where = f"{row['buyer']} {row['commodity']}{when}"
    family = row["family"]
    if family == "country_cap":
        at = f" at the {row['stage']} stage" if row.get("stage") else ""
        return f"Raising the {row['share']:.0%} cap on {row['country']}{at} for {where} {save}."
    if family == "partner_floor":
        return f"Lowering the {row['share']:.0%} home-and-partner floor for {where} {save}."
    if family == "contract":
        return (
            f"Releasing the contracted minimum at {row['supplier_id']} "
            f"({row['country']}, {row['commodity']}) {save}."
        )
    if family == "export_channel":
        return (
            f"One more kg of licensed exports from {row['country']} to {row['buyer']} of "
            f"{row['commodity']}{when} {save}."
        )
    if family == "stock_target":
        return f"Holding one kg less of the strategic stock target for {where} {save}."
    if family == "supplier_cap":
        return (
            f"Raising the {row['share']:.0%} single-offer cap on {row['supplier_id']} "
            f"({row['country']}) for {where} {save}."
        )
    offer = f"{row['supplier_id']} ({row['country']}, {row['commodity']}){when}"
    if isinstance(row["buyer"], str) and row["buyer"] and mode == "separate":
        return f"More of {row['buyer']}'s pro-rata capacity at {offer} {save}."
    return f"More capacity at {offer} {save}."


def binding(problem: Problem, solution: Solution) -> pd.DataFrame:
    """Binding constraints with non-zero shadow prices, most valuable to relax first.

    Empty when the solution has no duals (not optimal, or a MILP).
    """
    if not solution.duals_available or solution.values_t is None:
        return pd.DataFrame(columns=BINDING_COLUMNS)
    tol = _tolerance(problem)
    parts = dual_parts(problem, solution)
    frames = [
        _row_duals(problem, solution, tol, parts),
        _bound_duals(problem, solution, tol, parts),
    ]
    frames = [f for f in frames if not f.empty]
    if not frames:
        return pd.DataFrame(columns=BINDING_COLUMNS)
    frame = pd.concat([f.reindex(columns=BINDING_COLUMNS) for f in frames], ignore_index=True)
    frame["saving_usd_per_t"] = frame["shadow_price_usd_per_kg"].abs() * 1000.0
    frame["driver"] = _drivers(frame)
    frame = frame.sort_values(
        ["saving_usd_per_t", "family", "buyer", "commodity", "year", "country", "supplier_id"],
        ascending=[False, True, True, True, True, True, True],
        kind="stable",
        na_position="first",
    ).reset_index(drop=True)
    mode = problem.mode.value
    top = frame.head(SENTENCES).to_dict("records")
    frame["sentence"] = [_sentence(r, mode) for r in top] + [""] * (len(frame) - len(top))
    return frame[BINDING_COLUMNS]


#: Rows of the binding table that get a sentence (the most valuable first); the rest
#: keep their numbers and an empty sentence (writing 50,000 sentences takes seconds).
SENTENCES = 200


def _drivers(frame: pd.DataFrame) -> np.ndarray:
    """The term with the largest part of each shadow price ('' without a split)."""
    parts = frame[list(_PART_COLUMNS.values())].to_numpy(dtype=float)
    if not len(parts):
        return np.zeros(0, dtype=object)
    size = np.abs(np.nan_to_num(parts, nan=0.0))
    names = np.asarray(list(_PART_COLUMNS), dtype=object)[size.argmax(axis=1)]
    unknown = np.isnan(parts).any(axis=1) | (size.max(axis=1) == 0)
    return np.where(unknown, "", names)
