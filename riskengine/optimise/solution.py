"""What a backend returns: :class:`SolveStatus` and :class:`Solution`, in tonnes and USD."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

import numpy as np

from riskengine.optimise.families import TONNES_PER_UNIT, USD_PER_UNIT

__all__ = ["Solution", "SolveStatus"]


class SolveStatus(StrEnum):
    """Outcome of a solve; only ``optimal`` is used as a plan.

    The model is always feasible (x = 0 with full shortfall satisfies every
    row), so ``infeasible`` or ``unbounded`` point to a bug or a numerical
    problem, never to the data.
    """

    OPTIMAL = "optimal"
    TIME_LIMIT = "time_limit"
    INFEASIBLE = "infeasible"
    UNBOUNDED = "unbounded"
    NUMERICAL = "numerical"
    NOT_SOLVED = "not_solved"
    ERROR = "error"

    @property
    def is_ok(self) -> bool:
        """True only for ``optimal``."""
        return self is SolveStatus.OPTIMAL


@dataclass(frozen=True)
class Solution:
    """A solver's answer to a :class:`~riskengine.optimise.problem.Problem`.

    Attributes
    ----------
    status : SolveStatus
        ``optimal`` or what went wrong.
    objective_usd : float
        Objective in USD (NaN when there is no solution).
    values_t : ndarray or None
        Column values in tonnes (x columns, then shortfalls); None without a solution.
    row_dual_usd_per_kg, col_dual_usd_per_kg : ndarray or None
        Duals: change of the objective (USD) per extra kg of a row's right-hand
        side or a column's active bound; negative = relaxing saves money.
        Only from an LP solved to optimality, else None.
    solver, solver_version, backend : str
        E.g. ``highs``, ``1.16.0``, ``highs`` (highspy direct) or ``pulp``.
    build_s, solve_s : float
        Seconds spent building the backend model and running the solver.
    message : str
        What the solver said, for non-optimal outcomes.
    """

    status: SolveStatus
    objective_usd: float
    values_t: np.ndarray | None = field(repr=False)
    row_dual_usd_per_kg: np.ndarray | None = field(repr=False)
    col_dual_usd_per_kg: np.ndarray | None = field(repr=False)
    solver: str
    solver_version: str
    backend: str
    build_s: float = 0.0
    solve_s: float = 0.0
    message: str = ""
    basis: tuple[np.ndarray, np.ndarray] | None = field(default=None, repr=False)

    @property
    def is_ok(self) -> bool:
        """True when solved to optimality."""
        return self.status.is_ok

    @property
    def duals_available(self) -> bool:
        """True when row and column duals are present."""
        return self.row_dual_usd_per_kg is not None and self.col_dual_usd_per_kg is not None


@dataclass(frozen=True)
class ModelAnswer:
    """A backend's raw answer in model units (kt, kUSD); see :func:`to_solution`."""

    status: SolveStatus
    objective: float
    values: np.ndarray | None
    row_dual: np.ndarray | None
    col_dual: np.ndarray | None
    message: str = ""


def to_solution(
    answer: ModelAnswer,
    solver: str,
    version: str,
    backend: str,
    times: tuple[float, float],
    basis: tuple[np.ndarray, np.ndarray] | None = None,
) -> Solution:
    """Convert a backend's answer to tonnes and USD; drop duals unless optimal.

    A model dual is kUSD per kt = USD per tonne, so USD per kg is the dual / 1000.
    """
    ok = answer.status.is_ok
    values = None if answer.values is None else np.asarray(answer.values) * TONNES_PER_UNIT
    per_kg = USD_PER_UNIT / TONNES_PER_UNIT / 1000.0

    def dual(arr: np.ndarray | None) -> np.ndarray | None:
        return None if (arr is None or not ok) else np.asarray(arr, dtype=float) * per_kg

    return Solution(
        status=answer.status,
        objective_usd=float(answer.objective) * USD_PER_UNIT,
        values_t=values,
        row_dual_usd_per_kg=dual(answer.row_dual),
        col_dual_usd_per_kg=dual(answer.col_dual),
        solver=solver,
        solver_version=version,
        backend=backend,
        build_s=times[0],
        solve_s=times[1],
        message=answer.message,
        basis=basis if ok else None,
    )
