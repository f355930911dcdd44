"""The sourcing LP of contract section 5, defined once as data.

:func:`build_problem` turns a dataset, a configuration and risk scores into a
:class:`Problem`: column costs and bounds, and one sparse :class:`Block` of rows
per constraint family, each with a table mapping its rows back to buyers,
commodities, countries and offers. Both backends (``_highs``, ``_pulp``) read
this object; neither re-derives the model.

Units inside the model: tonnes are kilotonnes (``TONNES_PER_UNIT``) and the
objective is in thousands of USD (``USD_PER_UNIT``), so a cost coefficient in
kUSD per kt is numerically USD per tonne. Everything public is reported in
tonnes and USD.

Single-variable limits are column bounds, not rows: the supplier cap
``sigma * D[b,c]`` always, and the capacity of an offer when only one buyer can
buy it (``joint`` mode) or in ``separate`` mode, where each buyer gets
``capacity_t * D[b,c] / sum_b' D[b',c]`` of every offer. ``separate`` is solved
as one model whose buyers share no row, which is the same as solving each buyer
alone. Columns are built in ``_columns``; the optional ``contract`` family
(minimum volumes from a ``contracted_t`` column) is described in ``_contracts``,
and the optional MILP families (``order_link``, ``min_order``,
``max_suppliers``: minimum order quantity and supplier limit, with binary
``y`` columns after the shortfalls) in ``_milp``. Without those options the
problem is the LP of contract section 5, unchanged.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from functools import cached_property

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

__all__ = ["FAMILIES", "TONNES_PER_UNIT", "USD_PER_UNIT", "Block", "Problem", "build_problem"]

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


@dataclass(frozen=True)
class Problem:
    """The sourcing LP as arrays: ``min cost @ v`` s.t. blocks and ``lower <= v <= upper``.

    Columns are the ``x[b,o]`` (tonnes bought by buyer b from offer o) followed
    by one ``shortfall[b,c]`` per buyer and commodity with demand and, only
    with a minimum order quantity or a supplier limit (a MILP), one binary
    ``y[b,o]`` per x column (1 = the buyer orders from the offer).

    Attributes
    ----------
    mode : Mode
        ``joint`` or ``separate``.
    risk_aversion : float
        Lambda used in ``cost``.
    columns : DataFrame
        One row per column: ``kind`` (x, shortfall or y), ``buyer, commodity,
        supplier_id, country, relation`` (home, partner, other),
        ``price_usd_per_kg, risk_score, demand_t, penalty_usd_per_kg,
        capacity_t, ub_t, ub_source`` (capacity or supplier_cap: which limit
        sets the column's upper bound) and ``pair`` (buyer-commodity index).
    base_cost, risk_cost : ndarray
        USD per tonne (= kUSD per kt): price or penalty, and the risk charge
        per unit of lambda; ``cost = base_cost + risk_aversion * risk_cost``
        (0 for y columns).
    lower, upper : ndarray
        Column bounds in kilotonnes (0 and 1 for y columns).
    blocks : tuple of Block
        Constraint families in :data:`FAMILIES` order (empty ones omitted).
    settings : dict
        theta, sigma, alpha, the per-country caps, min_order_t and
        max_suppliers_per_commodity used.
    integrality : ndarray of bool, optional
        True for integer (binary y) columns; None for the LP.
    """

    mode: Mode
    risk_aversion: float
    columns: pd.DataFrame = field(repr=False)
    base_cost: np.ndarray = field(repr=False)
    risk_cost: np.ndarray = field(repr=False)
    lower: np.ndarray = field(repr=False)
    upper: np.ndarray = field(repr=False)
    blocks: tuple[Block, ...] = field(repr=False)
    settings: dict[str, object] = field(default_factory=dict, repr=False)
    integrality: np.ndarray | None = field(default=None, repr=False)

    @property
    def is_mip(self) -> bool:
        """True when some column is integer (minimum order quantity or supplier limit)."""
        return self.integrality is not None and bool(np.any(self.integrality))

    @property
    def cost(self) -> np.ndarray:
        """Objective coefficients, kUSD per kt (numerically USD per tonne)."""
        return self.base_cost + self.risk_aversion * self.risk_cost

    @property
    def n_cols(self) -> int:
        """Number of columns."""
        return len(self.columns)

    @cached_property
    def n_x(self) -> int:
        """Number of ``x`` columns (they come first)."""
        return int((self.columns["kind"] == "x").sum())

    @cached_property
    def n_pairs(self) -> int:
        """Number of ``shortfall`` columns (one per buyer and commodity; after the x)."""
        return int((self.columns["kind"] == "shortfall").sum())

    @property
    def n_rows(self) -> int:
        """Number of rows over all blocks."""
        return sum(len(b) for b in self.blocks)

    @cached_property
    def matrix(self) -> sp.csr_matrix:
        """All blocks stacked (rows in block order)."""
        if not self.blocks:
            return sp.csr_matrix((0, self.n_cols))
        return sp.vstack([b.matrix for b in self.blocks], format="csr")

    @cached_property
    def row_lower(self) -> np.ndarray:
        """Lower row bounds, stacked."""
        return np.concatenate([b.lower for b in self.blocks]) if self.blocks else np.zeros(0)

    @cached_property
    def row_upper(self) -> np.ndarray:
        """Upper row bounds, stacked."""
        return np.concatenate([b.upper for b in self.blocks]) if self.blocks else np.zeros(0)

    @cached_property
    def rows(self) -> pd.DataFrame:
        """Row index of all blocks, stacked (one row per constraint)."""
        if not self.blocks:
            return pd.DataFrame(columns=_ROW_KEYS)
        return pd.concat([b.rows for b in self.blocks], ignore_index=True)

    def with_risk_aversion(self, risk_aversion: float) -> Problem:
        """The same problem with another lambda (only the costs change)."""
        return replace(self, risk_aversion=float(risk_aversion))

    def __repr__(self) -> str:
        sizes = ", ".join(f"{b.family}={len(b)}" for b in self.blocks)
        nnz = self.matrix.nnz
        kinds = f"x={self.n_x}" + (f", y={self.n_cols - self.n_x - self.n_pairs}"
                                   if self.is_mip else "")
        return (f"Problem(mode={self.mode.value}, risk_aversion={self.risk_aversion:g}, "
                f"columns={self.n_cols} ({kinds}), rows={self.n_rows} ({sizes}), nnz={nnz})")


# --------------------------------------------------------------------------- build


def build_problem(
    dataset: Dataset, config: Config, scores: pd.DataFrame, mode: Mode | str | None = None
) -> Problem:
    """Build the LP of contract section 5 (a MILP with the ``_milp`` options) as a :class:`Problem`.

    Parameters
    ----------
    dataset : Dataset
        Offers (``suppliers``), demand (t/yr), countries (for blocs).
    config : Config
        Buyers (home, partners) and the ``optimiser`` section.
    scores : DataFrame
        ``buyer, supplier_id, commodity, risk_score`` (0-100) for every
        (buyer, offer) pair the model can use.
    mode : Mode or str, optional
        ``joint`` or ``separate``; default ``config.optimiser.mode``.

    Returns
    -------
    Problem
        Rows and columns in a canonical order (buyer, commodity, supplier_id),
        so permuting the input tables gives the same problem.
    """
    mode = Mode(mode if mode is not None else config.optimiser.mode)
    pairs = _columns.pairs(dataset, config)
    xcols = _columns.x_columns(dataset, config, scores, pairs, mode)
    columns = _columns.all_columns(xcols, pairs)
    opt = config.optimiser
    upper = columns["ub_t"].to_numpy(dtype=float) / TONNES_PER_UNIT
    integrality, n_cols = None, len(columns)
    if _milp.is_milp(opt):
        most, _ = _milp.order_limits(xcols, opt)
        columns = pd.concat([columns, _milp.y_columns(xcols, columns)], ignore_index=True)
        upper = np.concatenate([upper, (most > 0).astype(float)])
        integrality = np.arange(len(columns)) >= n_cols
    blocks = (
        _define_demand(xcols, pairs, len(columns)),
        _define_capacity(xcols, mode, len(columns)),
        _define_country_cap(xcols, config, len(columns)),
        _define_partner_floor(xcols, config, len(columns)),
        _define_contract(dataset, xcols, config, mode, len(columns)),
        _define_order_link(xcols, config, n_cols),
        _define_min_order(xcols, config, n_cols),
        _define_max_suppliers(xcols, pairs, config, n_cols),
    )
    return Problem(
        mode=mode,
        risk_aversion=float(opt.risk_aversion),
        columns=columns,
        base_cost=_columns.base_cost(columns),
        risk_cost=_columns.risk_cost(columns),
        lower=np.zeros(len(columns)),
        upper=upper,
        blocks=tuple(b for b in blocks if b is not None),
        settings={"theta": opt.max_country_share, "sigma": opt.max_supplier_share,
                  "alpha": opt.min_partner_share,
                  "country_caps": dict(opt.country_share_overrides),
                  "min_order_t": float(opt.min_order_t),
                  "max_suppliers_per_commodity": opt.max_suppliers_per_commodity},
        integrality=integrality,
    )


# --------------------------------------------------------------------------- families


def _block(
    family: str, entries: tuple[np.ndarray, np.ndarray, np.ndarray], n_cols: int,
    bounds: tuple[np.ndarray, np.ndarray], rows: pd.DataFrame, unit: float = TONNES_PER_UNIT,
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
    return _block("capacity", (row, shared.index.to_numpy(), np.ones(len(shared))),
                  n_cols, (np.full(len(cap), -np.inf), cap), rows)


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
    return _block("country_cap", (row, foreign.index.to_numpy(), np.ones(len(foreign))),
                  n_cols, (np.full(len(rhs), -np.inf), rhs), rows)


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
    return _block("partner_floor", (row, used.index.to_numpy(), coef[coef != 0]),
                  n_cols, (zero, np.full(len(first), np.inf)), rows)


def _define_contract(
    dataset: Dataset, x: pd.DataFrame, config: Config, mode: Mode, n_cols: int
) -> Block | None:
    """Existing contracts as minimum tonnes per offer (only with a ``contracted_t`` column)."""
    offers = _columns.offers(dataset, config)
    if not (offers["contracted_t"] > 0).any():
        return None
    total = x.drop_duplicates("pair").groupby("commodity")["demand_t"].sum()
    x = x.assign(commodity_demand_t=x["commodity"].map(total),
                 country_cap_t=_milp.country_cap_t(x, config.optimiser))
    under, row = contract_rows(x, mode)
    lines = contract_rhs(under, row, mode)
    check_contracts(dataset, lines, offers[offers["contracted_t"] > 0])
    rhs = lines["rhs_t"].to_numpy()
    return _block("contract", (row, under.index.to_numpy(), np.ones(len(under))),
                  n_cols, (rhs, np.full(len(rhs), np.inf)), lines)


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
    return _block("order_link", (row, col, val), first_y + n,
                  (np.full(n, -np.inf), np.zeros(n)), rows)


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
    return _block("min_order", (row, col, val), first_y + n,
                  (np.zeros(k), np.full(k, np.inf)), rows)


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
    return _block("max_suppliers", (row, first_y + chosen.index.to_numpy(), np.ones(len(chosen))),
                  first_y + len(x), (np.full(n, -np.inf), np.full(n, float(limit))), rows,
                  unit=1.0)
