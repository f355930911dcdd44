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
alone. Columns are built in ``_columns`` and rows, one ``_define_*`` function
per family, in ``_families``; the optional ``contract`` family
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
from riskengine.optimise._families import (
    _ROW_KEYS,
    FAMILIES,
    TONNES_PER_UNIT,
    USD_PER_UNIT,
    Block,
    _define_capacity,
    _define_contract,
    _define_country_cap,
    _define_demand,
    _define_max_suppliers,
    _define_min_order,
    _define_order_link,
    _define_partner_floor,
)

__all__ = ["FAMILIES", "TONNES_PER_UNIT", "USD_PER_UNIT", "Block", "Problem", "build_problem"]


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
        kinds = f"x={self.n_x}" + (
            f", y={self.n_cols - self.n_x - self.n_pairs}" if self.is_mip else ""
        )
        return (
            f"Problem(mode={self.mode.value}, risk_aversion={self.risk_aversion:g}, "
            f"columns={self.n_cols} ({kinds}), rows={self.n_rows} ({sizes}), nnz={nnz})"
        )


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
        settings={
            "theta": opt.max_country_share,
            "sigma": opt.max_supplier_share,
            "alpha": opt.min_partner_share,
            "country_caps": dict(opt.country_share_overrides),
            "min_order_t": float(opt.min_order_t),
            "max_suppliers_per_commodity": opt.max_suppliers_per_commodity,
        },
        integrality=integrality,
    )
