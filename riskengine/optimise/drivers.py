"""What drives each shadow price: its split into the objective's terms.

At an optimal basis the duals are linear in the cost vector: ``y = c_B B^-1``.
Writing the cost as the sum of its terms (purchase, risk charge, lost supply,
violations; :data:`~riskengine.optimise.parameters.COST_PARTS`) splits every
dual exactly into one part per term, and the parts add up to the solver's
dual. A shadow price of USD 600/kg on Caremag's capacity then reads, e.g.,
"lost supply avoided 1,420, purchase -850, risk charge +30": the term with
the largest share is its *driver*.

The split needs the basis, which the highspy backend returns; through PuLP
the parts are not available (NaN) and the sentence names no driver.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse.linalg as spla

from riskengine.optimise.parameters import COST_PARTS
from riskengine.optimise.problem import Problem
from riskengine.optimise.solution import Solution

__all__ = ["DRIVER_NAMES", "dual_parts"]

#: How each term reads in a sentence.
DRIVER_NAMES = {
    "purchase": "purchase price",
    "risk_charge": "risk charge",
    "lost_supply": "lost supply",
    "violation": "policy violation",
    "holding": "stock holding",
    "thrifting": "thrifting premium",
}
_BASIC = 1  # highspy.HighsBasisStatus.kBasic


def dual_parts(
    problem: Problem, solution: Solution
) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]] | None:
    """Row and column duals (USD/kg) split by objective term, or None without a basis.

    Returns
    -------
    (rows, cols) : dicts of term -> ndarray
        ``rows[term]`` has one value per row and ``cols[term]`` one per column;
        summed over terms they equal the solution's duals.
    """
    if solution.basis is None or problem.is_mip or not problem.n_rows:
        return None
    col_status, row_status = solution.basis
    basic_cols = np.flatnonzero(col_status == _BASIC)
    tight_rows = np.flatnonzero(row_status != _BASIC)
    if len(basic_cols) != len(tight_rows):
        return None
    a = problem.matrix.tocsc()
    square = a[tight_rows][:, basic_cols].T.tocsc()
    parts = problem.arrays.parts
    per_kg = 1.0 / 1000.0  # kUSD per kt -> USD per kg
    rows: dict[str, np.ndarray] = {}
    cols: dict[str, np.ndarray] = {}
    try:
        lu = spla.splu(square) if len(basic_cols) else None
    except RuntimeError:  # a singular basis (should not happen): no split
        return None
    for term in COST_PARTS:
        c = parts[term]
        y = np.zeros(problem.n_rows)
        if lu is not None:
            y[tight_rows] = lu.solve(c[basic_cols])
        rows[term] = y * per_kg
        cols[term] = (c - a.T @ y) * per_kg
    total = sum(rows.values())
    if solution.row_dual_usd_per_kg is not None and not np.allclose(
        total, solution.row_dual_usd_per_kg, rtol=1e-6, atol=1e-6 * _scale(parts)
    ):
        return None  # the basis does not reproduce the duals: report no split
    return rows, cols


def _scale(parts: dict[str, np.ndarray]) -> float:
    return max(1.0, max(float(np.max(np.abs(p), initial=0.0)) for p in parts.values()) / 1000.0)
