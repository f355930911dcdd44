"""The sharing stages' fast paths give the plan of the plain staged LP.

The staged LP starts from the pooled solve's basis and re-solves by primal
simplex when only the objective changed; started cold it must find the same
plan (the tie-break makes the optimum unique), on the shipped data and on
generated data with scarce capacity. Under ``shapley`` with scarce capacity
the tie-break can spend the slack HiGHS's feasibility tolerance leaves on the
kept rows (about 1e-9 of the pooled cost) differently on the two paths: there
the check is the contract's, every need's served tonnes and model cost equal
within that slack.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from riskengine import generate_dataset, load_config, load_dataset
from riskengine.config.schema import Config
from riskengine.data.dataset import Dataset
from riskengine.optimise.api import default_scores
from riskengine.optimise.build import build_problem
from riskengine.optimise.coalition import CoalitionGame, need_money
from riskengine.optimise.problem import Problem
from riskengine.optimise.sharing import POOLED_RTOL, SharedPlan, share
from riskengine.optimise.solution import Solution
from riskengine.optimise.solving import solve

RULES = ["proportional", "maxmin", "shapley"]


def _pooled(data: Dataset, config: Config) -> tuple[Problem, Solution]:
    problem = build_problem(data, config, default_scores(data, config), "joint")
    return problem, solve(problem)


def _cases() -> dict[str, tuple[Dataset, Config]]:
    one_year = load_config().one_year()
    return {
        "shipped": (load_dataset(), load_config()),
        "generated": (generate_dataset(n_offers=300, seed=3), one_year),
        "scarce": (generate_dataset(n_offers=300, seed=4, demand_ratio=1.4), one_year),
    }


@pytest.fixture(scope="module")
def pooled_cases() -> dict[str, tuple[Problem, Solution]]:
    return {name: _pooled(*case) for name, case in _cases().items()}


def _same_plan(fast: SharedPlan, plain: SharedPlan, problem: Problem, exact: bool) -> None:
    assert not fast.message and not plain.message
    demand = float(problem.params.demand_t.max())
    assert fast.objective_usd == pytest.approx(plain.objective_usd, rel=3 * POOLED_RTOL)
    assert fast.stages["stage"].tolist() == plain.stages["stage"].tolist()
    if exact:
        np.testing.assert_allclose(fast.values_t, plain.values_t, rtol=0, atol=1e-6 * demand)
    money = [need_money(problem, plan.values_t) for plan in (fast, plain)]
    np.testing.assert_allclose(money[0]["served_t"], money[1]["served_t"], atol=1e-6 * demand)
    slack = 3 * POOLED_RTOL * abs(fast.objective_usd)
    np.testing.assert_allclose(money[0]["model_cost_usd"], money[1]["model_cost_usd"], atol=slack)


@pytest.mark.parametrize("rule", RULES)
@pytest.mark.parametrize("case", ["shipped", "generated", "scarce"])
def test_the_warm_start_gives_the_cold_plan(pooled_cases, case: str, rule: str) -> None:
    problem, pooled = pooled_cases[case]
    assert pooled.basis is not None
    fast = share(problem, pooled, rule, CoalitionGame(problem))
    plain = share(problem, replace(pooled, basis=None), rule, CoalitionGame(problem))
    _same_plan(fast, plain, problem, exact=not (case == "scarce" and rule == "shapley"))
