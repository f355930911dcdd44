"""A lexicographic LP over a problem's own arrays: stages that each fix the last optimum.

:class:`StagedLP` loads a :class:`~riskengine.optimise.problem.Problem` (its
matrix, costs and bounds from
:func:`~riskengine.optimise.parameters.model_arrays`) into one ``Highs``
through the project's loader (:func:`~riskengine.optimise.highs.new_highs`),
then lets a caller add columns and rows and minimise one objective after
another. :meth:`StagedLP.keep` adds the row ``objective <= optimum + slack``
so the next stage cannot give back what this one won. Every stage re-solves
from the previous basis.

:func:`need_matrix` maps every column to its need (buyer and commodity, and
year when the model has one) so a stage can read each need's cost, served
tonnes or shortfall as a row over the columns. Model units throughout: kt
and kUSD (a kUSD per kt is a USD per tonne).
"""

from __future__ import annotations

import highspy
import numpy as np
import pandas as pd
import scipy.sparse as sp

from riskengine.optimise.highs import STATUS, highs_basis, new_highs, run_within
from riskengine.optimise.problem import Problem, Structure
from riskengine.optimise.solution import SolveStatus

__all__ = ["FEASIBILITY_TOL", "StageError", "StagedLP", "need_matrix"]

#: HiGHS's primal and dual feasibility tolerances in the staged LP (default 1e-7).
FEASIBILITY_TOL = 1e-9
#: HiGHS ``simplex_strategy`` values: dual after new rows (the last basis is dual feasible
#: for them), primal when only the objective changed (the last basis stays primal feasible).
_DUAL, _PRIMAL = 1, 4


class StageError(RuntimeError):
    """A stage did not solve to optimality (the status and stage are in the message)."""


def need_matrix(structure: Structure) -> sp.csr_matrix:
    """Indicator (needs x columns): 1 where a column belongs to the need.

    x and y columns belong to their x's need; shortfall and bought columns to
    their need; a violation column to the need of its policy row; a stock or a
    stock-target gap column to the need (buyer, commodity, year) it holds for;
    a product variant (z) to its buyer's first need of that year.
    """
    lay = structure.layout
    n_need = lay.n_need
    x_need = structure.x_need
    owners = [
        (x_need, lay.x),
        (np.arange(n_need), lay.shortfall),
        (np.arange(lay.n_bought), lay.bought),
        (structure.violations["need"].to_numpy(dtype=int), lay.violation),
        (_needs_of(structure.stocks, lay.n_stock), lay.stock),
        (_needs_of(structure.gaps, lay.n_gap), lay.gap),
        (_variant_needs(structure), lay.z),
        (x_need[: lay.n_y], lay.y),
    ]
    rows = np.concatenate([need for need, _ in owners])
    cols = np.concatenate([np.arange(part.start, part.stop) for _, part in owners])
    return sp.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(n_need, lay.n_cols))


def _variant_needs(structure: Structure) -> np.ndarray:
    """Per z column (a product variant of a buyer and year): the buyer's first need that year.

    A variant's thrifting premium is the buyer's cost, not one commodity's: it is
    booked on that need so that buyer totals add up.
    """
    n_z = structure.layout.n_z
    if not n_z:
        return np.zeros(0, dtype=int)
    keys = [k for k in ("buyer", "year") if k in structure.variants.columns]
    first = structure.needs.groupby(keys, sort=False)["need"].min()
    index = pd.MultiIndex.from_frame(structure.variants[keys]) if len(keys) > 1 else None
    found = first.reindex(index if index is not None else structure.variants[keys[0]])
    return np.asarray(found.fillna(structure.needs["need"].iloc[0]).to_numpy(dtype=int))


def _needs_of(table: pd.DataFrame, n: int) -> np.ndarray:
    """The ``need`` column of a stock table (empty when the model has none)."""
    if not n:
        return np.zeros(0, dtype=int)
    return np.asarray(table["need"].to_numpy(dtype=int))


class StagedLP:
    """One problem in one ``Highs``, extended stage by stage.

    Parameters
    ----------
    problem : Problem
        Its arrays (costs, bounds, row bounds) are loaded as they are.
    time_limit_s : float, optional
        Solver time limit per stage, seconds.
    basis : (ndarray, ndarray), optional
        HiGHS status codes of the problem's columns and rows (e.g.
        :attr:`Solution.basis` of its solve): the first stage starts from it.
    part : (ndarray, ndarray), optional
        Column and row indices of an independent block of the problem (no row
        outside it touches its columns): only that block is loaded, its
        columns first, in this order.

    Every stage re-solves from the last basis: by primal simplex when only the
    objective changed since the last solve (the basis is still primal
    feasible, as it is after :meth:`keep`), else by dual simplex.
    """

    def __init__(
        self,
        problem: Problem,
        time_limit_s: float | None = None,
        basis: tuple[np.ndarray, np.ndarray] | None = None,
        part: tuple[np.ndarray, np.ndarray] | None = None,
    ) -> None:
        self.highs = new_highs(time_limit_s)
        self.time_limit_s = time_limit_s
        # the kept rows are tight by design: hold them, and each stage's optimality, to 1e-9
        # of their scale, not HiGHS's default 1e-7
        self.highs.setOptionValue("primal_feasibility_tolerance", FEASIBILITY_TOL)
        self.highs.setOptionValue("dual_feasibility_tolerance", FEASIBILITY_TOL)
        cols, rows = part if part is not None else (slice(None), slice(None))
        matrix = problem.matrix if part is None else problem.matrix[rows][:, cols]
        self.n_cols = matrix.shape[1]
        self.values = np.zeros(self.n_cols)
        #: Slack on a money stage whose optimum is 0, model units (set by the caller).
        self.money_atol = 1e-12
        bounds = (problem.lower[cols], problem.upper[cols])
        self._load(matrix, bounds, (problem.row_lower[rows], problem.row_upper[rows]))
        #: Whether the last basis is primal feasible for the current rows (no rows added).
        self.primal_ok = basis is not None
        if basis is not None:
            self.highs.setBasis(highs_basis((basis[0][cols], basis[1][rows])))

    def _load(
        self,
        matrix: sp.spmatrix,
        bounds: tuple[np.ndarray, np.ndarray],
        row_bounds: tuple[np.ndarray, np.ndarray],
    ) -> None:
        csc = sp.csc_matrix(matrix)
        lp = highspy.HighsLp()
        lp.num_col_, lp.num_row_ = csc.shape[1], csc.shape[0]
        lp.col_cost_ = np.zeros(csc.shape[1])
        lp.col_lower_, lp.col_upper_ = bounds
        lp.row_lower_, lp.row_upper_ = row_bounds
        lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
        lp.a_matrix_.start_ = csc.indptr.astype(np.int32)
        lp.a_matrix_.index_ = csc.indices.astype(np.int32)
        lp.a_matrix_.value_ = csc.data.astype(float)
        if self.highs.passModel(lp) == highspy.HighsStatus.kError:
            raise StageError("HiGHS rejected the model (passModel returned kError)")

    def add_columns(self, lower: np.ndarray, upper: np.ndarray) -> np.ndarray:
        """Append columns (no cost, no entries yet); return their indices."""
        lower, upper = np.asarray(lower, float), np.asarray(upper, float)
        n = len(lower)
        empty = np.zeros(n + 1, dtype=np.int32)
        self.highs.addCols(
            n, np.zeros(n), lower, upper, 0, empty[:n], np.zeros(0, np.int32), np.zeros(0)
        )
        first = self.n_cols
        self.n_cols += n
        return np.arange(first, self.n_cols)

    def add_rows(
        self, matrix: sp.spmatrix, lower: np.ndarray, upper: np.ndarray, met: bool = False
    ) -> None:
        """Append rows ``lower <= matrix @ columns <= upper`` (matrix over the current columns).

        ``met``: the last solution satisfies them (the basis stays primal feasible).
        """
        self.primal_ok &= met
        csr = sp.csr_matrix(matrix)
        csr = sp.csr_matrix((csr.data, csr.indices, csr.indptr), shape=(csr.shape[0], self.n_cols))
        csr.eliminate_zeros()
        if not csr.shape[0]:
            return
        self.highs.addRows(
            csr.shape[0],
            np.asarray(lower, float),
            np.asarray(upper, float),
            csr.nnz,
            csr.indptr[:-1].astype(np.int32),
            csr.indices.astype(np.int32),
            csr.data.astype(float),
        )

    def minimise(self, cost: np.ndarray, stage: str) -> tuple[np.ndarray, float]:
        """Minimise ``cost @ columns`` (cost over the current columns); return values and optimum.

        Raises
        ------
        StageError
            When HiGHS does not reach optimality.
        """
        cost = np.zeros(self.n_cols) if cost is None else np.asarray(cost, float)
        index = np.arange(self.n_cols, dtype=np.int32)
        self.highs.changeColsCost(self.n_cols, index, cost)
        self.highs.setOptionValue("simplex_strategy", _PRIMAL if self.primal_ok else _DUAL)
        run_within(self.highs, self.time_limit_s)  # each stage gets the whole limit
        status = STATUS.get(self.highs.getModelStatus(), SolveStatus.ERROR)
        if not status.is_ok:
            raise StageError(f"the {stage} stage ended {status.value}")
        self.values = np.asarray(self.highs.getSolution().col_value, dtype=float)
        self.primal_ok = True
        return self.values, float(cost @ self.values)

    def keep(self, cost: np.ndarray, optimum: float, rtol: float, atol: float) -> None:
        """Add ``cost @ columns <= optimum + max(rtol x |optimum|, atol)``.

        The row is divided by its right-hand side, so HiGHS's absolute
        feasibility tolerance (:data:`FEASIBILITY_TOL`) reads as a relative one; by at least 1e-6
        of its largest coefficient when the optimum is near 0.
        """
        cost = np.asarray(cost, float)
        slack = max(rtol * abs(optimum), atol)
        largest = float(np.max(np.abs(cost), initial=0.0))
        scale = max(abs(optimum) + slack, 1e-6 * largest, 1e-12)
        row = sp.csr_matrix(cost / scale)
        self.add_rows(row, np.array([-np.inf]), np.array([(optimum + slack) / scale]), met=True)

    def pad(self, vector: np.ndarray) -> np.ndarray:
        """A vector over the problem's columns extended with zeros to every current column."""
        out = np.zeros(self.n_cols)
        out[: len(vector)] = vector
        return out
