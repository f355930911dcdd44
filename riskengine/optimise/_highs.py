"""HiGHS through highspy, straight from the problem's arrays (the fast path).

Options on every model: no console output, ``presolve_rule_off=8192`` (HiGHS's
parallel rows/columns presolve rule is super-linear on this model: 4 s instead
of 0.3 s at 10,000 offers), and the time limit. ``threads`` is never set: it is
process-global in HiGHS and changing it after a first run breaks later runs.
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Iterator
from time import perf_counter

import highspy
import numpy as np

from riskengine.optimise.problem import Problem
from riskengine.optimise.solution import ModelAnswer, SolveStatus

__all__ = ["HighsModel", "highs_version", "new_highs", "silence_banner"]

_M = highspy.HighsModelStatus
_STATUS = {
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
            highspy.Highs()
    except OSError:  # no file descriptor 1 (e.g. a windowed app): nothing to protect
        highspy.Highs()
    _banner_done = True


def new_highs(time_limit_s: float | None) -> highspy.Highs:
    """A quiet ``Highs`` with this project's options."""
    silence_banner()
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.setOptionValue("presolve_rule_off", 8192)
    if time_limit_s is not None:
        h.setOptionValue("time_limit", float(time_limit_s))
    return h


def highs_version() -> str:
    """HiGHS version, e.g. '1.16.0'."""
    silence_banner()
    h = highspy.Highs()
    return f"{h.versionMajor()}.{h.versionMinor()}.{h.versionPatch()}"


def _highs_lp(problem: Problem) -> highspy.HighsLp:
    csc = problem.matrix.tocsc()
    lp = highspy.HighsLp()
    lp.num_col_, lp.num_row_ = problem.n_cols, problem.n_rows
    lp.col_cost_ = problem.cost
    lp.col_lower_, lp.col_upper_ = problem.lower, problem.upper
    lp.row_lower_, lp.row_upper_ = problem.row_lower, problem.row_upper
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_ = csc.indptr.astype(np.int32)
    lp.a_matrix_.index_ = csc.indices.astype(np.int32)
    lp.a_matrix_.value_ = csc.data.astype(float)
    return lp


class HighsModel:
    """One problem loaded into HiGHS; re-run after cost changes with a warm basis.

    Parameters
    ----------
    problem : Problem
        The LP (costs taken from ``problem.cost``).
    time_limit_s : float, optional
        Limit per :meth:`run`, seconds.
    """

    def __init__(self, problem: Problem, time_limit_s: float | None = None) -> None:
        start = perf_counter()
        self.highs = new_highs(time_limit_s)
        self.n_cols = problem.n_cols
        status = self.highs.passModel(_highs_lp(problem))
        if status == highspy.HighsStatus.kError:
            raise RuntimeError("HiGHS rejected the model (passModel returned kError)")
        self.build_s = perf_counter() - start

    def set_costs(self, cost: np.ndarray) -> None:
        """Replace every column cost (kUSD per kt); the next run starts from the last basis."""
        index = np.arange(self.n_cols, dtype=np.int32)
        self.highs.changeColsCost(self.n_cols, index, np.asarray(cost, dtype=float))

    def run(self) -> tuple[ModelAnswer, float]:
        """Solve; return the answer in model units and the seconds spent."""
        start = perf_counter()
        run_status = self.highs.run()
        seconds = perf_counter() - start
        if run_status == highspy.HighsStatus.kError:
            return ModelAnswer(SolveStatus.ERROR, np.nan, None, None, None,
                               "HiGHS returned an error status"), seconds
        model_status = self.highs.getModelStatus()
        status = _STATUS.get(model_status, SolveStatus.ERROR)
        message = "" if status.is_ok else self.highs.modelStatusToString(model_status)
        return self._answer(status, message), seconds

    def _answer(self, status: SolveStatus, message: str) -> ModelAnswer:
        info = self.highs.getInfo()
        has_values = info.primal_solution_status == highspy.kSolutionStatusFeasible
        if not (status.is_ok or has_values):
            return ModelAnswer(status, np.nan, None, None, None, message)
        sol = self.highs.getSolution()
        values = np.asarray(sol.col_value, dtype=float)
        objective = float(info.objective_function_value) if self.n_cols else 0.0
        if not status.is_ok:
            return ModelAnswer(status, objective, values, None, None, message)
        return ModelAnswer(status, objective, values, np.asarray(sol.row_dual, dtype=float),
                           np.asarray(sol.col_dual, dtype=float), message)
