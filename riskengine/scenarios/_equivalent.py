"""The two-stage model of contract 5.3 as arrays: the first stage and one scenario's block.

Columns (model units: kilotonnes, thousands of USD):

- first stage, shared by every scenario: ``x`` (contracted tonnes per buyer,
  offer and year), ``bought`` and ``violation`` (the soft policy rows,
  measured on the contracts' expected deliveries), ``z`` (the product mix,
  tonnes of each magnet variant, over a horizon), ``eta`` (the value-at-risk
  of each CVaR group);
- per scenario: ``spot`` (tonnes requested from a spot pool), ``short``
  (unmet demand per need), ``stock`` and ``gap`` (each need's stock at the
  year's end and its shortfall below the stock target, over a horizon) and
  ``tail`` (loss above ``eta`` per group).

Rows: the first stage's capacity, contract, policy and product rows (the
deterministic model's own blocks); per scenario, ``demand`` (the
deterministic balance row with the contracts' delivered share: delivered
contracts + spot + short + stock drawn - products' use >= demand),
``target`` (stock + gap >= target), ``pool`` (delivered contracts + spot
requests <= the pool's capacity) and ``loss`` (loss - eta - tail <= 0).
Within a scenario the stock path sees that scenario's years ahead (a
two-stage model: only the contracts and the product mix are fixed before
the scenario is known).

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

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import scipy.sparse as sp

from riskengine.optimise.families import TONNES_PER_UNIT, Block
from riskengine.optimise.parameters import model_arrays
from riskengine.optimise.problem import Problem
from riskengine.scenarios._recourse import Recourse

__all__ = [
    "FIRST_FAMILIES",
    "SCENARIO_FAMILIES",
    "Dynamics",
    "FirstStage",
    "Template",
    "Terms",
    "build_template",
    "build_wait_and_see",
    "dynamics",
    "first_stage",
]

#: Deterministic-model blocks of the first stage (contracts, policy shares, product mix).
FIRST_FAMILIES = ("bought", "capacity", "country_cap", "partner_floor", "contract", "product")
#: ... of which these measure policy shares: their x coefficients become expected deliveries.
POLICY_FAMILIES = ("bought", "country_cap", "partner_floor")
#: Deterministic-model blocks each scenario carries with its own numbers (rows in this order).
SCENARIO_FAMILIES = ("demand", "stock_target")


# --------------------------------------------------------------------------- template


@dataclass(frozen=True, repr=False)
class Template:
    """A first stage (global columns and rows) and one scenario's block (local), for S scenarios.

    Entries of the scenario block: ``rows`` (``< m1``: a global row; ``>= m1``:
    local row ``rows - m1``), ``cols`` (``< n1``: a global column; ``>= n1``:
    local column ``cols - n1``) and ``values`` per scenario ``(S, entries)``.
    Costs are ``c0 + beta * c1``. ``plan1`` lists the global columns a fixed
    plan sets (x, then z).
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
    plan1: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))

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
    """The first-stage columns (x | bought | violation | z) and rows, from the deterministic
    structure (model units); ``columns`` are their positions in the deterministic layout."""

    matrix: sp.csr_matrix
    row_lower: np.ndarray
    row_upper: np.ndarray
    lower: np.ndarray
    upper: np.ndarray
    policy_rows: np.ndarray
    policy_x: sp.csr_matrix
    columns: np.ndarray
    n_x: int
    n_bought: int
    n_violation: int
    n_z: int
    violation_cost: np.ndarray
    violation_need: np.ndarray
    z_cost: np.ndarray

    @property
    def x_upper(self) -> np.ndarray:
        """Upper bound of every x, kt."""
        return self.upper[: self.n_x]

    @property
    def z_at(self) -> slice:
        """The z columns among the first stage's."""
        return slice(self.n_x + self.n_bought + self.n_violation, len(self.columns))

    def costs(self, purchase: np.ndarray, fee: np.ndarray) -> np.ndarray:
        """Cost of every first-stage column, x priced at ``purchase + fee`` (kUSD per kt)."""
        zeros = np.zeros(self.n_bought)
        return np.concatenate([purchase + fee, zeros, self.violation_cost, self.z_cost])


def _first_rows(problem: Problem, cols: np.ndarray) -> tuple[list[Any], ...]:
    st, arrays = problem.structure, problem.arrays
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
    return mats, lows, ups, policy


def _contract_bounds(problem: Problem) -> tuple[np.ndarray, np.ndarray]:
    """Bounds of the contracts x without the expected licence share (kt).

    The deterministic model bounds a purchase from a licensed exporter by the
    expected approval share of its capacity, ``g K``. A contract is an order:
    the scenarios draw which share of it the licences let through (``A``), so
    bounding the order by ``g K`` as well would count the licence twice.
    """
    free = model_arrays(problem.structure, problem.params.replace(availability=None))
    lay = problem.layout
    return free.lower[lay.x], free.upper[lay.x]


def first_stage(problem: Problem, delivered: np.ndarray) -> FirstStage:
    """Rows of :data:`FIRST_FAMILIES` over columns x | bought | violation | z.

    ``delivered`` (per x) scales the x coefficients of the policy rows: a
    share is measured on what the buyer can expect to receive, its contracts'
    expected deliveries plus (:func:`_policy_spot`) its expected spot purchases.
    """
    st, arrays = problem.structure, problem.arrays
    lay = st.layout
    cols = np.r_[
        np.arange(lay.n_x),
        np.arange(lay.bought.start, lay.violation.stop),
        np.arange(lay.z.start, lay.z.stop),
    ].astype(np.int64)
    mats, lows, ups, policy = _first_rows(problem, cols)
    n = len(cols)
    matrix = sp.vstack(mats, format="csr") if mats else sp.csr_matrix((0, n))
    unscaled = matrix
    flags = np.concatenate(policy) if policy else np.zeros(0, bool)
    scale = np.ones(n)
    scale[: lay.n_x] = delivered
    scaled = sp.diags(np.where(flags, 1.0, 0.0)) @ matrix @ sp.diags(scale)
    matrix = (sp.diags(np.where(flags, 0.0, 1.0)) @ matrix + scaled).tocsr()
    matrix.eliminate_zeros()
    lower, upper = arrays.lower[cols], arrays.upper[cols]
    if problem.params.availability is not None:  # see _contract_bounds
        lower[: lay.n_x], upper[: lay.n_x] = _contract_bounds(problem)
    return FirstStage(
        matrix=matrix,
        row_lower=np.concatenate(lows) if lows else np.zeros(0),
        row_upper=np.concatenate(ups) if ups else np.zeros(0),
        lower=lower,
        upper=upper,
        policy_rows=flags,
        policy_x=(sp.diags(np.where(flags, 1.0, 0.0)) @ unscaled[:, : lay.n_x]).tocsr(),
        columns=cols,
        n_x=lay.n_x,
        n_bought=lay.n_bought,
        n_violation=lay.n_violation,
        n_z=lay.n_z,
        violation_cost=arrays.parts["violation"][lay.violation],
        violation_need=st.violations["need"].to_numpy(dtype=int),
        z_cost=arrays.parts["thrifting"][lay.z],
    )


@dataclass(frozen=True)
class Terms:
    """Settings of the LP: CVaR level, whether its rows exist, fee per contracted tonne (USD/t)."""

    alpha: float
    with_cvar: bool
    fee_usd_t: np.ndarray


# --------------------------------------------------------------------------- scenario block


@dataclass(frozen=True, repr=False)
class Dynamics:
    """Stocks and the deterministic rows each scenario carries (model units).

    ``stock_need``/``gap_need``: the need of every stock and gap column;
    ``holding``/``gap_cost``: their costs (kUSD per kt); ``stock_max_kt``:
    each stock's upper bound; ``blocks``: the :data:`SCENARIO_FAMILIES` blocks
    present, with the need of each row; ``balance_rhs``: direct demand and
    opening stock per need (tonnes); ``target_t``: each stock target, tonnes.
    """

    stock_need: np.ndarray
    stock_max_kt: np.ndarray
    gap_need: np.ndarray
    holding: np.ndarray
    gap_cost: np.ndarray
    blocks: tuple[tuple[Block, np.ndarray], ...]
    balance_rhs: tuple[np.ndarray, np.ndarray]
    target_t: np.ndarray

    @property
    def n_demand_rows(self) -> int:
        """Demand and stock-target rows per scenario."""
        return sum(len(b) for b, _ in self.blocks)


def dynamics(problem: Problem) -> Dynamics:
    """Stocks, stock targets and the balance rows' right-hand-side parts of ``problem``."""
    st, arrays, params = problem.structure, problem.arrays, problem.params
    lay = st.layout
    stock_need = st.stocks["need"].to_numpy(dtype=int) if lay.n_stock else np.zeros(0, int)
    gap_need = st.gaps["need"].to_numpy(dtype=int) if lay.n_gap else np.zeros(0, int)
    need_of = {"demand": np.arange(lay.n_need), "stock_target": gap_need}
    blocks = tuple((b, need_of[b.family]) for b in st.blocks if b.family in SCENARIO_FAMILIES)
    direct = params.demand_t if params.direct_demand_t is None else params.direct_demand_t
    opening = np.zeros(lay.n_need) if params.opening_t is None else params.opening_t
    target = params.stock_target_t if lay.n_gap else np.zeros(0)
    return Dynamics(
        stock_need,
        arrays.upper[lay.stock],
        gap_need,
        arrays.parts["holding"][lay.stock],
        arrays.parts["violation"][lay.gap],
        blocks,
        (np.asarray(direct, float), np.asarray(opening, float)),
        np.asarray(target, float),
    )


def _block_entries(
    problem: Problem, first: FirstStage, rec: Recourse, dyn: Dynamics, local: dict[str, int]
) -> list[tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """The demand and stock-target rows: x scaled by what is delivered, z by the demand factor."""
    lay = problem.structure.layout
    to = np.full(lay.n_cols, -1, dtype=np.int64)
    to[first.columns] = np.arange(len(first.columns))
    to[lay.shortfall] = local["short"] + np.arange(lay.n_need)
    to[lay.stock] = local["stock"] + np.arange(lay.n_stock)
    to[lay.gap] = local["gap"] + np.arange(lay.n_gap)
    parts, row0 = [], local["demand"]
    for block, need in dyn.blocks:
        coo = block.matrix.tocoo()
        values = np.repeat(coo.data[None, :], rec.availability.shape[0], axis=0)
        is_x = coo.col < lay.n_x
        values[:, is_x] *= rec.availability[:, coo.col[is_x]]
        is_z = (coo.col >= lay.z.start) & (coo.col < lay.z.stop)
        values[:, is_z] *= rec.demand_factor[:, need[coo.row[is_z]]]
        parts.append((row0 + coo.row, to[coo.col], values))
        row0 += len(block)
    return parts


def _loss_entries(
    rec: Recourse, dyn: Dynamics, local: dict[str, int], eta: int
) -> list[tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """Loss rows: contract deliveries, spot, lost supply, stock holding and gaps - eta - tail."""
    S, n_need = rec.demand_kt.shape
    n_sp, n_g = len(rec.spot_need), rec.n_groups
    loss, g = local["loss"], np.arange(n_g)
    x_col = np.arange(len(rec.x_need))

    def cost(values: np.ndarray) -> np.ndarray:
        return np.broadcast_to(values, (S, len(values)))

    return [
        (loss + rec.group[rec.x_need], x_col, rec.contract_usd_t * rec.availability),
        (
            loss + rec.group[rec.spot_need],
            local["spot"] + np.arange(n_sp),
            rec.spot_usd_t * rec.spot_share,
        ),
        (loss + rec.group, local["short"] + np.arange(n_need), cost(rec.value_usd_t)),
        (
            loss + rec.group[dyn.stock_need],
            local["stock"] + np.arange(len(dyn.stock_need)),
            cost(dyn.holding),
        ),
        (
            loss + rec.group[dyn.gap_need],
            local["gap"] + np.arange(len(dyn.gap_need)),
            cost(dyn.gap_cost),
        ),
        (loss + g, eta + g, -np.ones((S, n_g))),
        (loss + g, local["tail"] + g, -np.ones((S, n_g))),
    ]


def _scenario_entries(
    problem: Problem,
    first: FirstStage,
    rec: Recourse,
    dyn: Dynamics,
    local: dict[str, int],
    eta: int,
    with_cvar: bool,
) -> list[tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """(local rows, columns, values (S, n)) of demand, target, pool and loss rows."""
    S = rec.demand_kt.shape[0]
    n_sp = len(rec.spot_need)
    spot = local["spot"] + np.arange(n_sp)
    x_col = np.arange(first.n_x)
    parts = _block_entries(problem, first, rec, dyn, local)
    parts += [
        (local["demand"] + rec.spot_need, spot, rec.spot_share),
        (local["pool"] + rec.pool_x, x_col, rec.availability),
        (local["pool"] + rec.spot_pool, spot, np.ones((S, n_sp))),
    ]
    if with_cvar:
        parts += _loss_entries(rec, dyn, local, eta)
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


def _demand_rhs(rec: Recourse, dyn: Dynamics) -> np.ndarray:
    """``(S, demand and target rows)``: balance = direct demand x factor - opening stock;
    target = the target x the factor of its need's demand (kt)."""
    direct, opening = dyn.balance_rhs
    f = rec.demand_factor
    out = []
    for block, need in dyn.blocks:
        if block.family == "demand":
            rhs = direct[block.rhs_ref] * f[:, need] - opening[block.rhs_ref]
        else:
            rhs = dyn.target_t[block.rhs_ref] * f[:, need]
        out.append(block.rhs_coef * rhs / TONNES_PER_UNIT)
    S = f.shape[0]
    return np.hstack(out) if out else np.zeros((S, 0))


def _second_stage_bounds(
    rec: Recourse, dyn: Dynamics, with_cvar: bool
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Per scenario: column lower/upper of spot | short | stock | gap | tail, row lower/upper
    of demand and target | pool | loss."""
    S, n_need = rec.demand_kt.shape
    n_g = rec.n_groups if with_cvar else 0
    spot_up = np.where(rec.spot_share > 0, np.inf, 0.0)
    stock_up = np.broadcast_to(dyn.stock_max_kt, (S, len(dyn.stock_need)))
    gaps = np.full((S, len(dyn.gap_need) + n_g), np.inf)
    upper = np.hstack([spot_up, np.full((S, n_need), np.inf), stock_up, gaps])
    n_rows = dyn.n_demand_rows
    inf = np.full((S, rec.pool_kt.shape[1]), -np.inf)
    row_lower = np.hstack([_demand_rhs(rec, dyn), inf, np.full((S, n_g), -np.inf)])
    row_upper = np.hstack([np.full((S, n_rows), np.inf), rec.pool_kt, np.zeros((S, n_g))])
    return np.zeros_like(upper), upper, row_lower, row_upper


def _second_stage_costs(
    rec: Recourse, dyn: Dynamics, terms: Terms, weight: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    S, n_need = rec.demand_kt.shape
    n_g = rec.n_groups if terms.with_cvar else 0
    w = weight[:, None]
    c0 = np.hstack(
        [
            w * rec.spot_usd_t * rec.spot_share,
            w * rec.value_usd_t,
            w * dyn.holding,
            w * dyn.gap_cost,
            np.zeros((S, n_g)),
        ]
    )
    n_other = len(rec.spot_need) + n_need + len(dyn.stock_need) + len(dyn.gap_need)
    c1 = np.hstack([np.zeros((S, n_other)), np.repeat(w / (1 - terms.alpha), n_g, axis=1)])
    return c0, c1


def _local_sizes(rec: Recourse, dyn: Dynamics, n_g: int) -> dict[str, int]:
    return {
        "spot": len(rec.spot_need),
        "short": rec.demand_kt.shape[1],
        "stock": len(dyn.stock_need),
        "gap": len(dyn.gap_need),
        "tail": n_g,
    }


def _starts(sizes: dict[str, int], at: int) -> dict[str, int]:
    return {name: at + s.start for name, s in _slices(sizes).items()}


def _row_slices(rec: Recourse, dyn: Dynamics, n_g: int) -> dict[str, slice]:
    """A scenario's rows: demand and target | pool | loss."""
    return _slices({"demand": dyn.n_demand_rows, "pool": rec.pool_kt.shape[1], "loss": n_g})


def build_template(problem: Problem, first: FirstStage, rec: Recourse, terms: Terms) -> Template:
    """The two-stage LP: contracts shared by all scenarios, each scenario's recourse local."""
    dyn = dynamics(problem)
    n_first, n_x, n_g = len(first.columns), first.n_x, rec.n_groups if terms.with_cvar else 0
    sizes1 = {"x": n_x, "bought": first.n_bought, "violation": first.n_violation, "z": first.n_z}
    kinds1 = _slices(sizes1 | {"eta": n_g})
    n1, m1, S = n_first + n_g, first.matrix.shape[0], rec.demand_kt.shape[0]
    sizes = _local_sizes(rec, dyn, n_g)
    row_kinds = _row_slices(rec, dyn, n_g)
    local = _starts(sizes, n1) | {k: m1 + v.start for k, v in row_kinds.items()}
    parts = _scenario_entries(problem, first, rec, dyn, local, n_first, terms.with_cvar)
    parts.append(_policy_spot(first, rec, local["spot"], rec.probability))
    rows, cols, values = _stack(parts)
    purchase = rec.probability @ (rec.contract_usd_t * rec.availability)
    fee = terms.fee_usd_t
    cost1 = (
        np.r_[first.costs(purchase, fee), np.zeros(n_g)],
        np.r_[first.costs(fee, np.zeros(n_x)), np.ones(n_g)],
    )
    deliverable = rec.availability.max(axis=0) > 0 if S else np.ones(n_x, bool)
    upper1 = np.r_[first.upper, np.full(n_g, np.inf)]
    upper1[:n_x] = first.x_upper * deliverable
    lower1 = np.r_[np.minimum(first.lower, upper1[:n_first]), np.full(n_g, -np.inf)]
    lower, upper, row_lower, row_upper = _second_stage_bounds(rec, dyn, terms.with_cvar)
    first_matrix = sp.hstack([first.matrix, sp.csr_matrix((m1, n_g))]).tocsr()
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
        _second_stage_costs(rec, dyn, terms, rec.probability),
        lower,
        upper,
        row_lower,
        row_upper,
        kinds1,
        _slices(sizes),
        row_kinds,
        np.r_[np.arange(n_x), np.arange(kinds1["z"].start, kinds1["z"].stop)].astype(np.int64),
    )


def build_wait_and_see(
    problem: Problem, first: FirstStage, rec: Recourse, terms: Terms
) -> Template:
    """Every scenario alone with its own contracts (perfect information): all columns local.

    Each scenario's block minimises its own loss; the policy rows measure
    shares on that scenario's deliveries.
    """
    dyn = dynamics(problem)
    S = rec.demand_kt.shape[0]
    n_first, n_x = len(first.columns), first.n_x
    m_first = first.matrix.shape[0]
    coo = first.matrix.tocoo()
    scale = np.where(first.policy_rows[coo.row] & (coo.col < n_x), 1.0, 0.0)
    avail_at = np.where(coo.col < n_x, coo.col, 0)
    values1 = coo.data * (1.0 + scale * (rec.availability[:, avail_at] - 1.0))
    sizes = _local_sizes(rec, dyn, 0)
    local = _starts(sizes, n_first) | {
        k: m_first + v.start for k, v in _row_slices(rec, dyn, 0).items()
    }
    parts = [(coo.row, coo.col, values1)]
    parts += _scenario_entries(problem, first, rec, dyn, local, 0, False)
    parts.append(_policy_spot(first, rec, local["spot"], np.ones(S)))
    rows, cols, values = _stack(parts)
    ones = np.ones(S)
    c0_2, _ = _second_stage_costs(rec, dyn, Terms(terms.alpha, False, terms.fee_usd_t), ones)
    c0_1 = np.hstack(
        [
            rec.contract_usd_t * rec.availability + terms.fee_usd_t,
            np.broadcast_to(first.costs(np.zeros(n_x), np.zeros(n_x))[n_x:], (S, n_first - n_x)),
        ]
    )
    _, upper2, row_lower2, row_upper2 = _second_stage_bounds(rec, dyn, False)
    upper1 = np.broadcast_to(first.upper, (S, n_first)).copy()
    upper1[:, :n_x] = np.where(rec.availability > 0, first.x_upper, 0.0)
    lower1 = np.minimum(np.broadcast_to(first.lower, (S, n_first)), upper1)
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
        np.hstack([lower1, np.zeros_like(upper2)]),
        np.hstack([upper1, upper2]),
        np.hstack([np.broadcast_to(first.row_lower, (S, m_first)), row_lower2]),
        np.hstack([np.broadcast_to(first.row_upper, (S, m_first)), row_upper2]),
        {},
        _slices(
            {"x": n_x, "bought": first.n_bought, "violation": first.n_violation, "z": first.n_z}
            | sizes
        ),
        _slices({"first": m_first, "demand": dyn.n_demand_rows, "pool": rec.pool_kt.shape[1]}),
    )
