"""The two-stage model of contract 5.3 as arrays: the first stage and one scenario's block.

Columns (model units: kilotonnes, thousands of USD):

- first stage, shared by every scenario: ``x`` (contracted tonnes per buyer
  and offer), ``bought`` and ``violation`` (the soft policy rows, measured on
  the contracts' expected deliveries), ``eta`` (the value-at-risk of each
  CVaR group);
- per scenario: ``spot`` (tonnes requested from a spot pool), ``short``
  (unmet demand per need) and ``tail`` (loss above ``eta`` per group).

Rows: the first stage's capacity, contract and policy rows (the
deterministic model's own blocks); per scenario, ``demand`` (delivered
contracts + spot + short >= demand), ``pool`` (delivered contracts + spot
requests <= the pool's capacity) and ``loss`` (loss - eta - tail <= 0).

A spot pool is the capacity of one country for one commodity (``joint``) or
for one need (``separate``): contract deliveries ``A x`` use it first, spot
requests the rest. A buyer receives the share of a request that its licences
allow (``spot_share``, capacity-weighted over the pool's offers) and pays the
price of the pool's dearest offer it can reach in the scenario (the marginal
supplier sets a spot price) times ``1 + spot_premium``, so spot never costs
less than a contract with the same pool. The scenario block is a *template*: the same
pattern in every scenario with its own values, tiled by :mod:`._parts`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import scipy.sparse as sp

from riskengine.optimise.problem import Problem
from riskengine.scenarios._recourse import Recourse

__all__ = [
    "FIRST_FAMILIES",
    "FirstStage",
    "Template",
    "Terms",
    "build_template",
    "build_wait_and_see",
    "first_stage",
]

#: Deterministic-model blocks that hold the contracts (first stage).
FIRST_FAMILIES = ("bought", "capacity", "country_cap", "partner_floor", "contract")
#: ... of which these measure policy shares: their x coefficients become expected deliveries.
POLICY_FAMILIES = ("bought", "country_cap", "partner_floor")


# --------------------------------------------------------------------------- template


@dataclass(frozen=True, repr=False)
class Template:
    """A first stage (global columns and rows) and one scenario's block (local), for S scenarios.

    Entries of the scenario block: ``rows`` (``< m1``: a global row; ``>= m1``:
    local row ``rows - m1``), ``cols`` (``< n1``: a global column; ``>= n1``:
    local column ``cols - n1``) and ``values`` per scenario ``(S, entries)``.
    Costs are ``c0 + beta * c1``.
    """

    first: sp.csr_matrix
    cost1: tuple[np.ndarray, np.ndarray]
    lower1: np.ndarray
    upper1: np.ndarray
    row_lower1: np.ndarray
    row_upper1: np.ndarray
    rows: np.ndarray
    cols: np.ndarray
    values: np.ndarray
    cost: tuple[np.ndarray, np.ndarray]
    lower: np.ndarray
    upper: np.ndarray
    row_lower: np.ndarray
    row_upper: np.ndarray
    kinds1: dict[str, slice]
    kinds: dict[str, slice]
    row_kinds: dict[str, slice]

    @property
    def n1(self) -> int:
        """Global (first-stage) columns."""
        return int(self.first.shape[1])

    @property
    def m1(self) -> int:
        """Global rows."""
        return int(self.first.shape[0])

    @property
    def n_scenarios(self) -> int:
        """S."""
        return int(self.values.shape[0])

    @property
    def n_local(self) -> int:
        """Columns per scenario."""
        return int(self.lower.shape[1])

    @property
    def m_local(self) -> int:
        """Rows per scenario."""
        return int(self.row_lower.shape[1])


@dataclass(frozen=True)
class FirstStage:
    """The contract columns and rows, from the deterministic structure (model units)."""

    matrix: sp.csr_matrix
    row_lower: np.ndarray
    row_upper: np.ndarray
    x_upper: np.ndarray
    policy_rows: np.ndarray
    policy_x: sp.csr_matrix
    n_x: int
    n_bought: int
    n_violation: int
    violation_cost: np.ndarray
    violation_need: np.ndarray


def first_stage(problem: Problem, delivered: np.ndarray) -> FirstStage:
    """Rows of :data:`FIRST_FAMILIES` over columns x | bought | violation.

    ``delivered`` (per x) scales the x coefficients of the policy rows: a
    share is measured on what the buyer can expect to receive, its contracts'
    expected deliveries plus (:func:`_policy_spot`) its expected spot purchases.
    """
    st, arrays = problem.structure, problem.arrays
    lay = st.layout
    cols = np.r_[np.arange(lay.n_x), np.arange(lay.bought.start, lay.violation.stop)]
    mats, lows, ups, policy = [], [], [], []
    start = 0
    for block in st.blocks:
        stop = start + len(block)
        if block.family in FIRST_FAMILIES:
            mats.append(block.matrix[:, cols])
            lows.append(arrays.row_lower[start:stop])
            ups.append(arrays.row_upper[start:stop])
            policy.append(np.full(len(block), block.family in POLICY_FAMILIES))
        start = stop
    n = len(cols)
    matrix = sp.vstack(mats, format="csr") if mats else sp.csr_matrix((0, n))
    unscaled = matrix
    flags = np.concatenate(policy) if policy else np.zeros(0, bool)
    scale = np.ones(n)
    scale[: lay.n_x] = delivered
    scaled = sp.diags(np.where(flags, 1.0, 0.0)) @ matrix @ sp.diags(scale)
    matrix = (sp.diags(np.where(flags, 0.0, 1.0)) @ matrix + scaled).tocsr()
    matrix.eliminate_zeros()
    return FirstStage(
        matrix=matrix,
        row_lower=np.concatenate(lows) if lows else np.zeros(0),
        row_upper=np.concatenate(ups) if ups else np.zeros(0),
        x_upper=arrays.upper[lay.x],
        policy_rows=flags,
        policy_x=(sp.diags(np.where(flags, 1.0, 0.0)) @ unscaled[:, : lay.n_x]).tocsr(),
        n_x=lay.n_x,
        n_bought=lay.n_bought,
        n_violation=lay.n_violation,
        violation_cost=arrays.parts["violation"][lay.violation],
        violation_need=st.violations["need"].to_numpy(dtype=int),
    )


@dataclass(frozen=True)
class Terms:
    """Settings of the LP: CVaR level, whether its rows exist, fee per contracted tonne (USD/t)."""

    alpha: float
    with_cvar: bool
    fee_usd_t: np.ndarray


def _scenario_entries(
    rec: Recourse, x_col: np.ndarray, local: dict[str, int], eta: int, with_cvar: bool
) -> list[tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """(local rows, columns, values (S, n)) of demand, pool and loss rows."""
    S, n_need = rec.demand_kt.shape
    n_sp, n_pool, n_g = len(rec.spot_need), rec.pool_kt.shape[1], rec.n_groups
    spot, short = local["spot"] + np.arange(n_sp), local["short"] + np.arange(n_need)
    demand, pool, loss = (
        local["demand"],
        local["demand"] + n_need,
        local["demand"] + n_need + n_pool,
    )
    avail = rec.availability
    parts = [
        (demand + rec.x_need, x_col, avail),
        (demand + rec.spot_need, spot, rec.spot_share),
        (demand + np.arange(n_need), short, np.ones((S, n_need))),
        (pool + rec.pool_x, x_col, avail),
        (pool + rec.spot_pool, spot, np.ones((S, n_sp))),
    ]
    if with_cvar:
        g = np.arange(n_g)
        parts += [
            (loss + rec.group[rec.x_need], x_col, rec.contract_usd_t * avail),
            (loss + rec.group[rec.spot_need], spot, rec.spot_usd_t * rec.spot_share),
            (loss + rec.group, short, np.broadcast_to(rec.value_usd_t, (S, n_need))),
            (loss + g, eta + g, -np.ones((S, n_g))),
            (loss + g, local["tail"] + g, -np.ones((S, n_g))),
        ]
    return parts


def _policy_spot(
    first: FirstStage, rec: Recourse, spot0: int, weight: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Spot purchases in the policy rows: a spot column counts like the x of its need and pool.

    Entry (row, spot j) = the row's coefficient on x ``spot_rep[j]`` x
    ``weight[s]`` x the share of a request delivered; rows are the first
    stage's (global in the two-stage LP, local in wait-and-see).
    """
    coef = first.policy_x[:, rec.spot_rep].tocoo()
    values = coef.data[None, :] * weight[:, None] * rec.spot_share[:, coef.col]
    return coef.row, spot0 + coef.col, values


def _stack(parts: list[tuple[Any, Any, Any]]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rows = np.concatenate([np.asarray(p[0]) for p in parts]).astype(np.int64)
    cols = np.concatenate([np.asarray(p[1]) for p in parts]).astype(np.int64)
    values = np.hstack([np.asarray(p[2], float) for p in parts])
    return rows, cols, values


def _slices(sizes: dict[str, int]) -> dict[str, slice]:
    out, start = {}, 0
    for name, size in sizes.items():
        out[name] = slice(start, start + size)
        start += size
    return out


def _second_stage_bounds(
    rec: Recourse, with_cvar: bool
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Per scenario: column lower/upper of spot | short | tail, row lower/upper of demand | pool | loss."""
    S, n_need = rec.demand_kt.shape
    n_g = rec.n_groups if with_cvar else 0
    spot_up = np.where(rec.spot_share > 0, np.inf, 0.0)
    upper = np.hstack([spot_up, np.full((S, n_need + n_g), np.inf)])
    inf = np.full((S, rec.pool_kt.shape[1]), -np.inf)
    row_lower = np.hstack([rec.demand_kt, inf, np.full((S, n_g), -np.inf)])
    row_upper = np.hstack([np.full((S, n_need), np.inf), rec.pool_kt, np.zeros((S, n_g))])
    return np.zeros_like(upper), upper, row_lower, row_upper


def _second_stage_costs(
    rec: Recourse, terms: Terms, weight: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    S, n_need = rec.demand_kt.shape
    n_g = rec.n_groups if terms.with_cvar else 0
    w = weight[:, None]
    c0 = np.hstack([w * rec.spot_usd_t * rec.spot_share, w * rec.value_usd_t, np.zeros((S, n_g))])
    c1 = np.hstack(
        [np.zeros((S, len(rec.spot_need) + n_need)), np.repeat(w / (1 - terms.alpha), n_g, axis=1)]
    )
    return c0, c1


def build_template(first: FirstStage, rec: Recourse, terms: Terms) -> Template:
    """The two-stage LP: contracts shared by all scenarios, each scenario's recourse local."""
    n_first, n_x, n_g = first.matrix.shape[1], first.n_x, rec.n_groups if terms.with_cvar else 0
    kinds1 = _slices(
        {"x": n_x, "bought": first.n_bought, "violation": first.n_violation, "eta": n_g}
    )
    n1 = n_first + n_g
    S, n_need = rec.demand_kt.shape
    n_sp = len(rec.spot_need)
    kinds = _slices({"spot": n_sp, "short": n_need, "tail": n_g})
    m1 = first.matrix.shape[0]
    local = {"spot": n1, "short": n1 + n_sp, "tail": n1 + n_sp + n_need, "demand": m1}
    parts = _scenario_entries(rec, np.arange(n_x), local, n_first, terms.with_cvar)
    parts.append(_policy_spot(first, rec, n1, rec.probability))
    rows, cols, values = _stack(parts)
    purchase = rec.probability @ (rec.contract_usd_t * rec.availability)
    fee = terms.fee_usd_t
    viol = first.violation_cost
    zeros_b = np.zeros(first.n_bought)
    cost1 = (
        np.r_[purchase + fee, zeros_b, viol, np.zeros(n_g)],
        np.r_[fee, zeros_b, viol, np.ones(n_g)],
    )
    deliverable = rec.availability.max(axis=0) > 0 if S else np.ones(n_x, bool)
    upper1 = np.r_[first.x_upper * deliverable, np.full(n1 - n_x, np.inf)]
    lower1 = np.r_[np.zeros(n_first), np.full(n_g, -np.inf)]
    lower, upper, row_lower, row_upper = _second_stage_bounds(rec, terms.with_cvar)
    first_matrix = sp.hstack([first.matrix, sp.csr_matrix((first.matrix.shape[0], n_g))]).tocsr()
    return Template(
        first_matrix,
        cost1,
        lower1,
        upper1,
        first.row_lower,
        first.row_upper,
        rows,
        cols,
        values,
        _second_stage_costs(rec, terms, rec.probability),
        lower,
        upper,
        row_lower,
        row_upper,
        kinds1,
        kinds,
        _slices({"demand": n_need, "pool": rec.pool_kt.shape[1], "loss": n_g}),
    )


def build_wait_and_see(first: FirstStage, rec: Recourse, terms: Terms) -> Template:
    """Every scenario alone with its own contracts (perfect information): all columns local.

    Each scenario's block minimises its own loss; the policy rows measure
    shares on that scenario's deliveries.
    """
    S, n_need = rec.demand_kt.shape
    n_first, n_x, n_sp = first.matrix.shape[1], first.n_x, len(rec.spot_need)
    m_first = first.matrix.shape[0]
    coo = first.matrix.tocoo()
    scale = np.where(first.policy_rows[coo.row] & (coo.col < n_x), 1.0, 0.0)
    avail_at = np.where(coo.col < n_x, coo.col, 0)
    values1 = coo.data * (1.0 + scale * (rec.availability[:, avail_at] - 1.0))
    local = {"spot": n_first, "short": n_first + n_sp, "tail": 0, "demand": m_first}
    parts = [(coo.row, coo.col, values1)]
    parts += _scenario_entries(rec, np.arange(n_x), local, 0, False)
    parts.append(_policy_spot(first, rec, n_first, np.ones(S)))
    rows, cols, values = _stack(parts)
    ones = np.ones(S)
    c0_2, _ = _second_stage_costs(rec, Terms(terms.alpha, False, terms.fee_usd_t), ones)
    c0_1 = np.hstack(
        [
            rec.contract_usd_t * rec.availability + terms.fee_usd_t,
            np.zeros((S, first.n_bought)),
            np.broadcast_to(first.violation_cost, (S, first.n_violation)),
        ]
    )
    _, upper2, row_lower2, row_upper2 = _second_stage_bounds(rec, False)
    upper1 = np.where(rec.availability > 0, first.x_upper, 0.0)
    upper1 = np.hstack([upper1, np.full((S, n_first - n_x), np.inf)])
    cost = np.hstack([c0_1, c0_2])
    return Template(
        sp.csr_matrix((0, 0)),
        (np.zeros(0), np.zeros(0)),
        np.zeros(0),
        np.zeros(0),
        np.zeros(0),
        np.zeros(0),
        rows,
        cols,
        values,
        (cost, np.zeros_like(cost)),
        np.zeros_like(cost),
        np.hstack([upper1, upper2]),
        np.hstack([np.broadcast_to(first.row_lower, (S, m_first)), row_lower2]),
        np.hstack([np.broadcast_to(first.row_upper, (S, m_first)), row_upper2]),
        {},
        _slices(
            {
                "x": n_x,
                "bought": first.n_bought,
                "violation": first.n_violation,
                "spot": n_sp,
                "short": n_need,
            }
        ),
        _slices({"first": m_first, "demand": n_need, "pool": rec.pool_kt.shape[1]}),
    )
