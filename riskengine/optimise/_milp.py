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
country cap ``theta_k * D[b,c]``. ``m[b,o] = min(min_order_t, M[b,o])``: the
minimum order is capped by what the offer can give, so ``y = 1`` never forces
an impossible order, and ``x = 0, y = 0`` still satisfies every row (the
model stays feasible without contracts). An offer with ``M = 0`` gets ``y``
fixed at 0.

A MILP has no duals: the result says so in ``message`` and reports no
shadow prices. Stress tests and scenario sweeps warm-start the LP and refuse
a MILP (:data:`LP_ONLY`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from riskengine.config.schema import OptimiserConfig

__all__ = ["LP_ONLY", "MILP_MESSAGE", "MILP_NOT_SOLVED", "is_milp", "order_limits", "y_columns"]

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


def country_cap_t(x: pd.DataFrame, opt: OptimiserConfig) -> pd.Series:
    """``theta_k * D[b,c]`` for each x column; inf for home offers (no cap)."""
    theta = x["country"].map(lambda k: opt.country_share_overrides.get(k, opt.max_country_share))
    return (theta.astype(float) * x["demand_t"]).where(x["relation"] != "home", np.inf)


def order_limits(x: pd.DataFrame, opt: OptimiserConfig) -> tuple[np.ndarray, np.ndarray]:
    """``M`` (most one buyer can take from one offer) and ``m`` (minimum order), tonnes."""
    most = np.minimum.reduce(
        [
            x["ub_t"].to_numpy(dtype=float),
            x["capacity_t"].to_numpy(dtype=float),
            country_cap_t(x, opt).to_numpy(dtype=float),
        ]
    )
    most = np.maximum(most, 0.0)
    return most, np.minimum(float(opt.min_order_t), most)


def y_columns(x: pd.DataFrame, columns: pd.DataFrame) -> pd.DataFrame:
    """One ``y`` row per x column, in the columns table's layout (no prices: y costs nothing)."""
    keys = [
        "buyer",
        "commodity",
        "supplier_id",
        "country",
        "relation",
        "demand_t",
        "capacity_t",
        "pair",
    ]
    y = x[keys].assign(
        kind="y",
        price_usd_per_kg=np.nan,
        risk_score=np.nan,
        penalty_usd_per_kg=np.nan,
        ub_t=np.nan,
        ub_source="binary",
    )
    return y.reindex(columns=columns.columns).astype(columns.dtypes.to_dict())
