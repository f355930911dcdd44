"""The two-stage CVaR model: limits, consistency with re-optimisation, weights."""

from __future__ import annotations

import numpy as np
import pytest

from riskengine.exceptions import RiskEngineError
from riskengine.optimise import build_problem, solve
from riskengine.scenarios import RobustSettings, ScenarioEffect, compare_plans, cvar, monte_carlo
from riskengine.scenarios._index import index_problem
from riskengine.scenarios.robust import scenario_weights
from riskengine.scenarios.sweep import baseline_solve, sweep


def _case(config, data, scores):
    problem = build_problem(data, config, scores)
    index, *_ = baseline_solve(index_problem(problem, data))
    plan = solve(problem).values_t[: problem.n_x]
    effects = monte_carlo(data, config, 6, seed=11)
    return index, problem.columns.iloc[: problem.n_x], effects, plan


@pytest.fixture(scope="module")
def case(small):
    return _case(*small)


def _run(case, **settings):
    index, columns, effects, plan = case
    return compare_plans(index, columns, effects, plan, RobustSettings(**settings))


def _contracts(result):
    return result.contracts.set_index(["buyer", "supplier_id", "commodity"])["robust_t"]


@pytest.mark.parametrize("which", ["single", "small"])
def test_cvar_with_alpha_to_zero_is_the_expected_cost_plan(request, which):
    case = _case(*request.getfixturevalue(which))
    expected_only = _run(case, alpha=0.0, beta=0.0)
    with_cvar = _run(case, alpha=0.0, beta=1.0)
    assert expected_only.status == with_cvar.status == "optimal"
    # with two buyers equally optimal plans may differ in their fees and nominal cost
    plan_free = ("expected_usd", "cvar_usd")
    metrics = plan_free if which == "small" else (*plan_free, "nominal_usd", "contract_fees_usd")
    for metric in metrics:
        assert with_cvar.metric(metric) == pytest.approx(expected_only.metric(metric), rel=1e-9)
    assert with_cvar.metric("cvar_usd") == pytest.approx(with_cvar.metric("expected_usd"))
    if which == "single":  # one buyer: the plan is unique, so it is the same plan
        a, b = _contracts(with_cvar), _contracts(expected_only)
        assert a.index.equals(b.index)
        np.testing.assert_allclose(a, b, atol=1e-6)


def test_without_fees_or_premium_each_scenario_costs_its_re_optimised_objective(case):
    index, _, effects, _ = case
    result = _run(case, contract_fee=0.0, spot_premium=1.0, beta=0.5)
    swept = sweep(index, effects)
    by_scenario = result.by_scenario.set_index("scenario")
    for name, objective in zip(swept.names, swept.objective_usd, strict=True):
        for plan in ("deterministic", "robust"):
            assert by_scenario.loc[name, f"{plan}_usd"] == pytest.approx(objective, rel=1e-7)


def test_the_robust_plan_is_no_worse_on_its_own_objective(case):
    result = _run(case, alpha=0.8, beta=2.0)

    def score(plan):
        return result.metric("expected_usd", plan) + 2.0 * result.metric("cvar_usd", plan)

    assert score("robust") <= score("deterministic") * (1 + 1e-9)
    assert result.metric("cvar_usd", "robust") <= result.metric("cvar_usd", "deterministic") + 1
    assert "Robust plan: CVaR at alpha=0.8" in result.summary()


def test_cvar_of_a_discrete_distribution():
    costs, weights = np.array([4.0, 1.0, 3.0, 2.0]), np.full(4, 0.25)
    assert cvar(costs, weights, 0.0) == pytest.approx(2.5)
    assert cvar(costs, weights, 0.5) == pytest.approx(3.5)
    assert cvar(costs, weights, 0.75) == pytest.approx(4.0)
    assert cvar(costs, weights, 0.9) == pytest.approx(4.0)


def _effect(name, probability=None):
    return ScenarioEffect(name, probability=probability)


def test_scenario_weights_share_the_rest_and_complete_with_the_baseline():
    base = _effect("baseline")
    chosen, w = scenario_weights([_effect("a", 0.2), _effect("b"), _effect("c")], base)
    assert [e.name for e in chosen] == ["a", "b", "c"]
    np.testing.assert_allclose(w, [0.2, 0.4, 0.4])
    chosen, w = scenario_weights([_effect("a", 0.1), _effect("b", 0.2)], base)
    assert [e.name for e in chosen] == ["a", "b", "baseline"]
    np.testing.assert_allclose(w, [0.1, 0.2, 0.7])
    with pytest.raises(RiskEngineError) as caught:
        scenario_weights([_effect("a", 0.7), _effect("b", 0.6)], base)
    assert str(caught.value) == (
        "scenario probabilities sum to 1.3 (> 1): a 0.7, b 0.6; lower "
        "them or leave some out (they then share the rest)"
    )


def test_settings_are_checked():
    with pytest.raises(RiskEngineError) as caught:
        RobustSettings(alpha=1.0)
    assert str(caught.value) == "robust alpha = 1.0: expected 0 <= alpha < 1"
