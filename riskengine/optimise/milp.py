"""Optional extension: minimum order quantity and a supplier limit (the model becomes a MILP).

Off by default. When ``optimiser.min_order_t > 0`` or
``optimiser.max_suppliers_per_commodity`` is set, every ``x[b,o]`` gets a
binary ``y[b,o]`` (1 = buyer b orders from offer o), appended after the
shortfall columns, and the rows

* ``order_link``: ``x[b,o] - M[b,o] * y[b,o] <= 0``;
* ``min_order`` (when ``min_order_t > 0``): ``x[b,o] - m[b,o] * y[b,o] >= 0``;
* ``max_suppliers`` (when set): ``sum over offers o of c of y[b,o] <= N``.

``M[b,o]`` is the most buyer b can take from offer o on its own: the column's
upper bound (supplier cap, or the capacity or pro-rata slice it alone can
buy), the offer's capacity, and, for an offer outside the buyer's home, the
hard country cap on demand ``theta_k * D[b,c]`` (version 1). ``m[b,o] = min(min_order_t, M[b,o])``: the
minimum order is capped by what the offer can give, so ``y = 1`` never forces
an impossible order, and ``x = 0, y = 0`` still satisfies every row (the
model stays feasible without contracts). An offer with ``M = 0`` gets ``y``
fixed at 0.

A MILP has no duals: the result says so in ``message`` and reports no
shadow prices. Stress tests and scenario sweeps warm-start the LP and refuse
a MILP (:data:`LP_ONLY`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from riskengine.config.schema import OptimiserConfig
from riskengine.optimise.families import TONNES_PER_UNIT, Block, RhsSource, make_block

if TYPE_CHECKING:
    from riskengine.optimise.parameters import ModelArrays, Parameters
    from riskengine.optimise.problem import Structure

__all__ = ["LP_ONLY", "MILP_MESSAGE", "MILP_NOT_SOLVED", "is_milp", "milp_blocks", "order_limits"]

#: What a MILP result says about its duals.
MILP_MESSAGE = "MILP (minimum order quantity / supplier limit): shadow prices are not available"
#: What a MILP reported "infeasible" (impossible: buying nothing is feasible) means.
MILP_NOT_SOLVED = (
    "the solver found no integer plan before it stopped (CBC reports 'Integer "
    "infeasible' when its time limit ends the search early), although buying "
    "nothing is always feasible: raise optimiser.time_limit_s or try the other "
    "solver"
)
#: Why the stress tests and sweeps refuse a MILP.
LP_ONLY = (
    "stress tests need the LP: set optimiser.min_order_t: 0 and "
    "max_suppliers_per_commodity: null (the minimum order quantity and the supplier "
    "limit make the model a MILP, which the scenario sweep cannot warm-start)"
)


def is_milp(opt: OptimiserConfig) -> bool:
    """True when a minimum order quantity or a supplier limit is configured."""
    return opt.min_order_t > 0 or opt.max_suppliers_per_commodity is not None


def order_limits(
    structure: Structure, base: ModelArrays, caps: pd.DataFrame, opt: OptimiserConfig
) -> tuple[np.ndarray, np.ndarray]:
    """``M`` (most one buyer can take from one offer) and ``m`` (minimum order), tonnes.

    ``M`` is the x column's bound (supplier cap, or the capacity it alone may
    take), the offer's capacity, and a hard country cap on demand where one
    applies; a cap on consumption does not bound one order.
    """
    from riskengine.optimise._contracts import _hard_cap_t

    capacity = structure.offers["capacity_t"].to_numpy(dtype=float)[structure.x_offer]
    demand = structure.needs["demand_t"].to_numpy(dtype=float)
    most = np.minimum.reduce([base.x_upper_t, capacity, _hard_cap_t(structure, caps, demand)])
    most = np.maximum(most, 0.0)
    return most, np.minimum(float(opt.min_order_t), most)


def milp_blocks(
    structure: Structure,
    base: ModelArrays,
    caps: pd.DataFrame,
    opt: OptimiserConfig,
    params: Parameters,
) -> tuple[list[Block | None], np.ndarray]:
    """The ``order_link``, ``min_order`` and ``max_suppliers`` blocks and the y bounds."""
    most, least = order_limits(structure, base, caps, opt)
    x, lay = structure.x, structure.layout
    n, first_y = len(x), lay.y.start
    blocks: list[Block | None] = []
    rows = x[["buyer", "commodity", "country", "supplier_id"]].assign(rhs_t=0.0)
    link = (
        np.concatenate([np.arange(n), np.arange(n)]),
        np.concatenate([np.arange(n), first_y + np.arange(n)]),
        np.concatenate([np.ones(n), -most / TONNES_PER_UNIT]),
    )
    blocks.append(make_block("order_link", link, lay.n_cols, rows, "le"))
    if opt.min_order_t > 0:
        used = np.flatnonzero(least > 0)
        k = len(used)
        entries = (
            np.concatenate([np.arange(k), np.arange(k)]),
            np.concatenate([used, first_y + used]),
            np.concatenate([np.ones(k), -least[used] / TONNES_PER_UNIT]),
        )
        blocks.append(make_block("min_order", entries, lay.n_cols, rows.iloc[used], "ge"))
    limit = opt.max_suppliers_per_commodity
    if limit is not None:
        usable = x[most > 0]
        count = usable.groupby("need").size()
        over = count[count > limit].index
        chosen = usable[usable["need"].isin(over)]
        row = chosen.groupby("need", sort=True).ngroup().to_numpy()
        first = structure.needs.set_index("need").loc[sorted(over)].reset_index()
        table = first[["buyer", "commodity"]].assign(share=np.nan, rhs_t=float(limit))
        entries = (row, first_y + chosen.index.to_numpy(), np.ones(len(chosen)))
        rhs: tuple[RhsSource, np.ndarray, float] = (
            "count",
            np.zeros(len(first), dtype=int),
            float(limit),
        )
        blocks.append(make_block("max_suppliers", entries, lay.n_cols, table, "le", rhs))
    return blocks, (most > 0).astype(float)
