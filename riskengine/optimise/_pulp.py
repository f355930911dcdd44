"""PuLP backend: the same :class:`Problem` as a ``pulp.LpProblem`` (every PuLP call lives here).

PuLP is the readable, exportable layer (LP/MPS files for review) and the door
to PuLP's solvers. The model is built with PuLP's fast public pattern: one
``LpAffineExpression`` per row from (variable, coefficient) pairs and a single
``prob.extend`` for all rows, in the PuLP 4.0 style (``prob.add_variable``,
``prob.constraints()``). Variables are found by position or by index tuple
(:attr:`PulpModel.by_key`), never by parsing names, which PuLP rewrites.
Each solve uses a fresh ``LpProblem``, so PuLP's stale duals from earlier
solves cannot leak in; duals are read only after an optimal LP solve. The
binary ``y`` columns of a MILP (minimum order quantity, supplier limit) are
``Binary`` variables; CBC and HiGHS then run branch and bound to a relative
gap of :data:`~riskengine.optimise.highs.MIP_REL_GAP` and no duals are read.
"""

from __future__ import annotations

import os
import re
import shutil
import warnings
from dataclasses import dataclass
from pathlib import Path
from time import perf_counter
from typing import Any

import numpy as np
import pulp

from riskengine.enums import SolverName
from riskengine.exceptions import SolverError
from riskengine.optimise import highs
from riskengine.optimise.problem import Problem
from riskengine.optimise.solution import ModelAnswer, Solution, SolveStatus, to_solution

__all__ = ["PulpModel", "build_pulp", "solve_pulp", "write_lp"]

_UNSAFE = re.compile(r"[^A-Za-z0-9_]")


@dataclass(frozen=True)
class PulpModel:
    """A PuLP model of a :class:`Problem`.

    Attributes
    ----------
    prob : pulp.LpProblem
        The model (minimise, in kt and kUSD).
    variables : list of pulp.LpVariable
        One per problem column, in column order.
    constraints : list of pulp.LpConstraint
        One per problem row, in row order.
    by_key : dict
        ``("x", buyer, supplier_id, commodity)``, ``("shortfall", buyer,
        commodity)`` or, in a MILP, ``("y", buyer, supplier_id, commodity)``
        to the variable.
    """

    prob: pulp.LpProblem
    variables: list[pulp.LpVariable]
    constraints: list[pulp.LpConstraint]
    by_key: dict[tuple[str, ...], pulp.LpVariable]


def _safe(text: str, limit: int = 60) -> str:
    return _UNSAFE.sub("_", text)[:limit]


def _column_names(problem: Problem) -> list[str]:
    c = problem.columns
    parts = zip(c["kind"], c["buyer"], c["commodity"], c["supplier_id"], c["country"], strict=True)
    return [
        f"{kind[:5]}{i}_{_safe('_'.join(p for p in rest if p))}"
        for i, (kind, *rest) in enumerate(parts)
    ]


def _row_names(problem: Problem) -> list[str]:
    keys = ["family", "buyer", "commodity", "country", "supplier_id"]
    rows = problem.rows[keys].fillna("")
    parts = zip(*(rows[k] for k in keys), strict=True)
    return [
        f"r{i}_{_safe('_'.join(str(p) for p in part if p not in ('', 'nan')))}"
        for i, part in enumerate(parts)
    ]


def _keys(problem: Problem) -> list[tuple[str, ...]]:
    """``(x|y, buyer, supplier_id, commodity)``, ``(shortfall|bought, buyer, commodity)`` or
    ``(violation, family, buyer, commodity, country)``."""
    c = problem.columns
    out: list[tuple[str, ...]] = []
    for k, b, m, s, country, family in zip(
        c["kind"],
        c["buyer"],
        c["commodity"],
        c["supplier_id"],
        c["country"],
        c["family"],
        strict=True,
    ):
        if k in ("x", "y"):
            out.append((k, b, s, m))
        elif k == "violation":
            out.append((k, family, b, m, country))
        else:
            out.append((k, b, m))
    return out


def build_pulp(problem: Problem) -> PulpModel:
    """Build the PuLP model of ``problem`` (fast construction, no name parsing)."""
    prob = pulp.LpProblem("riskengine_sourcing", pulp.LpMinimize)
    upper = [None if np.isinf(u) else u for u in problem.upper.tolist()]
    integer = (
        problem.integrality.tolist()
        if problem.integrality is not None
        else [False] * problem.n_cols
    )
    variables = [
        prob.add_variable(
            name, lowBound=low, upBound=up, cat=pulp.LpBinary if binary else pulp.LpContinuous
        )
        for name, low, up, binary in zip(
            _column_names(problem), problem.lower.tolist(), upper, integer, strict=True
        )
    ]
    prob.setObjective(
        pulp.LpAffineExpression(
            [(v, c) for v, c in zip(variables, problem.cost.tolist(), strict=True) if c != 0]
        )
    )
    constraints = _rows(problem, variables)
    prob.extend(dict(zip(_row_names(problem), constraints, strict=True)))
    by_key = dict(zip(_keys(problem), variables, strict=True))
    return PulpModel(prob, variables, constraints, by_key)


def _rows(problem: Problem, variables: list[pulp.LpVariable]) -> list[pulp.LpConstraint]:
    csr = problem.matrix
    starts, index, value = csr.indptr.tolist(), csr.indices.tolist(), csr.data.tolist()
    rows = []
    for i, (low, up) in enumerate(
        zip(problem.row_lower.tolist(), problem.row_upper.tolist(), strict=True)
    ):
        span = range(starts[i], starts[i + 1])
        expr = pulp.LpAffineExpression([(variables[index[j]], value[j]) for j in span])
        rows.append(_constraint(expr, low, up))
    return rows


#: Right-hand side PuLP gets for a row with no limit (the lexicographic rule's service rows
#: before the least shortfall is known): PuLP cannot write an infinite one.
FREE_ROW_RHS = 1e20


def _constraint(expr: pulp.LpAffineExpression, low: float, up: float) -> pulp.LpConstraint:
    if np.isinf(low) and np.isinf(up):
        return pulp.LpConstraint(expr, pulp.LpConstraintLE, rhs=FREE_ROW_RHS)
    if low == up:
        return pulp.LpConstraint(expr, pulp.LpConstraintEQ, rhs=low)
    if np.isinf(low):
        return pulp.LpConstraint(expr, pulp.LpConstraintLE, rhs=up)
    if np.isinf(up):
        return pulp.LpConstraint(expr, pulp.LpConstraintGE, rhs=low)
    raise ValueError(f"ranged row {low} <= ... <= {up} is not used by this model")


def write_lp(problem: Problem, path: str | os.PathLike[str]) -> Path:
    """Write the problem as a CPLEX LP file, or as MPS when ``path`` ends in ``.mps``.

    Quantities are kilotonnes and the objective thousands of USD.
    """
    out = Path(path)
    model = build_pulp(problem)
    if out.suffix.lower() == ".mps":
        model.prob.writeMPS(str(out))
    else:
        model.prob.writeLP(str(out))
    return out


# --------------------------------------------------------------------------- solvers


def _cbc(time_limit_s: float | None, mip: bool = False) -> Any:
    """CBC: a ``cbc`` on PATH through COIN_CMD, else the binary bundled with PuLP 3.x."""
    options: dict[str, Any] = {"msg": False, "mip": mip, "timeLimit": time_limit_s}
    if mip:
        options["gapRel"] = highs.MIP_REL_GAP
    if shutil.which("cbc"):
        return pulp.COIN_CMD(**options)
    bundled = getattr(pulp, "PULP_CBC_CMD", None)
    if bundled is not None:
        with warnings.catch_warnings():  # deprecated in PuLP 3.3, the bundled binary still works
            warnings.simplefilter("ignore", DeprecationWarning)
            cmd = bundled(**options)
        if cmd.available():
            return cmd
    raise SolverError(
        "solver 'cbc' is not available: install CBC (pip install 'pulp[cbc]' or "
        "your system's coinor-cbc package) or set optimiser.solver: highs"
    )


def _highs_cmd(time_limit_s: float | None, mip: bool = False) -> Any:
    gap = {"gapRel": highs.MIP_REL_GAP} if mip else {}
    solver = pulp.HiGHS(msg=False, timeLimit=time_limit_s, presolve_rule_off=8192, **gap)
    if not solver.available():
        raise SolverError(
            "solver 'highs' is not available through PuLP: install highspy "
            "(pip install highspy) or set optimiser.solver: cbc"
        )
    highs.silence_banner()
    return solver


def _version(solver: SolverName) -> str:
    if solver is SolverName.HIGHS:
        return f"{highs.highs_version()} (PuLP {pulp.__version__})"
    return f"{'system' if shutil.which('cbc') else 'bundled'} (PuLP {pulp.__version__})"


def _status(status: int, sol_status: int) -> SolveStatus:
    """PuLP's integer status pair to :class:`SolveStatus`."""
    if status == pulp.LpStatusOptimal:
        optimal = sol_status == pulp.LpSolutionOptimal
        return SolveStatus.OPTIMAL if optimal else SolveStatus.TIME_LIMIT
    return {
        pulp.LpStatusInfeasible: SolveStatus.INFEASIBLE,
        pulp.LpStatusUnbounded: SolveStatus.UNBOUNDED,
        pulp.LpStatusNotSolved: SolveStatus.NOT_SOLVED,
    }.get(status, SolveStatus.ERROR)


def _answer(model: PulpModel, status: SolveStatus, mip: bool = False) -> ModelAnswer:
    """Values and duals of an optimal solve (no duals for a MILP); nothing otherwise
    (PuLP cannot say if they hold)."""
    if not status.is_ok:
        prob = model.prob
        message = (
            f"PuLP status {pulp.LpStatus.get(prob.status, prob.status)!r}, solution "
            f"{pulp.LpSolution.get(prob.sol_status, prob.sol_status)!r}"
        )
        return ModelAnswer(status, np.nan, None, None, None, message)
    values = np.array([v.varValue or 0.0 for v in model.variables])
    objective = float(pulp.value(model.prob.objective) or 0.0)
    if mip:
        return ModelAnswer(status, objective, values, None, None)
    row_dual = np.array([c.pi if c.pi is not None else np.nan for c in model.constraints])
    col_dual = np.array([v.dj if v.dj is not None else np.nan for v in model.variables])
    return ModelAnswer(status, objective, values, row_dual, col_dual)


def solve_pulp(problem: Problem, solver: SolverName, time_limit_s: float | None) -> Solution:
    """Build the PuLP model and solve it with HiGHS or CBC.

    Raises
    ------
    SolverError
        When the solver is not installed (the message says how to install it).
    """
    solver = SolverName(solver)
    mip = problem.is_mip
    command = (
        _highs_cmd(time_limit_s, mip) if solver is SolverName.HIGHS else _cbc(time_limit_s, mip)
    )
    start = perf_counter()
    model = build_pulp(problem)
    built = perf_counter()
    try:
        model.prob.solve(command)
        status = _status(model.prob.status, model.prob.sol_status)
        answer = _answer(model, status, mip)
    except pulp.PulpSolverError as exc:
        answer = ModelAnswer(SolveStatus.ERROR, np.nan, None, None, None, str(exc))
    times = (built - start, perf_counter() - built)
    return to_solution(answer, solver.value, _version(solver), "pulp", times)
