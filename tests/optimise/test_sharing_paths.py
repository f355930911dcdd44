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
    cost = [frame["model_cost_usd"] for frame in money]
    np.testing.assert_allclose(cost[0], cost[1], rtol=0 if exact else 1e-6, atol=slack)


@pytest.mark.parametrize("rule", RULES)
@pytest.mark.parametrize("case", ["shipped", "generated", "scarce"])
def test_the_warm_start_gives_the_cold_plan(pooled_cases, case: str, rule: str) -> None:
    problem, pooled = pooled_cases[case]
    assert pooled.basis is not None
    fast = share(problem, pooled, rule, CoalitionGame(problem))
    plain = share(problem, replace(pooled, basis=None), rule, CoalitionGame(problem))
    _same_plan(fast, plain, problem, exact=not (case == "scarce" and rule == "shapley"))


def _stage_values(plan: SharedPlan) -> dict[str, float]:
    return dict(zip(plan.stages["stage"], plan.stages["objective"], strict=True))


@pytest.mark.parametrize("rule", ["proportional", "maxmin"])
@pytest.mark.parametrize("case", ["shipped", "generated", "scarce"])
def test_blocks_give_the_one_lps_plan_within_the_kept_slack(
    pooled_cases, case: str, rule: str
) -> None:
    # block by block each commodity keeps its own pooled optimum within 1e-9 of it; the one
    # LP keeps their sum within 1e-9 of the sum, so its tie-break may spend the slack of
    # one commodity in another: the plans agree within what that slack buys
    problem, pooled = pooled_cases[case]
    game = CoalitionGame(problem)
    fast = share(problem, pooled, rule, game)
    plain = share(problem, pooled, rule, game, blocks=False)
    _same_plan(fast, plain, problem, exact=False)
    values, reference = _stage_values(fast), _stage_values(plain)
    reference_units = dict(zip(plain.stages["stage"], plain.stages["unit"], strict=True))
    assert list(values) == list(reference)
    for stage, optimum in reference.items():
        unit = reference_units[stage]
        slack = 3 * POOLED_RTOL * abs(plain.pooled_optimum_usd) if unit == "USD" else 1e-5
        assert values[stage] == pytest.approx(optimum, rel=1e-6, abs=slack), stage


def test_a_buyer_worse_off_than_alone_sends_the_stages_to_the_one_lp() -> None:
    # one offer of 100 t for 100 t of demand each; it costs the EU twice what it costs JP
    # with its risk charge, so the pooled optimum leaves the EU short: the blocks' plan is
    # not individually rational and the one LP (with the rationality rows) decides
    from tests.optimise.helpers import make_config, scores_for, tiny_dataset

    data = tiny_dataset(
        [("c1", "CN", "terbium", 100, 100)], [("EU", "terbium", 100), ("JP", "terbium", 100)]
    )
    config = make_config(shortfall_penalty_usd_per_kg=1000.0, risk_aversion=1.0)
    scores = scores_for(data, config, lambda buyer, _: 10.0 if buyer == "EU" else 0.0)
    problem = build_problem(data, config, scores, "joint")
    pooled = solve(problem)
    for rule in ("proportional", "maxmin"):
        fast = share(problem, pooled, rule, CoalitionGame(problem))
        plain = share(problem, pooled, rule, CoalitionGame(problem), blocks=False)
        np.testing.assert_allclose(fast.values_t, plain.values_t, atol=1e-6)
        assert _stage_values(fast) == pytest.approx(_stage_values(plain), rel=1e-9, abs=1e-6)


def test_coalitions_of_large_blocks_restart_and_match_fresh_solves() -> None:
    # 6,000 offers: about 1,700 columns per commodity, above IPM_COLUMNS, so each coalition
    # re-solves its blocks afresh (presolve, interior point) in the one loaded model
    from riskengine.optimise.highs import IPM_COLUMNS, components

    config = load_config().one_year()
    problem, _ = _pooled(generate_dataset(n_offers=6000, seed=2), config)
    assert max(len(cols) for cols, _ in components(problem)) > IPM_COLUMNS
    game = CoalitionGame(problem)
    for members in [["EU"], ["JP"], ["EU", "JP"], ["EU"]]:
        warm = game.solve(members)
        fresh = solve(game.coalition_problem(members))
        assert warm.is_ok and fresh.is_ok
        assert warm.objective_usd == pytest.approx(fresh.objective_usd, rel=1e-9)


def test_blocks_on_threads_give_the_plan_of_blocks_one_after_the_other(
    pooled_cases, monkeypatch
) -> None:
    import os

    problem, pooled = pooled_cases["scarce"]
    threaded = share(problem, pooled, "proportional", CoalitionGame(problem))
    monkeypatch.setattr(os, "cpu_count", lambda: 1)
    serial = share(problem, pooled, "proportional", CoalitionGame(problem))
    np.testing.assert_array_equal(threaded.values_t, serial.values_t)
    assert threaded.stages.equals(serial.stages)
