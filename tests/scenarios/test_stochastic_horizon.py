"""The two-stage plan over the five-year horizon: paths of scenarios, stocks, product mix."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest

import riskengine
from riskengine.config import ScenarioConfig
from riskengine.scenarios import ScenarioSet, generate_scenarios, stochastic_plan
from riskengine.scenarios.model import apply_scenario

# spot dearer than any shortfall: a path where everything is delivered has the deterministic
# model's options only (spot would reach Chinese capacity beyond the licensed share)
EXACT = [
    "optimiser.risk_aversion=0",
    "optimiser.stochastic.frontier=[]",
    "optimiser.stochastic.spot_premium=100",
]


@pytest.fixture(scope="module")
def horizon():
    """The shipped seeds, five years, without export controls and licensed export flows: the
    deterministic model then bounds no purchase by an expected licence share, which the
    two-stage plan draws instead (a path where everything arrives is that model's world)."""
    seeds = riskengine.load_dataset()
    data = dataclasses.replace(
        seeds, export_controls=seeds.export_controls.iloc[:0], export_flows=None
    )
    return riskengine.load_config(overrides=EXACT), data


def one_path(data, config, capacity=None) -> ScenarioSet:
    """One path over the horizon where nothing changes but capacity factors ``(suppliers,)``."""
    years = config.horizon.years
    buyers = tuple(sorted(set(data.demand["buyer"])))
    n_sup, n_dem, n_y = len(data.suppliers), len(data.demand), len(years)
    cap = np.ones(n_sup) if capacity is None else np.asarray(capacity, float)
    ones = np.ones((1, n_y, n_sup))
    return ScenarioSet(
        ("path",),
        np.ones(1),
        buyers,
        np.broadcast_to(cap, (1, n_y, n_sup)).copy(),
        np.ones((1, n_y, len(buyers), n_sup)),
        ones,
        ones,
        np.ones((1, n_y, n_dem)),
        np.array([["licensing"] * n_y], dtype=object),
        ("path",),
        pd.DataFrame(),
        years[0],
        0,
        years,
    )


def _per_year(result) -> pd.Series:
    return result.needs.set_index(["buyer", "commodity", "year"])["contracted_t"]


def test_beta_0_and_one_path_of_availability_1_is_the_expected_value_plan(horizon):
    config, data = horizon
    config = riskengine.load_config(overrides=[*EXACT, "optimiser.stochastic.beta=0"])
    result = stochastic_plan(data, config, scenarios=one_path(data, config))
    expected = riskengine.optimise(data, config)
    assert result.expected_loss_usd == pytest.approx(expected.objective_usd, rel=1e-8)
    assert result.vss_usd == pytest.approx(0.0, abs=1e-8 * expected.objective_usd)
    bought = expected.allocations.groupby(["buyer", "commodity", "year"])["tonnes"].sum()
    # within a kilogram: buying a little earlier and stocking it can cost exactly the same
    np.testing.assert_allclose(
        _per_year(result), bought.reindex(_per_year(result).index), atol=1e-3
    )
    assert set(result.needs["year"]) == set(config.horizon.years)
    money = result.comparison.set_index("metric")["stochastic"]
    assert money["thrifting_usd"] == pytest.approx(expected.thrifting_usd, rel=1e-8)
    assert money["expected_stock_usd"] == pytest.approx(expected.holding_usd, rel=1e-6)


def test_china_delivering_nothing_all_along_is_the_plan_without_its_capacity(horizon):
    config, data = horizon
    china = data.suppliers["country"].eq("CN").to_numpy()
    path = one_path(data, config, np.where(china, 0.0, 1.0))
    result = stochastic_plan(data, config, scenarios=path, wait_and_see=False)
    cut = ScenarioConfig.model_validate(
        {"name": "cut", "capacity": [{"factor": 0, "country": ["CN"]}]}
    )
    expected = riskengine.optimise(apply_scenario(data, cut), config)
    assert result.expected_loss_usd == pytest.approx(expected.objective_usd, rel=1e-8)
    assert result.contracts.loc[result.contracts["country"] == "CN", "contracted_t"].sum() == 0
    short = result.comparison.set_index("metric").loc["expected_shortfall_t", "stochastic"]
    assert short == pytest.approx(expected.shortfall_t, abs=1e-6)


@pytest.fixture(scope="module")
def drawn_paths():
    """The default configuration on the shipped data, 30 drawn paths over 2026-2030."""
    config = riskengine.load_config(overrides=["optimiser.stochastic.frontier=[0, 1]"])
    data = riskengine.load_dataset()
    paths = generate_scenarios(data, config, 30, seed=3)
    return config, data, stochastic_plan(data, config, scenarios=paths), paths


def test_over_the_horizon_the_plan_differs_and_vss_is_not_negative(drawn_paths):
    _, _, result, paths = drawn_paths
    assert result.is_optimal and result.settings["period"] == "over 2026-2030"
    assert result.vss_usd >= -1e-7 * result.objective_usd
    assert result.evpi_usd >= -1e-7 * result.objective_usd
    changed = (result.contracts["contracted_t"] - result.contracts["expected_value_t"]).abs()
    assert changed.max() > 1.0
    assert result.scenarios["china_policy"].str.count(" > ").eq(4).all()
    assert result.scenario_set is paths


def test_over_the_horizon_money_terms_add_up_per_scenario(drawn_paths):
    _, _, result, _ = drawn_paths
    c = result.comparison.set_index("metric")["stochastic"]
    parts = [
        "expected_purchase_usd",
        "expected_spot_usd",
        "expected_lost_supply_usd",
        "violation_usd",
        "expected_stock_usd",
        "thrifting_usd",
    ]
    assert c[parts].sum() == pytest.approx(c["expected_loss_usd"], rel=1e-9)
    p = result.scenarios["probability"].to_numpy()
    assert p @ result.scenarios["loss_usd"].to_numpy() == pytest.approx(c["expected_loss_usd"])


def test_the_same_seed_gives_the_same_paths_and_plan(drawn_paths):
    config, data, result, _ = drawn_paths
    again = stochastic_plan(
        data, config, scenarios=generate_scenarios(data, config, 30, seed=3), wait_and_see=False
    )
    pd.testing.assert_frame_equal(result.contracts, again.contracts)


def test_a_contract_never_delivers_more_than_was_contracted(drawn_paths):
    _, _, result, paths = drawn_paths
    assert (paths.capacity > 1.0).any()  # capacity drawn above its central estimate ...
    c = result.contracts
    assert (c["expected_delivered_t"] <= c["contracted_t"] + 1e-9).all()  # ... fills spot only


def test_a_licence_cuts_what_a_contract_delivers_not_what_may_be_contracted():
    from riskengine.optimise.api import default_scores
    from riskengine.scenarios.stochastic import build_two_stage

    config, data = riskengine.load_config(), riskengine.load_dataset()
    scores = default_scores(data, config)
    model = build_two_stage(data, config, scores, generate_scenarios(data, config, 5, 1, scores))
    problem, n_x = model.problem, model.problem.n_x
    licensed = np.flatnonzero(problem.params.availability < 1.0)
    deterministic = problem.arrays.upper[:n_x][licensed]
    contract = model.template.upper1[:n_x][licensed]
    assert (contract >= deterministic - 1e-12).all()
    assert (contract > deterministic * (1 + 1e-6)).sum() > 10  # g K bounds the purchase only
