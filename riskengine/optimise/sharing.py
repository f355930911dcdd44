"""Burden sharing in joint buying: which of the pooled optimal plans, split how (contract 5.4).

When buyers pool supplier capacity (``optimiser.mode: joint``) the LP often
has many optimal plans that differ only in who gets the scarce or the cheap
supply; the solver's pick is deterministic but arbitrary. ``optimiser.sharing``
chooses among them with a lexicographic second stage over the same structure
and arrays (:class:`~riskengine.optimise._staged.StagedLP`):

0. **pooled**: the optimum z* of the pooled objective (the plan's model cost)
   is kept as a row, ``objective <= z* (1 + POOLED_RTOL)`` (HiGHS holds the
   row to a further 1e-9 of z*), so every rule's plan is optimal for the
   alliance within about 2e-9 of its model cost;
1. **individual rationality** (every rule): minimise what any buyer loses
   against buying alone (its model cost above its cost alone, and per
   commodity its tonnes short above its shortfall alone, at the lost-supply
   value). Alone = the buyer's pro-rata slice of every offer (the contract's
   ``separate`` mode; :mod:`~riskengine.optimise.coalition`). Where pooling
   cannot avoid a loss, :func:`individual_rationality` reports it;
2. the rule:

   - ``proportional``: per commodity, the served shares of demand as equal as
     possible (sum of absolute deviations from a common share), then the cost
     of what each buyer buys (purchase + risk charge) per tonne of demand as
     equal as possible;
   - ``maxmin``: per commodity, the smallest served share as large as
     possible, then the largest cost per tonne of demand as small as possible;
   - ``shapley``: each buyer's model cost as close as possible (sum of absolute
     gaps) to its Shapley cost share (its cost alone minus its Shapley value
     of the savings game; every sub-coalition is solved), then the
     ``proportional`` stages as tie-breaks;
   - ``none``: the solver's plan.

Each stage keeps its optimum as a row (within :data:`STAGE_RTOL`) for the
next; a last stage picks one plan among the ties left (a fixed generic weight
per purchase), so equal problems give equal plans and scaled problems scaled
plans. Purchase money, the model costs and the tonnes are reported apart
(contract 5.5).
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from functools import partial

import numpy as np
import pandas as pd
import scipy.sparse as sp
from scipy.sparse.csgraph import connected_components

from riskengine.enums import SharingRule
from riskengine.optimise._staged import FEASIBILITY_TOL, StagedLP, StageError, need_matrix
from riskengine.optimise._tables import TONNES_TOL
from riskengine.optimise.coalition import CoalitionGame, shapley_values
from riskengine.optimise.families import TONNES_PER_UNIT, USD_PER_UNIT
from riskengine.optimise.highs import on_threads
from riskengine.optimise.problem import Problem
from riskengine.optimise.solution import Solution

__all__ = [
    "POOLED_RTOL",
    "STAGE_RTOL",
    "SharedPlan",
    "share",
]

#: Relative slack on the pooled optimum every sharing rule must keep (HiGHS's feasibility
#: tolerance, 1e-9 of the row, comes on top: the plan is within about 2e-9 of z*).
POOLED_RTOL = 1e-9
#: Relative slack on each later stage's optimum; at an optimum of 0 the slack is
#: POOLED_RTOL x z* for money and 1e-9 for shares, so every slack scales with the problem.
STAGE_RTOL = 1e-9
_ATOL_SHARE = 1e-9
#: Seed of the tie-break weights (fixed: the plan must not change between runs).
_TIE_SEED = 20261202


@dataclass(frozen=True, repr=False)
class SharedPlan:
    """The plan a sharing rule picks, with what each stage achieved.

    Attributes
    ----------
    rule : SharingRule
    values_t : ndarray
        Column values, tonnes (as :attr:`Solution.values_t`).
    objective_usd : float
        The plan's pooled objective (model cost), USD.
    pooled_optimum_usd : float
        The pooled optimum z*, USD; ``objective_usd`` is within
        :data:`POOLED_RTOL` of it.
    stages : DataFrame
        ``stage, objective, unit`` per stage solved.
    targets_usd : Series
        Per buyer, the Shapley cost share aimed at (``shapley`` only; else empty).
    message : str
        Empty, or which stage did not solve (the plan is then the previous
        stage's, still optimal for the pooled objective).
    """

    rule: SharingRule
    values_t: np.ndarray
    objective_usd: float
    pooled_optimum_usd: float
    stages: pd.DataFrame
    targets_usd: pd.Series = field(default_factory=lambda: pd.Series(dtype=float))
    message: str = ""

    def __repr__(self) -> str:
        return (
            f"SharedPlan(rule={self.rule.value}, objective_usd={self.objective_usd:,.0f}, "
            f"pooled_optimum_usd={self.pooled_optimum_usd:,.0f}, stages={len(self.stages)})"
        )


class _Rows:
    """Each need's cost, buying cost and shortfall as rows over the problem's columns."""

    def __init__(self, problem: Problem, game: CoalitionGame) -> None:
        s, lay = problem.structure, problem.layout
        owner = need_matrix(s)
        parts = problem.arrays.parts
        self.owner = owner
        self.cost = owner @ sp.diags(problem.cost)
        buying = (parts["purchase"] + parts["risk_charge"]) * _mask(lay.n_cols, lay.x)
        self.buying = owner @ sp.diags(buying)
        n = lay.n_need
        self.short = sp.csr_matrix(
            (np.ones(n), (np.arange(n), lay.shortfall.start + np.arange(n))), shape=owner.shape
        )
        self.lost_value = parts["lost_supply"][lay.shortfall]
        self.n_x = lay.n_x
        self.demand = problem.params.demand_t / TONNES_PER_UNIT
        self.group = s.need_group
        self.n_groups = int(self.group.max()) + 1 if len(self.group) else 0
        buyer = pd.Index(game.buyers).get_indexer(s.needs["buyer"].astype(str))
        self.by_buyer = sp.csr_matrix(
            (np.ones(n), (buyer, np.arange(n))), shape=(len(game.buyers), n)
        )

    def part(self, needs: np.ndarray, cols: np.ndarray) -> _Rows:
        """The same rows for some needs over some columns (sorted), groups renumbered."""
        out = copy.copy(self)
        out.cost, out.buying, out.short = (m[needs][:, cols] for m in self._matrices())
        out.lost_value, out.demand = self.lost_value[needs], self.demand[needs]
        groups, out.group = np.unique(self.group[needs], return_inverse=True)
        out.n_groups = len(groups)
        out.by_buyer, out.owner = self.by_buyer[:, needs], self.owner[needs][:, cols]
        out.n_x = int(np.count_nonzero(cols < self.n_x))
        return out

    def _matrices(self) -> tuple[sp.csr_matrix, sp.csr_matrix, sp.csr_matrix]:
        return sp.csr_matrix(self.cost), sp.csr_matrix(self.buying), self.short


def _mask(n: int, part: slice) -> np.ndarray:
    out = np.zeros(n)
    out[part] = 1.0
    return out


def _deviation_rows(
    lp: StagedLP, expr: sp.spmatrix, rows: _Rows, per: np.ndarray, common: np.ndarray
) -> np.ndarray:
    """|expr_n / per_n - common_g(n)| <= dev_n for needs with demand; return the dev columns.

    ``per_n`` (e.g. the need's demand) makes each row a rate, so its numbers are
    of order 1 whatever the commodity's tonnage or price.
    """
    live = np.flatnonzero(rows.demand > 0)
    k = len(live)
    dev = lp.add_columns(np.zeros(k), np.full(k, np.inf))
    link = sp.csr_matrix((-np.ones(k), (np.arange(k), common[rows.group[live]])), (k, lp.n_cols))
    own = sp.csr_matrix((np.ones(k), (np.arange(k), dev)), shape=(k, lp.n_cols))
    body = sp.diags(1.0 / per[live]) @ _widen(expr[live], lp.n_cols) + link
    lp.add_rows(body - own, np.full(k, -np.inf), np.zeros(k))
    lp.add_rows(body + own, np.zeros(k), np.full(k, np.inf))
    return dev


def _widen(matrix: sp.spmatrix, n_cols: int) -> sp.csr_matrix:
    csr = sp.csr_matrix(matrix)
    return sp.csr_matrix((csr.data, csr.indices, csr.indptr), shape=(csr.shape[0], n_cols))


#: Each stage's objective: its unit, and the factor from model units to that unit.
_UNITS = {
    "individual_rationality": ("USD", USD_PER_UNIT),
    "equal_served_share": ("sum of share gaps", 1.0),
    "equal_cost_per_tonne": ("sum of relative gaps", 1.0),
    "smallest_served_share": ("minus sum of smallest shares, less 1 each", 1.0),
    "largest_cost_per_tonne": ("sum of relative costs", 1.0),
    "shapley_gap": ("USD", USD_PER_UNIT),
}


def _run(
    lp: StagedLP,
    cols: np.ndarray,
    weights: np.ndarray,
    stage: str,
    log: list[tuple[str, float, str]],
) -> None:
    """Minimise ``weights @ cols``, log it and keep it for later stages.

    The weights are divided by the largest one before HiGHS sees them (costs of
    10^6 and more make it stop with status "unknown"); the optimum logged and
    kept is in the stage's own units.
    """
    weights = np.asarray(weights, dtype=float)
    norm = max(float(np.max(np.abs(weights), initial=0.0)), 1e-300)
    cost = np.zeros(lp.n_cols)
    cost[cols] = weights / norm
    _, optimum = lp.minimise(cost, stage)
    unit, factor = _UNITS[stage]
    log.append((stage, optimum * norm * factor, unit))
    atol = _ATOL_SHARE if factor == 1.0 else lp.money_atol
    lp.keep(cost * norm, optimum * norm, STAGE_RTOL, atol)


def _individual_rationality(
    lp: StagedLP, rows: _Rows, alone: pd.DataFrame, log: list[tuple[str, float, str]]
) -> None:
    """Stage 1: the least loss against buying alone (model cost per buyer, shortfall per need)."""
    n_buyers, n = rows.by_buyer.shape
    need = alone["need"].to_numpy(dtype=int)
    alone_cost = rows.by_buyer @ _by_need(n, need, alone["model_cost_usd"] / USD_PER_UNIT)
    alone_short = _by_need(n, need, alone["shortfall_t"] / TONNES_PER_UNIT)
    # cost rows divided by the cost alone (excess in shares of it); the objective weighs back
    scale = np.maximum(np.abs(alone_cost), lp.money_atol)
    excess = lp.add_columns(np.zeros(n_buyers), np.full(n_buyers, np.inf))
    extra = lp.add_columns(np.zeros(n), np.full(n, np.inf))
    own = sp.csr_matrix((-np.ones(n_buyers), (np.arange(n_buyers), excess)), (n_buyers, lp.n_cols))
    body = sp.diags(1.0 / scale) @ _widen(rows.by_buyer @ rows.cost, lp.n_cols) + own
    lp.add_rows(body, np.full(n_buyers, -np.inf), alone_cost / scale)
    more = sp.csr_matrix((-np.ones(n), (np.arange(n), extra)), shape=(n, lp.n_cols))
    lp.add_rows(_widen(rows.short, lp.n_cols) + more, np.full(n, -np.inf), alone_short)
    cols = np.concatenate([excess, extra])
    weights = np.concatenate([scale, np.maximum(rows.lost_value, 1.0)])
    _run(lp, cols, weights, "individual_rationality", log)


def _by_need(n: int, need: np.ndarray, values: pd.Series) -> np.ndarray:
    out = np.zeros(n)
    out[need] = values.to_numpy(dtype=float)
    return out


def _scale(rows: _Rows, values: np.ndarray) -> np.ndarray:
    """Per group, the pooled plan's buying cost per tonne of demand (kUSD/kt, at least 1)."""
    cost = np.bincount(rows.group, rows.buying @ values[: rows.buying.shape[1]], rows.n_groups)
    demand = np.bincount(rows.group, rows.demand, rows.n_groups)
    return np.maximum(np.divide(cost, demand, out=np.zeros_like(cost), where=demand > 0), 1.0)


def _served(rows: _Rows) -> sp.csr_matrix:
    """Served tonnes less demand per need (= - shortfall), as rows; divided by D it is share - 1."""
    return -rows.short


def _proportional(
    lp: StagedLP, rows: _Rows, pooled: np.ndarray, log: list[tuple[str, float, str]]
) -> None:
    """Equal served shares per group, then equal buying cost per tonne of demand."""
    live = rows.demand > 0
    # served share - 1 = -shortfall / D: the common value r - 1 lies in [-1, 0]
    share = lp.add_columns(np.full(rows.n_groups, -1.0), np.zeros(rows.n_groups))
    dev = _deviation_rows(lp, _served(rows), rows, rows.demand, share)
    _run(lp, dev, np.ones(int(live.sum())), "equal_served_share", log)
    per = rows.demand * _scale(rows, pooled)[rows.group]
    rate = lp.add_columns(np.zeros(rows.n_groups), np.full(rows.n_groups, np.inf))
    dev = _deviation_rows(lp, rows.buying, rows, per, rate)
    _run(lp, dev, np.ones(int(live.sum())), "equal_cost_per_tonne", log)


def _bound_rows(
    lp: StagedLP, rows: _Rows, expr: sp.spmatrix, per: np.ndarray, bound: np.ndarray, sense: str
) -> None:
    """expr_n / per_n >= bound_g(n) (sense "ge") or <= (sense "le"), for needs with demand."""
    live = np.flatnonzero(rows.demand > 0)
    k = len(live)
    link = sp.csr_matrix((-np.ones(k), (np.arange(k), bound[rows.group[live]])), (k, lp.n_cols))
    body = sp.diags(1.0 / per[live]) @ _widen(expr[live], lp.n_cols) + link
    low, high = (
        (np.zeros(k), np.full(k, np.inf)) if sense == "ge" else (np.full(k, -np.inf), np.zeros(k))
    )
    lp.add_rows(body, low, high)


def _maxmin(
    lp: StagedLP, rows: _Rows, pooled: np.ndarray, log: list[tuple[str, float, str]]
) -> None:
    """The smallest served share per group as large as possible, then the dearest tonne."""
    low = lp.add_columns(np.full(rows.n_groups, -1.0), np.zeros(rows.n_groups))
    _bound_rows(lp, rows, _served(rows), rows.demand, low, "ge")
    _run(lp, low, -np.ones(rows.n_groups), "smallest_served_share", log)
    top = lp.add_columns(np.zeros(rows.n_groups), np.full(rows.n_groups, np.inf))
    per = rows.demand * _scale(rows, pooled)[rows.group]
    _bound_rows(lp, rows, rows.buying, per, top, "le")
    _run(lp, top, np.ones(rows.n_groups), "largest_cost_per_tonne", log)


def _shapley(
    lp: StagedLP,
    rows: _Rows,
    pooled: np.ndarray,
    targets: np.ndarray,
    log: list[tuple[str, float, str]],
) -> None:
    """Each buyer's model cost as close as possible to its Shapley cost share."""
    n_buyers = rows.by_buyer.shape[0]
    # rows divided by each target (gap in shares of it); the objective weighs them back
    scale = np.maximum(np.abs(targets), lp.money_atol)
    gap = lp.add_columns(np.zeros(n_buyers), np.full(n_buyers, np.inf))
    body = sp.diags(1.0 / scale) @ _widen(rows.by_buyer @ rows.cost, lp.n_cols)
    own = sp.csr_matrix((np.ones(n_buyers), (np.arange(n_buyers), gap)), (n_buyers, lp.n_cols))
    lp.add_rows(body - own, np.full(n_buyers, -np.inf), targets / scale)
    lp.add_rows(body + own, targets / scale, np.full(n_buyers, np.inf))
    _run(lp, gap, scale, "shapley_gap", log)
    _proportional(lp, rows, pooled, log)


def shapley_targets(game: CoalitionGame) -> pd.Series:
    """Per buyer, its Shapley cost share: model cost alone minus its Shapley value, USD."""
    phi = shapley_values(game.buyers, game.savings())
    alone = pd.Series({b: game.totals([b])["model_cost_usd"] for b in game.buyers})
    return (alone - phi).rename("shapley_cost_usd")


def _stage_problem(problem: Problem, pooled: Solution) -> Problem:
    """The pooled problem; with the lexicographic rule, its least shortfall kept as a limit."""
    if not problem.lexicographic:
        return problem
    from riskengine.optimise.solving import SERVICE_TOL, SERVICE_TOL_T

    short = np.asarray(pooled.values_t)[problem.layout.shortfall]
    least = np.bincount(problem.structure.service_group, short)
    return problem.with_parameters(service_t=least * (1 + SERVICE_TOL) + SERVICE_TOL_T)


def share(
    problem: Problem,
    pooled: Solution,
    rule: SharingRule | str,
    game: CoalitionGame,
    time_limit_s: float | None = 60.0,
    blocks: bool = True,
) -> SharedPlan:
    """The plan ``rule`` picks among the pooled optimal plans.

    Parameters
    ----------
    problem : Problem
        A ``joint`` LP problem.
    pooled : Solution
        Its optimal solution (from :func:`~riskengine.optimise.solve`).
    rule : SharingRule or str
        ``proportional``, ``maxmin``, ``shapley`` or ``none``.
    game : CoalitionGame
        The same problem's coalitions (each buyer alone; every coalition for
        ``shapley``).
    time_limit_s : float, optional
        Per stage, seconds.
    blocks : bool
        Solve ``proportional`` and ``maxmin`` block by block (False: always as
        one LP, the reference the blocks are tested against).

    Returns
    -------
    SharedPlan

    ``proportional`` and ``maxmin`` first solve their stages for each
    independent block of the LP (a commodity; its years, with stocks) without
    the individual-rationality rows, which alone link the commodities (a
    buyer's cost over all of them). When that plan leaves no buyer worse off
    than alone (within the pooled slack) it is also the plan of the one LP
    with those rows, and is kept; else the stages run on the one LP. A stage
    that does not solve to optimality ends the sequence: the plan is the
    previous stage's, and :attr:`SharedPlan.message` says which failed.
    """
    rule = SharingRule(rule)
    values = np.asarray(pooled.values_t, dtype=float) / TONNES_PER_UNIT
    stage_problem = _stage_problem(problem, pooled)
    optimum = float(stage_problem.cost @ values)
    log: list[tuple[str, float, str]] = [("pooled", optimum * USD_PER_UNIT, "USD")]
    targets = pd.Series(dtype=float) if rule is not SharingRule.SHAPLEY else shapley_targets(game)
    message = ""
    if rule is not SharingRule.NONE:
        rows = _Rows(stage_problem, game)
        blocked = None
        if blocks and rule is not SharingRule.SHAPLEY:
            blocked = _by_block(stage_problem, rows, pooled, rule, game, time_limit_s)
        if blocked is not None:
            values, optimum, log = blocked
        else:
            values, optimum, log, message = _whole(
                stage_problem, rows, pooled, rule, game, targets, time_limit_s
            )
        values = values[: problem.n_cols]
    stages = pd.DataFrame(log, columns=["stage", "objective", "unit"])
    return SharedPlan(
        rule=rule,
        values_t=values * TONNES_PER_UNIT,
        objective_usd=float(problem.cost @ values) * USD_PER_UNIT,
        pooled_optimum_usd=optimum * USD_PER_UNIT,
        stages=stages,
        targets_usd=targets,
        message=message,
    )


_Log = list[tuple[str, float, str]]


def _pooled_stage(lp: StagedLP, cost: np.ndarray) -> float:
    """The pooled optimum again at the staged LP's tolerances (1e-9, not 1e-7), kept as a row.

    Every later stage trades against this budget, so it must not depend on the solver path.
    """
    optimum = lp.minimise(cost, "pooled")[1]
    lp.money_atol = max(POOLED_RTOL * abs(optimum), 1e-12)
    lp.keep(cost, optimum, POOLED_RTOL, lp.money_atol)
    return optimum


def _whole(
    problem: Problem,
    rows: _Rows,
    pooled: Solution,
    rule: SharingRule,
    game: CoalitionGame,
    targets: pd.Series,
    time_limit_s: float | None,
) -> tuple[np.ndarray, float, _Log, str]:
    """Every stage on the one LP: plan (model units), pooled optimum, log and message."""
    values = np.asarray(pooled.values_t, dtype=float) / TONNES_PER_UNIT
    optimum = float(problem.cost @ values)
    log: _Log = [("pooled", optimum * USD_PER_UNIT, "USD")]
    lp = StagedLP(problem, time_limit_s, pooled.basis)
    lp.values = values.copy()
    message = ""
    try:
        optimum = _pooled_stage(lp, problem.cost)
        log[0] = ("pooled", optimum * USD_PER_UNIT, "USD")
        _stages(lp, rows, rule, game, values, targets, log)
    except StageError as exc:  # keep the last stage that solved: still a pooled optimum
        message = f"{exc}; the plan is the one of the stage before, still optimal pooled"
    return lp.values, optimum, log, message


def _by_block(
    problem: Problem,
    rows: _Rows,
    pooled: Solution,
    rule: SharingRule,
    game: CoalitionGame,
    time_limit_s: float | None,
) -> tuple[np.ndarray, float, _Log] | None:
    """The rule's stages and the tie-break block by block; None when that plan is not
    individually rational (within the pooled slack) or a stage fails: the one LP decides."""
    start = np.asarray(pooled.values_t, dtype=float) / TONNES_PER_UNIT
    values, blocks = start.copy(), _blocks(problem, rows)
    solve = partial(_block, problem, rows, pooled, rule, time_limit_s, start)
    try:
        solved = on_threads(solve, blocks, problem.n_cols)
    except StageError:
        return None
    for (cols, _, _), (block_values, _) in zip(blocks, solved, strict=True):
        values[cols] = block_values
    logs = [log for _, log in solved]
    # what the result's tables count as zero is zero in the plan too, so its money terms add
    # up to its objective (the blocks' solves leave values within 1e-9 kt of their bounds)
    values[np.abs(values) < TONNES_TOL / TONNES_PER_UNIT] = 0.0
    optimum = sum(log[0][1] for log in logs) / USD_PER_UNIT
    excess = _excess(rows, game.alone(), values)
    if excess > max(POOLED_RTOL * abs(optimum), 1e-12):
        return None
    merged = [
        (name, sum(log[i][1] for log in logs), unit) for i, (name, _, unit) in enumerate(logs[0])
    ]
    merged.insert(1, ("individual_rationality", excess * USD_PER_UNIT, "USD"))
    return values, optimum, merged


def _block(
    problem: Problem,
    rows: _Rows,
    pooled: Solution,
    rule: SharingRule,
    time_limit_s: float | None,
    start: np.ndarray,
    block: tuple[np.ndarray, np.ndarray, np.ndarray],
) -> tuple[np.ndarray, _Log]:
    """One block's stages and tie-break in its own staged LP: its columns' values and log."""
    cols, part_rows, needs = block
    lp = StagedLP(problem, time_limit_s, pooled.basis, (cols, part_rows))
    part = rows.part(needs, cols)
    log = _block_stages(lp, problem.cost[cols], part, rule, start[cols])
    _tie_break(lp, _tie_weights(rows.n_x)[cols[: part.n_x]])
    return lp.values[: len(cols)], log


def _block_stages(
    lp: StagedLP, cost: np.ndarray, rows: _Rows, rule: SharingRule, pooled: np.ndarray
) -> _Log:
    """One block's pooled stage and the rule's stages (no individual rationality)."""
    log: _Log = [("pooled", _pooled_stage(lp, cost) * USD_PER_UNIT, "USD")]
    if rule is SharingRule.PROPORTIONAL:
        _proportional(lp, rows, pooled, log)
    else:
        _maxmin(lp, rows, pooled, log)
    return log


def _blocks(problem: Problem, rows: _Rows) -> list[tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """Independent blocks of the LP with each need's columns and each group's needs in one:
    (columns, rows, needs) of each, sorted."""
    lay = problem.layout
    short = lay.shortfall.start + np.arange(lay.n_need)
    link = sp.csr_matrix(
        (np.ones(lay.n_need), (rows.group, short)), shape=(rows.n_groups, lay.n_cols)
    )
    matrix = sp.vstack([problem.matrix, rows.owner, link], format="csr")
    graph = sp.bmat([[None, matrix], [matrix.T, None]], format="csr")
    _, label = connected_components(graph, directed=False)
    row_label, col_label = label[: problem.n_rows], label[matrix.shape[0] :]
    need_label = col_label[short]
    return [
        (
            np.flatnonzero(col_label == k),
            np.flatnonzero(row_label == k),
            np.flatnonzero(need_label == k),
        )
        for k in np.unique(need_label)
    ]


def _excess(rows: _Rows, alone: pd.DataFrame, values: np.ndarray) -> float:
    """What the plan loses against buying alone, as stage 1 weighs it (model units, >= 0).

    Within HiGHS's feasibility tolerance of stage 1's rows (relative to a buyer's
    cost alone, absolute in kt for a shortfall) a loss reads as none, as it does there.
    """
    n = rows.by_buyer.shape[1]
    need = alone["need"].to_numpy(dtype=int)
    alone_cost = rows.by_buyer @ _by_need(n, need, alone["model_cost_usd"] / USD_PER_UNIT)
    alone_short = _by_need(n, need, alone["shortfall_t"] / TONNES_PER_UNIT)
    cost = rows.by_buyer @ (rows.cost @ values) - alone_cost
    cost = np.maximum(cost - FEASIBILITY_TOL * np.abs(alone_cost), 0.0)
    short = np.maximum(rows.short @ values - alone_short - FEASIBILITY_TOL, 0.0)
    return float(cost.sum() + np.maximum(rows.lost_value, 1.0) @ short)


def _stages(
    lp: StagedLP,
    rows: _Rows,
    rule: SharingRule,
    game: CoalitionGame,
    pooled: np.ndarray,
    targets: pd.Series,
    log: list[tuple[str, float, str]],
) -> None:
    """Individual rationality, the rule's own stages, then one plan among the ties."""
    _individual_rationality(lp, rows, game.alone(), log)
    if rule is SharingRule.PROPORTIONAL:
        _proportional(lp, rows, pooled, log)
    elif rule is SharingRule.MAXMIN:
        _maxmin(lp, rows, pooled, log)
    else:
        _shapley(lp, rows, pooled, targets.to_numpy() / USD_PER_UNIT, log)
    _tie_break(lp, _tie_weights(rows.n_x))


def _tie_weights(n_x: int) -> np.ndarray:
    """A fixed generic weight per x column (seeded), the largest 1."""
    weights = np.random.default_rng(_TIE_SEED).uniform(1.0, 2.0, n_x)
    return weights / weights.max() if n_x else weights


def _tie_break(lp: StagedLP, weights: np.ndarray) -> None:
    """Pick one plan among those the stages leave equal: minimise a fixed generic weight
    per x column (the first columns of ``lp``), so that equal problems give equal plans and
    a problem scaled by k (demand and capacity) a plan scaled by k, whatever path the
    simplex takes."""
    cost = np.zeros(lp.n_cols)
    cost[: len(weights)] = weights
    lp.minimise(cost, "tie_break")
