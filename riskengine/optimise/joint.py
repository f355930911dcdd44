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

from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from riskengine.config.schema import OptimiserConfig
from riskengine.enums import Mode, SharingRule
from riskengine.exceptions import ConfigError, SolverError
from riskengine.optimise.coalition import MONEY_TERMS, CoalitionGame, need_money
from riskengine.optimise.problem import Problem
from riskengine.optimise.sharing import SharedPlan, share
from riskengine.optimise.solution import Solution
from riskengine.optimise.solving import solve

__all__ = [
    "IR_TERMS",
    "VALUE_SIGN",
    "JointSolve",
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


@dataclass(frozen=True)
class JointSolve:
    """:func:`solve_joint`'s answer: the plan, and how it was shared (None = not shared)."""

    solution: Solution
    plan: SharedPlan | None = None
    game: CoalitionGame | None = None
    notes: tuple[str, ...] = ()


def solve_joint(
    problem: Problem,
    optimiser: OptimiserConfig,
    backend: str | None = None,
    max_buyers: int = 6,
) -> JointSolve:
    """Solve the problem; in joint mode split the pooled optimum by ``optimiser.sharing``.

    No rule applies in separate mode, with one buyer, with ``sharing: none``
    or when the pooled plan is not optimal; a MILP (minimum order quantity,
    supplier limit) keeps the solver's split with a note (the sharing stages
    are LPs).

    Raises
    ------
    ConfigError
        ``shapley`` with more buyers than ``max_buyers`` (2^n coalitions).
    """
    opt = optimiser
    pooled = solve(problem, opt.solver, backend, opt.time_limit_s)
    rule = SharingRule(opt.sharing)
    if problem.mode is not Mode.JOINT or rule is SharingRule.NONE or not pooled.is_ok:
        return JointSolve(pooled)
    if pooled.values_t is None or len(set(problem.structure.needs["buyer"])) < 2:
        return JointSolve(pooled)
    if problem.is_mip:
        note = (
            f"optimiser.sharing '{rule.value}' needs the LP: with a minimum order quantity "
            "or a supplier limit the split between buyers is the solver's"
        )
        return JointSolve(pooled, notes=(note,))
    game = CoalitionGame(problem, opt.solver, backend, opt.time_limit_s)
    if rule is SharingRule.SHAPLEY and len(game.buyers) > max_buyers:
        raise ConfigError(
            f"optimiser.sharing: shapley solves every coalition of the {len(game.buyers)} "
            f"buyers ({2 ** len(game.buyers) - 1} plans), more than "
            f"alliance.max_coalition_buyers ({max_buyers}) allows; raise that or use "
            "proportional or maxmin"
        )
    try:
        plan = share(problem, pooled, rule, game, opt.time_limit_s)
        notes = ir_notes(individual_rationality(problem, plan.values_t, game), rule)
    except SolverError as exc:  # a buyer's plan alone did not solve: keep the pooled plan
        return JointSolve(pooled, notes=(f"optimiser.sharing '{rule.value}' not applied: {exc}",))
    solution = replace(pooled, values_t=plan.values_t, objective_usd=plan.objective_usd)
    if plan.message:
        notes = (f"optimiser.sharing '{rule.value}': {plan.message}", *notes)
    return JointSolve(solution, plan, game, notes)


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


def _usd(amount: float) -> str:
    """USD 40.0 m, or USD 950 below a million (solver noise never shows as 39,999,999)."""
    return f"USD {amount / 1e6:,.1f} m" if abs(amount) >= 1e6 else f"USD {amount:,.0f}"


def ir_notes(table: pd.DataFrame, rule: SharingRule | str) -> tuple[str, ...]:
    """Sentences naming every buyer the joint plan leaves worse off than alone, and by how much."""
    notes = []
    bad = table[~table["holds"]]
    for buyer, part in bad.groupby("buyer", sort=True):
        items = [
            f"{row.term.removesuffix('_usd').removesuffix('_t').replace('_', ' ')} "
            + (f"+{-row.gain:,.1f} t" if row.term == "shortfall_t" else f"+{_usd(-row.gain)}")
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
