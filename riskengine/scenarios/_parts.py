"""The two-stage LP cut into independent parts, tiled over the scenarios and solved by HiGHS.

:func:`split` finds the independent parts of a :class:`~._equivalent.Template`
(connected components of its first stage and of one scenario's block: the
same in every scenario). With the CVaR per buyer and commodity, or in
``separate`` mode, no row links two commodities, so each commodity is a part.
:func:`tile` builds one part's LP for all scenarios from arrays (one COO
triplet set, no row-by-row work); :func:`solve_parts` runs the parts on an
executor (``serial``, ``local`` processes, ``dask``), each part in its own
``Highs`` that is re-run warm for the other values of beta and for fixed plans.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from time import perf_counter
from typing import Any

import highspy
import numpy as np
import scipy.sparse as sp
from scipy.sparse.csgraph import connected_components

from riskengine.exceptions import RiskEngineError
from riskengine.optimise.highs import STATUS, new_highs, run_within
from riskengine.optimise.solution import SolveStatus
from riskengine.scenarios._equivalent import Template

__all__ = ["LP", "Answer", "Job", "Part", "gather", "map_tasks", "solve_parts", "split", "tile"]


@dataclass(frozen=True, repr=False)
class Part:
    """Global columns and rows, local columns and rows, and template entries of one part."""

    cols1: np.ndarray
    rows1: np.ndarray
    cols: np.ndarray
    rows: np.ndarray
    entries: np.ndarray


def split(t: Template) -> list[Part]:
    """Independent parts of the LP (connected components of its pattern)."""
    m1, m, n1, n = t.m1, t.m_local, t.n1, t.n_local
    first = t.first.tocoo()
    row_node = np.r_[first.row, t.rows]
    col_node = m1 + m + np.r_[first.col, t.cols]
    size = m1 + m + n1 + n
    graph = sp.csr_matrix((np.ones(len(row_node)), (row_node, col_node)), shape=(size, size))
    _, label = connected_components(graph, directed=False)
    row_label, col_label = label[: m1 + m], label[m1 + m :]
    entry_label = row_label[t.rows]
    parts = []
    for value in np.unique(col_label):
        cols, rows = np.flatnonzero(col_label == value), np.flatnonzero(row_label == value)
        parts.append(
            Part(
                cols[cols < n1],
                rows[rows < m1],
                cols[cols >= n1] - n1,
                rows[rows >= m1] - m1,
                np.flatnonzero(entry_label == value),
            )
        )
    return parts


@dataclass(frozen=True, repr=False)
class LP:
    """One part for all scenarios: ``min (c0 + beta c1) v`` s.t. bounds (CSC arrays).

    ``n1`` global columns come first, then ``S`` blocks of ``n_local``.
    """

    start: np.ndarray
    index: np.ndarray
    value: np.ndarray
    c0: np.ndarray
    c1: np.ndarray
    lower: np.ndarray
    upper: np.ndarray
    row_lower: np.ndarray
    row_upper: np.ndarray
    n1: int
    n_local: int
    x_at: np.ndarray = field(repr=False)

    @property
    def n_cols(self) -> int:
        """Columns."""
        return len(self.c0)

    @property
    def n_rows(self) -> int:
        """Rows."""
        return len(self.row_lower)

    @property
    def nnz(self) -> int:
        """Non-zeros."""
        return len(self.value)


def _renumber(keep: np.ndarray, size: int) -> np.ndarray:
    out = np.full(size, -1, dtype=np.int64)
    out[keep] = np.arange(len(keep))
    return out


def tile(t: Template, part: Part) -> LP:
    """The part's LP over all S scenarios, built from the template's arrays."""
    S = t.n_scenarios
    n1p, m1p, cp, rp = len(part.cols1), len(part.rows1), len(part.cols), len(part.rows)
    first = t.first[part.rows1][:, part.cols1].tocoo()
    g_col, l_col = _renumber(part.cols1, t.n1), _renumber(part.cols, t.n_local)
    g_row, l_row = _renumber(part.rows1, t.m1), _renumber(part.rows, t.m_local)
    rows_e, cols_e = t.rows[part.entries], t.cols[part.entries]
    is_global = cols_e < t.n1
    g_col, l_col = np.r_[g_col, -1], np.r_[l_col, -1]  # -1: a safe index for the other branch
    local = l_col[np.where(is_global, -1, cols_e - t.n1)]
    new_col = np.where(is_global, g_col[np.where(is_global, cols_e, -1)], local)
    offset = np.arange(S, dtype=np.int64)[:, None]
    row_global = rows_e < t.m1
    g_row, l_row = np.r_[g_row, -1], np.r_[l_row, -1]
    new_row = np.where(
        row_global,
        g_row[np.where(row_global, rows_e, -1)],
        l_row[np.where(row_global, -1, rows_e - t.m1)],
    )
    rows = np.where(row_global[None, :], new_row[None, :], m1p + offset * rp + new_row[None, :])
    cols = np.where(is_global[None, :], new_col[None, :], n1p + offset * cp + new_col[None, :])
    n_cols, n_rows = n1p + S * cp, m1p + S * rp
    matrix = sp.csc_matrix(
        (
            np.r_[first.data, t.values[:, part.entries].ravel()],
            (np.r_[first.row, rows.ravel()], np.r_[first.col, cols.ravel()]),
        ),
        shape=(n_rows, n_cols),
    )
    matrix.sum_duplicates()

    def both(one: np.ndarray, many: np.ndarray) -> np.ndarray:
        return np.asarray(np.r_[one[part.cols1], many[:, part.cols].ravel()])

    return LP(
        matrix.indptr.astype(np.int32),
        matrix.indices.astype(np.int32),
        matrix.data,
        both(t.cost1[0], t.cost[0]),
        both(t.cost1[1], t.cost[1]),
        both(t.lower1, t.lower),
        both(t.upper1, t.upper),
        np.r_[t.row_lower1[part.rows1], t.row_lower[:, part.rows].ravel()],
        np.r_[t.row_upper1[part.rows1], t.row_upper[:, part.rows].ravel()],
        n1p,
        cp,
        np.flatnonzero(np.isin(part.cols1, t.plan1)).astype(np.int32),
    )


# --------------------------------------------------------------------------- solve


@dataclass(frozen=True)
class Job:
    """One solve of a part: at ``beta``, with the plan (x, z) fixed to ``fixed`` when given."""

    beta: float
    fixed: np.ndarray | None = None


@dataclass(frozen=True, repr=False)
class Answer:
    """A part's solve: status, column values (model units), simplex iterations."""

    status: SolveStatus
    values: np.ndarray
    iterations: int
    message: str = ""
    seconds: float = 0.0


def _highs(lp: LP, time_limit_s: float | None) -> highspy.Highs:
    h = new_highs(time_limit_s)
    model = highspy.HighsLp()
    model.num_col_, model.num_row_ = lp.n_cols, lp.n_rows
    model.col_cost_, model.col_lower_, model.col_upper_ = lp.c0, lp.lower, lp.upper
    model.row_lower_, model.row_upper_ = lp.row_lower, lp.row_upper
    model.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    model.a_matrix_.start_, model.a_matrix_.index_ = lp.start, lp.index
    model.a_matrix_.value_ = lp.value
    if h.passModel(model) == highspy.HighsStatus.kError:
        raise RiskEngineError("HiGHS rejected the two-stage LP (passModel returned kError)")
    return h


def _run(h: highspy.Highs, n_cols: int, time_limit_s: float | None = None) -> Answer:
    start = perf_counter()
    run_within(h, time_limit_s)
    status = STATUS.get(h.getModelStatus(), SolveStatus.ERROR)
    values = np.asarray(h.getSolution().col_value, float)
    if len(values) != n_cols:
        values = np.full(n_cols, np.nan)
    text = "" if status.is_ok else h.modelStatusToString(h.getModelStatus())
    iterations = int(h.getInfo().simplex_iteration_count)
    return Answer(status, values, iterations, text, perf_counter() - start)


#: HiGHS simplex strategies: after a cost change the last basis stays primal feasible
#: (primal simplex continues from it); after a bound change it stays dual feasible.
DUAL, PRIMAL = 1, 4


def solve_part(lp: LP, jobs: Sequence[Job], time_limit_s: float | None) -> list[Answer]:
    """Run the jobs in order on one ``Highs``; each later job starts from the last basis."""
    h = _highs(lp, time_limit_s)
    everything = np.arange(lp.n_cols, dtype=np.int32)
    at, n = lp.x_at, len(lp.x_at)
    beta, fixed = 0.0, False
    out: list[Answer] = []
    for job in jobs:
        if job.beta != beta:
            h.changeColsCost(lp.n_cols, everything, lp.c0 + job.beta * lp.c1)
            beta = job.beta
        h.setOptionValue("simplex_strategy", PRIMAL if job.fixed is None and out else DUAL)
        if job.fixed is not None:
            h.changeColsBounds(n, at, job.fixed, job.fixed)
            h.clearSolver()  # cold: presolve removes the fixed contracts, scenarios fall apart
            fixed = True
        elif fixed:
            h.changeColsBounds(n, at, lp.lower[at], lp.upper[at])
            fixed = False
        out.append(_run(h, lp.n_cols, time_limit_s))
    return out


def map_tasks(
    fn: Callable[..., Any],
    tasks: Sequence[tuple[Any, ...]],
    executor: str = "serial",
    n_jobs: int | None = None,
    scheduler: str | None = None,
) -> list[Any]:
    """``[fn(*task) for task in tasks]`` on an executor, results in task order.

    ``serial`` runs in this process, on a pool of ``n_jobs`` threads (default
    the CPU count): each task solves its own ``Highs``, which releases the GIL
    while it solves, so independent parts run side by side without starting
    processes (measured 1.9x on 2 cores for the five-year two-stage plan);
    ``n_jobs=1`` runs them one after the other. Results do not depend on it.
    """
    if executor == "serial" or len(tasks) <= 1:
        workers = min(n_jobs or os.cpu_count() or 1, len(tasks))
        if workers <= 1:
            return [fn(*task) for task in tasks]
        with ThreadPoolExecutor(max_workers=workers) as pool:
            return list(pool.map(lambda task: fn(*task), tasks))
    if executor == "local":
        from joblib import Parallel, delayed

        workers = n_jobs or os.cpu_count() or 1
        return list(Parallel(n_jobs=workers, backend="loky")(delayed(fn)(*t) for t in tasks))
    if executor == "dask":
        return _dask(fn, tasks, n_jobs, scheduler)
    raise RiskEngineError(f"executor {executor!r} is not one of serial, local, dask")


@contextmanager
def dask_client(n_jobs: int | None, scheduler: str | None) -> Iterator[Any]:
    """A dask.distributed client: on ``scheduler``, else on a local cluster of ``n_jobs``
    single-threaded processes (closed on exit). An unreachable scheduler is a
    :class:`RiskEngineError`, as is a missing dask.distributed."""
    try:
        from distributed import Client, LocalCluster
    except ImportError:
        raise RiskEngineError(
            "executor 'dask' needs dask.distributed: pip install "
            "'dask[distributed]' (or use --executor local)"
        ) from None
    cluster = None
    if scheduler is None:
        cluster = LocalCluster(  # type: ignore[no-untyped-call]  # distributed is unannotated
            n_workers=n_jobs or os.cpu_count() or 1,
            threads_per_worker=1,
            processes=True,
            dashboard_address=None,
        )
    try:
        with Client(scheduler if scheduler is not None else cluster) as client:  # type: ignore[no-untyped-call]
            yield client
    except OSError as exc:
        raise RiskEngineError(f"cannot reach the dask scheduler {scheduler!r}: {exc}") from None
    finally:
        if cluster is not None:
            cluster.close()


def _dask(
    fn: Callable[..., Any],
    tasks: Sequence[tuple[Any, ...]],
    n_jobs: int | None,
    scheduler: str | None,
) -> list[Any]:
    with dask_client(n_jobs, scheduler) as client:
        futures = [client.submit(fn, *task, pure=False) for task in tasks]
        return [future.result() for future in futures]


def solve_parts(
    t: Template,
    jobs: Sequence[Job],
    time_limit_s: float | None = None,
    executor: str = "serial",
    n_jobs: int | None = None,
    scheduler: str | None = None,
) -> list[tuple[Part, list[Answer]]]:
    """Every part through every job, in job order per part.

    ``jobs[i].fixed`` holds a plan (model units) for every column of
    ``t.plan1`` (the contracts x, then the product mix z); each part takes its own.
    """
    parts = split(t)
    at = _renumber(t.plan1, t.n1)
    tasks = []
    for part in parts:
        plan = at[part.cols1[np.isin(part.cols1, t.plan1)]]
        own = [Job(j.beta, None if j.fixed is None else j.fixed[plan]) for j in jobs]
        tasks.append((tile(t, part), own, time_limit_s))
    results = map_tasks(solve_part, tasks, executor, n_jobs, scheduler)
    return list(zip(parts, results, strict=True))


def gather(
    t: Template, solved: list[tuple[Part, list[Answer]]], job: int
) -> tuple[np.ndarray, np.ndarray, SolveStatus, str]:
    """Global values ``(n1,)``, local values ``(S, n_local)`` and the worst status of one job."""
    S = t.n_scenarios
    first, local = np.zeros(t.n1), np.zeros((S, t.n_local))
    status, message = SolveStatus.OPTIMAL, ""
    for part, answers in solved:
        answer = answers[job]
        n1p = len(part.cols1)
        first[part.cols1] = answer.values[:n1p]
        local[:, part.cols] = answer.values[n1p:].reshape(S, len(part.cols))
        if not answer.status.is_ok and status.is_ok:
            status, message = answer.status, answer.message
    return first, local, status, message
