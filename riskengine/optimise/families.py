"""The constraint families of the sourcing model, one ``define_*`` function each.

Each returns a :class:`Block`: a sparse matrix of rows over all columns, a
table mapping every row back to its buyer, commodity, country or offer, and
the row's right-hand side as a *reference* to a parameter (the demand of a
need, the capacity of an offer, a contract) times a coefficient. The matrix
and the references are the model's structure; the numbers on the right-hand
side come from :class:`~riskengine.optimise.parameters.Parameters`, so the
same structure serves the plan, the frontier, stress tests and sweeps.
:func:`riskengine.optimise.problem.build_problem` stacks the blocks in
:data:`FAMILIES` order.

Column layout (see :class:`~riskengine.optimise.problem.Layout`): the x
variables, one shortfall per need, one ``bought`` (tonnes the buyer buys,
= sum of its x) per need when a policy measures shares on consumption, one
violation per soft policy row, and the binary y of a MILP.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import pandas as pd
import scipy.sparse as sp

__all__ = ["FAMILIES", "ROW_KEYS", "TONNES_PER_UNIT", "USD_PER_UNIT", "Block", "RhsSource"]

#: Tonnes in one model unit of quantity (the model works in kilotonnes).
TONNES_PER_UNIT = 1000.0
#: USD in one model unit of objective (the model works in thousands of USD).
USD_PER_UNIT = 1000.0
#: Constraint families, in the order their blocks are stacked.
FAMILIES: dict[str, str] = {
    "demand": "bought + shortfall + stock drawn = D[b,c,t] (stock drawn = last year's stock - "
    "this year's)",
    "bought": "sum of x[b,o] over the offers of c - bought[b,c] = 0",
    "capacity": "sum over buyers of x[b,o] <= K[o]",
    "export_channel": "sum of x[b,o] over an exporter's offers <= its licensed flow to b",
    "country_cap": "tonnes from one non-home country <= theta_b x bought[b,c] (+ violation if soft)",
    "partner_floor": "tonnes from home or partners >= alpha_b x bought[b,c] (- violation if soft)",
    "contract": "sum over buyers of x[b,o] >= contracted_t[o]",
    "service": "sum of shortfalls of c <= the least shortfall the market allows (lexicographic)",
    "stock_target": "stock at the year's end + gap >= target days of demand (soft)",
    "product": "sum over a family's variants of z[b,v,t] = product demand P[b,family,t]",
    "order_link": "x[b,o] - M[b,o] * y[b,o] <= 0 (MILP)",
    "min_order": "x[b,o] - m[b,o] * y[b,o] >= 0 (MILP)",
    "max_suppliers": "sum of y[b,o] over offers of c <= max_suppliers_per_commodity (MILP)",
}
#: Columns of every block's row table.
ROW_KEYS = [
    "family",
    "buyer",
    "commodity",
    "country",
    "supplier_id",
    "stage",
    "year",
    "share",
    "rhs_t",
]

RhsSource = Literal[
    "zero",
    "demand",
    "balance",
    "target",
    "product",
    "channel",
    "capacity",
    "contract",
    "service",
    "count",
]
Sense = Literal["eq", "le", "ge"]


@dataclass(frozen=True)
class Block:
    """One family of rows: ``matrix @ columns (sense) coef * source[ref]`` in model units.

    Attributes
    ----------
    family : str
        Key of :data:`FAMILIES`.
    matrix : scipy.sparse.csr_matrix
        Coefficients, one row per constraint, one column per problem column.
    sense : {"eq", "le", "ge"}
    rhs_source : str
        Which parameter the right-hand side reads: ``zero``, ``demand`` (per
        need, tonnes), ``balance`` (demand less the opening stock), ``target``
        (per stock target), ``capacity`` (per offer), ``contract`` (per offer),
        ``service`` (per commodity, lexicographic) or ``count`` (a number).
    rhs_ref : ndarray of int
        Index into that parameter, per row.
    rhs_coef : ndarray of float
        Multiplier of the parameter, per row (e.g. theta for a cap on demand).
    rows : DataFrame
        One row per constraint: ``family, buyer, commodity, country,
        supplier_id, share`` (theta or alpha, where one applies) and ``rhs_t``
        (the right-hand side in tonnes at the base parameters).
    """

    family: str
    matrix: sp.csr_matrix = field(repr=False)
    sense: Sense
    rhs_source: RhsSource
    rhs_ref: np.ndarray = field(repr=False)
    rhs_coef: np.ndarray = field(repr=False)
    rows: pd.DataFrame = field(repr=False)

    @property
    def meaning(self) -> str:
        """The family's constraint in words."""
        return FAMILIES[self.family]

    def __len__(self) -> int:
        return int(self.matrix.shape[0])

    def bounds(self, rhs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Row bounds in model units from the right-hand sides (tonnes or a count)."""
        inf = np.full(len(rhs), np.inf)
        if self.sense == "eq":
            return rhs, rhs
        if self.sense == "le":
            return -inf, rhs
        return rhs, inf


def make_block(
    family: str,
    entries: tuple[np.ndarray, np.ndarray, np.ndarray],
    n_cols: int,
    rows: pd.DataFrame,
    sense: Sense,
    rhs: tuple[RhsSource, np.ndarray | None, np.ndarray | float] = ("zero", None, 0.0),
) -> Block | None:
    """A block from (row, column, value) triplets and its right-hand side; None without rows."""
    if rows.empty:
        return None
    n = len(rows)
    row, col, val = entries
    matrix = sp.csr_matrix((val, (row, col)), shape=(n, n_cols))
    matrix.sum_duplicates()
    matrix.eliminate_zeros()
    frame = rows.assign(family=family).reindex(columns=ROW_KEYS).reset_index(drop=True)
    frame["stage"] = frame["stage"].astype(object).fillna("")
    frame = frame.astype({k: "str" for k in ROW_KEYS[:6]})
    frame = frame.astype({"year": float, "share": float, "rhs_t": float})
    source, ref, coef = rhs
    ref = np.zeros(n, dtype=int) if ref is None else np.asarray(ref, dtype=int)
    coef_arr = np.broadcast_to(np.asarray(coef, dtype=float), (n,)).copy()
    return Block(family, matrix, sense, source, ref, coef_arr, frame)
