"""Joint buying with a sharing rule, and the individual-rationality check.

:func:`solve_joint` solves the pooled problem and, in ``joint`` mode with two
or more buyers, lets ``optimiser.sharing`` pick the split
(:func:`~riskengine.optimise.sharing.share`). The plan keeps the pooled
solution's duals and basis: shadow prices are those of the pooled problem,
whose optimum the shared plan keeps (within
:data:`~riskengine.optimise.sharing.POOLED_RTOL`).

:func:`individual_rationality` compares each buyer's joint plan with its plan
alone (its pro-rata slice of every offer: the ``separate`` mode), term by
term: purchase money, risk charge, lost supply, violations, their sum (model
cost) and tonnes short. :data:`VALUE_SIGN` is the one sign convention every
alliance figure uses.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd

from riskengine.config.schema import OptimiserConfig
from riskengine.enums import Mode, SharingRule
from riskengine.exceptions import ConfigError
from riskengine.optimise.coalition import MONEY_TERMS, CoalitionGame, need_money
from riskengine.optimise.problem import Problem
from riskengine.optimise.sharing import SharedPlan, share
from riskengine.optimise.solution import Solution
from riskengine.optimise.solve import solve

__all__ = [
    "IR_TERMS",
    "VALUE_SIGN",
    "individual_rationality",
    "ir_notes",
    "solve_joint",
]

#: The sign of every alliance value (CLI, report, JSON, examples): alone minus joint.
VALUE_SIGN = (
    "separate minus joint: what buying together saves a buyer against buying alone "
    "(its pro-rata share of every offer); positive = joint buying is better"
)
#: What individual rationality compares, buyer by buyer (money in USD, shortfall in tonnes).
IR_TERMS = (*MONEY_TERMS, "shortfall_t")
#: Gaps below these count as equal: USD (plus a relative 1e-6), tonnes.
IR_TOL_USD = 1.0
IR_TOL_T = 1e-4


def solve_joint(
    problem: Problem,
    optimiser: OptimiserConfig,
    backend: str | None = None,
    max_buyers: int = 6,
) -> tuple[Solution, SharedPlan | None, CoalitionGame | None]:
    """Solve the problem; in joint mode split the pooled optimum by ``optimiser.sharing``.

    Returns
    -------
    (solution, plan, game)
        ``plan`` and ``game`` are None when no rule applies: separate mode,
        one buyer, ``sharing: none``, a non-optimal pooled plan, or a MILP
        (the sharing stages are LPs; the solver's split is kept).

    Raises
    ------
    ConfigError
        ``shapley`` with more buyers than ``max_buyers`` (2^n coalitions).
    """
    opt = optimiser
    pooled = solve(problem, opt.solver, backend, opt.time_limit_s)
    rule = SharingRule(opt.sharing)
    if problem.mode is not Mode.JOINT or rule is SharingRule.NONE or not pooled.is_ok:
        return pooled, None, None
    if problem.is_mip or pooled.values_t is None:
        return pooled, None, None
    game = CoalitionGame(problem, opt.solver, backend, opt.time_limit_s)
    if len(game.buyers) < 2:
        return pooled, None, None
    if rule is SharingRule.SHAPLEY and len(game.buyers) > max_buyers:
        raise ConfigError(
            f"optimiser.sharing: shapley solves every coalition of the {len(game.buyers)} "
            f"buyers ({2 ** len(game.buyers) - 1} plans), more than "
            f"alliance.max_coalition_buyers ({max_buyers}) allows; raise that or use "
            "proportional or maxmin"
        )
    plan = share(problem, pooled, rule, game, opt.time_limit_s)
    return replace(pooled, values_t=plan.values_t, objective_usd=plan.objective_usd), plan, game


def _per_buyer(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.groupby("buyer", sort=True)[["demand_t", "served_t", *IR_TERMS]].sum()


def individual_rationality(
    problem: Problem, values_t: np.ndarray, game: CoalitionGame
) -> pd.DataFrame:
    """Each buyer's joint plan against its plan alone, term by term.

    Returns
    -------
    DataFrame
        One row per buyer and term (``purchase_usd``, ``risk_charge_usd``,
        ``lost_supply_usd``, ``violation_usd``, ``model_cost_usd``,
        ``shortfall_t``): ``alone``, ``joint``, ``gain`` (alone - joint, the
        :data:`VALUE_SIGN`) and ``holds`` (the joint plan is no worse, within
        1 USD and 1e-6 relative, or 1e-4 t). Purchase money can rise when the
        alliance serves more demand; the row says so rather than hiding it.
    """
    joint = _per_buyer(need_money(problem, values_t))
    alone = _per_buyer(game.alone())
    rows = []
    for buyer in game.buyers:
        for term in IR_TERMS:
            a, j = float(alone.at[buyer, term]), float(joint.at[buyer, term])
            tol = IR_TOL_T if term == "shortfall_t" else IR_TOL_USD + 1e-6 * abs(a)
            rows.append(
                {"buyer": buyer, "term": term, "alone": a, "joint": j, "gain": a - j}
                | {"holds": bool(a - j >= -tol)}
            )
    return pd.DataFrame(rows)


def ir_notes(table: pd.DataFrame, rule: SharingRule | str) -> tuple[str, ...]:
    """Sentences naming every buyer the joint plan leaves worse off than alone, and by how much."""
    notes = []
    bad = table[~table["holds"]]
    for buyer, part in bad.groupby("buyer", sort=True):
        items = [
            f"{row.term.removesuffix('_usd').removesuffix('_t').replace('_', ' ')} "
            + (f"+{-row.gain:,.1f} t" if row.term == "shortfall_t" else f"+USD {-row.gain:,.0f}")
            for row in part.itertuples()
        ]
        enforced = bool(part["term"].isin(["model_cost_usd", "shortfall_t"]).any())
        why = (
            "no plan optimal for the pooled objective avoids it, so a transfer between the "
            "buyers would be needed"
            if enforced
            else "its model cost is no worse than alone: joint buying trades these terms"
        )
        notes.append(
            f"Individual rationality: under sharing '{SharingRule(rule).value}' {buyer} is "
            f"worse off than buying alone in {'; '.join(items)}; {why}"
        )
    return tuple(notes)
