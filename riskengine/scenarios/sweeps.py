"""Fast scenario sweeps: one HiGHS model, changed in place and warm-started per scenario.

The LP is passed to HiGHS once (from the :class:`~riskengine.scenarios._index.ModelIndex`
arrays). Each scenario then changes column bounds, column costs (only when its
prices differ from the model's current ones) and row bounds, and re-runs the
dual simplex from the basis left by the previous solve, which skips presolve
and takes a few iterations instead of hundreds.

**Identical results on any executor.** A warm-started solve can land on a
different (equally optimal) vertex depending on where it starts. So scenarios
are cut into fixed blocks of ``block_size`` consecutive scenarios; each block
starts from the baseline's optimal basis on a cleared solver, and inside a
block each solve starts where the previous one ended. Block boundaries depend
only on scenario positions, so ``serial``, ``local`` (processes) and ``dask``
run exactly the same solves in the same order and return bit-identical answers,
whatever the number of workers.

Executors:

- ``serial``: one model in this process;
- ``local``: joblib's loky process pool; every worker builds the model once and
  keeps it for all its chunks of blocks. Processes only pay when the sweep is
  long enough: the first block runs in this process and times a scenario, and
  the rest goes to the pool only when the time the workers would save exceeds
  what starting them and sending the answers back costs (:func:`use_processes`);
  otherwise the sweep stays in this process and says so (:attr:`SweepResult.note`);
- ``dask``: a ``dask.distributed`` cluster (``Client(scheduler)``, or a
  ``LocalCluster`` when no address is given); dask is an optional extra
  (``pip install "dask[distributed]"``). Scripts that start a ``LocalCluster``
  need an ``if __name__ == "__main__":`` guard.

HiGHS's ``threads`` option is process-global and is never set here.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from itertools import pairwise
from time import perf_counter

import highspy
import numpy as np

from riskengine.exceptions import RiskEngineError
from riskengine.optimise.families import TONNES_PER_UNIT, USD_PER_UNIT
from riskengine.optimise.highs import STATUS, highs_lp, new_highs, run_within
from riskengine.optimise.parameters import model_arrays
from riskengine.optimise.solution import SolveStatus
from riskengine.optimise.solving import SERVICE_TOL, SERVICE_TOL_T
from riskengine.progress import Progress
from riskengine.scenarios._index import ModelIndex, ScenarioArrays
from riskengine.scenarios._parts import dask_client
from riskengine.scenarios.model import ScenarioEffect

__all__ = [
    "EXECUTORS",
    "LOCAL_START_S",
    "LOCAL_S_PER_SCENARIO",
    "LOCAL_S_PER_VALUE",
    "Progress",
    "SweepResult",
    "baseline_solve",
    "sweep",
    "use_processes",
]

#: Executor names accepted by :func:`sweep`.
EXECUTORS = ("serial", "local", "dask")
#: Default number of scenarios per warm-start block.
BLOCK_SIZE = 32
#: What the ``local`` pool costs, seconds: starting it and building the model in its workers,
#: then per scenario and per value of its answer sent back. Fitted to sweeps measured on 2
#: cores (one-year model, Monte Carlo scenarios; serial / cold pool / warm pool): shipped
#: data, 228 columns, 2,000 scenarios 0.85 / 1.69 / 0.63 s; 1,000 generated offers, 2,133
#: columns, 400 scenarios 2.20 / 2.50 / 1.35 s.
LOCAL_START_S = 1.2
LOCAL_S_PER_SCENARIO = 5e-5
LOCAL_S_PER_VALUE = 2e-7


@dataclass(frozen=True, repr=False)
class SweepResult:
    """Re-optimised answers of many scenarios (one row per scenario, in input order).

    Attributes
    ----------
    names : tuple of str
    status : tuple of str
        ``optimal`` or what went wrong, per scenario.
    objective_usd : ndarray
        The model cost (purchase + risk charge + lost supply + violations), USD.
    x_t : ndarray
        ``(scenarios, x columns)``: tonnes bought per (buyer, offer) column.
    shortfall_t : ndarray
        ``(scenarios, pairs)``: unmet demand per buyer and commodity, tonnes.
    iterations : ndarray
        Simplex iterations per scenario.
    seconds : float
        Wall time of the sweep (model builds included).
    executor : str
        Where the scenarios were solved: ``serial`` (this process), ``local`` or ``dask``.
    workers : int
    note : str
        Why ``local`` ran in this process instead (empty otherwise).
    """

    names: tuple[str, ...]
    status: tuple[str, ...]
    objective_usd: np.ndarray
    x_t: np.ndarray
    shortfall_t: np.ndarray
    iterations: np.ndarray
    seconds: float
    executor: str
    workers: int = field(default=1)
    note: str = ""

    @property
    def scenarios_per_s(self) -> float:
        """Throughput."""
        return len(self.names) / self.seconds if self.seconds > 0 else float("inf")

    def __repr__(self) -> str:
        ok = sum(s == SolveStatus.OPTIMAL for s in self.status)
        return (
            f"SweepResult({len(self.names)} scenarios, {ok} optimal, executor={self.executor}"
            f", {self.scenarios_per_s:,.0f} scenarios/s)"
        )


# --------------------------------------------------------------------------- model


class _SweepModel:
    """The LP loaded into HiGHS once, re-solved per scenario."""

    def __init__(self, index: ModelIndex, time_limit_s: float | None) -> None:
        self.index = index
        self.time_limit_s = time_limit_s
        self.highs = new_highs(time_limit_s)
        base = index.scenario(ScenarioEffect("baseline"))
        self.lower = np.zeros(index.n_cols)
        lp = highs_lp(
            base.col_cost,
            (self.lower, base.col_upper),
            index.problem.matrix,
            (base.row_lower, base.row_upper),
        )
        if self.highs.passModel(lp) == highspy.HighsStatus.kError:
            raise RiskEngineError("HiGHS rejected the sweep model (passModel returned kError)")
        self.cols = np.arange(index.n_cols, dtype=np.int32)
        self.rows = np.arange(index.n_rows, dtype=np.int32)
        self.cost = base.col_cost
        self.basis = _highs_basis(index.basis) if index.basis is not None else None

    def solve(self, effect: ScenarioEffect, fresh: bool) -> tuple[str, float, np.ndarray, int]:
        """Solve one scenario; ``fresh`` restarts from the baseline basis on a cleared solver.

        Under ``optimiser.shortfall: lexicographic`` the scenario is solved in
        the optimiser's two stages: the least shortfall first, then the model's
        objective within it (:func:`riskengine.optimise.solve`).
        """
        arrays = self.index.scenario(effect)
        problem = self.index.problem
        if not problem.lexicographic:
            self._load(arrays, fresh)
            return self._run()
        first = arrays.params.replace(objective="service")
        self._load(ScenarioArrays(first, model_arrays(problem.structure, first)), fresh)
        status, _, values, iterations = self._run()
        if status != SolveStatus.OPTIMAL:
            return status, float("nan"), values, iterations
        short_t = values[problem.layout.shortfall] * TONNES_PER_UNIT
        least = np.bincount(problem.structure.service_group, short_t)
        limit = least * (1 + SERVICE_TOL) + SERVICE_TOL_T
        second = arrays.params.replace(service_t=limit)
        self._load(ScenarioArrays(second, model_arrays(problem.structure, second)), False)
        status, objective, values, more = self._run()
        return status, objective, values, iterations + more

    def _load(self, arrays: ScenarioArrays, fresh: bool) -> None:
        h = self.highs
        h.changeColsBounds(len(self.cols), self.cols, self.lower, arrays.col_upper)
        if fresh or not np.array_equal(arrays.col_cost, self.cost):
            h.changeColsCost(len(self.cols), self.cols, arrays.col_cost)
            self.cost = arrays.col_cost
        if len(self.rows):
            h.changeRowsBounds(len(self.rows), self.rows, arrays.row_lower, arrays.row_upper)  # type: ignore[attr-defined]  # in highspy, not in its stubs
        if fresh:
            h.clearSolver()
            if self.basis is not None:
                h.setBasis(self.basis)

    def _run(self) -> tuple[str, float, np.ndarray, int]:
        h = self.highs
        run_within(h, self.time_limit_s)
        status = STATUS.get(h.getModelStatus(), SolveStatus.ERROR)
        info = h.getInfo()
        values = np.asarray(h.getSolution().col_value, dtype=float)
        if len(values) != self.index.n_cols:
            values = np.full(self.index.n_cols, np.nan)
        return (
            status.value,
            float(info.objective_function_value) * USD_PER_UNIT,
            values,
            int(info.simplex_iteration_count),
        )


def _highs_basis(statuses: tuple[np.ndarray, np.ndarray]) -> highspy.HighsBasis:
    col, row = statuses
    basis = highspy.HighsBasis()
    basis.col_status = [highspy.HighsBasisStatus(int(s)) for s in col]
    basis.row_status = [highspy.HighsBasisStatus(int(s)) for s in row]
    basis.valid = True
    return basis


def baseline_solve(
    index: ModelIndex, time_limit_s: float | None = None
) -> tuple[ModelIndex, str, float, np.ndarray]:
    """Solve the unchanged LP cold; return the index carrying its basis, status, USD, values (t).

    Raises
    ------
    RiskEngineError
        When the baseline is not solved to optimality.
    """
    model = _SweepModel(index, time_limit_s)
    # fresh: start from the optimiser's optimal basis, so the baseline is the same vertex
    status, objective, values, _ = model.solve(ScenarioEffect("baseline"), fresh=True)
    if status != SolveStatus.OPTIMAL:
        raise RiskEngineError(
            f"the baseline LP was not solved to optimality (status {status}); "
            "raise optimiser.time_limit_s or check the data"
        )
    basis = model.highs.getBasis()
    col = np.array([int(s) for s in basis.col_status], np.int8)
    row = np.array([int(s) for s in basis.row_status], np.int8)
    return index.with_basis(col, row), status, objective, values * TONNES_PER_UNIT


# --------------------------------------------------------------------------- chunks

_Block = list[tuple[int, ScenarioEffect]]
_Answer = tuple[int, str, float, np.ndarray, int]
_MODELS: dict[str, _SweepModel] = {}


def _solve_blocks(
    token: str, index: ModelIndex, blocks: list[_Block], time_limit_s: float | None
) -> list[_Answer]:
    """Worker task: solve whole blocks on this process's cached model."""
    model = _MODELS.get(token)
    if model is None:
        _MODELS.clear()
        model = _MODELS[token] = _SweepModel(index, time_limit_s)
    out = []
    for block in blocks:
        for k, (position, effect) in enumerate(block):
            status, objective, values, iterations = model.solve(effect, fresh=k == 0)
            out.append((position, status, objective, values, iterations))
    return out


def _blocks(effects: Sequence[ScenarioEffect], size: int) -> list[_Block]:
    items = list(enumerate(effects))
    return [items[i : i + size] for i in range(0, len(items), size)]


def _chunks(blocks: list[_Block], n_tasks: int) -> list[list[_Block]]:
    n_tasks = max(1, min(n_tasks, len(blocks)))
    edges = np.linspace(0, len(blocks), n_tasks + 1).round().astype(int)
    return [blocks[a:b] for a, b in pairwise(edges) if b > a]


# --------------------------------------------------------------------------- sweep


def sweep(
    index: ModelIndex,
    effects: Sequence[ScenarioEffect],
    executor: str = "serial",
    *,
    n_jobs: int | None = None,
    scheduler: str | None = None,
    progress: bool | None = None,
    block_size: int = BLOCK_SIZE,
    time_limit_s: float | None = None,
) -> SweepResult:
    """Re-optimise the LP under every scenario.

    Parameters
    ----------
    index : ModelIndex
        From :func:`~riskengine.scenarios._index.index_problem`, carrying the
        baseline basis (:func:`baseline_solve`); without one the first solve of
        each block is cold.
    effects : sequence of ScenarioEffect
        Compiled against the same dataset as ``index``.
    executor : {"serial", "local", "dask"}
    n_jobs : int, optional
        Processes for ``local`` (default: CPU count) or workers of a dask
        ``LocalCluster``.
    scheduler : str, optional
        Dask scheduler address, e.g. ``tcp://10.0.0.5:8786``.
    progress : bool, optional
        Progress line on stderr; default only on a terminal for 50+ scenarios.
    block_size : int
        Scenarios per warm-start block (see the module docstring).
    time_limit_s : float, optional
        HiGHS time limit per solve.

    Returns
    -------
    SweepResult
    """
    if executor not in EXECUTORS:
        raise RiskEngineError(f"executor {executor!r} is not one of {', '.join(EXECUTORS)}")
    if block_size < 1:
        raise RiskEngineError(f"block_size must be at least 1, got {block_size}")
    start = perf_counter()
    blocks = _blocks(effects, block_size)
    bar = Progress(len(effects), progress)
    workers, note = 1, ""
    if executor == "serial" or not blocks:
        answers = _run_serial(index, blocks, bar, time_limit_s)
    elif executor == "local":
        answers, workers, note = _run_local(
            index, blocks, n_jobs or os.cpu_count() or 1, bar, time_limit_s
        )
        executor = "local" if workers > 1 else "serial"
    else:
        answers, workers = _run_dask(index, blocks, n_jobs, scheduler, bar, time_limit_s)
    bar.close()
    result = _collect(index, effects, answers, perf_counter() - start, executor, workers)
    return replace(result, note=note) if note else result


def _run_serial(
    index: ModelIndex, blocks: list[_Block], bar: Progress, time_limit_s: float | None
) -> list[_Answer]:
    answers: list[_Answer] = []
    for block in blocks:
        answers += _solve_blocks("serial", index, [block], time_limit_s)
        bar.update(len(block))
    _MODELS.pop("serial", None)
    return answers


def use_processes(seconds: float, scenarios: int, values: int, workers: int) -> bool:
    """Whether ``workers`` processes beat this process on work it would do in ``seconds``.

    ``scenarios`` answers of ``values`` numbers each come back from the
    workers. The pool saves ``seconds x (1 - 1/workers)`` and costs
    :data:`LOCAL_START_S`, plus :data:`LOCAL_S_PER_SCENARIO` and
    :data:`LOCAL_S_PER_VALUE` per value for each answer. On 2 cores they pay
    for the shipped data (228 columns, 0.43 ms a scenario) from about 10,300
    scenarios, and at 1,000 generated offers (2,133 columns, 5.5 ms a
    scenario) from about 530.

    >>> use_processes(0.85, 2000, 228, 2), use_processes(11.0, 2000, 2133, 2)
    (False, True)
    """
    if workers <= 1:
        return False
    saved = seconds * (1.0 - 1.0 / workers)
    return saved > LOCAL_START_S + scenarios * (LOCAL_S_PER_SCENARIO + LOCAL_S_PER_VALUE * values)


def _run_local(
    index: ModelIndex, blocks: list[_Block], workers: int, bar: Progress, time_limit_s: float | None
) -> tuple[list[_Answer], int, str]:
    """The first block here, timed; the rest on ``workers`` processes when they pay
    (:func:`use_processes`), else here too. Answers, workers used and a note."""
    _solve_blocks("serial", index, [], time_limit_s)  # the model, built before the clock starts
    start = perf_counter()
    answers = _solve_blocks("serial", index, blocks[:1], time_limit_s)
    bar.update(len(blocks[0]))
    per_scenario = (perf_counter() - start) / len(blocks[0])
    rest = blocks[1:]
    n_rest = sum(len(block) for block in rest)
    if not use_processes(per_scenario * n_rest, n_rest, index.n_cols, workers):
        answers += _run_serial(index, rest, bar, time_limit_s)
        note = (
            f"executor local ran the sweep in this process: {n_rest + len(blocks[0])} "
            f"scenarios at {per_scenario * 1000:.2f} ms each would gain less on {workers} "
            f"processes than starting them costs (about {LOCAL_START_S:g} s)"
        )
        return answers, 1, note
    _MODELS.pop("serial", None)
    return answers + _on_pool(index, rest, workers, bar, time_limit_s), workers, ""


def _on_pool(
    index: ModelIndex, blocks: list[_Block], workers: int, bar: Progress, time_limit_s: float | None
) -> list[_Answer]:
    from joblib import Parallel, delayed

    token = uuid.uuid4().hex
    chunks = _chunks(blocks, 4 * workers)
    tasks = (delayed(_solve_blocks)(token, index, chunk, time_limit_s) for chunk in chunks)
    answers: list[_Answer] = []
    runner = Parallel(n_jobs=workers, backend="loky", return_as="generator_unordered")
    for part in runner(tasks):
        answers += part
        bar.update(len(part))
    return answers


def _run_dask(
    index: ModelIndex,
    blocks: list[_Block],
    n_jobs: int | None,
    scheduler: str | None,
    bar: Progress,
    time_limit_s: float | None,
) -> tuple[list[_Answer], int]:
    with dask_client(n_jobs, scheduler) as client:  # refuses a missing dask.distributed
        from distributed import as_completed

        workers = max(1, len(client.scheduler_info().get("workers", {})))
        chunks = _chunks(blocks, 4 * workers)
        token = uuid.uuid4().hex
        shared = client.scatter(index, broadcast=True)
        futures = [
            client.submit(_solve_blocks, token, shared, chunk, time_limit_s, pure=False)
            for chunk in chunks
        ]
        answers: list[_Answer] = []
        for future in as_completed(futures):  # type: ignore[no-untyped-call]
            part = future.result()
            answers += part
            bar.update(len(part))
    return answers, workers


def _collect(
    index: ModelIndex,
    effects: Sequence[ScenarioEffect],
    answers: list[_Answer],
    seconds: float,
    executor: str,
    workers: int,
) -> SweepResult:
    answers = sorted(answers, key=lambda a: a[0])
    n = len(effects)
    values = np.vstack([a[3] for a in answers]) if answers else np.zeros((0, index.n_cols))
    values = values * TONNES_PER_UNIT
    return SweepResult(
        names=tuple(e.name for e in effects),
        status=tuple(a[1] for a in answers),
        objective_usd=np.array([a[2] for a in answers], dtype=float).reshape(n),
        x_t=values[:, : index.n_x],
        shortfall_t=values[:, index.n_x : index.n_x + index.n_pairs],
        iterations=np.array([a[4] for a in answers], dtype=int).reshape(n),
        seconds=seconds,
        executor=executor,
        workers=workers,
    )
