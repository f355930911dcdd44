"""Solve a :class:`Problem` with one of two backends: highspy direct or PuLP."""

from __future__ import annotations

import os
from dataclasses import replace
from pathlib import Path
from typing import Literal

import numpy as np

from riskengine.enums import SolverName
from riskengine.exceptions import ConfigError
from riskengine.optimise.problem import Problem
from riskengine.optimise.solution import ModelAnswer, Solution, SolveStatus, to_solution

__all__ = ["SERVICE_TOL", "Backend", "resolve_backend", "solve", "write_lp"]

Backend = Literal["highs", "pulp"]
_BACKENDS = ("highs", "pulp")


def resolve_backend(solver: SolverName | str, backend: str | None) -> Backend:
    """The backend for a solver: highspy direct for HiGHS unless PuLP is asked; PuLP for CBC.

    Raises
    ------
    ConfigError
        For an unknown backend, or CBC with the highspy backend.
    """
    solver = SolverName(solver)
    if backend is None:
        return "highs" if solver is SolverName.HIGHS else "pulp"
    if backend not in _BACKENDS:
        raise ConfigError(f"backend {backend!r} is not one of {', '.join(_BACKENDS)}")
    if solver is SolverName.CBC and backend == "highs":
        raise ConfigError(
            "optimiser.solver 'cbc' runs through PuLP: use backend 'pulp' "
            "(--backend pulp) or optimiser.solver: highs"
        )
    return backend  # type: ignore[return-value]


def solve(
    problem: Problem,
    solver: SolverName | str = SolverName.HIGHS,
    backend: str | None = None,
    time_limit_s: float | None = 60.0,
) -> Solution:
    """Solve the model; with ``optimiser.shortfall: lexicographic``, in two stages.

    Parameters
    ----------
    problem : Problem
        From :func:`~riskengine.optimise.build_problem`.
    solver : {"highs", "cbc"}
        The LP solver.
    backend : {"highs", "pulp"}, optional
        ``highs`` passes the arrays to highspy (fast); ``pulp`` builds a PuLP
        model (needed for CBC). Default: ``highs`` for HiGHS, ``pulp`` for CBC.
    time_limit_s : float, optional
        Solver time limit per stage, seconds.

    Returns
    -------
    Solution
        Status, objective (USD), column values (t) and, if optimal, duals in
        USD per kg: objective change per extra kg of right-hand side or bound
        (negative = relaxing saves money); with highspy also the basis.

    Notes
    -----
    The lexicographic rule first finds the least shortfall the market allows
    (only the tonnes short count; hard policies hold, soft ones are free),
    then minimises the model's objective among plans whose shortfall per
    commodity (per buyer in ``separate`` mode) is no larger, within
    :data:`SERVICE_TOL` relative.

    Raises
    ------
    SolverError
        When the solver is not installed.
    """
    solver = SolverName(solver)
    chosen = resolve_backend(solver, backend)
    if problem.n_cols == 0:
        return _empty(solver, chosen)
    if not problem.lexicographic:
        return _solve_once(problem, solver, chosen, time_limit_s)
    first = _solve_once(problem.with_parameters(objective="service"), solver, chosen, time_limit_s)
    if not first.is_ok or first.values_t is None:
        return first
    group = problem.structure.service_group
    least = np.bincount(group, first.values_t[problem.layout.shortfall])
    limit = least * (1 + SERVICE_TOL) + SERVICE_TOL_T
    second = _solve_once(problem.with_parameters(service_t=limit), solver, chosen, time_limit_s)
    times = (first.build_s + second.build_s, first.solve_s + second.solve_s)
    return replace(second, build_s=times[0], solve_s=times[1])


#: Lexicographic rule: relative slack on the least shortfall of the first stage.
SERVICE_TOL = 1e-9
#: ... and absolute slack, tonnes.
SERVICE_TOL_T = 1e-6


def _solve_once(
    problem: Problem, solver: SolverName, chosen: Backend, time_limit_s: float | None
) -> Solution:
    if chosen == "pulp":
        from riskengine.optimise._pulp import solve_pulp

        return solve_pulp(problem, solver, time_limit_s)
    from riskengine.optimise.highs import HighsModel, highs_version

    model = HighsModel(problem, time_limit_s, keep=False)  # solved once: free each block after it
    answer, seconds = model.run()
    basis = model.basis() if answer.status.is_ok and not problem.is_mip else None
    return to_solution(answer, "highs", highs_version(), "highs", (model.build_s, seconds), basis)


def _empty(solver: SolverName, backend: Backend) -> Solution:
    """Nothing to buy (no demand): optimal at zero cost without calling a solver."""
    answer = ModelAnswer(SolveStatus.OPTIMAL, 0.0, np.zeros(0), np.zeros(0), np.zeros(0))
    return to_solution(answer, solver.value, "", backend, (0.0, 0.0))


def write_lp(problem: Problem, path: str | os.PathLike[str]) -> Path:
    """Write the problem through PuLP as an LP file (or MPS when ``path`` ends in ``.mps``).

    Quantities in the file are kilotonnes and the objective thousands of USD.
    """
    from riskengine.optimise._pulp import write_lp as pulp_write_lp

    return pulp_write_lp(problem, path)
