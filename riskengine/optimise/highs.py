"""HiGHS through highspy, straight from the problem's arrays (the fast path).

Options on every model: no console output, ``presolve_rule_off=8192`` (HiGHS's
parallel rows/columns presolve rule is super-linear on this model: 4 s instead
of 0.3 s at 10,000 offers), and the time limit. ``threads`` is never set: it is
process-global in HiGHS and changing it after a first run breaks later runs.

The LP is block-diagonal (no row links two commodities), and its solve time
grows super-linearly with size, so each independent block gets its own
``Highs``: large blocks start with the interior-point solver and crossover,
small ones with dual simplex. At 100,000 generated offers this takes the solve
from minutes to seconds (``benchmarks/bench_optimise.py``).

With a minimum order quantity or a supplier limit the problem is a MILP (binary
``y`` columns, see ``milp``): its blocks are still independent per commodity,
each is solved by HiGHS's branch and bound to a relative gap of
:data:`MIP_REL_GAP`, and no duals are read. A block stopped by the time limit
with a feasible plan is reported as ``time_limit`` (with the plan), never as
optimal.
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from time import perf_counter
from typing import NamedTuple, TypeVar

import highspy
import numpy as np
import scipy.sparse as sp
from scipy.sparse.csgraph import connected_components

from riskengine.optimise.problem import Problem
from riskengine.optimise.solution import ModelAnswer, SolveStatus

__all__ = [
    "IPM_COLUMNS",
    "MIP_REL_GAP",
    "STATUS",
    "HighsModel",
    "components",
    "highs_basis",
    "highs_lp",
    "highs_version",
    "new_highs",
    "on_threads",
    "run_within",
    "silence_banner",
]

_M = highspy.HighsModelStatus
#: HiGHS model status -> :class:`SolveStatus` (the one map every HiGHS caller uses).
STATUS = {
    _M.kOptimal: SolveStatus.OPTIMAL,
    _M.kModelEmpty: SolveStatus.OPTIMAL,
    _M.kTimeLimit: SolveStatus.TIME_LIMIT,
    _M.kIterationLimit: SolveStatus.TIME_LIMIT,
    _M.kInfeasible: SolveStatus.INFEASIBLE,
    _M.kUnboundedOrInfeasible: SolveStatus.INFEASIBLE,
    _M.kUnbounded: SolveStatus.UNBOUNDED,
    _M.kNotset: SolveStatus.NOT_SOLVED,
    _M.kInterrupt: SolveStatus.NOT_SOLVED,
    _M.kUnknown: SolveStatus.NUMERICAL,
}
_banner_done = False
#: Relative optimality gap at which a MILP block counts as solved.
MIP_REL_GAP = 1e-6


@contextlib.contextmanager
def _stdout_silenced() -> Iterator[None]:
    """Point file descriptor 1 at /dev/null (HiGHS prints from C, past ``sys.stdout``)."""
    sys.stdout.flush()
    saved = os.dup(1)
    null = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(null, 1)
        yield
    finally:
        os.dup2(saved, 1)
        os.close(null)
        os.close(saved)


def silence_banner() -> None:
    """Create the process's first ``Highs`` with stdout silenced.

    HiGHS prints its copyright banner once per process, on the first
    ``Highs()``, before any option can turn output off. ``--format json`` must
    print nothing but JSON, so this swallows it (pulp.HiGHS included).
    """
    global _banner_done
    if _banner_done:
        return
    try:
        with _stdout_silenced():
            highspy.Highs()  # type: ignore[no-untyped-call]  # highspy leaves __init__ unannotated
    except OSError:  # no file descriptor 1 (e.g. a windowed app): nothing to protect
        highspy.Highs()  # type: ignore[no-untyped-call]  # highspy leaves __init__ unannotated
    _banner_done = True


def new_highs(time_limit_s: float | None) -> highspy.Highs:
    """A quiet ``Highs`` with this project's options."""
    silence_banner()
    h = highspy.Highs()  # type: ignore[no-untyped-call]  # highspy leaves __init__ unannotated
    h.setOptionValue("output_flag", False)
    h.setOptionValue("presolve_rule_off", 8192)
    if time_limit_s is not None:
        h.setOptionValue("time_limit", float(time_limit_s))
    return h


def run_within(h: highspy.Highs, time_limit_s: float | None) -> highspy.HighsStatus:
    """``h.run()`` with ``time_limit_s`` for this run alone.

    HiGHS counts its ``time_limit`` from the instance's first run, over every
    later run (measured with highspy 1.16: a second solve stopped after 1.1 s
    under a 4 s limit the first had used 2.9 s of), so a model re-solved many
    times (sweeps, frontiers, the two-stage plan's jobs) would otherwise stop
    once their total passes the limit.
    """
    if time_limit_s is not None:
        h.setOptionValue("time_limit", h.getRunTime() + float(time_limit_s))
    return h.run()


_In = TypeVar("_In")
_Out = TypeVar("_Out")
#: Fewer columns than this in all: solve the blocks one after the other (threads cost more).
THREAD_COLUMNS = 5_000


def on_threads(fn: Callable[[_In], _Out], items: Sequence[_In], columns: int) -> list[_Out]:
    """``[fn(item) for item in items]``, on a thread per CPU when ``columns`` (the LP
    columns the items solve in all) reach :data:`THREAD_COLUMNS`.

    Each item solves its own ``Highs``, which releases the GIL while it solves,
    so independent blocks use both cores of a 2-core machine; the answers do
    not depend on the threads (each block's solve is the same).
    """
    workers = min(os.cpu_count() or 1, len(items))
    if workers <= 1 or columns < THREAD_COLUMNS:
        return [fn(item) for item in items]
    with ThreadPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(fn, items))


def highs_version() -> str:
    """HiGHS version, e.g. '1.16.0'."""
    silence_banner()
    h = highspy.Highs()  # type: ignore[no-untyped-call]  # highspy leaves __init__ unannotated
    return f"{h.versionMajor()}.{h.versionMinor()}.{h.versionPatch()}"


#: HiGHS basis status per code (0 lower, 1 basic, 2 upper, 3 zero, 4 nonbasic).
_BASIS_STATUS = [highspy.HighsBasisStatus(code) for code in range(5)]


def highs_basis(statuses: tuple[np.ndarray, np.ndarray]) -> highspy.HighsBasis:
    """A HiGHS basis from status codes of every column and row (:meth:`HighsModel.basis`)."""
    col, row = statuses
    basis = highspy.HighsBasis()
    basis.col_status = [_BASIS_STATUS[code] for code in np.asarray(col, int).tolist()]
    basis.row_status = [_BASIS_STATUS[code] for code in np.asarray(row, int).tolist()]
    basis.valid = True
    return basis


def highs_lp(
    cost: np.ndarray,
    bounds: tuple[np.ndarray, np.ndarray],
    matrix: sp.spmatrix,
    row_bounds: tuple[np.ndarray, np.ndarray],
    integrality: np.ndarray | None = None,
) -> highspy.HighsLp:
    """A HiGHS LP from arrays: ``min cost @ v`` s.t. row and column bounds (model units).

    The one place a ``HighsLp`` is assembled: the plan, the scenario sweep and
    the stochastic models all pass through it.
    """
    csc = sp.csc_matrix(matrix)
    lp = highspy.HighsLp()
    lp.num_col_, lp.num_row_ = csc.shape[1], csc.shape[0]
    lp.col_cost_ = np.asarray(cost, dtype=float)
    lp.col_lower_, lp.col_upper_ = (np.asarray(b, dtype=float) for b in bounds)
    lp.row_lower_, lp.row_upper_ = (np.asarray(b, dtype=float) for b in row_bounds)
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_ = csc.indptr.astype(np.int32)
    lp.a_matrix_.index_ = csc.indices.astype(np.int32)
    lp.a_matrix_.value_ = csc.data.astype(float)
    if integrality is not None and integrality.any():
        kinds = (highspy.HighsVarType.kContinuous, highspy.HighsVarType.kInteger)
        lp.integrality_ = [kinds[int(flag)] for flag in integrality]
    return lp


def _highs_lp(problem: Problem, cols: np.ndarray, rows: np.ndarray) -> highspy.HighsLp:
    """The block of ``problem`` on the given columns and rows, as a HiGHS LP."""
    integrality = None if problem.integrality is None else problem.integrality[cols]
    return highs_lp(
        problem.cost[cols],
        (problem.lower[cols], problem.upper[cols]),
        problem.matrix[rows][:, cols],
        (problem.row_lower[rows], problem.row_upper[rows]),
        integrality,
    )


#: Components with more columns than this start with the interior-point solver (then
#: crossover, for a basis and duals); smaller ones with dual simplex. Measured on
#: generated data: at 2,860 columns IPM took 0.021 s against 0.090 s, at 28,574
#: columns 0.37 s against 52 s; below ~1,500 columns dual simplex is faster.
IPM_COLUMNS = 1500


def components(problem: Problem) -> list[tuple[np.ndarray, np.ndarray]]:
    """Independent blocks of the LP: (column indices, row indices) of each.

    No constraint links two commodities, so the model splits into at least one
    block per commodity. Solving the blocks apart gives the same optimum and
    duals, and is much faster: this LP's solve time grows super-linearly.
    """
    n_rows = problem.n_rows
    graph = sp.bmat([[None, problem.matrix], [problem.matrix.T, None]], format="csr")
    _, label = connected_components(graph, directed=False)
    row_label, col_label = label[:n_rows], label[n_rows:]
    # columns in no row (a MILP's y fixed at 0) share one part instead of one Highs each
    alone = problem.matrix.getnnz(axis=0) == 0
    if alone.any():
        col_label = np.where(alone, -1, col_label)
    parts = []
    for value in np.unique(col_label):
        cols = np.flatnonzero(col_label == value).astype(np.int32)
        rows = np.flatnonzero(row_label == value).astype(np.int32)
        parts.append((cols, rows))
    return parts


class _Solved(NamedTuple):
    """What a solved block gives: column values, duals, objective (model units), whether
    the values are feasible, and the basis status codes (None without a valid basis)."""

    values: np.ndarray
    row_dual: np.ndarray
    col_dual: np.ndarray
    objective: float
    feasible: bool
    basis: tuple[np.ndarray, np.ndarray] | None


class _Part:
    """One independent block loaded into its own ``Highs``."""

    def __init__(
        self,
        problem: Problem,
        cols: np.ndarray,
        rows: np.ndarray,
        time_limit_s: float | None,
        keep: bool = True,
    ) -> None:
        self.cols, self.rows, self.keep = cols, rows, keep
        self.time_limit_s = time_limit_s
        self.solved: _Solved | None = None
        self.highs = new_highs(time_limit_s)
        self.mip = problem.integrality is not None and bool(problem.integrality[cols].any())
        if self.mip:
            self.highs.setOptionValue("mip_rel_gap", MIP_REL_GAP)
        elif len(cols) > IPM_COLUMNS:
            self.highs.setOptionValue("solver", "ipm")
        lp = _highs_lp(problem, cols, rows)
        if self.highs.passModel(lp) == highspy.HighsStatus.kError:
            raise RuntimeError("HiGHS rejected the model (passModel returned kError)")

    def restart(self) -> None:
        """Forget the last basis of a large LP block: the next run presolves and starts with
        the interior-point solver again."""
        if not self.mip and len(self.cols) > IPM_COLUMNS:
            self.highs.clearSolver()
            self.highs.setOptionValue("solver", "ipm")

    def run(self) -> tuple[SolveStatus, str]:
        if run_within(self.highs, self.time_limit_s) == highspy.HighsStatus.kError:
            return SolveStatus.ERROR, "HiGHS returned an error status"
        model_status = self.highs.getModelStatus()
        status = STATUS.get(model_status, SolveStatus.ERROR)
        # later runs (new costs in a frontier sweep) warm-start simplex from this basis
        if not self.mip:
            self.highs.setOptionValue("solver", "simplex")
        message = "" if status.is_ok else self.highs.modelStatusToString(model_status)
        if not self.keep:  # read the answer, free HiGHS's block (about 25 MB at 100,000 offers)
            self.solved = self.read(with_basis=True)
            del self.highs
        return status, message

    def read(self, with_basis: bool = False) -> _Solved:
        """The last run's answer (kept when the block was freed after its run); the basis
        only ``with_basis`` (a list of every column's status: not read on every re-run)."""
        if self.solved is not None:
            return self.solved
        info, sol = self.highs.getInfo(), self.highs.getSolution()
        basis = None
        got = self.highs.getBasis() if with_basis and not self.mip else None
        if got is not None and got.valid:
            basis = (_codes(got.col_status), _codes(got.row_status))
        return _Solved(
            np.asarray(sol.col_value, dtype=float),
            np.asarray(sol.row_dual, dtype=float),
            np.asarray(sol.col_dual, dtype=float),
            float(info.objective_function_value),
            info.primal_solution_status == highspy.kSolutionStatusFeasible,
            basis,
        )


def _codes(statuses: list[highspy.HighsBasisStatus]) -> np.ndarray:
    return np.array([int(status) for status in statuses], dtype=np.int8)


class HighsModel:
    """One problem loaded into HiGHS, one ``Highs`` per independent block.

    Re-run after cost changes with a warm basis (simplex from the last basis);
    a MILP is re-solved by branch and bound and has no duals.

    Parameters
    ----------
    problem : Problem
        The LP (costs taken from ``problem.cost``).
    time_limit_s : float, optional
        Limit per block and :meth:`run`, seconds.
    keep : bool
        Keep every block loaded for later runs (warm starts). False: solve once,
        freeing each block's ``Highs`` once its answer is read, so the blocks'
        solver memory is not held all at once (:func:`~riskengine.optimise.solve`).
    """

    def __init__(
        self, problem: Problem, time_limit_s: float | None = None, keep: bool = True
    ) -> None:
        start = perf_counter()
        self.n_cols, self.n_rows = problem.n_cols, problem.n_rows
        self.mip = problem.is_mip
        self.parts = [
            _Part(problem, cols, rows, time_limit_s, keep) for cols, rows in components(problem)
        ]
        self.build_s = perf_counter() - start

    def set_costs(self, cost: np.ndarray) -> None:
        """Replace every column cost (kUSD per kt); the next run starts from the last basis."""
        cost = np.asarray(cost, dtype=float)
        for part in self.parts:
            index = np.arange(len(part.cols), dtype=np.int32)
            part.highs.changeColsCost(len(part.cols), index, cost[part.cols])

    def restart(self) -> None:
        """Solve large blocks afresh on the next :meth:`run` (presolve, interior point).

        After large bound changes (another coalition's demand and capacity) this
        beats simplex from the last basis: at 100,000 offers a buyer's plan
        alone took 2.6 s afresh against 49 s from the other buyer's basis.
        """
        for part in self.parts:
            part.restart()

    def basis(self) -> tuple[np.ndarray, np.ndarray]:
        """HiGHS basis status codes of every column and row (after a successful run)."""
        col, row = np.zeros(self.n_cols, np.int8), np.zeros(self.n_rows, np.int8)
        for part in self.parts:
            basis = part.read(with_basis=True).basis
            if basis is not None:
                col[part.cols], row[part.rows] = basis
        return col, row

    def run(self) -> tuple[ModelAnswer, float]:
        """Solve every block; return the answer in model units and the seconds spent."""
        start = perf_counter()
        results = on_threads(_Part.run, self.parts, self.n_cols)
        seconds = perf_counter() - start
        worst = next((r for r in results if not r[0].is_ok), results[0] if results else None)
        status, message = worst if worst is not None else (SolveStatus.OPTIMAL, "")
        return self._answer(status, message), seconds

    def _answer(self, status: SolveStatus, message: str) -> ModelAnswer:
        values = np.zeros(self.n_cols)
        row_dual, col_dual = np.zeros(self.n_rows), np.zeros(self.n_cols)
        objective, feasible = 0.0, True
        for part in self.parts:
            got = part.read()
            feasible &= got.feasible
            values[part.cols] = got.values
            objective += got.objective
            if status.is_ok and not self.mip:
                row_dual[part.rows], col_dual[part.cols] = got.row_dual, got.col_dual
        if not (status.is_ok or feasible):
            return ModelAnswer(status, np.nan, None, None, None, message)
        if not status.is_ok or self.mip:
            return ModelAnswer(status, objective, values, None, None, message)
        return ModelAnswer(status, objective, values, row_dual, col_dual, message)
