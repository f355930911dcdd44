"""The constraint families of the sourcing model, one ``_define_*`` function each.

Each returns a :class:`Block` of rows (``lower <= matrix @ columns <= upper``,
in model units) with a table mapping every row back to its buyer, commodity,
country or offer, or None when the family has no rows for this problem.
:func:`riskengine.optimise.problem.build_problem` stacks them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import scipy.sparse as sp

from riskengine.config.schema import Config
from riskengine.data.dataset import Dataset
from riskengine.enums import Mode
from riskengine.optimise import _columns, _milp
from riskengine.optimise._contracts import (
    check_contracts,
    contract_rhs,
    contract_rows,
)

__all__ = ["FAMILIES", "TONNES_PER_UNIT", "USD_PER_UNIT", "Block"]

#: Tonnes in one model unit of quantity (the model works in kilotonnes).
TONNES_PER_UNIT = 1000.0
#: USD in one model unit of objective (the model works in thousands of USD).
USD_PER_UNIT = 1000.0
#: Constraint families, in the order their blocks are stacked.
FAMILIES: dict[str, str] = {
    "demand": "served[b,c] + shortfall[b,c] = D[b,c]",
    "capacity": "sum over buyers of x[b,o] <= capacity_t[o]",
    "country_cap": "sum of x[b,o] over offers of c from country k <= theta_k * D[b,c]",
    "partner_floor": "sum of x[b,o] over home or partner offers - alpha * served[b,c] >= 0",
    "contract": "sum over buyers of x[b,o] >= contracted_t[o] (optional column)",
    "order_link": "x[b,o] - M[b,o] * y[b,o] <= 0: buying from an offer means ordering from it "
    "(MILP)",
    "min_order": "x[b,o] - m[b,o] * y[b,o] >= 0: an order is at least min(min_order_t, M[b,o]) "
    "(MILP)",
    "max_suppliers": "sum of y[b,o] over offers of c <= max_suppliers_per_commodity (MILP)",
}
_ROW_KEYS = ["family", "buyer", "commodity", "country", "supplier_id", "share", "rhs_t"]


@dataclass(frozen=True)
class Block:
    """One family of rows: ``lower <= matrix @ columns <= upper`` (model units).

    Attributes
    ----------
    family : str
        Key of :data:`FAMILIES`.
    matrix : scipy.sparse.csr_matrix
        Coefficients, one row per constraint, one column per problem column.
    lower, upper : ndarray
        Row bounds in kilotonnes (``-inf`` / ``inf`` where open).
    rows : DataFrame
        One row per constraint: ``family, buyer, commodity, country,
        supplier_id, share`` (theta or alpha, where one applies) and ``rhs_t``
        (the right-hand side in tonnes).
    """

    family: str
    matrix: sp.csr_matrix = field(repr=False)
    lower: np.ndarray = field(repr=False)
    upper: np.ndarray = field(repr=False)
    rows: pd.DataFrame = field(repr=False)

    @property
    def meaning(self) -> str:
        """The family's constraint in words."""
        return FAMILIES[self.family]

    def __len__(self) -> int:
        return self.matrix.shape[0]


# --------------------------------------------------------------------------- families


def _block(
    family: str,
    entries: tuple[np.ndarray, np.ndarray, np.ndarray],
    n_cols: int,
    bounds: tuple[np.ndarray, np.ndarray],
    rows: pd.DataFrame,
    unit: float = TONNES_PER_UNIT,
) -> Block | None:
    """A block from (row, column, value) triplets; None when it has no rows.

    ``bounds`` are in tonnes (divided by ``unit`` into model units); a count
    such as the supplier limit passes ``unit=1``.
    """
    if rows.empty:
        return None
    row, col, val = entries
    matrix = sp.csr_matrix((val, (row, col)), shape=(len(rows), n_cols))
    matrix.sum_duplicates()
    matrix.eliminate_zeros()
    frame = rows.assign(family=family).reindex(columns=_ROW_KEYS).reset_index(drop=True)
    frame = frame.astype({k: "str" for k in _ROW_KEYS[:5]} | {"share": float, "rhs_t": float})
    lower, upper = bounds
    return Block(family, matrix, lower / unit, upper / unit, frame)


def _define_demand(x: pd.DataFrame, pairs: pd.DataFrame, n_cols: int) -> Block | None:
    """served[b,c] + shortfall[b,c] = D[b,c], one equality row per pair."""
    n_x, n_p = len(x), len(pairs)
    row = np.concatenate([x["pair"].to_numpy(), np.arange(n_p)])
    col = np.arange(n_x + n_p)
    rows = pairs[["buyer", "commodity"]].assign(rhs_t=pairs["demand_t"])
    demand = pairs["demand_t"].to_numpy()
    return _block("demand", (row, col, np.ones(n_x + n_p)), n_cols, (demand, demand), rows)


def _define_capacity(x: pd.DataFrame, mode: Mode, n_cols: int) -> Block | None:
    """Capacity of an offer several buyers can buy (joint mode; lone buyers get a bound)."""
    if mode is not Mode.JOINT:
        return None
    keys = ["commodity", "supplier_id"]
    shared = x[x.groupby(keys)["buyer"].transform("size").to_numpy() >= 2]
    row = shared.groupby(keys, sort=True).ngroup().to_numpy()
    first = shared.drop_duplicates(keys).sort_values(keys)
    cap = first["capacity_t"].to_numpy()
    rows = first[["commodity", "supplier_id", "country"]].assign(rhs_t=cap)
    return _block(
        "capacity",
        (row, shared.index.to_numpy(), np.ones(len(shared))),
        n_cols,
        (np.full(len(cap), -np.inf), cap),
        rows,
    )


def _define_country_cap(x: pd.DataFrame, config: Config, n_cols: int) -> Block | None:
    """Tonnes from one non-home country <= theta_k * D[b,c], per buyer and commodity."""
    opt = config.optimiser
    keys = ["pair", "country"]
    foreign = x[x["relation"] != "home"]
    row = foreign.groupby(keys, sort=True).ngroup().to_numpy()
    first = foreign.drop_duplicates(keys).sort_values(keys)
    caps, default = opt.country_share_overrides, opt.max_country_share
    theta = first["country"].map(lambda k: caps.get(k, default)).to_numpy(dtype=float)
    rhs = theta * first["demand_t"].to_numpy()
    rows = first[["buyer", "commodity", "country"]].assign(share=theta, rhs_t=rhs)
    return _block(
        "country_cap",
        (row, foreign.index.to_numpy(), np.ones(len(foreign))),
        n_cols,
        (np.full(len(rhs), -np.inf), rhs),
        rows,
    )


def _define_partner_floor(x: pd.DataFrame, config: Config, n_cols: int) -> Block | None:
    """(1 - alpha) * trusted tonnes - alpha * other tonnes >= 0, per buyer and commodity."""
    alpha = float(config.optimiser.min_partner_share)
    if alpha == 0:
        return None
    trusted = x["relation"].isin(["home", "partner"]).to_numpy()
    coef = np.where(trusted, 1.0 - alpha, -alpha)
    used = x[coef != 0]
    row = used.groupby("pair", sort=True).ngroup().to_numpy()
    first = used.drop_duplicates("pair").sort_values("pair")
    rows = first[["buyer", "commodity"]].assign(share=alpha, rhs_t=0.0)
    zero = np.zeros(len(first))
    return _block(
        "partner_floor",
        (row, used.index.to_numpy(), coef[coef != 0]),
        n_cols,
        (zero, np.full(len(first), np.inf)),
        rows,
    )


def _define_contract(
    dataset: Dataset, x: pd.DataFrame, config: Config, mode: Mode, n_cols: int
) -> Block | None:
    """Existing contracts as minimum tonnes per offer (only with a ``contracted_t`` column)."""
    offers = _columns.offers(dataset, config)
    if not (offers["contracted_t"] > 0).any():
        return None
    total = x.drop_duplicates("pair").groupby("commodity")["demand_t"].sum()
    x = x.assign(
        commodity_demand_t=x["commodity"].map(total),
        country_cap_t=_milp.country_cap_t(x, config.optimiser),
    )
    under, row = contract_rows(x, mode)
    lines = contract_rhs(under, row, mode)
    check_contracts(dataset, lines, offers[offers["contracted_t"] > 0])
    rhs = lines["rhs_t"].to_numpy()
    return _block(
        "contract",
        (row, under.index.to_numpy(), np.ones(len(under))),
        n_cols,
        (rhs, np.full(len(rhs), np.inf)),
        lines,
    )


def _offer_rows(x: pd.DataFrame, **values: np.ndarray) -> pd.DataFrame:
    """Row index of a family with one row per x column."""
    return x[["buyer", "commodity", "country", "supplier_id"]].assign(**values)


def _define_order_link(x: pd.DataFrame, config: Config, first_y: int) -> Block | None:
    """x[b,o] - M[b,o] * y[b,o] <= 0 for every x column (MILP only); y starts at ``first_y``."""
    if not _milp.is_milp(config.optimiser):
        return None
    most, _ = _milp.order_limits(x, config.optimiser)
    n = len(x)
    row = np.concatenate([np.arange(n), np.arange(n)])
    col = np.concatenate([np.arange(n), first_y + np.arange(n)])
    val = np.concatenate([np.ones(n), -most / TONNES_PER_UNIT])
    rows = _offer_rows(x, rhs_t=0.0)
    return _block(
        "order_link", (row, col, val), first_y + n, (np.full(n, -np.inf), np.zeros(n)), rows
    )


def _define_min_order(x: pd.DataFrame, config: Config, first_y: int) -> Block | None:
    """x[b,o] - m[b,o] * y[b,o] >= 0 where an order has a minimum (min_order_t > 0)."""
    opt = config.optimiser
    if opt.min_order_t <= 0:
        return None
    _, least = _milp.order_limits(x, opt)
    used = np.flatnonzero(least > 0)
    n, k = len(x), len(used)
    row = np.concatenate([np.arange(k), np.arange(k)])
    col = np.concatenate([used, first_y + used])
    val = np.concatenate([np.ones(k), -least[used] / TONNES_PER_UNIT])
    rows = _offer_rows(x.iloc[used], rhs_t=0.0)
    return _block(
        "min_order", (row, col, val), first_y + n, (np.zeros(k), np.full(k, np.inf)), rows
    )


def _define_max_suppliers(
    x: pd.DataFrame, pairs: pd.DataFrame, config: Config, first_y: int
) -> Block | None:
    """sum of y[b,o] over the offers of c <= N, per buyer and commodity with more than N offers."""
    limit = config.optimiser.max_suppliers_per_commodity
    if limit is None:
        return None
    most, _ = _milp.order_limits(x, config.optimiser)
    usable = x[most > 0]
    count = usable.groupby("pair").size()
    over = count[count > limit].index
    chosen = usable[usable["pair"].isin(over)]
    row = chosen.groupby("pair", sort=True).ngroup().to_numpy()
    first = pairs.set_index("pair").loc[sorted(over)].reset_index()
    rows = first[["buyer", "commodity"]].assign(share=np.nan, rhs_t=np.nan)
    n = len(first)
    return _block(
        "max_suppliers",
        (row, first_y + chosen.index.to_numpy(), np.ones(len(chosen))),
        first_y + len(x),
        (np.full(n, -np.inf), np.full(n, float(limit))),
        rows,
        unit=1.0,
    )
