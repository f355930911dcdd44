"""The scenario generator: reproducible, correlated, calibrated as documented."""

from __future__ import annotations

import dataclasses
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

import riskengine
from riskengine import ConfigError
from riskengine.optimise.api import default_scores
from riskengine.scenarios import disruption_events, generate_scenarios, monte_carlo, stress
from riskengine.scenarios._events import APPROVAL, _split_q
from riskengine.scenarios.stochastic import with_settings

ARRAYS = ("capacity", "availability", "price", "spot_price", "demand")


def _one(drawn):
    """A one-year ScenarioSet's arrays without the year axis."""
    assert drawn.n_years == 1
    arrays = {key: getattr(drawn, key)[:, 0] for key in (*ARRAYS, "state")}
    return SimpleNamespace(buyers=drawn.buyers, **arrays)


def _only(config, state: str, **more):
    policy = {s: 0.0 for s in ("licensing", "tightening", "october_package", "easing")}
    return with_settings(config, china_policy=policy | {state: 1.0}, **more)


def test_the_same_seed_gives_the_same_scenarios_and_draw_i_does_not_depend_on_n(seeds):
    config, data, scores = seeds
    first, again, longer = (generate_scenarios(data, config, n, 7, scores) for n in (10, 10, 25))
    for key in ARRAYS:
        np.testing.assert_array_equal(getattr(first, key), getattr(again, key))
        np.testing.assert_array_equal(getattr(first, key), getattr(longer, key)[:10])
    assert first.description == longer.description[:10]
    other = generate_scenarios(data, config, 10, 8, scores)
    assert not np.array_equal(first.capacity, other.capacity)
    assert first.probability.sum() == pytest.approx(1.0)
    effects = monte_carlo(data, config, 10, seed=7, scores=scores)
    assert [e.name for e in effects] == list(first.names)
    assert effects[3].probability == pytest.approx(0.1)


def test_the_same_seed_gives_the_same_stress_tables(seeds):
    config, data, scores = seeds
    runs = [
        stress(data, config, [], monte_carlo=30, seed=5, library=False, scores=scores)
        for _ in range(2)
    ]
    for table in ("scenarios", "exposure", "response", "regret"):
        pd.testing.assert_frame_equal(getattr(runs[0], table), getattr(runs[1], table))
    assert runs[0].scenarios["source"].eq("monte-carlo").all()


def test_a_chinese_cut_hits_every_chinese_offer_and_raises_ex_china_prices(seeds):
    config, data, scores = seeds
    drawn = _one(generate_scenarios(data, _only(config, "tightening"), 30, 1, scores))
    china = data.suppliers["country"].eq("CN").to_numpy()
    high = APPROVAL["licence"]["tightening"][1]
    assert drawn.availability[:, :, china].max() <= high + 1e-12
    assert (drawn.state == "tightening").all()
    assert (drawn.spot_price[:, china] == 1.0).all()  # China's domestic price does not move
    rise = drawn.spot_price[:, ~china].min(axis=1)
    assert (rise > 1.0).all()  # every ex-China offer costs more, in the same scenario
    eased = _one(generate_scenarios(data, _only(config, "easing"), 30, 1, scores))
    assert eased.spot_price[:, ~china].mean() < drawn.spot_price[:, ~china].mean()
    assert eased.availability[:, 0, china].min() >= APPROVAL["licence"]["easing"][0] - 1e-12


def test_japan_only_controls_cut_only_japan(seeds):
    config, data, scores = seeds
    drawn = _one(generate_scenarios(data, _only(config, "licensing"), 40, 2, scores))
    china = data.suppliers["country"].eq("CN").to_numpy()
    eu, jp = drawn.buyers.index("EU"), drawn.buyers.index("JP")
    # Japan's 2026 measure (approval 0-50%) binds below the EU's rows; rows do not stack
    assert drawn.availability[:, jp, china].max() <= 0.5 + 1e-12
    assert drawn.availability[:, jp, china].mean() < drawn.availability[:, eu, china].mean()
    outside = ~china & ~data.suppliers["country"].eq("VN").to_numpy()
    assert (drawn.availability[:, :, outside] == 1.0).all()


def test_the_october_package_cuts_offers_built_on_chinese_technology_abroad(seeds):
    config, data, scores = seeds
    tech = data.suppliers["chinese_technology"].fillna(False).astype(bool).to_numpy()
    abroad = tech & data.suppliers["country"].ne("CN").to_numpy()
    assert abroad.any()
    back = _one(generate_scenarios(data, _only(config, "october_package"), 20, 3, scores))
    assert back.availability[:, :, abroad].max() <= APPROVAL["returning"]["licensing"][1] + 1e-12
    quiet = _one(generate_scenarios(data, _only(config, "licensing"), 20, 3, scores))
    assert (quiet.availability[:, :, abroad] == 1.0).all()
    # plan year 2025: the suspension (to 2026-11-10) covers the whole year, so it cannot return
    early = generate_scenarios(data, _only(config, "october_package", year=2025), 20, 3, scores)
    assert (early.state == "licensing").all()


def test_estimated_inputs_are_drawn_within_their_ranges(seeds):
    config, data, scores = seeds
    flat = with_settings(config, price_elasticity=0.0, demand_elasticity=0.0)
    drawn = _one(generate_scenarios(data, flat, 200, 0, scores))
    demand = data.demand
    low = (demand["demand_t_low"] / demand["demand_t"]).to_numpy()
    high = (demand["demand_t_high"] / demand["demand_t"]).to_numpy()
    assert (drawn.demand >= low - 1e-12).all() and (drawn.demand <= high + 1e-12).all()
    assert (drawn.demand.std(axis=0)[high > low] > 0).all()
    off = generate_scenarios(data, with_settings(flat, draw_ranges=False), 20, 0, scores)
    assert (off.demand == 1.0).all() and (off.price == 1.0).all()


def test_q_splits_into_policy_country_and_company_parts():
    frame = pd.DataFrame(
        {
            "disruption_probability": [0.2, 0.05, 0.1],
            "risk_score": [50.0, 0.0, 40.0],
            "governance": [10.0, 0.0, 0.0],
            "partner": [10.0, 0.0, 0.0],
            "export_control": [20.0, 0.0, 40.0],
            "maturity": [10.0, 0.0, 0.0],
        }
    )
    country, company = _split_q(frame)
    q = frame["disruption_probability"].to_numpy()
    policy = np.array([20 / 50, 0.0, 1.0])
    assert (1 - country) * (1 - company) * (1 - q) ** policy == pytest.approx(1 - q)
    assert country[1] == 0.0 and company[1] == pytest.approx(0.05)  # no score: its own event
    assert country[2] == company[2] == 0.0  # all export control: left to the policy model


def test_the_events_table(seeds):
    config, data, scores = seeds
    events = disruption_events(data, config, scores)
    assert set(events["kind"]) == {"china_policy", "control", "country", "company"}
    states = events[events["kind"] == "china_policy"].set_index("key")["probability"]
    assert states.to_dict() == pytest.approx(
        {"licensing": 0.55, "tightening": 0.15, "october_package": 0.2, "easing": 0.1}
    )
    japan = events[events["key"].str.contains("to JP")]
    assert not japan.empty and (japan["buyers"] == "JP").all()
    countries = events[events["kind"] == "country"]
    assert countries["probability"].between(0, 1).all()
    assert (
        countries.set_index("key").loc["CN", "probability"]
        > countries.set_index("key").loc["FR", "probability"]
    )


def test_china_policy_probabilities_must_sum_to_1():
    with pytest.raises(ConfigError) as caught:
        riskengine.load_config(overrides=["optimiser.stochastic.china_policy={licensing: 0.5}"])
    assert "china_policy probabilities sum to 0.5 (licensing 0.5); make them sum to 1" in str(
        caught.value
    )


# --------------------------------------------------------------------------- over a horizon


@pytest.fixture(scope="module")
def horizon():
    """The default configuration (horizon 2026-2030) and the shipped seeds."""
    config = riskengine.load_config()
    data = riskengine.load_dataset()
    return config, data, default_scores(data, config)


def test_a_horizon_draws_a_path_whose_first_year_is_the_one_year_draw(horizon):
    config, data, scores = horizon
    certain = data.suppliers.assign(commissioning_probability=1.0)  # no project draws
    data = dataclasses.replace(data, suppliers=certain)
    paths = generate_scenarios(data, config, 12, 4, scores)
    assert paths.years == config.horizon.years and paths.n_years == 5
    assert paths.capacity.shape == (12, 5, len(data.suppliers))
    assert paths.availability.shape == (12, 5, len(paths.buyers), len(data.suppliers))
    first = with_settings(config.one_year(), year=config.horizon.years[0])
    one = generate_scenarios(data, first, 12, 4, scores)
    for key in ARRAYS:
        np.testing.assert_array_equal(getattr(paths, key)[:, :1], getattr(one, key))
    assert " | 2027: " in paths.description[0]


def test_the_policy_state_persists_as_configured_and_estimates_persist(horizon):
    config, data, scores = horizon
    flat = with_settings(config, price_elasticity=0.0, demand_elasticity=0.0)
    fixed = generate_scenarios(data, with_settings(flat, policy_persistence=1.0), 40, 1, scores)
    assert (fixed.state == fixed.state[:, :1]).all()
    moving = generate_scenarios(data, with_settings(flat, policy_persistence=0.0), 40, 1, scores)
    assert (moving.state != moving.state[:, :1]).any()
    # estimated inputs keep their first-year factor; physical events are drawn every year
    np.testing.assert_array_equal(fixed.demand, np.repeat(fixed.demand[:, :1], 5, axis=1))
    np.testing.assert_array_equal(fixed.price, np.repeat(fixed.price[:, :1], 5, axis=1))
    assert (fixed.capacity != fixed.capacity[:, :1]).any()


def test_each_project_is_commissioned_or_not_for_the_whole_path(horizon):
    config, data, scores = horizon
    paths = generate_scenarios(data, config, 400, 2, scores)
    sup = data.suppliers
    p = sup["commissioning_probability"].fillna(1.0).to_numpy()
    caremag = (sup["supplier_id"] == "caremag").to_numpy()  # Dy and Tb rows, p = 0.85
    flat = with_settings(config, draw_ranges=False)
    plain = generate_scenarios(data, flat, 400, 2, scores)
    # built when it has capacity in some year (an event may still take one year's output)
    built = (plain.capacity[:, :, caremag] > 0).any(axis=1)
    assert (built == built[:, :1]).all()  # one plant: its commodities come or fail together
    assert built[:, 0].mean() == pytest.approx(0.85, abs=0.06)
    failed = ~built[:, 0]
    assert (plain.capacity[failed][:, :, caremag] == 0).all()  # never, in any year
    assert all(
        "not commissioned: " in d and "caremag" in d for d in np.array(plain.description)[failed]
    )
    # expected capacity is kept: the factor is 1/p when a project comes
    assert plain.capacity[~failed][:, -1, caremag].max() <= 1 / 0.85 + 1e-9
    certain = p >= 1.0
    assert (paths.capacity[:, :, certain] <= paths.capacity.max()).all()
