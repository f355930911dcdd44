"""The sourcing optimiser: the LP of contract section 5, two backends, results, frontier.

The recipe, each step public on its own::

    scores = riskengine.score_suppliers(data, config)
    problem = build_problem(data, config, scores)        # arrays and sparse blocks
    solution = solve(problem, "highs", backend="highs")  # or backend="pulp" (HiGHS, CBC)
    result = make_result(problem, solution)              # tables, metrics, shadow prices

or in one call, ``optimise(data, config)``.
"""

from riskengine.optimise.alliance import AllianceAnalysis, alliance_value, analyse_alliance
from riskengine.optimise.api import optimise
from riskengine.optimise.build import build_problem
from riskengine.optimise.buylist import buy_list
from riskengine.optimise.cost_risk import Frontier, frontier
from riskengine.optimise.problem import Block, Problem
from riskengine.optimise.result import OptimisationResult, make_result
from riskengine.optimise.solution import Solution, SolveStatus
from riskengine.optimise.solving import solve, write_lp

__all__ = [
    "AllianceAnalysis",
    "Block",
    "Frontier",
    "OptimisationResult",
    "Problem",
    "Solution",
    "SolveStatus",
    "alliance_value",
    "analyse_alliance",
    "build_problem",
    "buy_list",
    "frontier",
    "make_result",
    "optimise",
    "solve",
    "write_lp",
]
